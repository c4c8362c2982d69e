"""A rendered summary prints a 约 total no more precisely than its coarsest addend, and computes its
year-over-year change from the exact totals (rounding is for print only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.compose.summary_scaled import SCALE_FROM, scale_view
from brief.data.dataset import load_dataset
from helpers import brief, data_copy, docx_paragraphs, pdf_body

CATALOG = """\
sections:
  team: {title: 队伍建设}
indicators:
  funds:  {label: 援疆资金, unit: 元, section: team, aggregate: sum}
  cadres: {label: 选派干部人才, unit: 名, section: team, aggregate: sum}
"""
FIGURES = {  # year: county: (funds, cadres)
    2023: {"a": ("1.2亿元", "128"), "b": ("约3450万元", "1600余")},
    2022: {"a": ("1.2亿元", "120"), "b": ("约3000万元", "1500余")},
}


def _write(root: Path) -> None:
    (root / "programs").mkdir(parents=True)
    (root / "indicators.yaml").write_text(CATALOG, encoding="utf-8")
    (root / "programs" / "p.yaml").write_text("name: 测试援疆指挥部\nprovince: 山东省\nprefecture: 喀什地区\n"
                                              "counties: [a, b]\n", encoding="utf-8")
    for year, counties in FIGURES.items():
        for cid, (funds, cadres) in counties.items():
            folder = root / "counties" / cid
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{year}.yaml").write_text(
                f"county: {cid.upper()}县\npartner: 济宁市\nyear: {year}\nsource: 测试数据\n"
                f"indicators:\n  funds: {funds}\n  cadres: {cadres}\n", encoding="utf-8")


@pytest.mark.slow
def test_the_printed_total_is_rounded_and_its_change_exact(tmp_path: Path) -> None:
    _write(tmp_path / "data")
    out = tmp_path / "out"
    result = brief("summary", "p", "--year", "2023", "--data", str(tmp_path / "data"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pdf = pdf_body(next((out / "2023").glob("*.pdf")))
    docx = "".join(docx_paragraphs(next((out / "2023").glob("*.docx"))))
    for text in (pdf, docx):
        # 1.2亿 + 约3450万 = 约1.545亿, known to 0.1亿 (1.2亿): printed 约1.5亿元
        assert "约1.5亿元" in text and "1.545亿" not in text
        # last year's 1.2亿 + 约3000万 is 约1.5亿 too; the change is of the exact totals
        assert "上升约3.00%" in text and "持平" not in text
        # counts written in full sum exactly, the qualifier kept (the contract's 490 + 1600余 = 2090余)
        assert "1728余名" in text


def test_a_large_summary_rounds_its_totals_and_subtotals(tmp_path: Path) -> None:
    """The >30-county summary (compose/summary_scaled.py): totals, key-figure band and subtotals."""
    root = tmp_path / "data"
    (root / "programs").mkdir(parents=True)
    (root / "indicators.yaml").write_text(CATALOG, encoding="utf-8")
    ids = [f"c{i:02d}" for i in range(SCALE_FROM + 1)]
    (root / "programs" / "p.yaml").write_text(f"name: 测试援疆指挥部\nprovince: 山东省\ncounties: [{', '.join(ids)}]\n",
                                              encoding="utf-8")
    for i, cid in enumerate(ids):  # one county writes 约1.2亿元, the others 3450万元: 约11.55亿, known to 0.1亿
        (root / "counties" / cid).mkdir(parents=True)
        (root / "counties" / cid / "2023.yaml").write_text(
            f"county: 样本{i:02d}县\nprefecture: {'喀什地区' if i < 16 else '和田地区'}\npartner: 济宁市\n"
            f"year: 2023\nsource: 测试数据\nindicators:\n  funds: {'约1.2亿元' if i == 0 else '3450万元'}\n"
            f"  cadres: {100 + i}\n", encoding="utf-8")
    ds = load_dataset(root)
    files = {cid: ds.counties[(cid, 2023)] for cid in ids}
    view = scale_view(ds.catalog, files, {}, None)
    totals = {r.key: r.total_text for s in view.totals for r in s.rows}
    assert totals == {"funds": "约11.6亿元", "cadres": "3565名"}  # 11.55亿 half up; counts exactly
    assert [f.total_text for f in view.ranked] == ["约11.6亿元"]  # the first summed figure of the section
    # 喀什地区: 约1.2亿 + 15 × 3450万 = 约6.375亿 → 约6.4亿; 和田地区: 15 × 3450万 = 5.175亿, exact
    assert [g.subtotals for g in view.groups] == [("约6.4亿元",), ("5.175亿元",)]


@pytest.mark.parametrize(("declared", "accepted"), [
    ("约80.49万", True),  # the exact sum: 15.6万 + 近22万 + 30.89万 + 约12万
    ("约80万", True),  # as the summary prints it (rounded to the 万 of 约12万): copied from it
    ("约81万", False),
])
def test_a_declared_total_may_be_the_printed_one(tmp_path: Path, declared: str, accepted: bool) -> None:
    data = data_copy(tmp_path, {"programs/shandong/2023.yaml": (
        "  paired_families: 1010", f"  paired_families: 1010\n  orchard_area: {declared}")})
    problems = [p for p in load_dataset(data, totals=False).totals_problems if p.key == "orchard_area"]
    assert (problems == []) is accepted, problems
    if not accepted:
        assert f"申报合计 {declared}亩 与各县之和 约80万亩 不符" in problems[0].message
