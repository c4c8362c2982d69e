"""Excel fill-in forms (填报表): make one, fill it (as Excel, WPS or LibreOffice would), import it back.

Every test works on a copy of data/ in tmp_path; the project's data dir is never touched.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from brief.data.dataset import read_dataset
from brief.domain.quantity import (
    Qualifier,
    Quantity,
    QuantityError,
    format_number,
    format_quantity,
    parse_quantity,
)
from brief.errors import BriefError
from brief.forms import import_forms, make_form
from brief.forms.cells import figure_text, fold, squeeze
from brief.forms.layout import display_width

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
COUNTY_FILES = sorted(DATA.glob("counties/*/*.yaml"))
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
BOOK = "2023年英吉沙县援疆数据填报表.xlsx"


# ── helpers ─────────────────────────────────────────────────────────────────────────────────


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cell_of(path: Path, key: str) -> tuple[str, str]:
    """(sheet, coordinate) of an indicator's value cell, found through the key column."""
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in range(1, ws.max_row + 1):
            if ws.cell(row, 5).value == key and ws.title not in ("基本情况", "_brief"):
                return ws.title, f"C{row}"
    raise KeyError(key)


def fill(path: Path, values: dict[str, object], formats: dict[str, str] | None = None, save_as: Path | None = None
         ) -> Path:
    """Set cells (by indicator key, or by 'sheet!A1') the way a user types into them, and save."""
    wb = load_workbook(path)
    for target, value in values.items():
        sheet, coord = target.split("!") if "!" in target else cell_of(path, target)
        wb[sheet][coord].value = value
        if formats and target in formats:
            wb[sheet][coord].number_format = formats[target]
    out = save_as or path
    wb.save(out)
    return out


def problems_of(paths: list[Path], data: Path) -> list[str]:
    before = snapshot(data)
    with pytest.raises(BriefError) as exc:
        import_forms(paths, data)
    assert snapshot(data) == before, "nothing may be written when a problem is found"
    return [str(p) for p in exc.value.problems]


