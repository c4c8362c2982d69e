"""Every reach into reportlab's internals, in one module, behind one check.

brief relies on reportlab beyond its public API in the places below. ``check()`` verifies all of
them, and that reportlab's version is inside ``TESTED`` (the range pyproject.toml pins and these
reaches were checked on), once per process; tests/fonts/test_fonts.py runs it. After a reportlab upgrade,
widen ``TESTED`` and the pin together, once ``check()`` and the tests pass.

1. ToUnicode CMap (``apply``, ``to_unicode_cmap``): reportlab writes each TrueType subset's
   ToUnicode CMap with ``"<%02X> <%04X>" % (code, unicode)`` in ``ttfonts.makeToUnicodeCMap``. For
   U+20BB7 (𠮷) that gives ``<15> <20BB7>``: five hex digits, which a reader takes as the UTF-16
   code unit 0x20BB followed by a stray nibble, so pdftotext, mutool and pdfplumber extract "₻" and
   pypdf warns ``Odd-length string``. The PDF spec (ToUnicode, ``bfchar`` destinations) wants
   UTF-16BE: ``<15> <D842DFB7>``. ``TTFont.addObjects`` looks the function up as a module global at
   call time, so replacing that global is the smallest fix: the replacement writes exactly the same
   bytes for BMP characters and a surrogate pair for the others. It also splits the mappings into
   blocks of at most 100 (the CMap limit for ``beginbfchar``; reportlab writes one block of up to
   256, and Ghostscript's pdfwrite then drops the whole CMap, so reprocessed PDFs lose their text).
2. Subset tags (``apply``, ``subset_tag``): ``ttfonts.SUBSETN`` (the ``AAAAAA+`` tag of every subset
   font name) is replaced too: reportlab numbers the subsets of each font from 0, so every PDF and
   every font had the same tag, and tools that merge or cache fonts by name mix them up. The tag is
   now six letters derived from a hash of the face name and the subset's characters (still
   deterministic). ``TTFont.addObjects`` is wrapped to tell the tag function which font and subset
   it is naming. Both are installed by ``brief.fonts`` before any font is registered, once.
3. Fast deflate (``flate_encoder``, for writers/pdf/deflate.py): reportlab sends every stream
   through one shared filter object, ``pdfdoc.PDFZCompress``; brief gives it another ``encode``.
4. Lazy fonts (fonts/pdf.py ``BriefTTFont``): a ``TTFont`` subclass whose ``__init__`` mirrors
   reportlab's (``TTFONT_ATTRS``, private ``_asciiReadable`` included); registering it relies on
   ``pdfmetrics._dynFaceNames``; ``registered()`` reads ``pdfmetrics._fonts`` (``getFont`` would try
   to load a Type 1 font of that name).
5. Face snapshots (fonts/faces.py): a ``TTFontFace`` filled from a cache sets the parser's private
   ``_ttf_data``, ``_pos`` and ``_pdfScale`` (``FACE_PRIVATE``, ``set_face_data``, ``face_data``).
6. Text output (writers/pdf/cjk.py, ``text_origin``, ``show_text``): ``setTextOrigin`` + ``textOut`` of a text object
   in a TrueType font, written straight into the object's private ``_code`` with the operators
   ``_formatText`` writes (``TEXT_PRIVATE``): a brief draws ~700 pieces of text, and ``textOut``
   measures each one's width for a cursor nobody reads. A table's rules (writers/pdf/grid.py,
   ``lines``) go into the canvas's ``_code`` as ``Canvas.lines`` writes them, numbers remembered.
7. Number arrays (``apply``, ``format_array``): ``PDFArray.format`` formats every element through
   ``pdfdoc.format`` (type checks, ``fp_str``, the ``extpdfdoc`` codec). The glyph widths of every
   font subset are such arrays, ~1,200 numbers a brief; an array of plain numbers is now formatted
   ten at a time by one ``fp_str`` call, into the same bytes (``fp_str`` output is ASCII, which
   that codec leaves as it is).
8. Subset font files (fonts/subset.py): ``make_subset`` reproduces ``TTFontFile.makeSubset`` step by
   step, from the face's ``glyphPos``, ``hmetrics``, ``charToGlyph`` and mapped data, assembled by
   reportlab's ``TTFontMaker``. It is used only while the source of reportlab's makeSubset is the
   one it was written from (``subset.SAME``, a hash of that source); otherwise reportlab's runs.
9. PDF names (``apply``): ``pdfdoc.PDFName`` escapes its text character by character for every key
   of every dictionary written (~1,000 a brief, a few dozen distinct); it is a pure function of
   its text, now remembered (``functools.lru_cache``).
10. PDF text encoding (``apply``, ``pdfdoc_enc``): ``pdfdoc.pdfdocEnc`` encodes every string of the
   file (object headers, names, numbers, page content; ~900 a brief) through the ``extpdfdoc``
   codec, a Python function per call. For ASCII without the eight characters that codec does not
   map to themselves, ``str.encode("ascii")`` gives the same bytes; anything else goes the codec's way.
"""

