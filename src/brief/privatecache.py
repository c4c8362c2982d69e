"""Cache entries a process acts on (compiled templates, compiled regular expressions), read and
written under one set of rules: in a dir that belongs to the user and that nobody else may write
to, as the user's own regular files, each sealed by its sha256 (its first 32 bytes). An entry that
is missing, foreign, damaged or unreadable reads as None, and its caller makes it afresh; a dir
that cannot be written is skipped."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

DIGEST = 32  # bytes of sha256 in front of each entry
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
MAX_ENTRY = 64 << 20  # bytes; a bigger entry (the code cache's largest is under 1 MB) is not ours: not read


def _owner() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None  # Windows: no owner to compare


def open_private_dir(directory: Path) -> int | None:
    """The dir opened (not through a link at its own name) when it is the user's own and no one else
    may write to it, its entries being acted on; None otherwise. Checked on the open handle, so the
    dir cannot be swapped for another between the check and the reads."""
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


def open_own(directory: Path, name: str) -> int | None:
    """A read-only handle on the entry ``name`` of ``directory`` when the dir is private
    (``open_private_dir``) and the entry is the user's own regular file, not reached through a link;
    None otherwise. The caller closes it."""
    dir_fd = open_private_dir(directory)
    if dir_fd is None:
        return None
    try:
        # non-blocking: a FIFO left at an entry's name must not hang the command on its open
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(dir_fd)
    st = os.fstat(fd)
    owner = _owner()
    if not stat.S_ISREG(st.st_mode) or (owner is not None and st.st_uid != owner):
        os.close(fd)
        return None
    return fd


def _read_entry(directory: Path, name: str) -> bytes | None:
    """An entry's bytes, read through the checked dir handle; None unless it is the user's own file."""
    fd = open_own(directory, name)
    if fd is None:
        return None
    try:
        if os.fstat(fd).st_size > MAX_ENTRY:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError:
        return None  # unreadable (a bad disk block): made afresh
    finally:
        os.close(fd)


def read_own(path: Path) -> bytes | None:
    """The bytes of ``path`` when it is the user's own regular file in a private dir; None otherwise."""
    return _read_entry(path.parent, path.name)


def read_sealed(path: Path) -> bytes | None:
    """The payload of an entry written by ``write_sealed``; None when missing, foreign or damaged."""
    data = _read_entry(path.parent, path.name)
    if data is None or len(data) <= DIGEST or hashlib.sha256(data[DIGEST:]).digest() != data[:DIGEST]:
        return None
    return data[DIGEST:]


def write_sealed(path: Path, payload: bytes) -> bool:
    """Write ``payload`` with its sha256 in front, to a temporary name renamed into place (two runs
    at once never read half a file), when the dir is (or is made) private; False when it is not.
    An OSError (a read-only or full disk) is the caller's to skip."""
    from .outdir import atomic_write  # lazily: only a run that has something new to keep writes

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = open_private_dir(path.parent)
    if fd is None:
        return False
    os.close(fd)
    atomic_write(path, hashlib.sha256(payload).digest() + payload)
    return True
