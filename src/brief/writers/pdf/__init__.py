"""The PDF writer (reportlab): ``pdf_bytes(doc, fonts)``; ``warm()`` reads the role fonts ahead."""

from .writer import PdfWriter, pdf_bytes, warm

__all__ = ["PdfWriter", "pdf_bytes", "warm"]
