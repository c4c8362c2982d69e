"""A Chart node as a PNG for the DOCX writer: ``barchart.layout`` painted with Pillow.

The PDF writer draws the same layout as vectors, so both files show the same chart. The labels are
set in the heading role's font file (the one the PDF uses). Deterministic: fixed size and dpi, no
metadata, same bytes for the same chart.

A drawn chart is kept between runs (``~/.cache/brief/charts``), filed under what decides its pixels:
the laid-out picture, the label font file, Pillow and this module. Drawing costs 13-16 ms in a fresh
process (FreeType renders every label, plus the PNG encoder), half the DOCX writer's first brief;
re-rendering a brief whose chart did not change reads ~25 KB instead, and does not import Pillow's
drawing modules at all (they are imported when a chart is drawn, not with the writer).
"""

from __future__ import annotations

import functools
import io
import math
import zlib
from typing import TYPE_CHECKING

from brief import fonts
from brief import housestyle as hs
from brief.fonts.cache import file_stamp
from brief.keptfiles import Kept, entry_name, source_digest
from brief.model import Chart
from brief.writers.barchart import AXIS, COLOURS, GRID, HEIGHT, TEXT, WIDTH, Picture, Rule, layout

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

DPI = 200
_ANCHORS = {"left": "ls", "center": "ms", "right": "rs"}  # Pillow anchors on the baseline


def _px(mm: float) -> float:
    return hs.pixels(mm, DPI)


def _font_file() -> str:
    role_fonts = fonts.pdf_fonts()
    return role_fonts.font_file(role_fonts.name("heading"))


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(_font_file(), size)


@functools.cache
def _palette() -> Image.Image:
    """White, black, 15 greys between them, the rules and the series colours."""
    from PIL import Image, ImageColor

    greys = [(g, g, g) for g in range(16, 256, 16)]
    named = [ImageColor.getrgb(c) for c in (TEXT, GRID, AXIS, *COLOURS)]
    flat = [channel for rgb in [(255, 255, 255), *greys, *named] for channel in rgb]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + [0] * (768 - len(flat)))
    return palette


def _rule(draw: ImageDraw.ImageDraw, r: Rule) -> None:
    draw.line([(_px(r.x0), _px(r.y0)), (_px(r.x1), _px(r.y1))], fill=r.colour, width=max(1, round(_px(r.width))))


def _text(image: Image.Image, draw: ImageDraw.ImageDraw, x: float, y: float, text: str, size: int, align: str) -> None:
    """``draw.text`` of one label at (x, y) (its baseline), its ink taken from the memo of labels."""
    ink = _label(text, size, _ANCHORS[align], math.modf(x)[0], math.modf(y)[0]) if x >= 0 and y >= 0 else None
    if ink is None:  # off the image, or too large for the memo's canvas: as Pillow draws it
        draw.text((x, y), text, font=_font(size), fill=TEXT, anchor=_ANCHORS[align])
        return
    dx, dy, mask = ink
    if mask is not None:
        # the same blend of TEXT through the mask as ImageDraw.text's (Pillow's ImagingFill2 both)
        image.paste(TEXT, (int(x) + dx, int(y) + dy), mask)


@functools.lru_cache(maxsize=1024)  # masks of 1-6 KB: a few MB at most
def _label(text: str, size: int, anchor: str, fx: float, fy: float) -> tuple[int, int, Image.Image | None] | None:
    """A label's ink as ``ImageDraw.text`` sets it at a point whose fractional part is (fx, fy)
    (Pillow renders each fraction apart): the top left of its mask from the point's integer part,
    and the mask (None: no ink); None when it would not fit the canvas. Remembered per process:
    the charts of a build share most labels (axis steps, the unit, category names), and a label
    costs 0.1-0.4 ms to render (FreeType hints every glyph). Drawn white on black, the mask is
    exactly the glyphs' coverage."""
    from PIL import Image, ImageDraw

    n = len(text) + 2  # a glyph is at most an em (``size`` px) wide: an em to spare on each side
    ox, oy = n * size, 2 * size
    canvas = Image.new("L", (2 * ox, 4 * size), 0)
    ImageDraw.Draw(canvas).text((ox + fx, oy + fy), text, font=_font(size), fill=255, anchor=anchor)
    box = canvas.getbbox()
    if box is None:
        return 0, 0, None
    if box[0] == 0 or box[1] == 0 or box[2] == canvas.width or box[3] == canvas.height:
        return None  # ink at the canvas's edge: perhaps cut
    return box[0] - ox, box[1] - oy, canvas.crop(box)


