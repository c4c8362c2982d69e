"""The DOCX writer: content and order, fonts in styles, page setup, watermark, determinism,
package structure, and what LibreOffice (a real client) makes of the file."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree
from PIL import Image

from brief.errors import BriefError
from brief.fonts.config import DOCX_FONTS
from brief.model import (
    BLOCK_TYPES,
    Chart,
    Document,
    Figure,
    Heading,
    KeyFigure,
    KeyFigures,
    Masthead,
    Meta,
    Paragraph,
    Series,
    Table,
    Text,
    plain,
)
from brief.outdir import atomic_write
from brief.writers.docx import DocxWriter, docx_bytes
from brief.writers.docx.chart_png import chart_png
from brief.writers.docx.make_reference import build_reference
from helpers import cjk_in_latin_fonts

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "templates" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"

TITLE = "戈壁滩上绽放红玫瑰"
BODY = (
    "今年以来，县委县政府坚持把东西部协作作为重大政治任务，聚焦产业合作、劳务协作、消费帮扶等重点领域，"
    "累计投入帮扶资金747.6万元，实施项目32个，带动脱贫人口2.12万人次增收。"
)


def T(text: str, bold: bool = False) -> Text:
    return Text(text, bold)


def make_document(photo: Path, *, draft: bool = True) -> Document:
    """Every node type; Chinese text and digits only (no Latin letters), so LibreOffice has no
    reason to use a Latin fallback font."""
    rows = tuple(
        ((T(f"劳务协作培训第{i}批"),), (T("人次"),), (T(f"{1600 + i}余人次"),), (T("61.36%"),)) for i in range(1, 31)
    )
    rows += (((T("消费帮扶"),), (T("万人次"),), (T("2.12万人次"),), (T("0.8个百分点"),)),)
    blocks = (
        Masthead("东西部协作工作简报", issuer="某某县乡村振兴局", date="2024年6月1日", number="第1期"),
        Heading(0, (T(TITLE),)),
        Paragraph((T("2024年5月，某某县组织开展对口协作工作调研，现将有关情况简报如下。"),), role="lead"),
        Heading(1, (T("一、主要做法"),)),
        Heading(2, (T("（一）强化组织领导"),)),
        Paragraph((T("戈壁滩上绽放红玫瑰。", bold=True), T(BODY))),
        KeyFigures(
            (
                KeyFigure("帮扶资金", "747.6万元"),
                KeyFigure("实施项目", "32个"),
                KeyFigure("带动增收", "2.12万人次"),
                KeyFigure("培训", "1600余人次"),
            )
        ),
        Paragraph((T(BODY),)),
        Table(
            header=((T("项目"),), (T("单位"),), (T("数量"),), (T("同比"),)),
            rows=rows,
            caption="表1　2024年1—5月协作项目完成情况",
            numeric=(False, False, True, True),
        ),
        Paragraph((T("资料来源：县乡村振兴局。"),), role="source"),
        Figure(photo, caption="图1　某某镇玫瑰种植基地"),
        Chart(
            "图2　各乡镇帮扶资金",
            categories=("城关镇", "红星乡", "戈壁镇"),
            series=(Series("2023年", (120.5, 98, 210)), Series("2024年", (150, 130.4, 250.8))),
            unit="万元",
        ),
        Heading(1, (T("二、下一步工作"),)),
        *(Paragraph((T(BODY),)) for _ in range(6)),
        Paragraph((T("注：数据截至2024年5月31日。"),), role="note"),
        Paragraph((T("（完）"),), role="center"),
    )
    meta = Meta(title="东西部协作工作简报第1期", author="某某县乡村振兴局", draft=draft, subject="简报")
    return Document(meta, blocks)


EXPECTED_PARAGRAPHS = [
    "东西部协作工作简报",
    "第1期",
    "某某县乡村振兴局\t2024年6月1日",
    TITLE,
    "2024年5月，某某县组织开展对口协作工作调研，现将有关情况简报如下。",
    "一、主要做法",
    "（一）强化组织领导",
    "戈壁滩上绽放红玫瑰。" + BODY,
    BODY,
    "表1　2024年1—5月协作项目完成情况",
    "资料来源：县乡村振兴局。",
    "",  # the photo
    "图1　某某镇玫瑰种植基地",
    "",  # the chart
    "图2　各乡镇帮扶资金",
    "二、下一步工作",
    *[BODY] * 6,
    "注：数据截至2024年5月31日。",
    "（完）",
]


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("img") / "玫瑰基地.jpg"
    im = Image.new("RGB", (640, 427), (70, 130, 90))
    for x in range(0, 640, 40):
        for y in range(427):
            im.putpixel((x, y), (200, 60, 40))
    im.save(path, quality=85)
    return path


@pytest.fixture(scope="module")
def written(photo, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "简报.docx"
    path.write_bytes(docx_bytes(make_document(photo), reference=REFERENCE))
    return path


@pytest.fixture(scope="module")
def parts(written) -> dict[str, bytes]:
    with zipfile.ZipFile(written) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml(parts: dict[str, bytes], name: str) -> etree._Element:
    return etree.fromstring(parts[name])


# -- content ------------------------------------------------------------------------------------


def test_paragraph_texts_in_order(written, photo):
    document = docx.Document(str(written))
    texts = [p.text for p in document.paragraphs]
    assert texts == ["征求意见稿", *EXPECTED_PARAGRAPHS]  # a draft: its mark above the 版心 of page 1
    it = iter(texts)  # what both writers must show, in order
    wanted = [plain(b.inlines) for b in make_document(photo).blocks if isinstance(b, Heading | Paragraph)]
    assert all(any(t == want for t in it) for want in wanted)


def test_paragraph_styles(written):
    document = docx.Document(str(written))
    styles = [p.style.name for p in document.paragraphs][1:]  # after a draft's 征求意见稿
    assert styles[:9] == [
        "Brief Masthead",
        "Brief Masthead Number",
        "Brief Masthead Info",
        "Brief Title",
        "Brief Lead",
        "Heading 1",
        "Heading 2",
        "Normal",
        "Normal",
    ]
    assert styles[9:15] == [
        "Brief Center",  # the table's title, in the PDF's 黑体 table-title role
        "Brief Source",
        "Brief Figure",
        "Brief Caption",
        "Brief Figure",
        "Brief Caption",
    ]
    assert styles[-2:] == ["Brief Note", "Brief Center"]
    lead_in = document.paragraphs[8].runs  # the 8th after the draft mark
    # a bold lead-in in 仿宋 is set in 黑体, as in the PDF (brief.housestyle.STRONG_FONT), not emboldened
    assert lead_in[0].text == "戈壁滩上绽放红玫瑰。"
    assert lead_in[0]._r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "黑体"
    assert not lead_in[0].bold and not lead_in[1].bold
    assert lead_in[1]._r.find(f"{W}rPr") is None


def test_table(written):
    document = docx.Document(str(written))
    key, table = document.tables
    assert [c.text for c in key.rows[0].cells] == ["747.6万元", "32个", "2.12万人次", "1600余人次"]
    assert [c.text for c in key.rows[1].cells] == ["帮扶资金", "实施项目", "带动增收", "培训"]
    assert {c.paragraphs[0].style.name for c in key.rows[0].cells} == {"Brief Key Figures"}
    assert {c.paragraphs[0].style.name for c in key.rows[1].cells} == {"Brief Key Figures Label"}
    assert [c.text for c in table.rows[0].cells] == ["项目", "单位", "数量", "同比"]
    assert [c.text for c in table.rows[1].cells] == ["劳务协作培训第1批", "人次", "1601余人次", "61.36%"]
    assert [c.text for c in table.rows[-1].cells] == ["消费帮扶", "万人次", "2.12万人次", "0.8个百分点"]
    tbl = table._tbl
    assert tbl.tr_lst[0].find(f"{W}trPr/{W}tblHeader") is not None  # header repeats on each page
    assert tbl.tr_lst[1].find(f"{W}trPr/{W}tblHeader") is None
    row = table.rows[1].cells
    assert [c.paragraphs[0].style.name for c in row] == ["Brief Table"] * 4
    assert [c.paragraphs[0].alignment for c in row][2:] == [2, 2]  # RIGHT for numeric columns
    assert row[0].paragraphs[0].alignment is None
    widths = [int(g.get(f"{W}w")) for g in tbl.tblGrid]
    assert sum(widths) == 11906 - 1587 - 1474  # text width
    assert tbl.tblPr.find(f"{W}tblW").get(f"{W}w") == str(sum(widths))


def test_figure_fits_text_width_and_height(written):
    document = docx.Document(str(written))
    photo, chart = document.inline_shapes
    text_width = docx.shared.Twips(11906 - 1587 - 1474)
    for shape in (photo, chart):
        assert shape.width <= text_width + 1
        assert shape.height <= docx.shared.Mm(90) + 1
    assert abs(photo.width / photo.height - 640 / 427) < 0.01  # aspect kept
    assert photo.height == pytest.approx(docx.shared.Mm(90), abs=2)
    assert photo._inline.docPr.get("descr") == "图1　某某镇玫瑰种植基地"


def test_core_properties(written):
    cp = docx.Document(str(written)).core_properties
    assert (cp.title, cp.author, cp.subject) == ("东西部协作工作简报第1期", "某某县乡村振兴局", "简报")
    assert cp.created == cp.modified == datetime(2000, 1, 1, tzinfo=UTC)
    assert cp.revision == 1


# -- fonts and styles ---------------------------------------------------------------------------


def test_every_rfonts_names_east_asian_font_and_no_theme_fonts(parts):
    for name, blob in parts.items():
        if name.endswith(".xml") and name.startswith("word/") and "theme" not in name:
            assert b"Theme=" not in blob and b"theme=" not in blob, name  # asciiTheme, cstheme, …
    styles = xml(parts, "word/styles.xml")
    rfonts = list(styles.iter(f"{W}rFonts"))
    assert len(rfonts) > 15
    for rf in rfonts:
        assert rf.get(f"{W}eastAsia"), etree.tostring(rf.getparent().getparent())
        assert rf.get(f"{W}hint") == "eastAsia"
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert default.get(f"{W}eastAsia") == DOCX_FONTS["body"]


def _style(styles: etree._Element, style_id: str) -> etree._Element:
    (st,) = [s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == style_id]
    return st


def test_every_used_style_sets_its_east_asian_font(parts):
    styles = xml(parts, "word/styles.xml")
    used = set()
    for name, blob in parts.items():
        if name.startswith("word/") and name.endswith(".xml"):
            used |= {e.get(f"{W}val") for e in etree.fromstring(blob).iter(f"{W}pStyle", f"{W}tblStyle")}
    assert {"Normal", "Heading1", "Heading2", "BriefTitle", "BriefTable", "Footer", "Header"} <= used
    for style_id in used:
        rf = _style(styles, style_id).find(f"{W}rPr/{W}rFonts")
        assert rf is not None and rf.get(f"{W}eastAsia"), style_id


def test_heading_and_body_fonts(parts):
    styles = xml(parts, "word/styles.xml")

    def font(style_id):
        return _style(styles, style_id).find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")

    assert font("Heading1") == DOCX_FONTS["heading"] == "黑体"
    assert font("Heading2") == DOCX_FONTS["kai"]
    assert _style(styles, "Heading2").find(f"{W}rPr/{W}b") is None  # 楷体, not bold: as in the PDF
    assert font("Normal") == DOCX_FONTS["body"]
    assert font("BriefTitle") == DOCX_FONTS["title"]
    assert font("Footer") == DOCX_FONTS["pagenum"]
    assert font("BriefKeyFigures") == DOCX_FONTS["heading"]
    assert _style(styles, "BriefKeyFigures").find(f"{W}rPr/{W}b") is None  # 黑体 is heavy enough
    normal = _style(styles, "Normal").find(f"{W}pPr")
    assert normal.find(f"{W}ind").get(f"{W}firstLineChars") == "200"
    assert normal.find(f"{W}spacing").attrib == {
        f"{W}before": "0",
        f"{W}after": "0",
        f"{W}line": "579",
        f"{W}lineRule": "exact",
    }
    assert normal.find(f"{W}jc").get(f"{W}val") == "both"
    assert _style(styles, "Normal").find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"
    title = _style(styles, "BriefTitle")
    assert title.find(f"{W}rPr/{W}sz").get(f"{W}val") == "44"
    assert title.find(f"{W}pPr/{W}ind").get(f"{W}firstLineChars") == "0"


# -- page ---------------------------------------------------------------------------------------


def test_page_setup_and_page_numbers(parts):
    sect = xml(parts, "word/document.xml").find(f"{W}body/{W}sectPr")
    assert sect.find(f"{W}pgSz").attrib == {f"{W}w": "11906", f"{W}h": "16838"}
    mar = {k.removeprefix(W): v for k, v in sect.find(f"{W}pgMar").attrib.items()}
    assert (mar["top"], mar["left"], mar["bottom"], mar["right"]) == ("2098", "1587", "1984", "1474")
    assert sect.find(f"{W}docGrid").get(f"{W}linePitch") == "579"
    assert xml(parts, "word/settings.xml").find(f"{W}evenAndOddHeaders") is not None
    refs = {r.get(f"{W}type") for r in sect.iter(f"{W}footerReference")}
    assert refs == {"default", "even"}
    footers = [xml(parts, n) for n in parts if re.fullmatch(r"word/footer\d+\.xml", n)]
    assert len(footers) == 2
    aligns = set()
    for footer in footers:
        (p,) = footer.iter(f"{W}p")
        text = "".join(t.text for t in p.iter(f"{W}t", f"{W}instrText"))
        assert re.fullmatch(r"— PAGE 1 —".replace(" ", r"\s*"), text), text
        ind = p.find(f"{W}pPr/{W}ind")
        assert ind.get(f"{W}firstLineChars") == "0"
        aligns.add(p.find(f"{W}pPr/{W}jc").get(f"{W}val"))
    assert aligns == {"left", "right"}


def test_a_draft_names_itself_once_in_the_top_margin_of_page_1(parts):
    body = xml(parts, "word/document.xml").find(f"{W}body")
    first = body[0]
    assert "".join(t.text for t in first.iter(f"{W}t")) == "征求意见稿"
    frame = first.find(f"{W}pPr/{W}framePr")  # out of the text's flow: both files break pages alike
    assert frame is not None and frame.get(f"{W}vAnchor") == "page" and frame.get(f"{W}xAlign") == "right"
    assert int(frame.get(f"{W}y")) < 37 / 25.4 * 72 * 20  # above the 版心, 37 mm from the top edge
    texts = ["".join(t.text for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
    assert texts.count("征求意见稿") == 1


def test_watermark_in_odd_and_even_headers(parts, photo):
    headers = [xml(parts, n) for n in parts if re.fullmatch(r"word/header\d+\.xml", n)]
    assert len(headers) == 2
    for header in headers:
        (shape,) = header.iter(f"{V}shape")
        assert shape.get("type") == "#_x0000_t136"
        assert "rotation:315" in shape.get("style")
        assert shape.find(f"{V}textpath").get("string") == "征求意见稿"
    final = docx_bytes(make_document(photo, draft=False), reference=REFERENCE)
    with zipfile.ZipFile(io.BytesIO(final)) as z:
        assert not [n for n in z.namelist() if "header" in n]
        assert "征求意见稿".encode() not in b"".join(z.read(n) for n in z.namelist())


# -- determinism and package --------------------------------------------------------------------


def test_byte_identical(written, photo):
    again = docx_bytes(make_document(photo), reference=REFERENCE)
    assert again == docx_bytes(make_document(photo), reference=REFERENCE)
    assert again == written.read_bytes()
    with zipfile.ZipFile(written) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr == 0o644 << 16
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_reference_is_what_the_script_builds():
    """templates/reference.docx is committed: it must match make_reference.py."""
    assert build_reference() == REFERENCE.read_bytes()


def check_package(path: Path) -> None:
    """testzip, every XML part parses, every part has a content type, every internal
    relationship target exists (checks.md §1: no OOXML schema is installable)."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        trees = {n: etree.fromstring(z.read(n)) for n in names if n.endswith((".xml", ".rels"))}
    ct = trees.pop("[Content_Types].xml")
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension").lower() for d in ct.iter(f"{ns}Default")}
    overrides = {o.get("PartName").lstrip("/") for o in ct.iter(f"{ns}Override")}
    for name in names - {"[Content_Types].xml"}:
        assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, f"no content type: {name}"
    for name, tree in trees.items():
        if not name.endswith(".rels"):
            continue
        base = name.replace("_rels/", "").removesuffix(".rels")
        folder = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
        for rel in tree:
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            resolved = target.lstrip("/") if target.startswith("/") else _normpath(folder + target)
            assert resolved in names, f"{name}: {rel.get('Id')} -> missing {resolved}"
    for name in names:
        if name.startswith("word/") and name.endswith(".xml"):
            rels = f"word/_rels/{name.removeprefix('word/')}.rels"
            ids = {r.get("Id") for r in trees[rels]} if rels in trees else set()
            for el in trees[name].iter():
                for attr, value in el.attrib.items():
                    if attr.endswith("}id") or attr.endswith("}embed"):
                        if "relationships" in attr:
                            assert value in ids, f"{name}: dangling {value}"


