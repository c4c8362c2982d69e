"""Tables and pages (issue 15): a summary of many counties, read back from the PDF with pdfplumber.

Figures keep one line; a table that runs onto another page goes on under 续表 and its header row,
with three rows or more on each side of the break; a too-wide table gets a landscape page; a
paragraph leaves two lines or more on each side of a page break; no page ends with a heading.
The DOCX says the same to Word: tblHeader, cantSplit, keepNext rows, widowControl, a landscape section.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from brief import model
from brief.compose.summary import compose_summary
from brief.data.dataset import load_dataset
from brief.fonts import pdf_fonts
from brief.writers import tablefit
from brief.writers.docx.writer import docx_bytes
from brief.writers.pdf import pdf_bytes
from brief.writers.pdf.styles import BOTTOM, LEADING, LEFT
from helpers import DATA, ROOT

sys.path.insert(0, str(ROOT))
from bench.synth import make_program  # noqa: E402

REFERENCE = ROOT / "src" / "brief" / "templates" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
COUNTIES = 12


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> model.Document:
    root = make_program(tmp_path_factory.mktemp("synth") / "data", COUNTIES, DATA)
    return compose_summary(load_dataset(root), "synth", 2023)


@pytest.fixture(scope="module")
def summary_pdf(summary: model.Document) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(pdf_bytes(summary, pdf_fonts())))


@dataclass
class Line:
    text: str
    x0: float
    top: float
    size: float
    font: str


def _lines(page: pdfplumber.page.Page) -> list[Line]:
    """The page's text lines top to bottom (characters sharing a baseline), page number left out."""
    rows: dict[int, list[dict]] = {}
    for ch in page.chars:
        if ch["text"].strip():
            rows.setdefault(round(ch["bottom"]), []).append(ch)
    out = []
    for _, chars in sorted(rows.items()):
        chars.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in chars)
        if re.fullmatch(r"—\d+—", text):
            continue
        out.append(Line(text, chars[0]["x0"], chars[0]["top"], max(c["size"] for c in chars), chars[0]["fontname"]))
    return out


def _tables(page: pdfplumber.page.Page) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    """The page's tables (not a chart's grid lines): their boxes and cell texts, header row first."""
    found = [(t.bbox, [[c or "" for c in row] for row in t.extract()]) for t in page.find_tables()]
    return [(bbox, rows) for bbox, rows in found if rows and rows[0][0] == "指标"]


def _above(page: pdfplumber.page.Page, bbox: tuple[float, float, float, float]) -> str:
    """The text line right above a table (its title, or 续表)."""
    lines = [ln for ln in _lines(page) if ln.top < bbox[1]]
    return lines[-1].text if lines and bbox[1] - lines[-1].top < 30 else ""


@pytest.mark.slow
def test_every_table_break_goes_on_under_xubiao_and_the_header_with_three_rows_each_side(summary, summary_pdf):
    tables = [b for b in summary.blocks if isinstance(b, model.Table)]
    pieces = []  # (page number, title line, rows) of every table piece, in order
    for number, page in enumerate(summary_pdf.pages, start=1):
        for bbox, rows in _tables(page):
            pieces.append((number, _above(page, bbox), rows))
    continued = [i for i, piece in enumerate(pieces) if piece[1] == "续表"]
    assert continued, "a summary of this size has tables that run onto another page"
    assert len(pieces) == len(tables) + len(continued)  # no piece without its title or 续表 above it
    titles = iter(t.caption for t in tables)
    for i, (number, above, rows) in enumerate(pieces):
        if above != "续表":
            assert above == next(titles)
            continue
        before_number, _, before = pieces[i - 1]
        assert number == before_number + 1  # 续表 on the page after
        assert rows[0] == before[0] and rows[0][0] == "指标"  # the header row repeated
        assert len(before) - 1 >= tablefit.MIN_ROWS and len(rows) - 1 >= tablefit.MIN_ROWS, (number, len(before),
                                                                                              len(rows))


