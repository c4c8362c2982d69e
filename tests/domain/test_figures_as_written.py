"""Figures as real reports write them (issue 14, the contract's “Figures as written”).

Bounds (以上/以下/以内), 超, 余万/多万, ranges, as-written magnitudes, 其中 rows, cumulative figures
and other units: parsed exactly, printed as the office wrote them, summed by the contract's rules.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brief.domain.aggregate import change, total
from brief.domain.quantity import (
    Qualifier,
    QuantityError,
    format_change,
    format_number,
    format_quantity,
    parse_quantity,
)
from helpers import brief, data_copy, docx_paragraphs, pdf_body, pdftotext, squash

Q = Qualifier
D = Decimal


# ── the grammar ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("written", "unit", "value", "high", "qualifier", "printed"), [
    ("8100万元以上", "元", "81000000", None, Q.ABOVE, "8100万元以上"),
    ("1000人以上", "人", "1000", None, Q.ABOVE, "1000人以上"),
    ("1000以上", "人", "1000", None, Q.ABOVE, "1000人以上"),
    ("2%以下", "%", "2", None, Q.BELOW, "2%以下"),
    ("10万元以内", "元", "100000", None, Q.WITHIN, "10万元以内"),
    ("420余万元", "元", "4200000", None, Q.AT_LEAST, "420余万元"),
    ("30余万", "人", "300000", None, Q.AT_LEAST, "30余万人"),
    ("30多万", "人", "300000", None, Q.MORE, "30多万人"),
    ("7万多", "亩", "70000", None, Q.MORE, "7万多亩"),
    ("超3000人次", "人次", "3000", None, Q.OVER_SHORT, "超3000人次"),
    ("超过3000人次", "人次", "3000", None, Q.OVER, "超过3000人次"),
    ("2至3名", "名", "2", "3", Q.EXACT, "2至3名"),
    ("20—30人", "人", "20", "30", Q.EXACT, "20—30人"),
    ("15%～30%", "%", "15", "30", Q.EXACT, "15%～30%"),
    ("2-3名", "名", "2", "3", Q.EXACT, "2-3名"),
    ("20—30万人", "人", "200000", "300000", Q.EXACT, "20—30万人"),
    ("49333万元", "元", "493330000", None, Q.EXACT, "49333万元"),
    ("0.87亿元", "元", "87000000", None, Q.EXACT, "0.87亿元"),
    ("2.12万", "人", "21200", None, Q.EXACT, "2.12万人"),
    ("21200", "人", "21200", None, Q.EXACT, "2.12万人"),
    ("近10万", "人", "100000", None, Q.NEARLY, "近10万人"),
])
def test_each_written_form_is_read_and_printed_as_written(written: str, unit: str, value: str, high: str | None,
                                                          qualifier: Qualifier, printed: str) -> None:
    q = parse_quantity(written, unit)
    assert (q.value, q.high, q.qualifier) == (D(value), D(high) if high else None, qualifier)
    assert format_quantity(q, unit) == printed


def test_negative_change_is_a_change_not_a_range() -> None:
    q = parse_quantity("-6.03%", "%", change=True)
    assert (q.value, q.high) == (D("-6.03"), None)
    assert format_change(q) == "下降6.03%"


def test_change_indicator_accepts_bounds() -> None:
    assert format_change(parse_quantity("40%以上", "%", change=True)) == "上升40%以上"


def test_qualifier_after_unit_is_not_blamed_on_the_unit() -> None:
    q = parse_quantity("8100万元以上", "元")
    assert q.qualifier is Q.ABOVE  # used to be “单位“元以上”与指标目录不符”


def test_other_units_of_the_catalog_print_as_written() -> None:
    q = parse_quantity("12人", "名", units_also=("人",))
    assert format_quantity(q, "名") == "12人"
    assert format_quantity(parse_quantity("12", "名", units_also=("人",)), "名") == "12名"
    with pytest.raises(QuantityError, match="单位“个”与指标目录不符：该指标的单位是“名”、“人”"):
        parse_quantity("12个", "名", units_also=("人",))


# ── sums by the contract's rules (expected totals written by hand) ────────────────────────


def _sum(*written: str, unit: str = "元") -> str:
    result = total(parse_quantity(w, unit) for w in written)
    assert result is not None
    return format_quantity(result, unit)


@pytest.mark.parametrize(("parts", "expected"), [
    (("8100万元以上", "900万元"), "9000万元以上"),
    (("8100万元以上", "900万元以上"), "9000万元以上"),
    (("1600余", "超3000", "1000以上"), "5600余元"),
    (("10以下", "5以内", "3"), "18元以下"),
    (("10以内", "5以内"), "15元以内"),
    (("10以下", "5以上"), "约15元"),
    (("10以下", "约5"), "约15元"),
    (("10以下", "近5"), "约15元"),
    (("2至3", "20—30", "4"), "26—37元"),
    (("2至3", "约5"), "约7元"),
    (("2至3", "5以上"), "约7元"),
    (("49333万元", "0.87亿元"), "5.8033亿元"),
    (("0.87亿元",), "8700万元"),  # a computed value (here a total of one) is normalized
])
def test_sums_follow_the_contract(parts: tuple[str, ...], expected: str) -> None:
    assert _sum(*parts) == expected


def test_no_year_over_year_for_ranges() -> None:
    assert change(parse_quantity("10", "名"), parse_quantity("2至3", "名")) is None
    assert change(parse_quantity("2至3", "名"), parse_quantity("10", "名")) is None


# ── property: every accepted form round-trips ─────────────────────────────────────────────


@st.composite
def written_figures(draw: st.DrawFn) -> tuple[str, str]:
    """A figure in one of the accepted forms, with the catalog unit it is written for."""
    kind = draw(st.sampled_from(["single", "range", "percent", "percent_range"]))
    def number(places: int = 2) -> str:
        whole = draw(st.integers(1, 99999))
        decimals = draw(st.integers(0, places))
        if decimals == 0:
            return str(whole)
        frac = draw(st.integers(1, 10 ** decimals - 1))
        return f"{whole}.{frac:0{decimals}d}".rstrip("0")
    if kind in ("percent", "percent_range"):
        a = number()
        if kind == "percent_range":
            b = str(D(a) + draw(st.integers(1, 50)))
            sep = draw(st.sampled_from(["至", "—", "～", "-"]))
            return f"{a}{draw(st.sampled_from(['%', '']))}{sep}{b}%", "%"
        pre = draw(st.sampled_from(["", "近", "约", "超过", "超"]))
        word = "" if pre else draw(st.sampled_from(["", "以上", "以下", "以内"]))
        return f"{pre}{a}%{word}", "%"
    unit = draw(st.sampled_from(["人", "元", "人次"]))
    shown_unit = draw(st.sampled_from([unit, ""]))
    scale = draw(st.sampled_from(["", "万", "亿"]))
    a = number(0 if not scale else 2)
    if kind == "range":
        b = str(D(a) + draw(st.integers(1, 500)))
        sep = draw(st.sampled_from(["至", "—", "～", "-"]))
        low_scale = draw(st.sampled_from(["", scale]))
        return f"{a}{low_scale}{sep}{b}{scale}{shown_unit}", unit
    pre = draw(st.sampled_from(["", "近", "约", "超过", "超"]))
    tail = "" if pre else draw(st.sampled_from(["", "余", "多"]))
    word = "" if pre or tail else draw(st.sampled_from(["", "以上", "以下", "以内"]))
    before = draw(st.booleans()) and scale  # 420余万 as well as 7万多
    number_text = f"{a}{tail}{scale}" if before else f"{a}{scale}{tail}"
    return f"{pre}{number_text}{shown_unit}{word}", unit


@settings(max_examples=400, deadline=None)
@given(written_figures())
@pytest.mark.slow
def test_every_accepted_form_round_trips(case: tuple[str, str]) -> None:
    written, unit = case
    q = parse_quantity(written, unit)
    printed = format_quantity(q, unit)
    again = parse_quantity(printed, unit)
    assert again == q and again.qualifier is q.qualifier and again.high == q.high
    assert format_quantity(again, unit) == printed
    assert parse_quantity(format_number(q), unit) == q  # the form cell's text reads back the same
    # A figure written with 万/亿, a range or a percentage prints exactly as written (with its unit).
    has_scale = re.search(r"[万亿]", written) is not None
    if (has_scale or q.is_range or q.percent) and (written.endswith(unit) or unit == "%"):
        assert printed == written


# ── refused forms: one line each, with a fitting hint ─────────────────────────────────────

REFUSED = {
    # key (unit): (written, a fitting hint)
    "free_clinics": ("两次", "“两次”用了汉字数字：请写作 2次"),
    "schools_built": ("两所", "“两所”用了汉字数字：请写作 2所"),
    "temp_party_branches": ("三个", "“三个”用了汉字数字：请写作 3个"),
    "party_groups": ("首个", "“首个”是序数或日期：这不是数量，请写在正文里"),
    "industrial_parks": ("第一", "“第一”是序数或日期：这不是数量，请写在正文里"),
    "projects_signed": ("10月1日前", "“10月1日前”是序数或日期：这不是数量，请写在正文里"),
    "cadres_dispatched": ("约2至3名", "是范围，不能再加“约”"),
    "professionals_dispatched": ("3至2名", "前一个数应小于后一个数"),
    "living_env_funds": ("8100以上万元", "“以上”位置不对"),
    "local_mentees": ("2至", "范围的两端都要写数"),
    "free_clinic_beneficiaries": ("超过3000以上", "同时有“超过”和“以上”，只能用一个"),
    "student_aid_funds": ("8100万美元", "单位“美元”与指标目录不符：该指标的单位是“元”"),
    "mentor_teachers": ("40%", "是百分数，但该指标的单位是“名”"),
    "agri_training_attendance": ("2.12w", "万、千请写汉字"),
    "mentee_teachers": ("2万多余", "同时有“多”和“余”，只能用一个"),
}


@pytest.mark.slow
def test_refused_forms_each_give_one_line_with_a_fitting_hint(tmp_path: Path) -> None:
    lines = "".join(f"  {key}: {written}\n" for key, (written, _) in REFUSED.items())
    data = data_copy(tmp_path)
    path = data / "counties" / "shule" / "2024.yaml"
    head = (data / "counties" / "shule" / "2023.yaml").read_text(encoding="utf-8").split("indicators:")[0]
    head = "".join(ln for ln in head.splitlines(keepends=True) if not ln.startswith("key_figures:"))  # its keys go
    path.write_text(head.replace("year: 2023", "year: 2024") + "indicators:\n" + lines, encoding="utf-8")
    first = head.count("\n") + 2  # the line of the first indicator
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    got = [ln for ln in result.stderr.splitlines() if "2024.yaml" in ln]
    assert len(got) == len(REFUSED), result.stderr
    for i, (key, (_written, hint)) in enumerate(REFUSED.items()):
        line = next(ln for ln in got if f": {key}: " in ln)
        assert line.startswith(f"{path}:{first + i}: {key}: "), line
        assert hint in line, line


# ── a county file in every new form, rendered; a summary over files mixing forms ───────────

CATALOG_ADDITIONS = """
  t_funds:     {label: 援建资金, unit: 元, section: team, aggregate: sum}
  t_jobs:      {label: 转移就业, unit: 人, section: team, aggregate: sum}
  t_public:    {label: 公益性岗位就业, unit: 人, section: team, aggregate: sum, part_of: t_jobs}
  t_factory:   {label: 园区企业就业, unit: 人, section: team, aggregate: sum, part_of: t_jobs}
  t_beneficiaries: {label: 受益群众, unit: 人次, section: team, aggregate: sum}
  t_mentees:   {label: 带徒, unit: 名, units_also: [人], section: team, aggregate: sum}
  t_range:     {label: 培养骨干, unit: 名, section: team, aggregate: sum}
  t_range2:    {label: 结对徒弟, unit: 名, section: team, aggregate: sum}
  t_referral:  {label: 就诊转诊率, unit: "%", section: team, aggregate: none}
  t_share:     {label: 覆盖比例, unit: "%", section: team, aggregate: none}
  t_growth:    {label: 收入增长, unit: "%", section: team, aggregate: none, change: true}
  t_cadres:    {label: 选派乡镇援疆干部, unit: 名, section: team, aggregate: sum, basis: cumulative, since: 2014}
  t_sites:     {label: 援建阵地, unit: 个, section: team, aggregate: sum, basis: cumulative}
  t_cap:       {label: 单项补助, unit: 元, section: team, aggregate: sum}
  t_invest:    {label: 投资总额, unit: 元, section: team, aggregate: sum}
  t_invest2:   {label: 到位资金, unit: 元, section: team, aggregate: sum}
  t_area:      {label: 改良面积, unit: 亩, section: team, aggregate: sum}
  t_visits:    {label: 走访人次, unit: 人次, section: team, aggregate: sum}
  t_people:    {label: 覆盖人口, unit: 人, section: team, aggregate: sum}
