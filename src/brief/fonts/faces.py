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

The four big tables (``charToGlyph``, ``charWidths``, ``hmetrics``, one entry per character or glyph:
up to 45,000 of each in a CJK face) are kept as packed arrays (``array`` bytes), not as Python
objects: a brief uses ~600 characters of a face, and unpacking every entry cost a cold start ~25 ms
(and its first collector pass ~10 ms more). ``PackedMap`` turns an entry into a Python object the
first time reportlab reads it; ``glyphPos`` is an ``array`` as it is.
"""

from __future__ import annotations

import marshal
import mmap
import os
import stat
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any

from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

from ..outdir import atomic_write
from .cache import cache_dir, content_stamp, digest, sealed, unsealed
from .rlcompat import FACE_PRIVATE, face_data, set_face_data

VERSION = 3  # 2: sealed with a CRC-32 (cache.sealed); 3: the big tables packed
_NOT_KEPT = FACE_PRIVATE | {"glyphToChar"}
PACKED = ("charToGlyph", "charWidths", "hmetrics", "glyphPos")
_ABSENT = object()


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


# who may write to a font that is mapped (Windows: None, no owners; a mapped file cannot be cut short there)
_WRITERS = (0, os.getuid()) if hasattr(os, "getuid") else None


def map_file(path: str) -> tuple[Any, os.stat_result]:
    """The file's bytes, mapped read-only (shared between processes), or read when it cannot be
    mapped; and the stat of that same open file (what the snapshot of these bytes is filed under).
    Mapped only when no one but the user or root may write to it: a mapped file cut short in place
    stops the process with SIGBUS, and that should be a thing only its owner can do to themselves
    (a font another user may write to is read into memory instead)."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if _WRITERS is not None and (st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or st.st_uid not in _WRITERS):
            return fh.read(), st
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), st
        except (OSError, ValueError):  # an empty file, or a file system without mmap
            return fh.read(), st


# -- packed tables ------------------------------------------------------------------------------------

Packed = tuple[str, bytes, bytes]  # (array typecode, the array's bytes, which entries were ints: b"" = all as stored)


