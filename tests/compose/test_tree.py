"""The document tree compose/ builds, read directly — no writer, no PDF, no DOCX.

The 英吉沙县 2023 brief, the 山东 program brief and the 山东 summary are composed from the shipped
data/ (read once per module), and their nodes are checked: the heading outline, each table's header
and rows (figures as text, as the data files wrote them), the paragraphs' roles, the key figures, and
the 版头/版记 an issue entry adds. A writer bug cannot hide a compose bug here, nor the reverse.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from brief import model
from brief.compose.issue import issue_document
from brief.data.dataset import Dataset, load_dataset
from brief.documents import COUNTY, PROGRAM, SUMMARY, Target, default_templates
from brief.render import compose
from helpers import DATA

YEAR = 2023
SECTIONS = ["一、队伍建设", "二、产业援疆", "三、智力援疆", "四、民生援疆", "五、文化润疆", "六、交往交流交融"]
COUNTIES = ["疏勒县", "岳普湖县", "麦盖提县（稿）", "英吉沙县"]  # the summary's columns, 麦盖提 still a draft


def text(inlines: model.Inlines) -> str:
    return model.plain(inlines)


def blocks(doc: model.Document, kind: type) -> list:
    return [b for b in doc.blocks if isinstance(b, kind)]


def outline(doc: model.Document) -> list[tuple[int, str]]:
    return [(h.level, text(h.inlines)) for h in blocks(doc, model.Heading)]


def rows(table: model.Table) -> dict[str, list[str]]:
    """A table's rows by their first cell (the indicator's label)."""
    return {text(r[0]): [text(c) for c in r[1:]] for r in table.rows}


def table(doc: model.Document, caption: str) -> model.Table:
    found = [t for t in blocks(doc, model.Table) if t.caption == caption]
    assert len(found) == 1, [t.caption for t in blocks(doc, model.Table)]
    return found[0]


def raw(path: Path) -> dict:
    """A data file with every scalar as the office typed it (BaseLoader: no ints, no floats)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader is safe


def as_printed(typed: str) -> str:
    """A typed change as the brief prints it: -6.03% is 下降6.03%, +61.36% is 上升61.36%."""
    sign = {"-": "下降", "+": "上升"}.get(typed[:1])
    return sign + typed[1:] if sign else typed


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def county(ds: Dataset) -> model.Document:
    return compose(ds, Target(COUNTY, "yingjisha", YEAR), default_templates())


@pytest.fixture(scope="module")
def program(ds: Dataset) -> model.Document:
    return compose(ds, Target(PROGRAM, "shandong", YEAR), default_templates())


@pytest.fixture(scope="module")
def summary(ds: Dataset) -> model.Document:
    return compose(ds, Target(SUMMARY, "shandong", YEAR), default_templates())


# -- the county brief ----------------------------------------------------------------------------------


def test_county_brief_opens_with_masthead_title_lead_and_key_figures(county: model.Document) -> None:
    head = county.blocks[:4]
    assert [type(b) for b in head] == [model.Masthead, model.Heading, model.Paragraph, model.KeyFigures]
    masthead, title, lead, keys = head
    assert (masthead.title, masthead.issuer, masthead.date) == ("援疆工作简报", "济宁援疆指挥部", "2023年")
    assert (masthead.number, masthead.classification) == ("", "")  # not issued, not classified
    assert (title.level, text(title.inlines)) == (0, "第十一批济宁援疆团队开局之年")
    assert lead.role == "lead" and text(lead.inlines).startswith("2023年是第十一批济宁援疆干部人才进驻英吉沙县")
    # key_figures: [cadres_dispatched, agri_training_attendance, student_aid_funds, surgery_34_change], in order
    assert [(k.label, k.value) for k in keys.items] == [
        ("选派干部人才", "490名"), ("农技推广培训人次", "2.12万人次"),
        ("贫困大学生资助资金", "747.6万元"), ("三四级手术量同比", "上升61.36%")]
    assert county.meta == model.Meta("2023年英吉沙县援疆工作简报", "济宁援疆指挥部", False,
                                     "第十一批济宁援疆团队开局之年")


def test_county_brief_outline_is_the_title_then_six_sections(county: model.Document) -> None:
    assert outline(county) == [(0, "第十一批济宁援疆团队开局之年")] + [(1, s) for s in SECTIONS]