def yaml_diff(before: bytes, after: bytes) -> list[str]:
    return [line for line in difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def quantity_message(text: str, unit: str, change: bool = False) -> str:
    with pytest.raises(QuantityError) as exc:
        parse_quantity(text, unit, change=change)
    return str(exc.value)


# ── round trip ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
@pytest.mark.parametrize("county_file", COUNTY_FILES, ids=[f"{p.parent.name}-{p.stem}" for p in COUNTY_FILES])
def test_round_trip_every_county_file(county_file: Path, data: Path, tmp_path: Path) -> None:
    county, year = county_file.parent.name, int(county_file.stem)
    before = snapshot(data)
    record = read_dataset(data).counties[(county, year)]
    path = make_form(data, county, year, tmp_path / "forms")
    assert path.name == f"{year}年{record.county}援疆数据填报表.xlsx"
    # The value cells show the figures as the YAML writes them, and mean the same quantities.
    wb = load_workbook(path)
    shown = {}
    for ws in wb.worksheets[2:-2]:
        for row in range(4, ws.max_row + 1):
            if ws.cell(row, 3).value is not None:
                shown[ws.cell(row, 5).value] = ws.cell(row, 3).value
    catalog = read_dataset(data).catalog
    assert {k: parse_quantity(v, catalog.indicators[k].unit, change=catalog.indicators[k].change)
            for k, v in shown.items()} == record.indicators
    assert import_forms([path], data) == []
    # Opened and saved again without a change (as a user might), it still changes nothing.
    wb.save(path)
    assert import_forms([path], data) == []
    assert snapshot(data) == before
    again = read_dataset(data).counties[(county, year)]
    assert (again.indicators, again.highlights, again.summary) == (record.indicators, record.highlights,
                                                                   record.summary)


@pytest.mark.slow
def test_changed_value_changes_that_value_alone(form: Path, data: Path) -> None:
    yaml_path = data / "counties/yingjisha/2023.yaml"
    before = yaml_path.read_bytes()
    fill(form, {"智力援疆!C7": "2.5万", "shrimp_yield_per_shed": "约320"})
    assert import_forms([form], data) == [yaml_path]
    assert yaml_diff(before, yaml_path.read_bytes()) == [
        "-  shrimp_yield_per_shed: 约300      # 原文“300公斤左右”",
        "-  agri_training_attendance: 2.12万",
        "+  shrimp_yield_per_shed: 约320      # 原文“300公斤左右”",
        "+  agri_training_attendance: 2.5万",
    ] or yaml_diff(before, yaml_path.read_bytes()) == [
        "-  shrimp_yield_per_shed: 约300      # 原文“300公斤左右”",
        "+  shrimp_yield_per_shed: 约320      # 原文“300公斤左右”",
        "-  agri_training_attendance: 2.12万",
        "+  agri_training_attendance: 2.5万",
    ]
    assert read_dataset(data).counties[("yingjisha", 2023)].indicators["agri_training_attendance"] == \
        parse_quantity("2.5万", "人次")
    # Importing the same form again is a no-op.
    assert import_forms([form], data) == []


@pytest.mark.slow
def test_emptied_cell_removes_the_key_and_new_value_joins_in_catalog_order(form: Path, data: Path) -> None:
    yaml_path = data / "counties/yingjisha/2023.yaml"
    before = yaml_path.read_bytes()
    fill(form, {"new_vocational_majors": None, "sea_rice_yield": "549.63",
                "talents_dispatched_cumulative": "1.2万", "enterprise_guoxue_trainees": " "})
    import_forms([form], data)
    after = yaml_path.read_text(encoding="utf-8")
    assert yaml_diff(before, after.encode()) == [
        "+  sea_rice_yield: 549.63",
        "+  talents_dispatched_cumulative: 1.2万",
        "-  new_vocational_majors: 3",
        "-  enterprise_guoxue_trainees: 2万余",
    ]
    lines = after.splitlines()
    # a new key sits under its section's last indicator, above the next section's comment
    assert lines[lines.index("  sea_rice_yield: 549.63") - 1].startswith("  saline_land_improvement_planned: 2000余")
    assert lines[lines.index("  sea_rice_yield: 549.63") + 1] == "  # 智力援疆"
    assert lines[lines.index("  talents_dispatched_cumulative: 1.2万") + 1] == "  # 民生援疆"
    # a removed key takes its line only: the section comments after it stay
    assert lines[lines.index("  hospital_floor_area: 10万") + 1] == "  # 文化润疆"
    assert lines[lines.index("  cadre_training_attendance: 8700余") + 1] == "  # 交往交流交融"
    values = read_dataset(data).counties[("yingjisha", 2023)].indicators
    assert "new_vocational_majors" not in values and values["sea_rice_yield"] == Quantity(Decimal("549.63"))


@pytest.mark.slow
def test_emptying_a_cited_figure_is_reported_at_the_citing_text(form: Path, data: Path) -> None:
    fill(form, {"wedding_couples": None})
    assert problems_of([form], data) == [
        f"{BOOK}:工作亮点!C16: wedding_couples: 引用了指标“wedding_couples”，但本文件 indicators 中没有它的数值"]


def test_yaml_edits_keep_comments_in_place() -> None:
    from brief.forms.yamledit import delete_key, dump_text, insert_key, load_text

    text = ("# head\nindicators:\n  # one\n  a: 1\n  b: 2   # about b\n  # two\n  c: 3\n  d: 4\n\n"
            "highlights: {}\n")
    doc = load_text(text)
    delete_key(doc["indicators"], "b")
    delete_key(doc["indicators"], "d")
    assert dump_text(doc) == "# head\nindicators:\n  # one\n  a: 1\n  # two\n  c: 3\n\nhighlights: {}\n"
    doc = load_text(text)
    delete_key(doc["indicators"], "a")
    insert_key(doc["indicators"], "bb", "9", ["a", "b", "bb", "c", "d", "e"])
    insert_key(doc["indicators"], "e", "5", ["a", "b", "bb", "c", "d", "e"])
    assert dump_text(doc) == ("# head\nindicators:\n  # one\n  b: 2   # about b\n  bb: '9'\n  # two\n  c: 3\n"
                              "  d: 4\n  e: '5'\n\nhighlights: {}\n")


@pytest.mark.slow
def test_facts_and_highlights(form: Path, data: Path) -> None:
    yaml_path = data / "counties/yingjisha/2023.yaml"
    before = yaml_path.read_bytes()
    fill(form, {"基本情况!B12": "新的标题：援疆开局", "基本情况!B10": "征求意见稿",
                "工作亮点!C4": "改写的正文，引用{{ ind.party_groups }}。\n第二段。",
                "工作亮点!A30": "文化润疆", "工作亮点!B30": "新增亮点", "工作亮点!C30": "新增正文。"})
    import_forms([form], data)
    diff = yaml_diff(before, yaml_path.read_bytes())
    assert "-status: final" in diff and "+status: draft" in diff
    assert "+headline: 新的标题：援疆开局" in diff
    assert "+        改写的正文，引用{{ ind.party_groups }}。" in diff and "+        第二段。" in diff
    assert "+    - title: 新增亮点" in diff
    record = read_dataset(data).counties[("yingjisha", 2023)]
    assert record.draft and record.highlights[0].text == "改写的正文，引用{{ ind.party_groups }}。\n第二段。"
    culture = [h.title for h in record.highlights if h.section == "culture"]
    assert culture[-1] == "新增亮点"
    assert len(diff) == 10  # status 2, headline 2, the text (1 line out, 2 in), the new item (3 lines)


def test_clearing_a_highlight_row_removes_it(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    ws = wb["工作亮点"]
    titles = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value]
    row = 4 + titles.index("杏林下“椒”出新答卷")
    for col in range(1, 6):
        ws.cell(row, col).value = None
    wb.save(form)
    import_forms([form], data)
    record = read_dataset(data).counties[("yingjisha", 2023)]
    industry = [h.title for h in record.highlights if h.section == "industry"]
    assert industry == ["戈壁滩上绽放红玫瑰", "盐碱地里“种”出白对虾"]


@pytest.mark.slow
def test_form_for_a_year_not_started_prefills_facts_only(data: Path, tmp_path: Path) -> None:
    path = make_form(data, "yingjisha", 2024, tmp_path)
    assert path.name == "2024年英吉沙县援疆数据填报表.xlsx"
    wb = load_workbook(path)
    facts = {wb["基本情况"].cell(r, 4).value: wb["基本情况"].cell(r, 2).value for r in range(4, 14)}
    assert facts["county"] == "英吉沙县" and facts["partner"] == "济宁市" and facts["year"] == "2024"
    assert facts["headline"] is None and facts["summary"] is None
    ws = wb["智力援疆"]
    assert ws["D3"].value == "2023年数值（参考）" and ws["D7"].value == "2.12万" and ws["C7"].value is None
    assert all(wb["工作亮点"].cell(r, 2).value is None for r in range(4, wb["工作亮点"].max_row + 1))
    fill(path, {"cadres_dispatched": "510", "agri_training_attendance": "2.3万"})
    written = import_forms([path], data)
    assert written == [data / "counties/yingjisha/2024.yaml"]
    ds = read_dataset(data)
    assert not ds.problems
    record = ds.counties[("yingjisha", 2024)]
    assert record.county == "英吉沙县" and record.year == 2024
    assert record.indicators == {"cadres_dispatched": Quantity(Decimal(510)),
                                 "agri_training_attendance": Quantity(Decimal(23000))}


# ── the form itself ─────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_form_layout_protection_and_print_setup(form: Path, data: Path, tmp_path: Path) -> None:
    wb = load_workbook(form)
    catalog = read_dataset(data).catalog
    titles = [s.title for s in catalog.sections.values()]
    assert wb.sheetnames == ["填写说明", "基本情况", *titles, "工作亮点", "_brief"]
    assert wb["_brief"].sheet_state == "hidden"
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet and not ws.protection.password
    for section in catalog.sections.values():
        ws = wb[section.title]
        indicators = catalog.in_section(section.key)
        headers = [ws.cell(3, c).value for c in range(1, 6)]
        assert headers == ["指标", "单位", "2023年数值", "2022年数值（参考）", "指标键"]
        prompts = {str(cell) for dv in ws.data_validations.dataValidation if dv.showInputMessage and dv.prompt
                   for rng in dv.sqref.ranges for cell in _cells(rng.coord)}
        for i, ind in enumerate(indicators):
            row = 4 + i
            assert (ws.cell(row, 1).value, ws.cell(row, 2).value or "", ws.cell(row, 5).value) == (
                ind.label, ind.unit, ind.key)
            assert ws.cell(row, 1).protection.locked and ws.cell(row, 2).protection.locked
            assert not ws.cell(row, 3).protection.locked
            assert ws.cell(row, 4).protection.locked and ws.cell(row, 5).protection.locked
            assert f"C{row}" in prompts
        width = ws.column_dimensions["A"].width
        assert width >= max(display_width(i.label) for i in indicators)
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "portrait"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
    talent = wb["智力援疆"]
    dv = next(dv for dv in talent.data_validations.dataValidation if "C7" in {str(c) for r in dv.sqref.ranges
                                                                              for c in _cells(r.coord)})
    for example in ("2.12万", "1600余", "近10万"):
        assert example in dv.prompt
    percent = next(dv for dv in wb["民生援疆"].data_validations.dataValidation if "61.36%" in (dv.prompt or ""))
    assert percent.sqref
    facts = wb["基本情况"]
    assert [facts.cell(r, 4).value for r in range(4, 14)] == [
        "county", "prefecture", "partner", "command", "year", "batch", "status", "source", "headline", "summary"]
    assert facts["B8"].protection.locked and not facts["B4"].protection.locked  # the year is fixed
    hl = wb["工作亮点"]
    assert [hl.cell(3, c).value for c in range(1, 6)] == ["栏目", "标题", "正文", "图片", "图片说明"]
    assert (hl["A5"].value, hl["B5"].value) == ("产业援疆", "戈壁滩上绽放红玫瑰")
    assert hl["D5"].value == "photos/flower_field.jpg"
    assert hl.max_row >= 3 + 13 + 10 and not hl.cell(hl.max_row, 3).protection.locked  # room for new ones
    # Without last year's file the reference column is hidden, not removed: the layout never moves.
    shule = load_workbook(make_form(data, "shule", 2023, tmp_path / "shule"))
    assert shule["智力援疆"].column_dimensions["D"].hidden
    assert shule["智力援疆"]["E7"].value == "agri_training_attendance"
    assert not list(tmp_path.rglob("*.tmp"))


def _cells(coord: str) -> Iterator[str]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(coord)
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            yield f"{get_column_letter(col)}{row}"


def test_unknown_county_is_one_line(data: Path, tmp_path: Path) -> None:
    with pytest.raises(BriefError) as exc:
        make_form(data, "yingjsha", 2023, tmp_path)
    assert len(exc.value.problems) == 1 and "yingjisha" in str(exc.value.problems[0])


def test_form_is_not_made_from_a_broken_file(data: Path, tmp_path: Path) -> None:
    path = data / "counties/yingjisha/2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cadres_dispatched: 490", "cadres_dispatched: 490w"),
                    encoding="utf-8")
    with pytest.raises(BriefError) as exc:
        make_form(data, "yingjisha", 2023, tmp_path / "forms")
    assert [p.key for p in exc.value.problems] == ["cadres_dispatched"]
    assert not (tmp_path / "forms").exists() or not list((tmp_path / "forms").iterdir())


