"""Quantities as Chinese reports write them (GB/T 15835): 2.12万, 1600余, 近10万, 61.36%.

A quantity is an exact Decimal plus a qualifier (余, 多, 近, 约, 超过) and a flag for percent.
Parsing and formatting are inverse: ``parse(format(q)) == q`` for every quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Qualifier(Enum):
    """How exact a figure is; the value is the word written beside the number."""

    EXACT = ""
    AT_LEAST = "余"  # 1600余: at least
    MORE = "多"  # 7万多: at least
    NEARLY = "近"  # 近10万: a little under
    ABOUT = "约"  # 约5万: about
    OVER = "超过"  # 超过100亿: more than

    @property
    def is_prefix(self) -> bool:
        return self in (Qualifier.NEARLY, Qualifier.ABOUT, Qualifier.OVER)

    @property
    def is_lower_bound(self) -> bool:
        return self in (Qualifier.AT_LEAST, Qualifier.MORE, Qualifier.OVER)


class QuantityError(ValueError):
    """A figure that is not written the way the contract allows; the message says why."""


WAN = Decimal(10000)
YI = Decimal(100000000)
_SCALES = {"": Decimal(1), "万": WAN, "亿": YI}
_SHIFT = {"": 0, "万": 4, "亿": 8}

_PATTERN = re.compile(
    r"^(?P<pre>近|约|超过)?"
    r"(?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)"
    r"(?P<scale>万|亿)?"
    r"(?P<post>余|多)?"
    r"(?P<unit>.*)$"
)
# Limits, so that every accepted figure prints as written and every sum or change stays exact
# (Decimal's context holds 28 digits; Excel and the chart's floats hold 15):
MAX_DIGITS = 15  # significant digits of the value
MAX_MAGNITUDE = 16  # the value after 万/亿 must stay below 10**16 (1亿亿)
MAX_PLACES = 2  # decimal places of the value: 0.01 of the unit (分 for 元), 0.01 for a percentage
MAX_LENGTH = 60  # characters of a whole figure with its unit (超过99999999.9999999亿平方米 is 24)
ASCII_DIGITS = "数字请用半角阿拉伯数字 0–9"
_ACCEPTED = "可写作 490、2.12万、1600余、7万多、近10万、约5万、超过100亿、61.36%"


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    qualifier: Qualifier = Qualifier.EXACT
    percent: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            raise TypeError("Quantity.value must be a Decimal")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return (self.value, self.qualifier, self.percent) == (other.value, other.qualifier, other.percent)

    def __hash__(self) -> int:
        return hash((self.value, self.qualifier, self.percent))

    def __str__(self) -> str:
        return format_quantity(self)


def _plain(d: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 21200, 2.12, 0."""
    if d == 0:
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_quantity(text: object, unit: str = "", *, change: bool = False) -> Quantity:
    """Read a figure as written in a data file; raise QuantityError with a one-line reason.

    ``unit`` is the catalog unit: a suffix after the number must equal it. ``change`` allows
    negative values (year-over-year indicators such as 次均费用 -6.03%).
    """
    if isinstance(text, bool) or text is None:
        raise QuantityError(f"不是数量：{text!r}；{_ACCEPTED}")
    if isinstance(text, int | Decimal):
        text = str(text)
    if not isinstance(text, str):
        raise QuantityError(f"不是数量：{text!r}；{_ACCEPTED}")
    raw = _one_line(text)  # messages quote the figure: keep each message on one line
    text = text.strip()
    if not text:
        raise QuantityError(f"数量为空；{_ACCEPTED}")
    if len(text) > MAX_LENGTH:  # no figure is this long: say so without quoting all of it
        raise QuantityError(f"“{raw[:20]}…”太长（{len(text)} 个字符），不是一个数量；{_ACCEPTED}")
    other_digit = next((ch for ch in text if ch.isdigit() and ch not in "0123456789"), None)
    if other_digit is not None:  # 𝟗, ٠, ４: Python's Decimal() would read them silently
        raise QuantityError(f"“{raw}”中的“{other_digit}”（U+{ord(other_digit):04X}）不是半角数字：{ASCII_DIGITS}")
    m = _PATTERN.match(text)
    if not m:
        raise QuantityError(f"无法识别的数量“{raw}”{_hint(text)}；{_ACCEPTED}")
    suffix = m["unit"]
    percent = False
    if suffix == "%":
        percent = True
        if unit != "%":
            raise QuantityError(f"“{raw}”是百分数，但该指标的单位是“{unit}”")
    elif suffix:
        if suffix != unit:
            if not re.fullmatch(r"[\u4e00-\u9fff]+", suffix):
                raise QuantityError(f"无法识别的数量“{raw}”{_hint(text)}；{_ACCEPTED}")
            hint = f"该指标的单位是“{unit}”" if unit else "该指标没有单位"
            raise QuantityError(f"单位“{suffix}”与指标目录不符：{hint}")
    elif unit == "%":
        raise QuantityError(f"“{raw}”缺少百分号：该指标的单位是“%”，请写作 {raw}%")
    if percent and m["scale"]:
        raise QuantityError(f"无法识别的数量“{raw}”：百分数不能带万或亿")
    if m["pre"] and m["post"]:
        raise QuantityError(f"“{raw}”同时有“{m['pre']}”和“{m['post']}”，只能用一个")
    written = Decimal(m["num"])  # exact: the pattern admits only plain ASCII numbers
    _check_limits(raw, written, m["scale"] or "", percent)
    value = written * _SCALES[m["scale"] or ""]  # exact within the limits
    if value < 0 and not change:
        raise QuantityError(f"“{raw}”是负数；只有同比指标（change: true）可以为负")
    if value.is_zero():
        value = Decimal(0)
    qualifier = Qualifier(m["pre"] or m["post"] or "")
    # A percentage keeps its written places (61.30% stays 61.30%); counts are normalised.
    return Quantity(value if percent else _normal(value), qualifier, percent)


