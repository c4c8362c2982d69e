"""The DOCX writer: walks the document tree, one ``visit_<node>`` per node type, into the body of a
python-docx document made from templates/reference.docx.

Looks live in the template (template.py, make_reference.py); this module only names styles
(styles.py) and builds WordprocessingML through wml.py; the draft watermark is watermark.py's, the
core properties properties.py's.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.shared import Emu, Mm, Twips

from brief import fonts
from brief import housestyle as hs
from brief.errors import BriefError
from brief.model import Chart, Document, Figure, Heading, Inlines, KeyFigures, Masthead, Paragraph, Record, Table, Text
from brief.writers import barchart, keyband, tablefit
from brief.writers.base import Visitor
from brief.writers.docx import wml
from brief.writers.docx._package import package_bytes
from brief.writers.docx.body import Body
from brief.writers.docx.chart_png import chart_png
from brief.writers.docx.properties import set_core_properties
from brief.writers.docx.styles import CELL_MARGIN, DOCX_ROLES, HEADING_STYLES, ROLE_STYLES
from brief.writers.docx.template import Template, load_template
from brief.writers.docx.watermark import add_watermark, draft_mark_paragraph
from brief.writers.docx.wml import exact, font_xml, size_xml

FIGURE_MAX_HEIGHT = Mm(hs.FIGURE_MAX_HEIGHT)

__all__ = ["HEADING_STYLES", "DocxWriter", "docx_bytes", "warm"]


class DocxWriter(Visitor):
    """Walks a brief's blocks into a python-docx document made from the template, appending each
    block's paragraphs and tables to the body as XML text (body.Body)."""

    def __init__(self, document: DocxDocument, template: Template, figure_heights: Sequence[float] = ()):
        self.document = document
        self.figure_heights = list(figure_heights)  # mm, per photo: the PDF's page layout
        self.figures = 0
        self.gap = 0.0  # pt still owed below the last table, given to the next paragraph's space before
        self.before = {key: hs.twips(hs.ROLES[role].before) for key, role in DOCX_ROLES.items()}
        self.before["figure"] = hs.twips(hs.FIGURE_BEFORE)
        self.text_width = template.text_width  # twips
        self.left_margin = template.left_margin
        # bold runs as the PDF sets them (brief.housestyle.STRONG_FONT): 黑体 in a 仿宋 paragraph
        strong = {key: font_xml(hs.STRONG_FONT[hs.ROLES[role].font])
                  for key, role in DOCX_ROLES.items() if hs.ROLES[role].font in hs.STRONG_FONT}
        self.wml = wml.Paragraphs(template.style_ids, template.text_width, strong)
        self.body = Body(document)
        self.portrait = self.body.anchor  # the body's own w:sectPr: the page every section copies
        self.landscape_width = wml.landscape_width(self.portrait)  # twips; 0 when the page is not known
        self.fits: dict[int, tablefit.Fit] = {}  # id(table) -> its fit (tablefit.plan)

    # dispatch

    def write(self, blocks: Iterable[object]) -> None:
        blocks = tuple(blocks)
        self.fits = tablefit.plan(blocks, self.text_width / 20, 2 * CELL_MARGIN / 20, _table_measure(),  # type: ignore[arg-type]
                                  self.landscape_width / 20 or None)
        started = False
        wide = False
        for block, want in zip(blocks, tablefit.landscape_pages(blocks, self.fits), strict=True):
            if want != wide and started:
                self._section_break(landscape=wide)  # ends the section before: portrait, or landscape
            wide = want
            if self.gap and (isinstance(block, KeyFigures) or (isinstance(block, Table) and not block.caption)):
                # a table right below a table: the gap as an empty paragraph that tall (it also keeps
                # Word from merging the two tables)
                self._para("table", (), exact(self.gap))
            self.visit(block)  # type: ignore[arg-type]
            started = True
            if isinstance(block, Table | KeyFigures):
                # the PDF's gap below a table: added to the space before whatever comes next
                self.gap = (hs.KEY_BOX if isinstance(block, KeyFigures) else hs.GRID).space_after
        if wide:
            self._section_break(landscape=True)

    def _section_break(self, *, landscape: bool) -> None:
        """End the section so far (its pages portrait, or ``landscape``) with a hairline paragraph
        holding its ``w:sectPr`` (wml.section_copy). The gap owed below a table is dropped, as the
        PDF drops its spacer before a page break."""
        self.gap = 0.0
        self._para("source", (), wml.HAIRLINE + self.body.section(landscape=landscape))

    # blocks

    def visit_masthead(self, node: Masthead) -> None:
        if node.classification:  # 密级: 三号黑体, top left
            secret = hs.ROLES["masthead_secret"]
            rpr = font_xml(secret.font) + size_xml(secret.size)
            self.body.append(self.wml.p("source", (Text(node.classification),), exact(secret.leading), rpr))
        self._para("masthead", (Text(node.title),))
        if node.number:
            self._para("masthead_number", (Text(node.number),))
        # issuer flush left, date on the style's right tab stop; the red rule is the style's border
        self._para("masthead_info", (Text(node.issuer), Text("\t"), Text(node.date)))

    def visit_record(self, node: Record) -> None:
        """The 版记: a one-cell table floated to the bottom margin (the foot of the page it lands
        on: the last), its rows as paragraphs whose borders are the rules (sz in eighths of a
        point: 0.35 mm = 8, 0.25 mm = 6). Placed from the page's left edge, not the margin's:
        LibreOffice floats a table as wide as the text only then (else it sets it inline, right
        below the text); Word places it the same either way."""
        # one border set for every row: Word and LibreOffice group paragraphs with equal borders,
        # drawing top and bottom once and ``between`` between them; the 印发 line and 共印X份 are
        # one paragraph (a line break), so no rule separates them
        rows = [*((Text(line),) for line in node.lines),
                (Text(node.issuer), Text("\t"), Text(node.printed), Text("\n"), Text("\t"), Text(node.copies))]
        width = self.text_width
        rule = f'w:val="single" w:space="{round(hs.RECORD_GAP)}" w:color="{hs.BLACK.hex}"'
        outer, inner = (hs.eighths(hs.pt(mm)) for mm in hs.RECORD_RULES)
        ppr = (f'<w:keepNext/><w:pBdr><w:top {rule} w:sz="{outer}"/><w:bottom {rule} w:sz="{outer}"/>'
               f'<w:between {rule} w:sz="{inner}"/></w:pBdr>'
               f'<w:tabs><w:tab w:val="right" w:pos="{width}"/></w:tabs>'
               + exact(hs.ROLES["record"].leading))
        paras = [self.wml.p("source", inlines, ppr) for inlines in rows]
        self.body.append(wml.foot_table(paras, width, self.left_margin))
        self._para("source", (), wml.HAIRLINE)

    def visit_heading(self, node: Heading) -> None:
        self._para(HEADING_STYLES[node.level], node.inlines)  # model.Heading checks the level

    def visit_paragraph(self, node: Paragraph) -> None:
        self._para(ROLE_STYLES[node.role], node.inlines)  # model.Paragraph checks the role

    def visit_table(self, node: Table) -> None:
        """The header row repeats on every page (tblHeader), rows never split (cantSplit), and the
        first and last rows keep with the row after them (keepNext in each cell), so that a page
        break leaves tablefit.MIN_ROWS rows or more on each side. Word cannot print 续表 on the
        pages a table runs onto: the repeated header row is all it shows."""
        if node.caption:  # the table's title: stays with it, no gaps (the PDF's title row)
            self._para("center", (Text(node.caption),), "<w:keepNext/>" + exact(hs.ROLES["center"].leading))
        rows = (node.header, *node.rows)
        ncols = len(node.header)
        for i, row in enumerate(node.rows):
            if len(row) != ncols:
                raise ValueError(f"table {node.caption!r}: row {i + 1} has {len(row)} cells, header has {ncols}")
        numeric = tuple(node.numeric) + (False,) * (ncols - len(node.numeric))
        fit = self.fits.get(id(node)) or tablefit.fit(node, self.text_width / 20, 2 * CELL_MARGIN / 20,
                                                      _table_measure())
        width = self.landscape_width if fit.landscape else self.text_width
        widths = wml.spread(width, list(fit.widths))
        # the PDF's roles: 小四 (cell), 五号 (cell_small) for a wide table, set at the fit's size alike
        role = hs.ROLES["cell_small" if ncols > tablefit.WIDE else "cell"]
        size = fit.size
        styled = hs.ROLES[DOCX_ROLES["table"]]
        rpr = "" if hs.half_points(size) == hs.half_points(styled.size) else size_xml(size)
        leading = role.leading * size / role.size
        spacing = "" if hs.twips(leading) == hs.twips(styled.leading) else exact(leading)
        kept = tablefit.kept_rows(len(node.rows))

        xml = [self.wml.table_start("grid", widths, width)]
        estimated = hs.half_points(size) / 2  # the size Word sets: whole half-points
        cell = self.wml.cell
        measure = _table_measure()
        rooms = [(w - 2 * CELL_MARGIN) / 20 for w in widths]  # pt inside the cell margins
        for r, row in enumerate(rows):
            keep = "<w:keepNext/>" if r == 0 or (r - 1) in kept else ""
            key, left = "table_header" if r == 0 else "table", keep + spacing
            right = left + '<w:jc w:val="right"/>' if r else left  # figures flush right, below the header
            # broken between words where the PDF breaks them (a line break where Word would not)
            cells = [cell(key, tablefit.broken(inlines, measure, estimated, rooms[c]), right if numeric[c] else left,
                          rpr, widths[c], estimated)
                     for c, inlines in enumerate(row)]
            xml.append(wml.row(widths, cells, header=(r == 0)))
        xml.append("</w:tbl>")
        self.body.append("".join(xml))

    def visit_figure(self, node: Figure) -> None:
        i, self.figures = self.figures, self.figures + 1
        height = Mm(self.figure_heights[i]) if i < len(self.figure_heights) else None
        self._picture(str(node.path), node.caption, height=height)
        if node.caption:  # the PDF sets photo and caption as one block: nothing below the caption
            self._para("caption", (Text(node.caption),), '<w:spacing w:after="0"/>')

    def visit_keyfigures(self, node: KeyFigures) -> None:
        """A boxed two-row table: the values (large, bold 黑体) above their labels."""
        if not node.items:
            return
        widths = wml.spread(self.text_width, [1] * len(node.items))
        # The PDF's rules (keyband), measured in the PDF's fonts: values on one line at one size,
        # labels broken evenly on at most two lines (Word would leave a lone character).
        _, right, _, left = hs.KEY_BOX.padding
        avail = min(widths) / 20 - left - right - 1
        value, label = hs.ROLES["key_value"], hs.ROLES["key_label"]
        band = keyband.layout([i.value for i in node.items], [i.label for i in node.items], avail,
                              (_measure(value.font), value.size), (_measure(label.font), label.size))
        values = [self.wml.p("key_value", (Text(item.value),), *wml.scaled(value, band.value_scale))
                  for item in node.items]
        labels = [self.wml.p("key_label", (Text(text),), *wml.scaled(label, band.label_scale))
                  for text in band.labels]
        xml = (self.wml.table_start("box", widths) + wml.row(widths, values, header=False)
               + wml.row(widths, labels, header=False) + "</w:tbl>")
        self.body.append(xml)

    def visit_chart(self, node: Chart) -> None:
        wml.check_text(node.title + node.unit + "".join(node.categories) + "".join(s.name for s in node.series),
                       "chart")
        png = chart_png(node, width_mm=Twips(self.text_width).mm)
        self._picture(io.BytesIO(png), barchart.description(node), '<w:spacing w:before="0" w:after="0"/>')
        if node.title:
            self._para("caption", (Text(node.title),))

    # helpers

    def _para(self, key: str, inlines: Inlines, ppr: str = "", tail: str = "") -> None:
        """A new ``w:p`` of style ``key`` holding ``inlines`` (and ``tail``, a run), appended to the
        body; the gap owed below a table goes into its space before."""
        if self.gap:
            ppr = wml.more_before(ppr, self.before.get(key, 0), hs.twips(self.gap))
            self.gap = 0.0
        self.body.append(self.wml.p(key, inlines, ppr, tail=tail))

    def _picture(self, image, alt_text: str, ppr: str = "", height: Emu | None = None) -> None:  # type: ignore[no-untyped-def]
        """The image centred in its own paragraph, fitted into text width × FIGURE_MAX_HEIGHT, or
        ``height`` high (the PDF's)."""
        run = self.body.picture(image, alt_text, (Twips(self.text_width), FIGURE_MAX_HEIGHT), height)
        self._para("figure", (), ppr, run)


