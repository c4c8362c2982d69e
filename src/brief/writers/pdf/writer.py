"""The PDF writer: walks the document tree, one ``visit_<node>`` per node type, into platypus flowables."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LayoutError,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus.doctemplate import ActionFlowable
from reportlab.platypus.flowables import HRFlowable

from ... import housestyle as hs
from ... import model
from ...collector import collector_paused
from ...errors import BriefError
from ...fonts import PdfFonts, pdf_fonts
from .. import barchart, keyband, tablefit
from ..base import Visitor
from . import deflate, metadata
from .cjk import MIN_LINES, CJKParagraph, ParaStyle, Run
from .grid import Grid, GridStyle, Rules
from .page import draw_draft_mark, draw_page_number, draw_watermark
from .styles import BOTTOM, HEIGHT, LEFT, PAGE, RED, STYLES, WIDTH, Style, cmyk

MM = hs.PT_PER_MM
FIGURE_MAX_HEIGHT = hs.pt(hs.FIGURE_MAX_HEIGHT)
HEADER_GREY = colors.HexColor(f"#{hs.HEADER_FILL}")
CELL_PAD = hs.GRID.padding[1]  # pt, left and right in a table cell
CHART_ROLE = "heading"  # 黑体 labels, as in the DOCX chart
CONTINUED = "续表"  # above the repeated header row of a table that runs onto another page
# A landscape page (a table too wide for a portrait one): the portrait text block turned, centred.
LANDSCAPE = landscape(PAGE)
L_WIDTH, L_HEIGHT = HEIGHT, WIDTH
L_LEFT, L_BOTTOM = (LANDSCAPE[0] - L_WIDTH) / 2, (LANDSCAPE[1] - L_HEIGHT) / 2


class PdfWriter(Visitor):
    def __init__(self, fonts: PdfFonts) -> None:
        self.fonts = fonts
        self.fits: dict[int, tablefit.Fit] = {}  # id(table) -> its fit, planned for the whole document
        # (style name, align, scale, balance) -> its ParaStyle: a brief's ~600 paragraphs (mostly table
        # cells) use a dozen; frozen, so the paragraphs share them
        self._para_styles: dict[tuple[str, str | None, float, bool], ParaStyle] = {}

    def plan_tables(self, blocks: tuple[model.Block, ...]) -> None:
        """Every table's size, widths and page (tablefit.plan: one size per section)."""
        self.fits = tablefit.plan(blocks, WIDTH, 2 * CELL_PAD, self._measure(), L_WIDTH)

    def _measure(self) -> tablefit.Measure:
        return tablefit.both_files(self.fonts.metrics("body").width)

    # -- helpers -------------------------------------------------------------------------------
    def para(self, inlines: model.Inlines, style_name: str, *, align: str | None = None,
             scale: float = 1.0, balance: bool = False) -> CJKParagraph:
        """``inlines`` in a style of styles.py; ``scale`` sets it smaller (size and leading alike);
        ``balance``: never one character alone on the last line (table cells)."""
        style: Style = STYLES[style_name]
        runs = []
        size = style.size * scale
        for piece in inlines:
            role = "bold" if piece.bold and style.font == "body" else style.font
            for text, font in self.fonts.split_runs(piece.text, role):
                runs.append(Run(text, font, size, style.color))
        key = (style_name, align, scale, balance)
        ps = self._para_styles.get(key)
        if ps is None:
            ps = self._para_styles[key] = ParaStyle(
                leading=style.leading * scale, first_line_indent=style.first_line_indent * scale,
                align=align or style.align, tracking=style.tracking * scale, space_before=style.space_before,
                space_after=style.space_after, balance=balance)
        return CJKParagraph(runs, ps)

    def text(self, text: str, style_name: str) -> CJKParagraph:
        return self.para((model.Text(text),), style_name)

    # -- nodes ---------------------------------------------------------------------------------
    def visit_masthead(self, node: model.Masthead) -> list[Flowable]:
        out: list[Flowable] = [self.text(node.classification, "masthead_secret")] if node.classification else []
        out.append(self.text(node.title, "masthead_title"))
        if node.number:
            out.append(self.text(node.number, "masthead_number"))
        row = [[self.text(node.issuer, "masthead_info")],
               [self.para((model.Text(node.date),), "masthead_info", align="right")]]
        pad = hs.MASTHEAD_INFO_PAD
        info = Grid([row], [WIDTH * 0.7, WIDTH * 0.3], GridStyle(padding=(pad, 0, pad, 0), valign="bottom"))
        out += [Spacer(1, hs.MASTHEAD_GAP), info,
                HRFlowable(width="100%", thickness=hs.MASTHEAD_RULE, color=RED, spaceBefore=hs.MASTHEAD_RULE_BEFORE,
                           spaceAfter=hs.MASTHEAD_RULE_AFTER)]
        return out

    def visit_record(self, node: model.Record) -> list[Flowable]:
        """The 版记, pushed to the foot of the page (to the next page when it does not fit)."""
        rows: list[Flowable] = [self.text(line, "record") for line in node.lines]
        rows.append(Grid([[[self.text(node.issuer, "record")],
                           [self.para((model.Text(node.printed),), "record", align="right")]]],
                         [WIDTH * 0.6, WIDTH * 0.4], GridStyle(padding=(0, 0, 0, 0), valign="bottom")))
        rows.append(self.para((model.Text(node.copies),), "record", align="right"))
        return [Spacer(1, hs.RECORD_BEFORE), _AtFoot(rows)]

    def visit_heading(self, node: model.Heading) -> list[Flowable]:
        para = self.para(node.inlines, f"heading{node.level}")
        para.outline = ("".join(piece.text for piece in node.inlines), node.level)  # _Doc bookmarks it
        return [_keep_with_start(para)]

    def visit_paragraph(self, node: model.Paragraph) -> list[Flowable]:
        para = self.para(node.inlines, node.role)  # model.ROLES, each with a style (test_writers_cover_model)
        return [_keep_with_start(para) if node.role == "center" else para]  # a title stays with what it titles

    def visit_table(self, node: model.Table) -> list[Flowable]:
        numeric = node.numeric or (False,) * len(node.header)
        columns = max([len(node.header), *(len(r) for r in node.rows)])
        cell = "cell_small" if columns > tablefit.WIDE else "cell"  # a county-by-county table needs the room
        fit = self.fits.get(id(node)) or tablefit.fit(node, WIDTH, 2 * CELL_PAD, self._measure())
        widths = list(fit.widths)
        scale = fit.size / STYLES[cell].size
        measure = self._measure()
        rooms = [w - 2 * CELL_PAD for w in widths]

        def words(c: model.Inlines, i: int) -> model.Inlines:  # broken between words, as the DOCX
            return tablefit.broken(c, measure, fit.size, rooms[i])

        rows: list[list[list[CJKParagraph]]] = []
        if node.header:
            rows.append([[self.para(words(c, i), f"{cell}_head", scale=scale, balance=True)]
                         for i, c in enumerate(node.header)])
        for row in node.rows:
            rows.append([[self.para(words(c, i), f"{cell}_num" if numeric[i] else cell, scale=scale, balance=True)]
                         for i, c in enumerate(row)])
        title = self.text(node.caption, "center") if node.caption else None  # repeats with the header
        look = hs.GRID
        style = GridStyle(padding=look.padding, valign="middle", rules=Rules(look.rule, cmyk(look.rule_colour), "grid"),
                          header_background=HEADER_GREY if node.header else None)
        more = self.para((model.Text(CONTINUED),), cell, align="right", scale=scale)
        return [Grid(rows, widths, style, title=title, header_rows=1 if node.header else 0, more=more),
                Spacer(1, look.space_after)]

    def visit_figure(self, node: model.Figure) -> list[Flowable]:
        caption = self.text(node.caption, "caption") if node.caption else None
        return [Spacer(1, hs.FIGURE_BEFORE), _FigureBlock(node.path, caption)]

    def visit_keyfigures(self, node: model.KeyFigures) -> list[Flowable]:
        """1–6 boxes of equal width (keyband.layout): values on one line at one size, labels on at
        most two even lines. When labels differ in lines, the boxes align at the top, so that every
        value still stands on the same baseline (centred, a two-line label would lift its value)."""
        n = len(node.items)
        band = keyband.layout([i.value for i in node.items], [i.label for i in node.items], WIDTH / n - 5,
                              (self._width("key_value"), STYLES["key_value"].size),
                              (self._width("key_label"), STYLES["key_label"].size))
        even = len({label.count("\n") for label in band.labels}) == 1
        cells = [[self.para((model.Text(item.value),), "key_value", scale=band.value_scale),
                  self.para((model.Text(label),), "key_label", scale=band.label_scale)]
                 for item, label in zip(node.items, band.labels, strict=True)]
        look = hs.KEY_BOX
        style = GridStyle(padding=look.padding, valign="middle" if even else "top",  # 2 pt at the sides
                          rules=Rules(look.rule, cmyk(look.rule_colour), "box", separator_width=look.separator))
        return [Grid([cells], [WIDTH / n] * n, style), Spacer(1, look.space_after)]

    def _width(self, style_name: str) -> keyband.Width:
        """How wide a text is in a style's font, at a given size."""
        role = STYLES[style_name].font

        def width(text: str, size: float) -> float:
            return sum(stringWidth(seg, font, size) for seg, font in self.fonts.split_runs(text, role))

        return width

    def visit_chart(self, node: model.Chart) -> list[Flowable]:
        picture = barchart.layout(node, self.fonts.metrics(CHART_ROLE), WIDTH / MM)
        return [KeepTogether([_ChartBlock(picture, self.fonts), self.text(node.title, "caption")])]


