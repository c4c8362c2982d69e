"""Flate for reportlab's streams with ISA-L (``isal``) instead of zlib's default level.

A brief's PDF is mostly embedded font subsets (300-400 KB of glyph outlines), which compress
poorly; zlib at its default level spent 20 ms a brief on them, a fifth of making a brief. ISA-L's
deflate writes the same zlib format about ten times faster and, at its default level, a stream
5% larger than zlib's default (measured on the 英吉沙县 brief: 1.6 ms against 20 ms). Where the
``isal`` wheel is not available, zlib at level 1 keeps most of the gain (8 ms, 7% larger).

reportlab sends every stream (pages, font files, images) through one shared filter object,
``pdfdoc.PDFZCompress``; inside ``fast_deflate()`` that object has a faster ``encode`` (the reach
into reportlab is ``fonts.rlcompat.flate_encoder``). Output stays deterministic: same input, same
bytes, for a given isal (or zlib) version.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager

from ...fonts.rlcompat import flate_encoder

try:
    from isal import isal_zlib
except ImportError:  # pragma: no cover - platforms without an isal wheel
    isal_zlib = None


def _compressor() -> Callable[[bytes], bytes]:
    if isal_zlib is not None:
        return isal_zlib.compress  # its default level (2)
    return lambda data: zlib.compress(data, 1)


_COMPRESS = _compressor()


def engine() -> str:
    """What compresses the streams (for the benchmark's header)."""
    return "isal" if isal_zlib is not None else "zlib level 1"


def fast_deflate() -> AbstractContextManager[None]:
    """While inside, reportlab's FlateDecode filter uses the fast compressor; outside, its own.

    Scoped rather than installed for good, so that other reportlab users in the same process (the
    benchmark's plain-reportlab baseline, a caller's own documents) keep reportlab's behaviour.
    """
    return flate_encoder(_encode)


def _encode(text: bytes | str) -> bytes:
    return _COMPRESS(text.encode("utf8") if isinstance(text, str) else text)
