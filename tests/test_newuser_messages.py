"""Mistakes a new office makes at its first tries, and the one line each gets back (a clerk's walk-through)."""

from __future__ import annotations

from pathlib import Path

from brief.data.citations import check_citations
from brief.data.schema import Checker
from brief.data.yamlfile import YStr, load_yaml
from brief.errors import Problem

KNOWN = {"cadres_dispatched", "free_clinics"}


def cite(text: str) -> list[tuple[int, str, str]]:
    return check_citations(YStr(text, 12), KNOWN, KNOWN)


def test_a_key_without_ind_is_shown_written_right() -> None:
    assert cite("开展义诊{{ free_clinics }}。") == [(12, "-", "引用要在指标键前加 ind.：请写作 {{ ind.free_clinics }}")]


def test_a_label_in_place_of_the_key_is_told_what_a_key_is() -> None:
    assert cite("开展义诊{{ 开展义诊 }}。") == [
        (12, "-", "引用要写作 {{ ind.指标键 }}，指标键是 indicators.yaml 中登记的英文键（不是指标名称），"
                  "例如 {{ ind.cadres_dispatched }}")]


def test_anything_else_keeps_the_general_rule() -> None:
    assert cite("{{ range(3) }}") == [(12, "-", "引用只能写作 {{ ind.指标键 }}，不能调用函数或访问其他对象")]
    assert cite("{{ ind.free_clinics }}") == []


def test_a_chinese_comma_in_a_list_is_named(tmp_path: Path) -> None:
    path = tmp_path / "2023.yaml"
    path.write_text("key_figures: [cadres_dispatched，free_clinics]\ncounties: [a、b, c]\n", encoding="utf-8")
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    assert loaded is not None and not problems
    checker = Checker("2023.yaml")
    assert checker.text_list(loaded.value, "key_figures") == []
    assert checker.text_list(loaded.value, "counties") == ["c"]
    assert [str(p) for p in checker.problems] == [
        "2023.yaml:1: key_figures: “cadres_dispatched，free_clinics”中用了中文“，”；"
        "列表各项之间请用半角逗号加空格隔开，例如 [a, b]",
        "2023.yaml:2: counties: “a、b”中用了中文“、”；列表各项之间请用半角逗号加空格隔开，例如 [a, b]"]
