"""Compiled templates kept between runs: a cold ``brief render`` loads brief.md.j2's code instead of
compiling it again (~15 ms of CPU, and the Jinja lexer's regexes).

Jinja looks an entry up by the template's name and file (its key) and keeps a checksum of its source
inside, so an edited template is compiled again on its next use, and another templates dir has its
own entries. The key also holds what else decides the compiled code: Jinja's and Python's versions
and sandbox.py (the environment's options and the loop and size checks it weaves into every
template). The code is the same as a fresh compile's, so outputs are too.

Entries live in ``~/.cache/brief/templates`` (``$BRIEF_TEMPLATE_CACHE_DIR`` instead), written to a
temporary name and renamed into place, so two runs at once never read half a file. A cached entry
is code this process runs: the dir is used only when it belongs to the user and nobody else can
write to it. Anything unreadable is compiled again; a cache that cannot be written is skipped.
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


@lru_cache(maxsize=1)
def _code_key() -> str:
    """What besides the template decides its compiled code (see the module doc)."""
    sandbox = Path(__file__).with_name("sandbox.py").read_bytes()
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
        if not _private(self.directory):
            return
        try:
            bucket.bytecode_from_string(self._path(bucket).read_bytes())
        except Exception:  # noqa: BLE001 - a missing, truncated or foreign entry: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.directory):
                return
            atomic_write(self._path(bucket), bucket.bytecode_to_string())
            _prune(self.directory)
        except OSError:
            pass  # a read-only or full disk: compile again next time


def _private(directory: Path) -> bool:
    """The dir is the user's own and no one else may write to it (its entries are run as code)."""
    try:
        st = directory.stat()
    except OSError:
        return False
    owner = os.getuid() if hasattr(os, "getuid") else st.st_uid  # Windows: no owner to compare
    return stat.S_ISDIR(st.st_mode) and st.st_uid == owner and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


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
