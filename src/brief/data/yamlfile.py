"""Strict YAML reading: every scalar is text, every node knows its line, traps become errors.

PyYAML's safe_load turns ``no`` into False, ``010`` into 8 and ``2023-01-01`` into a date, lets a
duplicate key silently win, and reports control characters only by offset. We compose the node
tree instead and build our own values, so the schema sees exactly what the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Problem


class YStr(str):
    """A scalar as written, with the 1-based line it starts on."""

    line: int
    block: bool  # a literal/folded block scalar: its text starts on the next line

    def __new__(cls, value: str, line: int, block: bool = False) -> YStr:
        obj = super().__new__(cls, value)
        obj.line = line
        obj.block = block
        return obj


class YMap(dict):
    """A mapping; ``key_lines`` gives the line of each key."""

    line: int
    key_lines: dict[str, int]


class YList(list):
    line: int


YValue = YStr | YMap | YList

# libyaml when present: four times faster on a province's files; errors are re-read by PyYAML.
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters Word cannot store (python-docx raises) and reportlab drops silently.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?([^\s:#\-][^:#]*?)\s*:(?:\s|$)")


def key_on_line(lines: list[str], line: int) -> str:
    """The mapping key written on a 1-based line, for messages about raw text."""
    if 1 <= line <= len(lines):
        m = _KEY_ON_LINE.match(lines[line - 1])
        if m:
            return m.group(1).strip("'\"")
    return "-"


def bad_char_problem(path: str, line: int, key: str, ch: str) -> Problem:
    return Problem(path, line, key, f"含有 Word 无法保存的控制字符 U+{ord(ch):04X}，请删除")


@dataclass
class Loaded:
    value: YValue | None
    lines: list[str]


def load_yaml(path: Path, problems: list[Problem]) -> Loaded | None:
    """Read one YAML file; append every problem found; None when nothing usable was read."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, "-", f"无法读取文件：{exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "-", "文件不是 UTF-8 编码；请在编辑器中另存为 UTF-8"))
        return None
    lines = text.split("\n")
    before = len(problems)
    clean_lines = [_scan_line(name, i, line_text, lines, problems) for i, line_text in enumerate(lines, start=1)]
    scanned = len(problems) > before
    text = "\n".join(clean_lines)
    try:
        node = yaml.compose(text, Loader=_FAST)
    except yaml.YAMLError:
        node = None  # parse again below with the pure-Python loader, whose messages we translate
    else:
        return Loaded(_build(node, name, problems), lines) if node is not None else Loaded(None, lines)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        if not scanned:  # a tab or full-width colon already reported is the likely cause
            problems.append(_syntax_problem(name, exc, lines))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(name, None, "-", f"YAML 语法错误：{exc}"))
        return None
    if node is None:
        return Loaded(None, lines)
    return Loaded(_build(node, name, problems), lines)


_FULLWIDTH_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*：\s*")
_ODD_INDENT = re.compile(r"^[ \t\u00a0\u3000]*[\t\u00a0\u3000][ \t\u00a0\u3000]*")


def _scan_line(name: str, number: int, line: str, lines: list[str], problems: list[Problem]) -> str:
    """Report what a Chinese keyboard or a word processor slips into YAML, by its own line, and
    return the line as the parser should see it so that the rest of the file is still checked."""
    for ch in dict.fromkeys(_BAD_CHARS.findall(line)):
        problems.append(bad_char_problem(name, number, key_on_line(lines, number), ch))
    line = _BAD_CHARS.sub(" ", line)
    indent = _ODD_INDENT.match(line)
    if indent:
        what = "制表符（Tab）" if "\t" in indent.group() else "全角空格或不间断空格"
        problems.append(Problem(name, number, _key_after(line), f"缩进里用了{what}；YAML 只能用半角空格缩进"))
        line = re.sub(r"[\t\u00a0\u3000]", "  ", indent.group()) + line[indent.end():]
    colon = _FULLWIDTH_COLON.match(line)
    if colon:
        key = colon.group(2)
        problems.append(Problem(name, number, key, f"“{key}”后面用了全角冒号“：”；请改成半角冒号加空格：{key}: …"))
        line = f"{colon.group(1)}{key}: {line[colon.end():]}"
    return line


def _key_after(line: str) -> str:
    m = _KEY_ON_LINE.match(re.sub(r"^[\s\u00a0\u3000]+", "", line))
    return m.group(1).strip("'\"") if m else "-"


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError, lines: list[str]) -> Problem:
    # An unclosed quote or bracket is reported by PyYAML at the end of the file; the user must
    # look where it opens, which is the context mark.
    mark = exc.problem_mark
    problem = exc.problem or ""
    context = exc.context or ""
    opens_here = "end of stream" in problem or "quoted scalar" in context or "flow " in context
    if exc.context_mark is not None and opens_here:
        mark = exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = _explain(exc)
    return Problem(name, line, key_on_line(lines, line or 0), f"YAML 语法错误：{what}")


def _explain(exc: yaml.MarkedYAMLError) -> str:
    context, problem = exc.context or "", exc.problem or ""
    if "quoted scalar" in context:
        return "引号没有闭合"
    if "flow mapping" in context or "flow sequence" in context:
        return "括号没有闭合"
    if "mapping values are not allowed" in problem:
        return "这里不能出现冒号加空格；含“: ”的文字请加引号"
    if "could not find expected ':'" in problem:
        return "缺少冒号“:”"
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "缩进不一致"
    if "cannot start any token" in problem:
        return f"{problem}；含特殊字符开头的文字请加引号"
    return f"{context} {problem}".strip()


def _build(node: yaml.Node, name: str, problems: list[Problem], key: str = "-") -> YValue:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(name, key_line, "-", "键必须是文字"))
                continue
            key = key_node.value
            if key in out.key_lines:
                problems.append(
                    Problem(name, key_line, key, f"重复的键（第一次出现在第 {out.key_lines[key]} 行）")
                )
                continue
            out.key_lines[key] = key_line
            out[key] = _build(value_node, name, problems, key)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = YList(_build(item, name, problems, key) for item in node.value)
        seq.line = line
        return seq
    value = node.value
    if node.tag == "tag:yaml.org,2002:null" and node.style is None:
        value = ""
    # Escapes in double quotes ("\x0b") produce control characters after the raw-text scan.
    for ch in dict.fromkeys(_BAD_CHARS.findall(value)):
        problems.append(bad_char_problem(name, line, key, ch))
    return YStr(value, line, block=node.style in ("|", ">"))