from __future__ import annotations

import dis
import functools
import hashlib
import inspect
import itertools
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import reportlab
from reportlab import rl_config
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfgen import canvas, textobject

TESTED = ((4, 2), (5, 2))  # reportlab >= 4.2, < 5.2: as pyproject.toml pins it
TTFONT_ATTRS = frozenset({"fontName", "face", "encoding", "state", "_asciiReadable", "shapable"})
FACE_PRIVATE = frozenset({"_ttf_data", "_pos", "_pdfScale"})  # the parser's state, set by faces.py
# what show_text reads and writes of a PDFTextObject (its _formatText and setTextOrigin use them too)
TEXT_PRIVATE = frozenset({"_code", "_canvas", "_fontname", "_fontsize", "_leading", "_curSubset"})

_MARK = "_brief_utf16_fix"
CMAP_BLOCK = 100  # PDF/PostScript CMap limit on entries per beginbfchar/beginbfrange block
_naming = threading.local()  # the font addObjects is naming: (face name, its subsets)


_CMAPS: dict[tuple[str, tuple[int, ...]], str] = {}  # the last few CMaps made, most recent last
CMAPS_KEPT = 16  # the subsets of fixed text (the masthead's fonts) come again in every brief of a build


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ``makeToUnicodeCMap`` with UTF-16BE destinations (surrogate pairs above U+FFFF);
    remembered: a pure function of its arguments (the subset's tag in ``fontname`` names its characters)."""
    key = (fontname, tuple(subset))
    got = _CMAPS.pop(key, None)
    if got is None:
        got = _to_unicode_cmap(fontname, subset)
    while len(_CMAPS) >= CMAPS_KEPT:
        del _CMAPS[next(iter(_CMAPS))]  # the least recently used
    _CMAPS[key] = got
    return got


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        *_bfchar_blocks(subset),
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def _bfchar_blocks(subset: list[int]) -> list[str]:
    lines: list[str] = []
    for start in range(0, len(subset), CMAP_BLOCK):
        chunk = subset[start:start + CMAP_BLOCK]
        lines.append(f"{len(chunk)} beginbfchar")
        # a BMP character (nearly all) formatted inline: ~1,200 lines a brief
        lines.extend([f"<{k:02X}> <{v:04X}>" if v <= 0xFFFF else f"<{k:02X}> <{_utf16_hex(v)}>"
                      for k, v in enumerate(chunk, start)])
        lines.append("endbfchar")
    return lines


def subset_tag(n: int, table: bytes = b"") -> bytes:
    """Six capital letters naming subset ``n`` of the font being written (reportlab's ``SUBSETN``)."""
    current = getattr(_naming, "font", None)
    if current is None or n >= len(current[1]):
        return _original_subsetn()(n)
    face, subsets = current
    key = face + b"\0" + ",".join(map(str, subsets[n])).encode("ascii") + b"\0%d" % n
    digest = hashlib.sha256(key).digest()
    return bytes(65 + b % 26 for b in digest[:6])


def _original_subsetn() -> Any:
    return getattr(ttfonts, "_brief_original_SUBSETN", ttfonts.SUBSETN)


def _wrap_add_objects(original: Any) -> Any:
    def add_objects(self: Any, doc: Any) -> None:
        state = self.state.get(doc)
        face = bytes(self.face.name) + bytes(self.face.subfontNameX)
        _naming.font = (face, [list(s) for s in state.subsets] if state is not None else [])
        try:
            original(self, doc)
        finally:
            _naming.font = None

    setattr(add_objects, _MARK, True)
    add_objects.__wrapped__ = original  # type: ignore[attr-defined]
    return add_objects


def _utf16_hex(cp: int) -> str:
    if cp <= 0xFFFF:
        return f"{cp:04X}"
    cp -= 0x10000
    return f"{0xD800 + (cp >> 10):04X}{0xDC00 + (cp & 0x3FF):04X}"


setattr(to_unicode_cmap, _MARK, True)


_checked = False


def check() -> None:
    """Raise RuntimeError if reportlab is outside ``TESTED`` or no longer has an internal listed in
    the module doc (once per process; cheap after that)."""
    global _checked
    if _checked:
        return
    version = tuple(int(p) for p in reportlab.Version.split(".")[:2] if p.isdigit())
    low, high = TESTED
    if not low <= version < high:
        raise RuntimeError(f"reportlab {reportlab.Version} is outside the versions brief was checked on "
                           f"(>={low[0]}.{low[1]},<{high[0]}.{high[1]}): revisit brief/fonts/rlcompat.py")
    for problem in _problems():
        raise RuntimeError(f"{problem}: revisit brief/fonts/rlcompat.py")
    _checked = True


def _problems() -> Iterator[str]:
    original = getattr(ttfonts, "makeToUnicodeCMap", None)
    if original is None or not callable(original):
        yield "reportlab.pdfbase.ttfonts.makeToUnicodeCMap is gone"
        return
    params = list(inspect.signature(original).parameters)
    if params != ["fontname", "subset"]:
        yield f"reportlab makeToUnicodeCMap{tuple(params)} changed"
    add_objects = getattr(getattr(ttfonts, "TTFont", None), "addObjects", None)
    add_objects = getattr(add_objects, "__wrapped__", add_objects)  # reportlab's, once apply() ran
    if add_objects is None or "makeToUnicodeCMap" not in add_objects.__code__.co_names:
        yield "reportlab TTFont.addObjects no longer calls makeToUnicodeCMap"
    elif "SUBSETN" not in add_objects.__code__.co_names or not callable(getattr(ttfonts, "SUBSETN", None)):
        yield "reportlab TTFont.addObjects no longer names subsets with SUBSETN"
    target = getattr(pdfdoc, "PDFZCompress", None)
    if getattr(target, "pdfname", None) != "FlateDecode" or not callable(getattr(type(target), "encode", None)):
        yield "reportlab's pdfdoc.PDFZCompress changed"
    for name in ("_dynFaceNames", "_fonts"):
        if not isinstance(getattr(pdfmetrics, name, None), dict):
            yield f"reportlab pdfmetrics.{name} is gone"
    name = getattr(pdfdoc.PDFName, "__wrapped__", pdfdoc.PDFName)
    if list(inspect.signature(name).parameters) != ["data", "lo", "hi"]:
        yield "reportlab's pdfdoc.PDFName changed"
    drawn = canvas.Canvas.lines.__code__
    written = set(drawn.co_consts)  # '%s m %s l' %: Python 3.11 compiles it into its pieces
    if not {"_code", "fp_str"} <= set(drawn.co_names) or not ({" m ", " l"} <= written or "%s m %s l" in written):
        yield "reportlab's Canvas.lines changed"
    enc = getattr(pdfdoc.pdfdocEnc, "__wrapped__", pdfdoc.pdfdocEnc)
    if "extpdfdoc" not in getattr(getattr(enc, "__code__", None), "co_consts", ()):
        yield "reportlab's pdfdoc.pdfdocEnc changed"
    yield from _bytecode_problems()


def _bytecode_problems() -> Iterator[str]:
    """What only a walk over reportlab's bytecode shows. The walk costs a cold start ~6 ms, so once
    it passes, a marker in the font cache, named by that bytecode and what is expected of it, says
    so: walked again only when reportlab (or Python, or these expectations) changes."""
    init = ttfonts.TTFont.__init__
    parsing = (ttfonts.TTFontParser.read_tag, ttfonts.TTFontFile.extractInfo)
    text = textobject.PDFTextObject
    text_functions = (text._formatText, text.setTextOrigin, text.setFont)
    marker = _marker(init, *parsing, *text_functions, _array_format(), canvas.Canvas._escape,
                     ttfonts.TTFont.splitString, ttfonts.TTFont.getSubsetInternalName)
    if marker is not None and marker.is_file():
        return
    stored = {i.argval for i in dis.get_instructions(init) if i.opname == "STORE_ATTR"}
    parser = {i.argval for f in parsing for i in dis.get_instructions(f) if i.opname in ("LOAD_ATTR", "STORE_ATTR")}
    found = []
    if not stored <= TTFONT_ATTRS:
        found.append(f"reportlab TTFont.__init__ now also sets {sorted(stored - TTFONT_ATTRS)} (update BriefTTFont)")
    if not FACE_PRIVATE <= parser:
        found.append(f"reportlab's TTFontFace no longer keeps {sorted(FACE_PRIVATE - parser)}")
    array_format = _array_format()
    if (not {"multiline", "pdfMultiLine", "sequence"} <= set(array_format.__code__.co_names)
            or not hasattr(rl_config, "pdfMultiLine")):
        found.append("reportlab's PDFArray.format changed")
    if "escapePDF" not in canvas.Canvas._escape.__code__.co_names:
        found.append("reportlab's Canvas._escape no longer calls escapePDF (show_text)")
    used = {i.argval for f in text_functions for i in dis.get_instructions(f)
            if i.opname in ("LOAD_ATTR", "STORE_ATTR", "LOAD_METHOD")}
    if not TEXT_PRIVATE <= used or not {"splitString", "getSubsetInternalName"} <= used:
        found.append("reportlab's PDFTextObject writes text differently (show_text)")
    split = {i.argval for i in dis.get_instructions(ttfonts.TTFont.splitString) if i.opname in ("LOAD_ATTR",)}
    if not {"state", "assignments", "subsets", "nextCode"} <= split:
        found.append("reportlab's TTFont.splitString assigns codes differently (show_text)")
    naming = ttfonts.TTFont.getSubsetInternalName.__code__
    if not {"state", "internalName", "namePrefix"} <= set(naming.co_names) or "/%s+%d" not in naming.co_consts:
        found.append("reportlab's TTFont.getSubsetInternalName names subsets differently (show_text)")
    yield from found
    if not found and marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only cache: walk again next time


def _array_format() -> Callable[..., Any]:
    return getattr(getattr(pdfdoc.PDFArray, "format", None), "__wrapped__", None) or pdfdoc.PDFArray.format


def _marker(*functions: Callable[..., Any]) -> Path | None:
    from .cache import cache_dir  # lazily: the cache module is not needed until a check runs

    expected = (reportlab.Version, sys.version, sorted(TTFONT_ATTRS), sorted(FACE_PRIVATE), sorted(TEXT_PRIVATE))
    h = hashlib.sha256(repr(expected).encode())
    h.update(_checks_digest())
    for f in functions:
        code = getattr(f, "__code__", None)
        if code is None:
            return None  # not plain Python any more: always walk (and fail there)
        h.update(code.co_code)
        h.update(repr(code.co_names).encode())
    return cache_dir() / "info" / f"rlcheck-{h.hexdigest()[:20]}"


@functools.lru_cache(maxsize=1)
def _checks_digest() -> bytes:
    """This module's source: a brief that checks more of reportlab (a new line in
    ``_bytecode_problems``) walks again, rather than trust a marker an older brief left."""
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).digest()
    except OSError:  # no source (a frozen app): the names and expectations above decide alone
        return b""


