"""Byte-stable DOCX packages: python-docx's parts, zipped once with fixed metadata (checks.md §3);
and a template's package read once, opened per brief. The one module that uses python-docx's
``docx.opc`` internals (checked against python-docx 1.2 by tests/writers/docx)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import OpcPackage, Unmarshaller
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.part import PartFactory
from docx.opc.pkgreader import PackageReader
from docx.opc.pkgwriter import _ContentTypesItem
from docx.package import Package

_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o644 << 16


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _MODE
    info.create_system = 3  # the default depends on the platform
    return info


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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_entry(CONTENT_TYPES_URI.membername), _ContentTypesItem.from_parts(parts).blob)
        zf.writestr(_entry(PACKAGE_URI.rels_uri.membername), package.rels.xml)
        for part in parts:
            blob = blobs.get(part.partname) if blobs else None
            zf.writestr(_entry(part.partname.membername), part.blob if blob is None else blob)
            if len(part.rels):
                zf.writestr(_entry(part.partname.rels_uri.membername), part.rels.xml)
    return out.getvalue()


def read_package(blob: bytes) -> PackageReader:
    """A .docx file's parts as python-docx reads them from the zip (each part's bytes and
    relationships), to open any number of documents from without unzipping it again."""
    return PackageReader.from_file(io.BytesIO(blob))


def open_document(reader: PackageReader) -> DocxDocument:
    """A new python-docx document of ``reader``'s parts, as ``docx.Document(file)`` makes it
    (``OpcPackage.open`` with the zip already read): each part parsed afresh from its bytes."""
    package = Package()
    Unmarshaller.unmarshal(reader, package, PartFactory)
    part = package.main_document_part
    if part.content_type != CT.WML_DOCUMENT_MAIN:
        raise ValueError(f"not a Word document: content type {part.content_type}")
    return part.document  # type: ignore[attr-defined]
