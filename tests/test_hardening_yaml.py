"""Issue 12, YAML: bombs, deep nesting, invisible characters and PyYAML's English, each as one line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brief.data.yamlfile import MAX_DEPTH, MAX_KEY, MAX_NODES, YList, YMap, YStr, load_yaml
from brief.errors import Problem

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
GOOD = (MINI / "counties" / "good" / "2023.yaml").read_text(encoding="utf-8")
TARGET = "data/counties/good/2023.yaml"
LINE = re.compile(r"^[^:]+:\d+: [^:]+: .+")


def validate(tmp_path: Path, text: str | bytes, timeout: float = 30) -> tuple[subprocess.CompletedProcess[str], float]:
    """``brief validate`` on the mini data dir with the county file replaced by ``text``."""
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(MINI, data)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    (data / "counties" / "good" / "2023.yaml").write_bytes(raw)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "brief.cli", "validate", "--data", "data"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=timeout)
    return result, time.monotonic() - start


def load(tmp_path: Path, text: str | bytes) -> tuple[object, list[str]]:
    path = tmp_path / "f.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    shown = [str(p).replace(str(path), "F") for p in problems]
    return (loaded.value if loaded else None), shown


def with_line(number: int, new: str, text: str = GOOD) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    rows = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(rows)


# --- bombs and depth -------------------------------------------------------------------------


def test_alias_bomb_is_refused_at_the_first_anchor_without_expanding(tmp_path: Path) -> None:
    bomb = billion_laughs()
    text = GOOD.replace("summary: 测试导语。", "summary: 测试导语。\n" + bomb)
    result, seconds = validate(tmp_path, text)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{TARGET}:10: a0: 不支持 YAML 锚点和别名（&、*）；请直接写出内容"]
    assert seconds < 15  # the expansion (10^9 strings) took 44 s and 2.9 GB


def test_alias_alone_is_refused_with_its_key(tmp_path: Path) -> None:
    assert load(tmp_path, "a: 1\nb: *x\n")[1] == ["F:2: b: 不支持 YAML 锚点和别名（&、*）；请直接写出内容"]


def test_anchor_without_alias_is_refused(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "a: 1\nb: &x\n  c: 2\n")
    assert value is None
    assert shown == ["F:2: b: 不支持 YAML 锚点和别名（&、*）；请直接写出内容"]


def test_merge_key_alias_is_refused(tmp_path: Path) -> None:
    assert load(tmp_path, "a: {<<: *x}\n")[1] == ["F:1: a: 不支持 YAML 锚点和别名（&、*）；请直接写出内容"]


def test_hundred_thousand_brackets_do_not_crash_libyaml(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result, _ = validate(tmp_path, with_line(16, f"  pepper_area: {deep}"))
    assert result.returncode == 1, result  # was -11 (SIGSEGV): no output at all
    assert result.stderr.splitlines() == [
        f"{TARGET}:16: pepper_area: 嵌套超过 {MAX_DEPTH} 层，数据文件用不到这么深；请检查括号和缩进"]


@pytest.mark.parametrize("deep", [
    "x: " + "[" * 500 + "]" * 500,  # RecursionError without a line before
    "x: " + "{a: " * 500 + "}" * 500,
    "x:\n" + "- " * 100_000 + "y",
    "x:\n" + "? " * 100_000 + "y",
    "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 600)),
], ids=["brackets", "braces", "dashes", "question-marks", "indentation"])
def test_deep_nesting_is_refused_with_a_line(tmp_path: Path, deep: str) -> None:
    value, shown = load(tmp_path, deep)
    assert value is None
    assert len(shown) == 1
    assert re.fullmatch(rf"F:\d+: \S+: 嵌套超过 {MAX_DEPTH} 层，数据文件用不到这么深；请检查括号和缩进", shown[0])


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "x: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1))
    assert shown == []
    assert isinstance(value, YMap)
    depth, node = 1, value["x"]
    while isinstance(node, YList):
        depth, node = depth + 1, node[0]
    assert depth == MAX_DEPTH
    assert node == "1"


def test_deep_indentation_line_is_where_the_limit_is_passed(tmp_path: Path) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(30))
    message = f"嵌套超过 {MAX_DEPTH} 层，数据文件用不到这么深；请检查括号和缩进"
    assert load(tmp_path, text)[1] == [f"F:{MAX_DEPTH + 1}: k{MAX_DEPTH}: {message}"]


def test_oversized_file_is_refused_with_a_line(tmp_path: Path) -> None:
    text = GOOD + "\n# " + "x" * (3 * 1024 * 1024) + "\n"  # GOOD ends with a newline: the comment is line 22
    result, _ = validate(tmp_path, text)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{TARGET}:22: -: 文件超过 2 MB，数据文件不会这么大；请检查是否选错了文件"]


def test_too_many_lines_are_refused(tmp_path: Path) -> None:
    message = "文件超过 50000 行，数据文件不会这么长；请检查是否选错了文件"
    assert load(tmp_path, "#\n" * 60_000)[1] == [f"F:50001: -: {message}"]


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "a: [" + "1," * 250_000 + "1]\n")
    assert value is None
    assert shown == [f"F:1: a: 内容超过 {MAX_NODES} 项，数据文件不会这么多；请检查是否选错了文件"]


def test_huge_file_with_a_late_error_is_answered_quickly(tmp_path: Path) -> None:
    # The error re-read by pure-Python PyYAML (for its messages) must stay bounded by the caps.
    start = time.monotonic()
    shown = load(tmp_path, "a: [" + "1," * 1_000_000 + "\n")[1]
    assert shown == [f"F:1: a: 内容超过 {MAX_NODES} 项，数据文件不会这么多；请检查是否选错了文件"]
    assert time.monotonic() - start < 10


# --- documents and tags ------------------------------------------------------------------------


def test_second_document_is_refused(tmp_path: Path) -> None:
    result, _ = validate(tmp_path, GOOD + "\n---\ncounty: 另一个县\n")
    assert result.stderr.splitlines() == [f"{TARGET}:22: -: 一个文件只能有一个文档（发现第二个“---”）"]


def test_content_after_document_end_is_explained(tmp_path: Path) -> None:
    message = "YAML 语法错误：一个文件只能有一个文档；“...”后面不能再写内容"
    assert load(tmp_path, "a: 1\n...\nb: 2\n")[1] == [f"F:3: b: {message}"]


def test_leading_document_marker_is_still_fine(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "---\na: 1\n...\n")
    assert shown == [] and value == {"a": "1"}


def test_python_tag_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = with_line(8, f'headline: !!python/object/apply:os.system ["touch {marker}"]')
    result, _ = validate(tmp_path, text)
    assert result.stderr.splitlines() == [
        f"{TARGET}:8: headline: 不支持 YAML 标签“!!python/object/apply:os.system”；以“!”开头的文字请加引号"]
    assert not marker.exists()


@pytest.mark.parametrize("text", ["a: !!str 1\n", "a: !x y\n", "a: ! y\n", "- !!map {}\n"])
def test_any_tag_is_refused(tmp_path: Path, text: str) -> None:
    shown = load(tmp_path, text)[1]
    assert len(shown) == 1 and "不支持 YAML 标签" in shown[0] and shown[0].startswith("F:1: ")


# --- invisible characters --------------------------------------------------------------------


@pytest.mark.parametrize(("char", "message"), [
    ("\u2028", "含有看不见的换行符 U+2028，请删除"),
    ("\u2029", "含有看不见的换行符 U+2029，请删除"),
    ("\x85", "含有看不见的换行符 U+0085，请删除"),
    ("\r", "含有单独的回车符 U+000D（旧式换行），请删除，或在编辑器中把换行符改成 LF"),
], ids=["LS", "PS", "NEL", "CR"])
def test_invisible_line_break_is_named_and_later_lines_stay_right(tmp_path: Path, char: str, message: str) -> None:
    # The break on line 9 used to shift every later line by one; the bad unit on line 15 must keep its line.
    text = with_line(15, "  surgery_34_change: 61.36万元", with_line(9, f"summary: 测试{char}导语。"))
    result, _ = validate(tmp_path, text)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{TARGET}:9: summary: {message}"
    assert len(lines) == 2 and lines[1].startswith(f"{TARGET}:15: surgery_34_change: "), lines


def test_syntax_error_after_an_invisible_break_keeps_its_line(tmp_path: Path) -> None:
    text = with_line(12, "  agri_training_attendance: [2.12万", with_line(3, "partner: 济宁\u2028市"))
    result, _ = validate(tmp_path, text)
    assert result.stderr.splitlines() == [f"{TARGET}:3: partner: 含有看不见的换行符 U+2028，请删除",
                                          f"{TARGET}:12: agri_training_attendance: YAML 语法错误：括号没有闭合"]


def test_crlf_file_validates(tmp_path: Path) -> None:
    result, _ = validate(tmp_path, GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr


def test_crlf_file_reports_right_lines(tmp_path: Path) -> None:
    text = with_line(12, "  agri_training_attendance: [2.12万").replace("\n", "\r\n")
    result, _ = validate(tmp_path, text.encode("utf-8"))
    assert result.stderr.splitlines() == [f"{TARGET}:12: agri_training_attendance: YAML 语法错误：括号没有闭合"]


def test_old_mac_file_is_one_line_with_its_cause(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "a: 1\rb: 2\rc: 3\r")
    assert value is None
    assert shown == ["F:1: a: 含有单独的回车符 U+000D（旧式换行），请删除，或在编辑器中把换行符改成 LF"]


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_control_in_text_is_refused(tmp_path: Path, char: str) -> None:
    shown = load(tmp_path, f"a: 1\nname: 测试{char}县\n")[1]
    assert shown == [f"F:2: name: 含有看不见的文字方向控制符 U+{ord(char):04X}，请删除"]


def test_bidi_control_from_an_escape_is_refused(tmp_path: Path) -> None:
    assert load(tmp_path, 'name: "测试\\u202e县"\n')[1] == ["F:1: name: 含有看不见的文字方向控制符 U+202E，请删除"]


def test_bidi_control_in_a_key_is_not_printed(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "na\u202eme: x\n")
    assert shown == ["F:1: name: 含有看不见的文字方向控制符 U+202E，请删除"]
    assert value == {"name": "x"}


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\ufeff"])
def test_zero_width_character_in_a_key_is_refused(tmp_path: Path, char: str) -> None:
    text = with_line(11, f"  cadres{char}_dispatched: 490")
    result, _ = validate(tmp_path, text)
    assert result.stderr.splitlines() == [
        f"{TARGET}:11: cadres_dispatched: 键里有看不见的零宽字符 U+{ord(char):04X}，请删除"]


def test_byte_order_mark_at_start_is_fine(tmp_path: Path) -> None:
    result, _ = validate(tmp_path, b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert result.returncode == 0, result.stderr


def test_c1_control_is_named_with_its_line(tmp_path: Path) -> None:
    assert load(tmp_path, "a: 1\nb: x\x9by\n")[1] == ["F:2: b: 含有看不见的控制字符 U+009B，请删除"]


# --- PyYAML's English ---------------------------------------------------------------------------

MALFORMED = [
    "a: @x\n", "a: `x\n", "a: %x\n", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "%YAML 2.0\n---\na: 1\n",
    "%YAML x\n---\n", "%TAG ! !\n%TAG ! !\n---\na: 1\n", "a: !x!y z\n", "a: !<x\n", "a: !<>\n", "a: &\n", "a: & x\n",
    "a: *\n", "a: |0\n  x\n", "a: |x\n  x\n", "a: | x\n  x\n", "a: >-9+\n  x\n", 'a: "\\q"\n', 'a: "\\xZZ"\n',
    'a: "\\u12"\n', "a: 'x\n---\n'\n", 'a: "x\n...\n"\n', "- a\nb: 1\n", "a: 1\n- b\n", "a:\n  - b\n  c: 1\n",
    "a: [x]y\n", "a: {x: 1]\n", "a: [x}\n", "a: ]\n", "a: }\n", "a: ,\n", "a: ? b\n", "a: - b\n", "a: b: c\n",
    "a\nb: 1\n", "a: 1\n b: 2\n", "  a: 1\nb: 2\n", "a: 'x''\n", '[a, b\n', '{a: 1\n', "[\n", "]\n", "{\n", "}\n",
    ",\n", ":\n", "...\n", "- \n-- x\n", 'a: "x" y\n', 'a: ["x" y]\n', "a: {: b}\n", "a: [b: c: d]\n", "a: [- b]\n",
    "a: |-+\n", "a: |10\n", 'a: "\\U0011FFFF"\n', "a: 1\nb\nc: 2\n", "a: \"\\\n",
]
ALLOWED_LATIN = {"YAML", "Word", "Tab", "LF", "Unicode"}


@pytest.mark.parametrize("text", MALFORMED)
def test_every_yaml_message_is_chinese_with_a_line(tmp_path: Path, text: str) -> None:
    value, shown = load(tmp_path, text)
    assert value is None
    assert len(shown) == 1, shown
    assert LINE.match(shown[0]), shown
    message = shown[0].split(": ", 2)[2]
    latin = set(re.findall(r"[A-Za-z]{2,}", message)) - ALLOWED_LATIN
    assert not latin, shown
    assert 1 <= int(shown[0].split(":")[1]) <= max(1, text.count("\n"))


def test_missing_colon_points_at_the_key_not_the_next_line(tmp_path: Path) -> None:
    assert load(tmp_path, "a: 1\nb\nc: 2\n")[1] == ["F:2: -: YAML 语法错误：缺少冒号“:”"]


def test_unclosed_bracket_at_end_points_where_it_opens(tmp_path: Path) -> None:
    assert load(tmp_path, "a: 1\nb: [\n\n\n")[1] == ["F:2: b: YAML 语法错误：括号没有闭合"]


def test_escape_beyond_unicode_is_a_line_not_a_crash(tmp_path: Path) -> None:
    message = "YAML 语法错误：双引号里的“\\U”转义超出了 Unicode 的范围"
    assert load(tmp_path, 'a: 1\nb: "\\U0011FFFF"\n')[1] == [f"F:2: b: {message}"]


# --- values are as before ----------------------------------------------------------------------


def test_values_keep_their_text_lines_and_kinds(tmp_path: Path) -> None:
    text = "a: ~\nb: null\nc: ''\nd: no\ne: |\n  x\nf:\n  - 010\n  - [1, '2']\ng:\n"
    value, shown = load(tmp_path, text)
    assert shown == []
    assert value == {"a": "~", "b": "null", "c": "", "d": "no", "e": "x\n", "f": ["010", ["1", "2"]], "g": ""}
    assert isinstance(value, YMap) and value.key_lines == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 7, "g": 10}
    assert isinstance(value["e"], YStr) and value["e"].block and value["e"].line == 5
    assert value["f"].line == 8 and value["f"][1].line == 9 and value["f"][1][1].line == 9


def test_non_text_key_and_its_value_are_dropped(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "a: 1\n? [x, y]\n: {z: 1}\nb: 2\n")
    assert shown == ["F:2: -: 键必须是文字"]
    assert value == {"a": "1", "b": "2"}


def test_duplicate_key_keeps_the_first_value(tmp_path: Path) -> None:
    value, shown = load(tmp_path, "a: 1\nb: [2]\na: [3]\nc: 4\n")
    assert shown == ["F:3: a: 重复的键（第一次出现在第 1 行）"]
    assert value == {"a": "1", "b": ["2"], "c": "4"}


# --- keys that would break the "file:line: key: message" shape ----------------------------------


def test_key_with_a_colon_is_refused_without_breaking_the_line_shape(tmp_path: Path) -> None:
    # Found by the fuzz test: "cadres:dispatched: 490" gave "file:11: cadres:dispatched: 未知的键…".
    text = with_line(11, "  cadres:dispatched: 490")
    result, _ = validate(tmp_path, text)
    assert f"{TARGET}:11: -: 键“cadres:dispatched”里有冒号；冒号后面要加空格，含冒号的文字请加引号" in result.stderr
    assert all(LINE.match(line) for line in result.stderr.splitlines())


@pytest.mark.parametrize(("text", "message"), [
    ('"a\\nb": 1\n', "键不能分成多行"),
    ("? |\n  a\n  b\n: 1\n", "键不能分成多行"),
    ('"a\\x0bb": 1\n', "键里有看不见的字符 U+000B，请删除"),
    ('"a\\u202eb": 1\n', "键里有看不见的字符 U+202E，请删除"),
    ("? " + "长" * (MAX_KEY + 1) + "\n: x\n", f"键太长（{MAX_KEY + 1} 个字符）；键都是简短的名称，请检查缩进和冒号"),
])
def test_key_that_cannot_be_printed_is_refused(tmp_path: Path, text: str, message: str) -> None:
    value, shown = load(tmp_path, text + "c: 2\n")
    assert shown == [f"F:1: -: {message}"]
    assert value == {"c": "2"}


def test_character_the_yaml_reader_refuses_is_a_line_even_if_the_scan_missed_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The line scan names every such character first; this is the net below it (PyYAML's reader
    # raises in its constructor, with an offset and English).
    import brief.data.yamlfile as yamlfile

    monkeypatch.setattr(yamlfile, "_C1_CHARS", re.compile("(?!)"))
    monkeypatch.setattr(yamlfile, "_LINE_ODD", re.compile("(?!)"))
    assert load(tmp_path, "a: 1\nb: x\x81\n")[1] == ["F:2: b: 含有 YAML 不允许的字符 U+0081，请删除"]


def test_problem_on_a_huge_line_is_answered_quickly(tmp_path: Path) -> None:
    # Finding the key on a problem's line was quadratic in the line's length (an hour for 2 MB).
    start = time.monotonic()
    shown = load(tmp_path, "a" + " " * 1_500_000 + "b\x0b\n")[1]
    assert shown == ["F:1: -: 含有 Word 无法保存的控制字符 U+000B，请删除"]
    assert time.monotonic() - start < 10


def test_unreadable_file_reason_is_chinese(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    problems: list[Problem] = []
    assert load_yaml(tmp_path / "dir.yaml", problems) is None
    assert [p.message for p in problems] == ["无法读取文件：这是一个文件夹，不是文件"]


def test_tag_with_an_escaped_line_break_stays_on_one_line(tmp_path: Path) -> None:
    shown = load(tmp_path, "a: !a%0Ab%E2%80%AEc x\n")[1]
    assert shown == ["F:1: a: 不支持 YAML 标签“!aU+000AbU+202Ec”；以“!”开头的文字请加引号"]
