"""Fix reportlab's ToUnicode CMap for characters beyond U+FFFF.

reportlab (checked: 4.2 to 5.1) writes each TrueType subset's ToUnicode CMap with
``"<%02X> <%04X>" % (code, unicode)`` in ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap``. For
U+20BB7 (𠮷) that gives ``<15> <20BB7>``: five hex digits, which a reader takes as the UTF-16 code
unit 0x20BB followed by a stray nibble, so pdftotext, mutool and pdfplumber extract "₻" and pypdf
warns ``Odd-length string``. The PDF spec (ToUnicode, ``bfchar`` destinations) wants UTF-16BE:
``<15> <D842DFB7>``.

``TTFont.addObjects`` looks the function up as a module global at call time, so replacing that
global is the smallest fix: the replacement writes exactly the same bytes for BMP characters and a
surrogate pair for the others. It is installed by ``brief.fonts`` before any font is registered,
once; ``apply()`` checks the internals it relies on and raises when an upgrade moved them (the
pyproject pins ``reportlab>=4.2,<5.2``; tests/test_fonts.py runs this check).
"""

from __future__ import annotations

import inspect

_MARK = "_brief_utf16_fix"


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
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


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
    if add_objects is None or "makeToUnicodeCMap" not in add_objects.__code__.co_names:
        raise RuntimeError("reportlab TTFont.addObjects no longer calls makeToUnicodeCMap: "
                           "revisit brief/fonts/rlpatch.py")


def apply() -> None:
    """Install the fix (idempotent)."""
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, _MARK, False):
        return
    check()
    ttfonts._brief_original_makeToUnicodeCMap = ttfonts.makeToUnicodeCMap  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


def original():  # type: ignore[no-untyped-def]
    """reportlab's own function (for the test that BMP output is unchanged)."""
    from reportlab.pdfbase import ttfonts

    return getattr(ttfonts, "_brief_original_makeToUnicodeCMap", ttfonts.makeToUnicodeCMap)