"""

YINGJISHA_2023 = {  # key: (written, as printed)
    "t_funds": ("8100万元以上", "8100万元以上"),
    "t_jobs": ("1000以上", "1000人以上"),
    "t_public": ("300", "300人"),
    "t_factory": ("420余", "420余人"),
    "t_beneficiaries": ("超3000人次", "超3000人次"),
    "t_mentees": ("2至3人", "2至3人"),
    "t_range": ("20—30名", "20—30名"),
    "t_range2": ("2-3名", "2-3名"),
    "t_referral": ("2%以下", "2%以下"),
    "t_share": ("15%～30%", "15%～30%"),
    "t_growth": ("40%以上", "上升40%以上"),
    "t_cadres": ("1600余", "1600余名"),
    "t_sites": ("180", "180个"),
    "t_cap": ("10万元以内", "10万元以内"),
    "t_invest": ("420余万元", "420余万元"),
    "t_invest2": ("49333万元", "49333万元"),
    "t_area": ("7万多", "7万多亩"),
    "t_visits": ("30余万", "30余万人次"),
    "t_people": ("2.12万", "2.12万人"),
}
YINGJISHA_2022 = {"t_cadres": "1500", "t_range": "10", "t_people": "2万"}


def _with_new_forms(tmp_path: Path) -> Path:
    indicators = "".join(f"  {k}: {w}\n" for k, (w, _) in YINGJISHA_2023.items())
    prose = "、".join(f"{{{{ ind.{k} }}}}" for k in YINGJISHA_2023)
    data = data_copy(tmp_path, {
        "counties/yingjisha/2023.yaml": ("indicators:\n", "indicators:\n" + indicators),
        "counties/yingjisha/2022.yaml": ("indicators:\n", "indicators:\n"
                                         + "".join(f"  {k}: {w}\n" for k, w in YINGJISHA_2022.items())),
    })
    path = data / "counties" / "yingjisha" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "指挥部在援疆队伍中设立"
    assert marker in text
    path.write_text(text.replace(marker, f"新写法：{prose}。{marker}", 1), encoding="utf-8")
    catalog = data / "indicators.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8") + CATALOG_ADDITIONS, encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def county_brief(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("county")
    data = _with_new_forms(tmp)
    out = tmp / "out"
    result = brief("render", "yingjisha", "--year", "2023", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "2023" / "2023年英吉沙县援疆工作简报"


def _table_rows(path: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            cells = [c.text for c in row.cells]
            rows.setdefault(cells[0], cells)
    return rows


@pytest.mark.slow
def test_docx_prose_and_tables_hold_each_figure_as_written(county_brief: Path) -> None:
    prose = "".join(docx_paragraphs(county_brief.with_suffix(".docx"), tables=False))
    cells = {cell for row in _table_rows(county_brief.with_suffix(".docx")).values() for cell in row}
    for key, (_written, printed) in YINGJISHA_2023.items():
        assert printed in prose, (key, printed)
        assert printed in cells, (key, printed)


@pytest.mark.slow
def test_pdf_holds_each_figure_as_written(county_brief: Path) -> None:
    body = pdf_body(county_brief.with_suffix(".pdf"))
    for key, (_written, printed) in YINGJISHA_2023.items():
        assert body.count(printed) >= 2, (key, printed)  # in the prose and in the table


def test_pdf_never_splits_a_figure_across_lines(county_brief: Path) -> None:
    """Every occurrence of a figure in the PDF's text lies within one line (prose and tables)."""
    lines = [squash(ln) for ln in pdftotext(county_brief.with_suffix(".pdf"), "-raw").splitlines()]
    whole = "".join(lines)
    for key, (_written, printed) in YINGJISHA_2023.items():
        assert whole.count(printed) == sum(ln.count(printed) for ln in lines) >= 2, (key, printed)


