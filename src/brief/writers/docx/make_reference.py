"""Build templates/reference.docx: the styles, page and page numbers every DOCX brief inherits.

    python -m brief.writers.docx.make_reference templates/reference.docx

The output is byte-identical from run to run, so it can be committed. Users may then restyle it
in Word; the writer needs only the style names in ``brief.writers.docx.styles``.

What it sets (chinese-typography.md §1–2):
- every style's ``w:rFonts`` names the East Asian font explicitly (fonts/config.py), with
  ``w:hint="eastAsia"`` and no ``*Theme`` attribute (a theme font wins over ``w:eastAsia`` in Word
  and made LibreOffice fall back to DejaVu for headings);
- language zh-CN for Latin and East Asian text, so clients without the named fonts pick a Chinese
  fallback (fontconfig ranks by language) rather than DejaVu;
- A4, GB/T 9704 margins, 22 lines × 28 characters (a lines grid of 28.95 pt plus −0.25 pt body
  tracking; see TRACKING), ``— N —`` page numbers (odd right, even left).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips
from lxml import etree

from brief.fonts.config import DOCX_FONTS, DOCX_LATIN_FONT
from brief.outdir import atomic_write
from brief.writers.docx._package import package_bytes
from brief.writers.docx.styles import CELL_MARGIN, PARAGRAPH_STYLES, TABLE_STYLES

# Page (twips): A4 and the GB/T 9704 版心 of 156 × 225 mm.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2098, 1984, 1587, 1474
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
HEADER_DIST = 851  # 15 mm
FOOTER_DIST = 1417  # 25 mm: puts the page-number dash about 7 mm below the 版心
LINE = 579  # 28.95 pt: 22 lines in 225 mm
# 28 characters of 16 pt in 156 mm need 15.79 pt per character. Word's character grid
# (docGrid linesAndChars, charSpace -848) does that in Word, but LibreOffice 7.4 then gives every
# 16 pt character two grid cells (14 characters a line, measured). Tracking the body by -0.25 pt
# (w:spacing -5 twentieths) gives 28 characters a line in both, on a lines-only grid.
TRACKING = -5

RED = "FF0000"  # 公文 red for the masthead and its rule
KEY_RED = "C00000"

# Names Word knows under a Latin alias, for the font table (helps substitution on other systems).
_ALT_NAMES = {
    "宋体": "SimSun",
    "黑体": "SimHei",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    "仿宋_GB2312": "FangSong_GB2312",
    "楷体_GB2312": "KaiTi_GB2312",
}

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _el(parent: etree._Element, tag: str, **attrs: str | int) -> etree._Element:
    """Append ``<w:tag w:k="v" …>`` to ``parent``; attribute names are given without prefix."""
    child = etree.SubElement(parent, qn(f"w:{tag}"))
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def rfonts(parent: etree._Element, east_asia: str) -> etree._Element:
    """The one way this project writes ``w:rFonts``: explicit East Asian font, no theme fonts."""
    return _el(
        parent,
        "rFonts",
        ascii=DOCX_LATIN_FONT,
        hAnsi=DOCX_LATIN_FONT,
        eastAsia=east_asia,
        cs=DOCX_LATIN_FONT,
        hint="eastAsia",
    )


def _rpr(
    parent: etree._Element,
    *,
    font: str,
    size: int | None = None,
    bold: bool = False,
    color: str | None = None,
    tracking: int | None = None,
) -> None:
    rpr = _el(parent, "rPr")
    rfonts(rpr, DOCX_FONTS[font])
    if bold:
        _el(rpr, "b")
        _el(rpr, "bCs")
    if color:
        _el(rpr, "color", val=color)
    if tracking is not None:
        _el(rpr, "spacing", val=tracking)
    if size:
        _el(rpr, "sz", val=size)
        _el(rpr, "szCs", val=size)


def _ppr(
    parent: etree._Element,
    *,
    keep_next: bool = False,
    border: bool = False,
    tabs: Iterable[tuple[str, int]] = (),
    grid: bool = True,
    line: int | None = None,
    exact: bool = True,
    before: int = 0,
    after: int = 0,
    indent: str | None = None,
    jc: str | None = None,
    outline: int | None = None,
) -> None:
    """Paragraph properties in schema order. ``indent``: "body" (2 characters), "none" or None
    (inherit). ``line`` None inherits; ``exact`` False means auto (240 = single)."""
    ppr = _el(parent, "pPr")
    if keep_next:
        _el(ppr, "keepNext")
        _el(ppr, "keepLines")
    if border:
        bdr = _el(ppr, "pBdr")
        _el(bdr, "bottom", val="single", sz=18, space=4, color=RED)
    if tabs:
        tabs_el = _el(ppr, "tabs")
        for kind, pos in tabs:
            _el(tabs_el, "tab", val=kind, pos=pos)
    if not grid:
        _el(ppr, "snapToGrid", val=0)
    if line is not None:
        _el(ppr, "spacing", before=before, after=after, line=line, lineRule="exact" if exact else "auto")
    if indent == "body":
        _el(ppr, "ind", firstLine=640, firstLineChars=200)
    elif indent == "none":
        _el(ppr, "ind", left=0, right=0, firstLine=0, firstLineChars=0)
    if jc:
        _el(ppr, "jc", val=jc)
    if outline is not None:
        _el(ppr, "outlineLvl", val=outline)


def _style(
    styles: etree._Element,
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = "Normal",
    next_: str | None = None,
    default: bool = False,
    hidden: bool = False,
) -> etree._Element:
    st = _el(styles, "style", type=kind, styleId=style_id)
    if default:
        st.set(qn("w:default"), "1")
    _el(st, "name", val=name)
    if based_on:
        _el(st, "basedOn", val=based_on)
    if next_:
        _el(st, "next", val=next_)
    if hidden:
        _el(st, "semiHidden")
        _el(st, "unhideWhenUsed")
    else:
        _el(st, "qFormat")
    return st


def _style_id(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split())


def _para_style(
    styles: etree._Element,
    key: str,
    *,
    font: str,
    size: int | None = None,
    bold: bool = False,
    color: str | None = None,
    based_on: str | None = "Normal",
    next_: str | None = None,
    tracking: int | None = None,
    **ppr,
) -> None:
    """A paragraph style. Off the body grid (``grid=False``) the body's tracking is undone."""
    name = PARAGRAPH_STYLES[key]
    st = _style(styles, "paragraph", _style_id(name), name, based_on=based_on, next_=next_, default=(key == "body"))
    _ppr(st, **ppr)
    if tracking is None and ppr.get("grid") is False:
        tracking = 0
    _rpr(st, font=font, size=size, bold=bold, color=color, tracking=tracking)


