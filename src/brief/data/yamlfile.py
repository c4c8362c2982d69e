"""Strict YAML reading: every scalar is text, every node knows its line, traps become errors.

PyYAML's safe_load turns ``no`` into False, ``010`` into 8 and ``2023-01-01`` into a date, lets a
duplicate key silently win, and reports control characters only by offset. We read the parser's
event stream instead and build our own values, so the schema sees exactly what the user wrote.

Building from events (not from a composed node tree) is also what keeps hostile files harmless:
the composer recurses once per nesting level (libyaml's crashes with SIGSEGV at 100,000 brackets)
and hands aliases over as shared nodes (a 6 KB "billion laughs" expands to gigabytes). The event
parsers of libyaml and PyYAML keep their own stacks, so we can stop at the first alias, anchor,
tag, second document, or the 21st level of nesting, before any value is built.
"""

from __future__ import annotations

import ast
import errno
import re
from dataclasses import dataclass, field
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

# Limits no real data file comes near (the largest is 17 KB, 166 lines, 5 levels deep); past them a
# file is a mistake (a wrong file picked) or an attack, and reading on would only cost time and memory.
MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 50_000
MAX_DEPTH = 20
MAX_NODES = 50_000
MAX_KEY = 100  # characters; the longest real key has 38

# Characters Word cannot store (python-docx raises) and reportlab drops silently.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# C1 controls: both YAML parsers refuse them, by offset and in English.
_C1_CHARS = re.compile("[\x80-\x84\x86-\x9f]")
# Line breaks to PyYAML and libyaml, but not to the editor the user reads line numbers in.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
# Bidirectional controls reorder what the reader sees (a figure can be shown reversed).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Zero-width characters make two keys that look the same differ.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_INVISIBLE = re.compile("[\x85\u2028\u2029\r\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")
_LINE_ODD = re.compile(f"{_C1_CHARS.pattern}|{_ODD_BREAKS.pattern}|\r|{_BIDI.pattern}")
_VALUE_ODD = re.compile(f"{_BAD_CHARS.pattern}|{_ODD_BREAKS.pattern}|{_BIDI.pattern}")
_KEY_HIDDEN = re.compile(f"{_BAD_CHARS.pattern}|{_C1_CHARS.pattern}|{_BIDI.pattern}")
_KEY_ON_LINE = re.compile(r"^(?:-\s+)?([^\s:#\-\[\]{},][^:#\[\]{},]*?)\s*:(?:\s|$)")
_ALIAS_MESSAGE = "不支持 YAML 锚点和别名（&、*）；请直接写出内容"


def key_on_line(lines: list[str], line: int) -> str:
    """The mapping key written on a 1-based line, for messages about raw text."""
    return _key_of(lines[line - 1]) if 1 <= line <= len(lines) else "-"


def _key_of(line: str) -> str:
    # Only the line's start can hold a key: the regex's lazy group is quadratic, and a 2 MB line
    # of spaces must not take an hour.
    m = _KEY_ON_LINE.match(line.lstrip()[: 2 * MAX_KEY])
    return _shown(m.group(1).strip("'\"")) if m else "-"


def _shown(key: str) -> str:
    """A key as it may be printed: without the invisible characters we complain about."""
    return _KEY_HIDDEN.sub("", _INVISIBLE.sub("", key)) or "-"


def bad_char_problem(path: str, line: int, key: str, ch: str) -> Problem:
    return Problem(path, line, key, f"含有 Word 无法保存的控制字符 U+{ord(ch):04X}，请删除")


@dataclass
class Loaded:
    value: YValue | None
    lines: list[str]


