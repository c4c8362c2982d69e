"""Table geometry by one rule for both writers: every figure keeps one line.

A figure broken from its unit (``549.63公`` / ``斤``) reads as two. So a figure (right-aligned,
numeric) column is as wide as its widest figure, measured with the fonts' real widths, and the
label column gets what remains (spare room, when there is some, is shared by every column).
Tables of more than four columns (county by county) start at 五号 (10.5 pt), others at 小四
(12 pt); when the label column would get less than LABEL_MIN 汉字, the whole table, heading row
included, is set smaller, in half points, down to 小五 (9 pt). A table of seven or more columns
that still cannot fit at 9 pt goes on a landscape page; only a figure too long even there wraps.

All the tables of one section (under one 一、 heading) are set at one size: the smallest any of
them needs (``plan``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import Block, Heading, Inlines, Paragraph, Table, Text, plain
from . import wordwrap

BASE_SIZE, WIDE_SIZE, MIN_SIZE = 12.0, 10.5, 9.0  # pt
WIDE = 4  # columns
LANDSCAPE_COLUMNS = 7  # a table this wide may go on a landscape page
LABEL_MIN = 6.0  # 汉字: the least a label column gets before the table is set smaller
HEADER_KEEP = 4.0  # 汉字 of a figure column's heading kept on one line (县名: 麦盖提县)
SLACK = 1.0  # pt per column: what rounding and a font's side bearings may add to a measured width
MIN_ROWS = 3  # rows of a table on each side of a page break

Measure = Callable[[str, float], float]


def estimated_width(text: str, size: float) -> float:
    """A width without font files: 汉字 and full-width marks one em, the rest (digits, Latin) 0.55 em;
    at size 1, a width in 汉字."""
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text) * size


AUTOSPACE = 0.25  # em LibreOffice puts between 汉字 and digits, whatever the DOCX's autoSpaceDN says


def both_files(real: Measure) -> Measure:
    """The measure both writers size tables with, so that the PDF and the DOCX get the same sizes and
    widths: the fonts' ``real`` widths, never under the estimate (Word's Times New Roman digits and %
    run wider than some 仿宋's), plus AUTOSPACE at each change between 汉字 and digits or Latin, so
    that a figure keeps one line in LibreOffice too."""

    def width(text: str, size: float) -> float:
        estimate, changes = _shape(text)
        return max(real(text, size), estimate * size) + changes * AUTOSPACE * size

    return width


# text -> (its estimate at size 1, its changes between 汉字 and the rest): a table is measured at every
# size it tries, and a build's briefs share their labels; neither depends on the size or the fonts.
_SHAPES: dict[str, tuple[float, int]] = {}
SHAPES_KEPT = 8192
_EM = (0.55, 1.0)  # estimated_width's em per character: (narrow, wide)


def _shape(text: str) -> tuple[float, int]:
    shape = _SHAPES.get(text)
    if shape is None:
        wide = list(map("\u2e80".__le__, text))  # ord(ch) >= 0x2E80, character by character in C
        # estimated_width(text, 1): the same terms summed in the same order, so the same float
        shape = (sum(map(_EM.__getitem__, wide)), sum(map(operator.ne, wide, wide[1:])))
        if len(_SHAPES) >= SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[text] = shape
    return shape


EPS = 0.01  # pt: the PDF breaker's tolerance (a line exactly as wide as its cell fits)


def broken(cell: Inlines, measure: Measure, size: float, room: float) -> Inlines:
    """A cell of one run of 汉字 with a newline where it breaks between words rather than where a
    line filled as full as it can be would break (wordwrap.cell; ``room``: its width inside the
    padding), so that both writers break it at the same word boundary; else the cell unchanged."""
    if len(cell) != 1:
        return cell

    def width(text: str) -> float:
        return measure(text, size)

    lines = wordwrap.cell(cell[0].text, width, room + EPS)
    if lines is None:
        return cell
    return (Text(wordwrap.hard_breaks(lines, width, room + EPS), cell[0].bold),)


def base_size(columns: int) -> float:
    return WIDE_SIZE if columns > WIDE else BASE_SIZE


@dataclass(frozen=True)
class Fit:
    """How one table is set: its text size, column widths (pt) and page."""

    size: float
    widths: tuple[float, ...]
    landscape: bool = False
    fits: bool = True  # False: not even 9 pt keeps every figure on one line


def _numeric(table: Table, columns: int) -> tuple[bool, ...]:
    return tuple(table.numeric[:columns]) + (False,) * (columns - len(table.numeric))


def _columns(table: Table) -> list[list[Inlines]]:
    rows = [table.header, *table.rows] if table.header else list(table.rows)
    n = max(len(r) for r in rows)
    return [[r[i] for r in rows if i < len(r)] for i in range(n)]


def widths_at(table: Table, size: float, width: float, padding: float, measure: Measure) -> tuple[float, ...] | None:
    """Column widths (pt) that keep every figure of ``table`` on one line at ``size`` within ``width``
    (``padding``: both sides of a cell together), or None when the label column would be too narrow."""
    columns = _columns(table)
    numeric = _numeric(table, len(columns))
    has_header = bool(table.header)
    need: list[float] = []
    for i, cells in enumerate(columns):
        texts = [plain(c) for c in cells]
        if numeric[i]:
            figures = texts[1:] if has_header else texts
            widest = max((measure(t, size) for t in figures), default=0.0)
            head = min(measure(texts[0], size), HEADER_KEEP * size) if has_header else 0.0
            need.append(max(widest, head) + padding + SLACK)
        else:
            need.append(max((measure(t, size) for t in texts), default=0.0) + padding + SLACK)
    text_cols = [i for i, num in enumerate(numeric) if not num]
    fixed = sum(need[i] for i in range(len(need)) if numeric[i])
    remaining = width - fixed
    least = sum(min(need[i], LABEL_MIN * size + padding) for i in text_cols)
    if remaining < least - 1e-6 or (not text_cols and remaining < -1e-6):
        return None
    out = list(need)
    wanted = sum(need[i] for i in text_cols)
    if remaining >= wanted:
        spare = (remaining - wanted) / len(out)  # room to spare: every column shares it
        return tuple(w + spare for w in out)
    for i in text_cols:  # the text columns share what the figures leave, by their natural width
        out[i] = remaining * need[i] / wanted
    return tuple(out)


def _sizes(columns: int) -> list[float]:
    top = base_size(columns)
    return [top - k * 0.5 for k in range(int((top - MIN_SIZE) * 2) + 1)]


def fit(table: Table, width: float, padding: float, measure: Measure,
        landscape_width: float | None = None, size: float | None = None) -> Fit:
    """The largest size at which ``table`` fits ``width`` (or ``landscape_width``, for a table of
    LANDSCAPE_COLUMNS or more that fits no portrait page at 9 pt); ``size`` caps it (a section's)."""
    columns = len(_columns(table))
    sizes = [s for s in _sizes(columns) if size is None or s <= size + 1e-9] or [MIN_SIZE]
    for s in sizes:
        widths = widths_at(table, s, width, padding, measure)
        if widths is not None:
            return Fit(s, widths)
    if landscape_width and columns >= LANDSCAPE_COLUMNS:
        for s in sizes:
            widths = widths_at(table, s, landscape_width, padding, measure)
            if widths is not None:
                return Fit(s, widths, landscape=True)
        # too wide even turned: still turned, where fewer figures wrap
        return Fit(MIN_SIZE, _squeezed(table, MIN_SIZE, landscape_width, padding, measure), True, fits=False)
    return Fit(MIN_SIZE, _squeezed(table, MIN_SIZE, width, padding, measure), fits=False)


def _squeezed(table: Table, size: float, width: float, padding: float, measure: Measure) -> tuple[float, ...]:
    """Widths when nothing fits: the label LABEL_MIN 汉字, the figures sharing the rest by their width."""
    columns = _columns(table)
    numeric = _numeric(table, len(columns))
    natural = [max((measure(plain(c), size) for c in cells), default=0.0) + padding for cells in columns]
    label = [min(natural[i], LABEL_MIN * size + padding) if not numeric[i] else 0.0 for i in range(len(columns))]
    rest = max(width - sum(label), 0.0)
    total = sum(natural[i] for i in range(len(columns)) if numeric[i]) or 1.0
    return tuple(label[i] if not numeric[i] else rest * natural[i] / total for i in range(len(columns)))


def plan(blocks: Sequence[Block], width: float, padding: float, measure: Measure,
         landscape_width: float | None = None) -> dict[int, Fit]:
    """Each table's Fit, by ``id(table)``: one size for all the tables of a section (a heading of
    level 0 or 1 starts one), the smallest any of them needs."""
    sections: list[list[int]] = [[]]
    for i, block in enumerate(blocks):
        if isinstance(block, Heading) and block.level <= 1:
            sections.append([])
        elif isinstance(block, Table):
            sections[-1].append(i)
    out: dict[int, Fit] = {}
    for indices in sections:
        alone = {i: fit(blocks[i], width, padding, measure, landscape_width) for i in indices}  # type: ignore[arg-type]
        if not alone:
            continue
        size = min(f.size for f in alone.values())
        for i, own in alone.items():
            if own.size == size or not own.fits:
                out[id(blocks[i])] = own
                continue
            page = landscape_width if own.landscape and landscape_width else width
            widths = widths_at(blocks[i], size, page, padding, measure)  # type: ignore[arg-type]
            out[id(blocks[i])] = Fit(size, widths, own.landscape) if widths else own  # smaller text fits too
    return out


def landscape_pages(blocks: Sequence[Block], fits: dict[int, Fit]) -> list[bool]:
    """Whether each block is set on a landscape page: a table whose Fit says so, the headings right
    before it (a heading never ends the portrait page before its table) and a 数据来源 line right
    after it (else it stands alone on a last portrait page)."""
    flags = [bool(f and f.landscape) for f in (fits.get(id(b)) for b in blocks)]
    for i in range(len(blocks) - 2, -1, -1):  # backwards: a run of headings follows its table
        if flags[i + 1] and isinstance(blocks[i], Heading):
            flags[i] = True
    for i in range(1, len(blocks)):
        if flags[i - 1] and isinstance(blocks[i], Paragraph) and blocks[i].role == "source":
            flags[i] = True
    return flags


def kept_rows(body_rows: int) -> frozenset[int]:
    """The body rows (0-based) that must stay on the page of the row after them, so that MIN_ROWS rows
    or more stand on each side of a page break: the first rows (with the header) and the last; a
    table too short to split that way stays whole."""
    if body_rows < 2 * MIN_ROWS:
        return frozenset(range(body_rows - 1))
    return frozenset([*range(MIN_ROWS - 1), *range(body_rows - MIN_ROWS, body_rows - 1)])
