"""The DOCX writer's shortcuts (issue 19) write what the slow way writes, byte for byte.

- the body goes into document.xml as the text wml writes, unparsed: it must be lxml's own
  serialization of that text, and the same file as the body parsed into python-docx's tree;
- pictures are written as text: the same XML as python-docx's ``Run.add_picture``;
- a section break's ``w:sectPr`` is written as text: the same as the copy appended in the tree;
- reference.docx is unzipped once per process: each brief's document is a fresh one;
- a chart's labels come from a per-process memo: the same pixels as Pillow's ``ImageDraw.text``;
- the zip is written by hand (the template's parts deflated once per process): zipfile's bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.parser import OxmlElement, oxml_parser
from docx.shared import Emu, Mm
from lxml import etree
from PIL import Image, ImageDraw

from brief.model import (
    Chart,
    Document,
    Figure,
    Heading,
    KeyFigure,
    KeyFigures,
    Masthead,
    Meta,
    Paragraph,
    Record,
    Series,
    Table,
    Text,
)
from brief.writers.docx import docx_bytes, wml
from brief.writers.docx._package import package_bytes
from brief.writers.docx.body import Body
from brief.writers.docx.chart_png import chart_png
from brief.writers.docx.template import Template, _no_hanging_in_libreoffice, _widow_control, load_template
from brief.writers.docx.writer import build

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "templates" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("img") / 'A&B "照片".jpg'  # what an attribute must escape
    Image.new("RGB", (320, 200), (70, 130, 90)).save(path, quality=80)
    return path


def awkward(photo: Path, *, draft: bool) -> Document:
    """Every block type, text XML must escape, tabs and line breaks, spaces at the ends of runs, a
    table too wide for a portrait page (section breaks), the 版记 and a 密级."""
    wide = Table(header=tuple((Text(f"列{i}"),) for i in range(11)),
                 rows=tuple(tuple((Text(f"{r * 1234.5 + c:.2f}万元"),) for c in range(11)) for r in range(6)),
                 caption="表2　宽表", numeric=(True,) * 11)
    blocks = (
        Masthead("简报 & <测试>", issuer="某局", date="2024年1月1日", number="第2期", classification="内部"),
        Heading(0, (Text("标题 \"引号\" 'A&B' <c>"),)),
        Paragraph((Text(" 前导空格\t制表符\n换行 ", True), Text("（甲）。“（乙）”，&<>"),
                   Text("约2.5万人次、8100万元以上、15%～30%、2021—2025年。"))),
        Paragraph((Text("全角空格　"), Text("　结尾")), role="note"),
        Table(header=((Text("项目"),), (Text("数"),)), rows=(((Text("甲 & 乙"),), (Text("1"),)),)),
        Table(header=((Text("项目"),), (Text("数量"),)),
              rows=(((Text("乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙"),), (Text("123456789012345678.99万元"),)),) * 4,
              caption="表1　窄列"),
        KeyFigures((KeyFigure("很长很长很长很长很长很长的标签", "123456.78万元"), KeyFigure("项目", "3个"))),
        wide,
        Paragraph((Text("横表之后"),)),
        wide,
        Figure(photo, caption="图1　照片 <A&B>"),
        Figure(photo),  # the same image again: one image part, two drawings
        Chart("图2　对比", categories=("甲地区某某乡", "乙"),
              series=(Series("2023年", (1.5, -2)), Series("2024年", (2, 3))), unit="%"),
        Record(lines=("报：某某", "送：某某"), issuer="某某办公室", printed="2024年1月1日印发", copies="（共印8份）"),
    )
    return Document(Meta(title="题 & <名>", author="作者", draft=draft, subject="简报"), blocks)


def _part(blob: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return z.read(name)


def _canonical(xml: bytes) -> bytes:
    """``xml`` parsed as python-docx parses a part, and serialized as it writes one."""
    return etree.tostring(etree.fromstring(xml, oxml_parser), encoding="UTF-8", standalone=True)


@pytest.mark.parametrize("draft", [False, True])
def test_body_text_is_what_the_tree_writes(photo: Path, draft: bool) -> None:
    doc = awkward(photo, draft=draft)
    fast = docx_bytes(doc, reference=REFERENCE)
    slow = package_bytes(build(doc, reference=REFERENCE).part.package)  # the body parsed into the tree
    assert fast == slow
    document = _part(fast, "word/document.xml")
    assert _canonical(document) == document
    # what a reader finds: python-docx reads the text back, in order, pictures and section breaks included
    read = docx.Document(io.BytesIO(fast))
    texts = [p.text for p in read.paragraphs]
    if draft:  # a draft opens with its one 征求意见稿 (a frame in page 1's top margin, as in the PDF)
        assert texts[0] == "征求意见稿"
        texts = texts[1:]
    assert texts[:3] == ["内部", "简报 & <测试>", "第2期"]
    assert "标题 \"引号\" 'A&B' <c>" in texts
    joined = "".join(texts)
    assert " 前导空格\t制表符\n换行 （甲）。“（乙）”，&<>约2.5万人次、8100万元以上、" in joined.replace("\u2060", "")
    assert "2.5\u2060万\u2060人\u2060次" in document.decode()  # figures joined (conftest hides joiners from .text)
    assert "全角空格　　结尾" in texts
    assert len(read.sections) == 5  # portrait, landscape, portrait, landscape, and the last page
    assert len(read.inline_shapes) == 3
    descr = [s._inline.docPr.get("descr") for s in read.inline_shapes]
    chart = "图2　对比：甲地区某某乡：2023年 1.5，2024年 2；乙：2023年 -2，2024年 3（单位：%）"  # every bar
    assert descr == ["图1　照片 <A&B>", None, chart]
    ids = [s._inline.docPr.get("id") for s in read.inline_shapes]
    assert ids == ["1", "2", "3"]
    assert len({s._inline.graphic.graphicData.pic.blipFill.blip.embed for s in read.inline_shapes}) == 2
    if draft:
        header = _part(fast, "word/header1.xml")
        assert "征求意见稿" in header.decode()


def _python_docx_picture(document, image, alt_text: str, box: tuple[Emu, Emu]) -> bytes:  # type: ignore[no-untyped-def]
    """The picture run as python-docx's own API writes it (what the writer did before)."""
    run = document.add_paragraph().add_run()
    shape = run.add_picture(image)
    if alt_text:
        shape._inline.docPr.set("descr", alt_text)
    w, h = shape.width, shape.height
    scale = min(box[0] / w, box[1] / h)
    shape.width, shape.height = Emu(round(w * scale)), Emu(round(h * scale))
    return etree.tostring(run._r)