class _Refused(Exception):
    """A construct data files never need (alias, tag, second document, deep nesting): stop reading."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def load_yaml(path: Path, problems: list[Problem]) -> Loaded | None:
    """Read one YAML file; append every problem found; None when nothing usable was read."""
    name = str(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # never more: a 5 GB file picked by mistake is not read whole
    except OSError as exc:
        problems.append(Problem(name, None, "-", f"无法读取文件：{_os_reason(exc)}"))
        return None
    if len(raw) > MAX_BYTES:
        line = raw[:MAX_BYTES].count(b"\n") + 1
        problems.append(Problem(name, line, "-", "文件超过 2 MB，数据文件不会这么大；请检查是否选错了文件"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "-", "文件不是 UTF-8 编码；请在编辑器中另存为 UTF-8"))
        return None
    lines = text.split("\n")  # lines as an editor counts them: by \n only
    if len(lines) > MAX_LINES:
        problems.append(Problem(name, MAX_LINES + 1, "-",
                                f"文件超过 {MAX_LINES} 行，数据文件不会这么长；请检查是否选错了文件"))
        return None
    scan = _Scan()
    clean_lines = [_scan_line(name, i, line_text, lines, problems, scan) for i, line_text in enumerate(lines, start=1)]
    return _parse("\n".join(clean_lines), name, lines, problems, scan)


_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOENT: "文件不存在",
    errno.ENAMETOOLONG: "路径太长",
    errno.ELOOP: "符号链接循环",
    errno.EIO: "磁盘读取出错",
}


def _os_reason(exc: OSError) -> str:
    """The system's reason in Chinese (strerror is English)."""
    return _OS_REASONS.get(exc.errno or 0, f"系统错误 {exc.errno}")


@dataclass
class _Scan:
    """What the line scan found: whether a later syntax error is likely its echo, and not news."""

    reshaped: bool = False  # a tab, full-width colon or control character was replaced: the parse may fail anywhere
    invisible: set[int] = field(default_factory=set)  # lines where invisible characters were dropped

    def explains(self, problem: Problem) -> bool:
        return self.reshaped or problem.line in self.invisible


def _parse(text: str, name: str, lines: list[str], problems: list[Problem], scan: _Scan) -> Loaded | None:
    found: list[Problem] = []
    try:
        value = _read_events(_FAST(text), name, lines, found)
    except _Refused as exc:
        problems.append(exc.problem)
        return None
    except (yaml.YAMLError, ValueError, OverflowError):
        pass  # read again below with the pure-Python parser, whose messages we translate
    else:
        problems.extend(found)
        return Loaded(value, lines)
    found = []
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # its reader checks every character here already
        value = _read_events(loader, name, lines, found)
    except _Refused as exc:
        problems.append(exc.problem)
        return None
    except yaml.MarkedYAMLError as exc:
        syntax = _syntax_problem(name, exc, lines, loader.marks if loader else [])
        if not scan.explains(syntax):  # a tab or full-width colon already reported is the likely cause
            problems.append(syntax)
        return None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # The reader's "special characters" (the line scan should have caught them), or an escape
        # such as "\U0011FFFF" that PyYAML hands to chr() unchecked.
        unreadable = _unreadable_problem(name, exc, text, loader, lines)
        if not scan.explains(unreadable):
            problems.append(unreadable)
        return None
    problems.extend(found)
    return Loaded(value, lines)


_FULLWIDTH_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)\s*：\s*")
_ODD_INDENT = re.compile(r"^[ \t\u00a0\u3000]*[\t\u00a0\u3000][ \t\u00a0\u3000]*")


# Every character the checks of _scan_line look for: a line with none of them (most lines) is
# returned as it is, without running each check (a 1,600-county dir has 300,000 lines).
_LINE_SUSPECT = re.compile(f"{_BAD_CHARS.pattern}|{_LINE_ODD.pattern}|[\t\u00a0\u3000：]")


def _scan_line(name: str, number: int, line: str, lines: list[str], problems: list[Problem], scan: _Scan) -> str:
    """Report what a Chinese keyboard or a word processor slips into YAML, by its own line, and
    return the line as the parser should see it so that the rest of the file is still checked."""
    if not _LINE_SUSPECT.search(line):
        return line
    for ch in dict.fromkeys(_BAD_CHARS.findall(line)):
        problems.append(bad_char_problem(name, number, key_on_line(lines, number), ch))
        scan.reshaped = True
    line = _BAD_CHARS.sub(" ", line)
    seen = len(problems)
    line = _scan_invisible(name, number, line, lines, problems)
    if len(problems) > seen:
        scan.invisible.add(number)
    indent = _ODD_INDENT.match(line)
    if indent:
        scan.reshaped = True
        what = "制表符（Tab）" if "\t" in indent.group() else "全角空格或不间断空格"
        problems.append(Problem(name, number, _key_of(line), f"缩进里用了{what}；YAML 只能用半角空格缩进"))
        line = re.sub(r"[\t\u00a0\u3000]", "  ", indent.group()) + line[indent.end():]
    colon = _FULLWIDTH_COLON.match(line)
    if colon:
        scan.reshaped = True
        key = colon.group(2)
        problems.append(Problem(name, number, key, f"“{key}”后面用了全角冒号“：”；请改成半角冒号加空格：{key}: …"))
        line = f"{colon.group(1)}{key}: {line[colon.end():]}"
    return line


