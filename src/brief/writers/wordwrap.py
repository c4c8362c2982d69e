"""Short texts in narrow places broken between words (``cjkwords``), one rule for both writers:
table cells, chart category names and key-figure labels break at the same place in the PDF and
the DOCX (``临时⏎党支部``, ``专题⏎培训班``; not ``临时党⏎支部``, ``专题培⏎训班``).

A text keeps the number of lines it needs (a row or a chart never grows for a better break); on
those lines it breaks between two words if it can, else among characters no word covers, and only
then as before, where a word may be cut. No line of one character when that can be helped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from itertools import combinations

from .cjkwords import Break, breaks

Width = Callable[[str], float]  # a line's width, in the unit of the room it must fit

_NO_LINE_START = frozenset("，。、；：！？）》」』”’%％·")  # closing marks stay with what they close
_WORD = re.compile(r"[A-Za-z0-9.]")
_HANZI = re.compile(r"[\u4e00-\u9fff]+")
# Longer texts break as before: a label of a few lines is what a better break is for, and the search
# below grows with the square of the length (a 20,000-character cell took minutes).
LONGEST = 64


def positions(text: str) -> list[tuple[int, Break]]:
    """Every index i (1 .. len-1) a line may start at, and how good a break before text[i] is: not
    inside a Latin word or number, not before a closing mark."""
    kind = breaks(text)
    return [(i, kind[i - 1]) for i in range(1, len(text))
            if not (text[i] in _NO_LINE_START or (_WORD.match(text[i - 1]) and _WORD.match(text[i])))]


def _tiers(allowed: Sequence[tuple[int, Break]]) -> Iterator[list[int]]:
    """The break positions to try, best first: between words only, then also among characters no
    word covers (a break inside a word is left to the caller's old rule)."""
    for worst in (Break.BETWEEN, Break.UNKNOWN):
        yield [i for i, kind in allowed if kind <= worst]


def _lines(text: str, cuts: Sequence[int]) -> tuple[str, ...]:
    bounds = (0, *cuts, len(text))
    return tuple(text[a:b] for a, b in zip(bounds, bounds[1:], strict=False))


def even(text: str, count: int, width: Width, room: float) -> tuple[str, ...] | None:
    """``text`` on ``count`` lines, each ``room`` wide at most and of two characters or more, broken
    between words (then among characters no word covers) where the lines are most even (the widest
    narrowest, then the least spread), the longer lines first; None when no such break fits (the
    caller splits as before)."""
    if count < 2 or len(text) > LONGEST:
        return None
    allowed = positions(text)
    for tier in _tiers(allowed):
        best: tuple[tuple[float, float, tuple[int, ...]], tuple[str, ...]] | None = None
        for cuts in combinations(tier, count - 1):
            lines = _lines(text, cuts)
            if min(map(len, lines)) < 2:
                continue
            widths = [width(line) for line in lines]
            key = (max(widths), sum(w * w for w in widths), tuple(-len(line) for line in lines))
            if key[0] <= room and (best is None or key < best[0]):
                best = (key, lines)
        if best is not None:
            return best[1]
    return None


def _greedy(text: str, cuts: Sequence[int], width: Width, room: float) -> tuple[str, ...] | None:
    """As many characters on each line as fit, breaking only at ``cuts``; None when a piece between
    two cuts is wider than ``room``."""
    lines: list[str] = []
    start, ends = 0, [*cuts, len(text)]
    while start < len(text):
        end = next((e for e in reversed(ends) if e > start and width(text[start:e]) <= room), None)
        if end is None:
            return None
        lines.append(text[start:end])
        start = end
    return tuple(lines)


def _cell(text: str, cuts: Sequence[int], width: Width, room: float, balance: bool = False) -> tuple[str, ...] | None:
    """A table cell's lines, as the PDF breaker sets them: greedy; when that leaves one character
    alone on the last line (or ``balance``), greedy at the narrowest room that keeps the number of
    lines (even lines), if that leaves none alone."""
    lines = _greedy(text, cuts, width, room)
    if lines is None or len(lines) < 2 or (len(lines[-1]) > 1 and not balance):
        return lines
    # the narrowest room is the width of some line: the narrowest of them that still holds the text on
    # as many lines (a wider room never needs more lines, so a bisection finds it)
    rooms = sorted({w for a in (0, *cuts) for b in (*cuts, len(text)) if b > a
                    for w in (width(text[a:b]),) if w <= room})
    lo, hi = 0, len(rooms) - 1  # rooms[-1] is room's own greedy's widest line: it holds them
    while lo < hi:
        mid = (lo + hi) // 2
        tried = _greedy(text, cuts, width, rooms[mid])
        if tried is not None and len(tried) <= len(lines):
            hi = mid
        else:
            lo = mid + 1
    even_lines = _greedy(text, cuts, width, rooms[lo])
    return even_lines if even_lines is not None and len(even_lines[-1]) > 1 else lines


def cell(text: str, width: Width, room: float) -> tuple[str, ...] | None:
    """The lines of a table cell of 汉字 only (every font sets them one em wide, so both writers
    measure them alike): the PDF breaker's (each line as full as it can be; even lines rather than
    one character alone on the last), broken between words, else among characters no word covers,
    when that keeps the number of lines; else as before. None when they are the lines of an engine
    that fills each line as full as it can (Word's), and for a text that fits or holds other
    characters, whose widths differ between the PDF's fonts and Word's."""
    if len(text) > LONGEST or not _HANZI.fullmatch(text) or width(text) <= room:
        return None
    everywhere = list(range(1, len(text)))
    full = _greedy(text, everywhere, width, room)
    lines = before = _cell(text, everywhere, width, room)
    if before is None:
        return None
    cuts, balance = _cuts(before), before != full  # the PDF evened out a lone last character
    for tier in _tiers(positions(text)):
        if cuts.issubset(tier):
            break  # the old breaks are as good
        better = _cell(text, tier, width, room, balance)
        if better is not None and len(better) == len(before) and min(map(len, better)) > 1:
            lines = better
            break
    return None if lines == full else lines


def _cuts(lines: Sequence[str]) -> set[int]:
    """Where ``lines`` break, as indices into their text."""
    out, at = set(), 0
    for line in lines[:-1]:
        at += len(line)
        out.add(at)
    return out


def hard_breaks(lines: Sequence[str], width: Width, room: float) -> str:
    """The text of ``lines`` with a newline only where an engine that fills each line as full as it
    can would not break by itself: the DOCX's one way to place a break but joining characters, and
    the fewest invisible characters for Word's Find (one per moved break, at a word boundary)."""
    out: list[str] = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        out.append(line)
        if after and width(line + after[0]) <= room:
            out.append("\n")  # it would take the next line's first character: break here
    return "".join(out)
