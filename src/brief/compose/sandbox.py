"""The Jinja sandbox every template and every cited highlight text runs in.

Undefined names are errors; output is Markdown-escaped so a ``*`` or ``|`` in a user's text stays
text; errors come back as one Problem naming the template (or data file) and line.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..data.citations import CITATION, PLAIN_TEXT
from ..errors import BriefError, Problem
from .numerals import chinese_number
from .template_cache import template_cache

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_NEWLINE = re.compile(r"[ \t]*(?:\r\n|[\r\n])[ \t]*")  # a CR from an escape ("\r") breaks a line too
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")


def join_lines(text: str) -> str:
    """A text written over several lines is one paragraph: join CJK lines without a space."""
    def glue(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return "" if _CJK.match(before) or _CJK.match(after) else " "

    return _NEWLINE.sub(glue, text.strip())


def _backslashed(m: re.Match[str]) -> str:
    return "\\" + m[0]  # a function: cheaper per match than the template r"\\\1"


def md_escape(value: Any) -> str:
    """Every printed value is literal text in Markdown: escape all ASCII punctuation. A function
    printed by mistake ({{ range }}, {{ c.county.upper }}) is an error, not its memory address."""
    if type(value) is str:  # most values: plain text, neither Markup nor a function
        text = value
    elif isinstance(value, Markup):
        return str(value)
    elif callable(value) and not isinstance(value, jinja2.Undefined):
        name = getattr(value, "__name__", "?")
        raise TemplateLimit(f"模板输出了一个函数（{name}），不是文字：是否少写了括号或写错了名称？")
    else:
        text = str(value)
    # a text on one line (nearly every value) has no lines to join: join_lines would only strip it
    text = join_lines(text) if "\n" in text or "\r" in text else text.strip()
    return _PUNCT.sub(_backslashed, text)


def md_unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


_SANDBOXES: dict[Path, Sandbox] = {}

# Bounds on one rendering (a template, or one cited highlight text). A brief's Markdown is some
# 20 KB and its loops run a few thousand times; these are far above that and far below a hang.
MAX_RANGE = 10_000  # items in one range()
MAX_ITERATIONS = 1_000_000  # loop items plus calls, over the whole rendering
MAX_SIZE = 2_000_000  # characters (or items) in the output and in any value built on the way; under
# lxml's 10 MB limit on one text node of the DOCX even at four bytes a character
MACRO_WEIGHT = 20  # a macro call costs Jinja about what twenty loop items do: counted so, it stops as soon
MAX_SECONDS = 30.0  # a backstop: the counts above stop every runaway we know of long before
MAX_EXPONENT_BITS = 100_000  # an integer ``**`` result, in bits
_SIZE_ARGUMENT = 1_000  # an int passed as a width or count (center, indent, batch, format, ...)
_SIZED = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "truncate", "wordwrap",
                    "batch", "slice"})
# '%1000000d', '%*d', '{:>999999}', '{:{}}': a width of that size, or one taken from the arguments
_WIDE_FORMAT = re.compile(r"%[-#0 +]*(\d{4,}|\*|\d*\.(\d{4,}|\*))|\{[^{}]*:[^{}]*(\d{4,}|\{)")
LOOP_FILTER = "_brief_loop"
CONCAT_FILTER = "_brief_concat"


class TemplateLimit(Exception):
    """A template that would run (or grow) without bound; the message says which bound."""


class _Budget:
    """What one rendering may still spend; reset at the start of each."""

    def __init__(self) -> None:
        self.ticks = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def tick(self, n: int = 1) -> None:
        self.ticks += n
        if self.ticks > MAX_ITERATIONS:
            raise TemplateLimit(f"模板运算量超出上限（循环和调用超过 {MAX_ITERATIONS} 次）：请检查模板里的循环和宏")
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"模板运行超过 {MAX_SECONDS:.0f} 秒：请检查模板里的循环和宏")


def _size(value: Any) -> int:
    """Characters of a text; items of a list, plus the characters of the texts in it."""
    if isinstance(value, list | tuple):
        return len(value) + sum(len(v) for v in value if isinstance(v, str))
    return len(value) if isinstance(value, str | dict) else 0


def _check_size(value: Any) -> Any:
    if _size(value) > MAX_SIZE:
        raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的循环和字符串运算")
    return value


def _check_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a width or count that alone makes a runaway value, before it is built."""
    if name == "replace":
        _check_replace(*args, **kwargs)
    elif name in ("format", "format_map"):  # the format string comes first
        if args and isinstance(args[0], str) and _WIDE_FORMAT.search(args[0]):
            raise TemplateLimit(f"模板里的格式“{args[0][:40]}”宽度过大或取自参数：请直接写宽度（三位数以内）")
    elif name == "join" and args and isinstance(args[0], list | tuple):
        glue = len(str(args[1])) if len(args) > 1 else 0
        if _size(args[0]) + len(args[0]) * glue > MAX_SIZE:
            raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的 join")
    elif name in _SIZED:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SIZE_ARGUMENT:
                raise TemplateLimit(f"模板里 {name} 的参数 {value} 过大（上限 {_SIZE_ARGUMENT}）")
        if name == "indent" and args and isinstance(args[0], str) and len(args) > 1 and isinstance(args[1], int):
            if len(args[0]) + (args[0].count("\n") + 1) * abs(args[1]) > MAX_SIZE:  # every line gets the width
                raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的 indent")


