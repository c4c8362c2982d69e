"""Click's own words in Chinese: usage lines, section headings, the help option and usage errors.

Click asks ``gettext`` for each of its strings through a name ``_`` (and ``ngettext``) bound in each
of its modules. Installing a translation catalogue would depend on the user's locale settings; the
users want Chinese whatever their locale, so :func:`install` points those names at a table here.
A string missing from the table stays as click wrote it (never an error).
"""

from __future__ import annotations

import re
import unicodedata

import click
import click._compat
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

try:  # click >= 8.2 measures wrapped help through these names (8.1's wrapper counts characters)
    import click._textwrap as _textwrap
except ImportError:  # pragma: no cover - click's own module, there since 7.0
    _textwrap = None  # type: ignore[assignment]

ZH: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "Invalid value: {message}": "无效的值：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    # Only whole numbers are asked for (years, process counts): say 整数 rather than click's type name.
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的整数。",
    "{value} is not in the range {range}.": "{value} 超出范围（{range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值，可用：{states}",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，这里需要目录。",
    "{name} {filename!r} is a directory.": "{filename!r} 是目录，这里需要文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写。",
    # Path's "file"/"directory"/"path" stay English: they are the metavars (PATH), and CJK there would
    # break click's column alignment, which counts characters, not display width.
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Aborted!": "已中止！",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
}

# ngettext: the singular form is the key; Chinese has one form for both.
ZH_PLURAL: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "{value!r} is not {choice}.": "{value!r} 不是可选值 {choices}。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 {len} 个。",
}
# A few plural forms name other fields than their singular: keep both forms' fields available.
ZH_PLURAL_MANY: dict[str, str] = {
    "Did you mean {possibility}?": "（是不是以下之一：{possibilities}？）",
    "{value!r} is not {choice}.": "{value!r} 不是可选值之一：{choices}。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要 {nargs} 个值。",
}

OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."


def gettext(message: str) -> str:
    return ZH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n != 1 and singular in ZH_PLURAL_MANY:
        return ZH_PLURAL_MANY[singular]
    return ZH_PLURAL.get(singular, singular if n == 1 else plural)


# The words --help shows for an option's value (click prints the type's name in capitals: INTEGER).
TYPE_WORDS: dict[type[click.ParamType], str] = {
    click.types.IntParamType: "整数",
    click.types.IntRange: "整数",
    click.types.Path: "路径",
    click.types.StringParamType: "文字",
}


def display_width(text: str) -> int:
    """Terminal columns: a 汉字 takes two (click counts characters, which misaligns --help)."""
    plain = click._compat.strip_ansi(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in plain)


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


# Chinese text may break between any two characters, but not before a closing mark nor after an opening one.
_NO_LINE_START = frozenset("，。、：；！？）》」』】〉”’…")
_NO_LINE_END = frozenset("（《「『【〈“‘")


def _pieces(chunk: str) -> list[str]:
    """``chunk`` (text between spaces) cut where a line may break: between 汉字, and where a 汉字
    meets a Latin word or a number; a path such as counties/<县>/<年>.yaml stays whole."""
    out: list[str] = []
    for c in chunk:
        if out and _breakable(out[-1][-1], c):
            out.append(c)
        elif out:
            out[-1] += c
        else:
            out.append(c)
    return out


def _breakable(before: str, after: str) -> bool:
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    if _wide(before) and _wide(after):
        return True
    return (_wide(before) and after.isalnum()) or (_wide(after) and before.isalnum())


class ZhTextWrapper(_textwrap.TextWrapper if _textwrap else object):  # type: ignore[misc]
    """click's help wrapper, for text without spaces: click cuts a 汉字 sentence as one long word
    at a character count, so a line of 汉字 ran to twice the terminal's width."""

    def _split(self, text: str) -> list[str]:
        chunks = super()._split(text)  # type: ignore[misc]
        return [p for chunk in chunks for p in ([chunk] if chunk.isascii() else _pieces(chunk))]