class _ChartBlock(Flowable):
    """``barchart.layout`` as vectors (the DOCX writer paints the same layout into a PNG); labels in
    the chart role's font, with its fallbacks."""

    def __init__(self, picture: barchart.Picture, fonts: PdfFonts) -> None:
        super().__init__()
        self.picture, self.fonts = picture, fonts
        self.width, self.height = picture.width * MM, picture.height * MM

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def _rules(self, rules: tuple[barchart.Rule, ...]) -> None:
        canv, top = self.canv, self.height
        for r in rules:
            canv.setStrokeColor(_colour(r.colour))
            canv.setLineWidth(r.width * MM)
            canv.line(r.x0 * MM, top - r.y0 * MM, r.x1 * MM, top - r.y1 * MM)

    def draw(self) -> None:
        canv, top, picture = self.canv, self.height, self.picture
        self._rules(picture.grid)
        for b in picture.rects:
            canv.setFillColor(_colour(b.colour))
            canv.rect(b.x0 * MM, top - b.y1 * MM, (b.x1 - b.x0) * MM, (b.y1 - b.y0) * MM, stroke=0, fill=1)
        self._rules(picture.axes)
        canv.setFillColor(_colour(barchart.TEXT))
        for label in picture.labels:
            size = label.size * MM
            runs = [(seg, font, stringWidth(seg, font, size)) for seg, font in self.fonts.split_runs(label.text,
                                                                                                 CHART_ROLE)]
            total = sum(w for _, _, w in runs)
            x = label.x * MM - {"left": 0.0, "center": total / 2, "right": total}[label.align]
            for seg, font, w in runs:
                canv.setFont(font, size)
                canv.drawString(x, top - label.baseline * MM, seg)
                x += w