def _table_style(
    styles: etree._Element,
    key: str,
    *,
    outer: tuple[int, str],
    inner_h: tuple[int, str] | None,
    inner_v: tuple[int, str],
    cell_v: int,
    fill: str | None,
    header_fill: str | None,
) -> None:
    name = TABLE_STYLES[key]
    st = _style(styles, "table", _style_id(name), name, based_on="TableNormal")
    ppr = _el(st, "pPr")
    _el(ppr, "ind", left=0, right=0, firstLine=0, firstLineChars=0)
    _rpr(st, font="body")
    tblpr = _el(st, "tblPr")
    _el(tblpr, "jc", val="center")
    borders = _el(tblpr, "tblBorders")
    for side in ("top", "left", "bottom", "right"):
        _el(borders, side, val="single", sz=outer[0], space=0, color=outer[1])
    for side, spec in (("insideH", inner_h), ("insideV", inner_v)):
        if spec:
            _el(borders, side, val="single", sz=spec[0], space=0, color=spec[1])
        else:
            _el(borders, side, val="nil")
    mar = _el(tblpr, "tblCellMar")
    _el(mar, "top", w=cell_v, type="dxa")
    _el(mar, "left", w=CELL_MARGIN, type="dxa")
    _el(mar, "bottom", w=cell_v, type="dxa")
    _el(mar, "right", w=CELL_MARGIN, type="dxa")
    tcpr = _el(st, "tcPr")
    if fill:
        _el(tcpr, "shd", val="clear", color="auto", fill=fill)
    _el(tcpr, "vAlign", val="center")
    if header_fill:
        cond = _el(st, "tblStylePr", type="firstRow")
        _el(cond, "trPr")
        _el(cond.find(qn("w:trPr")), "tblHeader")
        _el(_el(cond, "tcPr"), "shd", val="clear", color="auto", fill=header_fill)


