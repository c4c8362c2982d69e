"""A table flowable for what a brief's tables need, and no more.

reportlab's ``Table`` handles spans, per-cell styles, shadows, rounded corners and in-row splits,
and pays for that generality on every cell: it took 21 of the 46 ms of a county brief's PDF
(308 cells). A brief's tables are simpler: fixed column widths, cells holding CJK paragraphs,
an optional title row across the whole width and an optional header row; a table that runs onto
the next page goes on under a 续表 line and its header row, rows never split, and never fewer than
MIN_ROWS rows on either side of a page break. ``Grid`` lays out exactly that, the way
reportlab's ``Table`` does (same row heights, padding and vertical alignment), and draws every
cell's text into one text object, with all rules as one path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable

from ...fonts.rlcompat import lines
from ..tablefit import MIN_ROWS
from .cjk import CJKParagraph, TextState


@dataclass(frozen=True)
class Rules:
    """The lines a grid draws: ``grid`` every cell border (below the title row), or ``box`` the outer
    border and ``separators`` the lines between columns."""

    width: float = 0.0
    color: Color | None = None
    kind: str = "none"  # none | grid | box
    separator_width: float = 0.0


@dataclass(frozen=True)
class GridStyle:
    padding: tuple[float, float, float, float] = (3.0, 6.0, 3.0, 6.0)  # top, right, bottom, left (reportlab's)
    valign: str = "middle"  # middle | bottom | top
    rules: Rules = Rules()
    header_background: Color | None = None


Cell = Sequence[CJKParagraph]  # stacked top to bottom


def _content_height(cell: Cell) -> float:
    """Wrapped heights and the spacing between them, as reportlab's ``Table`` counts a cell."""
    if not cell:
        return 0.0
    if len(cell) == 1 and not cell[0].getSpaceBefore() and not cell[0].getSpaceAfter():
        return cell[0].height  # what the sum below gives: (0 + h + 0.0 + 0.0) - 0.0 - 0.0 is h
    total = sum(p.height + p.getSpaceBefore() + p.getSpaceAfter() for p in cell)
    return total - cell[0].getSpaceBefore() - cell[-1].getSpaceAfter()


