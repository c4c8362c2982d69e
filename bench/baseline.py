"""The plain-reportlab baseline: the brief's text set with stock platypus, no templates, no model.

``extract(doc)`` turns a composed document into plain items once (outside any timing): paragraphs
and headings with their bold runs, tables as rows of cell texts. ``render(items, fonts)`` then
sets them with what a reportlab user would write by hand: ``Paragraph`` with ``wordWrap='CJK'``,
``Table`` with a grid, ``SimpleDocTemplate(invariant=1)``, on the same A4 text block, with the
same font files as brief's roles, but registered as stock ``TTFont`` objects (``StockFonts``):
reportlab parses them itself, copies the glyph table per subset and deflates with zlib, as it does
for anyone who uses it plainly (brief's own faces are memory-mapped and its streams use ISA-L).
Photos and the chart are left out (text only), as the issue asks; ``run.py`` also times our
writer on the same text-only document for a like-for-like writer ratio.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from brief import model
from brief.fonts import PDF_ROLES
from brief.writers.pdf.styles import BOTTOM, LEFT, PAGE, STYLES, TOP, WIDTH

_ALIGN = {"justify": TA_JUSTIFY, "left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
Runs = tuple[tuple[str, bool], ...]  # (text, bold)


@dataclass(frozen=True)
class Para:
    style: str  # a key of brief.writers.pdf.styles.STYLES (sizes and leading only)
    runs: Runs


@dataclass(frozen=True)
class Grid:
    rows: tuple[tuple[Runs, ...], ...]  # first row is the header
    header: bool = True


def _runs(inlines: model.Inlines) -> Runs:
    return tuple((t.text, t.bold) for t in inlines)


def _plain(text: str) -> Runs:
    return ((text, False),)


def extract(doc: model.Document) -> list[Para | Grid]:
    """Every text the brief prints, in order, as plain data (photos and chart drawing left out)."""
    out: list[Para | Grid] = []
    for b in doc.blocks:
        if isinstance(b, model.Masthead):
            out.append(Para("masthead_title", _plain(b.title)))
            out.append(Grid(((_plain(b.issuer), _plain(b.date)),), header=False))
        elif isinstance(b, model.Heading):
            out.append(Para(f"heading{b.level}", _runs(b.inlines)))
        elif isinstance(b, model.Paragraph):
            out.append(Para(b.role if b.role in STYLES else "body", _runs(b.inlines)))
        elif isinstance(b, model.Table):
            rows = ((tuple(_runs(c) for c in b.header),) if b.header else ()) + tuple(
                tuple(_runs(c) for c in r) for r in b.rows)
            if b.caption:
                out.append(Para("center", _plain(b.caption)))
            out.append(Grid(rows, header=bool(b.header)))
        elif isinstance(b, model.KeyFigures):
            out.append(Grid((tuple(_plain(i.value) for i in b.items), tuple(_plain(i.label) for i in b.items)),
                            header=False))
        elif isinstance(b, model.Figure):
            if b.caption:
                out.append(Para("caption", _plain(b.caption)))
        elif isinstance(b, model.Chart):
            out.append(Para("caption", _plain(b.title)))
    return out


class StockFonts:
    """brief's role fonts, from the same files, as plain reportlab ``TTFont``s (``name(role)``)."""

    def __init__(self, fonts) -> None:
        self._names: dict[str, str] = {}
        for role in PDF_ROLES:
            path, index = fonts.font_source(fonts.name(role))
            name = f"stock-{role}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            self._names[role] = name

    def name(self, role: str) -> str:
        return self._names[role]


def make_styles(fonts) -> dict[str, ParagraphStyle]:
    out = {}
    for key, s in STYLES.items():
        out[key] = ParagraphStyle(key, fontName=fonts.name(s.font), fontSize=s.size, leading=s.leading,
                                  alignment=_ALIGN[s.align], firstLineIndent=s.first_line_indent,
                                  spaceBefore=s.space_before, spaceAfter=s.space_after, wordWrap="CJK")
    return out


def _markup(runs: Runs, bold_font: str) -> str:
    return "".join(f'<font face="{bold_font}">{escape(t)}</font>' if b else escape(t) for t, b in runs)


def render(items: list[Para | Grid], fonts, styles: dict[str, ParagraphStyle] | None = None) -> bytes:
    """The PDF bytes of ``items`` set with stock platypus (pass ``styles`` to skip building them)."""
    styles = styles or make_styles(fonts)
    bold = fonts.name("bold")
    story = []
    for item in items:
        if isinstance(item, Para):
            story.append(Paragraph(_markup(item.runs, bold), styles[item.style]))
            continue
        ncols = max(len(r) for r in item.rows)
        first = WIDTH * (0.6 if ncols <= 2 else 0.46 if ncols <= 4 else 0.24)
        widths = [first] + [(WIDTH - first) / max(ncols - 1, 1)] * (ncols - 1)
        data = []
        for r, row in enumerate(item.rows):
            style = styles["cell_head" if item.header and r == 0 else "cell"]
            data.append([Paragraph(_markup(cell, bold), style) for cell in row])
        table = Table(data, colWidths=widths, repeatRows=1 if item.header else 0)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), fonts.name("body")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story += [table, Spacer(1, 10)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=LEFT, rightMargin=PAGE[0] - LEFT - WIDTH, topMargin=TOP,
                      bottomMargin=BOTTOM, invariant=1, title="baseline",
                      initialFontName=fonts.name("body")).build(story)
    return buf.getvalue()