@functools.cache
def _colour(hex_colour: str) -> colors.Color:
    return colors.HexColor(hex_colour)


class _FigureBlock(Flowable):
    """A photo (at most 156 x 90 mm) and its caption as one unit; the photo shrinks, down to 50 mm
    high, to finish a page instead of leaving a blank half page behind it."""

    MIN_HEIGHT = hs.pt(hs.FIGURE_MIN_HEIGHT)
    GAP = hs.FIGURE_GAP

    def __init__(self, path: Path, caption: Flowable | None) -> None:
        super().__init__()
        # From the bytes, not the file name: reportlab names an image drawn from a file after its
        # path, so the PDF's bytes would change with where data/ lives; a reader made from bytes
        # is named after its pixels. (JPEG data still goes into the PDF as is.)
        try:
            self.image = ImageReader(io.BytesIO(path.read_bytes()))
            self.image.getRGBData()  # decoded now (drawImage names it by these pixels): a broken file fails here
            self.image_width, self.image_height = self.image.getSize()
        except Exception:  # noqa: BLE001 - whatever PIL or reportlab says, the user needs the file's name
            raise BriefError.at(str(path), None, "image",
                                "图片无法读取（文件损坏或格式不受支持）：请换一张 JPG 或 PNG") from None
        self.caption = caption

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        caption_height = self.caption.wrap(availWidth, availHeight)[1] if self.caption else 0.0
        scale = min(WIDTH / self.image_width, FIGURE_MAX_HEIGHT / self.image_height)
        room = availHeight - caption_height - self.GAP
        if self.image_height * scale > room >= self.MIN_HEIGHT:
            scale = room / self.image_height
        self.image_size = (self.image_width * scale, self.image_height * scale)
        self.caption_height = caption_height
        self.width, self.height = availWidth, self.image_size[1] + self.GAP + caption_height
        return self.width, self.height

    def draw(self) -> None:
        w, h = self.image_size
        self.drawn_height = h
        self.canv.drawImage(self.image, (self.width - w) / 2, self.caption_height + self.GAP, w, h)
        if self.caption:
            self.caption.drawOn(self.canv, 0, 0)