def test_required_fact_emptied_is_reported_at_its_cell(form: Path, data: Path) -> None:
    fill(form, {"基本情况!B4": None, "基本情况!B10": "草稿"})
    assert problems_of([form], data) == [
        f"{BOOK}:基本情况!B4: county: 不能为空",
        f"{BOOK}:基本情况!B10: status: “草稿”不是可选值；应为 定稿 或 征求意见稿",
    ]


# ── Excel's traps ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("key", "value", "number_format", "expected"), [
    ("shrimp_yield_per_shed", 2.12, "General", "2.12"),             # a float, not 2.1200000000000001
    ("shrimp_yield_per_shed", 0.1 + 0.2, "General", "0.3"),         # no 0.30000000000000004
    ("shrimp_yield_per_shed", 320.0, "0.00", "320"),                # an integer stored as float
    ("surgery_34_change", 0.7, "0%", "70%"),                        # a percent cell holds the fraction
    ("avg_cost_change", -0.0712, "0.00%", "-7.12%"),
    ("agri_training_attendance", "２．５万", "@", "2.5万"),           # full-width digits and dot
    ("agri_training_attendance", " 2.5 万 人次 ", "@", "2.5万"),     # stray spaces, the unit repeated
    ("agri_training_attendance", "2.5万人次", "@", "2.5万"),
    ("agri_training_attendance", 25000, "General", "2.5万"),
    ("living_env_funds", "８００万元", "@", "800万"),
    ("tcm_visit_share", "６５％", "@", "65%"),
])
@pytest.mark.slow
def test_excel_values_become_exact_figures(form: Path, data: Path, key: str, value: object, number_format: str,
                                           expected: str) -> None:
    fill(form, {key: value}, {key: number_format})
    import_forms([form], data)
    text = (data / "counties/yingjisha/2023.yaml").read_text(encoding="utf-8")
    assert f"  {key}: {expected}\n" in text or f"  {key}: {expected} " in text
    catalog = read_dataset(data).catalog
    ind = catalog.indicators[key]
    got = read_dataset(data).counties[("yingjisha", 2023)].indicators[key]
    assert got == parse_quantity(expected, ind.unit, change=ind.change)


