"""Page furniture drawn on every page: page numbers (— 1 —) and the 征求意见稿 watermark."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas

from ... import housestyle as hs
from .styles import BOTTOM, GREY, HEIGHT, LEFT, PAGE, WIDTH

PAGENUM_SIZE = hs.ROLES["pagenum"].size  # 四号
WATERMARK = hs.WATERMARK_TEXT
WATERMARK_SIZE = hs.WATERMARK_SIZE
DRAFT_MARK_SIZE = hs.DRAFT_MARK_SIZE  # the one extractable 征求意见稿: 三号, in the top margin of page 1
Op = tuple[str, tuple[float, ...]]  # a path operation in font units: moveTo/lineTo/curveTo/close


def draw_page_number(canvas: Canvas, font: str, number: int, *, left: float = LEFT, width: float = WIDTH,
                     bottom: float = BOTTOM) -> None:
    """Odd pages right, even pages left, one character in; the dash 7 mm below the text block
    (``left``, ``width``, ``bottom``: a landscape page's text block)."""
    text = f"— {number} —"
    y = bottom - hs.pt(hs.PAGE.pagenum_drop) - 0.394 * PAGENUM_SIZE
    extent = canvas.stringWidth(text, font, PAGENUM_SIZE)
    x = left + width - PAGENUM_SIZE - extent if number % 2 else left + PAGENUM_SIZE
    canvas.setFont(font, PAGENUM_SIZE)
    canvas.drawString(x, y, text)


def draw_watermark(canvas: Canvas, sources: Sequence[tuple[str, int]]) -> None:
    """Diagonal grey 征求意见稿 drawn as glyph outlines, not text: as text, text extractors (copy,
    pdftotext, screen readers) wove its characters into the paragraphs it crosses. ``sources`` are
    font files (path, face index) tried in order for each character; the words stay extractable once,
    from ``draw_draft_mark`` on page 1."""
    glyphs = [_glyph(ch, sources) for ch in WATERMARK]
    total = sum(advance for _, advance in glyphs)
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setFillAlpha(0.25)
    canvas.translate(PAGE[0] / 2, PAGE[1] / 2)
    canvas.rotate(45)
    x = -total / 2
    for ops, advance in glyphs:
        path = canvas.beginPath()
        for op, args in ops:
            getattr(path, op)(*(v + x if i % 2 == 0 else v - 24 for i, v in enumerate(args)))
        canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
        x += advance
    canvas.restoreState()


def draw_draft_mark(canvas: Canvas, font: str) -> None:
    """征求意见稿 as text, once: right-aligned in the top margin of the first page, above the text block."""
    canvas.setFont(font, DRAFT_MARK_SIZE)
    canvas.drawRightString(LEFT + WIDTH, BOTTOM + HEIGHT + hs.pt(hs.PAGE.draft_mark_rise), WATERMARK)


def _glyph(ch: str, sources: Sequence[tuple[str, int]]) -> tuple[tuple[Op, ...], float]:
    """``ch`` at WATERMARK_SIZE: its outline and advance, in pt, from the first source that has it."""
    for path, index in sources:
        found = _outline(path, index, ch)
        if found is not None:
            return found
    raise ValueError(f"no font draws {ch!r} for the watermark")


@functools.cache
def _recorder() -> type:
    # Lazily: fontTools costs ~20 ms to import, and only a draft's watermark draws outlines.
    from fontTools.pens.basePen import BasePen

    class _Recorder(BasePen):
        """Collects an outline as moveTo/lineTo/curveTo/close (quadratic curves made cubic by BasePen)."""

        def __init__(self, glyphset: object, scale: float) -> None:
            super().__init__(glyphset)
            self.ops: list[Op] = []
            self.scale = scale

        def _pts(self, *pts: tuple[float, float]) -> tuple[float, ...]:
            return tuple(round(v * self.scale, 3) for p in pts for v in p)

        def _moveTo(self, pt: tuple[float, float]) -> None:  # noqa: N802 - fontTools pen protocol
            self.ops.append(("moveTo", self._pts(pt)))

        def _lineTo(self, pt: tuple[float, float]) -> None:  # noqa: N802
            self.ops.append(("lineTo", self._pts(pt)))

        def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],  # noqa: N802
                        p3: tuple[float, float]) -> None:
            self.ops.append(("curveTo", self._pts(p1, p2, p3)))

        def _closePath(self) -> None:  # noqa: N802
            self.ops.append(("close", ()))

    return _Recorder


def _outline(path: str, index: int, ch: str) -> tuple[tuple[Op, ...], float] | None:
    return _outlines(path, index).get(ch)


@functools.cache
def _outlines(path: str, index: int) -> dict[str, tuple[tuple[Op, ...], float]]:
    """The watermark's characters in one face, read at once and the file closed again (a cached open
    font kept its file open for the life of the process)."""
    from fontTools.ttLib import TTFont  # lazily: see _recorder

    out: dict[str, tuple[tuple[Op, ...], float]] = {}
    with TTFont(path, fontNumber=index, lazy=True) as font:
        cmap = font.getBestCmap()
        scale = WATERMARK_SIZE / font["head"].unitsPerEm
        glyphset = font.getGlyphSet()
        for ch in dict.fromkeys(WATERMARK):
            name = cmap.get(ord(ch))
            if name is None or name == ".notdef":
                continue
            pen = _recorder()(glyphset, scale)
            glyphset[name].draw(pen)
            out[ch] = tuple(pen.ops), round(glyphset[name].width * scale, 3)
    return out