def _scan_invisible(name: str, number: int, line: str, lines: list[str], problems: list[Problem]) -> str:
    """Name the characters an editor does not show; drop them so the parser's lines stay the editor's."""
    body, crlf = (line[:-1], "\r") if line.endswith("\r") else (line, "")  # CRLF files are fine
    if not _LINE_ODD.search(body):
        return line
    found = [f"含有看不见的控制字符 U+{ord(ch):04X}，请删除" for ch in dict.fromkeys(_C1_CHARS.findall(body))]
    found += [f"含有看不见的换行符 U+{ord(ch):04X}，请删除" for ch in dict.fromkeys(_ODD_BREAKS.findall(body))]
    if "\r" in body:
        found.append("含有单独的回车符 U+000D（旧式换行），请删除，或在编辑器中把换行符改成 LF")
    found += [f"含有看不见的文字方向控制符 U+{ord(ch):04X}，请删除" for ch in dict.fromkeys(_BIDI.findall(body))]
    problems.extend(Problem(name, number, key_on_line(lines, number), message) for message in found)
    body = _C1_CHARS.sub(" ", body)
    body = _ODD_BREAKS.sub(" ", body).replace("\r", " ")
    return _BIDI.sub("", body) + crlf




class _Builder:
    """Values from one parser's event stream, with an explicit stack instead of recursion."""

    def __init__(self, name: str, lines: list[str], problems: list[Problem]):
        self.name, self.lines, self.problems = name, lines, problems
        self.stack: list[YMap | YList] = []
        self.pending: list[str | None] = []  # per open collection: the key awaiting its value
        self.skip: list[bool] = []  # per open collection: the value awaited is dropped (bad key)
        self.root: YValue | None = None
        self.documents = 0
        self.nodes = 0

    def key(self) -> str:
        """The nearest key above the current place, for messages (as the recursive reader passed down)."""
        for key in reversed(self.pending):
            if key is not None:
                return key
        return "-"

    def refuse(self, event: yaml.Event, message: str, key: str | None = None) -> _Refused:
        line = event.start_mark.line + 1
        if key is None:  # the key written on that line, else the one the value belongs to
            key = key_on_line(self.lines, line)
            key = self.key() if key == "-" else key
        return _Refused(Problem(self.name, line, _shown(key), message))

    def feed(self, event: yaml.Event) -> None:
        if type(event) is yaml.ScalarEvent:  # nine events in ten: straight to it (a 1,600-county dir has millions)
            if event.anchor is None and event.tag is None and self.nodes < MAX_NODES:
                self.nodes += 1  # check_node's count, without its call: nothing to refuse here
            else:
                self.check_node(event)
            self.add_scalar(event)
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.refuse(event, "一个文件只能有一个文档（发现第二个“---”）", "-")
            return
        if isinstance(event, yaml.AliasEvent):
            raise self.refuse(event, _ALIAS_MESSAGE)
        if isinstance(event, yaml.CollectionEndEvent):
            self.skip.pop()
            self.pending.pop()
            self.add(self.stack.pop())
            return
        if not isinstance(event, yaml.NodeEvent):
            return  # stream start/end, document end
        self.check_node(event)
        if isinstance(event, yaml.ScalarEvent):
            self.add_scalar(event)
            return
        collection: YMap | YList
        if isinstance(event, yaml.MappingStartEvent):
            collection = YMap()
            collection.key_lines = {}
        else:
            collection = YList()
        collection.line = event.start_mark.line + 1
        self.stack.append(collection)
        self.pending.append(None)
        self.skip.append(False)
        if len(self.stack) > MAX_DEPTH:
            raise self.refuse(event, f"嵌套超过 {MAX_DEPTH} 层，数据文件用不到这么深；请检查括号和缩进")

    def check_node(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            raise self.refuse(event, _ALIAS_MESSAGE)
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")[:60]  # %0A in a tag is a line break
            shown = "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in shown)
            shown += "…" if len(tag) > 60 else ""
            raise self.refuse(event, f"不支持 YAML 标签“{shown}”；以“!”开头的文字请加引号")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.refuse(event, f"内容超过 {MAX_NODES} 项，数据文件不会这么多；请检查是否选错了文件")

    def add_scalar(self, event: yaml.ScalarEvent) -> None:
        line = event.start_mark.line + 1
        top = self.stack[-1] if self.stack else None
        if isinstance(top, YMap) and self.pending[-1] is None and not self.skip[-1]:
            self.add_key(top, event.value, line)
            return
        # "~" and "null" stay text as written: an empty value is already "" (the reader before did
        # the same whenever libyaml was present).
        value = event.value
        if _VALUE_ODD.search(value):
            value = self.odd_value(value, line)
        self.add(YStr(value, line, block=event.style in ("|", ">")))

    def odd_value(self, value: str, line: int) -> str:
        r"""Report what escapes in double quotes ("\x0b", "\u202e") produce after the raw-text scan;
        the characters named are dropped, so that later checks of the same value
        do not report the same character again."""
        for ch in dict.fromkeys(_BAD_CHARS.findall(value)):
            self.problems.append(bad_char_problem(self.name, line, self.key(), ch))
        for ch in dict.fromkeys(_BIDI.findall(value) + _ODD_BREAKS.findall(value)):
            what = "文字方向控制符" if _BIDI.match(ch) else "换行符"
            self.problems.append(Problem(self.name, line, self.key(), f"含有看不见的{what} U+{ord(ch):04X}，请删除"))
        return _VALUE_ODD.sub("", value)

    def add_key(self, top: YMap, key: str, line: int) -> None:
        if len(key) <= MAX_KEY and not _KEY_TROUBLE.search(key):  # the usual key: nothing to strip or refuse
            if key not in top.key_lines:
                top.key_lines[key] = line
                self.pending[-1] = key
                return
        hidden = _ZERO_WIDTH.findall(key)
        if hidden:
            key = _ZERO_WIDTH.sub("", key)
            self.problems.append(Problem(self.name, line, _shown(key),
                                         f"键里有看不见的零宽字符 U+{ord(hidden[0]):04X}，请删除"))
        refused = _refused_key(key)
        if refused:  # never a real key, and it would break the "file:line: key: message" shape
            self.problems.append(Problem(self.name, line, "-", refused))
            self.skip[-1] = True
            return
        if key in top.key_lines:
            self.problems.append(
                Problem(self.name, line, key, f"重复的键（第一次出现在第 {top.key_lines[key]} 行）"))
            self.pending[-1], self.skip[-1] = key, True
            return
        top.key_lines[key] = line
        self.pending[-1] = key

    def add(self, value: YValue) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top, YList):
            top.append(value)
        elif self.skip[-1]:  # the value of a duplicate or non-text key: dropped
            self.pending[-1], self.skip[-1] = None, False
        elif self.pending[-1] is None:  # a list or mapping where a key should be: drop its value too
            self.problems.append(Problem(self.name, value.line, "-", "键必须是文字"))
            self.skip[-1] = True
        else:
            top[self.pending[-1]] = value
            self.pending[-1] = None


