"""Quantities as Chinese reports write them (GB/T 15835): 2.12万, 1600余, 近10万, 61.36%,
8100万元以上, 2%以下, 420余万元, 超3000人次, 2至3名.

A quantity is an exact Decimal plus a qualifier (余, 多, 近, 约, 超过, 超, 以上, 以下, 以内) and a
flag for percent; a range has a high end too. A figure keeps the form it was written in
(``written``: 49333万, 0.87亿, 420余万, 2至3) so that it prints as the office wrote it; bare numbers
and computed values have no written form and print normalized (2.12万).
Parsing and formatting are inverse: ``parse(format(q)) == q`` for every quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    OVER_SHORT = "超"  # 超3000人次: more than
    ABOVE = "以上"  # 8100万元以上: at least (after the unit)
    BELOW = "以下"  # 2%以下: at most (after the unit)
    WITHIN = "以内"  # 10万元以内: at most (after the unit)

    @property
    def is_prefix(self) -> bool:
        return self in (Qualifier.NEARLY, Qualifier.ABOUT, Qualifier.OVER, Qualifier.OVER_SHORT)

    @property
    def is_word_after_unit(self) -> bool:
        return self in (Qualifier.ABOVE, Qualifier.BELOW, Qualifier.WITHIN)

    @property
    def is_lower_bound(self) -> bool:
        return self in (Qualifier.AT_LEAST, Qualifier.MORE, Qualifier.OVER, Qualifier.OVER_SHORT,
                        Qualifier.ABOVE)

    @property
    def is_upper_bound(self) -> bool:
        return self in (Qualifier.BELOW, Qualifier.WITHIN)


class QuantityError(ValueError):
    """A figure that is not written the way the contract allows; the message says why."""


WAN = Decimal(10000)
YI = Decimal(100000000)
_SCALES = {"": Decimal(1), "万": WAN, "亿": YI}
_SHIFT = {"": 0, "万": 4, "亿": 8}

_NUM = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_PRE = r"(?P<pre>近|约|超过|超)?"
_PRE_MATCH = re.compile(_PRE).match  # compiled once: every figure of every file goes through it
_SINGLE = re.compile(
    rf"^(?P<num>-?{_NUM})(?P<mid>余|多)?(?P<scale>万|亿)?(?P<post>余|多)?(?P<unit>.*)$"
)
RANGE_SEPARATORS = ("至", "—", "～", "-")
_RANGE = re.compile(
    rf"^(?P<lo>{_NUM})(?P<loscale>万|亿)?(?P<lopct>%)?(?P<sep>至|——|—|～|~|-)"
    rf"(?P<hi>{_NUM})(?P<scale>万|亿)?(?P<unit>.*)$"
)
_WORDS = ("以上", "以下", "以内")
# Limits, so that every accepted figure prints as written and every sum or change stays exact
# (Decimal's context holds 28 digits; Excel and the chart's floats hold 15):
MAX_DIGITS = 15  # significant digits of the value
MAX_MAGNITUDE = 16  # the value after 万/亿 must stay below 10**16 (1亿亿)
MAX_PLACES = 2  # decimal places of the value: 0.01 of the unit (分 for 元), 0.01 for a percentage
MAX_LENGTH = 60  # characters of a whole figure with its unit (超过99999999.9999999亿平方米 is 24)
ASCII_DIGITS = "数字请用半角阿拉伯数字 0–9"
_ACCEPTED = ("可写作 490、2.12万、1600余、420余万、7万多、近10万、约5万、超3000、8100万以上、2%以下、"
             "10万以内、2至3、61.36%")
NOT_A_QUANTITY = "这不是数量，请写在正文里"


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # the low end of a range
    qualifier: Qualifier = Qualifier.EXACT
    percent: bool = False
    high: Decimal | None = None  # the high end of a range (2至3名: 3)
    # The number as written, without qualifier words and unit (49333万, 420余万, 2至3, 15%～30);
    # empty for bare numbers and computed values, which print normalized.
    written: str = field(default="", compare=False)
    unit: str = field(default="", compare=False)  # the unit written, when the catalog allows others

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            raise TypeError("Quantity.value must be a Decimal")

    @property
    def is_range(self) -> bool:
        return self.high is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return ((self.value, self.qualifier, self.percent, self.high)
                == (other.value, other.qualifier, other.percent, other.high))

    def __hash__(self) -> int:
        return hash((self.value, self.qualifier, self.percent, self.high))

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


def parse_quantity(text: object, unit: str = "", *, change: bool = False,
                   units_also: tuple[str, ...] = ()) -> Quantity:
    """Read a figure as written in a data file; raise QuantityError with a one-line reason.

    ``unit`` is the catalog unit: a suffix after the number must equal it (or one of
    ``units_also``). ``change`` allows negative values (year-over-year indicators such as
    次均费用 -6.03%).
    """
    if type(text) is str:
        quick = _usual(text, unit, units_also)
        if quick is not None:
            return quick
    return _parse(text, unit, change, units_also)


# The usual figure, whole: 9000, 21万余, 超过566.2万, 约4.48万个 (a qualifier, a plain number of at most
# 12 whole digits and 2 decimals, 余/多 and 万/亿, then 汉字 only). Its groups are _PRE's and _SINGLE's.
_USUAL = re.compile(r"(?P<pre>近|约|超过|超)?(?P<num>(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?)"
                    r"(?P<mid>余|多)?(?P<scale>万|亿)?(?P<post>余|多)?(?P<unit>[\u4e00-\u9fff]*)")
_DATE_WORDS = re.compile("[年月日号]")


def _usual(text: str, unit: str, units_also: tuple[str, ...]) -> Quantity | None:
    """What ``_parse`` makes of a usual figure, without its checks for what cannot occur in one (no
    space, control character, other digit, sign, range, %, 以上/以下/以内 or date word can match
    ``_USUAL``); None for anything else, which ``_parse`` reads and, if need be, refuses."""
    m = _USUAL.fullmatch(text)
    if m is None or len(text) > MAX_LENGTH or unit == "%":
        return None
    pre, num, mid, scale, post, suffix = m.group("pre", "num", "mid", "scale", "post", "unit")
    if suffix:
        if (suffix != unit and suffix not in units_also) or text.endswith(_WORDS) or _DATE_WORDS.search(suffix):
            return None
        if (mid or post) and suffix[0] in "余多":
            return None
    if (pre and (mid or post)) or (mid and post):  # two qualifiers: _parse says which
        return None
    scale = scale or ""
    if not _plainly_within_limits(num, scale):
        return None
    value = Decimal(num) * _SCALES[scale] if scale else Decimal(num)
    if value.is_zero():
        value = Decimal(0)
    body = text[len(pre):] if pre else text
    shown = body[: len(body) - len(suffix)] if scale else ""
    written_unit = suffix if suffix and suffix != unit else ""
    return Quantity(_normal(value) if "." in num else value, _QUALIFIERS[pre or mid or post or ""], False,
                    None, shown, written_unit)


def _parse(text: object, unit: str, change: bool, units_also: tuple[str, ...]) -> Quantity:
    """parse_quantity's full reading: every form and every refusal."""
    if isinstance(text, bool) or text is None:
        raise QuantityError(f"不是数量：{text!r}；{_ACCEPTED}")
    if isinstance(text, int | Decimal):
        text = str(text)
    if not isinstance(text, str):
        raise QuantityError(f"不是数量：{text!r}；{_ACCEPTED}")
    # messages quote the figure: keep each message on one line (most figures have nothing to escape)
    raw = _one_line(text) if _LINE_BREAKS.search(text) else text
    text = text.strip()
    if not text:
        raise QuantityError(f"数量为空；{_ACCEPTED}")
    if len(text) > MAX_LENGTH:  # no figure is this long: say so without quoting all of it
        raise QuantityError(f"“{raw[:20]}…”太长（{len(text)} 个字符），不是一个数量；{_ACCEPTED}")
    # ASCII and the CJK ideographs hold no other digits: the scan is for a text with anything else.
    other_digit = next((ch for ch in text if ch.isdigit() and ch not in "0123456789"),
                       None) if _MAYBE_OTHER_DIGIT.search(text) else None
    if other_digit is not None:  # 𝟗, ٠, ４: Python's Decimal() would read them silently
        raise QuantityError(f"“{raw}”中的“{other_digit}”（U+{ord(other_digit):04X}）不是半角数字：{ASCII_DIGITS}")
    # Only a text with one of the characters the two patterns need is looked at (most are not).
    refusal = _not_a_number(text, raw) if _NOT_A_NUMBER_CHARS.search(text) else ""
    if refusal:
        raise QuantityError(refusal)
    word = next((w for w in _WORDS if text.endswith(w) and len(text) > len(w)), "") if text.endswith(_WORDS) else ""
    body = text[: len(text) - len(word)]
    pre_m = _PRE_MATCH(body)
    pre = pre_m["pre"] or "" if pre_m else ""
    body = body[len(pre):]
    if pre and word:
        raise QuantityError(f"“{raw}”同时有“{pre}”和“{word}”，只能用一个")
    m = _RANGE.match(body)
    if m:
        return _range(m, raw, unit, units_also, pre or word, change)
    m = _SINGLE.match(body)
    if not m:
        raise QuantityError(f"无法识别的数量“{raw}”{_hint(text)}")
    suffix = m["unit"]
    given = m["mid"] or m["post"]
    if given and suffix[:1] in ("余", "多"):
        raise QuantityError(f"“{raw}”同时有“{given}”和“{suffix[0]}”，只能用一个")
    percent = _unit(raw, text, suffix, unit, units_also)
    if percent and m["scale"]:
        raise QuantityError(f"无法识别的数量“{raw}”：百分数不能带万或亿")
    if m["mid"] and m["post"]:
        raise QuantityError(f"“{raw}”同时有“{m['mid']}”和“{m['post']}”，只能用一个")
    post = m["mid"] or m["post"] or ""
    for a, b in ((pre, post), (word, post)):
        if a and b:
            raise QuantityError(f"“{raw}”同时有“{a}”和“{b}”，只能用一个")
    num, scale = m["num"], m["scale"] or ""
    written = Decimal(num)  # exact: the pattern admits only plain ASCII numbers
    if not _plainly_within_limits(num, scale):
        _check_limits(raw, written, scale, percent)
    value = written * _SCALES[scale] if scale else written  # exact within the limits
    if value < 0 and not change:
        raise QuantityError(f"“{raw}”是负数；只有同比指标（change: true）可以为负")
    bound = post or word or (pre if pre in ("超过", "超") else "")
    if value < 0 and bound:  # -5%以下 reads both as 下降5%以上 and 下降5%以下: say it in words instead
        raise QuantityError(f"“{raw}”是负数，不能再加“{bound}”：请写确切的数，或在正文里写明下降幅度")
    if value.is_zero():
        value = Decimal(0)
    qualifier = _QUALIFIERS[pre or post or word]
    # What was written with 万 or 亿 prints as written (49333万, 0.87亿, 420余万); a bare number
    # prints normalized. A percentage keeps its written places (61.30% stays 61.30%).
    shown = body[: len(body) - len(suffix)] if m["scale"] else ""
    written_unit = suffix if suffix and suffix not in (unit, "%") else ""
    # A whole number times 1, 万 or 亿 has no trailing fraction zeros to drop: _normal would give it back.
    normal = value if percent or "." not in num else _normal(value)
    return Quantity(normal, qualifier, percent, None, shown, written_unit)