def build_styles(styles: etree._Element) -> None:
    """Replace the whole of styles.xml: docDefaults and every style this project uses."""
    for child in list(styles):
        styles.remove(child)
    defaults = _el(styles, "docDefaults")
    rpr = _el(_el(defaults, "rPrDefault"), "rPr")
    rfonts(rpr, DOCX_FONTS["body"])
    _el(rpr, "kern", val=2)
    _el(rpr, "sz", val=32)
    _el(rpr, "szCs", val=32)
    _el(rpr, "lang", val="zh-CN", eastAsia="zh-CN", bidi="ar-SA")
    ppr = _el(_el(defaults, "pPrDefault"), "pPr")
    # No extra gap between Chinese and Latin letters or digits (Word's default adds a quarter em):
    # the PDF sets 1600余名 as written, and a table's figures are measured that way (tablefit.py).
    _el(ppr, "autoSpaceDE", val=0)
    _el(ppr, "autoSpaceDN", val=0)
    _el(ppr, "spacing", before=0, after=0, line=240, lineRule="auto")

    body = {"line": LINE, "before": 0, "after": 0}
    _para_style(
        styles, "body", font="body", size=32, based_on=None, jc="both", indent="body", tracking=TRACKING, **body
    )
    _para_style(
        styles,
        "title",
        font="title",
        size=44,
        next_="Normal",
        keep_next=True,
        grid=False,
        line=720,
        after=LINE // 2,
        indent="none",
        jc="center",
    )
    _para_style(styles, "h1", font="heading", next_="Normal", keep_next=True, outline=0)
    _para_style(styles, "h2", font="kai", bold=True, next_="Normal", keep_next=True, outline=1)
    _para_style(styles, "lead", font="kai")
    _para_style(styles, "source", font="body", size=28, grid=False, line=400, indent="none", jc="left")
    _para_style(styles, "note", font="body", size=28, based_on="BriefSource")
    _para_style(styles, "center", font="body", indent="none", jc="center")
    _para_style(
        styles, "caption", font="kai", size=28, grid=False, line=400, before=60, after=60, indent="none", jc="center"
    )
    _para_style(
        styles,
        "figure",
        font="body",
        keep_next=True,
        grid=False,
        line=240,
        exact=False,
        before=120,
        indent="none",
        jc="center",
    )
    _para_style(styles, "table", font="body", size=24, grid=False, line=240, exact=False, indent="none", jc="left")
    _para_style(styles, "table_header", font="heading", size=24, based_on="BriefTable", jc="center")
    _para_style(
        styles,
        "masthead",
        font="title",
        size=72,
        color=RED,
        grid=False,
        line=240,
        exact=False,
        before=0,
        after=120,
        indent="none",
        jc="center",
    )
    _para_style(styles, "masthead_number", font="body", size=32, indent="none", jc="center", **body)
    _para_style(
        styles,
        "masthead_info",
        font="body",
        size=32,
        border=True,
        tabs=[("right", TEXT_W)],
        line=LINE,
        after=LINE,
        indent="none",
        jc="left",
    )
    _para_style(
        styles,
        "key_value",
        font="heading",
        size=36,
        bold=True,
        keep_next=True,  # the values row stays with the labels row
        color=KEY_RED,
        grid=False,
        line=240,
        exact=False,
        before=60,
        indent="none",
        jc="center",
    )
    _para_style(
        styles,
        "key_label",
        font="body",
        size=24,
        grid=False,
        line=240,
        exact=False,
        after=60,
        indent="none",
        jc="center",
    )
    _para_style(
        styles, "header", font="pagenum", size=18, grid=False, line=240, exact=False, indent="none", jc="center"
    )
    _para_style(styles, "footer", font="pagenum", size=28, grid=False, line=240, exact=False, indent="none", jc="left")

    _style(
        styles, "character", "DefaultParagraphFont", "Default Paragraph Font", based_on=None, default=True, hidden=True
    )
    table = _style(styles, "table", "TableNormal", "Normal Table", based_on=None, default=True, hidden=True)
    tblpr = _el(table, "tblPr")
    _el(tblpr, "tblInd", w=0, type="dxa")
    mar = _el(tblpr, "tblCellMar")
    for side, width in (("top", 0), ("left", 108), ("bottom", 0), ("right", 108)):
        _el(mar, side, w=width, type="dxa")
    _style(styles, "numbering", "NoList", "No List", based_on=None, default=True, hidden=True)

    _table_style(
        styles,
        "grid",
        outer=(8, "595959"),
        inner_h=(4, "A6A6A6"),
        inner_v=(4, "A6A6A6"),
        cell_v=28,
        fill=None,
        header_fill="F2F2F2",
    )
    _table_style(
        styles,
        "box",
        outer=(8, "A6A6A6"),
        inner_h=None,
        inner_v=(4, "D9D9D9"),
        cell_v=40,
        fill="F7F7F7",
        header_fill=None,
    )


