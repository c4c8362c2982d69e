"""Table cells and chart category names break between words (writers/wordwrap.py on cjkwords), at
the same place in the PDF and the DOCX: ``中医科⏎就诊占比``, not ``中医科就⏎诊占比`` (the 山东 summary
of 2023 before); ``临时⏎党支部``, not ``临时党⏎支部`` (the 英吉沙 chart). A name no word covers is
split evenly, as before; the DOCX places a moved break with one line break, not with joiners."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from brief import model
from brief.fonts import pdf_fonts
from brief.writers import barchart, wordwrap
from brief.writers.docx import docx_bytes
from brief.writers.pdf import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "templates" / "reference.docx"
WJ = "\u2060"
T = model.Text
# label -> its lines in a label column six 汉字 wide (the table below: 10.5 pt, 69.9 pt inside)
LINES = {
    "中医科就诊占比": ("中医科", "就诊占比"),  # before: 中医科就⏎诊占比 (evened out from 6 + 1)
    "国学进乡村社区培训": ("国学进乡村", "社区培训"),  # before: 国学进乡村社⏎区培训 (as full as it goes)
    "海水稻实测亩产": ("海水稻", "实测亩产"),  # before: 海水稻实⏎测亩产
    "甲乙丙丁戊己庚": ("甲乙丙丁", "戊己庚"),  # no word: evened out, as before
    "义诊巡诊惠及群众": ("义诊巡诊惠及", "群众"),  # already between words: as before
}


def _table_doc() -> model.Document:
    header = tuple((T(t),) for t in ("指标", "疏勒县", "岳普湖县", "麦盖提县", "英吉沙县", "合计", "同比"))
    figures = ("2万余人次",) * 5 + ("上升25.00%",)
    rows = tuple(((T(label),), *((T(v),) for v in figures)) for label in LINES)
    return model.Document(model.Meta("测试"), (model.Table(header, rows, numeric=(False,) + (True,) * 6),))


def _label_lines(text: str) -> list[str]:
    """The label column's lines in ``pdftotext -layout`` text: each line's first word of 汉字 only."""
    words = [line.split()[0] for line in text.splitlines() if line.strip()]
    return [w for w in words if re.fullmatch(r"[\u4e00-\u9fff]+", w) and w != "指标"]


def _expected() -> list[str]:
    return [line for lines in LINES.values() for line in lines]


def test_cell_lines_between_words():
    def width(text: str) -> float:
        return 12.0 * len(text)

    room = 6 * 12.0 + 0.01
    assert wordwrap.cell("中医科就诊占比", width, room) == ("中医科", "就诊占比")
    assert wordwrap.cell("国学进乡村社区培训", width, room) == ("国学进乡村", "社区培训")
    assert wordwrap.cell("甲乙丙丁戊己庚", width, room) == ("甲乙丙丁", "戊己庚")  # the even split, as before
    assert wordwrap.cell("义诊巡诊惠及群众", width, room) is None  # a full first line, between words: as before
    assert wordwrap.cell("专题培训班", width, room) is None  # fits
    assert wordwrap.cell("国学进乡村社区培训2次", width, room) is None  # a figure: widths differ by font
    assert wordwrap.cell("专题培训班", width, 4 * 12.0 + 0.01) == ("专题", "培训班")  # not 专题培⏎训班
    # a line break only where a line filled as full as it goes would not break
    assert wordwrap.hard_breaks(("国学进乡村", "社区培训"), width, room) == "国学进乡村\n社区培训"
    assert wordwrap.hard_breaks(("国学进乡村社", "区培训"), width, room) == "国学进乡村社区培训"


def test_pdf_cells_break_between_words(tmp_path: Path):
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf_bytes(_table_doc(), pdf_fonts()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert _label_lines(text) == _expected(), text


def test_docx_cells_break_where_the_pdf_does_with_one_line_break():
    table = docx.Document(io.BytesIO(docx_bytes(_table_doc(), reference=REFERENCE))).tables[0]
    cells = table.columns[0].cells[1:]
    assert [c.text for c in cells] == ["\n".join(lines) for lines in list(LINES.values())[:4]] + ["义诊巡诊惠及群众"]
    # the characters in the file (the tests' .text drops joiners): one w:br where the break moved,
    # no joiner; where Word breaks by itself, the last two 汉字 joined, as before
    stored = ["".join(t.text or "" for t in c._tc.iter(qn("w:t"))) for c in cells]
    assert [c._tc.xml.count("<w:br/>") for c in cells] == [1, 1, 1, 1, 0]
    assert stored == ["".join(lines) for lines in list(LINES.values())[:4]] + ["义诊巡诊惠及群" + WJ + "众"]


def test_chart_names_break_between_words():
    assert barchart.wrap_name("专题培训班", 4) == ["专题", "培训班"]
    assert barchart.wrap_name("临时党支部", 4) == ["临时", "党支部"]
    assert barchart.wrap_name("传统文化阵地", 4) == ["传统文化", "阵地"]
    assert barchart.wrap_name("万师援教选派支教人员", 4) == ["万师援教", "选派支教", "人员"]
    assert barchart.wrap_name("甲乙丙丁戊", 4) == ["甲乙丙", "丁戊"]  # no word: even, as before
    assert barchart.wrap_name("甲乙丙丁戊己庚辛壬癸", 4) == ["甲乙丙丁", "戊己庚", "辛壬癸"]


def test_pdf_chart_names_break_between_words(tmp_path: Path):
    names = ("专题培训班", "临时党支部", "义诊巡诊惠及群众", "义诊巡诊活动", "传统文化阵地", "党小组",
             "农技推广培训人次", "农技推广培训场次")  # 英吉沙 2023: four 汉字 a line
    values = (15.91, 0.0, 17.04, 19.23, 23.81, 12.5, 13.98, 15.38)
    chart = model.Chart("图", names, (model.Series("同比", values),), unit="%")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf_bytes(model.Document(model.Meta("测试"), (chart,)), pdf_fonts()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    rows = [line.split() for line in text.splitlines() if "专题" in line or "培训班" in line]
    assert rows == [["专题", "临时", "义诊巡诊", "义诊巡诊", "传统文化", "党小组", "农技推广", "农技推广"],
                    ["培训班", "党支部", "惠及群众", "活动", "阵地", "培训人次", "培训场次"]], text


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice")
def test_libreoffice_breaks_the_docx_cells_where_the_pdf_does(tmp_path: Path):
    source = tmp_path / "t.docx"
    source.write_bytes(docx_bytes(_table_doc(), reference=REFERENCE))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=300, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert _label_lines(text) == _expected(), text


def test_a_long_cell_breaks_as_before_and_quickly() -> None:
    """The search for word breaks grows with the square of a text's length: past LONGEST a text is
    left to the old rule (a 20,000-character cell in a hostile template took minutes)."""
    import time

    from brief.writers import wordwrap

    start = time.process_time()
    assert wordwrap.cell("很长的说明" * 4000, len, 10) is None
    assert wordwrap.even("很长的说明" * 4000, 3, len, 10) is None
    longest = "专题培训班临时党支部" * (wordwrap.LONGEST // 10) + "培训" * (wordwrap.LONGEST % 10 // 2)
    wordwrap.cell(longest, len, 9)
    wordwrap.even(longest, 3, len, len(longest) // 3 + 2)
    assert time.process_time() - start < 1.0
