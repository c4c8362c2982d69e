"""A CJK paragraph flowable with its own line layout (GB/T 15834-2011 §5.1 line breaking).

Stock reportlab lets closing marks start a line, lets opening marks end one, splits ``10.49⏎亿元``
and cannot justify CJK text (it only stretches word spaces). Rather than patching ``Paragraph``
internals, this module lays lines out itself and draws them with public canvas text-object calls:

- ``break_lines`` is a pure function (no canvas) that returns ``Line`` objects, so tests can check
  every break and every right edge;
- ``CJKParagraph`` is a platypus ``Flowable`` that wraps, splits and draws those lines;
- ``check_breaks`` reports rule violations in laid-out lines (regression tests use it).

Layout model: every character advances ``glyph width + char_space``; ``char_space`` is the PDF
``Tc`` of its line, i.e. ``style.tracking`` plus the justification stretch (or squeeze).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from reportlab.lib.colors import black
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus.flowables import Flowable

from ...fonts.rlcompat import show_text, text_origin
from ..typeset import CLOSING_HALF, MARKS, MIN_HSCALE, OPENING_HALF, figure_spans, halved_marks, mark_pairs

__all__ = ["Run", "ParaStyle", "Piece", "Line", "CJKParagraph", "TextState", "break_lines", "check_breaks"]

# --- GB/T 15834-2011 §5.1 character classes ------------------------------------------------------

# Must not start a line: closing marks, pause/stop marks, connectors, interpuncts, units after numbers.
NO_START = frozenset(
    "。，、；：？！…‥⋯—―～·・‧%％‰℃°"
    "∶"  # U+2236 RATIO, the colon of 3∶1 (GB/T 15834: never starts a line)
    "）》〉〕】」』”’〗〙〛｝］｠〞〟"
    "．｡､"
    ",.;:?!)]}"
)
# Must not end a line: opening marks (and currency signs, which belong to the following number).
NO_END = frozenset("“‘（《〈〔【「『〖〘〚［｛｟〝" "([{" "¥￥$＄£€")
# Closing marks that may hang past the right edge (Word's 允许标点溢出边界); dashes/ellipses may not.
HANGABLE = frozenset("，。、；：？！”’）》〉〕】」』〗〙〛｝］．｡､" ",.;:?!)]}")
# A number keeps these attached: 10.49亿, 747.6万, 20余, 100多, 7万多.
NUMBER_GLUE = frozenset("万亿余多%％‰")

_SPACE, _WORD, _NOSTART, _NOEND, _HANG, _DIGIT, _GLUE, _ATTACH = (1 << k for k in range(8))
_IDEO_SPACE = "\u3000"
_T = TypeVar("_T")
_EPS = 0.01  # pt; absorbs float error such as 28 × (156mm/28) > 156mm by 1e-13


def _classify(ch: str) -> int:
    o = ord(ch)
    f = 0
    if ch in NO_START:
        f |= _NOSTART
    if ch in NO_END:
        f |= _NOEND
    if ch in HANGABLE:
        f |= _HANG
    if ch in NUMBER_GLUE:
        f |= _GLUE
    if o == 0xA0:  # no-break space: glue both sides
        return f | _NOSTART | _NOEND
    if ch != _IDEO_SPACE and (ch.isspace() or o == 0x200B):
        return f | _SPACE
    if 0x21 <= o <= 0x7E or (0xC0 <= o < 0x2000 and ch.isalnum()):
        f |= _WORD  # Latin words, numbers like 30.89 / 61.36% / PM2.5 / 1+X stay whole
    elif 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        f |= _WORD  # full-width digits and letters
    if ch.isdigit() and (o < 0x80 or 0xFF10 <= o <= 0xFF19):
        f |= _DIGIT
    if (0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF or o == 0x200D
            or unicodedata.category(ch) in ("Mn", "Me")):
        f |= _ATTACH  # combining marks / variation selectors belong to the previous character
    return f


_FLAGS: dict[str, int] = {}


def _flags(ch: str) -> int:
    f = _FLAGS.get(ch)
    if f is None:
        f = _FLAGS[ch] = _classify(ch)
    return f


# --- widths --------------------------------------------------------------------------------------

# font name -> (font object, {char: advance at 1 pt}). The font object is kept so that re-registering a
# name with another file invalidates the table.
_WIDTHS: dict[str, tuple[object, dict[str, float]]] = {}


def _width_table(font_name: str) -> dict[str, float]:
    font = pdfmetrics.getFont(font_name)
    entry = _WIDTHS.get(font_name)
    if entry is None or entry[0] is not font:
        entry = _WIDTHS[font_name] = (font, {})
    return entry[1]


def _char_width(table: dict[str, float], font_name: str, ch: str) -> float:
    w = table.get(ch)
    if w is None:
        w = table[ch] = pdfmetrics.stringWidth(ch, font_name, 1000) / 1000.0
    return w


# --- public data types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of text in one font."""

    text: str
    font: str  # a reportlab-registered font name
    size: float
    color: object = None  # reportlab colour, None = black