def _normpath(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part == "..":
            out.pop()
        elif part not in ("", "."):
            out.append(part)
    return "/".join(out)


def test_package_structure(written):
    check_package(written)
    check_package(REFERENCE)


def test_write_is_atomic(photo, tmp_path, monkeypatch):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")
    import brief.outdir as package

    def fail(src, dst):
        assert not str(src).endswith(".docx") and Path(src).parent == tmp_path
        raise OSError("disk full")

    monkeypatch.setattr(package.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, docx_bytes(make_document(photo), reference=REFERENCE))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]
    monkeypatch.undo()
    atomic_write(target, docx_bytes(make_document(photo), reference=REFERENCE))
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x0b", "\x00", "\x1b", "\ufffe", "\ud800"])
def test_text_xml_cannot_hold_is_rejected_by_name(bad):
    doc = Document(Meta(title="简报"), (Paragraph((T(f"前{bad}后"),)),))
    with pytest.raises(ValueError, match=f"U\\+{ord(bad):04X}"):
        docx_bytes(doc, reference=REFERENCE)


def test_every_block_type_has_a_visit_method_and_unknown_nodes_fail():
    for cls in BLOCK_TYPES:
        assert callable(getattr(DocxWriter, f"visit_{cls.__name__.lower()}", None)), cls
    doc = Document(Meta(title="简报"), (object(),))  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="object"):
        docx_bytes(doc, reference=REFERENCE)


