"""Chinese numerals for section numbers: 一、二、… 十、十一、… 二十、… 九十九、一百、…"""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """``n`` (1–9999) as an office writes a section number: 十 not 一十, 一百零五 with its 零."""
    if not 0 < n < 10000:
        return str(n)  # no catalog reaches this; a number still beats a crash
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + DIGITS[digit] + unit
            zero = False
        else:
            zero = bool(out)
    return out
