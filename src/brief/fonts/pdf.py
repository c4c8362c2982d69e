"""Register the role fonts with reportlab and choose, per character, the font that can draw it.

``role_fonts()`` (long called ``pdf_fonts()``, still an alias: it serves the DOCX writer, validate,
the stamp and build as much as the PDF writer) registers, once per process, one reportlab font per
role under ``brief-<role>`` (``brief-title``, ``brief-body``, …) and the fallback chain under
``brief-fallback-<PostScript name>``. Always ask ``PdfFonts.name(role)`` rather than spelling a name.

Cheap when warm (measured 25-70 ms, plus 50-150 ms of imports): what reportlab would read from
each file (its PostScript name and which characters have glyphs) is cached on disk, and each file
is parsed only when reportlab first measures or draws with it (a converted GB2312 font 35-60 ms,
a ``.ttc`` 60-125 ms), so unused roles and fallbacks cost nothing. CFF fonts are converted to
TrueType here, once per machine (5-10 s each; see ``convert``; ``warm_cache(jobs=2)`` runs them in
parallel).

A character the role font lacks is drawn, in this order, from:

1. the role's own typeface, when it is a converted CFF font that has the character outside the
   GB2312-wide converted set (one small cached file per character);
2. the first TrueType fallback that has it (``config.FALLBACK_CANDIDATES``);
3. a CFF supplement font (Noto CJK), converted per character when a document needs it.

``missing()`` lists what none of them has (and scripts reportlab cannot shape: Arabic/Uyghur,
Tibetan, Mongolian, Indic); the caller turns that into an error, so nothing is ever drawn as a
blank or a box.
"""

from __future__ import annotations

import sys
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace

from . import faces, rlcompat
from . import subset as subset_module
from .cache import cache_dir, content_stamp, digest, read_marshal, to_ranges, write_marshal
from .config import PDF_ROLES
from .convert import convert_cff, convert_chars, source_coverage
from .discover import FontSet, ResolvedFont, resolve
from .subset import make_subset

PREFIX = "brief-"
# 2: marshal, not JSON (JSON cost a cold start ~25 ms); 3: sealed with a CRC-32; 4: the ranges packed
RL_INFO_VERSION = 4
LAYOUT_CONTROLS = frozenset("\t\n\r")


# -- a TTFont that parses its file on first use ---------------------------------------------------


class _LazyFace(TTFontFace):
    """A TTFontFace that knows its PostScript name and parses the file on first attribute access."""

    def __init__(self, filename: str, subfontIndex: int, name: bytes) -> None:  # noqa: N803
        self.__dict__["_pending"] = (filename, subfontIndex)
        self.__dict__["name"] = name

    def __getattr__(self, attr: str):  # type: ignore[no-untyped-def]
        pending = self.__dict__.pop("_pending", None)
        if pending is None:
            raise AttributeError(attr)
        expected = self.__dict__["name"]
        try:
            faces.load_face(self, *pending)
            if bytes(self.name) != bytes(expected):
                # a cache entry naming another font (this face's snapshot, or the file facts the
                # name came from): the file decides, and whichever entry was wrong is rewritten
                faces.load_face(self, *pending, fresh=True)
                if bytes(self.name) != bytes(expected):
                    _mend_rl_file(*pending, self)
        except BaseException:
            self.__dict__["_pending"] = pending  # report the same error on the next access
            self.__dict__["name"] = expected
            raise
        return getattr(self, attr)

    def get_table(self, tag: str):  # type: ignore[no-untyped-def]
        # makeSubset slices single glyphs out of "glyf": serve them from the mapped file, no copy
        return faces.glyph_table(self) if tag == "glyf" else TTFontFace.get_table(self, tag)

    @property
    def getCharWidth(self):  # type: ignore[no-untyped-def]  # noqa: N802 - reportlab's name
        """reportlab's ``getCharWidth(code)`` (``charWidths.get(code, defaultWidth)``) as a C call:
        ``TTFont.addObjects`` maps it over every code of every subset (~1,800 a brief)."""
        widths = self.charWidths
        if type(widths) is faces.Widths:  # a code it lacks reads as defaultWidth
            return widths.__getitem__
        default = self.defaultWidth
        return lambda code: widths.get(code, default)  # a table that was not packed

    SUBSETS_KEPT = 4  # per face: the subsets a font used only by fixed text (the masthead's) makes

    def makeSubset(self, subset):  # type: ignore[no-untyped-def]  # noqa: N802 - reportlab's name
        """reportlab's subset font file, remembered: its bytes depend on the face and the characters
        alone, and a build's briefs make the same subsets of the fonts that set fixed text."""
        memo = self.__dict__.setdefault("_subset_memo", {})
        key = tuple(subset)
        got = memo.pop(key, None)
        if got is None:
            got = make_subset(self, subset) if subset_module.SAME else TTFontFace.makeSubset(self, subset)
        while len(memo) >= self.SUBSETS_KEPT:
            del memo[next(iter(memo))]  # the least recently used
        memo[key] = got  # last: the most recently used
        return got