def _keep_with_start(flowable: Flowable) -> Flowable:
    """Mark a heading or title to stay with the start of what follows (see _RoomFor); platypus's
    keepWithNext would keep it with the whole next flowable, moving a long paragraph or table on."""
    flowable.keep_with_start = True
    return flowable


def _least_height(flowable: Flowable, width: float, canv: Any) -> float:
    """The least of ``flowable`` that may stand on a page under a heading: a paragraph's first
    MIN_LINES lines (all of it when it cannot split), a table's header and first rows, else all."""
    if isinstance(flowable, CJKParagraph):
        lines = len(flowable.lines(width))
        shown = lines if lines < 2 * MIN_LINES else MIN_LINES
        return flowable.getSpaceBefore() + shown * flowable.style.leading
    if isinstance(flowable, Grid):
        return flowable.least_height(width)
    return flowable.getSpaceBefore() + flowable.wrapOn(canv, width, HEIGHT)[1]


class _RoomFor(CondPageBreak):
    """A conditional page break before headings (and titles): the next page unless they fit
    together with the least of what follows them (_least_height), measured when placed. Space
    passes through it (_SPACETRANSFER): the space after the flowable before it still overlaps the
    heading's space before, as it did without the break (else a heading sits 10 pt lower)."""

    _SPACETRANSFER = True

    def __init__(self, heads: list[Flowable], between: list[Flowable], follow: Flowable | None) -> None:
        super().__init__(0.0)
        self.heads, self.between, self.follow = heads, between, follow

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        frame = self._doctemplateAttr("frame")
        if getattr(frame, "_atTop", False):
            return 0, 0  # a fresh page: moving on would not give more room
        need = 0.0
        for f in self.heads + self.between:
            need += f.getSpaceBefore() + f.wrapOn(self.canv, availWidth, HEIGHT)[1] + f.getSpaceAfter()
        if self.follow is not None:
            need += _least_height(self.follow, availWidth, self.canv)
        self.height = need
        return super().wrap(availWidth, availHeight)


def _with_room(story: list[Flowable]) -> list[Flowable]:
    """``story`` with a _RoomFor before each run of flowables marked keep_with_start."""
    out: list[Flowable] = []
    i = 0
    while i < len(story):
        if not getattr(story[i], "keep_with_start", False):
            out.append(story[i])
            i += 1
            continue
        j = i
        while j < len(story) and getattr(story[j], "keep_with_start", False):
            j += 1
        k = j
        while k < len(story) and isinstance(story[k], Spacer):
            k += 1
        follow = story[k] if k < len(story) and not isinstance(story[k], ActionFlowable) else None
        out.append(_RoomFor(story[i:j], story[j:k], follow))
        out += story[i:j]
        i = j
    return out