def test_reference_without_a_style_names_it(tmp_path):
    d = docx.Document(str(REFERENCE))
    d.styles["Brief Title"].name = "Something Else"
    broken = tmp_path / "reference.docx"
    d.save(str(broken))
    with pytest.raises(BriefError, match="Brief Title"):
        docx_bytes(Document(Meta(title="简报")), reference=broken)


def test_chart_png_is_deterministic():
    chart = Chart("图", ("甲", "乙"), (Series("数量", (1.5, 2.0)),), unit="个")
    first = chart_png(chart)
    chart_png.cache_clear()
    assert chart_png(chart) == first
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_chart_png_keeps_series_colours_and_text_on_its_palette():
    from brief.writers.docx.chart_png import COLOURS

    series = (Series("2022年", (10.0, 20.0, 30.0)), Series("2023年", (12.0, 18.0, 33.0)))
    chart = Chart("图", ("甲县", "乙县", "丙县"), series)
    image = Image.open(io.BytesIO(chart_png(chart)))
    assert image.mode == "P"
    counts = {rgb: n for n, rgb in image.convert("RGB").getcolors(256)}
    for colour in COLOURS[:2]:  # both series' bars, in their exact colours, over large areas
        assert counts.get(tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)), 0) > 5000, colour
    assert counts.get((0, 0, 0), 0) > 500  # the text
    assert sum(n for rgb, n in counts.items() if len(set(rgb)) == 1 and 0 < rgb[0] < 255) > 200  # its anti-aliasing


