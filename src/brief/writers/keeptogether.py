"""Figures that must stay on one line, found the same way for both writers.

A figure broken from its unit (``2670余⏎名``, ``30.89万⏎亩``, ``549.63公⏎斤``) or from the word that
qualifies it (``约⏎40.00%``, ``8100万元⏎以上``) reads as two. The PDF breaker forbids a break inside
these spans; the DOCX writer joins their characters with U+2060 WORD JOINER, which LibreOffice's
line breaker honours (Word keeps digits and 汉字 apart by itself less reliably: its own rule).
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"

# Units of more than one character from the indicator catalog (data/indicators.yaml); a single 汉字
# after a figure (名, 亩, 元, 个 …) is always taken along.
_LONG_UNITS = ("平方米", "人次", "场次", "台次", "公斤", "公里")
_NUM = r"[0-9]+(?:\.[0-9]+)?"
_TAIL = r"[余多]?[万亿]?[余多]?%?"
# A figure as the contract writes it (近/约/超/超过 before it, 余/多/万/亿 after the digits, a range
# with 至 — ～ ~ -, a unit, then 以上/以下/以内): 约2.5万人次, 8100万元以上, 2至3名, 15%～30%, 2021—2025年.
FIGURE = re.compile(
    rf"(?:近|约|超过|超)?{_NUM}{_TAIL}"
    rf"(?:(?:至|——|—|～|~|-){_NUM}{_TAIL})?"
    rf"(?:{'|'.join(_LONG_UNITS)}|[\u4e00-\u9fff])?(?:以上|以下|以内)?"
)


def figure_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every figure in ``text`` longer than one character."""
    if not any("0" <= ch <= "9" for ch in text):
        return []
    return [m.span() for m in FIGURE.finditer(text) if m.end() - m.start() > 1]


def join_figures(text: str) -> str:
    """``text`` with a WORD JOINER between the characters of each figure where a line could break:
    between a 汉字 and a digit or between two 汉字 (never inside ``7.52``: no engine breaks there,
    and a joiner between Latin characters would only hinder search and copy)."""
    spans = figure_spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        for k in range(start, end):
            if k > start and not (text[k - 1].isascii() and text[k].isascii()):
                out.append(WORD_JOINER)
            out.append(text[k])
        pos = end
    out.append(text[pos:])
    return "".join(out)
