"""The chart layout both writers draw (writers/barchart.py), and the PDF that shows it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from brief import model
from brief.fonts import pdf_fonts
from brief.writers import barchart
from brief.writers.pdf import pdf_bytes


class FixedMetrics:
    ascent, descent = 0.88, 0.12

    def width(self, text: str, size: float) -> float:
        return len(text) * size


TWO = model.Chart("图1　各县对比", ("疏勒县", "岳普湖县", "麦盖提县"),
                  (model.Series("2022年", (10.0, 20.0, 30.0)), model.Series("2023年", (12.0, -4.0, 33.5))), unit="名")


def test_bars_stand_on_zero_in_proportion():
    pic = barchart.layout(TWO, FixedMetrics())
    assert len(pic.rects) == 3 * 2 + 2  # bars, then a legend swatch per series
    bars = pic.rects[:6]
    zero = pic.axes[0].y0
    heights = [(b.y1 - b.y0) * (1 if b.y1 == pytest.approx(zero) else -1) for b in bars]
    values = [10.0, 12.0, 20.0, -4.0, 30.0, 33.5]  # category by category, series within
    scale = heights[0] / values[0]
    assert heights == pytest.approx([v * scale for v in values])
    assert [b.colour for b in bars[:2]] == list(barchart.COLOURS[:2])
    assert all(b.x1 < c.x0 for b, c in zip(bars, bars[1:], strict=False))  # side by side, never overlapping


def test_labels_name_every_value_category_tick_unit_and_series():
    pic = barchart.layout(TWO, FixedMetrics())
    texts = [label.text for label in pic.labels]
    for t in ("10", "12", "20", "-4", "30", "33.5", "疏勒县", "岳普湖县", "麦盖提县", "单位：名", "2022年", "2023年"):
        assert t in texts, t
    ticks = [float(label.text) for label in pic.labels if label.align == "right"]
    assert min(ticks) <= -4 and max(ticks) >= 33.5
    assert all(0 <= label.baseline <= pic.height for label in pic.labels)


def test_one_series_has_no_legend_and_long_names_wrap():
    one = model.Chart("图", ("农技推广培训人次",) * 8, (model.Series("同比", (1.0,) * 8),))
    pic = barchart.layout(one, FixedMetrics())
    assert len(pic.rects) == 8 and "同比" not in [label.text for label in pic.labels]
    parts = [label.text for label in pic.labels if label.text in "农技推广培训人次" and label.align == "center"]
    assert len(parts) == 8 * 2 and "".join(parts[:2]) == "农技推广培训人次"


def test_a_series_of_the_wrong_length_is_refused():
    bad = model.Chart("图", ("甲", "乙"), (model.Series("s", (1.0,)),))
    with pytest.raises(ValueError, match="has 1 values for 2 categories"):
        barchart.layout(bad, FixedMetrics())


def test_the_pdf_draws_the_chart_with_its_text():
    doc = model.Document(model.Meta("图表"), (TWO,))
    text = "".join(PdfReader(io.BytesIO(pdf_bytes(doc, pdf_fonts()))).pages[0].extract_text().split())
    for t in ("单位：名", "疏勒县", "岳普湖县", "33.5", "2023年", "图1", "各县对比"):
        assert t in text, t


def test_a_bar_prints_its_value_as_the_template_wrote_it():
    chart = model.Chart("图", ("党小组", "临时党支部"), (model.Series("同比", (12.5, 0.0), ("12.50", "0.00")),))
    texts = [label.text for label in barchart.layout(chart, FixedMetrics()).labels]
    assert "12.50" in texts and "0.00" in texts and "12.5" not in texts


def test_one_category_draws_a_bar_no_wider_than_a_four_county_chart():
    """The 2022 年度汇总 (one county) drew a single bar 11 cm wide; it is capped and centred."""
    one = model.Chart("图", ("英吉沙县",), (model.Series("2022年", (430.0,)),))
    pic = barchart.layout(one, FixedMetrics())
    (bar,) = pic.rects
    assert bar.x1 - bar.x0 <= barchart.MAX_BAR
    left, right = pic.axes[0].x0, pic.axes[0].x1
    assert (bar.x0 + bar.x1) / 2 == pytest.approx((left + right) / 2)
    four = model.Chart("图", ("甲", "乙", "丙", "丁"), (model.Series("s", (1.0, 2.0, 3.0, 4.0)),))
    four_bars = barchart.layout(four, FixedMetrics()).rects
    assert all(r.x1 - r.x0 < barchart.MAX_BAR for r in four_bars)  # four counties: uncapped, as before
    assert four_bars[0].x0 - left == pytest.approx((right - left) / 4 * 0.1 + (right - left) / 4 * 0.8 * 0.04)
