"""Compiled regular expressions kept between runs of a one-shot command (``render``, ``summary``):
a cold render compiles ~240 patterns while it imports and first runs its libraries, the same ones
every time, ~55-70 ms of its CPU (reportlab's URL pattern, paragraph.py, alone ~24 ms).

CPython compiles a pattern in two steps: parsing and code generation in Python (the cost), then
``_sre.compile(pattern, flags, code, groups, groupindex, indexgroup)`` in C. The arguments of that
second step are plain ints, strs, lists, dicts and tuples; :func:`kept` keeps them in one marshal
file per Python build and hands a pattern found there straight to ``_sre.compile``. The pattern is
equal to a fresh compile's (same pattern, flags and code: tests/test_recache.py compares every
entry), so outputs are too. ``re``'s own in-process cache stays in front of this one.

It reaches into ``re._compiler``, whose ``compile`` is the same from 3.11 to 3.13: on another
version or interpreter nothing is cached. The file lives in ``~/.cache/brief/regex``
(``$BRIEF_REGEX_CACHE_DIR`` instead), read and written under the template cache's rules
(privatecache.py: a private dir of the user's, the user's own file, sealed by its sha256); an
entry that is damaged, foreign or for another build is compiled afresh and the file rewritten.
It is rewritten only when a run's new patterns took >= 10 ms of CPU to compile (a first run: ~60): a
few patterns are built anew each run from a set whose order follows the hash seed (tokenize's,
reportlab's rl_safe_eval's: ~3 ms) and would otherwise rewrite it, and make it grow, every time.
"""

from __future__ import annotations

import _sre
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from re import _compiler, _parser
from typing import Any

from .privatecache import read_sealed, write_sealed
from .usercache import user_cache_root

CACHE_ENV = "BRIEF_REGEX_CACHE_DIR"
KEPT = 600  # patterns (a render uses ~240); beyond it only the last run's are kept
WORTH_WRITING = 0.010  # CPU seconds a run's new patterns took to compile before the file is rewritten
_COMPILE = _compiler.compile  # re's own, put back after each command
# What decides the compiled code besides the pattern: this file's layout and the exact Python build.
_BUILD = (1, sys.version, _sre.MAGIC, _sre.CODESIZE, sys.maxunicode)

Key = tuple[str | bytes, int]
Args = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]  # _sre.compile's, after the pattern


def supported(version: tuple[int, int] = sys.version_info[:2], implementation: str = sys.implementation.name) -> bool:
    """Whether ``re._compiler.compile`` is the one :func:`_arguments` copies (checked per release)."""
    return implementation == "cpython" and (3, 11) <= version <= (3, 13)


def cache_file() -> Path:
    override = os.environ.get(CACHE_ENV)
    directory = Path(override).expanduser() if override else user_cache_root() / "regex"
    # one file per Python build, so that two Pythons sharing the dir do not rewrite each other's
    return directory / f"{hashlib.sha256(repr(_BUILD).encode()).hexdigest()[:16]}.marshal"


def _arguments(pattern: str | bytes, flags: int) -> Args:
    """What ``re._compiler.compile`` hands ``_sre.compile`` after the pattern (the body of that function)."""
    tree = _parser.parse(pattern, flags)
    code = _compiler._code(tree, flags)  # noqa: SLF001 - see the module doc: version-checked
    groupindex = dict(tree.state.groupdict)
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    # plain ints: the code holds re's named opcode constants, an int subclass marshal cannot write
    return flags | tree.state.flags, [int(c) for c in code], tree.state.groups - 1, groupindex, tuple(indexgroup)


class _Served:
    """Stands in for ``re._compiler.compile`` while a command runs."""

    def __init__(self, entries: dict[Key, Args]) -> None:
        self.entries = entries
        self.used: dict[Key, Args] = {}
        self.new_cost = 0.0  # seconds spent compiling patterns the file did not have

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if type(pattern) not in (str, bytes) or flags & _compiler.SRE_FLAG_DEBUG:
            return _COMPILE(pattern, flags)  # re.Scanner's parsed lists, DEBUG's printout: as re does
        flags = int(flags)  # as re.compile passes them: marshal writes no int subclass (RegexFlag)
        key = (pattern, flags)
        args = self.entries.get(key)
        if args is not None:
            try:
                compiled = _sre.compile(pattern, *args)
            except Exception:  # noqa: BLE001 - not what _sre takes (never trusted): compile afresh
                pass
            else:
                self.used[key] = args
                return compiled
        start = time.process_time()
        args = _arguments(pattern, flags)
        self.new_cost += time.process_time() - start
        self.used[key] = args
        return _sre.compile(pattern, *args)


def _load(path: Path) -> dict[Key, Args]:
    payload = read_sealed(path)
    if payload is None:
        return {}
    try:
        build, entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    return entries if build == _BUILD and isinstance(entries, dict) else {}


@contextmanager
def kept() -> Iterator[None]:
    """Inside, patterns ``re`` compiles come from the cache file when it has them; after, the file
    gains those it lacked, when they were worth it (see the module doc)."""
    if not supported() or _compiler.compile is not _COMPILE:  # another version, or already inside
        yield
        return
    path = cache_file()
    served = _Served(_load(path))
    _compiler.compile = served.compile
    try:
        yield
    finally:
        _compiler.compile = _COMPILE
        if served.new_cost >= WORTH_WRITING:
            merged = {**served.entries, **served.used}
            try:
                write_sealed(path, marshal.dumps((_BUILD, merged if len(merged) <= KEPT else served.used)))
            except (OSError, ValueError):
                pass  # a read-only or full disk: compile again next time
