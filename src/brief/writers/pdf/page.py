"""Page furniture drawn on every page: page numbers (— 1 —) and the 征求意见稿 watermark."""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from .styles import BOTTOM, GREY, LEFT, PAGE, WIDTH

PAGENUM_SIZE = 14.0  # 四号
WATERMARK = "征求意见稿"


def draw_page_number(canvas: Canvas, font: str, number: int) -> None:
    """Odd pages right, even pages left, one character in; the dash 7 mm below the text block."""
    text = f"— {number} —"
    y = BOTTOM - 7 * 2.8346456693 - 0.394 * PAGENUM_SIZE
    width = canvas.stringWidth(text, font, PAGENUM_SIZE)
    x = LEFT + WIDTH - PAGENUM_SIZE - width if number % 2 else LEFT + PAGENUM_SIZE
    canvas.setFont(font, PAGENUM_SIZE)
    canvas.drawString(x, y, text)


def draw_watermark(canvas: Canvas, font: str) -> None:
    """Diagonal grey text (not an image), so the draft mark also copies out as 征求意见稿."""
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setFillAlpha(0.25)
    canvas.translate(PAGE[0] / 2, PAGE[1] / 2)
    canvas.rotate(45)
    canvas.setFont(font, 72)
    canvas.drawCentredString(0, -24, WATERMARK)
    canvas.restoreState()
