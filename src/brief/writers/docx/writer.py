"""The DOCX writer: one visit method per node type, each appending to a python-docx container.

Looks live in templates/reference.docx (see make_reference.py); this module only names styles
(brief.writers.docx.styles). Style ids are resolved once per template, never looked up by name
per paragraph: python-docx's lookup by name was two-thirds of a naive writer's time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import docx
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Twips
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun
from lxml.etree import SubElement

from brief.errors import BriefError
from brief.fonts.config import DOCX_FONTS
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
    Table,
    Text,
)
from brief.outdir import atomic_write
from brief.writers.base import Visitor
from brief.writers.docx._package import normalize_zip
from brief.writers.docx.chart_png import chart_png
from brief.writers.docx.styles import PARAGRAPH_STYLES, ROLE_STYLES, TABLE_STYLES

WATERMARK_TEXT = "征求意见稿"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # core properties: no build time in the file
FIGURE_MAX_HEIGHT = Mm(90)
HEADING_STYLES = {0: "title", 1: "h1", 2: "h2"}

_PPR, _PSTYLE, _R, _RPR, _B, _T, _JC = (qn(t) for t in ("w:pPr", "w:pStyle", "w:r", "w:rPr", "w:b", "w:t", "w:jc"))
_VAL, _W = qn("w:val"), qn("w:w")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SPECIAL = re.compile("[\t\n\r]")

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
            raise BriefError.at(
                str(path),
                None,
                "styles",
                "reference document lacks "
                + ", ".join(missing)
                + " (regenerate: python -m brief.writers.docx.make_reference)",
            )
        section = doc.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin
        return cls(blob, ids, Emu(width).twips)


_TEMPLATES: dict[tuple[str, int, int], Template] = {}


def load_template(path: Path) -> Template:
    """The cached Template for ``path``; re-read when the file changes (mtime or size)."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    tpl = _TEMPLATES.get(key)
    if tpl is None:
        tpl = _TEMPLATES[key] = Template.read(path)
    return tpl


# -- the visitor --------------------------------------------------------------------------------


class DocxWriter(Visitor):
    """Walks a brief's blocks into a python-docx document made from the template."""

    def __init__(self, document: DocxDocument, template: Template):
        self.document = document
        self.style = template.style_ids
        self.text_width = template.text_width  # twips
        self.body = BlockItemContainer(document.element.body, document)

    # dispatch

    def write(self, blocks: Iterable[object]) -> None:
        prev: object = None
        for block in blocks:
            if _is_table_like(prev) and _starts_with_table(block):
                self._para(self.body, "table", ())  # Word would merge two adjacent tables
            self.visit(block, self.body)
            prev = block

    # blocks

    def visit_masthead(self, node: Masthead, container: BlockItemContainer) -> None:
        self._para(container, "masthead", (Text(node.title),))
        if node.number:
            self._para(container, "masthead_number", (Text(node.number),))
        # issuer flush left, date on the style's right tab stop; the red rule is the style's border
        self._para(container, "masthead_info", (Text(node.issuer), Text("\t"), Text(node.date)))

    def visit_heading(self, node: Heading, container: BlockItemContainer) -> None:
        key = HEADING_STYLES.get(node.level)
        if key is None:
            raise ValueError(f"heading level must be 0, 1 or 2, got {node.level}")
        self._para(container, key, node.inlines)

    def visit_paragraph(self, node: Paragraph, container: BlockItemContainer) -> None:
        key = ROLE_STYLES.get(node.role)
        if key is None:
            raise ValueError(f"paragraph role must be one of {', '.join(ROLE_STYLES)}, got {node.role!r}")
        self._para(container, key, node.inlines)

    def visit_table(self, node: Table, container: BlockItemContainer) -> None:
        if node.caption:
            cap = self._para(container, "caption", (Text(node.caption),))
            cap.paragraph_format.keep_with_next = True
        rows = (node.header, *node.rows)
        ncols = len(node.header)
        for i, row in enumerate(node.rows):
            if len(row) != ncols:
                raise ValueError(f"table {node.caption!r}: row {i + 1} has {len(row)} cells, header has {ncols}")
        table = self._table(container, len(rows), "grid", _column_widths(rows, self.text_width))
        numeric = tuple(node.numeric) + (False,) * (ncols - len(node.numeric))
        for r, (tr, row) in enumerate(zip(table._tbl.tr_lst, rows, strict=True)):
            _row_props(tr, header=(r == 0))
            for c, (tc, inlines) in enumerate(zip(tr.tc_lst, row, strict=True)):
                p = self._cell_para(tc, table, "table_header" if r == 0 else "table", inlines)
                if r and numeric[c]:
                    SubElement(p._p.pPr, _JC).set(_VAL, "right")  # pPr holds only pStyle

    def visit_figure(self, node: Figure, container: BlockItemContainer) -> None:
        self._picture(container, str(node.path), node.caption)
        if node.caption:
            self._para(container, "caption", (Text(node.caption),))

    def visit_keyfigures(self, node: KeyFigures, container: BlockItemContainer) -> None:
        """A boxed two-row table: the values (large, bold 黑体) above their labels."""
        if not node.items:
            return
        table = self._table(container, 2, "box", _spread(self.text_width, [1] * len(node.items)))
        values, labels = table._tbl.tr_lst
        _row_props(values, header=False)
        _row_props(labels, header=False)
        for tc_value, tc_label, item in zip(values.tc_lst, labels.tc_lst, node.items, strict=True):
            self._cell_para(tc_value, table, "key_value", (Text(item.value),))
            self._cell_para(tc_label, table, "key_label", (Text(item.label),))

    def visit_chart(self, node: Chart, container: BlockItemContainer) -> None:
        check_text(node.title + node.unit + "".join(node.categories) + "".join(s.name for s in node.series), "chart")
        png = chart_png(node, width_mm=Twips(self.text_width).mm)
        self._picture(container, io.BytesIO(png), node.title)
        if node.title:
            self._para(container, "caption", (Text(node.title),))

    # helpers

    def _para(self, container: BlockItemContainer, key: str, inlines: Inlines) -> DocxParagraph:
        p = container.add_paragraph()
        self._style_runs(p, key, inlines)
        return p

    def _style_runs(self, p: DocxParagraph, key: str, inlines: Inlines) -> None:
        """Style and runs of a fresh, empty paragraph, built with lxml directly: going through
        python-docx's schema-ordered insertion cost most of the writer's time."""
        p_el = p._p
        SubElement(SubElement(p_el, _PPR), _PSTYLE).set(_VAL, self.style[key])
        for t in inlines:
            text = t.text
            if not text:
                continue
            check_text(text, PARAGRAPH_STYLES[key])
            r = SubElement(p_el, _R)
            if t.bold:
                SubElement(SubElement(r, _RPR), _B)
            if _SPECIAL.search(text):  # tabs and line breaks: let python-docx map them
                DocxRun(r, p).text = text
            else:
                t_el = SubElement(r, _T)
                t_el.text = text
                if text[0].isspace() or text[-1].isspace():
                    t_el.set(_XML_SPACE, "preserve")

    def _cell_para(self, tc, table: DocxTable, key: str, inlines: Inlines) -> DocxParagraph:
        p = DocxParagraph(tc.p_lst[0], table)
        self._style_runs(p, key, inlines)
        return p

    def _table(self, container: BlockItemContainer, nrows: int, style: str, widths: list[int]) -> DocxTable:
        """A full-width, fixed-layout table of ``len(widths)`` columns (widths in twips)."""
        table = container.add_table(nrows, len(widths), Twips(self.text_width))
        tbl = table._tbl
        tbl.tblStyle_val = self.style[style]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # fixed layout: the widths below are what every client shows
        tbl_w = tbl.tblPr.find(qn("w:tblW"))
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(self.text_width))
        for grid_col, w in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = Twips(w)
        for tr in tbl.tr_lst:
            for tc, w in zip(tr.tc_lst, widths, strict=True):
                tc.tcPr.tcW.set(_W, str(w))  # python-docx made it: <w:tcW w:type="dxa" …/>
        return table

    def _picture(self, container: BlockItemContainer, image, alt_text: str) -> None:
        """The image centred in its own paragraph, fitted into text width × FIGURE_MAX_HEIGHT."""
        p = self._para(container, "figure", ())
        shape = p.add_run().add_picture(image)
        if alt_text:
            shape._inline.docPr.set("descr", alt_text)  # what screen readers say: the caption
        w, h = shape.width, shape.height
        scale = min(Twips(self.text_width) / w, FIGURE_MAX_HEIGHT / h)
        shape.width, shape.height = Emu(round(w * scale)), Emu(round(h * scale))