@pytest.mark.slow
def test_no_figure_wraps_and_a_section_s_tables_share_one_size(summary, summary_pdf):
    for page in summary_pdf.pages:
        for _, rows in _tables(page):
            for row in rows[1:]:
                assert all("\n" not in cell for cell in row[1:]), row  # one text line per figure cell
    fonts = pdf_fonts()
    from brief.writers.pdf.styles import WIDTH
    from brief.writers.pdf.writer import CELL_PAD, L_WIDTH

    fits = tablefit.plan(summary.blocks, WIDTH, 2 * CELL_PAD, tablefit.both_files(fonts.metrics("body").width), L_WIDTH)
    assert all(f.fits for f in fits.values())
    section: list[float] = []
    sizes: list[set[float]] = []
    for block in summary.blocks:
        if isinstance(block, model.Heading) and block.level <= 1:
            sizes.append(set(section))
            section = []
        elif isinstance(block, model.Table):
            section.append(fits[id(block)].size)
    sizes.append(set(section))
    assert all(len(s) <= 1 for s in sizes), sizes
    # the DOCX's tables at the same sizes (half points; none written: the style's 12 pt)
    document = zipfile.ZipFile(io.BytesIO(docx_bytes(summary, reference=REFERENCE))).read("word/document.xml")
    grids = [t for t in re.findall(r"<w:tbl>.*?</w:tbl>", document.decode("utf-8"), re.S) if "<w:tblHeader/>" in t]
    docx_sizes = [set(re.findall(r'<w:sz w:val="(\d+)"/>', t)) or {"24"} for t in grids]
    pdf_sizes = [{str(round(fits[id(b)].size * 2))} for b in summary.blocks if isinstance(b, model.Table)]
    assert docx_sizes == pdf_sizes


@pytest.mark.slow
def test_no_summary_page_ends_with_a_heading_or_a_title(summary, summary_pdf):
    heads = [p for p in summary_pdf.pages if any("、" in ln.text[:3] for ln in _lines(p))]
    assert heads
    heading_font = next(ln.font for ln in _lines(heads[0]) if "、" in ln.text[:3])
    for page in summary_pdf.pages[:-1]:
        last = _lines(page)[-1]
        assert not (last.font == heading_font and last.size >= 14), last.text  # 一、 headings, table titles


def _wide(columns: int = 9, rows: int = 12) -> model.Document:
    """Text, a table of long figures too wide for a portrait page even at 9 pt, text again."""
    names = [f"样本{i:03d}县" for i in range(1, columns - 1)] + ["合计"]
    header = tuple((model.Text(h),) for h in ("指标", *names))
    body = tuple(((model.Text(f"第{r}项培训人次"),), *((model.Text(f"约{r}.{c}2万人次"),) for c in range(1, columns)))
                 for r in range(1, rows + 1))
    text = (model.Text("援疆干部人才深入乡村学校和医院，与当地干部群众一起研究解决实际问题。" * 3),)
    return model.Document(model.Meta("宽表"), (
        model.Heading(1, (model.Text("一、分县情况"),)), model.Paragraph(text),
        model.Table(header, body, caption="各县培训情况", numeric=(False,) + (True,) * (columns - 1)),
        model.Paragraph(text)))


def test_a_table_too_wide_for_a_portrait_page_gets_a_landscape_one():
    """Only the table turns: the text before and after it stays on portrait pages."""
    with pdfplumber.open(io.BytesIO(pdf_bytes(_wide(), pdf_fonts()))) as pdf:
        shapes = [p.width > p.height for p in pdf.pages]
        assert shapes[0] is False and shapes[-1] is False and all(shapes[1:-1]) and len(shapes) >= 3
        assert not _tables(pdf.pages[0]) and not _tables(pdf.pages[-1])
        body = 0
        for page in pdf.pages[1:-1]:
            (bbox, rows), = _tables(page)
            assert _above(page, bbox) == ("各县培训情况" if page is pdf.pages[1] else "续表")
            assert all("\n" not in cell for row in rows[1:] for cell in row[1:])  # no figure wraps
            assert not [ln for ln in _lines(page) if ln.size >= 16]  # the text stays portrait
            body += len(rows) - 1
        assert body == 12


def test_a_narrower_table_stays_portrait():
    with pdfplumber.open(io.BytesIO(pdf_bytes(_wide(columns=6), pdf_fonts()))) as pdf:
        assert all(p.width < p.height for p in pdf.pages)


def _essay(seed: int = 3) -> model.Document:
    """Headings and paragraphs of every length from one line to most of a page, bodies indented."""
    rng = random.Random(seed)
    phrase = "援疆干部人才深入乡村学校和医院，与当地干部群众一起研究解决实际问题。"
    blocks: list[model.Block] = []
    for i in range(1, 25):
        blocks.append(model.Heading(1, (model.Text(f"{i}、第{i}项工作"),)))
        for _ in range(rng.randint(1, 3)):
            blocks.append(model.Paragraph((model.Text(phrase * rng.choice((1, 2, 3, 4, 5, 9, 15))),)))
    return model.Document(model.Meta("分页"), tuple(blocks))