_KEY_BREAK = re.compile("[\n\r\x85\u2028\u2029]")


# What add_key strips or _refused_key refuses, in one pattern (besides the length).
_KEY_TROUBLE = re.compile(f"{_ZERO_WIDTH.pattern}|{_KEY_BREAK.pattern}|{_KEY_HIDDEN.pattern}|:")


def _refused_key(key: str) -> str | None:
    """Why a key cannot be one (every real key is a short name), or None."""
    if _KEY_BREAK.search(key):
        return "键不能分成多行"
    hidden = _KEY_HIDDEN.search(key)  # from an escape in a quoted key: it would garble the message line
    if hidden:
        return f"键里有看不见的字符 U+{ord(hidden.group()):04X}，请删除"
    if len(key) > MAX_KEY:
        return f"键太长（{len(key)} 个字符）；键都是简短的名称，请检查缩进和冒号"
    if ":" in key:
        return f"键“{_shown(key)}”里有冒号；冒号后面要加空格，含冒号的文字请加引号"
    return None


def _read_events(loader: yaml.BaseLoader, name: str, lines: list[str], problems: list[Problem]) -> YValue | None:
    builder = _Builder(name, lines, problems)
    feed = builder.feed
    try:
        # get_event answers None after the stream's end, as check_event answers False: one call an event
        for event in iter(loader.get_event, None):
            feed(event)
    finally:
        loader.dispose()
    return builder.root


