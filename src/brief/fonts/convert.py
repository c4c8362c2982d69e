"""CFF/OpenType -> TrueType, so reportlab can embed the font (it refuses CFF outlines).

reportlab raises ``TTFError: postscript outlines are not supported`` for FandolFang, FandolHei and
Noto CJK. The conversion (docs/chinese-typography.md §5):

1. keep the characters we print: GB2312 (all 6763 hanzi and the symbol rows), ASCII, Latin-1, CJK
   and general punctuation, full-width forms, units and enclosed numbers (``base_codepoints``), plus
   any extra characters asked for;
2. draw those glyphs through ``Cu2QuPen(TTGlyphPen, max_err=1.0, reverse_direction=True)``;
3. replace ``CFF `` by ``glyf``/``loca``, make ``maxp`` version 1.0 and ``post`` format 2, then let
   the fontTools subsetter drop every glyph we did not draw.

It costs 5-10 s per font, once: the result goes to the cache (``cache.cache_dir()``), keyed by the
source file (path, size, mtime), the face index, the character set, this converter's version and
the fontTools version. Later runs only stat the file. reportlab subsets again when it embeds, so
the PDF carries only the glyphs used.

Characters a role font has but outside ``base_codepoints`` are not converted into the big file
(that would mean one multi-second conversion per document); ``convert_chars`` converts them one
character per small file instead, on demand, so the result never depends on which documents ran
before (see ``pdf.PdfFonts.split_runs``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .cache import (
    atomic_write,
    cache_dir,
    content_stamp,
    digest,
    file_stamp,
    from_ranges,
    locked,
    own_file,
    read_json,
    read_marshal,
    to_ranges,
    write_json,
    write_marshal,
)
from .discover import ResolvedFont

CONVERTER_VERSION = 1
MAX_ERR = 1.0  # font units: cubic -> quadratic tolerance

# Ranges kept in every converted font besides GB2312 (intersected with what the font has).
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: · × ÷ ° ±
    (0x2000, 0x206F),  # spaces and general punctuation: — ‘’ “” … ‰ ※
    (0x2100, 0x218F),  # letterlike, number forms: ℃ № Ⅰ Ⅱ
    (0x2190, 0x22FF),  # arrows, math operators: → ≤ ≥ ≠
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ⑴ ⒈
    (0x2500, 0x26FF),  # box drawing, shapes, symbols: ■ □ ▲ ○ ● ★ ☆
    (0x2E3A, 0x2E3B),  # two- and three-em dash ⸺
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。《》「」【】〔〕
    (0x30FB, 0x30FB),  # katakana middle dot ・
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility: ㈠ ㊣ ㎡ ㎏
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms: （）：；！？ ０-９
)


@lru_cache(maxsize=1)
def gb2312() -> frozenset[int]:
    """Every character of GB2312: the symbol rows (0xA1A1-0xA9FE) and all 6763 hanzi (0xB0A1-0xF7FE)."""
    out: set[int] = set()
    for hi in range(0xA1, 0xF8):
        row = bytes(b for lo in range(0xA1, 0xFF) for b in (hi, lo))
        try:  # a row with every pair assigned (most hanzi rows) in one call: a cold start pays this
            out.update(map(ord, row.decode("gb2312")))
            continue
        except UnicodeDecodeError:
            pass
        for lo in range(0xA1, 0xFF):  # pair by pair; an unassigned one decodes to ""
            ch = bytes((hi, lo)).decode("gb2312", errors="ignore")
            if len(ch) == 1:
                out.add(ord(ch))
    return frozenset(out)


@lru_cache(maxsize=8)
def base_codepoints(extra: str = "") -> frozenset[int]:
    """GB2312 ∪ the ranges above ∪ ``extra``."""
    cps = set(gb2312())
    for first, last in EXTRA_RANGES:
        cps.update(range(first, last + 1))
    cps.update(ord(c) for c in extra)
    return frozenset(cps)


@lru_cache(maxsize=8)
def _charset_hash(cps: frozenset[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(cps))).encode("ascii")).hexdigest()[:16]


# _charset_hash(base_codepoints()), written out: naming the cached fonts at each cold start need not
# decode GB2312 (~7 ms). tests/fonts/test_fonts.py checks it against the computed value.
BASE_CHARSET_HASH = "440ec7c4416a0225"


def _base_charset_hash(extra: str) -> str:
    return _charset_hash(base_codepoints(extra)) if extra else BASE_CHARSET_HASH


_FONTTOOLS_VERSION_LINE = re.compile(r'^version = __version__ = "([0-9A-Za-z.+_-]+)"$', re.M)


@lru_cache(maxsize=1)
def _fonttools_version() -> str:
    """``fontTools.version`` (a part of every cache key here), read from the package's
    ``__init__.py`` while it is the literal line it has always been: importing fontTools (and
    its logging set-up) for this one string cost every cold start ~1 ms, and a run with all fonts
    cached needs nothing else of it. Anything else: imported and asked."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("fontTools")
        origin = spec.origin if spec is not None else None
        if origin and origin.endswith("__init__.py"):
            with open(origin, encoding="utf-8") as fh:
                found = _FONTTOOLS_VERSION_LINE.search(fh.read(4096))
            if found:
                return found.group(1)
    except (OSError, ImportError, ValueError, UnicodeDecodeError):
        pass
    import fontTools

    return str(fontTools.version)


