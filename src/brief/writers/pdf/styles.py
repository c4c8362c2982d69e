"""Page geometry and paragraph styles of a GB/T 9704 style brief, in points: brief.housestyle for reportlab."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import CMYKColor, Color, black

from ... import housestyle as hs

PAGE = (hs.pt(hs.PAGE.width), hs.pt(hs.PAGE.height))
LEFT, TOP, WIDTH, HEIGHT = (hs.pt(v) for v in (hs.PAGE.left, hs.PAGE.top, hs.PAGE.text_width, hs.PAGE.text_height))
BOTTOM = PAGE[1] - TOP - HEIGHT  # 35 mm
BODY_SIZE = hs.BODY_SIZE
LEADING = hs.LEADING
TRACKING = hs.TRACKING


def cmyk(colour: hs.Colour) -> Color:
    """A house colour for reportlab; black as plain (RGB) black, the way the rules were always drawn."""
    if colour == hs.BLACK:
        return black
    return CMYKColor(colour.c, colour.m, colour.y, colour.k)


RED = cmyk(hs.RED)
GREY = Color(hs.WATERMARK_GREY, hs.WATERMARK_GREY, hs.WATERMARK_GREY)


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


def _style(role: hs.Role) -> Style:
    return Style(role.font, role.size, role.leading, role.indent, role.align, role.before, role.after,
                 role.tracking, cmyk(role.colour) if role.colour else None)


STYLES: dict[str, Style] = {name: _style(role) for name, role in hs.ROLES.items()}
BODY = STYLES["body"]
