"""The DOCX writer: one visit method per node type, each appending to a python-docx container.

Looks live in templates/reference.docx (see make_reference.py); this module only names styles
(brief.writers.docx.styles). Style ids are resolved once per template, never looked up by name
per paragraph: python-docx's lookup by name was two-thirds of a naive writer's time.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, Twips
from docx.text.paragraph import Paragraph as DocxParagraph

from brief import housestyle as hs
from brief.errors import BriefError
from brief.fonts.config import DOCX_FONTS, DOCX_LATIN_FONT
from brief.model import (
    Chart,
    Document,
    Figure,
    Heading,
    Inlines,
    KeyFigures,
    Masthead,
    Meta,
    Paragraph,
    Record,
    Table,
    Text,
)
from brief.outdir import atomic_write
from brief.writers import keyband, tablefit
from brief.writers.base import Visitor
from brief.writers.docx._package import package_bytes
from brief.writers.docx.chart_png import chart_png
from brief.writers.docx.styles import CELL_MARGIN, DOCX_ROLES, PARAGRAPH_STYLES, ROLE_STYLES, TABLE_STYLES
from brief.writers.typeset import MIN_HSCALE, figure_spans, halved_marks, joined

from ..xmltext import escape, quoteattr  # not xml.sax.saxutils: see xmltext

WATERMARK_TEXT = hs.WATERMARK_TEXT
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # core properties: no build time in the file
FIGURE_MAX_HEIGHT = Mm(hs.FIGURE_MAX_HEIGHT)
HEADING_STYLES = {0: "title", 1: "h1", 2: "h2"}

_SECTPR = qn("w:sectPr")
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# python-docx's table look (first row and column emphasised, no banding), as Word writes it
_TBL_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
             'w:noVBand="1" w:val="04A0"/>')
_HAIRLINE = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'  # an all but empty line
_SPECIAL_SPLIT = re.compile("([\t\n\r])")

# Characters XML 1.0 cannot hold (python-docx/lxml would refuse them with a vaguer message).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_text(text: str, where: str) -> str:
    """``text`` unchanged, or ValueError naming the first character a DOCX cannot store."""
    bad = _BAD_XML.search(text)
    if bad:
        raise ValueError(f"{where}: character U+{ord(bad.group()):04X} cannot be stored in DOCX (XML 1.0) in {text!r}")
    return text


# -- the template -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """reference.docx, read once per process: its bytes, style ids and text width."""

    blob: bytes
    style_ids: Mapping[str, str]  # logical key (styles.py) -> w:styleId
    text_width: int  # twips
    left_margin: int = 0  # twips

    @classmethod
    def read(cls, path: Path) -> Template:
        blob = path.read_bytes()
        doc = docx.Document(io.BytesIO(blob))
        by_name: dict[tuple[str, str], str] = {}
        for st in doc.styles.element.iterchildren(qn("w:style")):
            name = st.find(qn("w:name"))
            if name is not None:
                by_name[(st.get(qn("w:type")), name.get(qn("w:val")).lower())] = st.get(qn("w:styleId"))
        wanted = [("paragraph", k, n) for k, n in PARAGRAPH_STYLES.items()]
        wanted += [("table", k, n) for k, n in TABLE_STYLES.items()]
        ids: dict[str, str] = {}
        missing = []
        for kind, key, name in wanted:
            sid = by_name.get((kind, name.lower()))
            if sid is None:
                missing.append(f"{kind} style {name!r}")
            ids[key] = sid
        if missing:
            raise BriefError.at(str(path), None, "reference.docx",
                                f"Word 样式模板缺少样式：{', '.join(missing)}；{_REGENERATE}")
        section = doc.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin
        return cls(blob, ids, Emu(width).twips, Emu(section.left_margin).twips)


_TEMPLATES: dict[tuple[str, int, int], Template] = {}
_REGENERATE = "请在 Word 中另存为 .docx，或用 python -m brief.writers.docx.make_reference 重新生成"


def load_template(path: Path) -> Template:
    """The cached Template for ``path``; re-read when the file changes (mtime or size)."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    tpl = _TEMPLATES.get(key)
    if tpl is None:
        try:
            tpl = Template.read(path)
        except BriefError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user's file: not a zip, parts missing, broken XML
            raise BriefError.at(str(path), None, "reference.docx",
                                f"不是有效的 Word 样式模板（{type(exc).__name__}）；{_REGENERATE}") from None
        _TEMPLATES[key] = tpl
    return tpl


