"""Both files are held to one house style (brief.housestyle): each role's font, size, leading,
alignment, indent and colour, measured in a built PDF (pdfplumber) and read from the DOCX
(its styles, i.e. reference.docx, and the paragraphs that use them).

Editing a value in one writer (pdf/styles.py, make_reference.py, the DOCX writer) instead of
the house style fails here: the test reads what was rendered, not the writers' constants.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from lxml import etree

from brief import housestyle as hs
from brief.fonts.config import DOCX_FONTS, DOCX_LATIN_FONT
from brief.model import (
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    Masthead,
    Meta,
    Paragraph,
    Record,
    Table,
    Text,
)
from brief.writers.docx.styles import DOCX_ROLES, JC, PARAGRAPH_STYLES
from helpers import WJ

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "src" / "brief" / "templates" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# One text per role, each unique in the document; the role's paragraph starts with it.
TEXTS = {
    "masthead_title": "房屋建设工作简报",
    "masthead_number": "第九期",
    "masthead_info": "某某县住房和城乡建设局",
    "masthead_secret": "内部",
    "heading0": "危房改造全面完成",
    "lead": "今年以来全县危房改造工作稳步推进，现将有关情况简报如下。",
    "heading1": "一、工作进展",
    "heading2": "（一）摸清底数",
    "body": "全县共排查农村住房一万余户，建立台账，逐户销号，做到应改尽改。" * 2,
    "center": "表一　危房改造完成情况",
    "cell_head": "项目名称",
    "cell": "农村危房改造",
    "cell_num": "一百二十户",
    "key_value": "三百户",
    "key_label": "完成改造",
    "source": "资料来源：县住房和城乡建设局。",
    "note": "注：数据截至年底，部分项目仍在验收之中，最终数字以验收结果为准。" * 2,
    "record": "发：各乡镇人民政府。",
}


def _document() -> Document:
    t = TEXTS
    blocks = (
        Masthead(t["masthead_title"], issuer=t["masthead_info"], date="二〇二三年", number=t["masthead_number"],
                 classification=t["masthead_secret"]),
        Heading(0, (Text(t["heading0"]),)),
        Paragraph((Text(t["lead"]),), role="lead"),
        Heading(1, (Text(t["heading1"]),)),
        Heading(2, (Text(t["heading2"]),)),
        Paragraph((Text(t["body"]),)),
        KeyFigures((KeyFigure(t["key_label"], t["key_value"]), KeyFigure("新建住房", "五十户"))),
        Table(header=((Text(t["cell_head"]),), (Text("数量"),)),
              rows=(((Text(t["cell"]),), (Text(t["cell_num"]),)),),
              caption=t["center"], numeric=(False, True)),
        Paragraph((Text(t["source"]),), role="source"),
        Paragraph((Text(t["note"]),), role="note"),
        Record((t["record"],), "某某县住房和城乡建设局", "二〇二三年十二月二十日印发", "（共印五份）"),
    )
    return Document(Meta(title="房屋建设工作简报"), blocks)


# -- the PDF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_chars() -> list[dict]:
    """Every character of the built PDF, as pdfplumber reads it."""
    from brief.fonts import pdf_fonts
    from brief.writers.pdf import pdf_bytes

    with pdfplumber.open(io.BytesIO(pdf_bytes(_document(), pdf_fonts()))) as pdf:
        return [c for page in pdf.pages for c in page.chars]


@pytest.fixture(scope="module")
def pdf_lines(pdf_chars) -> dict[str, list[dict]]:
    """Each role's first line of characters."""
    chars = pdf_chars
    text = "".join(c["text"] for c in chars)
    lines = {}
    for role, want in TEXTS.items():
        start = text.find(want[:4])
        assert start >= 0, role
        first = chars[start]
        lines[role] = [c for c in chars[start:start + len(want)] if abs(c["top"] - first["top"]) < 1]
    return lines


def _pdf_face(font_role: str) -> str:
    from reportlab.pdfbase import pdfmetrics

    from brief.fonts import pdf_fonts

    return pdfmetrics.getFont(pdf_fonts().name(font_role)).face.name.decode()


LEFT = hs.pt(hs.PAGE.left)
RIGHT = LEFT + hs.pt(hs.PAGE.text_width)