@pytest.mark.parametrize(("key", "value", "number_format"), [
    ("cadres_dispatched", 490.0, "General"),
    ("agri_training_attendance", 21200.0, "General"),
    ("agri_training_attendance", "２．１２万", "@"),
    ("agri_training_attendance", "2.12万人次", "@"),
    ("surgery_34_change", 0.6136, "0.00%"),
    ("surgery_34_change", 0.6136000000000001, "0.00%"),
    ("avg_cost_change", -0.0603, "0.00%"),
    ("student_aid_funds", "747.6万元", "@"),
    ("student_aid_funds", 7476000, "#,##0"),
])
@pytest.mark.slow
def test_same_figure_written_differently_changes_nothing(form: Path, data: Path, key: str, value: object,
                                                          number_format: str) -> None:
    before = snapshot(data)
    fill(form, {key: value}, {key: number_format})
    assert import_forms([form], data) == []
    assert snapshot(data) == before


@pytest.mark.slow
def test_bad_figure_is_the_exact_line(form: Path, data: Path) -> None:
    fill(form, {"智力援疆!C7": "2.12w"})
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!C7: agri_training_attendance: {quantity_message('2.12w', '人次')}"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("agri_training_attendance", "2.12万人", quantity_message("2.12万人", "人次")),
    ("agri_training_attendance", "1,600", quantity_message("1,600", "人次")),
    ("agri_training_attendance", "两万", quantity_message("两万", "人次")),
    ("agri_training_attendance", "2 12万", quantity_message("2 12万", "人次")),
    ("surgery_34_change", "61.36", quantity_message("61.36", "%", True)),
    ("cadres_dispatched", "-5", quantity_message("-5", "名")),
    ("cadres_dispatched", True, "单元格是逻辑值（TRUE/FALSE），不是数量"),
])
@pytest.mark.slow
def test_bad_cells_name_sheet_cell_and_key(form: Path, data: Path, key: str, value: object, message: str) -> None:
    sheet, coord = cell_of(form, key)
    fill(form, {key: value})
    assert problems_of([form], data) == [f"{BOOK}:{sheet}!{coord}: {key}: {message}"]


