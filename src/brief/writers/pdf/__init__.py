"""The PDF writer (reportlab)."""

from .writer import PdfWriter, pdf_bytes, write_pdf

__all__ = ["PdfWriter", "pdf_bytes", "write_pdf"]
