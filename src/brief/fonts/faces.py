"""reportlab's parse of a TrueType face, kept on disk, over a memory-mapped font file.

reportlab's ``TTFontFace`` reads the whole file into a private ``bytes`` and walks its cmap, hmtx
and loca tables in Python every time a process starts: 40-80 ms a font, about 220 ms for the five
role fonts of a brief, which was a quarter of a cold ``brief render``. Here the result of that walk
(a plain dict of numbers, lists and dicts) is written once per font file with ``marshal`` and read
back in a few milliseconds; and the file itself is mapped, not read, so that every build worker
shares the same page-cache pages instead of holding its own 3-21 MB copy of each font.

``get_table("glyf")`` is the other cost: reportlab copies the whole glyph table (megabytes) for
every subset it embeds, then slices one glyph at a time out of the copy. ``GlyphTable`` hands out
those slices straight from the mapping.

The snapshot is the face's ``__dict__`` minus the file data, the read position, the scale function
(rebuilt from ``unitsPerEm``) and ``glyphToChar`` (only used while parsing). It is keyed by the
file's path, size and mtime, the face index, reportlab's and Python's versions and ``VERSION``;
anything it cannot read is simply rebuilt.
"""

from __future__ import annotations

import marshal
import mmap
import sys
from typing import Any

from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

from ..collector import collector_paused
from ..outdir import atomic_write
from .cache import cache_dir, digest, file_stamp, sealed, unsealed
from .rlcompat import FACE_PRIVATE, face_data, set_face_data

VERSION = 2  # 2: sealed with a CRC-32 (cache.sealed)
_NOT_KEPT = FACE_PRIVATE | {"glyphToChar"}


class _MappedFile:
    """What reportlab's ``readFile`` accepts instead of a path: a name and ``read()``."""

    def __init__(self, name: str, data: Any) -> None:
        self.name, self._data = name, data

    def read(self) -> Any:
        return self._data


class GlyphTable:
    """The ``glyf`` table as reportlab's ``makeSubset`` uses it: ``table[a:b]`` gives the bytes."""

    __slots__ = ("_data", "_start", "_length")

    def __init__(self, data: Any, start: int, length: int) -> None:
        self._data, self._start, self._length = data, start, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, key: slice) -> bytes:
        start, stop = (key.start, key.stop) if type(key) is slice else (None, None)
        if type(start) is int and type(stop) is int and key.step is None and 0 <= start <= stop <= self._length:
            # makeSubset's one glyph, ~300 a subset: slicing the mapping gives the bytes at once
            return bytes(self._data[self._start + start:self._start + stop])
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("GlyphTable supports contiguous slices only")
        start, stop, _ = key.indices(self._length)
        return bytes(self._data[self._start + start:self._start + max(start, stop)])


def map_file(path: str) -> Any:
    """The file's bytes, mapped read-only (shared between processes), or read when it cannot be mapped."""
    with open(path, "rb") as fh:
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file, or a file system without mmap
            return fh.read()


def _scale(units_per_em: int):  # type: ignore[no-untyped-def]
    """reportlab's font-unit → 1/1000 em conversion, as ``extractInfo`` builds it."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _entry(path: str, index: int):  # type: ignore[no-untyped-def]
    import reportlab

    # marshal's format belongs to the Python version: each version keeps its own entries
    key = digest("face", VERSION, reportlab.Version, list(sys.version_info[:2]), file_stamp(path), index)
    return cache_dir() / "faces" / f"{key}.marshal"


def _dump(face: TTFontFace) -> bytes:
    state: dict[str, Any] = {}
    names: dict[str, tuple[bytes, str]] = {}
    for key, value in face.__dict__.items():
        if key in _NOT_KEPT:
            continue
        if isinstance(value, TTFNameBytes):
            names[key] = (bytes(value), value.ustr)
        else:
            state[key] = value
    return marshal.dumps((VERSION, state, names))


def _load(blob: bytes) -> dict[str, Any] | None:
    try:
        with collector_paused():  # tens of thousands of small objects: no point scanning them as they arrive
            version, state, names = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return None
    if version != VERSION or not isinstance(state, dict) or not isinstance(names, dict) or "unitsPerEm" not in state:
        return None
    for key, (raw, text) in names.items():
        value = TTFNameBytes(raw)
        value.ustr = text
        state[key] = value
    return state


def load_face(face: TTFontFace, path: str, index: int) -> None:
    """Fill ``face`` (a fresh ``TTFontFace`` whose ``__init__`` has not run) from ``path``'s face ``index``."""
    data = map_file(path)
    entry = _entry(path, index)
    blob = unsealed(entry)
    state = _load(blob) if blob is not None else None
    if state is None:
        TTFontFace.__init__(face, _MappedFile(path, data), subfontIndex=index)
        try:
            atomic_write(entry, sealed(_dump(face)))
        except OSError:
            pass  # a read-only cache dir: parse again next time
        face.__dict__.pop("glyphToChar", None)  # the same face either way, and a few MB lighter
        set_face_data(face, data)
        return
    face.__dict__.update(state)
    set_face_data(face, data, _scale(state["unitsPerEm"]))


def glyph_table(face: TTFontFace) -> GlyphTable:
    pos, length = face.get_table_pos("glyf")
    return GlyphTable(face_data(face), pos, length)
