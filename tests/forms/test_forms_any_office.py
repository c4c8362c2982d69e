"""A 填报表 for an office that is not 援疆 (issue 13's "any office"): the form and its import speak the
office's own words (东西部协作: 帮扶城市, 帮扶工作机构) and show its own data as examples (广元市, 湖州市,
its 工作队), never the 援疆 seed's (援助城市, 援疆指挥部, 喀什地区, 济宁市)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from brief.forms import make_form
from brief.forms.review import review_upload
from helpers import DATA, brief

COMMAND = "湖州市对口帮扶广元市工作队"
SEED_WORDS = ("援疆", "援助城市", "喀什", "济宁")
FORM = "2023年剑阁县东西部协作数据填报表.xlsx"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def county(name: str, year: int = 2023, tourists: str = "120万") -> str:
    return (f"county: {name}\nprefecture: 广元市\npartner: 湖州市\ncommand: {COMMAND}\nyear: {year}\n"
            f"batch: 第二批\nindicators:\n  ewc_funds: 1.2亿\n  ewc_tourists: {tourists}\n")


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """湖州市对口帮扶广元市工作队 (浙江 → 广元市): counties 剑阁县 and 苍溪县, its own catalog."""
    data = tmp_path / "data"
    write(data / "indicators.yaml",
          "sections:\n  industry: {title: 产业协作}\n  labour: {title: 劳务协作}\n"
          "indicators:\n  ewc_funds: {label: 财政帮扶资金, unit: 元, section: industry}\n"
          "  ewc_tourists: {label: 组织游客, unit: 人次, section: industry}\n"
          "  ewc_jobs: {label: 帮助农村劳动力就业, unit: 人, section: labour}\n")
    write(data / "programs" / "huzhou.yaml",
          f"name: {COMMAND}\nprovince: 浙江省\nprefecture: 广元市\ngenre: 东西部协作\ncounties: [jiange, cangxi]\n")
    write(data / "counties" / "jiange" / "2023.yaml", county("剑阁县"))
    write(data / "counties" / "cangxi" / "2023.yaml", county("苍溪县"))
    return data


def everything(path: Path) -> list[str]:
    """Every text a user can see in a workbook: cells, comments, input and error messages, list choices."""
    wb = load_workbook(path)
    out = [wb.properties.title or ""]
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows():
            out += [str(c.value) for c in row if c.value is not None]
            out += [c.comment.text for c in row if c.comment]
        for dv in ws.data_validations.dataValidation:
            out += [dv.promptTitle or "", dv.prompt or "", dv.errorTitle or "", dv.error or "", dv.formula1 or ""]
    return out


def facts(path: Path) -> dict[str, tuple[str, str]]:
    """The facts sheet by key: (label, note)."""
    ws = load_workbook(path)["基本情况"]
    return {ws.cell(r, 4).value: (ws.cell(r, 1).value, ws.cell(r, 3).value) for r in range(4, ws.max_row + 1)
            if ws.cell(r, 4).value}


def fill(path: Path, cells: dict[str, str]) -> Path:
    wb = load_workbook(path)
    ws = wb["基本情况"]
    rows = {ws.cell(r, 4).value: r for r in range(4, ws.max_row + 1)}
    for key, value in cells.items():
        ws.cell(rows[key], 2).value = value
    wb.save(path)
    return path


def test_the_form_speaks_the_offices_words_and_shows_its_own_data(office: Path, tmp_path: Path) -> None:
    path = make_form(office, "jiange", 2023, tmp_path / "forms")
    assert path.name == FORM
    texts = everything(path)
    for word in SEED_WORDS:
        assert not [t for t in texts if word in t], word
    shown = facts(path)
    assert shown["partner"] == ("帮扶城市", "必填，例如 湖州市")
    assert shown["command"] == ("帮扶工作机构", f"例如 {COMMAND}")
    assert shown["prefecture"] == ("所属地区", "例如 广元市")
    assert shown["batch"][0] == "选派批次"
    guide = " ".join(texts)
    assert "县名、帮扶城市等基本情况" in guide and "县名与帮扶城市必填" in guide


def test_a_county_file_without_command_takes_the_programs_name_as_example(office: Path, tmp_path: Path) -> None:
    target = office / "counties" / "cangxi" / "2023.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace(f"command: {COMMAND}\n", ""), encoding="utf-8")
    shown = facts(make_form(office, "cangxi", 2023, tmp_path / "forms"))
    assert shown["command"] == ("帮扶工作机构", f"例如 {COMMAND}")


def test_the_import_names_changes_in_the_offices_words(office: Path, tmp_path: Path) -> None:
    path = fill(make_form(office, "jiange", 2023, tmp_path / "forms"),
                {"partner": "嘉兴市", "command": "嘉兴市对口帮扶剑阁县工作组", "batch": "第三批"})
    review = review_upload(path, office)  # what the upload page lists
    assert not review.errors
    assert {c.key: c.label for c in review.changes} == {"partner": "帮扶城市", "command": "帮扶工作机构",
                                                         "batch": "选派批次"}
    done = brief("import", str(path), "--data", str(office))  # the terminal's list
    assert done.returncode == 0, done.stderr
    assert "帮扶城市：湖州市 → 嘉兴市" in done.stdout
    assert f"帮扶工作机构：{COMMAND} → 嘉兴市对口帮扶剑阁县工作组" in done.stdout
    assert "选派批次：第二批 → 第三批" in done.stdout
    assert not re.search("|".join(SEED_WORDS), done.stdout + done.stderr)


def test_newer_values_kept_are_named_in_the_offices_words(office: Path, tmp_path: Path) -> None:
    path = fill(make_form(office, "jiange", 2023, tmp_path / "forms"), {"batch": "第三批"})
    target = office / "counties" / "jiange" / "2023.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("partner: 湖州市", "partner: 嘉兴市"),
                      encoding="utf-8")
    done = brief("import", str(path), "--data", str(office))
    assert done.returncode == 0, done.stderr
    assert "保留文件中的新值：帮扶城市" in done.stdout


def test_a_new_years_file_is_headed_with_the_offices_genre(office: Path, tmp_path: Path) -> None:
    path = make_form(office, "jiange", 2024, tmp_path / "forms")
    wb = load_workbook(path)
    wb["产业协作"]["C5"].value = "150万"
    wb.save(path)
    done = brief("import", str(path), "--data", str(office))
    assert done.returncode == 0, done.stderr
    head = (office / "counties" / "jiange" / "2024.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("# 剑阁县 2024年东西部协作工作数据") and "援疆" not in head


def test_a_yuanjiang_form_keeps_its_words(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    shown = facts(make_form(data, "yingjisha", 2023, tmp_path / "forms"))
    assert shown["partner"] == ("援助城市", "必填，例如 济宁市")
    assert shown["command"] == ("援疆指挥部", "例如 济宁援疆指挥部")
    assert shown["prefecture"] == ("所属地区", "例如 喀什地区")
    assert shown["batch"] == ("援疆批次", "例如 第十一批")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # werkzeug's spooled upload
def test_the_upload_page_lists_changes_in_the_offices_words(office: Path, tmp_path: Path) -> None:
    from brief.web import create_app

    path = fill(make_form(office, "jiange", 2023, tmp_path / "forms"), {"partner": "嘉兴市"})
    c = create_app(office, tmp_path / "out", None, work=tmp_path / "work").test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/forms").get_data(as_text=True)).group(1)
    with open(path, "rb") as fh:
        r = c.post("/forms/upload", data={"csrf": csrf, "form": (fh, path.name)}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c.get(r.headers["Location"]).get_data(as_text=True)))
    assert "帮扶城市 partner 湖州市 嘉兴市" in page and "援助城市" not in page