class BriefTTFont(TTFont):
    """reportlab's TTFont, built from cached facts instead of parsing the file up front."""

    def __init__(self, name: str, filename: str, subfont_index: int, ps_name: str) -> None:
        # Mirrors TTFont.__init__ (rlcompat.TTFONT_ATTRS, checked by rlcompat.check) but with a lazy face.
        self.fontName = name
        self.face = _LazyFace(filename, subfont_index, ps_name.encode("ascii"))
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = False  # no uharfbuzz shaping: CJK needs none, and output stays stable
        self.brief_source = (filename, subfont_index)

    def stringWidth(self, text, size, encoding="utf8"):  # type: ignore[no-untyped-def]  # noqa: N802
        """reportlab's, after making the text's characters entries of the face's packed widths
        (reportlab's C measure reads the dict itself: see ``faces.Widths``)."""
        widths = self.face.charWidths
        if type(widths) is faces.Widths:
            widths.cover(text if type(text) is str else text.decode(encoding))
        return TTFont.stringWidth(self, text, size, encoding)


# -- what reportlab sees in a file (cached) -------------------------------------------------------


class Coverage:
    """Code points kept as sorted ranges (``first, last, first, last, …`` in an ``array``): ``cp in
    coverage`` bisects them. A CJK face has ~30,000 code points in ~4,000 ranges; a brief asks
    about ~600 of them, so no set of them all is built (that cost a cold start ~10 ms)."""

    __slots__ = ("_firsts", "_lasts")

    def __init__(self, ranges: array) -> None:  # type: ignore[type-arg]
        self._firsts, self._lasts = ranges[0::2], ranges[1::2]

    def __contains__(self, cp: object) -> bool:
        i = bisect_right(self._firsts, cp) - 1  # type: ignore[arg-type]
        return i >= 0 and cp <= self._lasts[i]  # type: ignore[operator]

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(map(range, self._firsts, (last + 1 for last in self._lasts)))


@dataclass
class _FontFile:
    """A file reportlab loads: its PostScript name and which code points have a real glyph."""

    path: str
    index: int
    ps_name: str
    ranges: array  # type: ignore[type-arg]  # first, last, first, last, … (array "I")
    _cps: Coverage | None = field(default=None, repr=False)

    @property
    def codepoints(self) -> Coverage:
        if self._cps is None:
            self._cps = Coverage(self.ranges)
        return self._cps


_rl_memo: dict[tuple[str, int], _FontFile] = {}


def _read_rl(entry: Path) -> tuple[str, array] | None:  # type: ignore[type-arg]
    """A cached (PostScript name, packed ranges) entry as ``_rl_file`` writes it, or None (it is then
    rebuilt): unreadable, damaged (``read_marshal``), or of another shape. Only the shape is checked:
    the ranges are sealed, the user's own and written sorted, and as packed ints they cannot hold
    anything but numbers (a range of text once stopped every PDF until the cache was deleted)."""
    data = read_marshal(entry)
    if not (type(data) is tuple and len(data) == 2 and type(data[0]) is str and type(data[1]) is bytes):
        return None
    name, packed = data
    if not (name.isascii() and name.isprintable() and 0 < len(name) <= 127) or len(packed) % 8:
        return None
    ranges = array("I")
    ranges.frombytes(packed)
    return name, ranges


def _rl_entry(path: str, index: int) -> Path:
    import reportlab

    # marshal's format belongs to the Python version, and the array's byte order to the machine
    key_parts = ("rl", RL_INFO_VERSION, reportlab.Version, list(sys.version_info[:2]), sys.byteorder,
                 content_stamp(path), index)
    return cache_dir() / "info" / f"rl-{digest(*key_parts)}.marshal"