@dataclass(frozen=True)
class ParaStyle:
    leading: float  # line pitch in pt (body: 28.95)
    first_line_indent: float = 0.0  # pt (body: 2 characters = 2 × (16 + tracking))
    align: str = "justify"  # justify | left | center | right
    tracking: float = 0.0  # extra pt after every character (body grid: 156mm/28 − 16pt = −0.207pt)
    space_before: float = 0.0
    space_after: float = 0.0
    left_indent: float = 0.0
    balance: bool = False  # never a last line of one character (table cells): re-break evenly


@dataclass(frozen=True)
class Piece:
    """Consecutive characters of one run on one line, drawn with a single ``textOut``."""

    text: str
    run: Run
    width: float  # sum of glyph advances at run.size, without any character spacing
    dx: float = 0.0  # the glyph is drawn this far from its slot (a compressed opening mark: −½ em)


@dataclass(frozen=True)
class Line:
    """One laid-out line. ``x0`` is measured from the frame's left edge."""

    pieces: tuple[Piece, ...]
    x0: float
    char_space: float  # PDF Tc for the whole line: tracking + justification stretch/squeeze
    avail_right: float  # right edge of the measure the line was set into
    hanging: bool = False  # the last character is a closing mark set past the measure
    last: bool = False  # last line of the paragraph (or before a hard break): ragged
    tail: tuple[Piece, ...] = field(default=())  # trailing spaces / newline: kept in text, never drawn
    hscale: float = 1.0  # PDF Tz / 100: a figure too wide for its cell, set narrower instead of broken

    @property
    def content(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def text(self) -> str:
        return self.content + "".join(p.text for p in self.tail)

    @property
    def nchars(self) -> int:
        return sum(len(p.text) for p in self.pieces)

    @property
    def glyph_width(self) -> float:
        return sum(p.width for p in self.pieces)

    @property
    def width(self) -> float:
        """Ink extent: glyph advances plus the spacing in the gaps (not after the last character)."""
        n = self.nchars
        return (self.glyph_width + max(n - 1, 0) * self.char_space) * self.hscale

    @property
    def right(self) -> float:
        return self.x0 + self.width


_new = object.__new__


def _made(cls: type[_T], **fields: Any) -> _T:
    """``cls(**fields)`` for Piece and Line, every field given: the instance's dict filled in one C
    call instead of the frozen dataclass's ``object.__setattr__`` per field (half the cost; a brief
    makes ~1,300 of them). tests/writers/pdf/test_pdf_same_bytes.py checks it against ``cls(...)``."""
    obj = _new(cls)
    obj.__dict__.update(fields)
    return obj


# --- line breaking ---------------------------------------------------------------------------------


@dataclass
class _Text:
    """A paragraph flattened to parallel per-character arrays."""

    chars: list[str]
    flags: list[int]
    adv: list[float]  # layout advance in pt (U+3000 forced to 1 em)
    run: list[int]  # index into runs
    exact: list[bool]  # layout advance == the font's own advance (else the char is drawn on its own)
    shift: dict[int, float] = field(default_factory=dict)  # char index -> Piece.dx (compressed openers)
    text: str = ""  # "".join(chars), made once
    run_end: list[int] = field(default_factory=list)  # run index -> the index after its last char


def _flatten(runs: Sequence[Run]) -> _Text:
    t = _Text([], [], [], [], [])
    for ri, run in enumerate(runs):
        text, size = run.text, run.size
        table = _width_table(run.font)
        distinct = set(text)
        for ch in distinct.difference(table):
            _char_width(table, run.font, ch)
        for ch in distinct.difference(_FLAGS):
            _flags(ch)
        # whole runs at a time through C-level map/extend: this is every character of every paragraph
        t.chars.extend(text)
        t.flags.extend(map(_FLAGS.__getitem__, text))
        t.run.extend([ri] * len(text))
        first = len(t.adv)
        t.adv.extend([w * size for w in map(table.__getitem__, text)])
        t.exact.extend([True] * len(text))
        if _IDEO_SPACE in text:
            for k, ch in enumerate(text, first):
                if ch == _IDEO_SPACE and abs(t.adv[k] - size) > 1e-9:
                    t.adv[k], t.exact[k] = size, False  # the ideographic space is always one full em
        t.run_end.append(len(t.chars))
    t.text = runs[0].text if len(runs) == 1 else "".join(run.text for run in runs)
    return t


def _full_em(t: _Text, k: int, runs: Sequence[Run]) -> bool:
    return t.exact[k] and abs(t.adv[k] - runs[t.run[k]].size) < 1e-6


def _halve(t: _Text, k: int) -> None:
    """Set mark k in half an em: a closing mark keeps its left half, an opening mark its right."""
    half = t.adv[k] / 2
    t.adv[k], t.exact[k] = half, False
    if t.chars[k] in OPENING_HALF:
        t.shift[k] = -half


def _compress_pairs(t: _Text, runs: Sequence[Run]) -> None:
    """Adjacent full-width marks share one blank: in ``）。`` ``。“`` ``”，`` the first mark is set in
    half an em; in ``“（`` (two openers) the second."""
    text = t.text
    if MARKS.isdisjoint(text):
        return  # most cells: no mark at all
    pairs = mark_pairs(text)
    for k, half in zip(pairs, halved_marks(text, pairs), strict=True):
        if _full_em(t, k, runs) and _full_em(t, k + 1, runs):
            _halve(t, half)


def _break_opportunities(flags: list[int]) -> list[bool]:
    """ok[i] is True when a line may end before character i (i in 1..n-1)."""
    n = len(flags)
    ok = [False] * (n + 1)
    if n == 0:
        return ok
    ok[n] = True
    prev = flags[0]
    number = bool(prev & _DIGIT)  # inside a number or its 万/亿/余/多 tail
    for i in range(1, n):
        f = flags[i]
        if f & (_NOSTART | _SPACE | _ATTACH) or prev & _NOEND:
            b = False
        elif prev & _SPACE:
            b = True
        elif prev & f & _WORD:
            b = False
        else:
            b = not (number and f & _GLUE)
        ok[i] = b
        number = bool(f & _DIGIT) or (number and bool(f & _GLUE))
        prev = f
    return ok


def _keep_figures_whole(text: str, ok: list[bool]) -> None:
    """No line break inside a figure (typeset.FIGURE): 8100万元 / 以上 or 2至 / 3名 read as two."""
    for start, end in figure_spans(text):
        for k in range(start + 1, end):
            ok[k] = False


_URL = re.compile(r"(?:https?://|www\.)[!-~]+")


def _break_urls(text: str, ok: list[bool]) -> None:
    """A web address may break after ``/ . -`` (never inside a number such as 10.5): a long one then
    fills the line instead of moving whole and leaving the line before letter-spaced."""
    if "www." not in text and "://" not in text:
        return
    for m in _URL.finditer(text):
        for k in range(m.start() + 1, m.end()):
            if text[k - 1] in "/.-" and text[k] not in "/.-" and not (text[k - 2].isdigit() and text[k].isdigit()):
                ok[k] = True


def _skip_spaces(flags: list[int], j: int, end: int) -> int:
    while j < end and flags[j] & _SPACE:
        j += 1
    return j


def _choose_break(t: _Text, ok: list[bool], s: int, i: int, end: int, runs: Sequence[Run],
                  may_hang: bool = True, limit: float = 0.0, track: float = 0.0) -> tuple[int, int, bool]:
    """Character i overflows the line starting at s. Returns (content end, next start, hanging)."""
    if ok[i]:
        return i, i, False
    f = t.flags[i]
    # Hang one closing mark of at most 1 em, if whatever follows it may start a line.
    if may_hang and f & _HANG and t.adv[i] <= runs[t.run[i]].size + 1e-9:
        k = _skip_spaces(t.flags, i + 1, end)
        if k >= end or ok[k]:
            return i + 1, k, True
    # Otherwise move characters back to the next line (an opening mark takes its neighbour along).
    for b in range(i - 1, s, -1):
        if ok[b]:
            return b, b, False
    # No legal break at all: a figure wider than a narrow cell is set a little narrower (``_place``)
    # rather than broken from its unit; anything longer (a URL) is cut where it overflows.
    j = i + 1
    while j < end and not ok[j]:
        j += 1
    if sum(t.adv[s:j]) + (j - s - 1) * track <= limit / MIN_HSCALE:
        return j, j, False
    return i, i, False


def _section_breaks(t: _Text, ok: list[bool], start: int, end: int, width: float, style: ParaStyle,
                    first: bool, runs: Sequence[Run]) -> list[tuple[int, int, int, bool, bool]]:
    """Greedy line filling of chars[start:end] (no hard breaks inside).

    Returns (start, content end, next start, hanging, first) per line.
    """
    out: list[tuple[int, int, int, bool, bool]] = []
    adv, flags, track = t.adv, t.flags, style.tracking
    s = start
    while s < end:
        limit = width - style.left_indent - (style.first_line_indent if first else 0.0) + _EPS
        x = 0.0
        i = s
        while i < end:
            nx = x + adv[i] + track
            # Spaces never overflow (they end up trailing); the first character always goes in.
            if nx > limit and i > s and not flags[i] & _SPACE:
                break
            x = nx
            i += 1
        if i >= end:
            ce, nxt, hang = end, end, False
        else:
            # Only a line set flush to the right edge hangs a mark past it; centred or right-aligned
            # text (a table heading) would push the mark into the cell's padding and over its rule.
            ce, nxt, hang = _choose_break(t, ok, s, i, end, runs, style.align in ("justify", "left"), limit, track)
        out.append((s, ce, nxt, hang, first))
        s, first = nxt, False
    return out


def _fits_first_line(t: _Text, width: float, style: ParaStyle) -> bool:
    """Whether the whole text goes on the first line: _section_breaks's filling loop, without a break."""
    limit = width - style.left_indent - style.first_line_indent + _EPS
    adv, flags, track = t.adv, t.flags, style.tracking
    x = 0.0
    for i in range(len(adv)):
        nx = x + adv[i] + track
        if nx > limit and i > 0 and not flags[i] & _SPACE:
            return False
        x = nx
    return True


def _pieces(t: _Text, runs: Sequence[Run], a: int, b: int) -> tuple[Piece, ...]:
    """Group chars[a:b] into pieces of one run; a char with a forced width is a piece of its own."""
    out: list[Piece] = []
    j = a
    exact, text, adv = t.exact, t.text, t.adv
    while j < b:
        r = t.run[j]
        k = j + 1
        if exact[j]:  # up to the end of the run or the first char with a forced width (searched in C)
            k = min(b, t.run_end[r])
            try:
                k = exact.index(False, j, k)
            except ValueError:
                pass
        out.append(_made(Piece, text=text[j:k], run=runs[r], width=sum(adv[j:k]), dx=t.shift.get(j, 0.0)))
        j = k
    return tuple(out)


def _place(pieces: tuple[Piece, ...], tail: tuple[Piece, ...], style: ParaStyle, width: float,
           first: bool, hang: bool, ragged: bool) -> Line:
    """Horizontal placement and character spacing of one line."""
    x0 = style.left_indent + (style.first_line_indent if first else 0.0)
    avail = width - x0
    if len(pieces) == 1:  # most lines (table cells): the sums of one term, 0 + width being width
        n, glyphs = len(pieces[0].text), pieces[0].width
    else:
        n = sum(len(p.text) for p in pieces)
        glyphs = sum(p.width for p in pieces)
    cs = style.tracking
    hscale = 1.0
    natural = glyphs + max(n - 1, 0) * cs
    if not hang and natural > avail + 0.5:
        hscale = avail / natural  # an unbreakable figure wider than the measure (_choose_break)
    elif n > 1:
        justify = style.align == "justify"
        if justify and not ragged:
            cs = (avail - glyphs) / (n - 1)  # stretch, or squeeze a hanging line flush
        elif natural > avail and (justify or not hang):
            cs = (avail - glyphs) / (n - 1)  # negative tracking overshoots by < |tracking|: squeeze
    line_w = (glyphs + max(n - 1, 0) * cs) * hscale
    if style.align == "right":
        x0 += avail - line_w
    elif style.align == "center":
        x0 += (avail - line_w) / 2
    return _made(Line, pieces=pieces, x0=x0, char_space=cs, avail_right=width, hanging=hang, last=ragged, tail=tail,
                 hscale=hscale)


# Characters known to carry no _SPACE flag: a text made of them only has no trailing space to strip
# and nothing that may overflow without breaking (grows with the characters seen, like _FLAGS).
_NONSPACE: set[str] = set()


def _one_line(runs: Sequence[Run], width: float, style: ParaStyle, ragged_end: bool) -> list[Line] | None:
    """The line ``_break`` makes of one run that fits its first line and has nothing the long way
    adjusts (no newline, space, ideographic space or punctuation mark to compress), made without the
    per-character arrays; None for any other text. Most paragraphs of a brief are such table cells."""
    if len(runs) != 1:
        return None
    run = runs[0]
    text = run.text
    if not text or _IDEO_SPACE in text or not MARKS.isdisjoint(text):
        return None
    if not _NONSPACE.issuperset(text):  # "\n" has the _SPACE flag, so this also rules out newlines
        for ch in set(text).difference(_NONSPACE):
            if _flags(ch) & _SPACE:
                return None
            _NONSPACE.add(ch)
    table = _width_table(run.font)
    size, track = run.size, style.tracking
    try:
        adv = [w * size for w in map(table.__getitem__, text)]
    except KeyError:  # a character not measured yet
        for ch in set(text).difference(table):
            _char_width(table, run.font, ch)
        adv = [w * size for w in map(table.__getitem__, text)]
    # _fits_first_line without flags (no character is a space): each character's right edge
    # x + a + track, summed in that order by accumulate in C (with no tracking, x + a + 0.0 is x + a)
    limit = width - style.left_indent - style.first_line_indent + _EPS
    if len(adv) > 1:
        if track == 0.0:
            ends = list(itertools.accumulate(adv))
        else:
            steps = [track] * (2 * len(adv))
            steps[0::2] = adv
            ends = list(itertools.accumulate(steps))[1::2]
        if max(ends[1:]) > limit:  # the first character always goes in
            return None
    return [_place((_made(Piece, text=text, run=run, width=sum(adv), dx=0.0),), (), style, width, True, False,
                   ragged_end)]


def _break(runs: Sequence[Run], width: float, style: ParaStyle, ragged_end: bool = True) -> list[Line]:
    if style.align not in ("justify", "left", "center", "right"):
        raise ValueError(f"unknown align {style.align!r}")
    one = _one_line(runs, width, style, ragged_end)
    if one is not None:
        return one
    t = _flatten(runs)
    _compress_pairs(t, runs)
    n = len(t.chars)
    if "\n" not in t.text and _fits_first_line(t, width, style):
        # most paragraphs of a brief are table cells of one line: no break to choose, so the break
        # opportunities are not worked out (the same line _raw_lines would give)
        raw = [(0, n, n, False, True, ragged_end)]
    else:
        ok = _break_opportunities(t.flags)
        _keep_figures_whole(t.text, ok)
        _break_urls(t.text, ok)
        raw = _raw_lines(t, ok, width, style, runs, ragged_end)
        if style.balance and len(raw) > 1 and raw[-1][1] - raw[-1][0] == 1 and "\n" not in t.text:
            raw = _balanced(t, ok, width, style, runs, ragged_end, raw)
    lines = []
    for s, ce, nxt, hang, fst, ragged in raw:
        cend = ce
        while cend > s and t.flags[cend - 1] & _SPACE and not hang:
            cend -= 1  # trailing spaces are neither measured nor drawn
        _compress_line_end(t, s, cend, width, style, fst, runs)
        tail = _pieces(t, runs, cend, min(nxt, n))
        lines.append(_place(_pieces(t, runs, s, cend), tail, style, width, fst, hang, ragged))
    return lines


def _compress_line_end(t: _Text, s: int, e: int, width: float, style: ParaStyle, first: bool,
                       runs: Sequence[Run]) -> None:
    """A closing mark that ends a line too full for it is set in half an em before the whole line
    is squeezed (clreq: compress punctuation first)."""
    k = e - 1
    if k <= s or t.chars[k] not in CLOSING_HALF or not _full_em(t, k, runs):
        return
    avail = width - style.left_indent - (style.first_line_indent if first else 0.0)
    if sum(t.adv[s:e]) + (e - s - 1) * style.tracking > avail + _EPS:
        _halve(t, k)


def _balanced(t: _Text, ok: list[bool], width: float, style: ParaStyle, runs: Sequence[Run], ragged_end: bool,
              raw: list[tuple[int, int, int, bool, bool, bool]]) -> list[tuple[int, int, int, bool, bool, bool]]:
    """The same number of lines broken at the narrowest measure that still holds them (so the lines
    come out even: 专题⏎培训班, not 专题培训⏎班); ``raw`` unchanged when that still leaves one
    character alone on the last line."""
    lo, hi = width / 3, width
    for _ in range(16):
        mid = (lo + hi) / 2
        if len(_raw_lines(t, ok, mid, style, runs, ragged_end)) == len(raw):
            hi = mid
        else:
            lo = mid
    even = _raw_lines(t, ok, hi, style, runs, ragged_end)
    if len(even) != len(raw) or even[-1][1] - even[-1][0] < 2:
        return raw
    return even


def _raw_lines(t: _Text, ok: list[bool], width: float, style: ParaStyle, runs: Sequence[Run],
               ragged_end: bool) -> list[tuple[int, int, int, bool, bool, bool]]:
    """(start, content end, next start, hanging, first, ragged) of every line."""
    n = len(t.chars)
    # A newline is a hard break: lay out each section separately, the newline going to the tail.
    raw: list[tuple[int, int, int, bool, bool, bool]] = []
    hard = [k for k, ch in enumerate(t.chars) if ch == "\n"] if "\n" in t.text else []
    newlines = iter(hard + [n])  # hard breaks, in order
    start, first = 0, True
    while start < n or (start == 0 and n == 0):
        nl = next(newlines)
        sec = _section_breaks(t, ok, start, nl, width, style, first, runs)
        if not sec:  # empty section (two newlines in a row): an empty line
            sec = [(start, start, start, False, first)]
        for k, (s, ce, nxt, hang, fst) in enumerate(sec):
            is_end = k == len(sec) - 1
            raw.append((s, ce, nl + 1 if is_end and nl < n else nxt, hang, fst,
                        is_end and (nl < n or ragged_end)))
        start, first = nl + 1, False
        if nl >= n:
            break
    return raw


def break_lines(runs: Sequence[Run], width: float, style: ParaStyle) -> list[Line]:
    """Lay ``runs`` out into lines ``width`` pt wide (pure: needs registered fonts, no canvas)."""
    return _break(runs, width, style)


# --- verification ------------------------------------------------------------------------------------


def check_breaks(lines: Sequence[Line]) -> list[str]:
    """GB/T 15834 §5.1 violations at the line breaks of ``lines`` (empty list = all good)."""
    problems: list[str] = []
    for j in range(1, len(lines)):
        prev, cur = lines[j - 1], lines[j]
        tail = "".join(p.text for p in prev.tail)
        if "\n" in tail:
            continue  # hard break: the author asked for it
        a, b = prev.content[-1:], cur.content[:1]
        if not a or not b:
            continue
        fa, fb = _flags(a), _flags(b)
        where = f"lines {j}/{j + 1} ({prev.content[-4:]!r} | {cur.content[:4]!r})"
        if a == b and a in "—…":
            problems.append(f"{where}: splits {a * 2!r}")
        if fb & _NOSTART:
            problems.append(f"{where}: line starts with {b!r}")
        if fa & _NOEND:
            problems.append(f"{where}: line ends with {a!r}")
        url_break = a in "/.-" and not (prev.content[-2:-1].isdigit() and b.isdigit())  # _break_urls
        if not tail and fa & fb & _WORD and not url_break:
            problems.append(f"{where}: splits a number or word")
        if not tail and fa & _DIGIT and fb & _GLUE:
            problems.append(f"{where}: separates a number from {b!r}")
    return problems


# --- the flowable ------------------------------------------------------------------------------------

# Baseline of an em box centred in the line pitch: CJK faces put ~0.88 em above the baseline.
_ASCENT = 0.88


def _runs_of(lines: Sequence[Line]) -> tuple[Run, ...]:
    """The text of ``lines`` back as runs (adjacent pieces of the same run merged; each run's text
    joined once, so this is linear in the text however many pieces it has)."""
    merged: list[tuple[Run, list[str]]] = []
    for line in lines:
        for p in line.pieces + line.tail:
            if merged:
                last = merged[-1][0]
                if last.font == p.run.font and last.size == p.run.size and last.color == p.run.color:
                    merged[-1][1].append(p.text)
                    continue
            merged.append((p.run, [p.text]))
    return tuple(replace(run, text="".join(texts)) for run, texts in merged)


MIN_LINES = 2  # lines of a paragraph on each side of a page break


class CJKParagraph(Flowable):
    """A paragraph of ``Run``s laid out by ``break_lines``; height is always lines × leading."""

    def __init__(self, runs: Sequence[Run], style: ParaStyle, *, _em: float | None = None,
                 _ragged_end: bool = True) -> None:
        super().__init__()
        self._runs: tuple[Run, ...] | None = tuple(runs)
        self._lines: Sequence[Line] = ()  # a split part: its runs are these lines' text, made on demand
        self.style = style
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        # Vertical position uses the paragraph's largest size, so split parts keep the same baseline grid.
        if _em is None:  # most paragraphs (table cells) are one run
            _em = self._runs[0].size if len(self._runs) == 1 else max((r.size for r in self._runs), default=0.0)
        self._em = _em
        self._ragged_end = _ragged_end  # False for the first part of a split: its last line stays justified
        self._cache: dict[float, list[Line]] = {}
        self._last: tuple[float | None, list[Line]] = (None, [])  # the width asked last, and its lines

    @classmethod
    def _part(cls, lines: list[Line], width: float, style: ParaStyle, em: float, ragged_end: bool) -> CJKParagraph:
        """One part of a split paragraph, keeping the lines already chosen (same breaks, same
        justification). Its runs are only rebuilt if it is laid out at another width: a page break
        in a long paragraph costs the lines on that page, not the whole rest of the text."""
        part = cls((), style, _em=em, _ragged_end=ragged_end)
        part._runs, part._lines = None, lines
        part._cache[round(width, 6)] = lines
        return part

    @property
    def runs(self) -> tuple[Run, ...]:
        if self._runs is None:
            self._runs = _runs_of(self._lines)
            self._lines = ()
        return self._runs

    def __repr__(self) -> str:
        text = "".join(r.text for r in self.runs)
        return f"CJKParagraph({text[:20]!r}{'…' if len(text) > 20 else ''})"

    def lines(self, width: float) -> list[Line]:
        last_width, last = self._last
        if width == last_width:  # wrap, split, draw: asked ~2 times a paragraph, at one width
            return last
        key = round(width, 6)
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = _break(self.runs, width, self.style, self._ragged_end)
        self._last = (width, got)
        return got

    def getSpaceBefore(self) -> float:
        return self.style.space_before

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[CJKParagraph]:
        """At a page break, at least MIN_LINES lines on each side (no orphan, no widow): else the
        whole paragraph moves on. (reportlab's allowOrphans/allowWidows only guard one line, and
        only in its own Paragraph.)"""
        lines = self.lines(availWidth)
        k = int((availHeight + 1e-6) // self.style.leading)
        if k >= len(lines):
            return [self]
        k = min(k, len(lines) - MIN_LINES)
        if k < MIN_LINES:
            return []
        first = self._part(lines[:k], availWidth, replace(self.style, space_after=0.0), self._em, False)
        second = self._part(lines[k:], availWidth, replace(self.style, first_line_indent=0.0, space_before=0.0),
                            self._em, self._ragged_end)
        return [first, second]

    def draw(self) -> None:
        txt = self.canv.beginText()
        self.emit(txt, 0.0, 0.0, TextState())
        self.canv.drawText(txt)

    def emit(self, txt: Any, x: float, y: float, state: TextState) -> None:
        """Write the lines (after ``wrap``) into the text object ``txt``, bottom-left corner at (x, y).

        A table writes all its cells into one text object this way, instead of a saved graphics
        state, a translation and a text object per cell."""
        lead = self.style.leading
        baseline = y + self.height - (lead - self._em) / 2 - _ASCENT * self._em
        for line in self.lines(self.width):
            cs, h = line.char_space, line.hscale
            if cs != state.char_space:
                state.char_space = cs
                txt.setCharSpace(cs)
            if h != state.hscale:
                state.hscale = h
                txt.setHorizScale(h * 100)
            left = x + line.x0
            for p in line.pieces:
                text_origin(txt, left + p.dx * h, baseline)
                run = p.run
                if state.font != (run.font, run.size):
                    state.font = (run.font, run.size)
                    txt.setFont(run.font, run.size)
                want = run.color if run.color is not None else black
                if want is not state.color:
                    state.color = want
                    txt.setFillColor(want)
                show_text(txt, p.text)
                left += (p.width + len(p.text) * cs) * h
            baseline -= lead


@dataclass
class TextState:
    """What a text object has been set to so far (only changes are written)."""

    font: tuple[str, float] | None = None
    color: object = None
    char_space: float | None = None
    hscale: float = 1.0  # PDF Tz / 100 (100 is every text object's default)