# -- LibreOffice, a real client -----------------------------------------------------------------

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


@pytest.fixture(scope="module")
def lo_pdfs(written, photo, tmp_path_factory) -> dict[str, Path]:
    """LibreOffice's PDFs of the draft and of the same brief without the watermark (one call)."""
    out = tmp_path_factory.mktemp("lo")
    final = out / "final.docx"
    final.write_bytes(docx_bytes(make_document(photo, draft=False), reference=REFERENCE))
    draft = out / "draft.docx"
    shutil.copy(written, draft)
    profile = tmp_path_factory.mktemp("lo_prof_test")
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(draft),
            str(final),
        ],
        capture_output=True,
        timeout=180,
    )  # exit code is always 0: check the output instead
    pdfs = {"draft": out / "draft.pdf", "final": out / "final.pdf"}
    for pdf in pdfs.values():
        assert pdf.is_file(), f"LibreOffice made no {pdf.name}"
    return pdfs


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


@needs_soffice
@pytest.mark.slow
def test_libreoffice_opens_it_and_shows_the_text(lo_pdfs):
    text = re.sub(r"\s+", "", _run("pdftotext", str(lo_pdfs["draft"]), "-"))
    for want in ("东西部协作工作简报", TITLE, "一、主要做法", "1600余人次", "2.12万人次", "0.8个百分点", "（完）"):
        assert want in text
    assert re.search(r"—1—", text) and re.search(r"—2—", text)  # page numbers
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(lo_pdfs["draft"]))).group(1))
    assert pages >= 3