def _unreadable_problem(name: str, exc: Exception, text: str, loader: yaml.SafeLoader | None,
                        lines: list[str]) -> Problem:
    position = getattr(exc, "position", None)  # the reader's error gives an offset, not a mark
    if isinstance(position, int):
        line = _in_file(text.count("\n", 0, position) + 1, lines)
    else:
        line = _in_file(loader.get_mark().line + 1 if loader else 1, lines)
    key = key_on_line(lines, line)
    if not isinstance(exc, yaml.YAMLError):
        return Problem(name, line, key, "YAML 语法错误：双引号里的“\\U”转义超出了 Unicode 的范围")
    character = getattr(exc, "character", None)
    code = ord(character) if isinstance(character, str) and len(character) == 1 else character
    shown = f" U+{code:04X}" if isinstance(code, int) else ""
    return Problem(name, line, key, f"含有 YAML 不允许的字符{shown}，请删除")


def _in_file(line: int, lines: list[str]) -> int:
    """A line the user can find: an error "at the end of the file" is shown on its last written line."""
    last = len(lines)
    while last > 1 and not lines[last - 1].strip():
        last -= 1
    return max(1, min(line, last))


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError, lines: list[str], open_marks: list[yaml.Mark]) -> Problem:
    mark = exc.problem_mark
    problem = exc.problem or ""
    context = exc.context or ""
    if "escape" in problem:
        pass  # the escape itself, not the quote it is in
    elif "could not find expected ':'" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # the key lacking its colon; PyYAML points at the line after it
    elif "<stream end>" in problem and "flow" in context and open_marks:
        mark = open_marks[-1]  # the bracket left open, not the end of the file
    elif exc.context_mark is not None and (
        "end of stream" in problem or "quoted scalar" in context or "flow " in context
    ):
        # An unclosed quote or bracket is reported by PyYAML at the end of the file; the user must
        # look where it opens, which is the context mark.
        mark = exc.context_mark
    line = _in_file(mark.line + 1 if mark is not None else 1, lines)
    before = ""
    if mark is not None and mark.line < len(lines):
        before = lines[mark.line][: mark.column].rstrip()
    what = _explain(exc, before, lines[: mark.line] if mark is not None else [])
    return Problem(name, line, key_on_line(lines, line), f"YAML 语法错误：{what}")


