"""fonts/faces.py's packed tables: a face snapshot's big tables are read entry by entry, as used,
and read back exactly as reportlab made them (ints stay ints, floats floats)."""

from __future__ import annotations

import copy
import os
import pickle

import pytest
from reportlab.pdfbase.ttfonts import TTFontFace

from brief.fonts import config, faces

UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
needs_uming = pytest.mark.skipif(not os.path.isfile(UMING), reason="fonts-arphic-uming missing")


def test_pack_keeps_each_number_as_it_was():
    for values in ([], [0, 1, 65535], [0, 70000], [-3, 2**40], [0.5, 1024.0], [512, 500.0, 3]):
        packed = faces.pack(values)
        assert packed is not None
        get, n = faces.unpack(packed)
        back = [get(i) for i in range(n)]
        assert back == values and list(map(type, back)) == list(map(type, values)), values
    assert faces.pack([1, "a"]) is None and faces.pack([2**70]) is None and faces.pack([2**60, 0.5]) is None
    assert faces.pack([1, 2])[0] == "H" and faces.pack([1, 2**20])[0] == "I"
    with pytest.raises(ValueError):
        faces.unpack(("x", b"", b""))
    with pytest.raises(ValueError):
        faces.unpack(("d", bytes(16), b"\x01"))  # a mask that does not fit the values


def _map(plain: dict[int, int]) -> faces.PackedMap:
    keys = sorted(plain)
    get, n = faces.unpack(faces.pack([plain[k] for k in keys]))
    return faces.PackedMap(faces.unpack_array(faces.pack(keys)), n, get)


def test_packed_map_reads_like_reportlabs_dict_and_makes_only_what_is_read():
    plain = {32: 3, 160: 3, 0x4E2D: 700, 0x6C5F: 701}
    packed = _map(plain)
    assert dict.__len__(packed) == 0  # nothing made yet
    assert packed[0x4E2D] == 700 and 0x6C5F in packed and packed.get(160) == 3
    assert 0x4E2E not in packed and packed.get(0x4E2E, -1) == -1 and "a" not in packed
    with pytest.raises(KeyError):
        packed[1]
    assert dict.__len__(packed) == 3  # only what was read, kept as plain entries (read in C after)
    assert len(packed) == 4 and bool(packed) and sorted(packed) == sorted(plain) and packed == plain
    assert dict(packed.items()) == plain and copy.deepcopy(packed) == plain
    assert pickle.loads(pickle.dumps(packed)) == plain


def test_widths_default_and_cover():
    codes = faces.unpack_array(faces.pack([0x41, 0x4E2D]))
    get, n = faces.unpack(faces.pack([600, 1000]))
    widths = faces.Widths(codes, n, get, 500)
    assert widths[0x41] == 600 and widths[0x42] == 500  # a code the face lacks: its default width
    assert 0x42 not in widths  # ... without becoming an entry
    widths.cover("中A中?")
    assert dict.get(widths, 0x4E2D) == 1000 and dict.get(widths, ord("?")) is None


@needs_uming
def test_a_face_from_its_snapshot_makes_only_the_entries_a_text_uses(tmp_path, monkeypatch):
    """Measuring and subsetting a few characters of a 24,000-character face makes a few dozen
    entries of its tables, and gives what reportlab's full parse gives."""
    from brief.fonts.pdf import BriefTTFont

    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    parsed = TTFontFace(UMING, subfontIndex=0)
    text = "— 12 —援疆工作简报ÀÇ"
    for run in ("writes the snapshot", "reads it"):
        font = BriefTTFont("brief-test-uming", UMING, 0, bytes(parsed.name).decode("ascii"))
        width = font.stringWidth(text, 10)
        assert width == sum(parsed.charWidths.get(ord(c), parsed.defaultWidth) for c in text) * 10 / 1000, run
        subset = [ord(c) for c in text]
        assert font.face.makeSubset(subset) == parsed.makeSubset(subset), run
        face = font.face
        assert type(face.charToGlyph) is faces.PackedMap and type(face.charWidths) is faces.Widths
        assert len(face.charToGlyph) == len(parsed.charToGlyph) > 20_000
        assert dict.__len__(face.charToGlyph) < 40 and dict.__len__(face.charWidths) < 40, run
        assert dict.__len__(face.hmetrics) < 60, run
    assert len(list((tmp_path / "faces").iterdir())) == 1


def test_needs_shaping_at_the_edges_of_every_shaped_block():
    from brief.fonts.pdf import _SHAPED_BLOCKS, needs_shaping

    for first, last in _SHAPED_BLOCKS:
        assert needs_shaping(chr(first)) and needs_shaping(chr(last))
    for cp in (0x08FF, 0x0E00, 0x0EFF, 0x10A0, 0x1700, 0x18B0, 0x4E2D, 0x41):
        assert not needs_shaping(chr(cp)), hex(cp)
    assert needs_shaping("ق") and needs_shaping("א")  # right to left: Arabic (Uyghur), Hebrew


def test_the_fonttools_version_of_the_cache_keys_is_fonttools_own(monkeypatch):
    """Read from fontTools' __init__.py without importing it: the same string, or the converted
    fonts of every user would be made again (25 s)."""
    import fontTools

    from brief.fonts import convert

    convert._fonttools_version.cache_clear()
    assert convert._fonttools_version() == str(fontTools.version)
    convert._fonttools_version.cache_clear()
    monkeypatch.setattr(convert, "_FONTTOOLS_VERSION_LINE", __import__("re").compile("no such line"))
    assert convert._fonttools_version() == str(fontTools.version)  # anything else: imported and asked
    convert._fonttools_version.cache_clear()


@needs_uming
def test_a_face_whose_tables_do_not_pack_keeps_reportlabs_own(tmp_path, monkeypatch):
    from brief.fonts.pdf import BriefTTFont

    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(faces, "pack", lambda values: None)
    parsed = TTFontFace(UMING, subfontIndex=0)
    text = "援疆 12"
    for run in ("writes the snapshot", "reads it"):
        font = BriefTTFont("brief-test-uming", UMING, 0, bytes(parsed.name).decode("ascii"))
        assert font.stringWidth(text, 10) == sum(parsed.charWidths[ord(c)] for c in text) / 100, run
        assert type(font.face.charWidths) is dict and font.face.charToGlyph == parsed.charToGlyph, run
        assert font.face.getCharWidth(0x10FFFD) == parsed.defaultWidth, run