class Grid(Flowable):
    """Rows of cells of fixed-width columns; ``title`` spans them all. On every page the grid runs
    onto, ``more`` (the 续表 line) stands above the ``header_rows`` repeated, drawn above the
    grid's top, in the margin: a continued grid starts a page, and the DOCX's (where Word cannot
    print 续表) starts at the same height, so both files' pages hold the same rows."""

    def __init__(self, rows: Sequence[Sequence[Cell]], widths: Sequence[float], style: GridStyle, *,
                 title: CJKParagraph | None = None, header_rows: int = 0, more: CJKParagraph | None = None,
                 _heights: list[float] | None = None, _contents: list[list[float]] | None = None,
                 _continued: bool = False) -> None:
        super().__init__()
        if any(len(row) != len(widths) for row in rows):
            raise ValueError("every row needs one cell per column")
        self.rows = [list(row) for row in rows]
        self.widths = list(widths)
        self.style = style
        self.title = title
        self.header_rows = header_rows
        self.more = more
        self._continued = _continued  # a part after a page break: ``more`` above it
        self.hAlign = "CENTER"
        # Row heights depend on the column widths alone, which are fixed: measured once, and handed
        # to the parts of a split (platypus wraps and splits a long table page after page).
        self._heights: list[float] | None = _heights
        self._contents = _contents  # per row, each cell's _content_height (draw places the text by it)
        self._title_height = 0.0

    # -- layout ---------------------------------------------------------------------------------

    def _layout(self) -> None:
        top, right, bottom, left = self.style.padding
        if self.title is not None:
            # the title row has no vertical padding; an empty cell is one 12 pt line tall in reportlab
            self._title_height = max(self.title.wrap(sum(self.widths) - left - right, 1e9)[1], 12.0)
        if self._heights is not None:
            return
        self._heights, self._contents = [], []
        inners = [width - left - right for width in self.widths]
        for row in self.rows:
            height = 0.0
            contents = []
            for cell, inner in zip(row, inners, strict=True):
                for p in cell:
                    p.wrap(inner, 1e9)
                content = _content_height(cell)
                contents.append(content)
                height = max(height, content + top + bottom)
            self._heights.append(height)
            self._contents.append(contents)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._layout()
        self.width = sum(self.widths)
        self.height = self._title_height + sum(self._heights or [])
        return self.width, self.height

    def least_height(self, availWidth: float) -> float:  # noqa: N803
        """The height of the first part of the least split: what a heading above the grid needs
        below it on the same page (the whole grid when it is too short to split)."""
        self.wrap(availWidth, 1e9)
        heights = self._heights or []
        body = len(heights) - self.header_rows
        if body < 2 * MIN_ROWS:
            return self.height
        return self._title_height + sum(heights[:self.header_rows + MIN_ROWS])

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        """Before the first row that does not fit, leaving MIN_ROWS rows or more on each side (else
        the whole grid moves to the next page); never inside the repeated rows."""
        self._layout()
        heights = self._heights or []
        used, n = self._title_height, 0
        for height in heights:
            if used + height > availHeight:
                break
            used += height
            n += 1
        keep = self.header_rows
        if n >= len(self.rows):
            return []
        balanced = min(n, len(self.rows) - MIN_ROWS)  # MIN_ROWS rows go on with the 续表
        if balanced - keep >= MIN_ROWS:
            n = balanced
        elif not self._at_top():  # too few rows on one side: the next page, where the rule can hold
            return []
        if n <= keep:
            return []
        contents = self._contents or []
        head = Grid(self.rows[:n], self.widths, self.style, title=self.title, header_rows=keep, more=self.more,
                    _heights=heights[:n], _contents=contents[:n], _continued=self._continued)
        rest = Grid(self.rows[:keep] + self.rows[n:], self.widths, self.style,
                    title=None if self.more else self.title, header_rows=keep, more=self.more,
                    _heights=heights[:keep] + heights[n:], _contents=contents[:keep] + contents[n:], _continued=True)
        return [head, rest]

    def _at_top(self) -> bool:
        """Whether the grid starts a page (then a split, even an uneven one, is the only way on)."""
        frame = self._doctemplateAttr("frame")
        return bool(getattr(frame, "_atTop", False))

    # -- drawing --------------------------------------------------------------------------------

    def draw(self) -> None:
        canv, style = self.canv, self.style
        top_pad, right_pad, bottom_pad, left_pad = style.padding
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        heights = self._heights or []
        ys = [self.height - self._title_height]  # row tops, from the top down
        for h in heights:
            ys.append(ys[-1] - h)

        if style.header_background is not None and self.header_rows:
            canv.setFillColor(style.header_background)
            canv.rect(0, ys[self.header_rows], xs[-1], ys[0] - ys[self.header_rows], stroke=0, fill=1)

        txt = canv.beginText()
        state = TextState()
        if self.title is not None:
            self.title.emit(txt, left_pad, ys[0] + (self._title_height - self.title.height) / 2, state)
        if self._continued and self.more is not None:  # where a title row would be, above the top
            self.more.wrap(xs[-1] - left_pad - right_pad, 1e9)
            self.more.emit(txt, left_pad, ys[0] + (max(self.more.height, 12.0) - self.more.height) / 2, state)
        contents = self._contents or [[_content_height(cell) for cell in row] for row in self.rows]
        for r, row in enumerate(self.rows):
            row_bottom, row_height = ys[r + 1], heights[r]
            for c, cell in enumerate(row):
                if not cell:
                    continue
                content = contents[r][c]
                if style.valign == "bottom":
                    y = row_bottom + bottom_pad + content
                elif style.valign == "top":
                    y = row_bottom + row_height - top_pad
                else:  # reportlab's MIDDLE
                    y = row_bottom + (row_height + bottom_pad - top_pad + content) / 2
                y += cell[0].getSpaceBefore()
                for p in cell:
                    y -= p.getSpaceBefore() + p.height
                    p.emit(txt, xs[c] + left_pad, y, state)
                    y -= p.getSpaceAfter()
        canv.drawText(txt)
        self._draw_rules(xs, ys)

    def _draw_rules(self, xs: list[float], ys: list[float]) -> None:
        rules = self.style.rules
        if rules.kind == "none" or rules.color is None:
            return
        canv = self.canv
        canv.setStrokeColor(rules.color)
        top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
        if rules.kind == "grid":
            canv.setLineWidth(rules.width)
            segments = [(left, y, right, y) for y in ys] + [(x, top, x, bottom) for x in xs]
            lines(canv, segments)
            return
        canv.setLineWidth(rules.width)
        canv.rect(left, bottom, right - left, top - bottom, stroke=1, fill=0)
        if rules.separator_width and len(xs) > 2:
            canv.setLineWidth(rules.separator_width)
            lines(canv, [(x, top, x, bottom) for x in xs[1:-1]])
