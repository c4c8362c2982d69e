"""Mark one distributed copy: 份号 and the recipient's name on page 1, the rest of the file untouched.

GB/T 9704 puts the copy number (份号, six digits, 3号) flush left on the first line of the text
block. The recipient's name goes just above it in the top margin (天头), where it can never collide
with the masthead or the text. The mark is a one-page reportlab overlay merged onto page 1 with
pypdf; its font is embedded (subset) like every other font of the brief.

The stamped copy is a pure function of (original bytes, copy number, name): reportlab runs with
``invariant=1``, and the file identifier keeps the original's first half and takes its second half
from a hash (a new version of the same document, as PDF §14.4 asks), never from a random source.
"""

from __future__ import annotations

import hashlib
import io

from .. import fonts  # the package: its pdf_fonts (reportlab) loads on first use
from .. import housestyle as hs
from ..errors import BriefError

TEXT_LEFT = hs.pt(hs.PAGE.left)  # GB/T 9704 text block: 28 mm from the left edge, 37 mm from the top
TEXT_TOP = hs.pt(hs.PAGE.top)
COPY_SIZE = hs.BODY_SIZE  # 3号
NAME_SIZE = hs.ROLES["record"].size  # 四号
ASCENT = 0.88  # em above the baseline in the CJK faces the writer uses (as in writers/pdf/cjk.py)
NAME_GAP = 6.0  # pt between the text block's top edge and the name's baseline
SUBSET_TAGS = "STAMPA", "STAMPB", "STAMPC", "STAMPD", "STAMPE", "STAMPF"


def copy_label(copy_no: int) -> str:
    if not 0 < copy_no <= 999_999:
        raise BriefError(f"份号 {copy_no} 超出六位数范围")
    return f"{copy_no:06d}"


def stamp_lines(copy_no: int, name: str) -> tuple[str, str]:
    """The two texts drawn: the name line (top margin) and the 份号 line (text block)."""
    return f"分送：{name}", copy_label(copy_no)


def check_name(name: str) -> list[str]:
    """Characters of ``name`` no installed font can draw (the caller reports them)."""
    return fonts.pdf_fonts().missing(stamp_lines(1, name)[0], "body")


def overlay(width: float, height: float, copy_no: int, name: str) -> bytes:
    """A one-page PDF, ``width`` × ``height`` pt, holding only the two stamp lines."""
    from reportlab.pdfgen.canvas import Canvas

    role_fonts = fonts.pdf_fonts()
    body = role_fonts.name("body")
    name_text, number = stamp_lines(copy_no, name)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(width, height), invariant=1, initialFontName=body, initialFontSize=COPY_SIZE,
                    pageCompression=1)
    top = height - TEXT_TOP
    _draw(canvas, role_fonts, number, TEXT_LEFT, top - ASCENT * COPY_SIZE, COPY_SIZE)
    size = NAME_SIZE
    room = width - 2 * TEXT_LEFT  # a long name shrinks rather than runs off the page
    while size > 8 and _width(role_fonts, name_text, size) > room:
        size -= 0.5
    _draw(canvas, role_fonts, name_text, TEXT_LEFT, top + NAME_GAP, size)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _width(role_fonts, text: str, size: float) -> float:  # type: ignore[no-untyped-def]
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(seg, font, size) for seg, font in role_fonts.split_runs(text, "body"))


def _draw(canvas, role_fonts, text: str, x: float, y: float, size: float) -> None:  # type: ignore[no-untyped-def]
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for seg, font in role_fonts.split_runs(text, "body"):
        canvas.setFont(font, size)
        canvas.drawString(x, y, seg)
        x += stringWidth(seg, font, size)


def stamp(original: bytes, copy_no: int, name: str) -> bytes:
    """``original`` with the copy mark merged onto its first page; other pages are copied as they are."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    reader = PdfReader(io.BytesIO(original))
    writer = PdfWriter(clone_from=reader)
    first = writer.pages[0]
    box = first.mediabox
    mark = PdfReader(io.BytesIO(overlay(float(box.width), float(box.height), copy_no, name))).pages[0]
    _retag_fonts(mark, NameObject)
    first.merge_page(mark)
    digest = hashlib.sha256(original + f"|{copy_no}|{name}".encode()).digest()[:16]
    old = reader.trailer.get("/ID")
    first_id = ByteStringObject(bytes(old[0].original_bytes if hasattr(old[0], "original_bytes") else old[0])) \
        if old else ByteStringObject(hashlib.sha256(original).digest()[:16])
    writer._ID = ArrayObject([first_id, ByteStringObject(digest)])  # noqa: SLF001  (pypdf has no setter)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retag_fonts(page, name_object) -> None:  # type: ignore[no-untyped-def]
    """Give the overlay's subset fonts their own tags: the brief's own subsets are also AAAAAA+…,
    and two different embedded fonts under one name confuse some viewers."""
    fonts = page.get("/Resources", {}).get("/Font", {})
    for i, key in enumerate(sorted(fonts)):
        font = fonts[key].get_object()
        base = str(font.get("/BaseFont", ""))
        if "+" not in base:
            continue
        new = name_object(f"/{SUBSET_TAGS[i % len(SUBSET_TAGS)]}+{base.split('+', 1)[1]}")
        font[name_object("/BaseFont")] = new
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor.get_object()[name_object("/FontName")] = new
