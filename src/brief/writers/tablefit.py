"""The size of a table's text, by one rule for both writers: every figure keeps one line.

A figure broken from its unit (``549.63公`` / ``斤``) reads as two. Tables of more than four columns
(county by county) start at 五号 (10.5 pt), others at 小四 (12 pt); when a figure in a right-aligned
(numeric) column would still wrap, the whole table, heading row included, is set smaller, in half
points, down to 小五 (9 pt). A figure too long even then wraps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..model import Table, plain

BASE_SIZE, WIDE_SIZE, MIN_SIZE = 12.0, 10.5, 9.0  # pt
WIDE = 4  # columns
Measure = Callable[[str, float], float]  # text, size in pt -> its natural width in pt


def estimated_width(text: str, size: float) -> float:
    """A width without font files: 汉字 and full-width marks one em, the rest (digits, Latin) 0.55 em;
    at size 1, a width in 汉字."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text) * size


def base_size(columns: int) -> float:
    return WIDE_SIZE if columns > WIDE else BASE_SIZE


def text_size(table: Table, widths: Sequence[float], padding: float,
              measure: Callable[[str, float], float]) -> float:
    """The size (pt) for every cell of ``table``; ``widths`` and ``padding`` (both sides together) in pt,
    ``measure(text, size)`` the natural width of a text on one line."""
    size = base_size(len(widths))
    numeric = table.numeric
    fit = 1.0
    for row in table.rows:
        for i, cell in enumerate(row):
            if i < len(numeric) and numeric[i]:
                natural = measure(plain(cell), size)
                if natural > 0:
                    fit = min(fit, (widths[i] - padding) / natural)
    if fit >= 1.0:
        return size
    return max(MIN_SIZE, math.floor(size * fit * 2) / 2)


def column_widths(columns: int, total: float) -> list[float]:
    """The column widths of a table, by one rule for both writers: the first column (the names) takes
    60 % of ``total`` beside one figure column, 40 % beside up to three, 24 % beside more; the
    figure columns share the rest equally. ``total`` in any unit; the DOCX rounds to twips."""
    first = total * (0.6 if columns <= 2 else 0.4 if columns <= 4 else 0.24)
    return [first] + [(total - first) / max(columns - 1, 1)] * (columns - 1)


def whole_widths(columns: int, total: int) -> list[int]:
    """``column_widths`` in whole units summing exactly to ``total`` (the last column takes the rest)."""
    widths = [round(w) for w in column_widths(columns, total)]
    widths[-1] += total - sum(widths)
    return widths