def _facts(face: TTFontFace) -> tuple[str, array]:  # type: ignore[type-arg]
    """What an entry holds of ``face`` (parsed): its PostScript name and its drawable ranges."""
    return bytes(face.name).decode("ascii"), array("I", chain.from_iterable(to_ranges(_drawable(face))))


def _write_rl(entry: Path, face: TTFontFace) -> tuple[str, array]:  # type: ignore[type-arg]
    """What ``face`` (parsed) gives for the entry, written to it."""
    name, ranges = _facts(face)
    try:
        write_marshal(entry, (name, ranges.tobytes()))
    except OSError:
        pass
    return name, ranges


def _rl_file(path: str, index: int) -> _FontFile:
    key = (str(path), index)
    if key in _rl_memo:
        return _rl_memo[key]
    entry = _rl_entry(path, index)
    data = _read_rl(entry)
    if data is None:
        face = TTFontFace(str(path), subfontIndex=index)
        # filed under the stamp taken before the parse only if the file did not change meanwhile
        data = _write_rl(entry, face) if _rl_entry(path, index) == entry else _facts(face)
    font = _rl_memo[key] = _FontFile(str(path), index, data[0], data[1])
    return font


def _mend_rl_file(path: str, index: int, face: TTFontFace) -> None:
    """The cached facts of ``path`` named another font than the file has: rewritten from ``face``
    (parsed from the file), and the facts this process holds corrected."""
    name, ranges = _write_rl(_rl_entry(path, index), face)
    font = _rl_memo.get((str(path), index))
    if font is not None:
        font.ps_name, font.ranges, font._cps = name, ranges, None


def _drawable(face: TTFontFace) -> set[int]:
    """Code points reportlab maps to a glyph other than .notdef that has an outline (or is a space)."""
    pos = face.glyphPos
    out = set()
    for cp, gid in face.charToGlyph.items():
        if gid == 0 or gid + 1 >= len(pos) or unicodedata.category(chr(cp)) == "Cc":
            continue
        if pos[gid + 1] > pos[gid] or chr(cp).isspace() or unicodedata.category(chr(cp)) in ("Cf", "Zs"):
            out.add(cp)
    if 0x20 in out:
        out.add(0xA0)  # reportlab draws no-break space as a space
    return out


# -- scripts reportlab cannot set without shaping and bidi ----------------------------------------

_SHAPED_BLOCKS = (
    (0x0900, 0x0DFF),  # Indic
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1800, 0x18AF),  # Mongolian
    (0x1780, 0x17FF),  # Khmer
)


def needs_shaping(ch: str) -> bool:
    """Right-to-left (Arabic, Uyghur, Hebrew) or a script that must be shaped: reportlab cannot set it."""
    if unicodedata.bidirectional(ch) in ("R", "AL"):
        return True
    cp = ord(ch)  # the blocks lie between U+0900 and U+18AF: most text (CJK, Latin) is outside
    return 0x0900 <= cp <= 0x18AF and any(first <= cp <= last for first, last in _SHAPED_BLOCKS)


# -- the API --------------------------------------------------------------------------------------


WIDTHS_KEPT = 50_000  # remembered text widths per process (a few MB at most)