class _Doc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, meta: model.Meta, fonts: PdfFonts) -> None:
        super().__init__(buffer, pagesize=PAGE, title=meta.title, author=meta.author, subject=meta.subject,
                         creator="brief", producer="brief", invariant=1, initialFontName=fonts.name("body"),
                         leftMargin=LEFT, bottomMargin=BOTTOM, lang="zh-CN")
        frame = Frame(LEFT, BOTTOM, WIDTH, HEIGHT, 0, 0, 0, 0, id="body")
        wide = Frame(L_LEFT, L_BOTTOM, L_WIDTH, L_HEIGHT, 0, 0, 0, 0, id="landscape")
        number_font, mark_font = fonts.name("pagenum"), fonts.name("heading")
        outline_fonts = [fonts.font_source(fonts.name(role)) for role in ("title", "heading", "body")]

        def on_page(canvas: Any, doc: Any) -> None:
            if meta.draft:
                draw_watermark(canvas, outline_fonts)
                if doc.page == 1:
                    draw_draft_mark(canvas, mark_font)
            draw_page_number(canvas, number_font, doc.page)

        def on_landscape(canvas: Any, doc: Any) -> None:
            if meta.draft:
                canvas.saveState()  # the watermark is centred on PAGE: move PAGE's centre to this page's
                canvas.translate((LANDSCAPE[0] - PAGE[0]) / 2, (LANDSCAPE[1] - PAGE[1]) / 2)
                draw_watermark(canvas, outline_fonts)
                canvas.restoreState()
            draw_page_number(canvas, number_font, doc.page, left=L_LEFT, width=L_WIDTH, bottom=L_BOTTOM)

        self.addPageTemplates([PageTemplate("page", [frame], onPage=on_page, pagesize=PAGE),
                               PageTemplate("landscape", [wide], onPage=on_landscape, pagesize=LANDSCAPE)])
        self._meta = meta
        self._outline_levels: list[int] = []  # outline level of each bookmark so far
        self.placed: list[tuple[Flowable, int]] = []  # what went on which page: the 版记's check

    def beforeDocument(self) -> None:  # noqa: N802 - platypus hook
        metadata.add_xmp(self.canv, self._meta)

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - platypus hook
        """Record where each flowable went; headings become bookmarks: the title, 一、 under it,
        （一） under those (levels never skip)."""
        self.placed.append((flowable, self.page))
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        text, level = outline
        last = self._outline_levels[-1] if self._outline_levels else -1
        level = min(level, last + 1)
        key = f"h{len(self._outline_levels)}"
        self.canv.bookmarkHorizontal(key, 0, self.frame._y + flowable.height)
        self.canv.addOutlineEntry(text, key, level)
        self._outline_levels.append(level)
        if len(self._outline_levels) == 1:
            self.canv.showOutline()  # readers open the bookmarks panel


def _lone_line(placed: list[tuple[Flowable, int]]) -> bool:
    """Whether the 版记 shares its page with one line of body text and nothing else."""
    page = next((p for f, p in placed if isinstance(f, _AtFoot)), None)
    body = [f for f, p in placed  # page-break actions have no height: not body text
            if p == page and not isinstance(f, _AtFoot | Spacer) and getattr(f, "height", 0) > 0]
    return (len(body) == 1 and isinstance(body[0], CJKParagraph)
            and body[0].height <= body[0].style.leading + 0.01)


def pdf_bytes(doc: model.Document, fonts: PdfFonts | None = None, figure_heights: list[float] | None = None) -> bytes:
    """The PDF of ``doc``. ``figure_heights``, when given, receives the height (mm) each photo was
    set at, in document order (a photo shrinks to finish a page): the DOCX sets them alike."""
    # A brief's ~100,000 objects (story, lines, canvas) live until its PDF is written: the collector
    # would walk them as they pile up (~8 % of the time); the few cycles left are collected after.
    with collector_paused():
        return _pdf_bytes(doc, fonts or pdf_fonts(), figure_heights)