def _stem(font: ResolvedFont) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", font.ps_name or Path(font.path).stem)[:48]


def converted_path(font: ResolvedFont, extra: str = "") -> Path:
    """Where the TrueType version of a CFF font is (or will be) cached. Does not convert."""
    key = digest("base", CONVERTER_VERSION, _fonttools_version(), file_stamp(font.path), font.index,
                 _base_charset_hash(extra))
    return cache_dir() / f"{_stem(font)}-{font.index}-{key}.ttf"


def char_path(font: ResolvedFont, char: str) -> Path:
    """Where the one-character TrueType supplement of ``char`` from ``font`` is cached."""
    key = digest("char", CONVERTER_VERSION, _fonttools_version(), file_stamp(font.path), font.index, ord(char))
    return cache_dir() / "chars" / f"{_stem(font)}-{font.index}-u{ord(char):04X}-{key}.ttf"


def char_ps_name(font: ResolvedFont, char: str) -> str:
    """PostScript name of a one-character supplement: distinct, or reportlab would merge the faces."""
    return f"{_stem(font)}-u{ord(char):04X}"


_done: dict[Path, Path] = {}


def _seal_path(out: Path) -> Path:
    return out.with_name(out.name + ".seal")


def _write_converted(out: Path, data: bytes) -> None:
    """Write a converted font and its seal: the sha256 of its bytes and the stamp they were checked
    under (``content_stamp``: a file written over or put in its place has a new inode or ctime)."""
    atomic_write(out, data)
    write_marshal(_seal_path(out), (hashlib.sha256(data).digest(), content_stamp(out)))


def is_converted(out: Path) -> bool:
    """Whether ``out`` is a converted font this user's brief made, as it made it: the user's own
    regular file (not a link) whose bytes have the sha256 sealed beside it. The bytes are hashed only
    when the file's stamp is not the one sealed (a 10-20 MB font costs ~20 ms to hash; a cold start
    only stats it); a match is sealed under the new stamp. A damaged, foreign or unsealed file reads
    as not converted, and is converted again."""
    seal = read_marshal(_seal_path(out))
    if not (type(seal) is tuple and len(seal) == 2 and type(seal[0]) is bytes and type(seal[1]) is tuple):
        return False
    fd = own_file(out)
    if fd is None:
        return False
    try:
        stamp = content_stamp(out, os.fstat(fd))
        if seal[1] == stamp:
            return True
        with os.fdopen(fd, "rb", closefd=False) as fh:
            if hashlib.file_digest(fh, "sha256").digest() != seal[0]:
                return False
    except OSError:
        return False
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):  # a read-only cache: hashed again next time
        write_marshal(_seal_path(out), (seal[0], stamp))
    return True


def convert_cff(font: ResolvedFont, extra: str = "") -> Path:
    """The cached TrueType version of ``font`` (converting it first if needed; seconds, once)."""
    out = converted_path(font, extra)
    if out in _done or is_converted(out):
        _done[out] = out
        return out
    with locked(out):
        if not is_converted(out):  # another process may have finished it while we waited
            cps = base_codepoints(extra) & source_coverage(font)
            _write_converted(out, _convert(font.path, font.index, cps))
    _done[out] = out
    return out


def convert_chars(font: ResolvedFont, chars: Iterable[str]) -> dict[str, Path]:
    """One small cached TrueType file per character (only characters ``font`` has)."""
    have = source_coverage(font)
    wanted = sorted({c for c in chars if ord(c) in have})
    out = {c: char_path(font, c) for c in wanted}
    todo = [c for c in wanted if not is_converted(out[c])]
    if todo:
        first = out[todo[0]]
        with locked(first.parent / f"{_stem(font)}-{font.index}"):
            todo = [c for c in todo if not is_converted(out[c])]
            if todo:
                data = _convert_each(font.path, font.index, {c: char_ps_name(font, c) for c in todo})
                for c in todo:
                    _write_converted(out[c], data[c])
    return out