@pytest.mark.parametrize("role", sorted(TEXTS))
def test_pdf_sets_each_role_as_the_house_style_says(pdf_lines, role):
    style = hs.ROLES[role]
    line = pdf_lines[role]
    assert {c["fontname"].split("+")[-1] for c in line} == {_pdf_face(style.font)}
    assert {round(c["size"], 2) for c in line} == {style.size}
    if style.colour is not None:
        assert {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in line} == {
            (style.colour.c, style.colour.m, style.colour.y, style.colour.k)}
    if role.startswith(("cell", "key_")):
        return  # inside a table: aligned in its cell (the DOCX test reads the cell's jc)
    x0, x1 = line[0]["x0"], line[-1]["x1"]
    if style.align == "center":
        assert abs((x0 + x1) / 2 - (LEFT + RIGHT) / 2) < 1
    else:
        assert x0 == pytest.approx(LEFT + style.first_line_indent, abs=0.5)
    if style.align == "justify":  # a full first line runs to the right edge
        assert x1 == pytest.approx(RIGHT, abs=1)


def test_pdf_leading_is_the_house_leading(pdf_chars, pdf_lines):
    """Body and note lines are spaced by their role's leading (the 22-line grid for the body)."""
    chars = pdf_chars
    for role in ("body", "note"):
        first = pdf_lines[role][0]
        after = sorted({round(c["top"], 2) for c in chars if c["size"] == first["size"]
                        and first["top"] <= c["top"] < first["top"] + 2.5 * hs.ROLES[role].leading})
        assert after[1] - after[0] == pytest.approx(hs.ROLES[role].leading, abs=0.05), role


# -- the DOCX -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_parts() -> tuple[etree._Element, etree._Element, etree._Element]:
    """styles.xml, document.xml and settings.xml of a built DOCX."""
    from brief.writers.docx import docx_bytes

    blob = docx_bytes(_document(), reference=REFERENCE)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return tuple(etree.fromstring(z.read(f"word/{n}.xml")) for n in ("styles", "document", "settings"))


def _styles_by_name(styles: etree._Element) -> dict[str, etree._Element]:
    return {s.find(f"{W}name").get(f"{W}val").lower(): s for s in styles.iter(f"{W}style")}


def _val(el: etree._Element, path: str, attr: str = "val") -> str | None:
    found = el.find(path)
    return None if found is None else found.get(f"{W}{attr}")


# paragraph properties a DOCX style sets otherwise on purpose (make_reference.py says why)
OWN_SPACING = {"figure", "masthead", "masthead_info", "key_value", "key_label", "footer"}