# -- the visitor --------------------------------------------------------------------------------


class _Body:
    """Where the blocks go: the document body, before its final ``w:sectPr`` (Word wants it last)."""

    def __init__(self, document: DocxDocument) -> None:
        self.part = document.part
        self.element = document.element.body
        self.anchor = self.element.find(_SECTPR)

    def append(self, element):  # type: ignore[no-untyped-def]
        if self.anchor is not None:
            self.anchor.addprevious(element)
        else:
            self.element.append(element)
        return element


class DocxWriter(Visitor):
    """Walks a brief's blocks into a python-docx document made from the template.

    Each paragraph and table is written as WordprocessingML text in the order the schema wants and
    parsed once: python-docx's ``add_paragraph``/``add_table`` look up every child by schema
    position, and even building the elements one by one with lxml cost five times as much for a
    brief's tables. Pictures still go through python-docx (it owns the image parts).
    """

    def __init__(self, document: DocxDocument, template: Template, figure_heights: Sequence[float] = ()):
        self.document = document
        self.figure_heights = list(figure_heights)  # mm, per photo: the PDF's page layout
        self.figures = 0
        self.gap = 0.0  # pt still owed below the last table, given to the next paragraph's space before
        self.before = {key: hs.twips(hs.ROLES[role].before) for key, role in DOCX_ROLES.items()}
        self.before["figure"] = hs.twips(hs.FIGURE_BEFORE)
        self.style = {key: _attr(sid) for key, sid in template.style_ids.items()}
        self.text_width = template.text_width  # twips
        self.left_margin = template.left_margin
        self.body = _Body(document)
        self.portrait = self.body.anchor  # the body's own w:sectPr: the page every section copies
        self.landscape_width = _landscape_width(self.portrait)  # twips; 0 when the page is not known
        self.fits: dict[int, tablefit.Fit] = {}  # id(table) -> its fit (tablefit.plan)
        # bold runs as the PDF sets them (brief.housestyle.STRONG_FONT): 黑体 in a 仿宋 paragraph
        self.strong = {key: _font_xml(hs.STRONG_FONT[hs.ROLES[role].font])
                       for key, role in DOCX_ROLES.items() if hs.ROLES[role].font in hs.STRONG_FONT}

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
                self._para(self.body, "table", (), _exact(self.gap))
            self.visit(block, self.body)
            started = True
            if isinstance(block, Table | KeyFigures):
                # the PDF's gap below a table: added to the space before whatever comes next
                self.gap = (hs.KEY_BOX if isinstance(block, KeyFigures) else hs.GRID).space_after
        if wide:
            self._section_break(landscape=True)

    def _section_break(self, *, landscape: bool) -> None:
        """End the section so far (its pages portrait, or ``landscape``) with a hairline paragraph
        holding its ``w:sectPr``: a copy of the body's, turned for landscape; footers are inherited.
        The gap owed below a table is dropped, as the PDF drops its spacer before a page break."""
        self.gap = 0.0
        sect = copy.deepcopy(self.portrait)
        for child in sect.findall(qn("w:titlePg")):
            sect.remove(child)  # a first-page footer belongs to the document's first page only
        if landscape:
            _turn(sect)
        para = self._para(self.body, "source", (), _HAIRLINE)
        para.find(qn("w:pPr")).append(sect)

    # blocks

    def visit_masthead(self, node: Masthead, container: _Body) -> None:
        if node.classification:  # 密级: 三号黑体, top left
            secret = hs.ROLES["masthead_secret"]
            rpr = _font_xml(secret.font) + _size_xml(secret.size)
            container.append(parse_xml(self._p_xml("source", (Text(node.classification),),
                                                   _exact(secret.leading), rpr)))
        self._para(container, "masthead", (Text(node.title),))
        if node.number:
            self._para(container, "masthead_number", (Text(node.number),))
        # issuer flush left, date on the style's right tab stop; the red rule is the style's border
        self._para(container, "masthead_info", (Text(node.issuer), Text("\t"), Text(node.date)))

    def visit_record(self, node: Record, container: _Body) -> None:
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
               + _exact(hs.ROLES["record"].leading))
        paras = [self._p_xml("source", inlines, ppr) for inlines in rows]
        none = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        table = (f'<w:tbl {_W_NS}><w:tblPr><w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="240" '
                 f'w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{self.left_margin}" w:tblpYSpec="bottom"/>'
                 f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>{none}</w:tblBorders>'
                 '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
                 '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
                 f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc>'
                 f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{"".join(paras)}</w:tc></w:tr></w:tbl>')
        container.append(parse_xml(table))
        self._para(container, "source", (), '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>')

    def visit_heading(self, node: Heading, container: _Body) -> None:
        self._para(container, HEADING_STYLES[node.level], node.inlines)  # model.Heading checks the level

    def visit_paragraph(self, node: Paragraph, container: _Body) -> None:
        self._para(container, ROLE_STYLES[node.role], node.inlines)  # model.Paragraph checks the role

    def visit_table(self, node: Table, container: _Body) -> None:
        """The header row repeats on every page (tblHeader), rows never split (cantSplit), and the
        first and last rows keep with the row after them (keepNext in each cell), so that a page
        break leaves tablefit.MIN_ROWS rows or more on each side. Word cannot print 续表 on the
        pages a table runs onto: the repeated header row is all it shows."""
        if node.caption:  # the table's title: stays with it, no gaps (the PDF's title row)
            self._para(container, "center", (Text(node.caption),), "<w:keepNext/>" + _exact(hs.ROLES["center"].leading))
        rows = (node.header, *node.rows)
        ncols = len(node.header)
        for i, row in enumerate(node.rows):
            if len(row) != ncols:
                raise ValueError(f"table {node.caption!r}: row {i + 1} has {len(row)} cells, header has {ncols}")
        numeric = tuple(node.numeric) + (False,) * (ncols - len(node.numeric))
        fit = self.fits.get(id(node)) or tablefit.fit(node, self.text_width / 20, 2 * CELL_MARGIN / 20,
                                                      _table_measure())
        width = self.landscape_width if fit.landscape else self.text_width
        widths = _spread(width, list(fit.widths))
        # the PDF's roles: 小四 (cell), 五号 (cell_small) for a wide table, set at the fit's size alike
        role = hs.ROLES["cell_small" if ncols > tablefit.WIDE else "cell"]
        size = fit.size
        styled = hs.ROLES[DOCX_ROLES["table"]]
        rpr = "" if hs.half_points(size) == hs.half_points(styled.size) else _size_xml(size)
        leading = role.leading * size / role.size
        spacing = "" if hs.twips(leading) == hs.twips(styled.leading) else _exact(leading)
        kept = tablefit.kept_rows(len(node.rows))

        xml = [self._table_start("grid", widths, width)]
        for r, row in enumerate(rows):
            keep = "<w:keepNext/>" if r == 0 or (r - 1) in kept else ""
            cells = [self._p_xml("table_header" if r == 0 else "table", inlines,
                                 keep + spacing + ('<w:jc w:val="right"/>' if r and numeric[c] else ""), rpr,
                                 keep_end=True, fit=_fit(inlines, widths[c], hs.half_points(size) / 2))
                     for c, inlines in enumerate(row)]
            xml.append(_row_xml(widths, cells, header=(r == 0)))
        xml.append("</w:tbl>")
        container.append(parse_xml("".join(xml)))

    def visit_figure(self, node: Figure, container: _Body) -> None:
        i, self.figures = self.figures, self.figures + 1
        height = Mm(self.figure_heights[i]) if i < len(self.figure_heights) else None
        self._picture(container, str(node.path), node.caption, height=height)
        if node.caption:  # the PDF sets photo and caption as one block: nothing below the caption
            self._para(container, "caption", (Text(node.caption),), '<w:spacing w:after="0"/>')

    def visit_keyfigures(self, node: KeyFigures, container: _Body) -> None:
        """A boxed two-row table: the values (large, bold 黑体) above their labels."""
        if not node.items:
            return
        widths = _spread(self.text_width, [1] * len(node.items))
        # The PDF's rules (keyband), measured in the PDF's fonts: values on one line at one size,
        # labels broken evenly on at most two lines (Word would leave a lone character).
        _, right, _, left = hs.KEY_BOX.padding
        avail = min(widths) / 20 - left - right - 1
        value, label = hs.ROLES["key_value"], hs.ROLES["key_label"]
        band = keyband.layout([i.value for i in node.items], [i.label for i in node.items], avail,
                              (_measure(value.font), value.size), (_measure(label.font), label.size))
        values = [self._p_xml("key_value", (Text(item.value),), *_scaled(value, band.value_scale))
                  for item in node.items]
        labels = [self._p_xml("key_label", (Text(label),), *_scaled(label, band.label_scale))
                  for label in band.labels]
        xml = (self._table_start("box", widths) + _row_xml(widths, values, header=False)
               + _row_xml(widths, labels, header=False) + "</w:tbl>")
        container.append(parse_xml(xml))

    def visit_chart(self, node: Chart, container: _Body) -> None:
        check_text(node.title + node.unit + "".join(node.categories) + "".join(s.name for s in node.series), "chart")
        png = chart_png(node, width_mm=Twips(self.text_width).mm)
        self._picture(container, io.BytesIO(png), node.title, '<w:spacing w:before="0" w:after="0"/>')
        if node.title:
            self._para(container, "caption", (Text(node.title),))

    # helpers

    def _para(self, container: _Body, key: str, inlines: Inlines, ppr: str = ""):  # type: ignore[no-untyped-def]
        """A new ``w:p`` of style ``key`` holding ``inlines``, appended to ``container``; the gap
        owed below a table goes into its space before."""
        if self.gap:
            ppr = _more_before(ppr, self.before.get(key, 0), hs.twips(self.gap))
            self.gap = 0.0
        return container.append(parse_xml(self._p_xml(key, inlines, ppr)))

    def _p_xml(self, key: str, inlines: Inlines, ppr: str = "", rpr: str = "", keep_end: bool = False,
               fit: int = 100) -> str:
        """A ``w:p`` of style ``key`` (``ppr``: more paragraph properties, in schema order after it;
        ``rpr``: run properties after bold, such as a size; ``keep_end``: its last two 汉字 joined, so
        that a table cell never ends on a line of one character; ``fit``: the character scale in % of
        its figures, < 100 when one is wider than its cell, as the PDF does)."""
        runs = []
        full = "".join(t.text for t in inlines)
        squeeze = halved_marks(full)  # across runs too: a bold lead-in's ） and the 。 after it
        keep = [(len(full) - 2, len(full))] if keep_end and _CJK_END.search(full) else []
        strong = self.strong.get(key, "")
        fonts, rpr = _split_fonts(rpr)  # w:rFonts comes first in w:rPr
        offset = 0
        for t in inlines:
            if t.text:
                check_text(t.text, PARAGRAPH_STYLES[key])
                local = [k - offset for k in squeeze if 0 <= k - offset < len(t.text)]
                ends = [(a - offset, b - offset) for a, b in keep if 0 <= a - offset and b - offset <= len(t.text)]
                for text, kind in _segments(t.text, local, ends):
                    # in the order the schema wants rPr: rFonts, noProof, w (character scale), sz, lang
                    before, after = _KIND_PROPS[kind]
                    if kind == "figure" and fit < 100:
                        before += f'<w:w w:val="{fit}"/>'
                    props = ((strong if t.bold else "") or fonts) + before + rpr + after
                    runs.append(f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{_run_content(text)}</w:r>")
            offset += len(t.text)
        return f'<w:p {_W_NS}><w:pPr><w:pStyle w:val="{self.style[key]}"/>{ppr}</w:pPr>{"".join(runs)}</w:p>'

    def _table_start(self, style: str, widths: list[int], width: int | None = None) -> str:
        """A full-width, centred, fixed-layout ``w:tbl`` up to its rows (widths in twips)."""
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        return (f'<w:tbl {_W_NS}><w:tblPr><w:tblStyle w:val="{self.style[style]}"/>'
                f'<w:tblW w:type="dxa" w:w="{width or self.text_width}"/><w:jc w:val="center"/>'
                f'<w:tblLayout w:type="fixed"/>{_TBL_LOOK}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')

    def _picture(self, container: _Body, image, alt_text: str, ppr: str = "", height: Emu | None = None) -> None:
        """The image centred in its own paragraph, fitted into text width × FIGURE_MAX_HEIGHT, or
        ``height`` high (the PDF's)."""
        p = DocxParagraph(self._para(container, "figure", (), ppr), container)
        shape = p.add_run().add_picture(image)
        if alt_text:
            shape._inline.docPr.set("descr", alt_text)  # what screen readers say: the caption
        w, h = shape.width, shape.height
        scale = min(Twips(self.text_width) / w, FIGURE_MAX_HEIGHT / h)
        if height is not None and height < h * scale:
            # the PDF shrank it to finish a page, to the point: 2 pt less leave Word and
            # LibreOffice room for their rounding (twips, EMU)
            scale = (height - Pt(2)) / h
        shape.width, shape.height = Emu(round(w * scale)), Emu(round(h * scale))


def _table_measure() -> tablefit.Measure:
    """The PDF's measure for tables (tablefit.both_files), from the PDF's 仿宋 where it is installed;
    without the PDF's fonts (a DOCX made where they are missing), from the estimate alone."""
    return tablefit.both_files(_measure("body"))


def _measure(font: str) -> tablefit.Measure:
    """How wide a text is in a font role, measured with the PDF's font (the one layout both files
    follow); without the PDF's fonts (a DOCX made where they are missing), an estimate."""
    from brief.fonts import pdf_fonts

    try:
        return pdf_fonts().metrics(font).width
    except BriefError:
        return tablefit.estimated_width


def _landscape_width(sect) -> int:  # type: ignore[no-untyped-def]
    """The text width (twips) of the body's page turned landscape: its text height."""
    if sect is None:
        return 0
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    if size is None or margins is None:
        return 0
    return int(size.get(qn("w:h"))) - int(margins.get(qn("w:top"))) - int(margins.get(qn("w:bottom")))


def _turn(sect) -> None:  # type: ignore[no-untyped-def]
    """A portrait ``w:sectPr`` made landscape: the page turned, the text block turned with it (its
    width the portrait height) and centred; the footer keeps its distance below the text."""
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    w, h = int(size.get(qn("w:w"))), int(size.get(qn("w:h")))
    width = w - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
    height = h - int(margins.get(qn("w:top"))) - int(margins.get(qn("w:bottom")))
    below = int(margins.get(qn("w:bottom"))) - int(margins.get(qn("w:footer"), "0"))
    size.set(qn("w:w"), str(h))
    size.set(qn("w:h"), str(w))
    size.set(qn("w:orient"), "landscape")
    side, top = (h - height) // 2, (w - width) // 2
    for key, value in (("left", side), ("right", h - height - side), ("top", top), ("bottom", w - width - top),
                       ("footer", max(w - width - top - below, 0))):
        margins.set(qn(f"w:{key}"), str(value))


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


_BEFORE = re.compile(r'w:before="(\d+)"')


def _more_before(ppr: str, style_before: int, extra: int) -> str:
    """``ppr`` with ``extra`` twips more space before (its own, or else the style's)."""
    if "<w:spacing " not in ppr:
        return ppr + f'<w:spacing w:before="{style_before + extra}"/>'  # nothing follows spacing here
    found = _BEFORE.search(ppr)
    if found:
        return ppr[:found.start()] + f'w:before="{int(found.group(1)) + extra}"' + ppr[found.end():]
    return ppr.replace("<w:spacing ", f'<w:spacing w:before="{style_before + extra}" ', 1)


def _size_xml(points: float) -> str:
    half = hs.half_points(points)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


# Run properties (before the size, after it) of a segment kind:
# - "mark": a full-width mark set in half an em (标点挤压), the one of two adjacent marks whose
#   blank is between them (typeset.halved_marks), at 50 % character scale: LibreOffice ignores both negative character
#   spacing on CJK marks and Word's ``characterSpacingControl`` (soffice 7.4, checked by rendering),
#   but honours the scale; the glyph is narrowed along with its blank half.
# - "figure": a figure with its unit, characters joined by WORD JOINERs. LibreOffice's Chinese line
#   breaker ignores the joiner; tagged en-US it uses ICU's rules, which honour it (zh-CN on the digits
#   and en-US on the rest breaks inside the number instead). noProof: no English spell check on 汉字.
_KIND_PROPS = {"": ("", ""), "mark": ('<w:w w:val="50"/>', ""),
               "figure": ("<w:noProof/>", '<w:lang w:val="en-US" w:eastAsia="en-US"/>')}


def _fit(inlines: Inlines, width: int, size: float) -> int:
    """The character scale (%) that fits the widest figure of a cell ``width`` twips wide into it,
    by the fonts-free estimate (digits 0.55 em), at least the PDF's MIN_HSCALE; 100 when it fits."""
    text = "".join(t.text for t in inlines)
    avail = (width - 2 * CELL_MARGIN) / 20 - 1  # pt; 1 pt for the engine's rounding
    natural = max((tablefit.estimated_width(text[a:b], size) for a, b in figure_spans(text)), default=0.0)
    if natural <= avail:
        return 100
    return max(round(MIN_HSCALE * 100), int(avail / natural * 100))


_CJK_END = re.compile("[\u4e00-\u9fff]{2}$")


def _segments(text: str, marks: list[int], keep: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """``text`` cut into (piece, kind) with kind "", "mark" or "figure" (see ``_KIND_PROPS``):
    ``marks`` the indices of marks to compress, ``keep`` spans to join besides the figures."""
    cuts = [(k, k + 1, "mark") for k in marks] + [(a, b, "figure") for a, b in figure_spans(text)]
    cuts += [(a, b, "figure") for a, b in keep if not any(a < e and s < b for s, e in figure_spans(text))]
    out: list[tuple[str, str]] = []
    pos = 0
    for start, end, kind in sorted(cuts):
        if start < pos:
            continue  # a mark is never inside a figure; this only guards against overlap
        if start > pos:
            out.append((text[pos:start], ""))
        out.append((joined(text[start:end]) if kind == "figure" else text[start:end], kind))
        pos = end
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def _exact(points: float) -> str:
    """``w:spacing``: no gaps, an exact line of ``points`` (an empty paragraph that tall)."""
    return f'<w:spacing w:before="0" w:after="0" w:line="{hs.twips(points)}" w:lineRule="exact"/>'


def _font_xml(font: str) -> str:
    """``w:rFonts`` naming a font role's East Asian font (fonts/config.py)."""
    return (f'<w:rFonts w:ascii="{DOCX_LATIN_FONT}" w:hAnsi="{DOCX_LATIN_FONT}" '
            f'w:eastAsia="{DOCX_FONTS[font]}" w:cs="{DOCX_LATIN_FONT}" w:hint="eastAsia"/>')


def _scaled(role: hs.Role, scale: float) -> tuple[str, str]:
    """(paragraph, run) properties of a role set ``scale`` times its size, leading alike, as the
    PDF does; nothing at full size (the style has it)."""
    if scale >= 1:
        return "", ""
    spacing = (f'<w:spacing w:line="{hs.twips(role.leading * scale)}" w:lineRule="exact"/>')
    return spacing, _size_xml(role.size * scale)


_FONTS = re.compile(r"^<w:rFonts [^>]*/>")


def _split_fonts(rpr: str) -> tuple[str, str]:
    """(its ``w:rFonts``, the rest) of run properties."""
    found = _FONTS.match(rpr)
    return (found.group(), rpr[found.end():]) if found else ("", rpr)


def _run_content(text: str) -> str:
    """A run's children for ``text``, as python-docx writes them: tabs and line breaks become
    ``w:tab`` and ``w:br``, the rest ``w:t`` (kept whole when it starts or ends with a space)."""
    out = []
    for piece in _SPECIAL_SPLIT.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\n", "\r"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece[0].isspace() or piece[-1].isspace() else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


def _row_xml(widths: list[int], cells: list[str], *, header: bool) -> str:
    """A row that never splits across pages (a header row repeats on each page), one ``w:p`` a cell."""
    props = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
    tcs = "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>{p}</w:tc>'
                  for w, p in zip(widths, cells, strict=True))
    return f"<w:tr><w:trPr>{props}</w:trPr>{tcs}</w:tr>"


def _spread(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    s = sum(weights)
    widths = [int(total * w / s) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


# -- watermark and properties -------------------------------------------------------------------

_VML_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
# Word's own text watermark (设计 → 水印 → 自定义水印 → 文字水印): WordArt shape type 136.
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{e}"/>'
        for e in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" '
    'xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
)


def watermark_run(text: str, font: str, shape_no: int):
    """A ``w:r`` holding a diagonal, grey, half-transparent WordArt text, centred on the page."""
    style = (
        "position:absolute;margin-left:0;margin-top:0;width:440pt;height:88pt;rotation:315;"
        "z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        "mso-position-vertical:center;mso-position-vertical-relative:margin"
    )
    text_style = quoteattr(f'font-family:"{font}";font-size:1pt')
    xml = (
        f"<w:r {_VML_NS}><w:rPr><w:noProof/></w:rPr><w:pict>{_SHAPETYPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{shape_no}" o:spid="_x0000_s{1024 + shape_no}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="silver" stroked="f">'
        f'<v:fill opacity=".5"/>'
        f"<v:textpath style={text_style} "
        f"string={quoteattr(text)}/>"
        f'<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
    )
    return parse_xml(xml)


def add_watermark(document: DocxDocument, text: str = WATERMARK_TEXT) -> None:
    """The watermark in every header in use (odd, even, and first page if distinct)."""
    n = 0
    for i, section in enumerate(document.sections):
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            if i and header.is_linked_to_previous:
                continue  # a landscape table's section shows the header it follows (watermark included)
            n += 1
            paras = header.paragraphs
            p = paras[0] if paras else header.add_paragraph()
            p._p.append(watermark_run(text, DOCX_FONTS["pagenum"], n))


def _widow_control(document: DocxDocument) -> None:
    """Word's widow and orphan control (two lines of a paragraph on each side of a page break) for
    every paragraph, in the document defaults, whatever reference.docx says."""
    ppr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr is None or ppr.find(qn("w:widowControl")) is not None:
        return
    # schema order: widowControl follows pStyle, keepNext, keepLines, pageBreakBefore, framePr
    before = {qn(f"w:{t}") for t in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr")}
    at = sum(1 for child in ppr if child.tag in before)
    ppr.insert(at, parse_xml(f"<w:widowControl {_W_NS}/>"))


def set_core_properties(document: DocxDocument, meta: Meta) -> None:
    cp = document.core_properties
    cp.title = check_text(meta.title, "meta.title")
    cp.author = check_text(meta.author, "meta.author")
    cp.subject = check_text(meta.subject, "meta.subject")
    cp.last_modified_by = cp.author
    cp.revision = 1
    cp.created = cp.modified = FIXED_DATE


# -- API ----------------------------------------------------------------------------------------


def build(doc: Document, *, reference: Path, figure_heights: Sequence[float] = ()) -> DocxDocument:
    """The python-docx document for ``doc`` (not yet saved); ``figure_heights``: each photo's height
    in mm as the PDF set it (pdf_bytes), so that both files break their pages alike."""
    template = load_template(reference)
    document = docx.Document(io.BytesIO(template.blob))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # whatever a user typed into the reference
            body.remove(child)
    _widow_control(document)
    DocxWriter(document, template, figure_heights).write(doc.blocks)
    if doc.meta.draft:
        add_watermark(document)
    set_core_properties(document, doc.meta)
    return document


def docx_bytes(doc: Document, *, reference: Path, figure_heights: Sequence[float] = ()) -> bytes:
    """The DOCX file for ``doc`` as bytes; the same document always gives the same bytes."""
    return package_bytes(build(doc, reference=reference, figure_heights=figure_heights).part.package)


def write_docx(doc: Document, path: Path, *, reference: Path) -> None:
    """Write ``doc`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    atomic_write(Path(path), docx_bytes(doc, reference=reference))
