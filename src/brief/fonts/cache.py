"""The font cache: converted fonts and small facts about font files, kept between runs.

Everything lives in ``platformdirs.user_cache_dir("brief")/fonts`` (or ``$BRIEF_FONT_CACHE_DIR``),
never in the project. Entries are keyed by what they were made from (file path, size, mtime, face
index and a version), so a changed font file or a new converter simply makes new entries. Files are
written to a temporary name and renamed into place, so a crash or a parallel build never leaves a
half-written file behind; a lock file stops two processes from converting the same font at once.

The cache follows privatecache.py's rules: its dir (and each of its sub-dirs) must be the user's own
and not writable by anyone else, else it is not used this run (a fresh private temp dir stands in,
and one 提示 line says what to do); entries are read only when they are the user's own regular files,
not links. Another user's planted entry would change glyphs or widths in a PDF without running any
code, so none is trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import stat
import sys
import zlib
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from ..outdir import atomic_write
from ..privatecache import make_private_dirs, open_own, open_private_dir, read_own, tighten_own_dir, unsafe_ancestor
from ..usercache import user_cache_root
from .config import CACHE_ENV

SUBDIRS = ("faces", "info", "chars")  # made private with the dir: atomic_write's mkdir would obey the umask


def cache_dir() -> Path:
    """The directory for converted fonts (created on demand): the configured one when it is private,
    else a private temp dir for this run."""
    return _cache_dir(os.environ.get(CACHE_ENV) or "", user_cache_root())


@lru_cache(maxsize=8)
def _cache_dir(override: str, root: Path) -> Path:
    # one Path (and one check) per environment: a cold start asks ~100 times (names of entries)
    return _private_or_temp(Path(override).expanduser() if override else root / "fonts")


def _not_private(directory: Path) -> bool:
    """``directory`` exists and is another user's, writable by others, or a link (missing: made private)."""
    fd = open_private_dir(directory)
    if fd is not None:
        os.close(fd)
        return False
    return os.path.lexists(directory)


def _private_or_temp(wanted: Path) -> Path:
    if not hasattr(os, "O_DIRECTORY"):
        return wanted  # Windows: no owner to check (privatecache keeps no cache there; fonts cost seconds)
    for directory in (wanted, *(wanted / sub for sub in SUBDIRS)):
        with contextlib.suppress(OSError):  # not writable (a read-only home): checked below either way
            make_private_dirs(directory)
        tighten_own_dir(directory)  # an older brief's 0775 dir: made private, not refused (fonts cost a minute)
        if _not_private(directory):
            fix = f"请执行 chmod 700 {directory}" if _own_dir(directory) else f"请删除它或用 {CACHE_ENV} 另指目录"
            _say(directory, "属于他人、他人可写或是链接", fix)
            return _temp_dir()
    # the dir is checked once; every read checks it again on its handle, but a converted font is
    # mapped by its name: no one else may be able to put another dir in its place meanwhile
    above = unsafe_ancestor(wanted)
    if above is not None:
        _say(wanted, f"上级目录 {above} 他人可写或属于他人", f"请改用自己的目录（设置 {CACHE_ENV}）")
        return _temp_dir()
    return wanted


def _own_dir(directory: Path) -> bool:
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()


def _say(directory: Path, why: str, fix: str) -> None:
    print(f"提示：字体缓存目录 {directory} 不归你独有（{why}），本次不用它，字体在临时目录中重新解析和转换"
          f"（较慢）；{fix}。", file=sys.stderr)


