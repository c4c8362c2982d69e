"""Table cells remembered per process (wml.Paragraphs.cell, issue 19) are the cells made afresh."""

from __future__ import annotations

import pytest

from brief.model import Text
from brief.writers.docx import wml

STYLES = {"table": "Table1", "table_header": "TableHead"}
STRONG = {"table": wml.font_xml("heading")}  # bold cells in 黑体


def fresh(key: str, inlines: tuple[Text, ...], ppr: str, rpr: str, width: int, size: float) -> str:
    p = wml.Paragraphs(STYLES, 9000, STRONG)
    return p.p(key, inlines, ppr, rpr, keep_end=True, fit=wml.figure_scale(inlines, width, size, p.spans))


@pytest.mark.parametrize("text", ["临时党支部", "123456789012.99万元", "下降约99.96%", "—", "（甲）。“乙”"])
def test_a_cell_after_other_widths_is_the_cell_made_alone(text: str) -> None:
    wml._CELLS.clear()
    for width in (600, 5000, 900, 600):  # narrow: a long figure is scaled; wide: it is not
        for key, bold in (("table", False), ("table_header", False), ("table", True)):
            cell = (Text(text, bold),)
            got = wml.Paragraphs(STYLES, 9000, STRONG).cell(key, cell, "<w:keepNext/>", "", width, 12.0)
            assert got == fresh(key, cell, "<w:keepNext/>", "", width, 12.0)


def test_the_narrow_cell_scales_its_figure_and_the_wide_one_does_not() -> None:
    wml._CELLS.clear()
    cells = wml.Paragraphs(STYLES, 9000, STRONG)
    narrow = cells.cell("table", (Text("123456789012.99万元"),), "", "", 600, 12.0)
    wide = cells.cell("table", (Text("123456789012.99万元"),), "", "", 5000, 12.0)
    assert '<w:w w:val="' in narrow and '<w:w w:val="' not in wide


def test_the_memo_is_bounded() -> None:
    wml._CELLS.clear()
    cells = wml.Paragraphs(STYLES, 9000, STRONG)
    for i in range(wml.CELLS_KEPT + 10):
        cells.cell("table", (Text(f"标签{i}"),), "", "", 1000, 12.0)
    assert len(wml._CELLS) <= wml.CELLS_KEPT


def test_other_styles_get_their_own_cells() -> None:
    wml._CELLS.clear()
    a = wml.Paragraphs(STYLES, 9000, STRONG).cell("table", (Text("甲乙"),), "", "", 1000, 12.0)
    b = wml.Paragraphs({"table": "Other"}, 9000, STRONG).cell("table", (Text("甲乙"),), "", "", 1000, 12.0)
    assert 'w:val="Table1"' in a and 'w:val="Other"' in b