@pytest.mark.parametrize("key", sorted(DOCX_ROLES))
def test_docx_style_is_the_house_style(docx_parts, key):
    styles = _styles_by_name(docx_parts[0])
    style = hs.ROLES[DOCX_ROLES[key]]
    st = styles[PARAGRAPH_STYLES[key].lower()]
    fonts = st.find(f"{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == DOCX_FONTS[style.font]
    latin = DOCX_FONTS[style.font] if style.font == "pagenum" else DOCX_LATIN_FONT  # page digits 宋体
    assert fonts.get(f"{W}ascii") == latin
    assert _val(st, f"{W}rPr/{W}sz") == str(hs.half_points(style.size))
    assert (st.find(f"{W}rPr/{W}b") is not None) == style.bold
    assert _val(st, f"{W}rPr/{W}color") == (style.colour.hex if style.colour else None)
    assert _val(st, f"{W}rPr/{W}spacing") == str(hs.docx_tracking(style))
    if key != "footer":  # the page number's paragraph aligns odd right, even left
        assert _val(st, f"{W}pPr/{W}jc") == JC[style.align]
    assert _val(st, f"{W}pPr/{W}ind", "firstLine") == str(hs.twips(style.first_line_indent))
    assert _val(st, f"{W}pPr/{W}ind", "firstLineChars") == str(round(style.indent * 100))
    if key not in OWN_SPACING:
        spacing = st.find(f"{W}pPr/{W}spacing")
        assert spacing.get(f"{W}line") == str(hs.twips(style.leading))
        assert spacing.get(f"{W}lineRule") == "exact"
        assert spacing.get(f"{W}before") == str(hs.twips(style.before))
        assert spacing.get(f"{W}after") == str(hs.twips(style.after))
    assert (st.find(f"{W}pPr/{W}snapToGrid") is None) == style.on_grid


def _text(p: etree._Element) -> str:
    """A paragraph's text without the WORD JOINERs that keep figures and a cell's last two 汉字 together."""
    return "".join(p.itertext()).replace(WJ, "")


def test_docx_paragraphs_use_their_roles_styles(docx_parts):
    """Each role's text sits in a paragraph of the style that carries that role (a table's title
    in the table-title style, cells in the cell styles, right-aligned figures)."""
    styles, document, _ = docx_parts
    ids = {s.get(f"{W}styleId"): s.find(f"{W}name").get(f"{W}val").lower() for s in styles.iter(f"{W}style")}
    by_role = {v: k for k, v in DOCX_ROLES.items()}
    for role, text in TEXTS.items():
        p = next(p for p in document.iter(f"{W}p") if _text(p).startswith(text[:4]))
        name = ids[_val(p, f"{W}pPr/{W}pStyle")]
        if role in ("masthead_secret", "record", "cell_num"):
            continue  # no style of their own: checked below
        assert name == PARAGRAPH_STYLES[by_role[role]].lower(), role
    num = next(p for p in document.iter(f"{W}p") if _text(p) == TEXTS["cell_num"])
    assert _val(num, f"{W}pPr/{W}jc") == JC[hs.ROLES["cell_num"].align]


def test_docx_bold_lead_in_is_the_pdf_s_font(docx_parts):
    """``**一是**`` in a 仿宋 paragraph: 黑体 in both files (the PDF has no bold 仿宋)."""
    from brief.writers.docx import docx_bytes

    doc = Document(Meta(title="x"), (Paragraph((Text("一是", bold=True), Text("稳步推进。"))),))
    with zipfile.ZipFile(io.BytesIO(docx_bytes(doc, reference=REFERENCE))) as z:
        document = etree.fromstring(z.read("word/document.xml"))
    run = next(r for r in document.iter(f"{W}r") if "".join(r.itertext()) == "一是")
    assert _val(run, f"{W}rPr/{W}rFonts", "eastAsia") == DOCX_FONTS[hs.STRONG_FONT["body"]]
    assert run.find(f"{W}rPr/{W}b") is None


def test_docx_table_rules_and_padding(docx_parts):
    styles = _styles_by_name(docx_parts[0])
    for name, look in (("brief grid", hs.GRID), ("brief box", hs.KEY_BOX)):
        tbl = styles[name].find(f"{W}tblPr")
        assert _val(tbl, f"{W}tblBorders/{W}top", "sz") == str(hs.eighths(look.rule))
        assert _val(tbl, f"{W}tblBorders/{W}top", "color") == look.rule_colour.hex
        assert _val(tbl, f"{W}tblBorders/{W}insideV", "sz") == str(hs.eighths(look.separator or look.rule))
        assert _val(tbl, f"{W}tblCellMar/{W}left", "w") == str(hs.twips(look.padding[3]))
        assert _val(tbl, f"{W}tblCellMar/{W}right", "w") == str(hs.twips(look.padding[1]))
    grid = styles["brief grid"]
    assert _val(grid, f"{W}tblStylePr/{W}tcPr/{W}shd", "fill") == hs.HEADER_FILL


def test_docx_page_is_the_house_page(docx_parts):
    document = docx_parts[1]
    sect = document.find(f"{W}body/{W}sectPr")
    page = hs.PAGE
    assert _val(sect, f"{W}pgSz", "w") == str(hs.mm_twips(page.width))
    assert _val(sect, f"{W}pgSz", "h") == str(hs.mm_twips(page.height))
    for side, mm in (("top", page.top), ("bottom", page.bottom), ("left", page.left), ("right", page.right)):
        assert _val(sect, f"{W}pgMar", side) == str(hs.mm_twips(mm)), side
    assert _val(sect, f"{W}docGrid", "linePitch") == str(hs.twips(hs.LEADING))


def test_docx_table_columns_are_the_pdf_s(docx_parts):
    """One rule (tablefit.fit, padded by the house padding) for both files; the DOCX's in twips,
    fixed layout, as wide as the text."""
    from brief.fonts import pdf_fonts
    from brief.writers import tablefit

    document = docx_parts[1]
    tbl = next(t for t in document.iter(f"{W}tbl") if t.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "BriefGrid")
    widths = [int(g.get(f"{W}w")) for g in tbl.iter(f"{W}gridCol")]
    table = next(b for b in _document().blocks if isinstance(b, Table))
    padding = hs.GRID.padding[1] + hs.GRID.padding[3]
    pdf = tablefit.fit(table, hs.pt(hs.PAGE.text_width), padding,
                       tablefit.both_files(pdf_fonts().metrics("body").width)).widths
    assert [w / 20 for w in widths] == pytest.approx(pdf, abs=0.1)
    assert sum(widths) == int(_val(tbl, f"{W}tblPr/{W}tblW", "w"))  # the columns fill the table exactly
    assert _val(tbl, f"{W}tblPr/{W}tblLayout", "type") == "fixed"


def test_one_red(pdf_lines, docx_parts):
    """The PDF's CMYK red and the DOCX's RGB are one colour: the masthead in both."""
    assert hs.RED.hex == "FF3333"
    styles = _styles_by_name(docx_parts[0])
    assert _val(styles["brief masthead"], f"{W}rPr/{W}color") == hs.RED.hex
    assert {tuple(c["non_stroking_color"]) for c in pdf_lines["masthead_title"]} == {(0, 0.8, 0.8, 0)}