@pytest.mark.slow
def test_shipped_prose_keeps_figures_with_their_units(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert brief("render", "yuepuhu", "--year", "2023", "--out", str(out)).returncode == 0
    lines = pdftotext(out / "2023" / "2023年岳普湖县援疆工作简报.pdf", "-raw").splitlines()
    for a, b in zip(lines, lines[1:], strict=False):
        assert not (re.search(r"[0-9余多万亿]$", a) and re.match(r"[名人户次个万元吨亩场件所]", b)), (a, b)


def test_parts_follow_their_whole_labelled_qizhong(county_brief: Path) -> None:
    doc = docx.Document(str(county_brief.with_suffix(".docx")))
    labels = [row.cells[0].text for t in doc.tables for row in t.rows]
    at = labels.index("转移就业")
    assert labels[at + 1] == "\u3000\u3000其中：公益性岗位就业"
    assert labels[at + 2] == "\u3000" * 5 + "园区企业就业"
    assert "其中：公益性岗位就业" in squash(pdftotext(county_brief.with_suffix(".pdf")))


def test_cumulative_labels_and_no_year_over_year(county_brief: Path) -> None:
    rows = _table_rows(county_brief.with_suffix(".docx"))
    cadres = rows["选派乡镇援疆干部（2014年以来累计）"]
    assert cadres[1:] == ["1600余名", "1500名", "—"]
    assert rows["援建阵地（累计）"][1] == "180个"
    assert rows["培养骨干"][1:] == ["20—30名", "10名", "—"]  # a range is no base for a change
    assert rows["覆盖人口"][1:] == ["2.12万人", "2万人", "上升6.00%"]


@pytest.mark.slow
def test_parts_above_an_exact_whole_are_refused_naming_both(tmp_path: Path) -> None:
    data = _with_new_forms(tmp_path)
    path = data / "counties" / "yingjisha" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  t_jobs: 1000以上\n", "  t_jobs: 700\n").replace("  t_factory: 420余\n", "  t_factory: 420\n")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line_of = {k: next(i + 1 for i, ln in enumerate(lines) if ln.startswith(f"  {k}: ")) for k in
               ("t_jobs", "t_public", "t_factory")}
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}:{line_of['t_jobs']}: t_jobs: 其中各项之和超过总数 700人："
        f"t_public 300人（第 {line_of['t_public']} 行）、"
        f"t_factory 420人（第 {line_of['t_factory']} 行）；请核对这些数字"]


