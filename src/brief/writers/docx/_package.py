"""Byte-stable DOCX packages: fixed zip metadata (checks.md §3)."""

from __future__ import annotations

import io
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o644 << 16


def normalize_zip(blob: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, mode 0644, deflated, order kept.

    python-docx stamps each entry with the current time; that is the only difference between two
    runs, so rewriting the entries makes the bytes depend on the content alone.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = _MODE
            fixed.create_system = 3  # the default depends on the platform
            dst.writestr(fixed, src.read(info))
    return out.getvalue()