_LINE_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_line(text: str) -> str:
    """``text`` with line breaks and control characters written as escapes (\\n, \\x0b)."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], text)


def _check_limits(raw: str, written: Decimal, scale: str, percent: bool) -> None:
    """Refuse what cannot be printed as written or summed exactly (MAX_DIGITS, MAX_MAGNITUDE, MAX_PLACES).

    Works on the digits as written, before any arithmetic, so that no Decimal context rounds or
    overflows on the way (a 30-digit number would otherwise raise InvalidOperation)."""
    if written.is_zero():
        return
    _, digits, exponent = written.as_tuple()
    assert isinstance(exponent, int)  # a finite number: the pattern admits nothing else
    kept = "".join(map(str, digits)).lstrip("0")
    significant = kept if percent else kept.rstrip("0")  # a percentage keeps its written zeros
    last = exponent + (len(kept) - len(significant)) + _SHIFT[scale]  # power of ten of the last digit
    if written.adjusted() + _SHIFT[scale] >= MAX_MAGNITUDE:
        raise QuantityError(f"“{raw}”太大：数值应小于 1亿亿（10的16次方）；请检查位数和单位（万、亿）")
    if len(significant) > MAX_DIGITS:
        raise QuantityError(f"“{raw}”的有效数字超过 {MAX_DIGITS} 位；请去掉多余的位数")
    if -last > MAX_PLACES:
        allowed = "百分数最多两位小数" if percent else (
            f"最多精确到 0.01（写作{scale}时小数点后最多 {MAX_PLACES + _SHIFT[scale]} 位）" if scale
            else "最多两位小数")
        raise QuantityError(f"“{raw}”小数位太多：{allowed}；请自行取舍后再填写，本工具不做四舍五入")


def _hint(text: str) -> str:
    """Why a figure is not read, for the mistakes a Chinese keyboard or Excel habit makes."""
    if re.search(r"[．％]", text):
        return "：用了全角符号，请改为半角（如 2.12万、61.36%）"
    if re.search(r"\d[,，]\d", text):
        return "：不要用千位分隔符（如 21200 或 2.12万）"
    if re.search(r"\d\s+\S", text):
        return "：数字和单位之间不要有空格"
    if re.search(r"[零一二三四五六七八九十百千两]", text):
        return "：请用阿拉伯数字（如 2万，不写两万）"
    return ""


def _normal(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (Decimal('2.12E+4') prints badly)."""
    n = d.normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


def _scaled(value: Decimal) -> tuple[str, str]:
    """Pick 亿/万/none the way reports do: 10.49亿, 2.12万, 1600."""
    magnitude = abs(value)
    if magnitude >= YI:
        return _plain(_normal(value / YI)), "亿"
    if magnitude >= WAN:
        return _plain(_normal(value / WAN)), "万"
    return _plain(value), ""


def format_number(q: Quantity) -> str:
    """The figure without its unit: 2.12万, 1600余, 近10万, 61.36%."""
    if q.percent:
        number, scale = format(q.value, "f"), "%"
    else:
        number, scale = _scaled(q.value)
    pre = q.qualifier.value if q.qualifier.is_prefix else ""
    post = "" if q.qualifier.is_prefix else q.qualifier.value
    if q.percent:
        return f"{pre}{number}{post}%"
    return f"{pre}{number}{scale}{post}"


def format_quantity(q: Quantity, unit: str = "") -> str:
    """The figure with its unit attached, as printed: 2.12万人次, 1600余人次, 747.6万元."""
    text = format_number(q)
    if q.percent or unit == "%":
        return text
    return f"{text}{unit}"


def format_change(q: Quantity) -> str:
    """A change as a report says it: 上升61.36%, 下降6.03%, 持平."""
    if q.value == 0:
        return "持平"
    word = "上升" if q.value > 0 else "下降"
    magnitude = Quantity(abs(q.value), q.qualifier, q.percent)
    text = format_number(magnitude)
    return f"{word}{text}" if q.percent else f"{word}{text}"