def _is_table_like(block: object) -> bool:
    return isinstance(block, Table | KeyFigures)


def _starts_with_table(block: object) -> bool:
    return isinstance(block, KeyFigures) or (isinstance(block, Table) and not block.caption)


def _row_props(tr, *, header: bool) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _display_width(text: str) -> float:
    """Width in 汉字 of ``text``: ASCII (digits, Latin) counts half."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _spread(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    s = sum(weights)
    widths = [int(total * w / s) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


def _column_widths(rows, total: int) -> list[int]:
    """Column widths (twips) in proportion to each column's longest cell, within 3–14 字."""
    ncols = len(rows[0])
    weights = [3.0] * ncols
    for row in rows:
        for i, cell in enumerate(row):
            weights[i] = max(weights[i], min(14.0, _display_width("".join(t.text for t in cell))))
    return _spread(total, [w + 1 for w in weights])


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
    for section in document.sections:
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            n += 1
            paras = header.paragraphs
            p = paras[0] if paras else header.add_paragraph()
            p._p.append(watermark_run(text, DOCX_FONTS["pagenum"], n))


def set_core_properties(document: DocxDocument, meta: Meta) -> None:
    cp = document.core_properties
    cp.title = check_text(meta.title, "meta.title")
    cp.author = check_text(meta.author, "meta.author")
    cp.subject = check_text(meta.subject, "meta.subject")
    cp.last_modified_by = cp.author
    cp.revision = 1
    cp.created = cp.modified = FIXED_DATE


# -- API ----------------------------------------------------------------------------------------


def build(doc: Document, *, reference: Path) -> DocxDocument:
    """The python-docx document for ``doc`` (not yet saved)."""
    template = load_template(reference)
    document = docx.Document(io.BytesIO(template.blob))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # whatever a user typed into the reference
            body.remove(child)
    DocxWriter(document, template).write(doc.blocks)
    if doc.meta.draft:
        add_watermark(document)
    set_core_properties(document, doc.meta)
    return document


def docx_bytes(doc: Document, *, reference: Path) -> bytes:
    """The DOCX file for ``doc`` as bytes; the same document always gives the same bytes."""
    buf = io.BytesIO()
    build(doc, reference=reference).save(buf)
    return normalize_zip(buf.getvalue())


def write_docx(doc: Document, path: Path, *, reference: Path) -> None:
    """Write ``doc`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    atomic_write(Path(path), docx_bytes(doc, reference=reference))