_coverage_memo: dict[tuple[str, int], frozenset[int]] = {}


def source_coverage(font: ResolvedFont) -> frozenset[int]:
    """Code points the source file maps to a glyph (fontTools ``getBestCmap``), cached on disk."""
    memo_key = (font.path, font.index)
    if memo_key in _coverage_memo:
        return _coverage_memo[memo_key]
    entry = cache_dir() / "info" / f"cmap-{digest('cmap', 2, file_stamp(font.path), font.index)}.json"
    ranges = read_json(entry)
    if not isinstance(ranges, list):
        from fontTools.ttLib import TTFont

        with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
            ranges = to_ranges({cp for cp, name in tt.getBestCmap().items()
                                if name != ".notdef" and unicodedata.category(chr(cp)) != "Cc"})
        try:
            write_json(entry, ranges)
        except OSError:
            pass
    cov = _coverage_memo[memo_key] = from_ranges(ranges)
    return cov


# -- the conversion itself ------------------------------------------------------------------------


def _load(path: str, index: int):  # type: ignore[no-untyped-def]
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False keeps head.modified from the source: the same input gives the same bytes.
    return TTFont(path, fontNumber=index, lazy=True, recalcTimestamp=False)


def _draw(font, names: Iterable[str]) -> dict:  # type: ignore[no-untyped-def]
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    glyph_set = font.getGlyphSet()
    out = {}
    for name in names:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        out[name] = pen.glyph()
    return out


def _options():  # type: ignore[no-untyped-def]
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.glyph_names = True
    options.hinting = False
    options.recalc_timestamp = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "DSIG"]
    return options


def _subset(font, cps: Iterable[int]) -> None:  # type: ignore[no-untyped-def]
    from fontTools import subset

    subsetter = subset.Subsetter(_options())
    subsetter.populate(unicodes=sorted(cps))
    subsetter.subset(font)


def _save(font, ps_name: str | None = None) -> bytes:  # type: ignore[no-untyped-def]
    """post format 2 over the final glyph order, optionally a new PostScript name; the file's bytes."""
    import io

    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = font.getGlyphOrder()
    if ps_name:
        for record in font["name"].names:
            if record.nameID == 6:
                record.string = ps_name
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def _to_truetype(font, drawn: dict, cps: Iterable[int]) -> bytes:  # type: ignore[no-untyped-def]
    """Swap the CFF table for glyf/loca holding the ``drawn`` glyphs, keep ``cps``, return the file."""
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    order = font.getGlyphOrder()
    empty = Glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {name: drawn.get(name, empty) for name in order}
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                 "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    font.sfntVersion = "\x00\x01\x00\x00"
    _subset(font, cps)  # drops every glyph we did not draw
    glyf = font["glyf"]
    hmtx = font["hmtx"]
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))  # TrueType wants lsb == xMin
    return _save(font)


def _convert(path: str, index: int, cps: Iterable[int]) -> bytes:
    """The TrueType file of ``path`` (face ``index``) restricted to ``cps``."""
    cps = sorted(cps)
    with _load(path, index) as font:
        cmap = font.getBestCmap()
        needed = {".notdef"} | {cmap[cp] for cp in cps if cp in cmap}
        order = [name for name in font.getGlyphOrder() if name in needed]
        return _to_truetype(font, _draw(font, order), [cp for cp in cps if cp in cmap])


def _convert_each(path: str, index: int, chars: dict[str, str]) -> dict[str, bytes]:
    """One TrueType file per character (``chars``: character -> PostScript name).

    The big font is converted once to just these characters, then cut per character: the result
    for a character does not depend on which others were in the batch."""
    import io

    from fontTools.ttLib import TTFont

    batch = _convert(path, index, [0x20, *(ord(c) for c in chars)])
    out = {}
    for char, ps_name in chars.items():
        with TTFont(io.BytesIO(batch), recalcTimestamp=False) as font:
            _subset(font, [0x20, ord(char)])
            out[char] = _save(font, ps_name)
    return out


def warm_cache(fonts: Iterable[ResolvedFont], jobs: int = 1) -> list[Path]:
    """Convert every CFF font in ``fonts`` now (``jobs`` > 1: in parallel processes)."""
    todo = {converted_path(f): f for f in fonts if f.cff}
    pending = [f for p, f in todo.items() if not is_converted(p)]
    if jobs > 1 and len(pending) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(pending), os.cpu_count() or 1)) as pool:
            list(pool.map(convert_cff, pending))
    return [convert_cff(f) for f in todo.values()]


def forget() -> None:
    """Drop the in-process memo (tests)."""
    _done.clear()
    _coverage_memo.clear()