@pytest.mark.slow
def test_date_and_formula_cells(form: Path, data: Path) -> None:
    import datetime as dt

    fill(form, {"cadres_dispatched": dt.datetime(2023, 5, 1), "agri_training_attendance": "=20000+1200"},
         {"cadres_dispatched": "yyyy-mm-dd"})
    lines = problems_of([form], data)
    assert lines == [
        f"{BOOK}:智力援疆!C4: cadres_dispatched: 单元格被识别成了日期或时间；请把单元格设为文本格式后重新填写数量",
        f"{BOOK}:智力援疆!C7: agri_training_attendance: "
        "公式没有计算结果；请直接填写数值，或在 Excel/WPS 中重新计算后保存",
    ]


def test_cell_text_helpers() -> None:
    assert fold("２．１２万") == "2.12万" and fold("６１．３６％") == "61.36%" and fold("－５") == "-5"
    assert fold("近１０万") == "近10万"  # Chinese untouched
    assert squeeze(" 2.12\u3000万 ") == "2.12\u3000万".replace("\u3000", "") or squeeze(" 2.12 万 ") == "2.12万"
    assert squeeze("2 12万") == "2 12万"
    assert figure_text(2.12, "General") == "2.12"
    assert figure_text(0.1 + 0.2, "General") == "0.3"
    assert figure_text(0.6136, "0.00%") == "61.36%"
    assert figure_text(490.0, "General") == "490"
    assert figure_text(1e15, "General") == "1000000000000000"
    assert figure_text(0.07, '0.00"%"') == "0.07"  # a quoted % is decoration, not a percent format
    assert figure_text("   ", "@") is None and figure_text(None, "General") is None


@pytest.mark.slow
def test_program_totals_never_block_a_county_import(form: Path, data: Path) -> None:
    from brief.data.dataset import read_dataset

    fill(form, {"cadres_dispatched": "500"})
    assert import_forms([form], data)  # the county's own figure is the county's to change
    [problem] = read_dataset(data).totals_problems  # the program's stale total is the program's to fix
    assert problem.key == "cadres_dispatched" and "programs/shandong/2023.yaml" in problem.file


# ── the wrong workbook, a damaged form ──────────────────────────────────────────────────────


