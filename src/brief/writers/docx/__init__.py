"""DOCX output: ``write_docx(doc, path, reference=...)`` and ``docx_bytes(doc, reference=...)``."""

from brief.writers.docx.writer import DocxWriter, docx_bytes, write_docx

__all__ = ["DocxWriter", "docx_bytes", "write_docx"]