@pytest.mark.slow
def test_two_lines_of_a_paragraph_on_each_side_of_a_page_break_and_no_heading_at_a_page_foot():
    with pdfplumber.open(io.BytesIO(pdf_bytes(_essay(), pdf_fonts()))) as pdf:
        pages = [_lines(p) for p in pdf.pages]
        height = pdf.pages[0].height
    for page in pages[:-1]:  # a heading moves on with two lines, not its whole paragraph: no page left half empty
        assert height - BOTTOM - page[-1].top < 5 * LEADING, page[-1].text
    assert len(pages) >= 5
    indent = LEFT + 16  # a paragraph's first line starts two characters in
    heading_font = pages[0][0].font
    breaks = 0
    for before, after in zip(pages, pages[1:], strict=False):
        assert before[-1].font != heading_font, before[-1].text  # no page ends with a heading
        for i, ln in enumerate(before):  # a heading has two lines of its paragraph under it
            if ln.font == heading_font:
                assert len(before) - i - 1 >= 2, ln.text
        if after[0].x0 > indent or after[0].font == heading_font:
            continue  # the page starts a paragraph or a heading: no paragraph was broken
        breaks += 1
        first = max(i for i, ln in enumerate(before) if ln.x0 > indent)  # where the broken paragraph starts
        assert len(before) - first >= 2, before[-1].text  # no orphan
        rest = next((i for i, ln in enumerate(after) if ln.x0 > indent or ln.font == heading_font), len(after))
        assert rest >= 2, after[0].text  # no widow
    assert breaks >= 2  # paragraphs were broken across pages (the rule was exercised)


def test_a_heading_stays_with_a_chart_that_follows_it():
    text = (model.Text("援疆干部人才深入乡村学校和医院，与当地干部群众一起研究解决实际问题。" * 2),)
    series = (model.Series("2023年", (1600.0, 300.0)),)
    chart = model.Chart("图1　各县选派干部人才", ("疏勒县", "岳普湖县"), series, "名")
    blocks: list[model.Block] = [model.Paragraph(text) for _ in range(3)]
    blocks += [model.Heading(1, (model.Text("二、图表"),)), chart]
    with pdfplumber.open(io.BytesIO(pdf_bytes(model.Document(model.Meta("图"), tuple(blocks)), pdf_fonts()))) as pdf:
        pages = ["".join(ln.text for ln in _lines(p)) for p in pdf.pages]
    assert len(pages) == 2 and "二、图表" in pages[1] and "图1" in pages[1]  # moved on together


def test_docx_tells_word_the_same_rules(summary):
    blob = docx_bytes(summary, reference=REFERENCE)
    document = zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml").decode("utf-8")
    styles = zipfile.ZipFile(io.BytesIO(blob)).read("word/styles.xml").decode("utf-8")
    assert "<w:widowControl/>" in styles[styles.index("<w:pPrDefault>"):styles.index("</w:pPrDefault>")]
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", document, re.S)
    grids = [t for t in tables if "<w:tblHeader/>" in t]
    assert len(grids) == sum(isinstance(b, model.Table) for b in summary.blocks)
    for table in grids:
        rows = re.findall(r"<w:tr>.*?</w:tr>", table, re.S)
        assert all("<w:cantSplit/>" in r for r in rows)
        assert "<w:tblHeader/>" in rows[0] and all("<w:tblHeader/>" not in r for r in rows[1:])
        kept = ["<w:keepNext/>" in r for r in rows[1:]]
        expected = tablefit.kept_rows(len(rows) - 1)
        assert kept == [i in expected for i in range(len(rows) - 1)]


def test_docx_puts_a_too_wide_table_in_a_landscape_section():
    document = zipfile.ZipFile(io.BytesIO(docx_bytes(_wide(), reference=REFERENCE))).read("word/document.xml")
    sections = re.findall(r"<w:sectPr.*?</w:sectPr>", document.decode("utf-8"), re.S)
    assert len(sections) == 3  # portrait before, the table's landscape section, portrait after (the body's)
    assert ['w:orient="landscape"' in s for s in sections] == [False, True, False]
    assert all("footerReference" in s for s in sections)  # page numbers on every page


def _wide_under_a_heading() -> model.Document:
    """A too-wide table right under its own heading, as the 附表 of a big summary has it."""
    doc = _wide()
    head, text, table, after = doc.blocks
    sub = model.Heading(2, (model.Text("（一）样本地区（12个县）"),))
    return model.Document(doc.meta, (head, text, sub, table, after))


def test_a_heading_goes_with_its_table_onto_the_landscape_page():
    """The 1,600-county summary ended portrait pages with （一）乌鲁木齐市 and its table on the next,
    landscape, page: the heading now turns with the table, in both files."""
    with pdfplumber.open(io.BytesIO(pdf_bytes(_wide_under_a_heading(), pdf_fonts()))) as pdf:
        where = [i for i, p in enumerate(pdf.pages) if any("样本地区" in ln.text for ln in _lines(p))]
        assert where == [1] and pdf.pages[1].width > pdf.pages[1].height
        assert "样本地区" not in _lines(pdf.pages[0])[-1].text
    document = zipfile.ZipFile(io.BytesIO(docx_bytes(_wide_under_a_heading(), reference=REFERENCE)))
    xml = document.read("word/document.xml").decode("utf-8")
    first_break = xml.index("</w:sectPr>")
    landscape_break = xml.index('w:orient="landscape"')
    assert first_break < xml.index("样本地区") < landscape_break  # in the landscape section


