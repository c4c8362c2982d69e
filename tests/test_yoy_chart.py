"""The county brief's year-over-year chart shows the indicators that moved most: by the size of the
change (exact, as printed), unchanged ones (持平) left out, at most 8, largest rise first down to the
largest fall, ties in catalog order (compose/context.yoy_chart, domain/ranking.largest_changes).

Read back as a reader meets it: the PDF's bars left to right (pdfplumber: each bar's value label and
the name beneath it), and the DOCX's chart picture (the PNG a chart of exactly those bars draws).
Before, the chart took the first 8 indicators by the code-point order of their labels, 0 bars included.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from brief import model
from brief.data.dataset import load_dataset
from brief.documents import COUNTY, Target, default_templates
from brief.render import compose, render_county
from helpers import DATA

YEAR = 2023
TITLE = "图1\u3000主要指标同比变化（2022年—2023年）"
# 英吉沙 2023 with two edits: 林果种植面积 falls (30.5万 → 20万, 下降34.43%) and 结对学校 stays 30 (持平)
EDITS = {"orchard_area: 30.89万": "orchard_area: 20万", "school_pairs: 40": "school_pairs: 30"}
EXPECTED = [("林下辣椒种植面积", "40.00"), ("安装定频广播设备", "33.33"),
            ("政德教育培训期数", "25.00"), ("国学书院接待参观人次", "25.00"),  # four of 25.00: catalog order
            ("鲁疆家庭结对联谊", "25.00"), ("集体婚礼和金婚银婚庆典", "25.00"),
            ("传统文化阵地", "23.81"), ("林果种植面积", "-34.43")]  # the fall last; 23.08 and below left out
SHIPPED = [("林下辣椒种植面积", "40.00"), ("结对学校", "33.33"), ("安装定频广播设备", "33.33"),
           ("政德教育培训期数", "25.00"), ("国学书院接待参观人次", "25.00"), ("鲁疆家庭结对联谊", "25.00"),
           ("集体婚礼和金婚银婚庆典", "25.00"), ("传统文化阵地", "23.81")]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("chart") / "data"
    shutil.copytree(DATA, data)
    path = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in EDITS.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def outputs(edited: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    written = render_county(edited, "yingjisha", YEAR, ("pdf", "docx"), tmp_path_factory.mktemp("out"))
    return {p.suffix: p for p in written}


def chart_of(data: Path, county: str, year: int) -> model.Chart | None:
    doc = compose(load_dataset(data), Target(COUNTY, county, year), default_templates())
    charts = [b for b in doc.blocks if isinstance(b, model.Chart)]
    assert len(charts) <= 1
    return charts[0] if charts else None


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def pdf_bars(pdf: Path) -> list[tuple[str, str]]:
    """The chart's bars left to right: (the name beneath, the value label on it)."""
    with pdfplumber.open(pdf) as doc:
        page = next(p for p in doc.pages if TITLE[:2] in (p.extract_text() or ""))
        words = page.extract_words(extra_attrs=["size"])
        unit = next(w for w in words if w["text"].startswith("单位"))
        caption = next(w for w in words if w["text"].startswith(TITLE[:2]))
        inside = [w for w in words if unit["top"] < w["top"] < caption["top"]]
        # value labels are set at 8 pt, the axis ticks and the names at 9 pt (writers/barchart.py)
        values = sorted((w for w in inside if w["size"] < unit["size"] - 0.5), key=lambda w: w["x0"])
        ticks = [w for w in inside if w["size"] >= unit["size"] - 0.5 and NUMBER.fullmatch(w["text"])]
        floor = max((t["top"] + t["bottom"]) / 2 for t in ticks)  # the names start below the lowest tick's line
        centres = [(w["x0"] + w["x1"]) / 2 for w in values]
        names = [""] * len(values)
        chars = [c for c in page.chars if floor < c["top"] < caption["top"] - 1]
        for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
            mid = (c["x0"] + c["x1"]) / 2
            i = min(range(len(centres)), key=lambda i: abs(centres[i] - mid))
            names[i] += c["text"]
        return list(zip(names, (w["text"] for w in values), strict=True))


def test_pdf_shows_the_largest_moves_rises_first(outputs: dict[str, Path]) -> None:
    assert pdf_bars(outputs[".pdf"]) == EXPECTED


def test_docx_chart_picture_is_those_bars(outputs: dict[str, Path]) -> None:
    from docx.shared import Twips

    from brief.writers.docx.chart_png import chart_png
    from brief.writers.docx.template import Template

    expected = model.Chart(TITLE, tuple(n for n, _ in EXPECTED),
                           (model.Series("同比", tuple(float(v) for _, v in EXPECTED), tuple(v for _, v in EXPECTED)),),
                           unit="%")
    with zipfile.ZipFile(outputs[".docx"]) as z:
        pngs = [z.read(n) for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        document = z.read("word/document.xml").decode("utf-8")
    # the chart's alt text: its title, then each bar as printed, so a screen reader (and Find) gets them
    bars = "；".join(f"{name} {value}" for name, value in EXPECTED)
    assert f'descr="{TITLE}：{bars}（单位：%）"' in document
    width = Twips(Template.read(default_templates() / "reference.docx").text_width).mm  # as the writer draws it
    assert chart_png(expected, width_mm=width) in pngs


def test_shipped_brief_chart(tmp_path: Path) -> None:
    chart = chart_of(DATA, "yingjisha", YEAR)
    assert chart is not None and chart.title == TITLE
    assert list(zip(chart.categories, chart.series[0].labels, strict=True)) == SHIPPED
    assert "临时党支部" not in chart.categories  # 3 → 3, 持平: no bar of 0


def test_no_chart_when_nothing_changed(tmp_path: Path) -> None:
    """A year compared with a year of the same figures has every indicator 持平: no chart at all."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    county = data / "counties" / "yingjisha"
    text = (county / "2022.yaml").read_text(encoding="utf-8")
    (county / "2021.yaml").write_text(text.replace("year: 2022", "year: 2021", 1), encoding="utf-8")
    assert chart_of(data, "yingjisha", 2022) is None
