"""The DOCX writer (python-docx): ``docx_bytes(doc, reference=...)``; ``warm(reference)`` reads the template ahead."""

from brief.writers.docx.writer import DocxWriter, docx_bytes, warm

__all__ = ["DocxWriter", "docx_bytes", "warm"]