@pytest.mark.slow
def test_parts_with_a_lower_bound_whole_are_not_refused(tmp_path: Path) -> None:
    data = _with_new_forms(tmp_path)  # t_jobs 1000以上 with parts 300 + 420余: no certain conflict
    assert brief("validate", "--data", str(data)).returncode == 0


SUMMARY_VALUES = {  # key: {county: written}; the totals below are worked out by hand
    "t_funds": {"yingjisha": "8100万元以上", "shule": "900万元"},
    "t_jobs": {"yingjisha": "1600余", "shule": "超3000", "yuepuhu": "1000以上"},
    "t_cap": {"yingjisha": "10万元以下", "shule": "5万元以内", "yuepuhu": "30000"},
    "t_area": {"yingjisha": "10以下", "shule": "5以上"},
    "t_range": {"yingjisha": "2至3名", "shule": "20—30名", "yuepuhu": "4"},
    "t_range2": {"yingjisha": "2-3名", "shule": "约5"},
    "t_invest": {"yingjisha": "49333万元", "shule": "0.87亿元"},
    "t_cadres": {"yingjisha": "300", "shule": "250"},
}
SUMMARY_TOTALS = {
    "援建资金": "9000万元以上",
    "转移就业": "5600余人",
    "单项补助": "18万元以下",
    "改良面积": "约15亩",
    "培养骨干": "26—37名",
    "结对徒弟": "约7名",
    "投资总额": "5.8033亿元",
    "选派乡镇援疆干部（2014年以来累计）": "550名",
}