def test_form_of_another_county_is_reported(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shule = make_form(data, "shule", 2023, tmp_path)
    wrong = shule.rename(tmp_path / BOOK)
    [line] = problems_of([wrong], data)
    named = "2023年英吉沙县援疆数据填报表"
    assert line.startswith(f"{BOOK}: -: 文件名写的是“{named}”，表内却是2023年疏勒县（shule）的表单")


@pytest.mark.slow
def test_sheet_pasted_from_another_year_is_reported(form: Path, data: Path) -> None:
    fill(form, {"智力援疆!F1": "brief-form|1|yingjisha|2022|talent"})
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!F1: -: 工作表“智力援疆”来自 2022 年 yingjisha 的表单，而本表是 2023 年 yingjisha 的表单；"
        "请不要在表单之间复制工作表"]


def test_form_for_a_county_the_data_dir_lacks(form: Path, data: Path) -> None:
    shutil.rmtree(data / "counties/yingjisha")
    shutil.rmtree(data / "programs")
    [line] = problems_of([form], data)
    assert line.startswith(f"{BOOK}: yingjisha: 数据目录中没有这个县")


@pytest.mark.slow
def test_same_county_twice_is_reported(form: Path, data: Path, tmp_path: Path) -> None:
    copy = shutil.copy(form, tmp_path / "copy.xlsx")
    lines = problems_of([form, Path(copy)], data)
    assert len(lines) == 1 and "同一县同一年" in lines[0]