class PdfFonts:
    """The registered fonts of one FontSet. Get it from ``pdf_fonts()``."""

    def __init__(self, fontset: FontSet) -> None:
        rlcompat.apply()  # checks every reach into reportlab first
        self.fontset = fontset
        self._files: dict[str, _FontFile] = {}  # reportlab font name -> file facts
        self._roles: dict[str, str] = {}  # role -> reportlab font name
        self._fallbacks: list[str] = []
        self._char_sources: dict[str, ResolvedFont] = {}  # role -> its CFF source (per-char supplements)
        self._supplements = [f for f in fontset.supplements if f.cff]
        self._char_fonts: dict[tuple[str, int, str], str | None] = {}
        self._choice: dict[tuple[str, str], str | None] = {}
        self._own_chars: dict[str, set[str]] = {}  # role -> characters split_runs keeps in the role font
        self._objects: list[BriefTTFont] = []
        # (role, text) -> advance width in units of 1000: tables are measured at each size they try,
        # in both writers, and a build's briefs share their labels (WIDTHS_KEPT bounds it).
        self._widths: dict[tuple[str, str], float] = {}
        for font in fontset.roles:
            path = str(convert_cff(font)) if font.cff else font.path
            index = 0 if font.cff else font.index
            self._roles[font.role] = self._add(PREFIX + font.role, path, index)
            if font.cff:
                self._char_sources[font.role] = font
        for font in fontset.fallbacks:
            self._fallbacks.append(self._add(f"{PREFIX}fallback-{font.ps_name or font.family}", font.path, font.index))
        self._register()

    def _add(self, name: str, path: str, index: int) -> str:
        info = _rl_file(path, index)
        existing = rlcompat.registered(name)
        if existing is not None and not _same_face(existing, info):
            name = f"{name}~{digest(path, index)[:6]}"  # the name is taken by another file
        self._files[name] = info
        self._objects.append(BriefTTFont(name, info.path, info.index, info.ps_name))
        return name

    def _register(self) -> None:
        for obj in self._objects:
            if rlcompat.registered(obj.fontName) is None:
                pdfmetrics.registerFont(obj)
        # <b> inside a body Paragraph picks the bold role's face (reportlab's default is the same face).
        body, bold = self._roles["body"], self._roles["bold"]
        pdfmetrics.registerFontFamily(body, normal=body, bold=bold, italic=body, boldItalic=bold)

    def load_roles(self) -> None:
        """Read every role font now (from its cached parse; parsing and caching it the first time)."""
        for role in PDF_ROLES:
            pdfmetrics.getFont(self.name(role)).face.getCharWidth(0x4E2D)

    def registered(self) -> bool:
        return all(rlcompat.registered(obj.fontName) is not None for obj in self._objects)

    # -- queries ----------------------------------------------------------------------------------

    def name(self, role: str) -> str:
        """The reportlab font name for a role (``title heading body kai pagenum bold``)."""
        try:
            return self._roles[role]
        except KeyError:
            raise KeyError(f"unknown font role {role!r}; known: {', '.join(PDF_ROLES)}") from None

    @property
    def fallbacks(self) -> list[str]:
        return list(self._fallbacks)

    def covers(self, fontname: str, char: str) -> bool:
        """Whether the registered font ``fontname`` draws ``char`` with a real glyph."""
        info = self._files.get(fontname)
        if info is None:
            raise KeyError(f"{fontname!r} is not a brief font")
        return ord(char) in info.codepoints

    def _chain(self, role: str) -> list[str | ResolvedFont]:
        """After the role font: its own CFF source, the TrueType fallbacks, the CFF supplements."""
        own = [self._char_sources[role]] if role in self._char_sources else []
        return [*own, *self._fallbacks, *self._supplements]

    def _pick(self, ch: str, role: str) -> str | None:
        """The font name that draws ``ch`` for ``role``, or None when none can."""
        key = (role, ch)
        if key in self._choice:
            return self._choice[key]
        own = self.name(role)
        cp = ord(ch)
        choice: str | None = None
        if ch in LAYOUT_CONTROLS:
            choice = own
        elif needs_shaping(ch) or unicodedata.category(ch) in ("Cc", "Cs"):
            choice = None  # controls and lone surrogates: reportlab drops them or breaks the line
        elif cp in self._files[own].codepoints:
            choice = own
        else:
            for item in self._chain(role):
                if isinstance(item, str):
                    if cp in self._files[item].codepoints:
                        choice = item
                        break
                elif cp in source_coverage(item):
                    choice = self._char_font(item, ch)
                    if choice:
                        break
        self._choice[key] = choice
        return choice

    def _char_font(self, src: ResolvedFont, ch: str) -> str | None:
        """The registered one-character font for ``ch`` from the CFF font ``src`` (converted once)."""
        key = (src.path, src.index, ch)
        if key not in self._char_fonts:
            path = convert_chars(src, ch).get(ch)
            name = None
            if path is not None:
                info = _rl_file(str(path), 0)
                if ord(ch) in info.codepoints:
                    name = self._add(f"{PREFIX}char-{info.ps_name}", str(path), 0)
                    pdfmetrics.registerFont(self._objects[-1])
            self._char_fonts[key] = name
        return self._char_fonts[key]

    def _prepare(self, text: str, role: str) -> None:
        """Convert in one go, per CFF source, the characters of ``text`` that will need it."""
        own = self._files[self.name(role)].codepoints
        batches: dict[ResolvedFont, list[str]] = {}
        for ch in dict.fromkeys(text):
            cp = ord(ch)
            if (role, ch) in self._choice or cp in own or ch in LAYOUT_CONTROLS or needs_shaping(ch):
                continue
            if unicodedata.category(ch) in ("Cc", "Cs"):
                continue
            for item in self._chain(role):
                if isinstance(item, str):
                    if cp in self._files[item].codepoints:
                        break
                elif cp in source_coverage(item):
                    batches.setdefault(item, []).append(ch)
                    break
        for src, chars in batches.items():
            convert_chars(src, chars)

    def split_runs(self, text: str, role: str) -> list[tuple[str, str]]:
        """``text`` cut into ``(segment, font name)``: the role font where it has the glyph, else the
        next font of the chain that has it (see the module doc). Layout whitespace (tab, newline)
        and characters nothing can draw stay in the role font: check ``missing()`` first."""
        first = self._objects[0]
        if rlcompat.registered(first.fontName) is not first:  # reportlab's rl_config._reset() forgets them all
            self._register()
        own = self.name(role)
        if not text:
            return []
        plain = self._own_chars.setdefault(role, set())
        if plain.issuperset(text):  # the usual case, checked in C: every character is the role font's
            return [(text, own)]
        self._prepare(text, role)
        runs: list[tuple[list[str], str]] = []
        for ch in text:
            font = self._pick(ch, role) or own
            if font == own:
                plain.add(ch)
            if runs and runs[-1][1] == font:
                runs[-1][0].append(ch)  # joined once below: linear in the text's length
            else:
                runs.append(([ch], font))
        return [("".join(chars), font) for chars, font in runs]

    def width_units(self, text: str, role: str) -> float:
        """Advance width of ``text`` in ``role`` at 1000 units, remembered."""
        key = (role, text)
        units = self._widths.get(key)
        if units is None:
            units = sum(pdfmetrics.stringWidth(seg, font, 1000) for seg, font in self.split_runs(text, role))
            if len(self._widths) >= WIDTHS_KEPT:
                self._widths.clear()
            self._widths[key] = units
        return units

    def missing(self, text: str, role: str) -> list[str]:
        """Characters of ``text`` (each once, in order) that no font can draw for ``role``."""
        self._prepare(text, role)
        return [ch for ch in dict.fromkeys(text) if self._pick(ch, role) is None]

    def font_file(self, fontname: str) -> str:
        """The file reportlab reads for ``fontname`` (a cached conversion for CFF fonts)."""
        return self._files[fontname].path

    def metrics(self, role: str) -> RoleMetrics:
        """Extent and widths of ``role``'s text, fallbacks included (for layouts such as charts)."""
        face = pdfmetrics.getFont(self.name(role)).face
        return RoleMetrics(self, role, face.ascent / 1000.0, -face.descent / 1000.0)

    def font_source(self, fontname: str) -> tuple[str, int]:
        """``font_file`` and the face index inside it (non-zero in a ``.ttc``)."""
        info = self._files[fontname]
        return info.path, info.index