def pack(values: list[Any]) -> Packed | None:
    """Numbers as the smallest array that holds them exactly, or None for anything else. reportlab
    mixes ints and floats in one table (``hmetrics``: the advances after ``numberOfHMetrics`` are
    scaled): such a table is kept as doubles with a mask of which were ints, and read back as it was."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        low, high = (min(values), max(values)) if values else (0, 0)
        code = "H" if 0 <= low and high < 1 << 16 else "I" if 0 <= low and high < 1 << 32 else "q"
        try:
            return code, array(code, values).tobytes(), b""
        except OverflowError:
            return None
    if kinds <= {int, float}:
        if any(type(v) is int and abs(v) >= 1 << 53 for v in values):
            return None  # not exact as a double
        ints = bytes(type(v) is int for v in values) if int in kinds else b""
        return "d", array("d", values).tobytes(), ints
    return None


def unpack(packed: Packed) -> tuple[Callable[[int], Any], int]:
    """``values.__getitem__`` of the list ``pack`` was given, and its length (ValueError or
    TypeError on anything ``pack`` does not write)."""
    code, data, ints = packed
    if code not in ("H", "I", "q", "d") or type(data) is not bytes or type(ints) is not bytes:
        raise ValueError("not a packed table")
    values = array(code)
    values.frombytes(data)
    if not ints:
        return values.__getitem__, len(values)
    if code != "d" or len(ints) != len(values):
        raise ValueError("mask and values differ")
    return (lambda i: int(values[i]) if ints[i] else values[i]), len(values)


def unpack_array(packed: Packed) -> array:  # type: ignore[type-arg]
    """A packed list of ints as an ``array`` (indexed in C)."""
    code, data, ints = packed
    if code not in ("H", "I", "q") or type(data) is not bytes or ints != b"":
        raise ValueError("not a packed list of ints")
    values = array(code)
    values.frombytes(data)
    return values


class PackedMap(dict):  # type: ignore[type-arg]
    """A read-only ``dict`` of reportlab's (code point or glyph index -> value) over packed arrays:
    each entry becomes a Python object the first time it is read and is then a plain dict entry
    (read in C). ``len``, ``in``, iteration and ``==`` see every entry, as on reportlab's dict."""

    __slots__ = ("_keys", "_count", "_value")

    def __init__(self, keys: array | None, count: int, value: Callable[[int], Any]) -> None:  # type: ignore[type-arg]
        super().__init__()
        self._keys, self._count, self._value = keys, count, value  # keys None: the key is the index

    def _fetch(self, key: Any) -> Any:
        """The value of ``key`` made a plain entry, or ``_ABSENT`` when the table has no such key."""
        if type(key) is not int:
            return _ABSENT
        keys = self._keys
        if keys is None:
            if not 0 <= key < self._count:
                return _ABSENT
            i = key
        else:
            i = bisect_left(keys, key)
            if i == self._count or keys[i] != key:
                return _ABSENT
        value = self[key] = self._value(i)
        return value

    def __missing__(self, key: Any) -> Any:
        value = self._fetch(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._fetch(key) is not _ABSENT

    def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        value = dict.get(self, key, _ABSENT)
        if value is _ABSENT:
            value = self._fetch(key)
        return default if value is _ABSENT else value

    def __len__(self) -> int:
        return self._count

    def _all_keys(self) -> Iterator[Any]:
        return iter(range(self._count) if self._keys is None else self._keys)

    def __iter__(self) -> Iterator[Any]:
        return self._all_keys()

    def keys(self):  # type: ignore[no-untyped-def, override]
        return list(self._all_keys())

    def items(self):  # type: ignore[no-untyped-def, override]
        return [(key, self._value(i)) for i, key in enumerate(self._all_keys())]

    def values(self):  # type: ignore[no-untyped-def, override]
        return [self._value(i) for i in range(self._count)]

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return dict, (self.items(),)  # a copy (deepcopy, pickle) is reportlab's plain dict


class PackedList(PackedMap):
    """``hmetrics``: reportlab's list of (advance, left side bearing) per glyph, read by index."""

    __slots__ = ()

    def __init__(self, count: int, value: Callable[[int], Any]) -> None:
        super().__init__(None, count, value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())

    def __eq__(self, other: object) -> bool:
        return self.values() == other

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return list, (self.values(),)


class Widths(PackedMap):
    """``charWidths``: a code point the face lacks reads as its ``defaultWidth`` (reportlab's
    ``getCharWidth``), and ``cover`` makes the characters of a text plain entries first, for
    reportlab's C ``stringWidth``, which reads the dict itself (an entry not made yet would read as
    the default width)."""

    __slots__ = ("default", "_seen")

    def __init__(self, keys: array, count: int, value: Callable[[int], Any], default: Any) -> None:  # type: ignore[type-arg]
        super().__init__(keys, count, value)
        self.default = default
        self._seen: set[str] = set()

    def __missing__(self, key: Any) -> Any:
        value = self._fetch(key)
        return self.default if value is _ABSENT else value

    def cover(self, text: str) -> None:
        seen = self._seen
        if not seen.issuperset(text):
            for ch in set(text).difference(seen):
                self[ord(ch)]  # noqa: B018 - made an entry when the face has it
            seen.update(text)


def _pack_tables(state: dict[str, Any]) -> dict[str, Any]:
    """The big tables of ``state``, packed and taken out of it; {} (and ``state`` as it was) when
    one of them holds what ``pack`` cannot keep exactly."""
    cmap, widths, hmetrics, pos = (state.get(k) for k in PACKED)
    if not (type(cmap) is dict and type(widths) is dict and type(hmetrics) is list and type(pos) is list):
        return {}
    if not all(type(m) is tuple and len(m) == 2 for m in hmetrics):
        return {}
    codes, width_codes = sorted(cmap), sorted(widths)
    tables = {
        "codes": pack(codes),
        "glyphs": pack([cmap[c] for c in codes]),
        "width_codes": pack(width_codes),
        "widths": pack([widths[c] for c in width_codes]),
        "advances": pack([m[0] for m in hmetrics]),
        "bearings": pack([m[1] for m in hmetrics]),
        "positions": pack(pos),
    }
    if any(v is None for v in tables.values()) or tables["codes"][0] == "d" or tables["width_codes"][0] == "d":
        return {}
    if tables["positions"][0] == "d":
        return {}
    if width_codes == codes:
        tables["width_codes"] = None  # the usual case: one list of code points for both
    tables["hmetrics"] = len(hmetrics)
    for key in PACKED:
        del state[key]
    return tables


def _unpack_tables(state: dict[str, Any], tables: dict[str, Any]) -> None:
    """The packed tables back into ``state`` as ``PackedMap``s and an ``array`` (ValueError,
    KeyError or TypeError on anything ``_pack_tables`` does not write). The keys' order is not
    checked (a millisecond a face): the entry is sealed and the user's own, and written sorted."""
    if not tables:
        return
    codes = unpack_array(tables["codes"])
    width_codes = codes if tables["width_codes"] is None else unpack_array(tables["width_codes"])
    glyphs, n_glyphs = unpack(tables["glyphs"])
    widths, n_widths = unpack(tables["widths"])
    advances, n_advances = unpack(tables["advances"])
    bearings, n_bearings = unpack(tables["bearings"])
    count = tables["hmetrics"]
    if (n_glyphs, n_widths, n_advances, n_bearings) != (len(codes), len(width_codes), count, count):
        raise ValueError("packed tables differ in length")
    state["charToGlyph"] = PackedMap(codes, len(codes), glyphs)
    state["charWidths"] = Widths(width_codes, len(width_codes), widths, state["defaultWidth"])
    state["hmetrics"] = PackedList(count, lambda g: (advances(g), bearings(g)))
    state["glyphPos"] = unpack_array(tables["positions"])


def _scale(units_per_em: int):  # type: ignore[no-untyped-def]
    """reportlab's font-unit → 1/1000 em conversion, as ``extractInfo`` builds it."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _entry(path: str, index: int, st: os.stat_result):  # type: ignore[no-untyped-def]
    import reportlab

    # marshal's format belongs to the Python version: each version keeps its own entries
    # (and the arrays' byte order to the machine)
    key = digest("face", VERSION, reportlab.Version, list(sys.version_info[:2]), sys.byteorder,
                 content_stamp(path, st), index)
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
    tables = _pack_tables(state)
    return marshal.dumps((VERSION, state, names, tables))


def _load(blob: bytes) -> dict[str, Any] | None:
    """The face's ``__dict__`` from a snapshot, or None when it is not one this version writes."""
    try:
        version, state, names, tables = marshal.loads(blob)
        if version != VERSION or type(state) is not dict or type(names) is not dict or type(tables) is not dict:
            return None
        if "unitsPerEm" not in state:
            return None
        for key, (raw, text) in names.items():
            value = TTFNameBytes(raw)
            value.ustr = text
            state[key] = value
        _unpack_tables(state, tables)
    except (ValueError, EOFError, TypeError, KeyError):
        return None
    return state


def load_face(face: TTFontFace, path: str, index: int, *, fresh: bool = False) -> None:
    """Fill ``face`` (a fresh ``TTFontFace`` whose ``__init__`` has not run) from ``path``'s face
    ``index``. ``fresh``: parse the file and rewrite the snapshot, whatever the cache holds."""
    data, st = map_file(path)
    entry = _entry(path, index, st)
    blob = None if fresh else unsealed(entry)
    state = _load(blob) if blob is not None else None
    if state is None:
        TTFontFace.__init__(face, _MappedFile(path, data), subfontIndex=index)
        blob = _dump(face)
        try:
            atomic_write(entry, sealed(blob))
        except OSError:
            pass  # a read-only cache dir: parse again next time
        face.__dict__.pop("glyphToChar", None)  # the same face either way, and a few MB lighter
        face.__dict__.update(_load(blob) or {})  # its tables packed, as the next run reads them
        set_face_data(face, data)
        return
    face.__dict__.update(state)
    set_face_data(face, data, _scale(state["unitsPerEm"]))


def glyph_table(face: TTFontFace) -> GlyphTable:
    pos, length = face.get_table_pos("glyf")
    return GlyphTable(face_data(face), pos, length)
