"""Code a command compiles at every start, kept between runs: the regular expressions and the
dataclass methods of the libraries it imports, the same every time. A cold ``render`` compiles ~240
of the first (~60 ms of CPU; reportlab's URL pattern, paragraph.py, ~24 ms alone) and ~70
dataclasses (~30 ms); ``validate`` ~40 ms in all, ``distribute`` ~110 ms.

- CPython compiles a pattern in two steps: parsing and code generation in Python (the cost), then
  ``_sre.compile(pattern, flags, code, groups, groupindex, indexgroup)`` in C. The arguments of that
  second step are plain ints, strs, lists, dicts and tuples: they are kept, and a pattern found
  here goes straight to ``_sre.compile``. ``re``'s own in-process cache stays in front of this one.
- ``dataclasses`` writes each method (``__init__``, ``__eq__``, ...) as source text and runs it with
  ``exec``; the text's code object is kept, keyed by the whole text.

What comes out is equal to a fresh compile's (a pattern's flags and code, a code object's
bytecode and constants: tests/test_codecache.py compares every entry), so outputs are too. This
reaches into ``re._compiler.compile`` and ``dataclasses``' one ``exec``, alike from 3.11 to 3.13: on
another version or interpreter nothing is kept. The entries live in one marshal file per command
and Python build in ``~/.cache/brief/code`` (``$BRIEF_CODE_CACHE_DIR`` instead), read and written
under the template cache's rules (privatecache.py: a private dir of the user's, the user's own
file, sealed by its sha256); an entry that is damaged, foreign or for another build is compiled
afresh and the file rewritten. It is rewritten only when a run's new entries took >= 10 ms of CPU
to compile (a first render: ~90): a few patterns are built anew each run from a set whose order
follows the hash seed (tokenize's, reportlab's rl_safe_eval's: ~3 ms) and would otherwise rewrite
it every time.
"""

from __future__ import annotations

import _sre
import dataclasses
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from re import _compiler, _parser
from types import CodeType
from typing import Any

from .privatecache import read_sealed, write_sealed
from .usercache import user_cache_root

CACHE_ENV = "BRIEF_CODE_CACHE_DIR"
KEPT = 1000  # entries of each kind (a render: ~240 patterns, ~440 methods); past it only the last run's are kept
WORTH_WRITING = 0.010  # CPU seconds a run's new entries took to compile before the file is rewritten
BUILDS_KEPT = 3  # files per command: a Python upgrade leaves the old build's behind
_COMPILE = _compiler.compile  # re's own, put back after each command
# What decides the compiled code besides its source: this file's layout, the exact Python build and
# its -O level (compile() drops asserts under it).
_BUILD = (2, sys.version, _sre.MAGIC, _sre.CODESIZE, sys.maxunicode, sys.flags.optimize)

Key = tuple[str | bytes, int]
Args = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]  # _sre.compile's, after the pattern


def supported(version: tuple[int, int] = sys.version_info[:2], implementation: str = sys.implementation.name) -> bool:
    """Whether ``re._compiler.compile`` is the one :func:`_arguments` copies and ``dataclasses`` makes
    its methods with one ``exec`` of source text (checked per release)."""
    return implementation == "cpython" and (3, 11) <= version <= (3, 13)


def cache_file(command: str) -> Path:
    override = os.environ.get(CACHE_ENV)
    directory = Path(override).expanduser() if override else user_cache_root() / "code"
    # a file per command, which loads only what it uses; per Python build, so that two Pythons
    # sharing the dir do not rewrite each other's
    return directory / f"{command}-{hashlib.sha256(repr(_BUILD).encode()).hexdigest()[:16]}.marshal"


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


def _compiled(source: str) -> CodeType:
    # as dataclasses' exec(text) compiles it: dataclasses.py has no __future__ imports to inherit
    return compile(source, "<string>", "exec", dont_inherit=True)