def _pdf_bytes(doc: model.Document, fonts: PdfFonts, figure_heights: list[float] | None) -> bytes:
    writer = PdfWriter(fonts)
    writer.plan_tables(doc.blocks)
    story: list[Flowable] = []
    page = "page"
    for block, wide in zip(doc.blocks, tablefit.landscape_pages(doc.blocks, writer.fits), strict=True):
        want = "landscape" if wide else "page"
        if want != page and story:  # a table too wide for a portrait page gets landscape pages
            while story and isinstance(story[-1], Spacer):
                story.pop()  # space before a page break could only spill onto a blank page
            story += [NextPageTemplate(want), PageBreak()]
        page = want
        story += writer.visit(block)
    story = _with_room(story)
    if story:
        story[-1].keepWithNext = 0  # nothing to keep with: platypus would regroup it forever if over a page
    buffer = io.BytesIO()
    try:
        with deflate.fast_deflate():
            made = _Doc(buffer, doc.meta, fonts)
            made.build(list(story))
            lone = _lone_line(made.placed)
            # a doc template refers to itself (reportlab's _nameSpace): without the list of what it
            # placed, the story is freed when this function is done with it, not by the cyclic collector
            made.placed.clear()
            if lone:
                # the 版记 would share its page with one stray line: keep the last body block (whole,
                # or what is left of it) with it, so the page carries a full paragraph or more
                at = next(i for i, f in enumerate(story) if isinstance(f, _AtFoot))
                for f in story[max(at - 3, 0):at]:
                    f.keepWithNext = 1
                buffer = io.BytesIO()
                again = _Doc(buffer, doc.meta, fonts)
                again.build(list(story))
                again.placed.clear()
    except LayoutError:
        raise BriefError.at(f"{doc.meta.title}.pdf", None, "排版",
                            "有一处文字（表格的一行或一个关键数字）一页放不下：请缩短它") from None
    if figure_heights is not None:
        figure_heights[:] = [f.drawn_height / MM for f in story if isinstance(f, _FigureBlock)]
    return buffer.getvalue()


def warm(fonts: PdfFonts | None = None) -> None:
    """Read every role font now, so that every brief of a build reuses them (build does this before
    its workers fork)."""
    (fonts or pdf_fonts()).load_roles()


class _AtFoot(Flowable):
    """The 版记's rows between rules, drawn at the bottom of the frame: 0.35 mm rules first and
    last, 0.25 mm between the 报/送/发 lines and the 印发 line (GB/T 9704 §7.4)."""

    GAP = hs.RECORD_GAP  # pt between a rule and the text it separates

    def __init__(self, rows: list[Flowable]) -> None:
        super().__init__()
        self.rows = rows
        self.sizes: list[tuple[float, float]] = []

    def _content(self, width: float) -> float:
        self.sizes = [r.wrap(width, HEIGHT) for r in self.rows]
        return sum(h for _, h in self.sizes) + self.GAP * 2 * (len(self.rows) + 1)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.content = self._content(availWidth)
        # fill what is left of the page, so the block sits at its foot; too tall: the next page
        # (a hair under the space left: the frame refuses a flowable exactly as tall as it)
        # (KeepTogether measures its group with a huge height: then only the content counts)
        fits = self.content <= availHeight - 0.5 and availHeight <= HEIGHT
        self.height = availHeight - 0.5 if fits else self.content
        return availWidth, self.height

    def draw(self) -> None:
        canv = self.canv
        y = self.content
        canv.setStrokeColor(colors.black)

        def rule(at: float, mm: float) -> None:
            canv.setLineWidth(mm * MM)
            canv.line(0, at, self.width, at)

        outer, inner = hs.RECORD_RULES
        rule(y, outer)
        last = len(self.rows) - 2  # the 印发 line follows the last 0.25 mm rule
        for i, (row, (_, h)) in enumerate(zip(self.rows, self.sizes, strict=True)):
            y -= self.GAP + h
            row.drawOn(canv, 0, y)
            y -= self.GAP
            if i < last:
                rule(y, inner)
        rule(0.0, outer)