@dataclass(frozen=True)
class RoleMetrics:
    """A role's font as a layout sees it: ascent and descent in em (both positive), and widths."""

    fonts: PdfFonts
    role: str
    ascent: float
    descent: float

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` at ``size``, in the unit of ``size``."""
        return self.fonts.width_units(text, self.role) / 1000.0 * size


def _same_face(font: TTFont, info: _FontFile) -> bool:
    """Whether a registered font is ``info``'s file (reportlab itself merges fonts by face name)."""
    source = getattr(font, "brief_source", None)
    if source is not None:
        return bool(source == (info.path, info.index))
    face = getattr(font, "face", None)
    return bytes(getattr(face, "name", b"") or b"") == info.ps_name.encode("ascii")


_memo: dict[FontSet, PdfFonts] = {}


def role_fonts(fontset: FontSet | None = None) -> PdfFonts:
    """The role fonts of this machine: which characters each can draw (``missing``, ``split_runs``),
    their metrics, and their reportlab registration (memoised: later calls cost microseconds).

    The first call on a machine converts the CFF role fonts (5-10 s each, cached for good)."""
    fontset = fontset or resolve()
    fonts = _memo.get(fontset)
    if fonts is None:
        fonts = _memo[fontset] = PdfFonts(fontset)
    elif not fonts.registered():  # reportlab's rl_config._reset() forgets registrations
        fonts._register()
    return fonts


pdf_fonts = role_fonts  # the old name, used across writers and tests


def forget() -> None:
    """Drop in-process memos (tests)."""
    _memo.clear()
    _rl_memo.clear()
