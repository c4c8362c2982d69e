"""Typesetting rules both writers share: figures kept on one line, adjacent marks compressed.

A figure broken from its unit (``2670余⏎名``, ``30.89万⏎亩``, ``549.63公⏎斤``) or from the word that
qualifies it (``约⏎40.00%``, ``8100万元⏎以上``) reads as two. The PDF breaker forbids a break inside
these spans; the DOCX writer joins their characters with U+2060 WORD JOINER (``joined``).
"""

from __future__ import annotations

import re

# Units of more than one character from the indicator catalog (data/indicators.yaml); a single 汉字
# after a figure (名, 亩, 元, 个 …) is always taken along.
_LONG_UNITS = ("平方米", "人次", "场次", "台次", "公斤", "公里")
_NUM = r"[0-9]+(?:\.[0-9]+)?"
_TAIL = r"[余多]?[万亿]?[余多]?%?"
# A figure as the contract writes it (上升/下降 of a change, 近/约/超/超过 before it, 余/多/万/亿 after the digits,
# a range with 至 — ～ ~ -, a unit, then 以上/以下/以内): 约2.5万人次, 8100万元以上, 2至3名, 15%～30%, 2021—2025年.
FIGURE = re.compile(
    rf"(?:上升|下降)?(?:近|约|超过|超)?{_NUM}{_TAIL}"
    rf"(?:(?:至|——|—|～|~|-){_NUM}{_TAIL})?"
    rf"(?:{'|'.join(_LONG_UNITS)}|(?!以[上下内])[\u4e00-\u9fff])?(?:以上|以下|以内)?"  # 40%以上: 以 is no unit
)

_DIGIT = re.compile("[0-9]")


def figure_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every figure in ``text`` longer than one character."""
    if _DIGIT.search(text) is None:
        return []
    return [m.span() for m in FIGURE.finditer(text) if m.end() - m.start() > 1]


WORD_JOINER = "\u2060"
MIN_HSCALE = 0.8  # a figure wider than its cell is set this much narrower at most, never broken
_NUMERIC = frozenset("0123456789.")


def joined(figure: str) -> str:
    """``figure`` with a WORD JOINER wherever a line could break: everywhere but inside the digits
    of a number (no engine breaks 30.89, and a joiner there would only hinder search and copy)."""
    out = [figure[:1]]
    for a, b in zip(figure, figure[1:], strict=False):
        if not (a in _NUMERIC and b in _NUMERIC):
            out.append(WORD_JOINER)
        out.append(b)
    return "".join(out)


# Punctuation compression (标点挤压, clreq §3.1.6): full-width marks whose ink sits in one half of the
# em. Closing marks (and the stops a mainland font sets at the left) have a blank right half, opening
# marks a blank left half; ？ is centred in FandolFang and is never compressed.
CLOSING_HALF = frozenset("，。、；：！”’）》〉〕】」』〗〙〛｝］")
OPENING_HALF = frozenset("“‘（《〈〔【「『〖〘〚［｛")
MARKS = CLOSING_HALF | OPENING_HALF | frozenset("？")


_A_MARK = re.compile("[" + re.escape("".join(sorted(MARKS))) + "]")


def mark_pairs(text: str) -> list[int]:
    """Index k of every pair text[k:k+2] of adjacent marks that share one blank (``）。`` ``。“``
    ``”，`` ``“（``): a closing mark before any mark, or two opening marks. Half an em is taken out
    between the two: the blank right half of the closing mark, or the blank left half of the second
    opener."""
    # the second marks found by one C scan (from index 1), not a test at every character
    return [j - 1 for j in (m.start() for m in _A_MARK.finditer(text, 1))
            if text[j - 1] in CLOSING_HALF or (text[j - 1] in OPENING_HALF and text[j] in OPENING_HALF)]


def halved_marks(text: str, pairs: list[int] | None = None) -> list[int]:
    """Index of the mark set in half an em in each pair of ``mark_pairs`` (``pairs``, when the caller
    has them): the closing mark (its blank right half goes), or in two openers ``“（`` the second
    (its blank left half): halving the first opener would leave the gap, which is in the second."""
    return [k if text[k] in CLOSING_HALF else k + 1 for k in (mark_pairs(text) if pairs is None else pairs)]
