"""The YAML reader's short cuts for plain scalars and keys (issue 19) refuse what the full checks refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.data.yamlfile import MAX_KEY, MAX_NODES, load_yaml
from brief.errors import Problem


def load(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    return (loaded.value if loaded else None), [str(p).replace(str(path), "F") for p in problems]


def test_the_node_limit_is_exact(tmp_path: Path) -> None:
    # the mapping and its key count: MAX_NODES nodes in all are read, one more is refused
    value, shown = load(tmp_path, "a: [" + "1," * (MAX_NODES - 4) + "1]\n")
    assert shown == [] and len(value["a"]) == MAX_NODES - 3  # type: ignore[index]
    value, shown = load(tmp_path, "a: [" + "1," * (MAX_NODES - 3) + "1]\n")
    assert value is None
    assert shown == [f"F:1: a: 内容超过 {MAX_NODES} 项，数据文件不会这么多；请检查是否选错了文件"]


@pytest.mark.parametrize(("key", "said"), [
    ("a\u200bb", "F:2: ab: 键里有看不见的零宽字符 U+200B，请删除"),
    ('"a:b"', "F:2: -: 键“a:b”里有冒号；冒号后面要加空格，含冒号的文字请加引号"),
    ('"a\\x01"', "F:2: -: 键里有看不见的字符 U+0001，请删除"),
    ('"a\\nb"', "F:2: -: 键不能分成多行"),
    ("k" * (MAX_KEY + 1), f"F:2: -: 键太长（{MAX_KEY + 1} 个字符）；键都是简短的名称，请检查缩进和冒号"),
    ("x", "F:2: x: 重复的键（第一次出现在第 1 行）"),
])
def test_keys_the_short_cut_leaves_to_the_full_checks(tmp_path: Path, key: str, said: str) -> None:
    value, shown = load(tmp_path, f"x: 1\n{key}: 2\ny: 3\n")
    assert shown == [said]
    assert value["y"] == "3" and value.key_lines["y"] == 3  # type: ignore[index,union-attr]


def test_a_key_at_the_length_limit_is_read(tmp_path: Path) -> None:
    value, shown = load(tmp_path, f"{'k' * MAX_KEY}: 2\n")
    assert shown == [] and value == {"k" * MAX_KEY: "2"}


def test_tagged_and_anchored_scalars_are_still_refused(tmp_path: Path) -> None:
    assert load(tmp_path, "a: !!str 1\n")[1] == ["F:1: a: 不支持 YAML 标签“!!str”；以“!”开头的文字请加引号"]
    assert load(tmp_path, "a: &x 1\n")[1] == ["F:1: a: 不支持 YAML 锚点和别名（&、*）；请直接写出内容"]
