"""What a spreadsheet cell holds, as the text a data file would hold: Excel's traps handled here.

* A number cell is a binary float: 2.12 is really 2.1200000000000001, and a sum like 0.1+0.2 is
  0.30000000000000004. Excel itself keeps 15 significant digits, so we take the shortest repr and,
  when it is longer than that, the value rounded to 15 significant digits; then Decimal.
* A cell formatted as a percentage holds 0.6136 for 61.36%.
* Typed text may use full-width digits (２．１２万), stray spaces, or repeat the unit (2.12万人次).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal

# Full-width (and look-alike) digits, dot, percent and signs: folded with NFKC; Chinese is left alone.
_FOLD = re.compile(r"[\uff10-\uff19\uff0e\uff05\uff0d\uff0b\u2212\ufe6a\u3000\u00a0\u2002-\u200b]")
_SPACE = re.compile(r"\s+")
EXCEL_DIGITS = 15


class CellError(ValueError):
    """A cell that cannot stand for a figure or a text; the message is one line for the user."""


# OOXML writes a character XML cannot hold as _xHHHH_ (U+000B as _x000B_) and a literal "_x" as _x005F_x;
# openpyxl leaves the escapes in the text. Characters no data file (nor Word) may hold are refused.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def decode_escapes(text: str) -> str:
    """A cell's text with Excel's ``_xHHHH_`` escapes decoded; CellError for a control character."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    bad = _CONTROL.search(decoded)
    if bad:
        code = f"{ord(bad.group(0)):04X}"
        shown = f"（Excel 中写作 _x{code}_）" if f"_x{code.lower()}_" in text.lower() else ""
        raise CellError(f"单元格含有不可见的控制字符 U+{code}{shown}，简报无法保存这种字符；"
                        "请删去它（常见于从网页或其他软件复制的文字）后重新保存")
    return decoded


def fold(text: str) -> str:
    """Full-width digits, dot, % and minus to ASCII; other characters unchanged."""

    def one(m: re.Match[str]) -> str:
        ch = m.group(0)
        if ch == "\u2212":
            return "-"
        if ch in "\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b":
            return " "
        return unicodedata.normalize("NFKC", ch)

    return _FOLD.sub(one, text)


def squeeze(text: str) -> str:
    """Drop stray spaces: at the ends and next to a non-digit; a space between two digits stays
    (``2 12万`` is not silently read as 212万)."""
    text = text.strip()

    def keep(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if before.isdigit() and after.isdigit() else ""

    return _SPACE.sub(keep, text)


def plain_decimal(d: Decimal) -> str:
    """A Decimal written without exponent or trailing zeros: 21200, 2.12, 0."""
    if d.is_zero():
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def float_decimal(value: float) -> Decimal:
    """The number a user typed into a cell, from the binary float the cell stores."""
    if not math.isfinite(value):
        raise CellError("单元格里不是有效的数")
    text = repr(value)
    d = Decimal(text)
    if len(d.as_tuple().digits) > EXCEL_DIGITS:
        d = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    return d


def is_percent_format(number_format: str | None) -> bool:
    """True when the cell shows its number as a percentage (0%, 0.00%, #,##0.0%); quoted text aside."""
    if not number_format:
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format)
    return "%" in unquoted


def is_date_format(number_format: str | None) -> bool:
    if not number_format:
        return False
    unquoted = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format).lower()
    return bool(re.search(r"[ymdhs]", unquoted)) and "general" not in unquoted


def figure_text(value: object, number_format: str | None) -> str | None:
    """A value cell as quantity text (``2.12``, ``61.36%``, ``2.12万``); None when the cell is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("单元格是逻辑值（TRUE/FALSE），不是数量")
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        raise CellError("单元格被识别成了日期或时间；请把单元格设为文本格式后重新填写数量")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = float_decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        text = squeeze(fold(value))
        return text or None
    else:
        raise CellError(f"无法读取的单元格内容：{value!r}")
    if is_percent_format(number_format):
        return f"{plain_decimal(d * 100)}%"
    return plain_decimal(d)


def cell_text(value: object) -> str:
    """A text cell (facts, highlights) as text: line breaks as \\n, no stray spaces at the ends."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return plain_decimal(float_decimal(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()
