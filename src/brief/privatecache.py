"""Cache entries a process acts on (compiled templates, compiled regular expressions), read and
written under one set of rules: in a dir that belongs to the user and that nobody else may write
to, as the user's own regular files, each sealed by its sha256 (its first 32 bytes). An entry that
is missing, foreign, damaged or unreadable reads as None, and its caller makes it afresh; a dir
that cannot be written is skipped."""

from __future__ import annotations

import contextlib
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


def unsafe_ancestor(directory: Path) -> str | None:
    """The first dir above ``directory`` (as named, and with its links resolved) through which another
    user could put a dir of theirs in its place between a check and a use: one that is theirs (not the
    user's or root's), or that others may write to without the sticky bit; None when there is none.
    (A dir that is missing is skipped: ``make_private_dirs`` makes it.)
    ``open_private_dir`` checks the dir itself; this, what it hangs from."""
    owner = _owner()
    if owner is None:
        return None  # Windows: no owners to compare
    seen: set[str] = set()
    for start in (os.path.abspath(directory), os.path.realpath(directory)):
        for parent in Path(start).parents:
            name = str(parent)
            if name in seen:
                continue
            seen.add(name)
            try:
                st = os.stat(name)
            except OSError:
                continue  # not there (yet): its own parent is checked
            # group-writable counts when the group is not the user's own (umask 002 with a group per user)
            writers = stat.S_IWOTH | (stat.S_IWGRP if st.st_gid != os.getgid() else 0)
            if st.st_uid not in (0, owner) or (st.st_mode & writers and not st.st_mode & stat.S_ISVTX):
                return name
    return None


def make_private_dirs(directory: Path) -> None:
    """Make ``directory`` and the missing dirs above it, each 0700 (``mkdir(parents=True)`` would make
    the ones above with the umask's mode: group-writable under umask 002). Errors are the caller's."""
    missing = []
    for path in (directory, *directory.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by a parallel run: checked after
            path.mkdir(mode=0o700)


def tighten_own_dir(directory: Path) -> None:
    """Take group and others' write off ``directory`` when it is the user's own real dir (an older
    brief made its dirs with the umask's mode: 0775 under umask 002). Its entries are still read
    only when they are the user's own files that no one else may write (``open_own``)."""
    owner = _owner()
    if owner is None:
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if st.st_uid == owner and st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))
    except OSError:
        pass  # left as it is: the caller's check refuses it
    finally:
        os.close(fd)


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
    writable_by_others = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not stat.S_ISREG(st.st_mode) or (owner is not None and (st.st_uid != owner or writable_by_others)):
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

    make_private_dirs(path.parent)  # the dirs above too: mkdir(parents=True) would give them the umask's mode
    fd = open_private_dir(path.parent)
    if fd is None:
        return False
    os.close(fd)
    atomic_write(path, hashlib.sha256(payload).digest() + payload)
    return True
