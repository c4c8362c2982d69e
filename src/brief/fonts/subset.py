"""A subset font file, byte for byte as reportlab's ``TTFontFile.makeSubset`` makes it, in less time.

reportlab walks every glyph of a subset through its parser (``seek``, ``read_short`` ...) to find
composite glyphs, then again to copy and renumber them: about a tenth of a brief's PDF time for its
four or five subsets. Here what a glyph refers to is worked out once per process and face
(``_glyph``) and the tables are built from lists; the file is assembled by reportlab's own
``TTFontMaker``. ``SAME`` holds only for the makeSubset whose source this was written from (reportlab
5.1); any other version keeps reportlab's (fonts/pdf.py checks ``SAME``), and
tests/writers/pdf/test_pdf_same_bytes.py compares both on every role font.
"""

from __future__ import annotations

import hashlib
import inspect
from struct import pack, unpack_from
from typing import Any

from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFontMaker,
)

from .rlcompat import face_data

# sha256 of the source of the makeSubset this module reproduces (reportlab 5.1.0)
_SOURCE = "25b6baf3779417677387739826a917c80eabe26c5cb8d271c3c777bdd2cbc6b2"


def _same() -> bool:
    """Whether reportlab's makeSubset is the one reproduced here. Without its source (an install
    of .pyc files only, a frozen app) it cannot be told: reportlab's own is used."""
    try:
        source = inspect.getsource(ttfonts.TTFontFile.makeSubset)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == _SOURCE


SAME = _same()


def _set_ushort(table: bytes, at: int, value: int) -> bytes:
    """``table`` with the unsigned short at ``at`` replaced (reportlab's ``_set_ushort``)."""
    return table[:at] + pack(">H", value) + table[at + 2:]


GLYPHS_KEPT = 4096  # per face: a build's briefs use a few thousand 汉字 (a few MB of outlines)


def _components(data: Any, at: int) -> tuple[tuple[int, int], ...]:
    """(offset in the glyph of its glyph index, that index) of each part of the composite glyph at
    ``at``, read as makeSubset reads them."""
    out = []
    pos = 10
    flags = GF_MORE_COMPONENTS
    while flags & GF_MORE_COMPONENTS:
        flags, index = unpack_from(">HH", data, at + pos)
        out.append((pos + 2, index))
        pos += 4
        pos += 4 if flags & GF_ARG_1_AND_2_ARE_WORDS else 2
        if flags & GF_WE_HAVE_A_SCALE:
            pos += 2
        elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
            pos += 8
    return tuple(out)


def _glyph(face: Any, memo: dict[int, tuple], start: int, index: int) -> tuple:
    """(its bytes, its parts: (offset, glyph index) each, whether makeSubset renumbers them, its
    length in the loca table) of glyph ``index``, remembered per face."""
    got = memo.get(index)
    if got is None:
        if len(memo) >= GLYPHS_KEPT:
            memo.clear()
        data = face_data(face)
        pos = face.glyphPos[index]
        length = face.glyphPos[index + 1] - pos
        parts: tuple[tuple[int, int], ...] = ()
        if length and unpack_from(">h", data, start + pos)[0] < 0:
            parts = _components(data, start + pos)
        # makeSubset's glyf loop renumbers a composite of more than 2 bytes (its scan follows any)
        got = memo[index] = (bytes(data[start + pos:start + pos + length]), parts, length > 2 and bool(parts),
                             length)
    return got


def make_subset(face: Any, subset: list[int]) -> bytes:
    """``face.makeSubset(subset)``'s bytes (reportlab's TTFontFile.makeSubset, step by step)."""
    output = TTFontMaker()
    memo = face.__dict__.setdefault("_glyph_memo", {})
    start = face.get_table_pos("glyf")[0]
    char_to_glyph = face.charToGlyph

    glyph_map = [0]  # new glyph index -> old glyph index
    glyph_set = {0: 0}  # old glyph index -> new glyph index
    code_to_glyph = {}  # unicode -> new glyph index
    for code in subset:
        try:  # a plain dict read in C (fonts/faces.PackedMap makes an entry on its first read)
            original = char_to_glyph[code]
        except KeyError:
            original = 0
        if original not in glyph_set:
            glyph_set[original] = len(glyph_map)
            glyph_map.append(original)
        code_to_glyph[code] = glyph_set[original]

    # the glyphs composite glyphs are made of, in the order makeSubset finds them
    glyphs = []  # each glyph's _glyph record, in glyph_map's order
    n = 0
    while n < len(glyph_map):
        record = _glyph(face, memo, start, glyph_map[n])
        glyphs.append(record)
        for _, part in record[1]:
            if part not in glyph_set:
                glyph_set[part] = len(glyph_map)
                glyph_map.append(part)
        n += 1

    for tag in ("name", "OS/2", "cvt ", "fpgm", "prep"):
        try:
            output.add(tag, face.get_table(tag))
        except KeyError:
            pass  # optional tables (cvt, fpgm, prep); the required ones were checked on loading
    output.add("post", b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16)

    num_glyphs = len(glyph_map)
    hmetrics = face.hmetrics
    hmtx: list[int] = []
    for g in glyph_map:
        aw, lsb = hmetrics[g]
        hmtx.append(int(aw))
        hmtx.append(int(lsb))
    n = len(hmtx) - 2
    while n and hmtx[n] == hmtx[n - 2]:  # a run of equal advances at the end is written once
        n -= 2
    n += 2
    number_of_hmetrics = n >> 1
    hmtx = hmtx[:n] + hmtx[n + 1::2]
    output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
    output.add("hhea", _set_ushort(face.get_table("hhea"), 34, number_of_hmetrics))
    output.add("maxp", _set_ushort(face.get_table("maxp"), 4, num_glyphs))

    entries = len(subset)
    cmap = [0, 1, 1, 0, 0, 12, 6, 10 + entries * 2, 0, 0, entries, *map(code_to_glyph.get, subset)]
    output.add("cmap", pack(f">{len(cmap)}H", *cmap))

    offsets = []
    glyf = []
    pos = 0
    for data, parts, renumber, length in glyphs:
        offsets.append(pos)
        if renumber:
            for at, part in parts:
                data = data[:at] + pack(">H", glyph_set[part]) + data[at + 2:]
        glyf.append(data)
        pos += length
        if pos % 4:
            padding = 4 - pos % 4
            glyf.append(b"\0" * padding)
            pos += padding
    offsets.append(pos)
    output.add("glyf", b"".join(glyf))

    if (pos + 1) >> 1 > 0xFFFF:
        index_to_loc_format = 1  # long offsets
        loca = pack(f">{len(offsets)}L", *offsets)
    else:
        index_to_loc_format = 0
        loca = pack(f">{len(offsets)}H", *[offset >> 1 for offset in offsets])
    output.add("loca", loca)
    output.add("head", _set_ushort(face.get_table("head"), 50, index_to_loc_format))
    return output.makeStream()
