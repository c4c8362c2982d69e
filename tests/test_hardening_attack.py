"""Issue 12, second pass: what an attack on the merged hardening still broke, each kept as a test.

A broken reference.docx, a chart that overflows, links that lead out of data/ or out/, a caption
with a carriage return, indicator keys that shadow the template's own names, a Jinja comment in a
data text, and fingerprints that depended on where the data dir lives."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from brief.check import validate
from brief.errors import BriefError
from brief.render import render_county
from helpers import DATA, ROOT, brief, data_copy, pdftotext
from test_hardening_templates import assert_one_clean_line, render_here, templates_with

LINKED_OUT = "是指向数据目录以外的链接，不会读取；请把文件本身放进数据目录"
LINKED_YEAR = "输出目录中的“2023”是指向别处的链接，brief 不会写到它指向的位置；请删除这个链接"


def problems(data: Path) -> list[str]:
    found, _ = validate([data], data)
    return [str(p) for p in found]


# -- a reference.docx that is not one -----------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["garbage", "empty_zip", "no_styles", "broken_styles"])
def test_broken_reference_docx_is_one_line_not_an_internal_error(tmp_path: Path, kind: str) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    ref = templates / "reference.docx"
    if kind == "garbage":
        ref.write_bytes(b"not a word file")
    elif kind == "empty_zip":
        _zip(ref, {})
    else:
        with zipfile.ZipFile(ROOT / "templates" / "reference.docx") as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        if kind == "no_styles":
            del members["word/styles.xml"]
        else:
            members["word/styles.xml"] = members["word/styles.xml"][: len(members["word/styles.xml"]) // 2]
        _zip(ref, members)
    result = brief("render", "yingjisha", "--year", "2023", "--format", "docx", "--templates", str(templates),
                   "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "内部错误" not in lines[0] and "Traceback" not in result.stderr, lines
    assert "reference.docx: reference.docx: " in lines[0] and "Word 样式模板" in lines[0]
    assert not (tmp_path / "out" / "2023").exists() or not list((tmp_path / "out" / "2023").iterdir())


# -- a chart value no axis can hold --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "-1e308", "1e16", "nan", "inf"])
def test_chart_value_beyond_any_figure_is_one_line(tmp_path: Path, value: str) -> None:
    chart = f"```chart\ncategories: 甲|乙\nseries: 本年|{value}|1\n```"
    line = assert_one_clean_line(render_here(templates_with(tmp_path, chart), tmp_path / "out"),
                                 template_line=False)
    assert "chart" in line and value in line


# -- links that lead out of out/ or data/ ---------------------------------------------------------------


@pytest.mark.slow
def test_year_folder_that_is_a_link_is_refused_and_nothing_written_through_it(tmp_path: Path) -> None:
    elsewhere, out = tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    out.mkdir()
    (out / "2023").symlink_to(elsewhere)
    result = brief("render", "yingjisha", "--year", "2023", "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"2023: --out: {LINKED_YEAR}")
    assert list(elsewhere.iterdir()) == []


def test_outbox_that_is_a_link_is_refused_before_any_send(tmp_path: Path) -> None:
    from brief.distribute import distribute

    elsewhere, out = tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    out.mkdir()
    (out / "outbox").symlink_to(elsewhere)
    with pytest.raises(BriefError, match="outbox: --out: 输出目录中的“outbox”是指向别处的链接"):
        distribute(DATA, out, 2023)
    assert list(elsewhere.iterdir()) == [] and not (out / "ledger.sqlite").exists()


def test_county_folder_linked_outside_data_is_not_read(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    outside = tmp_path / "outside"
    shutil.copytree(DATA / "counties" / "shule", outside)
    (data / "counties" / "fake").symlink_to(outside)
    assert problems(data) == [f"{data / 'counties' / 'fake'}: fake: {LINKED_OUT}"]
    with pytest.raises(BriefError):
        render_county(data, "fake", 2023, ("pdf",), tmp_path / "out")


def test_year_file_linked_outside_data_is_not_read(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("county: 秘密县\n", encoding="utf-8")
    (data / "counties" / "shule" / "2024.yaml").symlink_to(secret)
    found = problems(data)
    assert len(found) == 1 and found[0].endswith(f"2024.yaml: 2024.yaml: {LINKED_OUT}")


def test_link_inside_data_is_still_read(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    os.rename(data / "counties" / "shule", data / "shule_real")
    (data / "counties" / "shule").symlink_to(data / "shule_real")
    assert problems(data) == []


# -- texts -----------------------------------------------------------------------------------------------


def test_caption_with_a_carriage_return_keeps_all_its_text(tmp_path: Path) -> None:
    data = data_copy(tmp_path, {"counties/yingjisha/2023.yaml": ("caption: 戈壁花田（示意图，非实拍照片）",
                                                                 'caption: "戈壁花田\\r示意图甲\\n示意图乙"')})
    assert problems(data) == []
    pdf, docx_path = render_county(data, "yingjisha", 2023, ("pdf", "docx"), tmp_path / "out")
    assert "戈壁花田示意图甲示意图乙" in pdftotext(pdf).replace("\n", "")
    import docx

    assert any("戈壁花田示意图甲示意图乙" in p.text for p in docx.Document(str(docx_path)).paragraphs)


def test_jinja_comment_in_a_text_is_refused_not_dropped(tmp_path: Path) -> None:
    data = data_copy(tmp_path, {"counties/yingjisha/2023.yaml": ("组织可依", "组织可依{# 备注 #}")})
    found = problems(data)
    assert len(found) == 1 and ": text: 文字中不允许 {# #}（模板注释，会被整段删去）" in found[0], found


@pytest.mark.parametrize("key", ["items", "keys", "values", "get", "copy"])
def test_indicator_key_that_shadows_a_template_name_is_refused(tmp_path: Path, key: str) -> None:
    data = data_copy(tmp_path)
    catalog = data / "indicators.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8") + f"  {key}: {{label: 测试, unit: 个, section: team}}\n",
                       encoding="utf-8")
    line = len(catalog.read_text(encoding="utf-8").rstrip("\n").split("\n"))
    assert problems(data) == [f"{catalog}:{line}: {key}: 指标键“{key}”与模板的内置名称重名；请换一个，如 {key}_count"]


# -- the manifest does not depend on where the dirs are ------------------------------------------------


@pytest.mark.slow
def test_moved_data_dir_rebuilds_nothing(tmp_path: Path) -> None:
    first = tmp_path / "a" / "data"
    shutil.copytree(DATA, first)
    out = tmp_path / "out"
    assert brief("build", "--data", str(first), "--out", str(out), "--jobs", "1").returncode == 0
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    moved = tmp_path / "somewhere_else" / "data"
    moved.parent.mkdir()
    first.rename(moved)
    result = brief("build", "--data", str(moved), "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "都是最新的，未重写任何文件" in result.stdout
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["fingerprint"] for e in after["outputs"]] == [e["fingerprint"] for e in before["outputs"]]


def test_a_misspelt_indicator_is_one_line_not_one_per_citation(tmp_path: Path) -> None:
    """A clerk's typo in a key once also failed every citation and key figure of the key meant."""
    data = data_copy(tmp_path, {"counties/yingjisha/2023.yaml": ("  cadres_dispatched:", "  cadres_dispached:")})
    found = problems(data)
    assert len(found) == 1 and found[0].endswith("是否应为 cadres_dispatched？"), found