def apply() -> None:
    """Install the ToUnicode fix and the subset tags (idempotent)."""
    if getattr(ttfonts.makeToUnicodeCMap, _MARK, False):
        return
    check()
    ttfonts._brief_original_makeToUnicodeCMap = ttfonts.makeToUnicodeCMap  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    ttfonts._brief_original_SUBSETN = ttfonts.SUBSETN  # type: ignore[attr-defined]
    ttfonts.SUBSETN = subset_tag
    ttfonts.TTFont.addObjects = _wrap_add_objects(ttfonts.TTFont.addObjects)
    pdfdoc.PDFArray.format = _wrap_array_format(pdfdoc.PDFArray.format)
    pdfdoc.PDFName = functools.lru_cache(maxsize=1024)(pdfdoc.PDFName)
    pdfdoc.pdfdocEnc = _wrap_pdfdoc_enc(pdfdoc.pdfdocEnc)


def original():  # type: ignore[no-untyped-def]
    """reportlab's own function (for the test that BMP output is unchanged)."""
    return getattr(ttfonts, "_brief_original_makeToUnicodeCMap", ttfonts.makeToUnicodeCMap)


# -- 3. fast deflate ----------------------------------------------------------------------------------


@contextmanager
def flate_encoder(encode: Callable[[bytes | str], bytes]) -> Iterator[None]:
    """While inside, reportlab's FlateDecode filter encodes with ``encode``; outside, its own. Nested
    uses keep the outer one."""
    check()
    target = pdfdoc.PDFZCompress
    if "encode" in vars(target):  # already inside (nested)
        yield
        return
    target.encode = encode
    try:
        yield
    finally:
        del target.encode


