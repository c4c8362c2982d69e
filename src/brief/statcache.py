"""Content hashes of files, remembered with their stat, as build tools do (make, ninja, git's index).

A file whose size, mtime, inode and ctime are what they were when it was hashed keeps its hash
without being read again; any other file is read and hashed. The ctime is there because mtime can
be set back (``cp -p``, ``touch -r``, ``rsync -t --inplace``, an unzip): a same-size edit with its
old mtime restored would otherwise keep its old hash and a build would call stale outputs current;
no program can set the ctime, as git's index knows. A touched file is re-hashed and found
unchanged. A hash is remembered only for a file whose mtime is older than ``RACY_NS`` before it
was hashed: a file written in the same clock tick as it was read could change again without its
mtime moving (git's "racily clean" entries), so it is hashed again next time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

RACY_NS = 2_000_000_000  # 2 s: well above any file system's timestamp granularity


def file_hash(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


class StatCache:
    """sha256 per absolute path, trusted while the file's stat is unchanged. ``entries`` is what the
    build keeps in its manifest between runs; ``changed`` says whether it needs writing back."""

    def __init__(self, entries: dict[str, list] | None = None) -> None:
        self.entries: dict[str, list] = dict(entries) if isinstance(entries, dict) else {}
        self.changed = False
        self._seen: dict[str, str | None] = {}  # this run: a file is hashed once however often asked

    def hash(self, path: Path | str) -> str | None:
        """The file's sha256, or None when there is no such file."""
        key = os.path.abspath(path)
        if key in self._seen:
            return self._seen[key]
        try:
            st = os.stat(key)
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            self._forget(key)
            self._seen[key] = None
            return None
        entry = self.entries.get(key)
        if isinstance(entry, list) and len(entry) == 5 and entry[:4] == _key(st) and isinstance(entry[4], str):
            self._seen[key] = entry[4]
            return entry[4]
        digest = file_hash(key)
        if st.st_mtime_ns < time.time_ns() - RACY_NS:
            self.entries[key] = [*_key(st), digest]
            self.changed = True
        else:
            self._forget(key)
        self._seen[key] = digest
        return digest

    def record(self, path: Path | str, digest: str) -> None:
        """Remember the hash of a file this run has just written itself (no racy wait: we made it)."""
        key = os.path.abspath(path)
        self.entries[key] = [*_key(os.stat(key)), digest]
        self._seen[key] = digest
        self.changed = True

    def _forget(self, key: str) -> None:
        if self.entries.pop(key, None) is not None:
            self.changed = True

    def prune(self, keep: set[str]) -> None:
        """Drop entries of files no longer asked about, so the cache does not grow without end."""
        for key in [k for k in self.entries if k not in keep]:
            del self.entries[key]
            self.changed = True

    @property
    def asked(self) -> set[str]:
        return set(self._seen)


def walk(root: Path, skip: Path | None = None) -> Iterator[str]:
    """Absolute paths of the regular files under ``root`` (sorted per dir), ``skip`` left out."""
    top = os.path.abspath(root)
    skipped = os.path.abspath(skip) if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if os.path.join(dirpath, d) != skipped)
        for name in sorted(filenames):
            yield os.path.join(dirpath, name)