def _table_measure() -> tablefit.Measure:
    """The PDF's measure for tables (tablefit.both_files), from the PDF's 仿宋 where it is installed;
    without the PDF's fonts (a DOCX made where they are missing), from the estimate alone."""
    return tablefit.both_files(_measure("body"))


def _measure(font: str) -> tablefit.Measure:
    """How wide a text is in a font role, measured with the PDF's font (the one layout both files
    follow); without the PDF's fonts (a DOCX made where they are missing), an estimate."""
    try:
        return fonts.pdf_fonts().metrics(font).width
    except BriefError:
        return tablefit.estimated_width


# -- API ----------------------------------------------------------------------------------------


def warm(reference: Path) -> None:
    """Read ``reference`` (reference.docx) now, so that every brief of a build reuses it (build
    does this before its workers fork)."""
    load_template(reference)


def _write(doc: Document, reference: Path, figure_heights: Sequence[float]) -> tuple[DocxDocument, Body]:
    """The python-docx document for ``doc`` and its body's text (not in the tree yet)."""
    template = load_template(reference)
    document = template.new_document()
    writer = DocxWriter(document, template, figure_heights)
    writer.write(doc.blocks)
    if doc.meta.draft:
        writer.body.texts.insert(0, draft_mark_paragraph())  # page 1's top margin, as in the PDF
        if writer.body.breaks:
            writer.body.into_tree()  # the watermark reads the sections' w:sectPr from the tree
        add_watermark(document)
    set_core_properties(document, doc.meta)
    return document, writer.body


def build(doc: Document, *, reference: Path, figure_heights: Sequence[float] = ()) -> DocxDocument:
    """The python-docx document for ``doc`` (not yet saved); ``figure_heights``: each photo's height
    in mm as the PDF set it (pdf_bytes), so that both files break their pages alike."""
    document, body = _write(doc, reference, figure_heights)
    body.into_tree()
    return document


def docx_bytes(doc: Document, *, reference: Path, figure_heights: Sequence[float] = ()) -> bytes:
    """The DOCX file for ``doc`` as bytes; the same document always gives the same bytes."""
    document, body = _write(doc, reference, figure_heights)
    return package_bytes(document.part.package, {document.part.partname: body.blob()})
