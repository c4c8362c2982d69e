"""The annual summary: every printed total recomputed from the county files; charts; drafts; gaps."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from brief.data.dataset import load_dataset
from brief.domain.aggregate import aggregate, stated
from brief.domain.quantity import format_change, format_quantity
from helpers import DATA, brief, data_copy, docx_paragraphs, pdf_body, pdftotext, render_once

STEM = "2023年山东援疆指挥部援疆工作年度汇总"
STALE_TOTAL = {"programs/shandong/2023.yaml": ("cadres_dispatched: 2670余", "cadres_dispatched: 2680余")}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_once(tmp_path_factory, "summary", "shandong", "--year", "2023")


@pytest.mark.slow
def test_summary_writes_exactly_two_files(rendered: Path) -> None:
    assert sorted(p.name for p in rendered.parent.rglob("*") if p.is_file()) == [f"{STEM}.docx", f"{STEM}.pdf"]


def county_tables(path: Path) -> list[list[list[str]]]:
    out = []
    for table in docx.Document(str(path)).tables:
        # a label broken between words carries a line break (writers/wordwrap.py): the text is the label's
        rows = [[c.text.replace("\n", "") for c in row.cells] for row in table.rows]
        if rows and rows[0][0] == "指标" and "合计" in rows[0]:
            out.append(rows)
    return out


@pytest.mark.slow
def test_every_printed_total_recomputed_from_county_files(rendered: Path) -> None:
    ds = load_dataset(DATA)
    program = ds.programs["shandong"]
    by_label = {i.label: i for i in ds.catalog.indicators.values()}
    names = {cid: ds.counties[(cid, 2023)].county for cid in program.counties}
    tables = county_tables(rendered / f"{STEM}.docx")
    assert len(tables) == 6
    checked = 0
    pdf = pdf_body(rendered / f"{STEM}.pdf")
    for rows in tables:
        header = [h.replace("（稿）", "") for h in rows[0]]
        total_at = header.index("合计")
        assert header[1:total_at] == [names[c] for c in program.counties]
        for row in rows[1:]:
            ind = by_label[row[0]]
            values = [ds.counties[(c, 2023)].indicators.get(ind.key) for c in program.counties]
            for cell, q in zip(row[1:total_at], values, strict=True):
                shown = "—" if q is None else format_change(q) if ind.change else format_quantity(q, ind.unit)
                assert cell == shown, (ind.key, cell, shown)
            reported = [q for q in values if q is not None]
            total = stated(ind.aggregate, aggregate(ind.aggregate, reported), reported)  # as printed
            if total is None:
                expected = "—"
            else:
                expected = format_change(total) if ind.change else format_quantity(total, ind.unit)
            assert row[total_at] == expected, (ind.key, row[total_at], expected)
            assert expected.replace("—", "") in pdf
            checked += 1
    assert checked > 30


def test_contract_examples_of_qualified_sums(rendered: Path) -> None:
    text = "".join(docx_paragraphs(rendered / f"{STEM}.docx"))
    assert "2670余名" in text  # 1600余 + 300 + 280 + 490
    assert "2057.6万元" in text


def test_drafts_are_marked(rendered: Path) -> None:
    assert "麦盖提县（稿）" in "".join(docx_paragraphs(rendered / f"{STEM}.docx"))
    assert "征求意见稿" in pdftotext(rendered / f"{STEM}.pdf")


def test_charts_are_vector_in_pdf_and_images_in_docx(rendered: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(rendered / f"{STEM}.pdf"))
    text = "".join(page.extract_text() for page in reader.pages[:3])
    assert "图1" in text and "单位：名" in text  # axis text drawn as text: a vector chart
    images = [name for page in reader.pages for name in page.images]
    assert images == []
    document = docx.Document(str(rendered / f"{STEM}.docx"))
    pictures = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert len(pictures) >= 2


@pytest.mark.slow
def test_missing_county_is_named_not_skipped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "counties" / "yingjisha" / "2023.yaml").unlink()  # 2022 still names the county
    (data / "programs" / "shandong" / "2023.yaml").write_text("year: 2023\nsource: 测试\n", encoding="utf-8")
    result = brief("summary", "shandong", "--year", "2023", "--data", str(data), "--out", str(tmp_path / "o"),
                   "--format", "docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = "".join(docx_paragraphs(next((tmp_path / "o").rglob("*.docx"))))
    assert "本汇总未含英吉沙县" in text


@pytest.mark.slow
def test_totals_mismatch_reported_with_both_figures(tmp_path: Path) -> None:
    data = data_copy(tmp_path, STALE_TOTAL)
    result = brief("validate", "--data", str(data), cwd=tmp_path)
    assert result.returncode == 1
    assert "申报合计 2680余名 与各县之和 2670余名 不符" in result.stderr
    assert "data/programs/shandong/2023.yaml:" in result.stderr and "shule/2023.yaml" in result.stderr


@pytest.mark.slow
def test_county_brief_states_year_over_year(tmp_path: Path) -> None:
    result = brief("render", "yingjisha", "--year", "2023", "--format", "docx", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(next(tmp_path.rglob("*.docx"))))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    assert ["党小组", "9个", "8个", "上升12.50%"] in rows
    assert any(r[0] == "三四级手术量同比" and r[1] == "上升61.36%" for r in rows)


@pytest.mark.slow
def test_summary_states_year_over_year_when_every_county_has_last_year(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    for county in ("shule", "yuepuhu", "maigaiti"):
        text = (data / "counties" / county / "2023.yaml").read_text(encoding="utf-8")
        if county == "yuepuhu":
            assert "cadres_dispatched: 300\n" in text
            text = text.replace("cadres_dispatched: 300\n", "cadres_dispatched: 250\n")
        (data / "counties" / county / "2022.yaml").write_text(text.replace("year: 2023", "year: 2022"),
                                                            encoding="utf-8")
    result = brief("summary", "shandong", "--year", "2023", "--data", str(data), "--out", str(tmp_path / "o"),
                   "--format", "docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(next((tmp_path / "o").rglob("*.docx"))))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    cadres = next(r for r in rows if r[0] == "选派干部人才")
    # 2022: 1600余 + 250 + 280 + 430 = 2560余; 2023: 2670余 -> 约4.30%
    assert cadres[-2:] == ["2670余名", "上升约4.30%"]


@pytest.mark.slow
def test_stale_program_total_stops_the_summary_not_the_county_brief(tmp_path: Path) -> None:
    data = data_copy(tmp_path, STALE_TOTAL)
    common = ["--year", "2023", "--data", str(data), "--out", str(tmp_path / "o"), "--format", "docx"]
    assert brief("render", "shule", *common, cwd=tmp_path).returncode == 0
    result = brief("summary", "shandong", *common, cwd=tmp_path)
    assert result.returncode == 1 and "申报合计 2680余名" in result.stderr


def test_a_broken_county_file_is_not_blamed_on_the_program_totals(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "counties" / "yingjisha" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("partner: 济宁市", 'partner: "济宁市'), encoding="utf-8")
    result = brief("validate", "--data", str(data), cwd=tmp_path)
    assert result.returncode == 1
    expected = "data/counties/yingjisha/2023.yaml:5: partner: YAML 语法错误：引号没有闭合"
    assert result.stderr.strip().splitlines() == [expected]