def _check_replace(text: Any = "", old: Any = "", new: Any = "", *_: Any, **__: Any) -> None:
    """``'x'*9999 | replace('', 'y'*9999)``: the result's length is known before it is built."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        if len(text) + text.count(old) * len(new) > MAX_SIZE:
            raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的 replace")


# The budget of the rendering under way in this thread (or task): one sandbox serves every brief
# of a process, and a server may render several at once.
_BUDGET: ContextVar[_Budget | None] = ContextVar("brief_template_budget", default=None)


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:  # a rendering that did not go through Sandbox._generate: bounded all the same
        budget = _Budget()
        _BUDGET.set(budget)
    return budget


_SAFE_ATTRIBUTES: dict[tuple[type, str], bool] = {}  # see _Environment.is_safe_attribute
_SAFE_ATTRIBUTES_MAX = 4096


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no private attributes, no mutation) plus bounds on work: every
    loop item and every call is counted, ranges are short, and values and output have a size cap."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)  # text for mock-ups, up to any length: nothing a brief needs
        self.globals["range"] = _range
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.filters[LOOP_FILTER] = _loop
        self.filters[CONCAT_FILTER] = _concat

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every ``for`` iterates through the loop counter, every ``~`` through the size check
        (filters, unlike names, cannot be shadowed by a template's own ``set``)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for concat in tree.find_all(nodes.Concat):
            concat.nodes = [nodes.Filter(nodes.List(concat.nodes, lineno=concat.lineno), CONCAT_FILTER, [], [],
                                         None, None, lineno=concat.lineno)]
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's answer (no private or internal attribute, no mutating method) depends on the
        object's type and the name alone: remembered per pair, as a brief reads some 500 attributes."""
        key = (type(obj), attr)
        safe = _SAFE_ATTRIBUTES.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(_SAFE_ATTRIBUTES) >= _SAFE_ATTRIBUTES_MAX:
                _SAFE_ATTRIBUTES.clear()
            _SAFE_ATTRIBUTES[key] = safe
        return safe

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _budget().tick(MACRO_WEIGHT if isinstance(__obj, Macro) else 1)
        name = getattr(__obj, "__name__", "")
        receiver = getattr(__obj, "__self__", None)
        _check_arguments(name, (receiver, *args) if isinstance(receiver, str) else args, kwargs)
        if name in ("format", "format_map"):  # Jinja's sandboxed str.format wraps the bound method
            _check_arguments(name, (getattr(getattr(__obj, "__wrapped__", None), "__self__", ""),), {})
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _budget().tick()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if _size(seq) and isinstance(n, int) and _size(seq) * n > MAX_SIZE:
                    raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的字符串乘法")
        elif operator == "+":
            if _size(left) + _size(right) > MAX_SIZE:
                raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的字符串运算")
        elif operator == "**":
            if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1
                    and right * left.bit_length() > MAX_EXPONENT_BITS):
                raise TemplateLimit(f"模板里的乘方 {left}**{right} 过大")
            if isinstance(right, int | Decimal) and abs(right) > MAX_EXPONENT_BITS:
                raise TemplateLimit(f"模板里的乘方指数 {right} 过大")
        elif operator == "%" and isinstance(left, str):
            _check_arguments("format", (left, *(right if isinstance(right, tuple) else (right,))), {})
        return _check_size(super().call_binop(context, operator, left, right))