def test_a_source_line_after_a_landscape_table_stays_on_its_page():
    """The 1,600-county summary's last page was portrait with one line, 数据来源：…"""
    doc = _wide(rows=6)  # room left under the table on its landscape page
    head, text, table, _ = doc.blocks
    source = model.Paragraph((model.Text("数据来源：合成数据"),), role="source")
    with pdfplumber.open(io.BytesIO(pdf_bytes(model.Document(doc.meta, (head, text, table, source)),
                                              pdf_fonts()))) as pdf:
        last = pdf.pages[-1]
        assert last.width > last.height and _tables(last)
        assert "数据来源" in _lines(last)[-1].text


def test_kept_rows_leave_three_on_each_side():
    assert tablefit.kept_rows(10) == {0, 1, 7, 8}
    assert tablefit.kept_rows(5) == {0, 1, 2, 3}  # too short to split three and three: whole
    assert tablefit.kept_rows(1) == frozenset()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_repeats_the_header_and_turns_the_wide_tables(summary, tmp_path: Path):
    (tmp_path / "summary.docx").write_bytes(docx_bytes(summary, reference=REFERENCE))
    (tmp_path / "wide.docx").write_bytes(docx_bytes(_wide(), reference=REFERENCE))
    profile = tmp_path / "profile"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "summary.docx"),
                    str(tmp_path / "wide.docx")], check=True, capture_output=True, timeout=300)
    with pdfplumber.open(tmp_path / "wide.pdf") as pdf:
        shapes = [p.width > p.height for p in pdf.pages]
        assert shapes[0] is False and shapes[-1] is False and all(shapes[1:-1]) and len(shapes) >= 3
    with pdfplumber.open(tmp_path / "summary.pdf") as pdf:
        starts = 0
        for page in pdf.pages[1:]:
            tables = page.find_tables()
            if tables and tables[0].bbox[1] < 130:  # a table at the very top: a repeated header row
                assert (tables[0].extract()[0][0] or "").strip() == "指标"
                starts += 1
        assert starts
        for page in pdf.pages:  # LibreOffice keeps every figure on one line too
            for _, rows in _tables(page):
                assert all("\n" not in cell for row in rows[1:] for cell in row[1:]), rows


def test_the_break_before_a_heading_keeps_spaces_overlapping():
    """The conditional break put before a heading has no height and passes space through: the
    heading's space before still overlaps the space after the rule above it (no 10 pt more)."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
    from reportlab.platypus.flowables import HRFlowable

    from brief.writers.pdf import writer as pw

    def heading_top(with_room: bool) -> float:
        w = pw.PdfWriter(pdf_fonts())
        head = w.visit(model.Heading(0, (model.Text("标题在此"),)))
        story = [HRFlowable(width="100%", thickness=2, spaceAfter=12), *head, w.text("正文一段。", "body")]
        story = pw._with_room(story) if with_room else story
        assert any(isinstance(f, pw._RoomFor) for f in story) == with_room
        buffer = io.BytesIO()
        doc = BaseDocTemplate(buffer, pagesize=pw.PAGE)
        doc.addPageTemplates([PageTemplate("p", [Frame(pw.LEFT, pw.BOTTOM, pw.WIDTH, pw.HEIGHT, 0, 0, 0, 0)])])
        doc.build(story)
        with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
            return min(c["top"] for c in pdf.pages[0].chars if c["text"] == "标")

    assert heading_top(True) == pytest.approx(heading_top(False), abs=0.01)


def test_a_continued_table_starts_at_the_top_of_the_text_block(summary_pdf):
    """续表 stands above the text block, so that the continued table starts where the DOCX's does
    (Word prints no 续表): both files' pages hold the same rows."""
    from brief.writers.pdf.styles import HEIGHT

    seen = 0
    for page in summary_pdf.pages:
        for bbox, _ in _tables(page):
            if _above(page, bbox) == "续表":
                seen += 1
                portrait = page.width < page.height
                if portrait:
                    assert bbox[1] == pytest.approx(page.height - BOTTOM - HEIGHT, abs=1.0)
                xubiao = next(ln for ln in _lines(page) if ln.text == "续表")
                assert xubiao.top < bbox[1]
    assert seen
