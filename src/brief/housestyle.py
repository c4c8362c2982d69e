"""The house style: every size, font role, spacing, rule and colour a brief is set in, once.

Both writers derive their looks from this table: ``writers/pdf/styles.py`` (points),
``writers/docx/make_reference.py`` (reference.docx: half-points and twips), the bar chart
(``writers/barchart.py``, ``writers/docx/chart_png.py``) and the copy stamp
(``distribute/stamp.py``). Edit a value here and both files change alike;
tests/test_housestyle.py holds the built PDF and DOCX to it.

Units: points unless a name says mm. Page geometry is GB/T 9704-2012: A4, 版心 156 × 225 mm with
its top left corner 28 mm from the left and 37 mm from the top edge, 22 lines of 28 characters of
三号 (16 pt) 仿宋.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# -- units --------------------------------------------------------------------------------------

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


def pt(mm: float) -> float:
    """Millimetres in points (the same product reportlab's ``n * mm`` gives)."""
    return mm * PT_PER_MM


def half_points(points: float) -> int:
    """A font size as WordprocessingML writes it (``w:sz``)."""
    return round(points * 2)


def twips(points: float) -> int:
    """A length in twentieths of a point (``w:spacing``, ``w:ind``, ``w:pgMar``)."""
    return round(points * 20)


def mm_twips(mm: float) -> int:
    return twips(pt(mm))


def pixels(mm: float, dpi: int) -> float:
    """Millimetres in pixels of an image made at ``dpi``."""
    return mm / MM_PER_INCH * dpi


def eighths(points: float) -> int:
    """A border width in eighths of a point (``w:sz`` of a border)."""
    return round(points * 8)


# -- colour -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colour:
    """A process colour: CMYK for print (the PDF), its RGB equivalent for screens (the DOCX)."""

    c: float
    m: float
    y: float
    k: float

    @property
    def rgb(self) -> tuple[float, float, float]:
        """The naive device conversion (what reportlab and most viewers show for the CMYK value)."""
        return tuple((1 - v) * (1 - self.k) for v in (self.c, self.m, self.y))  # type: ignore[return-value]

    @property
    def hex(self) -> str:
        """``RRGGBB`` as Word writes ``w:color``."""
        return "".join(f"{round(v * 255):02X}" for v in self.rgb)


RED = Colour(0, 0.8, 0.8, 0)  # 公文 red: masthead, its rule, key figures and their box
BLACK = Colour(0, 0, 0, 1)
HEADER_FILL = "F2F2F2"  # a table's heading row (RGB in both files)
WATERMARK_GREY = 0.55  # the 征求意见稿 watermark's grey (RGB level, 25 % opaque in the PDF)


# -- page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """GB/T 9704 page geometry, in mm (lines, characters and the leading excepted)."""

    width: float = 210.0
    height: float = 297.0
    left: float = 28.0  # 版心 from the left edge (订口 side)
    top: float = 37.0  # 版心 from the top edge (天头)
    text_width: float = 156.0
    text_height: float = 225.0
    lines: int = 22
    chars: int = 28
    leading: float = 28.95  # pt: 22 lines in 225 mm (637.8 pt), as the PDF has always set them
    header: float = 15.0  # DOCX header distance from the top edge
    footer: float = 25.0  # DOCX footer distance: the page number's dash ~7 mm below the 版心
    pagenum_drop: float = 7.0  # the page number's dash below the 版心 (GB/T 9704 §7.5)
    draft_mark_rise: float = 8.0  # the one extractable 征求意见稿 above the 版心 (page 1)

    @property
    def right(self) -> float:
        return self.width - self.left - self.text_width

    @property
    def bottom(self) -> float:
        return self.height - self.top - self.text_height


PAGE = Page()
BODY_SIZE = 16.0  # 三号
# 28 characters in the 版心's width: each 16 pt character is set this much closer (negative)
TRACKING = pt(PAGE.text_width) / PAGE.chars - BODY_SIZE


# -- paragraph roles ----------------------------------------------------------------------------

FONT_ROLES = ("title", "heading", "body", "kai", "pagenum")  # 小标宋, 黑体, 仿宋, 楷体, 宋体 (fonts/config.py)
# Bold inline text (``**一是**``) in a 仿宋 paragraph is set in 黑体, not emboldened: there is no free
# bold 仿宋, and offices print 加粗 in 仿宋 text that way. Bold in any other font is not marked.
STRONG_FONT = {"body": "heading"}


@dataclass(frozen=True)
class Role:
    """How one kind of paragraph is set. ``indent`` is the first-line indent in characters of the
    role's own size (tracking included); ``leading`` is an exact line pitch."""

    font: str  # a font role of FONT_ROLES
    size: float
    leading: float
    indent: float = 0.0
    align: str = "justify"  # justify | left | center | right
    before: float = 0.0
    after: float = 0.0
    tracking: float = 0.0
    colour: Colour | None = None
    bold: bool = False  # no role is bold: 黑体 and 小标宋 are heavy faces of their own

    @property
    def first_line_indent(self) -> float:
        return self.indent * (self.size + self.tracking)

    @property
    def on_grid(self) -> bool:
        """Whether the role sits on the body's line grid (its leading is the body's)."""
        return self.leading == PAGE.leading


LEADING = PAGE.leading
BODY = Role("body", BODY_SIZE, LEADING, 2, "justify", tracking=TRACKING)

ROLES: dict[str, Role] = {
    "body": BODY,
    "lead": Role("kai", BODY_SIZE, LEADING, 2, "justify", tracking=TRACKING, after=6),
    "source": Role("body", 14, 24, 0, "left", before=12),
    "note": Role("body", 14, 24, 2, "justify"),
    "center": Role("heading", 14, 24, 0, "center", before=6, after=4),  # a table's title
    "caption": Role("kai", 14, 22, 0, "center", after=8),
    "heading0": Role("title", 22, 36, 0, "center", before=10, after=14),
    "heading1": Role("heading", BODY_SIZE, LEADING, 2, "left", before=6, tracking=TRACKING),
    "heading2": Role("kai", BODY_SIZE, LEADING, 2, "left", tracking=TRACKING),
    "cell": Role("body", 12, 17, 0, "left"),
    "cell_num": Role("body", 12, 17, 0, "right"),
    "cell_head": Role("heading", 12, 17, 0, "center"),
    "cell_small": Role("body", 10.5, 15, 0, "left"),
    "cell_small_num": Role("body", 10.5, 15, 0, "right"),
    "cell_small_head": Role("heading", 10.5, 15, 0, "center"),
    "key_value": Role("heading", 18, 24, 0, "center", colour=RED),
    "key_label": Role("body", 11, 15, 0, "center"),
    "masthead_title": Role("title", 36, 44, 0, "center", colour=RED),
    "masthead_number": Role("kai", 14, 22, 0, "center", after=8),  # 第N期 under the red title
    "masthead_info": Role("body", 14, 20, 0, "left"),
    "masthead_secret": Role("heading", 16, 22, 0, "left"),  # 密级: 三号黑体, top left
    "record": Role("body", 14, 22, 0, "left"),  # 版记: 四号仿宋
    "pagenum": Role("pagenum", 14, 14, 0, "right"),  # — 1 —: 四号宋体, digits too
}


# -- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLook:
    """A table's rules and cell padding (top, right, bottom, left)."""

    rule: float
    rule_colour: Colour
    padding: tuple[float, float, float, float]
    separator: float = 0.0  # rules between columns, when thinner than the frame
    space_after: float = 0.0  # gap before what follows the table


GRID = TableLook(0.5, BLACK, (3.0, 4.0, 4.0, 4.0), space_after=10)  # data tables: every cell ruled
KEY_BOX = TableLook(1.0, RED, (6.0, 2.0, 8.0, 2.0), separator=0.5, space_after=12)  # the key-figure band

# The masthead below its title: a gap, the issuer/date line (padded 3 pt above and below), the red rule.
MASTHEAD_GAP = 6.0
MASTHEAD_INFO_PAD = 3.0
MASTHEAD_RULE = 2.0  # pt, red
MASTHEAD_RULE_BEFORE, MASTHEAD_RULE_AFTER = 2.0, 12.0

FIGURE_MAX_HEIGHT = 90.0  # mm: a photo, at most the text width by this
FIGURE_MIN_HEIGHT = 50.0  # mm: a photo shrinks to this to finish a page
FIGURE_BEFORE, FIGURE_GAP = 4.0, 4.0  # pt: before a photo, and between it and its caption
CHART_WIDTH, CHART_HEIGHT = PAGE.text_width, 80.0  # mm

RECORD_BEFORE = 12.0  # pt at least between the text and the 版记
RECORD_GAP = 3.0  # pt between a 版记 rule and the text it separates
RECORD_RULES = (0.35, 0.25)  # mm: first and last, between (GB/T 9704 §7.4)

WATERMARK_TEXT = "征求意见稿"
WATERMARK_SIZE = 72.0
DRAFT_MARK_SIZE = 16.0  # 三号


def docx_tracking(role: Role) -> int:
    """The role's tracking in twips, rounded down: Word and LibreOffice then fit the same 28
    characters a line (−0.207 pt rounded to −0.2 pt would leave 27)."""
    return math.floor(role.tracking * 20)
