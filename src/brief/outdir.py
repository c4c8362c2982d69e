"""Safety of what lands in an output dir: atomic writes, leftovers of killed runs, one run at a time.

Two kinds of flock live here, both released by the kernel when their holder dies:

- each temporary file is flocked by its writer while it is written, and its name carries the
  writer's pid (``.<name>.<pid>.<random>.tmp``): a cleanup removes only temporaries whose writer is
  gone, never those of a run still writing beside it;
- ``exclusive`` locks an output dir for one command and writes its holder (pid, start time,
  command) into the lock file, so a refusal names the process. A forked child (a build worker)
  never keeps the lock: its inherited descriptor is replaced at fork. Should a stray process still
  hold the lock of a run that is dead, the lock is broken rather than obeyed.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

from .errors import BriefError

# .<name>.<pid>.<random>.tmp; older versions wrote .<name>.<random>.tmp (no pid).
_TEMP = re.compile(r"\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def check_out(out: Path) -> None:
    """Refuse an output dir that is a file (``--out /dev/null``) before any work is done."""
    if out.exists() and not out.is_dir():
        raise BriefError.at(str(out), None, "--out", "这是一个文件，不是目录；请用 --out 指定一个目录")


def check_subdir(folder: Path) -> None:
    """A folder brief makes inside the output dir (``2023/``, ``outbox/``) must be a real folder
    there: a symbolic link would send the outputs (as root: anywhere, /etc included) elsewhere."""
    if folder.is_symlink():
        raise BriefError.at(str(folder), None, "--out",
                            f"输出目录中的“{folder.name}”是指向别处的链接，brief 不会写到它指向的位置；请删除这个链接")


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the target under a name that never ends in .pdf/.docx, then rename.

    The temporary file is flocked until it is renamed, so ``clean_temporaries`` in another process
    can tell it from a dead run's leftover. An OSError names ``path``, not the temporary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # a read-only or full dir: say which file could not be written
        _reraise_about(exc, path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _write_all(fd, data)
        os.fchmod(fd, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        _reraise_about(exc, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _reraise_about(exc: OSError, path: Path) -> NoReturn:
    """Raise ``exc`` naming ``path`` (the target a user knows), not our temporary name; same errno,
    same class (``OSError(errno, …)`` picks the subclass). One without an errno goes on as it is."""
    if exc.errno is None:
        raise exc
    raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _short(name: str, limit: int = 180) -> str:
    """``name`` cut to ``limit`` bytes: a target name near the 255-byte limit still gets a temporary."""
    while len(name.encode("utf-8", "surrogateescape")) > limit:
        name = name[:-1]
    return name


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def clean_temporaries(folder: Path) -> int:
    """Remove what killed runs left: temporaries (``.*.tmp``) whose writer is gone."""
    count = 0
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            if _remove_if_abandoned(path):
                count += 1
    return count


def _remove_if_abandoned(path: Path) -> bool:
    match = _TEMP.search(path.name)
    if match and pid_alive(int(match["pid"])):
        return False  # its writer runs (it may not have flocked the file yet)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # renamed or removed meanwhile
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # still being written
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return True


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether process ``pid`` runs (a zombie does not; ``start`` guards against a reused pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc: kill(0) is all we know
    state, started = stat
    return state != "Z" and (start is None or start == started)


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc/<pid>/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the command name may hold spaces and ')'
    return (fields[0], fields[19]) if len(fields) > 19 else None


# -- one command per output dir ---------------------------------------------------------------------

# Descriptors of the locks this process holds: a forked child gives them up at once (below).
_HELD: set[int] = set()


def _drop_inherited_locks() -> None:
    """In a forked child: let go of the parent's locks without unlocking them for the parent.

    flock belongs to the open file description, shared with the parent; closing the child's
    descriptor drops its reference only. dup2 of /dev/null closes it while keeping the number
    valid for any file object that still refers to it."""
    if not _HELD:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in _HELD:
        os.dup2(null, fd)
    os.close(null)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


@contextmanager
def exclusive(out: Path, lock_name: str, command: str) -> Iterator[None]:
    """One ``command`` per output dir at a time; an flock, so a killed run leaves no stale lock."""
    out.mkdir(parents=True, exist_ok=True)
    fd, before = _acquire(out / lock_name, out, command)
    _HELD.add(fd)
    try:
        yield
    finally:
        _HELD.discard(fd)
        with suppress(OSError):
            os.ftruncate(fd, 0)  # no holder any more (the flock is what counts)
            # and the file as it was: a run with nothing to do leaves the dir unchanged for backups
            os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.close(fd)


def _acquire(path: Path, out: Path, command: str) -> tuple[int, os.stat_result]:
    for _ in range(5):  # each retry follows a lock file that was replaced meanwhile
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if holder is not None and not pid_alive(holder[0], holder[1]):
                _break(path, fd)  # its run is dead: a stray child keeps it, not a run
                os.close(fd)
                continue
            os.close(fd)
            raise BriefError.at(str(out), None, command, _busy(command, holder)) from None
        if _same_file(fd, path):
            before = os.fstat(fd)
            _write_holder(fd, command)
            return fd, before
        os.close(fd)  # broken and replaced while we waited: lock the new one
    raise BriefError.at(str(out), None, command, _busy(command, None))


def _busy(command: str, holder: tuple[int, str | None, str] | None) -> str:
    who = f"（进程 {holder[0]}：{holder[2]}）" if holder else ""
    return f"另一个 brief {command}{who}正在使用这个输出目录；请等它结束后再运行"


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _write_holder(fd: int, command: str) -> None:
    stat = _proc_stat(os.getpid())
    line = f"{os.getpid()} {stat[1] if stat else '-'} brief {command}\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, line.encode("utf-8"), 0)


def _read_holder(fd: int) -> tuple[int, str | None, str] | None:
    """(pid, start time or None, command) written by the holder, or None if not (yet) written."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return None
    parts = text.strip().split(" ", 2)
    if len(parts) < 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), None if parts[1] == "-" else parts[1], parts[2]


def _break(path: Path, fd: int) -> None:
    """Remove the lock file ``fd`` refers to, unless another process already replaced it.

    Two runs may find the same dead lock: the check and the unlink happen under a second flock,
    held for an instant only (never across a fork), so neither removes the other's new lock."""
    guard = os.open(f"{path}.break", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if _same_file(fd, path):
            path.unlink()
    finally:
        os.close(guard)
