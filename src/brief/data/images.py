"""Which photos a brief accepts, checked once when the data is read (``validate`` and ``render`` alike).

Accepted: JPEG in RGB or grayscale, and PNG of at most 8 bits per channel (grey, colour, palette,
with or without transparency); at most ``MAX_PIXELS`` pixels and ``MAX_BYTES`` bytes. Everything
else (CMYK JPEG, WebP, GIF, SVG, 16-bit PNG, a truncated or corrupt file, a decompression bomb, a
header python-docx cannot parse) is refused here with one line, never by a writer mid-render.

The check decodes the image once (a JPEG at 1/8 scale, which still reads every byte, so a
truncated file is caught) after its size has been read from the header, so a bomb is refused
before any pixel is allocated.
"""

from __future__ import annotations

import math
import warnings
import zlib
from pathlib import Path

MAX_PIXELS = 40_000_000
MAX_BYTES = 20 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_JPEG_MODES = ("RGB", "L")
_PNG_MODES = ("1", "L", "LA", "P", "PA", "RGB", "RGBA")
_RESAVE = "请用图片软件另存为 JPG 或 PNG 后再用"


def check_image(path: Path) -> str | None:
    """Why ``path`` cannot go into a brief (one line, without the file name), or None when it can."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(64)
    except OSError as exc:
        return f"无法读取图片：{exc.strerror or exc}"
    if size > MAX_BYTES:
        shown = math.ceil(size / 1024 / 1024 * 10) / 10  # rounded up: 20 MB and a byte is not "20.0 MB"
        return f"图片文件太大（{shown:.1f} MB），最大 {MAX_BYTES // 1024 // 1024} MB；请压缩后再用"
    if not head.startswith((_PNG, _JPEG)):
        return f"图片是{_kind(head)}，只接受 JPG 和 PNG；{_RESAVE}"
    if head.startswith(_PNG) and len(head) > 24 and head[12:16] == b"IHDR" and head[24] > 8:
        return f"图片是 {head[24]} 位 PNG，只接受 8 位；请另存为 8 位 PNG"
    return _decode(path) or _docx_header(path)


def _kind(head: bytes) -> str:
    """What a non-JPEG/PNG file is, in words a user recognises."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return " WebP 格式"
    if head[:4] == b"GIF8":
        return " GIF 格式"
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg", b"<!--")):
        return " SVG（矢量图）格式"
    if head[:2] == b"BM":
        return " BMP 格式"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return " TIFF 格式"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return " HEIC/AVIF 格式"
    if head[:5] == b"%PDF-":
        return " PDF 文件"
    return "无法识别的格式（不是 JPG 或 PNG）"


def _decode(path: Path) -> str | None:
    from PIL import Image

    broken = f"图片已损坏或不完整，无法读取；{_RESAVE}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about odd EXIF data; the decode below decides
        try:
            with Image.open(path) as im:
                width, height = im.size
                if width * height > MAX_PIXELS:
                    return _too_big(width, height)
                problem = _mode(im)
                if problem:
                    return problem
                if im.format in ("JPEG", "MPO"):
                    im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                im.load()
        except Image.DecompressionBombError:
            return _too_big(0, 0)  # far beyond the limit: Pillow refuses it before reading any pixel
        except (OSError, SyntaxError, ValueError, EOFError, zlib.error, MemoryError):
            return broken
    return None


def _too_big(width: int, height: int) -> str:
    size = f"{width}×{height}，" if width else ""
    return f"图片太大（{size}超过 {MAX_PIXELS // 10_000} 万像素）；请缩小后再用"


def _mode(im: object) -> str | None:
    fmt, mode = getattr(im, "format", None), getattr(im, "mode", "")
    if fmt in ("JPEG", "MPO"):
        if mode in ("CMYK", "YCbCr", "YCCK"):
            return "图片是 CMYK 颜色模式（印刷用），不受支持；请另存为 RGB 颜色的 JPG"
        return None if mode in _JPEG_MODES else f"JPG 图片的颜色模式 {mode} 不受支持；请另存为 RGB 颜色的 JPG"
    if fmt == "PNG":
        if mode not in _PNG_MODES:
            return f"PNG 图片的颜色模式 {mode} 不受支持（如 16 位图）；请另存为 8 位 PNG"
        return None
    return f"图片内容是 {fmt} 格式，与扩展名不符；{_RESAVE}"


def _docx_header(path: Path) -> str | None:
    """python-docx reads the header itself (JFIF/EXIF markers, DPI): what it cannot read, Word won't get."""
    from docx.image.image import Image as DocxImage

    try:
        DocxImage.from_file(str(path))
    except Exception:  # python-docx raises many kinds for odd headers; any one means Word gets nothing
        return f"图片的文件头（如 EXIF 信息）不标准，无法放进 Word 文件；{_RESAVE}"
    return None