@needs_soffice
@pytest.mark.slow
def test_libreoffice_uses_chinese_fonts_only(lo_pdfs):
    """checks.md §1: headings once fell back to DejaVu. Every Chinese character is set in a CJK
    font; the digits and Latin letters may use whatever this machine substitutes for Times New Roman."""
    count, wrong = cjk_in_latin_fonts(lo_pdfs["draft"])
    assert count > 500 and not wrong, wrong[:20]


def _watermark_pixels(pdf: Path, tmp: Path) -> int:
    """Light neutral-grey pixels on page 3 (the half-transparent silver of the watermark)."""
    prefix = tmp / pdf.stem
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", str(pdf), str(prefix)], check=True)
    (png,) = tmp.glob(f"{pdf.stem}*.png")
    data = Image.open(png).convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if 200 <= r <= 235 and abs(r - g) < 4 and abs(g - b) < 4)


@needs_soffice
@pytest.mark.slow
def test_libreoffice_shows_the_watermark(lo_pdfs, tmp_path):
    draft = _watermark_pixels(lo_pdfs["draft"], tmp_path)
    final = _watermark_pixels(lo_pdfs["final"], tmp_path)
    print("watermark-grey pixels, draft vs final:", draft, final)
    assert draft > final + 500, (draft, final)