# -- 4. registered fonts ------------------------------------------------------------------------------


def registered(name: str):  # type: ignore[no-untyped-def]
    """The font registered under ``name``, or None (never loads one, as ``getFont`` would)."""
    return pdfmetrics._fonts.get(name)  # noqa: SLF001


# -- 5. face snapshots --------------------------------------------------------------------------------


def set_face_data(face: ttfonts.TTFontFace, data: Any, scale: Callable[[float], float] | None = None) -> None:
    """Point a face's parser at ``data`` (the mapped file), at its start; ``scale``: its font-unit
    conversion, when the face was filled from a snapshot rather than parsed."""
    face._ttf_data = data
    face._pos = 0
    if scale is not None:
        face._pdfScale = scale


def face_data(face: ttfonts.TTFontFace) -> Any:
    return face._ttf_data


# -- 6. text output -----------------------------------------------------------------------------------


def text_origin(txt: Any, x: float, y: float) -> None:
    """``txt.setTextOrigin(x, y)`` on a bottom-up canvas (brief's), as reportlab writes it."""
    # setTextOrigin's '1 0 0 1 %s Tm' % fp_str(x, y), each number's text remembered (_FP): a table's
    # cells share their columns' left edges and their rows' baselines
    fx, fy = _FP.get(x), _FP.get(y)
    if fx is None or fy is None:
        if len(_FP) > _FP_KEPT:
            _FP.clear()
        fx = _FP[x] = fp_str(x)
        fy = _FP[y] = fp_str(y)
    txt._code.append(f"1 0 0 1 {fx} {fy} Tm")
    txt._x0 = txt._x = x
    txt._y0 = txt._y = y