def _template_declaring(tmp_path: Path, extra: str) -> Path:
    """reference.docx with ``extra`` namespace declarations on document.xml's root."""
    path = tmp_path / "reference.docx"
    with zipfile.ZipFile(REFERENCE) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:document ", b"<w:document " + extra.encode() + b" ", 1)
            out.writestr(info, data)
    return path


@pytest.mark.parametrize("declared", ["", 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
                                          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'])
def test_picture_text_is_what_python_docx_writes(photo: Path, tmp_path: Path, declared: str) -> None:
    reference = _template_declaring(tmp_path, declared) if declared else REFERENCE
    template = Template.read(reference)
    box = (Emu(Mm(150)), Emu(Mm(60)))
    for image, alt in ((str(photo), "照片 \"A&B\" <c>\t"), (photo.read_bytes(), "")):
        ours = template.new_document()
        body = Body(ours)
        body.append(f'<w:p>{body.picture(io.BytesIO(image) if isinstance(image, bytes) else image, alt, box)}</w:p>')
        theirs = template.new_document()
        expected = _python_docx_picture(theirs, io.BytesIO(image) if isinstance(image, bytes) else image, alt, box)
        written = etree.fromstring(body.blob(), oxml_parser)
        run = written.find(f"{W}body/{W}p/{W}r")
        assert etree.tostring(run) == expected
        assert body.direct
        # and its image part and relationship, as python-docx adds them
        assert [r.reltype for r in ours.part.rels.values()] == [r.reltype for r in theirs.part.rels.values()]


def test_section_text_is_the_copy_in_the_tree() -> None:
    template = load_template(REFERENCE)
    for landscape in (False, True):
        document = template.new_document()
        body = Body(document)
        body.append(f"<w:p><w:pPr>{body.section(landscape=landscape)}</w:pPr></w:p>")
        ours = body.blob()
        slow = template.new_document()  # the tree as the writer built it before
        final = slow.element.body.find(f"{W}sectPr")
        p = OxmlElement("w:p")
        final.addprevious(p)
        etree.SubElement(p, f"{W}pPr").append(wml.section_copy(final, landscape=landscape))
        assert ours == slow.part.blob
        assert (b'w:orient="landscape"' in ours) == landscape


def test_each_brief_gets_a_fresh_document_from_the_template_read_once() -> None:
    template = load_template(REFERENCE)
    first, second = template.new_document(), template.new_document()
    assert first.element is not second.element and first.part.package is not second.part.package
    first.add_paragraph("只在第一份")
    first.core_properties.title = "第一份"
    assert "只在第一份" not in second.part.blob.decode()
    assert second.core_properties.title != "第一份"
    # as unzipping the file for every brief made it
    plain = docx.Document(str(REFERENCE))
    _widow_control(plain)
    _no_hanging_in_libreoffice(plain)
    for part in plain.part.package.parts:
        if part.partname != "/word/document.xml":
            assert part.blob == next(p for p in second.part.package.parts if p.partname == part.partname).blob


def test_a_brief_written_after_another_is_the_brief_written_alone(photo: Path) -> None:
    """The writer's per-process memos (the template, its deflated parts, chart labels) never carry
    one brief into the next: B after A is B alone."""
    a = awkward(photo, draft=True)
    b = Document(Meta(title="乙"), (Paragraph((Text("约2.5万人次。"),)), a.blocks[4], a.blocks[5], a.blocks[12]))
    chart_png.cache_clear()
    alone = docx_bytes(b, reference=REFERENCE)
    docx_bytes(a, reference=REFERENCE)
    assert docx_bytes(b, reference=REFERENCE) == alone
    assert "2.5\u2060万\u2060人\u2060次" in _part(alone, "word/document.xml").decode()


def test_a_template_binding_other_prefixes_goes_through_the_tree(photo: Path, tmp_path: Path) -> None:
    """A root binding the picture namespace to another prefix: the body text is parsed into the tree
    (lxml settles the prefixes) and the file still opens with every picture."""
    reference = _template_declaring(tmp_path, 'xmlns:p2="http://schemas.openxmlformats.org/drawingml/2006/picture"')
    template = Template.read(reference)
    document = template.new_document()
    assert not Body(document).direct
    blob = docx_bytes(Document(Meta(title="题"), (Figure(photo, caption="图"), Paragraph((Text("正文"),)))),
                      reference=reference)
    read = docx.Document(io.BytesIO(blob))
    assert len(read.inline_shapes) == 1
    assert [p.text for p in read.paragraphs if p.text] == ["图", "正文"]


def test_figure_caption_xml_cannot_hold_is_rejected(photo: Path) -> None:
    with pytest.raises(ValueError, match="U\\+0001"):
        docx_bytes(Document(Meta(title="题"), (Figure(photo, caption="图\x01"),)), reference=REFERENCE)


def test_a_section_break_leaves_the_last_page_portrait() -> None:
    document = load_template(REFERENCE).new_document()
    before = etree.tostring(document.element.body.find(f"{W}sectPr"))
    assert 'w:orient="landscape"' in Body(document).section(landscape=True)
    assert etree.tostring(document.element.body.find(f"{W}sectPr")) == before


def _chart_as_pillow_draws_it(chart: Chart, width_mm: float) -> bytes:
    """chart_png as it was before the memo of labels: every label through ImageDraw.text."""
    from brief import fonts
    from brief.writers.barchart import TEXT, layout
    from brief.writers.docx import chart_png as cp

    picture = layout(chart, fonts.pdf_fonts().metrics("heading"), width_mm, cp.HEIGHT)
    image = Image.new("RGB", (round(cp._px(picture.width)), round(cp._px(picture.height))), "white")
    draw = ImageDraw.Draw(image)
    for r in picture.grid:
        cp._rule(draw, r)
    for b in picture.rects:
        draw.rectangle([cp._px(b.x0), cp._px(b.y0), cp._px(b.x1), cp._px(b.y1)], fill=b.colour)
    for r in picture.axes:
        cp._rule(draw, r)
    for label in picture.labels:
        draw.text((cp._px(label.x), cp._px(label.baseline)), label.text, font=cp._font(round(cp._px(label.size))),
                  fill=TEXT, anchor=cp._ANCHORS[label.align])
    buffer = io.BytesIO()
    image.quantize(palette=cp._palette(), dither=Image.Dither.NONE).save(buffer, format="PNG", dpi=(cp.DPI, cp.DPI),
                                                                        compress_level=3)
    return buffer.getvalue()


CHARTS = [
    Chart("图1", categories=("万师援教选派支教人员", "专题培训班", "乌鲁木齐喀什现场推介会", "义诊"),
          series=(Series("同比", (-98.67, 305.73, -100.0, 800.0), ("-98.67", "305.73", "-100.00", "800.00")),),
          unit="%"),
    Chart("图2", categories=("城关镇", "红星乡", "戈壁镇"),
          series=(Series("2023年", (120.5, 98, 210)), Series("2024年", (150, 130.4, 250.8))), unit="万元"),
    Chart("图3", categories=("城关镇", "红星乡"), series=(Series("2024年", (0.5, 0.25)),)),
]


def test_chart_labels_from_the_memo_are_the_labels_pillow_draws() -> None:
    from brief.writers.docx.chart_png import _label, chart_png

    for width in (155.92, 120.0):
        chart_png.cache_clear()  # labels and PNGs: the first chart of a build
        cold = [chart_png(c, width_mm=width) for c in CHARTS]
        assert _label.cache_info().currsize > 0
        chart_png.cache_clear()
        warm = [chart_png(c, width_mm=width) for c in reversed(CHARTS)][::-1]  # labels another chart drew first
        assert cold == warm == [_chart_as_pillow_draws_it(c, width) for c in CHARTS]
    # a label seen again comes from the memo: the same chart again draws nothing new
    chart_png.cache_clear()
    chart_png(CHARTS[1])
    misses = _label.cache_info().misses
    from brief.writers.docx.chart_png import _chart_png

    _chart_png.cache_clear()  # the PNG drawn again, its labels remembered
    chart_png(CHARTS[1])
    assert _label.cache_info().misses == misses


def test_zip_is_what_zipfile_writes() -> None:
    """package_bytes's zip writer against zipfile.writestr with the entries' fixed metadata."""
    from brief.writers.docx._package import zip_bytes

    entries = [("[Content_Types].xml", b"<Types/>" * 50, False), ("word/document.xml", "正文".encode() * 999, False),
               ("word/styles.xml", bytes(range(256)) * 40, True), ("word/media/空.png", b"", False),
               ("word/footer1.xml", bytes(range(256)) * 40, True)]  # the same bytes: from the memo
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data, _ in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data)
    assert zip_bytes(entries) == out.getvalue()
    with zipfile.ZipFile(io.BytesIO(zip_bytes(entries))) as zf:
        assert zf.testzip() is None
        assert zf.read("word/document.xml").decode().startswith("正文正文")