@pytest.mark.slow
def test_summary_totals_follow_the_contract_rules(tmp_path: Path) -> None:
    files: dict[str, str] = {}
    for key, by_county in SUMMARY_VALUES.items():
        for county, written in by_county.items():
            files[county] = files.get(county, "") + f"  {key}: {written}\n"
    data = data_copy(tmp_path, {f"counties/{c}/2023.yaml": ("indicators:\n", "indicators:\n" + lines)
                                for c, lines in files.items()})
    catalog = data / "indicators.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8") + CATALOG_ADDITIONS, encoding="utf-8")
    out = tmp_path / "out"
    result = brief("summary", "shandong", "--year", "2023", "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    path = out / "2023" / "2023年山东援疆指挥部援疆工作年度汇总.docx"
    rows: dict[str, list[str]] = {}
    for table in docx.Document(str(path)).tables:
        header = [c.text for c in table.rows[0].cells]
        if "合计" not in header:
            continue
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            rows[cells[0]] = [cells[header.index("合计")]]
    for label, expected in SUMMARY_TOTALS.items():
        assert rows[label] == [expected], (label, rows.get(label))
    pdf = pdf_body(path.with_suffix(".pdf"))
    for expected in SUMMARY_TOTALS.values():
        assert expected in pdf
    # each county's figure stays as written in its column
    cells = {c.text for t in docx.Document(str(path)).tables for r in t.rows for c in r.cells}
    for written in ("49333万元", "0.87亿元", "8100万元以上", "超3000人", "2-3名", "1000人以上"):
        assert written in cells, written


def test_excel_form_round_trip_keeps_every_new_form(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from brief.data.dataset import read_dataset
    from brief.forms import import_forms, make_form

    data = _with_new_forms(tmp_path)
    yaml_path = data / "counties" / "yingjisha" / "2023.yaml"
    before = yaml_path.read_bytes()
    form = make_form(data, "yingjisha", 2023, tmp_path / "forms")
    shown = {}
    for ws in load_workbook(form).worksheets:
        for row in ws.iter_rows(min_row=1):
            cells = [c.value for c in row]
            if len(cells) >= 5 and isinstance(cells[4], str) and cells[4] in YINGJISHA_2023:
                shown[cells[4]] = cells[2]
    assert shown["t_funds"] == "8100万元以上" and shown["t_range"] == "20—30" and shown["t_invest2"] == "49333万"
    assert import_forms([form], data) == []
    assert yaml_path.read_bytes() == before
    record = read_dataset(data).counties[("yingjisha", 2023)]
    assert record.indicators["t_mentees"].high == Decimal(3)


def test_negative_change_with_a_bound_is_refused_not_inverted() -> None:
    with pytest.raises(QuantityError, match="是负数，不能再加“以下”"):
        parse_quantity("-5%以下", "%", change=True)
    assert format_change(parse_quantity("约-5%", "%", change=True)) == "下降约5%"


@pytest.mark.parametrize(("spec", "message"), [
    ("{label: 甲, unit: 人, section: team, part_of: no_such}", "x_bad: part_of“no_such”不在 indicators 中"),
    ("{label: 甲, unit: 人, section: team, part_of: x_bad}", "x_bad: part_of 不能指向自己"),
    ("{label: 甲, unit: 人, section: team, since: 2014}", "since: since 只用于累计指标：请同时写 basis: cumulative"),
    ("{label: 甲, unit: 人, section: team, basis: cumulative, since: 14}", "since: “14”应为四位年份，例如 2014"),
    ("{label: 甲, unit: 人, section: team, basis: total}", "basis: “total”不是可选值；应为 annual 或 cumulative"),
    ("{label: 甲, unit: 人, section: team, units_also: [人]}",
     "units_also: “人”不能作为另一单位：应为汉字单位，且不同于 unit"),
])
@pytest.mark.slow
def test_catalog_keys_are_checked_one_line_each(tmp_path: Path, spec: str, message: str) -> None:
    data = data_copy(tmp_path)
    catalog = data / "indicators.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text + f"  x_bad: {spec}\n", encoding="utf-8")
    line = text.count("\n") + 1
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{catalog}:{line}: {message}"]