def build_settings(settings: etree._Element) -> None:
    """Drop editing noise (rsids, proof state, doc id, preview picture); odd/even footers on."""
    for tag in ("w:rsids", "w:proofState", "w:savePreviewPicture", "w14:docId", "w:zoom"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    tab = settings.find(qn("w:defaultTabStop"))
    if tab is not None:
        tab.set(qn("w:val"), "420")


def build_font_table(font_table: etree._Element) -> None:
    """Declare the fonts with their GB2312 charset, so Word substitutes a Chinese font if one
    is missing (e.g. 方正小标宋简体 on a stock Windows)."""
    for child in list(font_table):
        font_table.remove(child)
    latin = _el(font_table, "font", name=DOCX_LATIN_FONT)
    _el(latin, "charset", val="00")
    _el(latin, "family", val="roman")
    _el(latin, "pitch", val="variable")
    for name in dict.fromkeys(DOCX_FONTS.values()):
        font = _el(font_table, "font", name=name)
        if name in _ALT_NAMES:
            _el(font, "altName", val=_ALT_NAMES[name])
        _el(font, "charset", val="86")
        _el(font, "family", val="modern" if name != DOCX_FONTS["pagenum"] else "auto")
        _el(font, "pitch", val="fixed" if name != DOCX_FONTS["pagenum"] else "variable")


def _page_number_paragraph(footer, *, odd: bool) -> None:
    """``— PAGE —``: odd pages flush right with 1 character (14 pt) right indent, even pages left."""
    p = footer.paragraphs[0]
    ppr = p._p.get_or_add_pPr()
    ind = "w:right" if odd else "w:left"
    ppr.append(parse_xml(f'<w:ind {nsdecls("w")} {ind}="280" w:firstLine="0" w:firstLineChars="0"/>'))
    ppr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="{"right" if odd else "left"}"/>'))
    field = (
        '<w:r><w:t xml:space="preserve">— </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:t xml:space="preserve"> —</w:t></w:r>'
    )
    for run in parse_xml(f"<w:p {nsdecls('w')}>{field}</w:p>"):
        p._p.append(run)


def setup_section(doc: docx.document.Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    section.header_distance, section.footer_distance = Twips(HEADER_DIST), Twips(FOOTER_DIST)
    section.gutter = 0
    sect_pr = section._sectPr
    for attr in list(sect_pr.attrib):  # rsids
        del sect_pr.attrib[attr]
    grid = sect_pr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(section.footer, odd=True)
    _page_number_paragraph(section.even_page_footer, odd=False)


def drop_unused_parts(doc: docx.document.Document) -> None:
    """Remove what python-docx's template carries but a brief never uses."""
    unused = {
        RT.THUMBNAIL,
        RT.CUSTOM_XML,
        RT.NUMBERING,
        RT.WEB_SETTINGS,
        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    }
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in unused]:
            del rels[rid]


_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Application>brief</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def set_properties(doc: docx.document.Document) -> None:
    cp = doc.core_properties
    cp.title = cp.subject = cp.author = cp.keywords = cp.comments = cp.category = ""
    cp.last_modified_by = ""
    cp.revision = 1
    cp.created = cp.modified = datetime(2000, 1, 1, tzinfo=UTC)
    for rel in doc.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.encode()


def build_reference() -> bytes:
    """The reference document's bytes (deterministic)."""
    doc = docx.Document()
    drop_unused_parts(doc)
    build_styles(doc.styles.element)
    build_settings(doc.settings.element)
    font_table_part = doc.part.part_related_by(RT.FONT_TABLE)
    font_table = etree.fromstring(font_table_part.blob)
    build_font_table(font_table)
    font_table_part._blob = etree.tostring(font_table, xml_declaration=True, encoding="UTF-8", standalone=True)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    setup_section(doc)
    set_properties(doc)
    return package_bytes(doc.part.package)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m brief.writers.docx.make_reference OUT.docx", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, build_reference())
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
