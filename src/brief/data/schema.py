"""Field checks shared by every data file: unknown keys (with a did-you-mean), required keys, kinds."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from ..errors import Problem
from .yamlfile import YList, YMap, YStr, YValue

# Caps on text lengths (characters): a brief is a few pages; far longer text is a pasting mistake
# and would only make rendering slow. Names go into file names and e-mail subjects too.
NAME_MAX = 60  # county, partner, program, recipient names; highlight titles; catalog labels
LINE_MAX = 200  # headline, source, caption
TEXT_MAX = 5000  # summary, highlight text
HIGHLIGHTS_MAX = 200  # highlights in one file
NAME_PUNCTUATION = "·（）()-—、 〇"
_NAME_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "LATIN ")


def name_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name (it goes into file names and e-mail subjects), or None.

    A name is made of Chinese characters, Latin letters, ASCII digits and ``NAME_PUNCTUATION``;
    the first other character is named with its code point (an emoji or a bidi control is
    invisible or looks harmless in an editor)."""
    for ch in text:
        if ch in NAME_PUNCTUATION or "0" <= ch <= "9":
            continue
        if ch.isalpha() and unicodedata.name(ch, "").startswith(_NAME_SCRIPTS):
            continue
        if ch < " " and ch not in "\t\n\r" or ch == "\x7f":
            continue  # a control character: the YAML reader has reported it already
        shown = f"“{ch}”" if ch.isprintable() and not ch.isspace() else ""
        return (f"名称中不能有字符{shown}（U+{ord(ch):04X}）：名称只能用汉字、英文字母、数字、空格和"
                f" {NAME_PUNCTUATION.replace(' ', '')}")
    return None


def shown(text: str) -> str:
    """A value quoted on one line: line breaks and other control characters as \\n, \\x0b …"""
    return re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", lambda m: repr(m.group())[1:-1], text)


_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")  # RFC 5322 atext
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")  # RFC 1035 LDH label


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a plain ASCII address ``local@domain.tld``, or None.

    The local part is an RFC 5322 dot-atom; the domain has at least two LDH labels and no
    trailing dot. An internationalised (non-ASCII) domain is refused: write its punycode form."""
    if "<" in address or ">" in address or '"' in address:
        return "只写地址本身，不要加名字、引号或尖括号，例如 office@example.org"
    if any(ch.isspace() or ch in "\x85\u2028\u2029" for ch in address):
        return "地址中不能有空格或换行"
    if address.count("@") != 1:
        return "应为“名字@域名”形式，例如 office@example.org"
    local, domain = address.split("@")
    if not local or not domain:
        return "@ 的前后都不能为空，例如 office@example.org"
    return _local_problem(local) or _domain_problem(domain)


def _local_problem(local: str) -> str | None:
    if len(local) > 64:
        return "@ 前面的部分太长（最多 64 个字符）"
    for ch in local:
        if ch != "." and not _ATEXT.fullmatch(ch):
            what = "非英文字符" if not ch.isascii() else "字符"
            return f"@ 前面有{what}“{ch}”：只能用英文字母、数字和 . _ - + 等半角符号"
    if "" in local.split("."):
        return "“.”不能在 @ 前面部分的开头或结尾，也不能连写"
    return None


def _domain_problem(domain: str) -> str | None:
    if not domain.isascii():
        return "域名含非英文字符：本工具不接受中文域名，请写成 punycode 形式（xn--…）"
    if domain.endswith("."):
        return "域名不能以“.”结尾"
    labels = domain.split(".")
    if len(labels) < 2:
        return "域名应含“.”，例如 example.org"
    if len(domain) > 253:
        return "域名太长（最多 253 个字符）"
    if labels[-1].isdigit():
        return "域名最后一段应含字母，例如 example.org"
    for label in labels:
        if not _LABEL.fullmatch(label):
            return (f"域名中的“{label}”不合规：每段只能用英文字母、数字和“-”，“-”不能在开头或结尾" if label
                    else "域名中不能有连写的“..”")
    return None


class Checker:
    """Collects problems for one file; every check names the line the user must look at."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, key, message))

    def mapping(self, value: YValue | None, key: str, line: int) -> YMap | None:
        if isinstance(value, YMap):
            return value
        if value is None or (isinstance(value, YStr) and value == ""):
            return None
        self.add(getattr(value, "line", line), key, "应为“键: 值”形式的映射")
        return None

    def keys(self, m: YMap, allowed: Iterable[str], required: Iterable[str] = (), where: str = "") -> None:
        allowed = list(allowed)
        for key in m:
            if key not in allowed:
                self.add(m.key_lines[key], key, unknown_key_message(key, allowed, where))
        for key in required:
            if key not in m or (isinstance(m[key], YStr) and m[key].strip() == ""):
                line = m.key_lines.get(key, m.line)
                self.add(line, key, "缺少必填项" if key not in m else "不能为空")

    def text(self, m: YMap, key: str) -> YStr | None:
        """An optional one-line or block text value."""
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, YStr):
            return value
        self.add(m.key_lines[key], key, "应为一段文字，不是列表或映射")
        return None

    def capped(self, value: YStr | None, key: str, limit: int) -> bool:
        """True when ``value`` is within ``limit`` characters; otherwise one problem at its line."""
        if value is None or len(value) <= limit:
            return True
        self.add(value.line, key, f"太长（{len(value)} 字），最多 {limit} 字；请精简")
        return False

    def name(self, value: YStr | None, key: str) -> None:
        """A name: at most NAME_MAX characters, of the characters ``name_problem`` allows."""
        if value is None or not self.capped(value, key, NAME_MAX):
            return
        problem = name_problem(value)
        if problem:
            self.add(value.line, key, problem)

    def choice(self, m: YMap, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(m, key)
        if value is None or value == "":
            return default
        if value not in choices:
            self.add(value.line, key, f"“{shown(value)}”不是可选值；应为 {' 或 '.join(choices)}")
            return default
        return str(value)

    def text_list(self, m: YMap, key: str) -> list[YStr]:
        value = m.get(key)
        if value is None:
            return []
        if isinstance(value, YStr) and value == "":
            return []
        if not isinstance(value, YList):
            self.add(m.key_lines[key], key, "应为列表，例如 [shule, yingjisha]")
            return []
        out = []
        for item in value:
            if isinstance(item, YStr) and any(mark in item for mark in LIST_MARKS):
                # [a，b] is one item to YAML; "unknown key a，b" would hide that the comma is the mistake
                mark = next(m for m in LIST_MARKS if m in item)
                self.add(item.line, key, f"“{shown(item)}”中用了中文“{mark}”；列表各项之间请用半角逗号加空格隔开，"
                                         "例如 [a, b]")
            elif isinstance(item, YStr) and item:
                out.append(item)
            else:
                self.add(getattr(item, "line", value.line), key, "列表项应为文字")
        return out


LIST_MARKS = ("，", "、", "；")  # what a Chinese input method types between list items


def unknown_key_message(key: str, allowed: list[str], where: str = "") -> str:
    """Unknown key, with the closest allowed key when one is near (a typo)."""
    guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"；是否应为 {guess[0]}？" if guess else ""
    place = f"（{where}）" if where else ""
    return f"未知的键“{shown(key)}”{place}{hint}"