def test_renamed_sheet_is_reported(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    wb["智力援疆"].title = "智力"
    wb.save(form)
    assert problems_of([form], data) == [f"{BOOK}:智力!A1: -: 工作表“智力援疆”被改名为“智力”；请改回“智力援疆”后再导入"]


def test_deleted_row_is_reported(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    wb["智力援疆"].delete_rows(7)
    wb.save(form)
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!E7: agri_training_attendance: "
        "找不到指标“农技推广培训人次”这一行（行被删除或指标键被改动了？）；请恢复该行，或用新生成的表单填写"]


@pytest.mark.slow
def test_inserted_row_is_reported(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    ws = wb["智力援疆"]
    ws.insert_rows(7)
    ws["A7"], ws["C7"] = "自加指标", "500"
    wb.save(form)
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!C7: -: 这一行没有指标键（E 列），不知道填的是哪个指标；请不要插入行或改动指标键"]


@pytest.mark.slow
def test_merged_cells_are_reported(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    wb["智力援疆"].merge_cells("C7:C8")
    wb.save(form)
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!C7: agri_training_attendance: "
        "单元格 C7:C8 被合并了；请取消合并，每个指标一行、每个单元格单独填写"]


def test_key_and_label_disagree(form: Path, data: Path) -> None:
    fill(form, {"智力援疆!E7": "ethics_training_attendance"})
    lines = problems_of([form], data)
    assert f"{BOOK}:智力援疆!A7: ethics_training_attendance: 这一行的指标名“农技推广培训人次”与指标键 " \
           "ethics_training_attendance（政德教育培训人次）不符；行被移动或改动了？请恢复原样" in lines
    assert any("指标键重复" in line for line in lines)


@pytest.mark.slow
def test_moved_rows_are_read_by_their_key(form: Path, data: Path) -> None:
    """Rows sorted or moved (protection lifted) are matched by the key column, not by position."""
    wb = load_workbook(form)
    ws = wb["智力援疆"]
    row4 = [ws.cell(4, c).value for c in range(1, 6)]
    row7 = [ws.cell(7, c).value for c in range(1, 6)]
    for c in range(1, 6):
        ws.cell(4, c).value, ws.cell(7, c).value = row7[c - 1], row4[c - 1]
    ws["C4"], ws["C7"] = "2.2万", "490"  # C4 now holds agri_training_attendance, C7 cadres_dispatched
    wb.save(form)
    import_forms([form], data)
    values = read_dataset(data).counties[("yingjisha", 2023)].indicators
    assert values["agri_training_attendance"] == Quantity(Decimal(22000))
    assert values["cadres_dispatched"] == Quantity(Decimal(490))


def test_not_a_brief_form(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    monkeypatch.chdir(tmp_path)
    Workbook().save(tmp_path / "mine.xlsx")
    assert problems_of([tmp_path / "mine.xlsx"], data) == [
        "mine.xlsx: -: 不是 brief 生成的填报表（缺少隐藏工作表 _brief）；请用 brief form 生成表单后填写"]


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("old.xls", OLE + b"\0" * 600,
     "这是旧版 .xls 格式的工作簿；请在 Excel/WPS 中另存为“Excel 工作簿（*.xlsx）”后再导入"),
    ("locked.xlsx", OLE + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600,
     "工作簿设置了打开密码（已加密），无法读取；请在 Excel/WPS 中清除密码后另存为 .xlsx 再导入"),
    ("notes.xlsx", "这不是表格".encode(), "不是 Excel 工作簿（.xlsx）；请导入由 brief form 生成并填好的 .xlsx 文件"),
    ("broken.xlsx", b"PK\x03\x04" + b"\0" * 100,
     "无法读取工作簿：文件已损坏，或不是 Excel 工作簿（.xlsx）；请用 Excel/WPS 打开后另存为 .xlsx 再导入"),
])
def test_unreadable_files_are_one_line(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                       content: bytes, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    assert problems_of([tmp_path / name], data) == [f"{name}: -: {message}"]


def test_really_encrypted_workbook_is_one_line(form: Path, data: Path, tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    locked = tmp_path / "forms" / "locked.xlsx"
    with form.open("rb") as src, locked.open("wb") as out:
        ooxml.OOXMLFile(src).encrypt("secret", out)
    [line] = problems_of([locked], data)
    assert line.startswith("locked.xlsx: -: 工作簿设置了打开密码")


@pytest.mark.slow
def test_nothing_written_when_one_of_two_workbooks_is_bad(form: Path, data: Path, tmp_path: Path) -> None:
    fill(form, {"agri_training_attendance": "2.5万"})  # a good change…
    shule = make_form(data, "shule", 2023, tmp_path / "forms")
    fill(shule, {"free_clinics": "三十六"})  # …and a bad one in another workbook
    lines = problems_of([form, shule], data)  # asserts the data dir is untouched
    assert lines == [f"2023年疏勒县援疆数据填报表.xlsx:智力援疆!C11: free_clinics: {quantity_message('三十六', '次')}"]
    assert not list(data.rglob("*.tmp"))


# ── random figures come back exactly ────────────────────────────────────────────────────────

QUALIFIERS = st.sampled_from(list(Qualifier))
FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


@st.composite
def filled_cell(draw: st.DrawFn, unit: str, change: bool) -> tuple[Quantity, object, str]:
    """A quantity, and a cell value and number format that a user could have entered for it."""
    if unit == "%":
        low = Decimal(-1000) if change else Decimal(0)
        value = draw(st.decimals(min_value=low, max_value=Decimal(1000), places=2))
        # a fall with a bound (-5%以下) is refused: its meaning would invert (quantity.parse)
        qualifiers = QUALIFIERS if value >= 0 else st.sampled_from([Qualifier.EXACT, Qualifier.NEARLY, Qualifier.ABOUT])
        q = Quantity(value, draw(qualifiers), percent=True)
    else:
        places = draw(st.sampled_from([0, 0, 1, 2]))  # a figure has at most two places (quantity.MAX_PLACES)
        value = draw(st.decimals(min_value=0, max_value=Decimal(10) ** 12, places=places))
        q = Quantity(value, draw(QUALIFIERS))
    how = draw(st.sampled_from(["text", "unit", "fullwidth", "number"]))
    digits = len(q.value.normalize().as_tuple().digits)
    if how == "number" and q.qualifier is Qualifier.EXACT and digits <= 15:
        if q.percent:
            return q, float(q.value / 100), "0.00%"
        return q, (int(q.value) if q.value == q.value.to_integral_value() else float(q.value)), "General"
    if how == "unit" and unit and unit != "%":
        return q, format_quantity(q, unit), "@"
    if how == "fullwidth":
        return q, format_number(q).translate(FULL_WIDTH), "@"
    return q, format_number(q), "@"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The form, and each indicator's value cell as 'sheet!C7'."""
    path = make_form(DATA, "yingjisha", 2023, tmp_path_factory.mktemp("template"))
    wb = load_workbook(path)
    cells = {ws.cell(r, 5).value: f"{ws.title}!C{r}" for ws in wb.worksheets[2:-2] for r in range(4, ws.max_row + 1)}
    return path, cells


CATALOG = read_dataset(DATA).catalog


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
@pytest.mark.slow
def test_random_figures_come_back_exactly(template: tuple[Path, dict[str, str]], data: st.DataObject) -> None:
    form, where = template
    keys = data.draw(st.lists(st.sampled_from(list(CATALOG.indicators)), min_size=1, max_size=6, unique=True))
    cells = {k: data.draw(filled_cell(CATALOG.indicators[k].unit, CATALOG.indicators[k].change), label=k)
             for k in keys}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        shutil.copytree(DATA, root)
        shutil.rmtree(root / "programs")  # random figures would not add up to the program's declared totals
        book = Path(tmp) / form.name
        shutil.copy(form, book)
        fill(book, {where[k]: v for k, (_, v, _) in cells.items()}, {where[k]: f for k, (_, _, f) in cells.items()})
        import_forms([book], root)
        ds = read_dataset(root)
        assert not ds.problems
        got = ds.counties[("yingjisha", 2023)].indicators
        for key, (q, _, _) in cells.items():
            assert got[key] == q, (key, cells[key])
        # and a fresh form shows them as the YAML writes them, which reads back the same
        again = make_form(root, "yingjisha", 2023, Path(tmp) / "again")
        assert import_forms([again], root) == []


# ── LibreOffice: a real spreadsheet program reads the form and saves it back ─────────────────


def soffice(args: list[str], profile: Path, cwd: Path) -> None:
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", *args],
                   cwd=cwd, capture_output=True, timeout=240, check=False)


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lo_profile")


@needs_soffice
@pytest.mark.slow
def test_libreoffice_reads_every_sheet(form: Path, tmp_path: Path, lo_profile: Path) -> None:
    out = tmp_path / "csv"
    # 12th token -1: every sheet to its own CSV (UTF-8, token 3 = 76)
    soffice(["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
             "--outdir", str(out), str(form)], lo_profile, tmp_path)
    talent = out / f"{form.stem}-智力援疆.csv"
    assert talent.exists(), "LibreOffice wrote no CSV: is LibreOffice Calc installed (libreoffice-calc-nogui)?"
    text = talent.read_text(encoding="utf-8")
    assert "农技推广培训人次,人次,2.12万,1.86万,agri_training_attendance" in text
    assert "英吉沙县" in (out / f"{form.stem}-基本情况.csv").read_text(encoding="utf-8")


@needs_soffice
@pytest.mark.slow
def test_form_saved_by_libreoffice_imports(form: Path, data: Path, tmp_path: Path, lo_profile: Path) -> None:
    yaml_path = data / "counties/yingjisha/2023.yaml"
    before = yaml_path.read_bytes()
    fill(form, {"agri_training_attendance": "2.5万", "surgery_34_change": 0.6,
                "工作亮点!B4": "党组织建在援疆一线"}, {"surgery_34_change": "0.00%"})
    out = tmp_path / "saved"
    soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(form)], lo_profile, tmp_path)
    saved = out / form.name
    assert saved.exists(), "LibreOffice did not save the form: is LibreOffice Calc installed?"
    assert saved.read_bytes() != form.read_bytes()
    assert import_forms([saved], data) == [yaml_path]
    assert yaml_diff(before, yaml_path.read_bytes()) == [
        "-  agri_training_attendance: 2.12万",
        "+  agri_training_attendance: 2.5万",
        "-  surgery_34_change: 61.36%",
        "+  surgery_34_change: 60%",
        "-    - title: 党组织建到援疆一线",
        "+    - title: 党组织建在援疆一线",
    ]
    assert import_forms([saved], data) == []


@needs_soffice
@pytest.mark.slow
def test_real_xls_is_one_line(form: Path, data: Path, tmp_path: Path, lo_profile: Path) -> None:
    out = tmp_path / "forms" / "xls"
    soffice(["--convert-to", "xls", "--outdir", str(out), str(form)], lo_profile, tmp_path)
    xls = out / f"{form.stem}.xls"
    assert xls.exists()
    assert problems_of([xls], data) == [
        f"xls/{xls.name}: -: 这是旧版 .xls 格式的工作簿；请在 Excel/WPS 中另存为“Excel 工作簿（*.xlsx）”后再导入"]


def test_a_new_year_form_is_a_draft_and_a_blank_one_is_refused(data: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    path = make_form(data, "yingjisha", 2024, tmp_path)
    facts = load_workbook(path)["基本情况"]
    assert "征求意见稿" in [c.value for row in facts.iter_rows() for c in row]
    with pytest.raises(BriefError, match="表中没有填写任何数值"):
        import_forms([path], data)
    assert not (data / "counties" / "yingjisha" / "2024.yaml").exists()