class _Served:
    """Stands in for ``re._compiler.compile`` and for ``exec`` in ``dataclasses`` while a command runs."""

    def __init__(self, patterns: dict[Key, Args], methods: dict[str, CodeType]) -> None:
        self.patterns, self.methods = patterns, methods
        self.used_patterns: dict[Key, Args] = {}
        self.used_methods: dict[str, CodeType] = {}
        self.new_cost = 0.0  # CPU seconds spent compiling what the file did not have

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if type(pattern) not in (str, bytes) or flags & _compiler.SRE_FLAG_DEBUG:
            return _COMPILE(pattern, flags)  # re.Scanner's parsed lists, DEBUG's printout: as re does
        flags = int(flags)  # as re.compile passes them: marshal writes no int subclass (RegexFlag)
        key = (pattern, flags)
        args = self.patterns.get(key)
        if args is not None:
            try:
                compiled = _sre.compile(pattern, *args)
            except Exception:  # noqa: BLE001 - not what _sre takes (never trusted): compile afresh
                pass
            else:
                self.used_patterns[key] = args
                return compiled
        start = time.process_time()
        args = _arguments(pattern, flags)
        self.new_cost += time.process_time() - start
        self.patterns[key] = self.used_patterns[key] = args
        return _sre.compile(pattern, *args)

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002 - exec's names
        if type(source) is not str:
            return exec(source, globals, locals)
        code = self.methods.get(source)
        if type(code) is not CodeType:
            start = time.process_time()
            code = self.methods[source] = _compiled(source)  # two classes alike write the same text
            self.new_cost += time.process_time() - start
        self.used_methods[source] = code
        return exec(code, globals, locals)

    def payload(self) -> bytes:
        """The file's new content: what it had and what this run added (only this run's past KEPT)."""
        kinds = []
        for kept, used in ((self.patterns, self.used_patterns), (self.methods, self.used_methods)):
            merged = {**kept, **used}
            kinds.append(merged if len(merged) <= KEPT else used)
        return marshal.dumps((_BUILD, *kinds))


def _load(path: Path) -> tuple[dict[Key, Args], dict[str, CodeType]]:
    payload = read_sealed(path)
    if payload is not None:
        try:
            build, patterns, methods = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            pass
        else:
            if build == _BUILD and type(patterns) is dict and type(methods) is dict:
                return patterns, methods
    return {}, {}


@contextmanager
def kept(command: str) -> Iterator[None]:
    """Inside, the patterns ``re`` compiles and the methods ``dataclasses`` writes come from the
    cache file when it has them; after, the file gains those it lacked, when worth it (module doc)."""
    if not supported() or _compiler.compile is not _COMPILE or hasattr(dataclasses, "exec"):
        yield  # another version, or already inside
        return
    path = cache_file(command)
    served = _Served(*_load(path))
    _compiler.compile = served.compile
    dataclasses.exec = served.exec  # type: ignore[attr-defined]  # a module global before the builtin
    try:
        yield
    finally:
        _compiler.compile = _COMPILE
        del dataclasses.exec  # type: ignore[attr-defined]
        if served.new_cost >= WORTH_WRITING:
            try:
                if write_sealed(path, served.payload()):
                    _prune(command, path.parent)
            except (OSError, ValueError):
                pass  # a read-only or full disk: compile again next time


def _prune(command: str, directory: Path) -> None:
    """The newest BUILDS_KEPT files of ``command``; an older one still in use is simply written again.
    A temporary of these files a killed run left behind goes too (one still being written is flocked:
    kept); only theirs, in this dir only: $BRIEF_CODE_CACHE_DIR may name a dir with much else in it."""
    from .outdir import _remove_if_abandoned

    for left in directory.glob(f".{command}-*.marshal.*.tmp"):
        _remove_if_abandoned(left)
    files = sorted(directory.glob(f"{command}-*.marshal"), key=lambda p: p.stat().st_mtime_ns)
    for old in files[:-BUILDS_KEPT]:
        old.unlink(missing_ok=True)