def _cn(value: Any) -> str:
    return chinese_number(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _loop(iterable: Any) -> Iterator[Any]:
    """What every ``for`` iterates through: each item is counted."""
    budget = _budget()
    for item in iterable:
        budget.tick()
        yield item


def _range(*args: int) -> range:
    """range() as Jinja's sandbox has it, but shorter: a brief never counts past a few hundred."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateLimit(f"模板里的 range 过长（{len(rng)} 项，上限 {MAX_RANGE}）")
    return rng


def _concat(values: list[Any]) -> str:
    """``a ~ b``: the joined length is checked before the string is built."""
    texts = [str(v) for v in values]
    if sum(map(len, texts)) > MAX_SIZE:
        raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的字符串拼接")
    return "".join(texts)


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(name, args, kwargs)
        return _check_size(func(*args, **kwargs))

    if hasattr(func, "jinja_pass_arg"):  # pass_context / pass_environment: Jinja reads it off the function
        bounded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    bounded.__name__ = name
    return bounded


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Templates (and what they include) from the templates dir only: Jinja already refuses ``..``;
    this also refuses a symlink in the dir that points elsewhere (``{% include 'x' %}`` → /etc)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not any(Path(filename).resolve().is_relative_to(Path(root).resolve()) for root in self.searchpath):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class Sandbox:
    """Templates from one directory, rendered with StrictUndefined and escaped output."""

    def __init__(self, templates: Path) -> None:
        self.templates = templates
        self.env = _Environment(
            loader=_ConfinedLoader(str(templates)),
            undefined=jinja2.StrictUndefined,
            finalize=md_escape,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=template_cache(),  # compiled once per machine, not per run
        )
        self.env.filters["raw"] = _bounded_filter("raw", lambda v: Markup(str(v)))
        # Section numbers for any number of sections: {{ loop.index | cn }} → 十一
        self.env.filters["cn"] = _bounded_filter("cn", _cn)
        self._texts: dict[str, jinja2.Template] = {}

    def _generate(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """The template's output, within the bounds above."""
        token = _BUDGET.set(_Budget())
        try:
            out: list[str] = []
            size = 0
            for piece in template.generate(**context):
                size += len(piece)
                if size > MAX_SIZE:
                    raise TemplateLimit(f"模板生成的文字超出上限（{MAX_SIZE} 个字符）：请检查模板里的循环")
                out.append(piece)
            return "".join(out)
        finally:
            _BUDGET.reset(token)

    @classmethod
    def for_dir(cls, templates: Path) -> Sandbox:
        """One sandbox per templates dir and process: compiled templates are reused across briefs."""
        key = Path(templates).resolve()
        if key not in _SANDBOXES:
            _SANDBOXES[key] = cls(key)
        return _SANDBOXES[key]

    def render(self, name: str, **context: Any) -> str:
        path = self.templates / name
        try:
            template = self.env.get_template(name)
            return self._generate(template, context)
        except jinja2.TemplateNotFound as exc:
            missing = "" if exc.name == name else f"“{exc.name}”（模板只能包含模板目录里的文件）"
            raise BriefError.at(str(path), None, name, f"找不到模板文件{missing}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise BriefError.at(exc.filename or str(path), exc.lineno, name, f"模板语法错误：{exc.message}") from None
        except BriefError:
            raise
        except Exception as exc:  # noqa: BLE001 - any template failure becomes one line
            raise BriefError(_runtime_problem(exc, str(path), name)) from None

    def render_text(self, text: str, context: dict[str, Any], file: str, line: int, key: str) -> str:
        """A data text with {{ ind.x }} citations, rendered in the same sandbox; the text around
        them is Markdown-escaped like the values, so a user's ``*`` or ``|`` stays text."""
        if "{" not in text:
            return md_escape(text)
        joined = join_lines(text)
        if PLAIN_TEXT.fullmatch(joined):  # what validation lets through: no template to compile per text
            out, pos = [], 0
            for m in CITATION.finditer(joined):
                out.append(_PUNCT.sub(r"\\\1", joined[pos:m.start()]))
                try:
                    out.append(md_escape(self.env.getattr(context["ind"], m.group(1))))  # as Jinja's ind.x
                except Exception as exc:  # noqa: BLE001
                    raise BriefError.at(file, line, key, f"引用无法生成：{_message(exc)}") from None
                pos = m.end()
            out.append(_PUNCT.sub(r"\\\1", joined[pos:]))
            return "".join(out)
        try:
            template = self._texts.get(text)
            if template is None:
                template = self._texts[text] = self.env.from_string(join_lines(text))
            return self._generate(template, context)
        except Exception as exc:  # noqa: BLE001
            raise BriefError.at(file, line, key, f"引用无法生成：{_message(exc)}") from None


def _message(exc: Exception) -> str:
    if isinstance(exc, TemplateLimit):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "模板递归过深：请检查模板里调用自身的宏或包含自身的模板"
    if isinstance(exc, MemoryError):
        return "模板占用内存过多：请检查模板里的循环和字符串运算"
    if isinstance(exc, jinja2.UndefinedError):
        return f"未定义的名称（{exc.message}）"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板不允许访问内部属性（{exc}）"
    return f"{type(exc).__name__}: {exc}"


def _runtime_problem(exc: Exception, path: str, name: str) -> Problem:
    """Find the template line in the traceback (Jinja rewrites frames to template lines)."""
    line: int | None = None
    file = path
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2") or frame.filename == path:
            file, line = frame.filename, frame.lineno
    return Problem(file, line, name, f"模板出错：{_message(exc)}")