def test_county_brief_each_section_ends_with_its_table_and_the_source_closes(county: model.Document) -> None:
    tables = blocks(county, model.Table)
    assert [t.caption for t in tables] == [f"英吉沙县{s[2:]}主要指标（2023年）" for s in SECTIONS]
    for t in tables:
        assert [text(h) for h in t.header] == ["指标", "2023年", "2022年", "同比"]
        assert t.numeric == (False, True, True, True)
    # a section's blocks: heading, then its paragraphs (and photos), then its table, then the next heading
    kinds = [type(b) for b in county.blocks]
    for i, b in enumerate(county.blocks):
        if isinstance(b, model.Table):
            assert kinds[i + 1] in (model.Heading, model.Paragraph)
    last = county.blocks[-1]
    assert isinstance(last, model.Paragraph) and last.role == "source"
    assert text(last.inlines) == "数据来源：济宁援疆指挥部"
    assert {p.role for p in blocks(county, model.Paragraph)} == {"lead", "body", "source"}


def test_county_tables_print_each_figure_as_the_data_wrote_it(county: model.Document) -> None:
    """Every row: the catalog's label, this year's and last year's value as typed plus the catalog's
    unit, and the change. Recomputed here from the YAML files, read as text."""
    catalog = raw(DATA / "indicators.yaml")["indicators"]
    now = raw(DATA / "counties" / "yingjisha" / "2023.yaml")["indicators"]
    before = raw(DATA / "counties" / "yingjisha" / "2022.yaml")["indicators"]
    by_label = {spec["label"]: (key, spec) for key, spec in catalog.items()}
    seen = 0
    for t in blocks(county, model.Table):
        for label, (this_year, last_year, change) in rows(t).items():
            key, spec = by_label[label]
            unit = spec.get("unit", "")
            assert this_year.endswith(unit) and as_printed(now[key]) in this_year, (label, this_year)
            if key in before:
                assert as_printed(before[key]) in last_year and last_year.endswith(unit), (label, last_year)
            else:
                assert (last_year, change) == ("—", "—"), label
            seen += 1
    assert seen == 2 + 9 + 16 + 16 + 25 + 9  # every indicator of the year file, each once
    assert rows(table(county, "英吉沙县队伍建设主要指标（2023年）")) == {
        "临时党支部": ["3个", "3个", "持平"], "党小组": ["9个", "8个", "上升12.50%"]}
    industry = rows(table(county, "英吉沙县产业援疆主要指标（2023年）"))
    assert industry["林下辣椒种植面积"] == ["7万多亩", "5万多亩", "上升约40.00%"]  # as written: 多, 约
    assert industry["每座拱棚对虾产量"] == ["约300公斤", "—", "—"]


def test_county_photos_are_figures_with_their_captions(county: model.Document) -> None:
    figures = blocks(county, model.Figure)
    assert [(f.path.name, f.caption) for f in figures] == [
        ("flower_field.jpg", "戈壁花田（示意图，非实拍照片）"), ("academy.jpg", "国学书院（示意图，非实拍照片）")]
    assert all(f.path.is_absolute() and f.path.is_file() for f in figures)


def test_county_chart_compares_the_two_years(county: model.Document) -> None:
    (chart,) = blocks(county, model.Chart)
    assert chart.title == "图1\u3000主要指标同比变化（2022年—2023年）"
    compared = {label for t in blocks(county, model.Table) for label, cells in rows(t).items() if cells[1] != "—"}
    assert len(chart.categories) == len(set(chart.categories)) > 1
    assert set(chart.categories) <= compared  # only figures that have last year's value to compare with
    assert all(len(s.values) == len(chart.categories) for s in chart.series)


# -- the program brief ---------------------------------------------------------------------------------


def test_program_brief_has_one_year_column_and_its_own_office(program: model.Document) -> None:
    masthead = program.blocks[0]
    assert isinstance(masthead, model.Masthead) and masthead.issuer == "山东援疆指挥部"
    assert program.meta.title == "2023年山东援疆指挥部工作简报" and not program.meta.draft
    assert outline(program) == [(0, "山东援疆喀什四县工作综述")] + [(1, s) for s in SECTIONS]
    captions = [t.caption for t in blocks(program, model.Table)]
    assert captions == [f"山东援疆指挥部{s[2:]}主要指标（2023年）" for s in ("二、产业援疆", "三、智力援疆",
                                                                      "四、民生援疆", "五、文化润疆")]
    for t in blocks(program, model.Table):
        assert [text(h) for h in t.header] == ["指标", "2023年"] and t.numeric == (False, True)
    industry = rows(table(program, "山东援疆指挥部产业援疆主要指标（2023年）"))
    assert industry["产业项目累计投资"] == ["超过100亿元"]
    assert industry["签约落地项目投资总额"] == ["126.82亿元"]
    assert [(k.label, k.value) for k in blocks(program, model.KeyFigures)[0].items][:3] == [
        ("累计培养培训干部人才", "7.68万人次"), ("累计选派援疆人才", "3087名"), ("产业项目累计投资", "超过100亿元")]
    assert [p.role for p in blocks(program, model.Paragraph)][0] == "lead"
    assert program.blocks[-1].role == "source"  # type: ignore[union-attr]
    assert not blocks(program, model.Chart)  # one year only: nothing to compare


