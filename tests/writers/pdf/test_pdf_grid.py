"""The PDF table (writers/pdf/grid.py): reportlab's row geometry, title and header on every page, rows whole."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle

from brief import model
from brief.fonts import pdf_fonts
from brief.writers import tablefit
from brief.writers.pdf import PdfWriter, pdf_bytes
from brief.writers.pdf.grid import Grid, GridStyle, Rules
from brief.writers.pdf.styles import WIDTH

CAPTION = "各县主要指标对照表"
HEADER = ("指标", "疏勒县", "岳普湖县")


def _long_table(n: int) -> model.Table:
    rows = tuple(((model.Text(f"第{i}项指标"),), (model.Text(f"{i}名"),), (model.Text(f"{i * 3}万元"),))
                 for i in range(1, n + 1))
    return model.Table(tuple((model.Text(h),) for h in HEADER), rows, caption=CAPTION, numeric=(False, True, True))


def _pages(pdf: bytes) -> list[str]:
    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_a_long_table_goes_on_under_xubiao_and_its_header_and_keeps_every_row_once_in_order():
    doc = model.Document(model.Meta("表格"), (model.Paragraph((model.Text("表前一段。"),)), _long_table(90)))
    pages = _pages(pdf_bytes(doc, pdf_fonts()))
    assert len(pages) >= 3
    assert pages[0].count(CAPTION) == 1 and pages[0].index(CAPTION) < pages[0].index("".join(HEADER))
    assert "续表" not in pages[0]
    for page in pages[1:]:  # the title once, then 续表 above the repeated header on every page after
        assert CAPTION not in page and page.count("".join(HEADER)) == 1, page[:80]
        assert re.sub(r"^—\d+—", "", page).startswith("续表" + "".join(HEADER)), page[:80]
    text = "".join(pages)
    positions = [text.find(f"第{i}项指标{i}名{i * 3}万元") for i in range(1, 91)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert all(text.count(f"第{i}项指标") == 1 for i in (1, 9, 10, 45, 90))


def test_row_heights_match_reportlab_table():
    """The same cells in reportlab's Table (as the writer used before) give the same height."""
    fonts = pdf_fonts()
    writer = PdfWriter(fonts)
    long_cell = "援疆干部人才与当地教师医生结为师徒，并举办专题培训班，着力培养本地骨干力量"
    cells = [[writer.text(t, "cell")] for t in ("短", long_cell, "490名")]
    ours = Grid([cells], [100.0, 150.0, 60.0], GridStyle(padding=(3, 4, 4, 4), rules=Rules(0.5, colors.black, "grid")))
    theirs = Table([[writer.text(t, "cell") for t in ("短", long_cell, "490名")]], colWidths=[100.0, 150.0, 60.0])
    theirs.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("LEFTPADDING", (0, 0), (-1, -1), 4),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    assert ours.wrap(310, 800) == pytest.approx(theirs.wrap(310, 800))
    assert ours.height > 3 * 17  # the long cell wraps onto several lines


def test_split_leaves_three_rows_or_more_on_each_side():
    writer = PdfWriter(pdf_fonts())
    rows = [[[writer.text(t, "cell")] for t in ("指标", "数值")]] + [
        [[writer.text(f"第{i}行", "cell")], [writer.text("1名", "cell")]] for i in range(7)]
    more = writer.text("续表", "cell")
    grid = Grid(rows, [200.0, 100.0], GridStyle(), title=writer.text(CAPTION, "center"), header_rows=1, more=more)
    _, height = grid.wrap(300, 1000)
    top, row = grid._title_height + grid._heights[0], grid._heights[1]
    assert grid.split(300, top + row / 2) == []  # only title and header fit
    assert grid.split(300, top + 2 * row + 0.1) == []  # two rows would stand alone: the whole table moves on
    head, rest = grid.split(300, top + 3 * row + 0.1)
    assert len(head.rows) == 1 + 3 and len(rest.rows) == 1 + 4 and rest.rows[0][0][0] is rows[0][0][0]
    assert rest.title is None and rest._continued and rest.more is more  # 续表 above, not a row of its own
    head, rest = grid.split(300, top + 6 * row + 0.1)  # six fit, but one would be left: three go on
    assert len(head.rows) == 1 + 4 and len(rest.rows) == 1 + 3
    # the continued part is the header and its rows only: 续表 stands above it, in the page's margin,
    # so that it holds as many rows as the DOCX's continued table (which has no 续表)
    assert head.wrap(300, 1000)[1] + rest.wrap(300, 1000)[1] == pytest.approx(height + grid._heights[0])
    long = Grid(rows[:1] + rows[1:] * 2, [200.0, 100.0], GridStyle(), title=writer.text(CAPTION, "center"),
                header_rows=1, more=more)
    long.wrap(300, 1000)
    first, rest = long.split(300, top + 3 * row + 0.1)
    assert not first._continued and first.title is not None
    head, tail = rest.split(300, grid._heights[0] + 4 * row + 0.1)  # a continued part split again
    assert head._continued and tail._continued and head.title is None and len(head.rows) == 1 + 4
    assert grid.least_height(300) == pytest.approx(top + 3 * row)