def _range(m: re.Match[str], raw: str, unit: str, units_also: tuple[str, ...], qualifier: str,
           change: bool) -> Quantity:
    """``2至3名``, ``20—30人``, ``15%～30%``: a low and a high end, printed as written."""
    suffix = m["unit"]
    if qualifier:
        raise QuantityError(f"“{raw}”是范围，不能再加“{qualifier}”：请写作 {m['lo']}{m['sep']}{m['hi']}"
                            f"{m['scale'] or ''}{suffix}，或写一个数如 {qualifier}{m['hi']}")
    percent = _unit(raw, raw, suffix, unit, units_also)
    if m["lopct"] and not percent:
        raise QuantityError(f"无法识别的数量“{raw}”：范围的两端应同为百分数，例如 15%～30%")
    if percent and (m["loscale"] or m["scale"]):
        raise QuantityError(f"无法识别的数量“{raw}”：百分数不能带万或亿")
    lo_scale = m["loscale"] or m["scale"] or ""
    hi_scale = m["scale"] or ""
    lo, hi = Decimal(m["lo"]), Decimal(m["hi"])
    _check_limits(raw, lo, lo_scale, percent)
    _check_limits(raw, hi, hi_scale, percent)
    low, high = lo * _SCALES[lo_scale], hi * _SCALES[hi_scale]
    if low >= high:
        raise QuantityError(f"范围“{raw}”的前一个数应小于后一个数，例如 2至3")
    del change  # a range is never negative: the pattern admits no sign
    shown = m.string[: len(m.string) - len(suffix)]
    written_unit = suffix if suffix and suffix not in (unit, "%") else ""
    if not percent:
        low, high = _normal(low), _normal(high)
    return Quantity(low, Qualifier.EXACT, percent, high, shown, written_unit)


