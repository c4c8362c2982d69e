"""Build templates/reference.docx: the styles, page and page numbers every DOCX brief inherits.

    python -m brief.writers.docx.make_reference templates/reference.docx

The output is byte-identical from run to run, so it can be committed. Users may then restyle it
in Word; the writer needs only the style names in ``brief.writers.docx.styles``.

Every size, leading, indent, alignment, colour, rule and margin comes from ``brief.housestyle``
(the table the PDF's styles are derived from too); ``styles.DOCX_ROLES`` says which house role
each Word style carries. What it sets (chinese-typography.md §1–2):
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

from brief import housestyle as hs
from brief.fonts.config import DOCX_FONTS, DOCX_LATIN_FONT
from brief.outdir import atomic_write
from brief.writers.docx._package import package_bytes
from brief.writers.docx.styles import DOCX_ROLES, JC, PARAGRAPH_STYLES, TABLE_STYLES

# Page (twips), from brief.housestyle: A4 and the GB/T 9704 版心 of 156 × 225 mm.
PAGE_W, PAGE_H = hs.mm_twips(hs.PAGE.width), hs.mm_twips(hs.PAGE.height)
MARGIN_TOP, MARGIN_BOTTOM = hs.mm_twips(hs.PAGE.top), hs.mm_twips(hs.PAGE.bottom)
MARGIN_LEFT, MARGIN_RIGHT = hs.mm_twips(hs.PAGE.left), hs.mm_twips(hs.PAGE.right)
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
HEADER_DIST = hs.mm_twips(hs.PAGE.header)
FOOTER_DIST = hs.mm_twips(hs.PAGE.footer)  # puts the page-number dash about 7 mm below the 版心
LINE = hs.twips(hs.LEADING)  # 28.95 pt: 22 lines in 225 mm
# 28 characters of 16 pt in 156 mm need 15.79 pt per character. Word's character grid
# (docGrid linesAndChars, charSpace -848) does that in Word, but LibreOffice 7.4 then gives every
# 16 pt character two grid cells (14 characters a line, measured). Tracking the body by -0.25 pt
# (the house tracking rounded down to whole twips) gives 28 characters a line in both, on a
# lines-only grid.
TRACKING = hs.docx_tracking(hs.BODY)

RED = hs.RED.hex  # 公文 red for the masthead, its rule and the key figures

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


def rfonts(parent: etree._Element, east_asia: str, latin: str = DOCX_LATIN_FONT) -> etree._Element:
    """The one way this project writes ``w:rFonts``: explicit East Asian font, no theme fonts."""
    return _el(
        parent,
        "rFonts",
        ascii=latin,
        hAnsi=latin,
        eastAsia=east_asia,
        cs=latin,
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
    # the page number's digits are 宋体 as in the PDF, not Times New Roman
    rfonts(rpr, DOCX_FONTS[font], DOCX_FONTS[font] if font == "pagenum" else DOCX_LATIN_FONT)
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
    border: tuple[int, int] | None = None,
    tabs: Iterable[tuple[str, int]] = (),
    grid: bool = True,
    line: int | None = None,
    exact: bool = True,
    before: int = 0,
    after: int = 0,
    indent: tuple[int, int] | None = None,
    jc: str | None = None,
    outline: int | None = None,
) -> None:
    """Paragraph properties in schema order. ``border``: a red rule below (width in eighths, space
    in pt); ``indent``: first line (twips, hundredths of a character). ``line`` None inherits;
    ``exact`` False means auto (240 = single)."""
    ppr = _el(parent, "pPr")
    if keep_next:
        _el(ppr, "keepNext")
        _el(ppr, "keepLines")
    if border:
        bdr = _el(ppr, "pBdr")
        _el(bdr, "bottom", val="single", sz=border[0], space=border[1], color=RED)
    if tabs:
        tabs_el = _el(ppr, "tabs")
        for kind, pos in tabs:
            _el(tabs_el, "tab", val=kind, pos=pos)
    if not grid:
        _el(ppr, "snapToGrid", val=0)
    if line is not None:
        _el(ppr, "spacing", before=before, after=after, line=line, lineRule="exact" if exact else "auto")
    if indent is not None:
        _el(ppr, "ind", left=0, right=0, firstLine=indent[0], firstLineChars=indent[1])
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


def _role_style(styles: etree._Element, key: str, *, based_on: str | None = "Normal", next_: str | None = None,
                exact: bool = True, **ppr) -> None:
    """The paragraph style ``key`` (styles.py) as its house-style role sets it: font, size, colour,
    tracking, exact leading (on the body's line grid when it is the body's), spacing, indent and
    alignment. ``ppr`` adds or overrides paragraph properties."""
    role = hs.ROLES[DOCX_ROLES[key]]
    props = {
        "grid": role.on_grid,
        "line": hs.twips(role.leading) if exact else 240,
        "exact": exact,
        "before": hs.twips(role.before),
        "after": hs.twips(role.after),
        "indent": (hs.twips(role.first_line_indent), round(role.indent * 100)),
        "jc": JC[role.align],
    } | ppr
    _para_style(
        styles,
        key,
        font=role.font,
        size=hs.half_points(role.size),
        bold=role.bold,
        color=role.colour.hex if role.colour else None,
        based_on=based_on,
        next_=next_,
        tracking=hs.docx_tracking(role),
        **props,
    )


def _table_style(styles: etree._Element, key: str, look: hs.TableLook, *, inner_h: bool,
                 header_fill: str | None) -> None:
    """A table style from a house table look: its rules (outer, and between rows when ``inner_h``,
    between columns) and cell padding."""
    name = TABLE_STYLES[key]
    st = _style(styles, "table", _style_id(name), name, based_on="TableNormal")
    ppr = _el(st, "pPr")
    _el(ppr, "ind", left=0, right=0, firstLine=0, firstLineChars=0)
    _rpr(st, font="body")
    tblpr = _el(st, "tblPr")
    _el(tblpr, "jc", val="center")
    borders = _el(tblpr, "tblBorders")
    colour = look.rule_colour.hex
    outer, inner = hs.eighths(look.rule), hs.eighths(look.separator or look.rule)
    for side in ("top", "left", "bottom", "right"):
        _el(borders, side, val="single", sz=outer, space=0, color=colour)
    if inner_h:
        _el(borders, "insideH", val="single", sz=inner, space=0, color=colour)
    else:
        _el(borders, "insideH", val="nil")
    _el(borders, "insideV", val="single", sz=inner, space=0, color=colour)
    # the key band's values and labels carry its vertical padding as paragraph spacing (one row each);
    # LibreOffice counts a row's rule into its height (half above, half below), the PDF draws it over
    # the padding: the padding gives way by as much
    top, right, bottom, left = (hs.twips(v) for v in look.padding)
    top, bottom = top - hs.twips(look.rule / 2), bottom - hs.twips(look.rule / 2)
    mar = _el(tblpr, "tblCellMar")
    _el(mar, "top", w=top if inner_h else 0, type="dxa")
    _el(mar, "left", w=left, type="dxa")
    _el(mar, "bottom", w=bottom if inner_h else 0, type="dxa")
    _el(mar, "right", w=right, type="dxa")
    tcpr = _el(st, "tcPr")
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

    _role_style(styles, "body", based_on=None)
    _role_style(styles, "title", next_="Normal", keep_next=True)
    _role_style(styles, "h1", next_="Normal", keep_next=True, outline=0)
    _role_style(styles, "h2", next_="Normal", keep_next=True, outline=1)
    for key in ("lead", "source", "note", "center", "caption", "masthead_number", "table", "table_header"):
        _role_style(styles, key)
    # a photo or chart: the picture sets its line's height; the gap to its caption follows it
    _role_style(styles, "figure", keep_next=True, exact=False, before=hs.twips(hs.FIGURE_BEFORE),
                after=hs.twips(hs.FIGURE_GAP))
    _role_style(styles, "masthead")
    # issuer and date on one line, above the red rule: the gap and padding above it, the rule below
    _role_style(
        styles,
        "masthead_info",
        border=(hs.eighths(hs.MASTHEAD_RULE), round(hs.MASTHEAD_INFO_PAD + hs.MASTHEAD_RULE_BEFORE)),
        tabs=[("right", TEXT_W)],
        before=hs.twips(hs.MASTHEAD_GAP + hs.MASTHEAD_INFO_PAD),
        after=hs.twips(hs.MASTHEAD_RULE_AFTER),
    )
    # the band's padding as the values' space before and the labels' space after, less the frame's
    # rule (LibreOffice adds a cell's borders to its height; the PDF draws them over the padding)
    box_top, _, box_bottom, _ = hs.KEY_BOX.padding
    frame = hs.KEY_BOX.rule
    _role_style(styles, "key_value", keep_next=True, before=hs.twips(box_top - frame))  # values stay with labels
    _role_style(styles, "key_label", after=hs.twips(box_bottom - frame))
    _para_style(  # the header holds only the draft watermark
        styles, "header", font="pagenum", size=18, grid=False, line=240, exact=False, indent=(0, 0), jc="center"
    )
    _role_style(styles, "footer", exact=False)

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

    _table_style(styles, "grid", hs.GRID, inner_h=True, header_fill=hs.HEADER_FILL)
    _table_style(styles, "box", hs.KEY_BOX, inner_h=False, header_fill=None)


def build_settings(settings: etree._Element) -> None:
    """Drop editing noise (rsids, proof state, doc id, preview picture); odd/even footers on."""
    for tag in ("w:rsids", "w:proofState", "w:savePreviewPicture", "w14:docId", "w:zoom"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    # punctuation set at half width where it meets other punctuation (标点挤压), as the PDF sets it:
    # Word and LibreOffice then fit the PDF's characters on a line
    spacing = settings.find(qn("w:characterSpacingControl"))
    if spacing is not None:
        spacing.set(qn("w:val"), "compressPunctuation")
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
    one_char = hs.twips(hs.ROLES["pagenum"].size)
    ppr.append(parse_xml(f'<w:ind {nsdecls("w")} {ind}="{one_char}" w:firstLine="0" w:firstLineChars="0"/>'))
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