@functools.lru_cache(maxsize=64)
def _chart_png(chart: Chart, width_mm: float, height_mm: float) -> bytes:
    picture = layout(chart, fonts.pdf_fonts().metrics("heading"), width_mm, height_mm)
    if not _STORE.used:
        return _painted(picture)
    name = _key(picture)
    png = _STORE.get(name) if name else None
    if png is None or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        png = _painted(picture)
        if name:
            _STORE.put(name, png)
    return png


def _painted(picture: Picture) -> bytes:
    """The PNG of a laid-out chart, painted with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (round(_px(picture.width)), round(_px(picture.height))), "white")
    draw = ImageDraw.Draw(image)
    for r in picture.grid:
        _rule(draw, r)
    for b in picture.rects:
        draw.rectangle([_px(b.x0), _px(b.y0), _px(b.x1), _px(b.y1)], fill=b.colour)
    for r in picture.axes:
        _rule(draw, r)
    for label in picture.labels:
        _text(image, draw, _px(label.x), _px(label.baseline), label.text, round(_px(label.size)), label.align)
    # Every pixel is one of the chart's own colours or a grey of anti-aliased black-on-white text, so a
    # fixed palette holds the chart exactly: the indexed PNG, deflated at level 3, is half the size of
    # the RGB one and takes 3 ms to make instead of 15 ms (level 6 would save 5 KB for 2.5 ms more).
    indexed = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, format="PNG", dpi=(DPI, DPI), compress_level=3)
    return buffer.getvalue()


def chart_png(chart: Chart, *, width_mm: float = WIDTH, height_mm: float = HEIGHT) -> bytes:
    """PNG bytes of ``chart`` as grouped vertical bars, ``width_mm`` × ``height_mm`` at DPI."""
    return _chart_png(chart, width_mm, height_mm)


# -- the charts kept between runs (brief/keptfiles.py) -------------------------------------------------------

_STORE = Kept("charts", ".png", kept=400)  # ~25 KB each


def _key(picture: Picture) -> str | None:
    """The name of ``picture``'s entry: a hash of everything its pixels depend on (the layout holds
    the chart, its size and the fonts' metrics); None when it cannot be told (nothing is kept). A
    FreeType or FriBiDi library replaced under the same Pillow is not seen: deleting the charts dir
    draws every chart again."""
    code = _code_key()
    if code is None:
        return None
    try:
        font = file_stamp(_font_file())
    except OSError:
        return None
    return entry_name(code, repr(picture), font)


@functools.cache
def _code_key() -> str | None:
    """What paints the picture besides it: this module (DPI, PNG options), the colours of the text
    and the palette, millimetres in pixels, Pillow and zlib."""
    import PIL

    source = source_digest(__file__)
    if source is None:
        return None
    return repr((source, (TEXT, GRID, AXIS, COLOURS), hs.MM_PER_INCH, PIL.__version__, zlib.ZLIB_RUNTIME_VERSION))


def _forget() -> None:
    _chart_png.cache_clear()
    _label.cache_clear()
    _STORE.used = False


# chart_png.cache_clear() empties both memos (PNGs, labels) and stops reading and writing the charts
# kept between runs: what bench/ calls so that each brief it times pays for its whole chart, as the
# first brief of a build does, and what tests call to compare fresh drawings.
chart_png.cache_clear = _forget  # type: ignore[attr-defined]