def test_cell_heights_measured_at_layout_go_with_the_rows_of_a_split():
    """draw places each cell's text by the content height worked out once at layout (grid._contents),
    which every part of a split carries for its own rows: the height the cell has when drawn."""
    from brief.writers.pdf.grid import _content_height

    writer = PdfWriter(pdf_fonts())
    long_cell = "援疆干部人才与当地教师医生结为师徒，并举办专题培训班"
    rows = [[[writer.text(t, "cell")] for t in ("指标", "数值")]] + [
        [[writer.text(f"第{i}行" + long_cell * (i % 3), "cell")], [writer.text(f"{i}名", "cell")]] for i in range(9)]
    grid = Grid(rows, [200.0, 100.0], GridStyle(), header_rows=1, more=writer.text("续表", "cell"))
    grid.wrap(300, 1000)
    head, rest = grid.split(300, sum(grid._heights[:5]) + 0.1)
    for part in (grid, head, rest):
        assert part._contents == [[_content_height(cell) for cell in row] for row in part.rows]
    assert len({c for row in grid._contents for c in row}) >= 3  # one, two and three lines
    for row in grid.rows:  # a one-paragraph cell's short cut is reportlab's sum
        for cell in row:
            total = sum(p.height + p.getSpaceBefore() + p.getSpaceAfter() for p in cell)
            assert _content_height(cell) == total - cell[0].getSpaceBefore() - cell[-1].getSpaceAfter()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_numeric_cells_sit_right_and_text_cells_left(tmp_path):
    doc = model.Document(model.Meta("表格"), (_long_table(3),))
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf_bytes(doc, pdf_fonts()))
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = {m.group(5): (float(m.group(1)), float(m.group(3)))
             for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', bbox)}
    right_edges = {round(words[w][1]) for w in ("1名", "2名", "3名")}
    left_edges = {round(words[w][0]) for w in ("第1项指标", "第2项指标", "第3项指标")}
    assert len(right_edges) == 1 and len(left_edges) == 1


def _cells(grid: Grid, column: int) -> list:
    return [row[column][0] for row in grid.rows[1:]]


def test_a_table_is_set_smaller_so_that_its_figures_keep_one_line():
    """Seven columns of long figures with units: at 10.5 pt the label column would get under six 汉字,
    so the whole table, header included, is set smaller; every figure stays on one line, and its
    column is no wider than the figure needs while the label takes the rest."""
    writer = PdfWriter(pdf_fonts())
    names = ("疏勒县", "岳普湖县", "麦盖提县", "英吉沙县", "合计", "同比")
    header = tuple((model.Text(h),) for h in ("指标", *names))
    figures = ("约2.5万人次", "1.38万余人次", "1.52万人次", "2.12万人次", "约8.02万余人次", "上升约15.71%")
    table = model.Table(header, (((model.Text("农技推广培训人次"),), *((model.Text(f),) for f in figures)),),
                        numeric=(False,) + (True,) * 6)
    grid = writer.visit_table(table)[0]
    grid.wrap(WIDTH, 1000)
    for column in range(1, 7):
        (cell,) = _cells(grid, column)
        assert len(cell.lines(cell.width)) == 1, "".join(r.text for r in cell.runs)
    sizes = {run.size for row in grid.rows for cell in row for run in cell[0].runs}
    assert len(sizes) == 1  # the whole table, header included, one size
    size = sizes.pop()
    assert 9.0 <= size < 10.5
    assert sum(grid.widths) == pytest.approx(WIDTH)
    assert grid.widths[0] >= tablefit.LABEL_MIN * size  # the label column has what the figures leave
    for column in range(1, 7):  # a figure column is as wide as its widest figure needs, no wider
        (cell,) = _cells(grid, column)
        assert grid.widths[column] <= cell.lines(cell.width)[0].width + 2 * 4.0 + 10, column


def test_a_table_whose_figures_fit_keeps_its_size():
    writer = PdfWriter(pdf_fonts())
    table = model.Table(((model.Text("指标"),), (model.Text("2023年"),)),
                        (((model.Text("选派干部人才"),), (model.Text("490名"),)),), numeric=(False, True))
    grid = writer.visit_table(table)[0]
    assert {run.size for row in grid.rows for cell in row for run in cell[0].runs} == {12.0}