def _table_run_sizes(blob: bytes) -> list[str | None]:
    import zipfile

    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml"))
    return [(r.find(f"{W}rPr/{W}sz").get(f"{W}val") if r.find(f"{W}rPr/{W}sz") is not None else None)
            for r in root.iter(f"{W}r") if r.getparent().getparent().tag == f"{W}tc"]


def test_a_wide_table_is_set_smaller_so_that_its_figures_keep_one_line():
    """The PDF's rule (writers/tablefit.py) on the DOCX's own columns: 五号 for seven columns, smaller
    still when a figure would wrap; every run of the table, heading included, the same size."""
    header = tuple((T(h),) for h in ("指标", "疏勒县", "岳普湖县", "麦盖提县", "英吉沙县", "合计", "同比"))
    row = ((T("农技推广培训人次"),), *((T(f),) for f in ("约2.5万人次", "1.38万人次", "1.52万人次", "2.12万人次",
                                                       "约7.52万人次", "上升15.71%")))
    wide = Document(Meta(title="表"), (Table(header=header, rows=(row,), numeric=(False,) + (True,) * 6),))
    sizes = set(_table_run_sizes(docx_bytes(wide, reference=REFERENCE)))
    assert len(sizes) == 1 and 18 <= int(sizes.pop()) <= 21  # 9 to 10.5 pt, in half points

    narrow = Document(Meta(title="表"), (Table(header=((T("指标"),), (T("数值"),)), rows=(((T("选派干部人才"),),
                                                                                        (T("490名"),)),),
                                               numeric=(False, True)),))
    assert set(_table_run_sizes(docx_bytes(narrow, reference=REFERENCE))) == {None}  # the style's 小四


