"""Page geometry and paragraph styles of a GB/T 9704 style brief, as data."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE = A4
LEFT, TOP, WIDTH, HEIGHT = 28 * mm, 37 * mm, 156 * mm, 225 * mm
BOTTOM = PAGE[1] - TOP - HEIGHT  # 35 mm
BODY_SIZE = 16.0  # 三号
LEADING = 28.95  # 22 lines in 225 mm
TRACKING = WIDTH / 28 - BODY_SIZE  # 28 characters in 156 mm
RED = CMYKColor(0, 0.8, 0.8, 0)
GREY = Color(0.55, 0.55, 0.55)


@dataclass(frozen=True)
class Style:
    font: str  # a font role: title, heading, body, kai, pagenum
    size: float
    leading: float
    indent_chars: float = 0.0
    align: str = "justify"
    space_before: float = 0.0
    space_after: float = 0.0
    tracking: float = 0.0
    color: object = None

    @property
    def first_line_indent(self) -> float:
        return self.indent_chars * (self.size + self.tracking)


BODY = Style("body", BODY_SIZE, LEADING, 2, "justify", tracking=TRACKING)
STYLES: dict[str, Style] = {
    "body": BODY,
    "lead": Style("kai", BODY_SIZE, LEADING, 2, "justify", tracking=TRACKING, space_after=6),
    "source": Style("body", 14, 24, 0, "left", space_before=12),
    "note": Style("body", 14, 24, 2, "justify"),
    "center": Style("heading", 14, 24, 0, "center", space_before=6, space_after=4),
    "caption": Style("kai", 14, 22, 0, "center", space_after=8),
    "heading0": Style("title", 22, 36, 0, "center", space_before=10, space_after=14),
    "heading1": Style("heading", BODY_SIZE, LEADING, 2, "left", space_before=6, tracking=TRACKING),
    "heading2": Style("kai", BODY_SIZE, LEADING, 2, "left", tracking=TRACKING),
    "cell": Style("body", 12, 17, 0, "left"),
    "cell_num": Style("body", 12, 17, 0, "right"),
    "cell_head": Style("heading", 12, 17, 0, "center"),
    "cell_small": Style("body", 10.5, 15, 0, "left"),
    "cell_small_num": Style("body", 10.5, 15, 0, "right"),
    "cell_small_head": Style("heading", 10.5, 15, 0, "center"),
    "key_value": Style("heading", 18, 24, 0, "center", color=RED),
    "key_label": Style("body", 11, 15, 0, "center"),
    "masthead_title": Style("title", 36, 44, 0, "center", color=RED),
    "masthead_info": Style("body", 14, 20, 0, "left"),
    "masthead_secret": Style("heading", 16, 22, 0, "left"),  # 密级: 三号黑体, top left
    "record": Style("body", 14, 22, 0, "left"),  # 版记: 四号仿宋
}
