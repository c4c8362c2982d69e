"""Byte-stable DOCX packages: python-docx's parts, zipped once with fixed metadata (checks.md §3);
and a template's package read once, opened per brief. The one module that uses python-docx's
``docx.opc`` internals (checked against python-docx 1.2 by tests/writers/docx)."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import OpcPackage, Unmarshaller
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI, PackURI
from docx.opc.part import PartFactory
from docx.opc.pkgreader import PackageReader
from docx.opc.pkgwriter import _ContentTypesItem
from docx.package import Package

# Every entry as zipfile.ZipFile.writestr writes it into a seekable file (Python 3.11-3.13): version
# 2.0, no flags (but UTF-8 for a non-ASCII name), deflated by zlib's default level, dated 1980-01-01 00:00, made on Unix
# (3) with mode 0644, no extra fields or comments. Written here, the template's parts are deflated
# once per process and each entry costs a few struct.pack calls instead of zipfile's bookkeeping
# (1 ms a brief); tests/writers/docx checks the bytes against zipfile's.
_LOCAL = struct.Struct(zipfile.structFileHeader)
_CENTRAL = struct.Struct(zipfile.structCentralDir)
_END = struct.Struct(zipfile.structEndArchive)
_VERSION = 20
_DEFLATED = zipfile.ZIP_DEFLATED
_DOSDATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01
_DOSTIME = 0
_UNIX = 3
_UTF8 = 0x800  # the flag of a name in UTF-8
_MODE = 0o644 << 16


def _deflate(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate at zlib's default level) of ``data``, as zipfile compresses it."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


# The parts every brief copies from the template (styles, theme, settings, footers, a watermark's
# headers): a pure function of their bytes, so the memo never changes what is written.
_template_part = functools.lru_cache(maxsize=64)(_deflate)


def zip_bytes(entries: Iterable[tuple[str, bytes, bool]]) -> bytes:
    """A zip of (name, data, shared) entries in order, byte for byte what ``zipfile.ZipFile(out, "w")``
    with ``writestr`` writes for them; ``shared``: data many files hold (deflated once per process)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, shared in entries:
        crc, packed = (_template_part if shared else _deflate)(data)
        encoded, flags = (name.encode("ascii"), 0) if name.isascii() else (name.encode("utf-8"), _UTF8)
        local = _LOCAL.pack(zipfile.stringFileHeader, _VERSION, 0, flags, _DEFLATED, _DOSTIME, _DOSDATE, crc,
                            len(packed), len(data), len(encoded), 0)
        central.append(_CENTRAL.pack(zipfile.stringCentralDir, _VERSION, _UNIX, _VERSION, 0, flags, _DEFLATED, _DOSTIME,
                                     _DOSDATE, crc, len(packed), len(data), len(encoded), 0, 0, 0, 0, _MODE, offset)
                       + encoded)
        out += (local, encoded, packed)
        offset += len(local) + len(encoded) + len(packed)
    directory = b"".join(central)
    out += (directory, _END.pack(zipfile.stringEndArchive, 0, 0, len(central), len(central), len(directory), offset, 0))
    return b"".join(out)


def package_bytes(package: OpcPackage, blobs: Mapping[str, bytes] | None = None) -> bytes:
    """What ``package.save()`` writes, with every entry dated 1980-01-01 and mode 0644.

    python-docx stamps each entry with the current time, the only difference between two runs;
    writing the entries here (same parts, same order as ``PackageWriter.write``) makes the bytes
    depend on the content alone, in one pass instead of saving and rewriting the zip. ``blobs``: a
    part's bytes by partname, written instead of its own (the document, whose body is text).
    """
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    entries = [(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob, False),
               (PACKAGE_URI.rels_uri.membername, _utf8(package.rels.xml), False)]
    main = package.main_document_part
    for part in parts:
        blob = blobs.get(part.partname) if blobs else None
        # the template's own parts: not the document, its core properties or a picture
        shared = (part is not main and part.partname != "/docProps/core.xml"
                  and not part.content_type.startswith("image/"))
        entries.append((part.partname.membername, part.blob if blob is None else blob, shared))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, _utf8(part.rels.xml), False))
    return zip_bytes(entries)


def _utf8(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def read_package(blob: bytes) -> PackageReader:
    """A .docx file's parts as python-docx reads them from the zip (each part's bytes and
    relationships), to open any number of documents from without unzipping it again."""
    return PackageReader.from_file(io.BytesIO(blob))


class _Rel:
    """A relationship as Unmarshaller reads it from a PackageReader's serialized one (a plain class:
    a NamedTuple costs 0.2 ms to make at import)."""

    __slots__ = ("rId", "reltype", "target_ref", "is_external", "target_partname")

    def __init__(self, rid: str, reltype: str, target_ref: str, is_external: bool, target_partname: PackURI | None):
        self.rId = rid
        self.reltype = reltype
        self.target_ref = target_ref
        self.is_external = is_external
        self.target_partname = target_partname


def reader_values(reader: PackageReader) -> tuple[list[Any], list[Any]]:
    """``reader``'s parts (partname, content type, reltype, bytes) and relationships (source,
    rId, reltype, target, external) as plain values, to keep between runs (template.py)."""
    parts = [(str(name), content_type, reltype, blob) for name, content_type, reltype, blob in reader.iter_sparts()]
    rels = [(str(source), rel.rId, rel.reltype, rel.target_ref, rel.is_external) for source, rel in reader.iter_srels()]
    return parts, rels


class KeptReader:
    """A package's parts and relationships from ``reader_values``, handed to python-docx's
    Unmarshaller as a PackageReader hands them (iter_sparts, iter_srels): no zip to read, no
    relationship XML to parse (1.2 ms of a fresh process)."""

    def __init__(self, parts: list[Any], rels: list[Any]) -> None:
        self._parts = [(PackURI(name), content_type, reltype, blob) for name, content_type, reltype, blob in parts]
        self._rels = []
        for source, rid, reltype, target, external in rels:
            uri = PACKAGE_URI if source == "/" else PackURI(source)
            partname = None if external else PackURI.from_rel_ref(uri.baseURI, target)
            self._rels.append((uri, _Rel(rid, reltype, target, external, partname)))

    def iter_sparts(self) -> Iterator[tuple[PackURI, str, str, bytes]]:
        return iter(self._parts)

    def iter_srels(self) -> Iterator[tuple[PackURI, _Rel]]:
        return iter(self._rels)


def open_document(reader: PackageReader | KeptReader) -> DocxDocument:
    """A new python-docx document of ``reader``'s parts, as ``docx.Document(file)`` makes it
    (``OpcPackage.open`` with the zip already read): each part parsed afresh from its bytes."""
    package = Package()
    Unmarshaller.unmarshal(reader, package, PartFactory)
    part = package.main_document_part
    if part.content_type != CT.WML_DOCUMENT_MAIN:
        raise ValueError(f"not a Word document: content type {part.content_type}")
    return part.document  # type: ignore[attr-defined]
