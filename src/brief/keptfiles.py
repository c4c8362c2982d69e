"""What is kept between runs in the user's cache dir (``~/.cache/brief/<name>``): the DOCX writer's
drawn charts (writers/docx/chart_png.py) and read templates (writers/docx/template.py), each saving a
fresh process work it would otherwise do again for the same input. (Here, not in writers/: a writer
writes no file; render.py writes its outputs.)

An entry is named by a hash of everything it was made from, so a changed input or a new version of
the code making it simply files a new entry. It is written to a temporary name and renamed into
place, sealed with its CRC-32 (brief.fonts.cache), and read only when it is the user's own file and
undamaged: anything else is made again. A dir that cannot be written is skipped; beyond ``kept``
entries the oldest half goes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from brief.fonts.cache import sealed, unsealed
from brief.outdir import atomic_write
from brief.privatecache import make_private_dirs
from brief.usercache import user_cache_root


def source_digest(module: str, *siblings: str) -> str | None:
    """sha256 of the source file ``module`` (a ``__file__``) and of the files ``siblings`` beside it
    (code that decides an entry's content); None when one cannot be read (a frozen app): then
    nothing is kept."""
    digest = hashlib.sha256()
    here = Path(module)
    try:
        for path in (here, *(here.with_name(name) for name in siblings)):
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def entry_name(*parts: object) -> str:
    """An entry's name: a hash of the repr of what it was made from (plain values, in order)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


class Kept:
    """Entries ``<key><suffix>`` in ``~/.cache/brief/<name>``. ``used``: off for a process that must
    make everything afresh (chart_png.cache_clear)."""

    def __init__(self, name: str, suffix: str, kept: int) -> None:
        self.name = name
        self.suffix = suffix
        self.kept = kept
        self.used = True

    def directory(self) -> Path:
        return user_cache_root() / self.name

    def get(self, key: str) -> bytes | None:
        """The entry's bytes; None when it is missing, damaged or not the user's own file."""
        return unsealed(self.directory() / f"{key}{self.suffix}") if self.used else None

    def put(self, key: str, data: bytes) -> None:
        if not self.used:
            return
        directory = self.directory()
        try:
            make_private_dirs(directory)  # read back only from a private dir (privatecache.open_own)
            atomic_write(directory / f"{key}{self.suffix}", sealed(data))
            with os.scandir(directory) as listing:  # counted each time: a third of a glob's cost
                count = sum(1 for _ in listing)
            if count > self.kept:
                entries = list(directory.glob(f"*{self.suffix}"))
                for path in sorted(entries, key=lambda p: p.stat().st_mtime)[: len(entries) - self.kept // 2]:
                    path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only or full disk: made again next time
