"""The shipped data files (data/) follow the contract and cover the seed documents' figures.

The project's own loader reads every scalar as text; yaml.safe_load here may give ints and floats,
so every value goes through str() before parsing, as a user would have typed it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from brief.domain.aggregate import total
from brief.domain.quantity import parse_quantity

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_COUNTY = SEEDS / "003_44498a2181e67a6b.txt"
SEED_PROGRAM = SEEDS / "000_084201013367dc75.txt"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(),
                                 reason="the seed documents (../shared/seeds) are not beside this checkout")

SECTIONS = {
    "team": "队伍建设",
    "industry": "产业援疆",
    "talent": "智力援疆",
    "livelihood": "民生援疆",
    "culture": "文化润疆",
    "exchange": "交往交流交融",
}
INDICATOR_KEYS = {"label", "unit", "section", "aggregate", "change"}
COUNTY_KEYS = {
    "county", "prefecture", "partner", "command", "year", "batch", "status", "source",
    "headline", "summary", "indicators", "highlights", "key_figures", "period",
}
PROGRAM_YEAR_KEYS = {"year", "source", "status", "headline", "summary", "indicators", "totals", "highlights",
                     "key_figures", "period"}
HIGHLIGHT_KEYS = {"title", "text", "image", "caption"}
CITATION = re.compile(r"\{\{\s*ind\.([A-Za-z0-9_]+)\s*\}\}")
SAMPLE_SOURCE = "示例数据，非真实统计"


def load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def catalog() -> dict:
    return load(DATA / "indicators.yaml")


@pytest.fixture(scope="module")
def indicators(catalog) -> dict:
    return catalog["indicators"]


def county_files() -> list[Path]:
    return sorted((DATA / "counties").glob("*/*.yaml"))


def program_year_files() -> list[Path]:
    return sorted((DATA / "programs").glob("*/*.yaml"))


def q(indicators: dict, key: str, value):
    spec = indicators[key]
    return parse_quantity(str(value), spec["unit"], change=spec.get("change", False))


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("％", "%")


# ── the catalog ──────────────────────────────────────────────────────────────────────────────


def test_sections_exact(catalog):
    assert list(catalog) == ["sections", "indicators"]
    assert list(catalog["sections"]) == list(SECTIONS)
    for key, title in SECTIONS.items():
        assert catalog["sections"][key] == {"title": title}


def test_required_entries_exact(indicators):
    assert indicators["cadres_dispatched"] == {
        "label": "选派干部人才", "unit": "名", "section": "talent", "aggregate": "sum"}
    assert indicators["student_aid_funds"] == {
        "label": "贫困大学生资助资金", "unit": "元", "section": "exchange", "aggregate": "sum"}
    assert indicators["surgery_34_change"] == {
        "label": "三四级手术量同比", "unit": "%", "section": "livelihood", "aggregate": "none", "change": True}
    for key in ("agri_training_attendance", "ethics_training_attendance"):
        spec = indicators[key]
        assert (spec["unit"], spec["section"], spec["aggregate"]) == ("人次", "talent", "sum")
    for key in ("outpatient_visits_change", "avg_cost_change"):
        assert indicators[key]["change"] is True


def test_catalog_entries_well_formed(indicators):
    assert len(indicators) >= 80
    labels = [spec["label"] for spec in indicators.values()]
    assert len(labels) == len(set(labels)), "labels must be unique"
    for key, spec in indicators.items():
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key), key
        assert set(spec) <= INDICATOR_KEYS, key
        assert {"label", "unit", "section", "aggregate"} <= set(spec), key
        assert spec["section"] in SECTIONS, key
        assert spec["aggregate"] in ("sum", "max", "none"), key
        assert isinstance(spec["unit"], str) and spec["unit"], key
        assert "万" not in spec["unit"] and "亿" not in spec["unit"], key
        if spec["unit"] == "%":
            assert spec["aggregate"] == "none", key
        if spec.get("change"):
            assert spec["change"] is True and spec["unit"] == "%", key


# ── county and program files ─────────────────────────────────────────────────────────────────


def check_values(path: Path, values: dict, indicators: dict) -> None:
    for key, value in values.items():
        assert key in indicators, f"{path}: {key} not in the catalog"
        q(indicators, key, value)  # raises QuantityError on a bad figure


def check_highlights(path: Path, doc: dict, indicators: dict) -> None:
    cited_ok = set(doc.get("indicators") or {})
    for text in (doc.get("summary") or "", doc.get("headline") or ""):
        for key in CITATION.findall(str(text)):
            assert key in cited_ok, f"{path}: summary cites {key}"
    highlights = doc.get("highlights") or {}
    assert set(highlights) <= set(SECTIONS), path
    for section, items in highlights.items():
        assert isinstance(items, list) and 1 <= len(items) <= 3, (path, section)
        for item in items:
            assert set(item) <= HIGHLIGHT_KEYS, (path, section, item)
            assert isinstance(item["title"], str) and item["title"]
            assert isinstance(item["text"], str) and item["text"]
            assert "{{" not in item["title"]
            for key in CITATION.findall(item["text"]):
                assert key in cited_ok, f"{path}: {section} cites {key} which the file does not have"
            # a citation must not be followed by the unit it prints itself
            for m in CITATION.finditer(item["text"]):
                unit = indicators[m.group(1)]["unit"]
                assert not item["text"][m.end():].startswith(unit), (path, m.group(0))
            if "image" in item:
                image = (path.parent / item["image"]).resolve()
                assert image.is_file(), image
                assert DATA.resolve() in image.parents
                assert "示意图" in item.get("caption", ""), (path, item["image"])


@pytest.mark.parametrize("path", county_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_county_file(path, indicators):
    doc = load(path)
    assert set(doc) <= COUNTY_KEYS, path
    for key in ("county", "partner", "year"):
        assert doc.get(key), (path, key)
    assert str(doc["year"]) == path.stem
    assert doc["status"] in ("final", "draft")
    assert doc.get("source")
    check_values(path, doc.get("indicators") or {}, indicators)
    check_highlights(path, doc, indicators)
    if doc["source"] == SAMPLE_SOURCE:
        assert "示例" in doc["summary"], path


@pytest.mark.parametrize("path", program_year_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_program_year_file(path, indicators):
    doc = load(path)
    assert set(doc) <= PROGRAM_YEAR_KEYS, path
    assert str(doc["year"]) == path.stem
    check_values(path, doc.get("indicators") or {}, indicators)
    check_values(path, doc.get("totals") or {}, indicators)
    check_highlights(path, doc, indicators)


def test_program_totals_equal_county_sums(indicators):
    for program_file in sorted((DATA / "programs").glob("*.yaml")):
        program = load(program_file)
        assert set(program) == {"name", "province", "prefecture", "counties"}
        for county in program["counties"]:
            assert (DATA / "counties" / county).is_dir(), county
        for year_file in sorted((DATA / "programs" / program_file.stem).glob("*.yaml")):
            doc = load(year_file)
            for key, declared in (doc.get("totals") or {}).items():
                values = []
                for county in program["counties"]:
                    county_doc = load(DATA / "counties" / county / f"{year_file.stem}.yaml")
                    values.append(q(indicators, key, county_doc["indicators"][key]))
                assert total(values) == q(indicators, key, declared), (year_file, key)


def test_shandong_program_exact():
    assert load(DATA / "programs" / "shandong.yaml") == {
        "name": "山东援疆指挥部",
        "province": "山东省",
        "prefecture": "喀什地区",
        "counties": ["shule", "yuepuhu", "maigaiti", "yingjisha"],
    }


def test_county_facts():
    expected = {
        "yingjisha": ("英吉沙县", "济宁市", "济宁援疆指挥部", "final"),
        "shule": ("疏勒县", "东营市", "东营援疆指挥部", "final"),
        "yuepuhu": ("岳普湖县", "聊城市", "聊城援疆指挥部", "final"),
        "maigaiti": ("麦盖提县", "菏泽市", "菏泽援疆指挥部", "draft"),
    }
    for county, (name, partner, command, status) in expected.items():
        doc = load(DATA / "counties" / county / "2023.yaml")
        assert (doc["county"], doc["partner"], doc["command"], doc["status"]) == (name, partner, command, status)
        assert doc["prefecture"] == "喀什地区" and doc["batch"] == "第十一批"
        assert set(doc["highlights"]) == set(SECTIONS), county
    assert load(DATA / "counties" / "yingjisha" / "2022.yaml")["source"] == SAMPLE_SOURCE


def test_recipients():
    recipients = load(DATA / "recipients.yaml")
    program_ids = {p.stem for p in (DATA / "programs").glob("*.yaml")}
    county_ids = {p.name for p in (DATA / "counties").iterdir() if p.is_dir()}
    assert 3 <= len(recipients)
    for r in recipients:
        assert set(r) == {"name", "email", "briefs"}
        assert r["email"].endswith("@example.org")
        for b in r["briefs"]:
            assert b == "summary" or b in county_ids or b in program_ids, b


# ── the seeds' figures are in the data ────────────────────────────────────────────────────────

YINGJISHA_SPOT_CHECK = {
    "cadres_dispatched": "490名",
    "agri_training_attendance": "2.12万人次",
    "ethics_training_attendance": "1600余人次",
    "student_aid_funds": "747.6万元",
    "surgery_34_change": "61.36%",
    "outpatient_visits_change": "10.66%",
    "orchard_area": "30.89万亩",
    "apricot_area": "17.68万亩",
    "pepper_area": "7万多亩",
    "whiteleg_shrimp_fry": "210万尾",
    "giant_prawn_fry": "100万尾",
    "greenhouses_rebuilt": "38座",
    "radio_sets": "8万余套",
    "radio_households": "7万余户",
    "hospital_floor_area": "10万平方米",
    "academy_visit_groups": "226批",
    "lecture_attendance": "3.5万余人次",
    "paired_families": "289户",
    "student_aid_recipients": "1246名",
    "cadre_training_attendance": "8700余人次",
    "culture_sites": "260余处",
    "student_clubs": "850个",
    "tcm_visit_share": "60%",
}


@needs_seeds
def test_yingjisha_spot_check(indicators):
    from brief.domain.quantity import format_quantity

    seed = normalized(SEED_COUNTY.read_text(encoding="utf-8"))
    doc = load(DATA / "counties" / "yingjisha" / "2023.yaml")["indicators"]
    for key, written in YINGJISHA_SPOT_CHECK.items():
        assert written in seed, written
        printed = format_quantity(q(indicators, key, doc[key]), indicators[key]["unit"])
        assert printed == written, (key, printed, written)
    assert str(doc["avg_cost_change"]) == "-6.03%"  # seed: 次均费用下降6.03%


# Figures in a seed that are not data (years, ordinals, a range, a bound the grammar cannot hold).
NOT_DATA_003 = {
    "2023年",        # the year itself
    "1名",           # “1名援疆教师带2至3名徒弟”: a ratio of mentor to apprentices, not a total
    "3名",           # from “2至3名徒弟”: a range, not representable
    "2%",            # “就诊转诊率保持在2%以下”: an upper bound, not representable
}


UNITS = ("人次", "场次", "平方米", "公斤", "台次", "名", "个", "亩", "座", "尾", "元", "户", "次", "期", "场",
         "批", "节", "对", "所", "套", "处", "件", "家", "人", "吨", "种", "%")
FIGURE = re.compile(
    r"(?P<pre>近|约|超过|超)?(?P<num>\d+(?:\.\d+)?)(?P<scale>万|亿)?(?P<post>余|多)?(?P<unit>" + "|".join(UNITS) + ")"
)


def figures(text: str) -> list[tuple[str, Decimal]]:
    out = []
    for m in FIGURE.finditer(normalized(text)):
        scale = {"万": Decimal(10000), "亿": Decimal(100000000)}.get(m["scale"] or "", Decimal(1))
        out.append((m.group(0), Decimal(m["num"]) * scale))
    return out


def data_values(paths: list[Path], indicators: dict) -> set[Decimal]:
    found: set[Decimal] = set()
    for path in paths:
        doc = load(path)
        for section in ("indicators", "totals"):
            for key, value in (doc.get(section) or {}).items():
                found.add(abs(q(indicators, key, value).value))
    return found


@needs_seeds
def test_every_county_seed_figure_is_data(indicators):
    values = data_values([DATA / "counties" / "yingjisha" / "2023.yaml"], indicators)
    missing = [written for written, v in figures(SEED_COUNTY.read_text(encoding="utf-8"))
               if v not in values and written not in NOT_DATA_003]
    assert not missing, missing


NOT_DATA_000 = {
    "4县",   # the program's four counties
}


@needs_seeds
def test_every_program_seed_figure_is_data(indicators):
    paths = [DATA / "programs" / "shandong" / "2023.yaml",
             DATA / "counties" / "shule" / "2023.yaml",
             DATA / "counties" / "yuepuhu" / "2023.yaml"]
    values = data_values(paths, indicators)
    text = SEED_PROGRAM.read_text(encoding="utf-8").replace("近万人", "近1万人").replace("30余万人", "30万余人")
    missing = [written for written, v in figures(text) if v not in values and written not in NOT_DATA_000]
    assert not missing, missing