def lines(canv: Any, segments: list[tuple[float, float, float, float]]) -> None:
    """``canv.lines(segments)``, each number's text remembered (_FP): a table's rules share their
    ends (its left and right edges, top and bottom)."""
    code = canv._code
    code.append("n")
    for x1, y1, x2, y2 in segments:
        texts = [_FP.get(x1), _FP.get(y1), _FP.get(x2), _FP.get(y2)]
        if None in texts:
            if len(_FP) > _FP_KEPT:
                _FP.clear()
            texts = [_FP.setdefault(v, fp_str(v)) for v in (x1, y1, x2, y2)]
        code.append(f"{texts[0]} {texts[1]} m {texts[2]} {texts[3]} l")  # lines' '%s m %s l' % (fp_str(x1, y1), ...)
    code.append("S")


_CANVAS_ESCAPE = canvas.Canvas._escape
_OPERANDS: dict[tuple[float, float], str] = {}  # (size, leading) -> "size Tf leading TL"; a brief has a dozen


def _font_operands(size: float, leading: float) -> str:
    got = _OPERANDS.get((size, leading))
    if got is None:
        if len(_OPERANDS) > 256:  # bounded: a long-lived process (serve) sees many table sizes
            _OPERANDS.clear()
        got = _OPERANDS[(size, leading)] = f"{fp_str(size)} Tf {fp_str(leading)} TL"
    return got


_SUBSET_OF, _BYTE_OF = (256).__rfloordiv__, (256).__rmod__  # code >> 8 and code & 0xFF, as C calls


def _split_string(font: Any, text: str, doc: Any) -> list[tuple[int, bytes]]:
    """``font.splitString(text, doc)``. When every character of ``text`` already has its code (the
    usual case once a page is set), the codes are looked up and cut into runs of one subset by C
    calls; otherwise (a new character, U+00A0, one missing from the font) reportlab's own loop
    assigns and splits them."""
    state = font.state.get(doc)
    if state is None or not text:
        return font.splitString(text, doc)
    assignments = state.assignments
    try:
        codes = list(map(assignments.__getitem__, map(ord, text)))
    except KeyError:
        # reportlab's loop gives the characters new to the document their codes, in the order the
        # text meets them (all it does for a known one is look it up): only those go through it
        font.splitString("".join(dict.fromkeys(ch for ch in text if ord(ch) not in assignments)), doc)
        try:
            codes = list(map(assignments.__getitem__, map(ord, text)))
        except KeyError:  # U+00A0 (written as a space) or a character the font lacks (code 0)
            return font.splitString(text, doc)
    if max(codes) < 256:  # all in subset 0 (the document's first 256 characters): the codes are the bytes
        return [(0, bytes(codes))]
    return [(subset, bytes(map(_BYTE_OF, run))) for subset, run in itertools.groupby(codes, _SUBSET_OF)]