def _unit(raw: str, text: str, suffix: str, unit: str, units_also: tuple[str, ...]) -> bool:
    """Check the unit written after the number; True for a percentage."""
    if suffix == "%":
        if unit != "%":
            raise QuantityError(f"“{raw}”是百分数，但该指标的单位是“{unit}”")
        return True
    if suffix and suffix != unit and suffix not in units_also:
        if suffix[0] in "至—～~-" and not re.search(r"[0-9]", suffix):
            raise QuantityError(f"“{raw}”不完整：范围的两端都要写数，例如 2至3名、20—30人")
        if not re.fullmatch(r"[\u4e00-\u9fff]+", suffix):
            raise QuantityError(f"无法识别的数量“{raw}”{_hint(text)}")
        misplaced = next((w for w in (*_WORDS, "余", "多") if w in suffix), None)
        if misplaced:
            raise QuantityError(f"“{raw}”中的“{misplaced}”位置不对：请写作 8100万元以上、2%以下、"
                                "420余万元、7万多 这样的形式")
        allowed = "、".join(f"“{u}”" for u in (unit, *units_also))
        hint = f"该指标的单位是{allowed}" if unit else "该指标没有单位"
        raise QuantityError(f"单位“{suffix}”与指标目录不符：{hint}")
    if not suffix and unit == "%":
        raise QuantityError(f"“{raw}”缺少百分号：该指标的单位是“%”，请写作 {raw}%")
    return False


