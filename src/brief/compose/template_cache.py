"""Compiled templates kept between runs: a cold ``brief render`` loads brief.md.j2's code instead of
compiling it again (~15 ms of CPU, and the Jinja lexer's regexes).

Jinja looks an entry up by the template's name and file (its key) and keeps a checksum of its source
inside, so an edited template is compiled again on its next use, and another templates dir has its
own entries. The key also holds what else decides the compiled code: Jinja's and Python's versions
and sandbox.py (the environment's options and the loop and size checks it weaves into every
template). The code is the same as a fresh compile's, so outputs are too.

Entries live in ``~/.cache/brief/templates`` (``$BRIEF_TEMPLATE_CACHE_DIR`` instead), written to a
temporary name and renamed into place, so two runs at once never read half a file. A cached entry
is code this process runs: the dir is opened once, without following a link, and used only when that
open dir belongs to the user and nobody else can write to it; each entry is opened through it, again
without following a link, and must be the user's own file whose sha256 (its first 32 bytes) matches
the rest, so a damaged entry is compiled again rather than run. Anything unreadable is compiled
again; a cache that cannot be written is skipped; without sandbox.py's source there is no cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from ..outdir import atomic_write
from ..usercache import user_cache_root

CACHE_ENV = "BRIEF_TEMPLATE_CACHE_DIR"
KEPT = 200  # entries; beyond it the oldest go (each templates dir × tool version makes its own)


DIGEST = 32  # bytes of sha256 in front of each entry
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@lru_cache(maxsize=1)
def _code_key() -> str | None:
    """What besides the template decides its compiled code (see the module doc); None when sandbox.py
    cannot be read (a frozen app): then nothing is cached."""
    try:
        sandbox = Path(__file__).with_name("sandbox.py").read_bytes()
    except OSError:
        return None
    parts = (jinja2.__version__, sys.version, hashlib.sha256(sandbox).hexdigest())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class TemplateCache(jinja2.BytecodeCache):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{_code_key()}|{name}|{filename}".encode()).hexdigest()[:40]

    def _path(self, bucket: Bucket) -> Path:
        return self.directory / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        if _code_key() is None:
            return
        data = _read_entry(self.directory, self._path(bucket).name)
        if data is None or len(data) <= DIGEST or hashlib.sha256(data[DIGEST:]).digest() != data[:DIGEST]:
            return  # missing, foreign or damaged: compile again
        try:
            bucket.bytecode_from_string(data[DIGEST:])
        except Exception:  # noqa: BLE001 - another Jinja's entry: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if _code_key() is None:
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = _open_private_dir(self.directory)
            if fd is None:
                return
            os.close(fd)
            payload = bucket.bytecode_to_string()
            atomic_write(self._path(bucket), hashlib.sha256(payload).digest() + payload)
            _prune(self.directory)
        except OSError:
            pass  # a read-only or full disk: compile again next time


def _owner() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None  # Windows: no owner to compare


def _open_private_dir(directory: Path) -> int | None:
    """The dir opened (not through a link at its own name) when it is the user's own and no one else
    may write to it, its entries being run as code; None otherwise. Checked on the open handle, so
    the dir cannot be swapped for another between the check and the reads."""
    if not hasattr(os, "O_DIRECTORY"):
        return None  # no dir handles here: no cache
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    except OSError:
        return None
    st = os.fstat(fd)
    owner = _owner()
    if (owner is not None and st.st_uid != owner) or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        os.close(fd)
        return None
    return fd


def _read_entry(directory: Path, name: str) -> bytes | None:
    """An entry's bytes, read through the checked dir handle; None unless it is the user's own file."""
    dir_fd = _open_private_dir(directory)
    if dir_fd is None:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        owner = _owner()
        if not stat.S_ISREG(st.st_mode) or (owner is not None and st.st_uid != owner):
            return None
        return fh.read()


def _prune(directory: Path) -> None:
    entries = list(directory.glob("*.jinja"))
    if len(entries) <= KEPT:
        return
    by_age = sorted(entries, key=lambda p: p.stat().st_mtime)
    for path in by_age[: len(entries) - KEPT // 2]:
        path.unlink(missing_ok=True)


def template_cache() -> TemplateCache:
    override = os.environ.get(CACHE_ENV)
    return TemplateCache(Path(override).expanduser() if override else user_cache_root() / "templates")