def test_reference_sets_no_gap_between_chinese_and_digits():
    import zipfile

    styles = zipfile.ZipFile(REFERENCE).read("word/styles.xml").decode("utf-8")
    defaults = styles[styles.index("<w:pPrDefault>"):styles.index("</w:pPrDefault>")]
    assert '<w:autoSpaceDE w:val="0"/>' in defaults and '<w:autoSpaceDN w:val="0"/>' in defaults


def test_table_size_is_estimated_without_the_pdf_fonts(monkeypatch):
    """A DOCX needs no PDF fonts: where they are missing, the table rule measures by character class."""
    import brief.fonts
    from brief.errors import BriefError
    from brief.writers import tablefit

    calls = []

    def no_fonts():
        calls.append(1)
        raise BriefError.at("fonts", None, "body", "没有可用于“正文”的字体")

    monkeypatch.setattr(brief.fonts, "pdf_fonts", no_fonts)
    header = tuple((T(h),) for h in ("指标", "疏勒县", "岳普湖县", "麦盖提县", "英吉沙县", "合计", "同比"))
    row = ((T("农技推广培训人次"),), *((T(f),) for f in ("1.38万人次",) * 6))
    doc = Document(Meta(title="表"), (Table(header=header, rows=(row,), numeric=(False,) + (True,) * 6),))
    assert set(_table_run_sizes(docx_bytes(doc, reference=REFERENCE))) <= {"18", "19", "20", "21"}
    assert calls  # the fonts were asked for, and the estimate stood in
    assert tablefit.estimated_width("1.38万人次", 10) == pytest.approx(4 * 5.5 + 3 * 10)


def test_warm_reads_the_template_once_for_every_brief(monkeypatch):
    """build's _preload calls warm() before its workers fork: the briefs then reuse the template."""
    from brief.writers.docx import template, warm

    reads = []
    real = template.Template.read.__func__

    def read(cls, path):
        reads.append(path)
        return real(cls, path)

    monkeypatch.setattr(template, "_TEMPLATES", {})
    monkeypatch.setattr(template.Template, "read", classmethod(read))
    warm(REFERENCE)
    assert len(reads) == 1
    docx_bytes(Document(Meta(title="题"), (Paragraph((T("正文。"),)),)), reference=REFERENCE)
    assert len(reads) == 1


def test_key_figure_labels_too_long_for_their_boxes_are_set_smaller():
    """Six boxes with long labels: keyband shrinks the labels (as the PDF does). The DOCX writer once
    crashed here (the label loop variable hid the label role)."""
    from brief.housestyle import ROLES

    items = [("帮扶资金总额（含社会捐赠）", "7476.35万元"), ("实施项目", "32个"), ("带动增收农户", "2.12万人次"),
             ("培训", "1600余人次"), ("覆盖", "99.99%"), ("选派干部人才总数", "490名")]
    doc = Document(Meta(title="题"), (KeyFigures(tuple(KeyFigure(label, value) for label, value in items)),))
    table = docx.Document(io.BytesIO(docx_bytes(doc, reference=REFERENCE))).tables[0]
    assert [c.text for c in table.rows[0].cells] == [value for _, value in items]
    labels = table.rows[1].cells
    assert [c.text.replace("\n", "") for c in labels] == [label for label, _ in items]
    assert labels[0].text == "帮扶资金总额\n（含社会捐赠）"  # broken evenly on two lines
    sizes = {r.font.size.pt for c in labels for p in c.paragraphs for r in p.runs}
    assert len(sizes) == 1 and sizes.pop() < ROLES["key_label"].size