INDENT = "缩进不一致：这一行开头的空格数应与同一层的其他行相同"
# PyYAML's English messages, by a phrase of their problem text (first match wins), in Chinese.
_PROBLEMS = (
    ("escape sequence of", "双引号里的“\\x”“\\u”“\\U”后面应是十六进制数字；要写反斜杠本身请写成“\\\\”，或改用单引号"),
    ("unknown escape character", "双引号里的反斜杠“\\{ch}”不是有效的转义；要写反斜杠本身请写成“\\\\”，或改用单引号"),
    ("unexpected document separator", "引号没有闭合"),
    ("mapping values are not allowed",
     "这里不能出现冒号加空格：可能是这一行缩进多了、上一行缺少冒号，或文字中含“: ”（这样的文字请加引号）"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("did not find expected key", INDENT),
    ("expected <block end>", INDENT),
    ("sequence entries are not allowed", "这里不能出现列表项“- ”；请检查缩进，以“-”开头的文字请加引号"),
    ("mapping keys are not allowed", "这里不能出现“? ”；以“?”开头的文字请加引号"),
    ("undefined alias", "别名“*”没有对应的锚点；" + _ALIAS_MESSAGE),
    ("duplicate anchor", "锚点“&”重复；" + _ALIAS_MESSAGE),
    ("single document", "一个文件只能有一个文档（发现第二个“---”）"),
    ("expected '<document start>'", "缩进不一致（比文件开头的缩进少）"),
    ("incompatible YAML document", "“%YAML”指令有误；数据文件不需要指令，请删除这一行"),
    ("indentation indicator", "“|”或“>”后面只能跟 1–9、“+”或“-”；以“|”“>”开头的文字请加引号"),
    ("chomping or indentation", "“|”或“>”后面只能跟 1–9、“+”或“-”；以“|”“>”开头的文字请加引号"),
    ("YAML directive", "“%YAML”指令有误；数据文件不需要指令，请删除这一行"),
    ("tag handle", "不支持 YAML 标签（!…）；以“!”开头的文字请加引号"),
    ("expected the node content", "这里缺少内容"),
)
# The same by context, for problems whose text says little on its own.
_CONTEXTS = (
    ("quoted scalar", "引号没有闭合"),
    ("flow mapping", "括号没有闭合"),
    ("flow sequence", "括号没有闭合"),
    ("directive", "以“%”开头的行是 YAML 指令，数据文件不需要；以“%”开头的文字请加引号"),
    ("anchor", "以“&”开头的文字请加引号；" + _ALIAS_MESSAGE),
    ("alias", "以“*”开头的文字请加引号；" + _ALIAS_MESSAGE),
    ("tag", "以“!”开头的文字请加引号；不支持 YAML 标签"),
    ("block scalar", "“|”或“>”后面只能跟 1–9、“+”“-”或注释；以“|”“>”开头的文字请加引号"),
)
_CHARACTER_NAMES = {"\t": "制表符（Tab）", " ": "空格", "`": "反引号“`”"}


def _explain(exc: yaml.MarkedYAMLError, before: str = "", earlier: list[str] | None = None) -> str:
    """PyYAML's problem in Chinese; ``before`` is the text left of the mark on its line, ``earlier``
    the lines above it."""
    context, problem = exc.context or "", exc.problem or ""
    found = re.search(r"character ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")", problem)
    ch = _literal(found.group(1)) if found else ""
    token = re.search(r"found '([^']*)'$", problem)
    if "cannot start any token" in problem:
        if ch == "\t":
            return "这里不能用制表符（Tab）；请改成空格"
        shown = _CHARACTER_NAMES.get(ch, f"“{ch}”")
        return f"{shown}不能放在开头；以特殊字符开头的文字请加引号"
    if "expected the node content" in problem and token:
        return _missing_node(token.group(1), context)
    if "expected <block end>" in problem and token and token.group(1) == "<scalar>" and before[-1:] in "\"']}":
        return "引号或括号结束后还有文字；整段文字请放进一对引号里"
    if "expected '<document start>'" in problem and any(line.rstrip() == "..." for line in earlier or []):
        return "一个文件只能有一个文档；“...”后面不能再写内容"
    for phrase, message in _PROBLEMS:
        if phrase in problem:
            return message.replace("{ch}", ch)
    for phrase, message in _CONTEXTS:
        if phrase in context:
            return message
    return "这一行的写法不对；含特殊字符（: # [ ] { } , & * ! | > ' \" % @ `）的文字请加引号"


def _missing_node(token: str, context: str) -> str:
    """"expected the node content, but found ...": what stands where a value should be."""
    if token == "<stream end>":
        return "括号没有闭合" if "flow" in context else "文件在这里意外结束"
    if token == "<document end>":
        return "“...”表示文件结束，不能放在这里"
    if token in ("]", "}"):
        return f"多了一个“{token}”；以“{token}”开头的文字请加引号"
    if token == ",":
        return "多了一个逗号“,”；以“,”开头的文字请加引号"
    if token.startswith("<"):
        return "这里缺少内容"
    return f"这里缺少内容；以“{token}”开头的文字请加引号"


def _literal(text: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ""
    return value if isinstance(value, str) else ""
