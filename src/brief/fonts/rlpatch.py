"""Fix reportlab's ToUnicode CMap for characters beyond U+FFFF.

reportlab (checked: 4.2 to 5.1) writes each TrueType subset's ToUnicode CMap with
``"<%02X> <%04X>" % (code, unicode)`` in ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap``. For
U+20BB7 (𠮷) that gives ``<15> <20BB7>``: five hex digits, which a reader takes as the UTF-16 code
unit 0x20BB followed by a stray nibble, so pdftotext, mutool and pdfplumber extract "₻" and pypdf
warns ``Odd-length string``. The PDF spec (ToUnicode, ``bfchar`` destinations) wants UTF-16BE:
``<15> <D842DFB7>``.

``TTFont.addObjects`` looks the function up as a module global at call time, so replacing that
global is the smallest fix: the replacement writes exactly the same bytes for BMP characters and a
surrogate pair for the others. The same replacement also splits the mappings into blocks of at most
100 (the CMap limit for ``beginbfchar``; reportlab writes one block of up to 256, and Ghostscript's
pdfwrite then drops the whole CMap, so reprocessed PDFs lose their text).

``SUBSETN`` (the ``AAAAAA+`` tag of every subset font name) is replaced too: reportlab numbers the
subsets of each font from 0, so every PDF and every font had the same tag, and tools that merge or
cache fonts by name mix them up. The tag is now six letters derived from a hash of the face name and
the subset's characters (still deterministic: same font and text, same tag). ``TTFont.addObjects`` is
wrapped to tell the tag function which font and subset it is naming. It is all installed by
``brief.fonts`` before any font is registered, once; ``apply()`` checks the internals it relies on
and raises when an upgrade moved them (the
pyproject pins ``reportlab>=4.2,<5.2``; tests/test_fonts.py runs this check).
"""

from __future__ import annotations

import hashlib
import inspect
import threading
from typing import Any

_MARK = "_brief_utf16_fix"
CMAP_BLOCK = 100  # PDF/PostScript CMap limit on entries per beginbfchar/beginbfrange block
_naming = threading.local()  # the font addObjects is naming: (face name, its subsets)


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ``makeToUnicodeCMap`` with UTF-16BE destinations (surrogate pairs above U+FFFF)."""
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
        lines.extend(f"<{start + i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(chunk))
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
    from reportlab.pdfbase import ttfonts

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


def check() -> None:
    """Raise RuntimeError if reportlab no longer has the internals this fix replaces."""
    from reportlab.pdfbase import ttfonts

    original = getattr(ttfonts, "makeToUnicodeCMap", None)
    if original is None or not callable(original):
        raise RuntimeError("reportlab.pdfbase.ttfonts.makeToUnicodeCMap is gone: revisit brief/fonts/rlpatch.py")
    params = list(inspect.signature(original).parameters)
    if params != ["fontname", "subset"]:
        raise RuntimeError(f"reportlab makeToUnicodeCMap{tuple(params)} changed: revisit brief/fonts/rlpatch.py")
    add_objects = getattr(getattr(ttfonts, "TTFont", None), "addObjects", None)
    add_objects = getattr(add_objects, "__wrapped__", add_objects)  # reportlab's, once apply() ran
    if add_objects is None or "makeToUnicodeCMap" not in add_objects.__code__.co_names:
        raise RuntimeError("reportlab TTFont.addObjects no longer calls makeToUnicodeCMap: "
                           "revisit brief/fonts/rlpatch.py")
    if "SUBSETN" not in add_objects.__code__.co_names or not callable(getattr(ttfonts, "SUBSETN", None)):
        raise RuntimeError("reportlab TTFont.addObjects no longer names subsets with SUBSETN: "
                           "revisit brief/fonts/rlpatch.py")


def apply() -> None:
    """Install the fix (idempotent)."""
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, _MARK, False):
        return
    check()
    ttfonts._brief_original_makeToUnicodeCMap = ttfonts.makeToUnicodeCMap  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    ttfonts._brief_original_SUBSETN = ttfonts.SUBSETN  # type: ignore[attr-defined]
    ttfonts.SUBSETN = subset_tag
    ttfonts.TTFont.addObjects = _wrap_add_objects(ttfonts.TTFont.addObjects)


def original():  # type: ignore[no-untyped-def]
    """reportlab's own function (for the test that BMP output is unchanged)."""
    from reportlab.pdfbase import ttfonts

    return getattr(ttfonts, "_brief_original_makeToUnicodeCMap", ttfonts.makeToUnicodeCMap)