def short_help(help: str, max_length: int = 45) -> str:
    """A command's line in ``brief --help``: click shortens at spaces, so a 汉字 sentence longer
    than the column came out as "..." alone. Cut between characters instead (counted as click
    counts them: the line is wrapped after)."""
    text = " ".join(help.split("\n\n", 1)[0].split())
    if text.isascii():
        return _english_short_help(help, max_length)
    if len(text) <= max_length:
        return text
    out = ""
    for piece in (p for word in re.split(r"( )", text) if word for p in _pieces(word)):
        if len(out) + len(piece) + 1 > max_length:
            break
        out += piece
    return out.rstrip(" ，、；：") + "…"


_english_short_help = click.core.make_default_short_help


def _truncate_visible(text: str, n: int) -> str:
    """The longest start of ``text`` at most ``n`` columns wide (at least one character)."""
    width = 0
    for i, c in enumerate(text):
        width += display_width(c)
        if width > n:
            return text[:max(i, 1)]
    return text


def install() -> None:
    """Point click's ``_``/``ngettext`` at the tables above; call before the commands are declared,
    since some strings (the help option's text) are looked up when a decorator runs."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    for kind, word in TYPE_WORDS.items():
        # The metavar, not the type's name: click's own messages use the name.
        kind.get_metavar = (lambda w: lambda self, param, ctx: w)(word)  # type: ignore[method-assign]
    click.formatting.term_len = display_width  # help columns line up with 汉字 in them
    if _textwrap is not None and hasattr(_textwrap, "term_len"):  # wrapped at the terminal's columns
        _textwrap.term_len = display_width
        _textwrap._truncate_visible = _truncate_visible
        _textwrap.TextWrapper = ZhTextWrapper  # click.formatting.wrap_text imports it at each call
    click.core.make_default_short_help = short_help  # type: ignore[assignment]
    click.types._NumberRangeBase._describe_range = describe_range  # type: ignore[method-assign]
    click.Option.get_help_record = help_record  # type: ignore[method-assign]
    no_option = click.exceptions.NoSuchOption
    if not getattr(no_option.format_message, "_zh", False):
        english_option = no_option.format_message

        def option_message(self: click.exceptions.NoSuchOption) -> str:
            return english_option(self).replace("。 ", "。")  # "是不是" follows a 。 with no space

        option_message._zh = True  # type: ignore[attr-defined]
        no_option.format_message = option_message  # type: ignore[method-assign]
    missing = click.exceptions.MissingParameter
    if not getattr(missing.format_message, "_zh", False):
        english = missing.format_message

        def format_message(self: click.exceptions.MissingParameter) -> str:
            # click ends "缺少选项 '--year'" with an English full stop of its own
            return re.sub(r"'\.( |$)", r"'。\1", english(self), count=1).rstrip()

        format_message._zh = True  # type: ignore[attr-defined]
        missing.format_message = format_message  # type: ignore[method-assign]


def describe_range(self: click.types._NumberRangeBase) -> str:
    """A range as --help and the range error show it: click writes ``1<=x<=65535`` and ``x>=0``."""
    low = None if self.min is None else f"{'大于' if self.min_open else '不小于'} {self.min}"
    high = None if self.max is None else f"{'小于' if self.max_open else '不大于'} {self.max}"
    if low and high and not (self.min_open or self.max_open):
        return f"{self.min}—{self.max}"
    return "，".join(p for p in (low, high) if p)


def help_record(self: click.Option, ctx: click.Context) -> tuple[str, str] | None:
    """click joins the [默认：…; …] notes with an English "; "; a Chinese list uses "，"."""
    record = english_help_record(self, ctx)
    if record is None or not record[1].endswith("]") or "  [" not in record[1]:
        return record
    text, notes = record[1].rsplit("  [", 1)
    return record[0], f"{text}  [{notes.replace('; ', '，')}"


english_help_record = click.Option.get_help_record


class ZhFormatter(click.HelpFormatter):
    """Headings end in a full-width colon, as Chinese text does."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        # click adds a space after "Usage:"; none belongs after a full-width colon
        super().write_usage(prog, args, gettext("Usage:") if prefix is None else prefix)


class ZhContext(click.Context):
    formatter_class = ZhFormatter


class ZhCommand(click.Command):
    context_class = ZhContext

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class ZhGroup(click.Group):
    context_class = ZhContext
    command_class = ZhCommand

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
