"""Table cells remembered per process (wml.Paragraphs.cell, issue 19) are the cells made afresh."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _segments_the_long_way(text: str, spans, marks, keep) -> list[tuple[str, str]]:  # noqa: ANN001
    """wml._segments as it was before its short cuts (issue 19), for comparison."""
    if not (marks or spans or keep):
        return [(text, "")]
    cuts = [(k, k + 1, "mark") for k in marks] + [(a, b, "figure") for a, b in spans]
    cuts += [(a, b, "figure") for a, b in keep if not any(a < e and s < b for s, e in spans)]
    out: list[tuple[str, str]] = []
    pos = 0
    for start, end, kind in sorted(cuts):
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], ""))
        out.append((wml.joined(text[start:end]) if kind == "figure" else text[start:end], kind))
        pos = end
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="临时党支部下降约超过余万亿个人次0123456789.%—，。（）“”", min_size=1, max_size=14),
       st.booleans())
def test_segments_cut_as_the_long_way_cuts(text: str, keep_end: bool) -> None:
    spans = tuple(wml.figure_spans(text))
    marks = wml.halved_marks(text) if wml._MARK_PAIR.search(text) else ()
    keep = ((len(text) - 2, len(text)),) if keep_end and wml._CJK_END.search(text) else ()
    assert wml._segments(text, spans, marks, keep) == _segments_the_long_way(text, spans, marks, keep)