# -- the summary ---------------------------------------------------------------------------------------


def test_summary_says_what_is_a_draft_and_is_itself_a_draft(summary: model.Document) -> None:
    assert summary.meta.draft  # 麦盖提县 is a draft, so the summary is too (the watermark)
    notes = [text(p.inlines) for p in blocks(summary, model.Paragraph) if p.role == "note"]
    assert notes == ["麦盖提县的数据为征求意见稿，尚未定稿，表中标注“（稿）”。"]
    roles = [p.role for p in blocks(summary, model.Paragraph)]
    assert roles[:3] == ["lead", "body", "note"] and roles[-1] == "source"
    assert outline(summary) == [(0, "山东援疆喀什四县工作综述")] + [(1, s) for s in SECTIONS]


def test_summary_tables_have_a_column_per_county_and_the_total(summary: model.Document) -> None:
    by_county = [t for t in blocks(summary, model.Table) if t.caption.endswith("分县情况（2023年）")]
    assert [t.caption[:-len("分县情况（2023年）")] for t in by_county] == [s[2:] for s in SECTIONS]
    for t in by_county:
        header = [text(h) for h in t.header]
        assert header[:6] == ["指标", *COUNTIES, "合计"], header
        assert t.numeric == (False,) + (True,) * (len(header) - 1)
    team = rows(table(summary, "队伍建设分县情况（2023年）"))
    assert team == {"临时党支部": ["4个", "2个", "3个", "3个", "12个"], "党小组": ["12个", "7个", "8个", "9个", "36个"]}
    people = rows(table(summary, "交往交流交融分县情况（2023年）"))
    assert people["贫困大学生资助资金"] == ["520万元", "380万元", "410万元", "747.6万元", "2057.6万元", "—"]
    assert people["结亲走访"] == ["1200余次", "700多次", "800多次", "1000余次", "3700余次", "—"]  # 余 and 多 sum to 余
    # a rate of change is never summed; a figure only one county reports is its own total
    health = rows(table(summary, "民生援疆分县情况（2023年）"))
    assert health["三四级手术量同比"][4] == "—"
    assert health["学科中心教研组"] == ["—", "—", "—", "54个", "54个", "—"]


def test_summary_charts_compare_the_counties(summary: model.Document) -> None:
    charts = blocks(summary, model.Chart)
    assert [c.title for c in charts] == ["图1\u3000各县选派干部人才（2023年）",
                                         "图2\u3000各县贫困大学生资助资金（2023年）"]
    assert charts[1].categories == ("疏勒县", "岳普湖县", "麦盖提县", "英吉沙县")
    assert charts[1].series[0].labels == ("520", "380", "410", "747.6")
    program_table = table(summary, "山东援疆指挥部整体工作数据")
    assert [text(h) for h in program_table.header] == ["指标", "数值"]
    assert rows(program_table)["累计选派援疆人才"] == ["3087名"]


# -- an issued brief: 版头 and 版记 -----------------------------------------------------------------------

RECIPIENTS = """\
- name: 自治区党委办公厅
  email: xj@example.org
  role: 报
  briefs: [yingjisha]
- name: 喀什地区行署
  email: ks@example.org
  role: 送
  briefs: [yingjisha]
- name: 济宁援疆指挥部
  email: jining@example.org
  briefs: [yingjisha]
- name: 英吉沙县委
  email: yjs@example.org
  briefs: []
  extra: [yingjisha]
"""


def test_issued_brief_gets_its_number_in_the_masthead_and_the_record_last(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    program = data / "programs" / "shandong.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("counties:", "archive_copies: 2\ncounties:", 1),
                       encoding="utf-8")
    target = Target(COUNTY, "yingjisha", YEAR)
    unissued = compose(load_dataset(data), target, default_templates())
    issue_document(data, "yingjisha", YEAR, summary=False, date=dt.date(2023, 12, 20), supplement=False)

    doc = compose(load_dataset(data), target, default_templates())
    masthead = doc.blocks[0]
    assert isinstance(masthead, model.Masthead)
    assert (masthead.number, masthead.date) == ("2023年第1期", "2023年12月20日")
    record = doc.blocks[-1]
    assert record == model.Record(
        lines=("报：自治区党委办公厅。", "送：喀什地区行署。", "发：济宁援疆指挥部。", "本期增发：英吉沙县委。"),
        issuer="济宁援疆指挥部", printed="2023年12月20日印发", copies="（共印6份）")  # 4 recipients + 2 on file
    # everything between the masthead and the record is the unissued brief, unchanged
    assert doc.blocks[1:-1] == unissued.blocks[1:]
    assert unissued.blocks[0] == model.Masthead("援疆工作简报", "济宁援疆指挥部", "2023年")
    assert not blocks(unissued, model.Record)
