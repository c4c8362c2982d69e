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
These rules live in privatecache.py, shared with the code cache (codecache.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from ..privatecache import read_sealed, write_sealed
from ..usercache import user_cache_root

CACHE_ENV = "BRIEF_TEMPLATE_CACHE_DIR"
KEPT = 200  # entries; beyond it the oldest go (each templates dir × tool version makes its own)


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
        data = read_sealed(self._path(bucket))
        if data is None:
            return  # missing, foreign or damaged: compile again
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - another Jinja's entry: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if _code_key() is None:
            return
        try:
            if write_sealed(self._path(bucket), bucket.bytecode_to_string()):
                _prune(self.directory)
        except OSError:
            pass  # a read-only or full disk: compile again next time


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
