"""Fonts: role -> installed font file, CFF -> TrueType cache, reportlab registration, glyph coverage.

- ``resolve() -> FontSet``: the file, face index, family and outline type chosen for each role
  (``config.PDF_ROLES``), from ``BRIEF_FONT_<ROLE>=/path/font[:index]`` or ``config.PDF_CANDIDATES``.
- ``pdf_fonts() -> PdfFonts`` (``pdf.role_fonts``, its name for what it is): those fonts registered with reportlab
  (``name(role)``, ``covers``, ``split_runs``, ``missing``); CFF fonts are converted once and cached.
- ``report_lines()``: what ``brief fonts`` prints.

Registering also fixes reportlab's ToUnicode CMap for characters beyond U+FFFF; every reach into
reportlab's internals is in ``rlcompat``, behind one check.
"""

from __future__ import annotations

from .config import DOCX_FONTS, DOCX_LATIN_FONT, PDF_ROLES, ROLE_LABELS, ROLES
from .convert import convert_cff, converted_path, warm_cache
from .discover import FontSet, ResolvedFont, resolve
from .report import report_lines


def __getattr__(name: str) -> object:
    # Lazily: .pdf imports reportlab (~100 ms), which `build` needs only when a brief is made.
    if name in ("PdfFonts", "pdf_fonts"):
        from . import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def forget() -> None:
    """Drop every in-process memo (after installing fonts or changing ``BRIEF_FONT_*``; tests)."""
    from . import convert, discover, pdf

    discover.forget()
    convert.forget()
    pdf.forget()


__all__ = [
    "DOCX_FONTS",
    "DOCX_LATIN_FONT",
    "PDF_ROLES",
    "ROLES",
    "ROLE_LABELS",
    "FontSet",
    "PdfFonts",
    "ResolvedFont",
    "convert_cff",
    "converted_path",
    "forget",
    "pdf_fonts",
    "report_lines",
    "resolve",
    "warm_cache",
]