def _temp_dir() -> Path:
    """A fresh private dir (0700) for this run's converted fonts, removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    made = Path(tempfile.mkdtemp(prefix="brief-fonts-"))
    for sub in SUBDIRS:
        (made / sub).mkdir(mode=0o700)
    pid = os.getpid()  # forked workers share it; only its maker removes it
    atexit.register(lambda: os.getpid() == pid and shutil.rmtree(made, ignore_errors=True))
    os.environ[CACHE_ENV] = str(made)  # workers this run starts convert into it too, once, and say nothing
    return made


def file_stamp(path: str | os.PathLike[str], st: os.stat_result | None = None) -> tuple[str, int, int]:
    """What identifies a font file's content cheaply: absolute path, size, mtime (ns). ``st``: the
    ``fstat`` of the handle the bytes were read through, so that a file put in its place meanwhile
    does not lend its stamp to them."""
    st = st if st is not None else os.stat(path)
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns)


def content_stamp(path: str | os.PathLike[str], st: os.stat_result | None = None) -> tuple[str, int, int, int, int]:
    """``file_stamp`` and the file's inode and ctime, for facts read from its bytes as they are (a
    face's tables, its drawable ranges): a file rewritten in place or put in place with its old size
    and mtime (``touch -r``, ``rsync -t``, mtime-0 images) has a new ctime or inode, and a stale snapshot
    would measure and draw the new bytes with the old tables."""
    st = st if st is not None else os.stat(path)
    return (*file_stamp(path, st), st.st_ino, st.st_ctime_ns)


def digest(*parts: Any) -> str:
    """A short, stable hash of JSON-able parts (for cache file names)."""
    blob = json.dumps(parts, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(blob.encode("ascii")).hexdigest()[:20]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` + ``.lock`` (POSIX ``flock``; no lock on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows: at worst two processes convert the same font; the rename is atomic
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def own_file(path: Path) -> int | None:
    """A read-only handle on the cache entry ``path`` when it is the user's own regular file (not a
    link) in a private dir; None otherwise. Windows (no owners or dir handles here): opened as is."""
    if hasattr(os, "O_DIRECTORY"):
        return open_own(path.parent, path.name)
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None


def _read(path: Path) -> bytes | None:
    if hasattr(os, "O_DIRECTORY"):
        return read_own(path)
    try:
        return path.read_bytes()
    except OSError:
        return None


def read_json(path: Path) -> Any | None:
    """A cached JSON entry, or None when missing or unreadable (it is then rebuilt)."""
    data = _read(path)
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:  # UnicodeDecodeError included
        return None


def write_json(path: Path, value: Any) -> None:
    atomic_write(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def sealed(payload: bytes) -> bytes:
    """``payload`` with its CRC-32 in front, as the marshal entries of this cache are written."""
    return zlib.crc32(payload).to_bytes(4, "big") + payload


def unsealed(path: Path) -> bytes | None:
    """The payload of an entry written with ``sealed``; None when missing, unreadable, damaged (its
    CRC-32 does not match) or not the user's own regular file (``read_own``). marshal is not made to read damaged data
    safely, and a damaged face snapshot would make wrong PDFs: such an entry is rebuilt instead. A
    CRC, not a cryptographic hash: the entries are the user's own (another user's file is refused),
    and a cold start reads a few MB of them."""
    data = _read(path)
    if data is None or len(data) < 4 or zlib.crc32(data[4:]).to_bytes(4, "big") != data[:4]:
        return None
    return data[4:]


def read_marshal(path: Path) -> Any | None:
    """A cached entry of plain values (str, int, list, tuple, dict) written by ``write_marshal``, or
    None when missing, unreadable or damaged. Read faster than JSON: a cold start reads a few."""
    payload = unsealed(path)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write_marshal(path: Path, value: Any) -> None:
    atomic_write(path, sealed(marshal.dumps(value)))


def to_ranges(codepoints: Iterator[int] | set[int] | frozenset[int]) -> list[list[int]]:
    """Sorted code points as ``[[first, last], …]`` (compact for JSON)."""
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def from_ranges(ranges: list[list[int]]) -> frozenset[int]:
    # chained ranges, not a generator per code point: a CJK font has ~30,000 (3x faster, cold start)
    return frozenset(chain.from_iterable(range(first, last + 1) for first, last in ranges))