def show_text(txt: Any, text: str) -> None:
    """``txt.textOut(text)``: the same operators, for a TrueType font (as ``_formatText`` writes
    them), without measuring the text for the cursor (``_x`` stays where ``text_origin`` put it:
    every piece brief draws sets its own origin). Any other font goes the public way."""
    font = pdfmetrics.getFont(txt._fontname)
    if not font._dynamicFont:
        txt.textOut(text)
        return
    doc = txt._canvas._doc
    # the canvas's _escape is escapePDF (checked), called here without its method frame
    escape = escapePDF if type(txt._canvas)._escape is _CANVAS_ESCAPE else txt._canvas._escape
    chunks = _split_string(font, text, doc)
    if len(chunks) == 1 and chunks[0][0] == txt._curSubset:  # the usual piece: one subset, already selected
        txt._code.append(f"({escape(chunks[0][1])}) Tj")
        return
    ops = []
    tmpl = None
    state = None
    for subset, chunk in chunks:
        if subset != txt._curSubset:
            if tmpl is None:
                tmpl = _font_operands(txt._fontsize, txt._leading)
                state = font.state.get(doc)
            if state is not None and state.internalName is not None:
                # getSubsetInternalName's '/%s+%d' once the font has its name in this document (checked)
                ops.append(f"/{state.internalName}+{subset} {tmpl}")
            else:
                ops.append(f"{font.getSubsetInternalName(subset, doc)} {tmpl}")
            txt._curSubset = subset
        ops.append(f"({escape(chunk)}) Tj")
    txt._code.append(" ".join(ops))


# -- 10. PDF text encoding ------------------------------------------------------------------------------


def _wrap_pdfdoc_enc(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # the ASCII characters the codec writes as another byte (or refuses): a string with one goes its way
    odd = []
    for code in range(128):
        try:
            same = original(chr(code)) == bytes([code])
        except UnicodeError:
            same = False
        if not same:
            odd.append(re.escape(chr(code)))
    search = re.compile(f"[{''.join(odd)}]").search if odd else None

    def pdfdoc_enc(x: Any) -> Any:
        if x.__class__ is str and x.isascii() and (search is None or search(x) is None):
            return x.encode("ascii")  # the codec's own bytes for these characters, without its frame
        return original(x)

    pdfdoc_enc.__wrapped__ = original  # type: ignore[attr-defined]
    return pdfdoc_enc


# -- 7. number arrays ---------------------------------------------------------------------------------

_NUMBER = frozenset({int, float})  # what pdfdoc.format writes with fp_str (not bool: that is written as True)
# number -> fp_str(number): glyph widths repeat (every 汉字 is 1000 wide); 0 and -0.0 both give "0"
_FP: dict[float, str] = {}
_FP_KEPT = 4096  # bounded: the widths of the fonts in use and a brief's text positions, a few thousand


def format_array(sequence: list[Any]) -> bytes | None:
    """``PDFArray.format``'s bytes for a list of plain numbers on one line per ten (reportlab's
    layout when ``pdfMultiLine`` is off), or None for any other list."""
    if not _NUMBER.issuperset(map(type, sequence)):
        return None
    texts = list(map(_FP.get, sequence))
    if None in texts:
        if len(_FP) > _FP_KEPT:
            _FP.clear()
        for k, text in enumerate(texts):
            if text is None:
                texts[k] = _FP[sequence[k]] = fp_str(sequence[k])
    rows = [" ".join(texts[i:i + 10]) for i in range(0, len(texts), 10)]  # fp_str(*ten) writes the same
    return b"[ " + " \n  ".join(rows).encode("ascii") + b" ]"


def _wrap_array_format(original: Any) -> Any:
    def format(self: Any, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: A001, N803 - reportlab's names
        if not ((self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced") and self.sequence:
            got = format_array(self.sequence)
            if got is not None:
                return got
        return original(self, document, IND)

    format.__wrapped__ = original  # type: ignore[attr-defined]
    return format
