"""A font's cached facts are filed under the stamp of the bytes they were read from: a file put in
the font's place while it is parsed lends its stamp to nothing (fonts/faces.py, fonts/pdf.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import brief.fonts as fonts
from brief.fonts import config, faces
from brief.fonts import pdf as fpdf


@pytest.fixture
def font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    body = fonts.resolve()["body"]
    source = fonts.converted_path(body) if body.cff else Path(body.path)
    if not body.cff and body.index:
        pytest.skip("the body font is one face of a collection")
    copy = tmp_path / "font.ttf"
    shutil.copyfile(source, copy)
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    fonts.forget()
    yield copy
    fonts.forget()


def test_facts_of_a_font_changed_during_the_parse_are_not_filed(font: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = fpdf._rl_entry(str(font), 0)
    parse = fpdf.TTFontFace

    def changed_meanwhile(*args: object, **kwargs: object) -> object:
        face = parse(*args, **kwargs)
        os.utime(font, ns=(10**18, 10**18))  # as far as the stamp goes, another file is there now
        return face

    monkeypatch.setattr(fpdf, "TTFontFace", changed_meanwhile)
    facts = fpdf._rl_file(str(font), 0)
    assert not before.exists()  # not filed under the old stamp
    assert not fpdf._rl_entry(str(font), 0).exists()  # nor under the new one, unparsed
    assert facts.ps_name == bytes(parse(str(font)).name).decode("ascii")


def test_a_face_snapshot_takes_the_stamp_of_the_open_file(font: Path) -> None:
    data, st = faces.map_file(str(font))
    os.utime(font, ns=(10**18, 10**18))  # changed after the bytes were mapped
    assert faces._entry(str(font), 0, st) != faces._entry(str(font), 0, os.stat(font))
    assert st.st_mtime_ns != 10**18
    del data


def widths_of(path: Path, text: str) -> list[float]:
    face = faces.TTFontFace.__new__(faces.TTFontFace)
    faces.load_face(face, str(path), 0)
    return [face.charWidths[ord(ch)] for ch in text]


def test_a_font_rewritten_in_place_with_its_old_size_and_mtime_is_read_afresh(font: Path) -> None:
    import struct

    from fontTools.ttLib import TTFont

    before = widths_of(font, "17")  # snapshot made
    st = os.stat(font)
    tt = TTFont(str(font), lazy=True)
    gid = tt.getGlyphOrder().index(tt.getBestCmap()[ord("1")])
    offset = tt.reader.tables["hmtx"].offset + 4 * gid
    tt.close()
    data = bytearray(font.read_bytes())
    advance = struct.unpack_from(">H", data, offset)[0]
    struct.pack_into(">H", data, offset, advance * 2)
    with open(font, "r+b") as fh:  # in place, same size; the old mtime put back
        fh.write(data)
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(font).st_size, os.stat(font).st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    after = widths_of(font, "17")
    assert after == [before[0] * 2, before[1]] == [faces.TTFontFace(str(font)).charWidths[ord(c)] for c in "17"]