_LINE_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_line(text: str) -> str:
    """``text`` with line breaks and control characters written as escapes (\\n, \\x0b)."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], text)


def _plainly_within_limits(num: str, scale: str) -> bool:
    """True when the number as written (``-?digits[.digits]``) is clearly inside every limit of
    ``_check_limits``: at most two decimals, at most MAX_DIGITS digits, and few enough whole digits.
    False says nothing: ``_check_limits`` decides (its arithmetic on the Decimal costs more)."""
    whole, _, fraction = num.partition(".")  # a sign counts as a digit: only ever more careful
    return (len(fraction) <= MAX_PLACES and len(whole) + len(fraction) <= MAX_DIGITS
            and len(whole) + _SHIFT[scale] <= MAX_MAGNITUDE)


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


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"^(?P<n>[一二两三四五六七八九十]+)(?P<rest>.*)$")
_ORDINAL_OR_DATE = re.compile(r"^(?:首|第)|[0-9一二三四五六七八九十]+\s*(?:年|月|日|号)|(?:月|日|号)(?:前|后|底|初|起)")
# A character without which neither pattern above can match: most figures have none of them.
_NOT_A_NUMBER_CHARS = re.compile(r"^[首第一二两三四五六七八九十]|[年月日号]")
_MAYBE_OTHER_DIGIT = re.compile("[^\x00-\x7f\u4e00-\u9fff]")  # no character in these ranges isdigit() but 0-9
_QUALIFIERS = {q.value: q for q in Qualifier}  # Qualifier(word), without the enum's call machinery


def _small_cn_number(text: str) -> int | None:
    """一 … 九十九 as an int (两 for 2); None for anything else."""
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    m = re.fullmatch(r"([二三四五六七八九])?十([一二三四五六七八九])?", text)
    if not m:
        return None
    return _CN_DIGITS.get(m[1], 1) * 10 + _CN_DIGITS.get(m[2], 0) if m[1] else 10 + _CN_DIGITS.get(m[2], 0)


def _not_a_number(text: str, raw: str) -> str:
    """The whole message for an ordinal, a date or a count in Chinese numerals; '' otherwise."""
    if _ORDINAL_OR_DATE.search(text) and not re.fullmatch(r"[0-9.]+[年]", text):
        return f"“{raw}”是序数或日期：{NOT_A_QUANTITY}"
    m = _CN_NUMBER.match(text)
    if m:
        n = _small_cn_number(m["n"])
        if n is not None and not re.search(r"[千百]", m["rest"]):
            return f"“{raw}”用了汉字数字：请写作 {n}{m['rest']}"
        return f"“{raw}”用了汉字数字：请用阿拉伯数字，如 2万、1600余"
    return ""


def _hint(text: str) -> str:
    """Why a figure is not read, for the mistakes a Chinese keyboard or Excel habit makes."""
    if re.search(r"[．％]", text):
        return "：用了全角符号，请改为半角（如 2.12万、61.36%）"
    if re.search(r"\d，\d", text):  # a Chinese keyboard's comma: a decimal point as often as a separator
        return "：数字中用了中文逗号“，”；小数点请写“.”，也不要用千位分隔符（如 15.6万、21200）"
    if re.search(r"\d,\d", text):
        return "：不要用千位分隔符（如 21200 或 2.12万）"
    if re.search(r"\d\s+\S", text):
        return "：数字和单位之间不要有空格"
    if re.search(r"[零一二三四五六七八九十百千两]", text):
        return "：请用阿拉伯数字（如 2万，不写两万）"
    if re.match(r"^(?:近|约|超过|超)?-?0[0-9]", text):
        return "：数字不要以 0 开头（如 10，不写 010）"
    if re.search(r"[0-9][wWkK]", text):
        return "：万、千请写汉字或写出全部数字（如 2.12万 或 21200，不写 2.12w、5k）"
    if re.match(r"^-[0-9.]+%?[至—～~-][0-9]", text):
        return "：范围的两端不能是负数"
    if re.search(r"\d\s*[至—～~-]\s*$|^[至—～~]", text):
        return "：范围的两端都要写数，例如 2至3名、20—30人"
    return f"；{_ACCEPTED}"


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


# Qualifier.is_prefix and is_word_after_unit as tuples: _head and _word run for every figure printed,
# and a tuple test is cheaper than the property's call.
_PREFIXES = (Qualifier.NEARLY, Qualifier.ABOUT, Qualifier.OVER, Qualifier.OVER_SHORT)
_AFTER_NUMBER = (Qualifier.AT_LEAST, Qualifier.MORE)
_AFTER_UNIT = (Qualifier.ABOVE, Qualifier.BELOW, Qualifier.WITHIN)


def _head(q: Quantity) -> str:
    """The figure up to its unit: 近10万, 420余万, 1.6万余, 2至3, 61.36% (a percentage with its %)."""
    qualifier = q.qualifier
    pre = qualifier.value if qualifier in _PREFIXES else ""
    post = qualifier.value if qualifier in _AFTER_NUMBER else ""
    if q.written:
        core = q.written  # 余/多 already in place
    elif q.is_range:
        assert q.high is not None
        low = format(q.value, "f") if q.percent else "".join(_scaled(q.value))
        high = format(q.high, "f") if q.percent else "".join(_scaled(q.high))
        core = f"{low}—{high}"
    elif q.percent:
        core = format(q.value, "f") + post
    else:
        core = "".join(_scaled(q.value)) + post
    return f"{pre}{core}{'%' if q.percent else ''}"


def _word(q: Quantity) -> str:
    return q.qualifier.value if q.qualifier in _AFTER_UNIT else ""


def format_number(q: Quantity) -> str:
    """The figure without its unit: 2.12万, 1600余, 近10万, 61.36%, 8100万以上, 2至3."""
    return f"{_head(q)}{_word(q)}"


def format_quantity(q: Quantity, unit: str = "") -> str:
    """The figure with its unit attached, as printed: 2.12万人次, 1600余人次, 8100万元以上."""
    if q.percent or unit == "%":
        return format_number(q)
    return f"{_head(q)}{q.unit or unit}{_word(q)}"


def format_change(q: Quantity) -> str:
    """A change as a report says it: 上升61.36%, 下降6.03%, 上升40%以上, 持平."""
    if q.value == 0 and not q.is_range:
        return "持平"
    if not q.value.is_signed() and not q.written.startswith("-"):  # nothing to take off: q prints as it is
        return f"上升{format_number(q)}"
    word = "上升" if q.value >= 0 else "下降"
    # replace(q, value=abs(q.value), written=q.written.lstrip("-")), without replace's field walk
    magnitude = Quantity(abs(q.value), q.qualifier, q.percent, q.high, q.written.lstrip("-"), q.unit)
    return f"{word}{format_number(magnitude)}"


def written_place(q: Quantity) -> int | None:
    """The power of ten of the last digit ``q`` was written to, in base units: 1.2亿 → 7 (0.1亿),
    3450万 → 4, 0.87亿 → 6, 1600余 → 0, 约12.5 → -1; None for a count written in full and without
    qualifier (128, 21200, 2至3: exact, whatever digits it ends in). A sum is no more precise than
    its coarsest addend (``aggregate.stated``)."""
    qualifier, written = q.qualifier, q.written
    if q.percent or (qualifier is Qualifier.EXACT and not written):  # most figures: one test
        return None
    if written and q.high is None and ("万" in written or "亿" in written):  # 49333万, 0.87亿, 420余万, 21万余
        scale = "亿" if "亿" in written else "万"
        number = written.partition(scale)[0].rstrip("余多")
        dot = number.find(".")
        return _SHIFT[scale] - (len(number) - dot - 1 if dot >= 0 else 0)
    if written:  # a range (20—30万), or anything written without 万/亿 (2至3)
        place = _range_place(written)
        if place is not None or qualifier is Qualifier.EXACT:
            return place
    # a qualified figure written in full (1600余, 近50, 约12.5): the place of its last digit
    exponent = q.value.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number: parse_quantity admits nothing else
    return min(exponent, 0)


# The ends of a written range and their 万/亿: 20—30万 (the 20 takes the 30's 万), 2万至3.5万.
_RANGE_END = re.compile(r"[0-9]+(?:\.(?P<decimals>[0-9]+))?(?P<scale>万|亿)?")


def _range_place(written: str) -> int | None:
    """``written_place`` of a range as written: its coarser end; None without 万 or 亿 (2至3)."""
    ends = [(m["decimals"] or "", m["scale"] or "") for m in _RANGE_END.finditer(written)]
    scale = next((s for _, s in reversed(ends) if s), "")
    if not scale:
        return None
    return max(_SHIFT[s or scale] - len(decimals) for decimals, s in ends)
