"""Safety of what lands in an output dir: atomic writes, leftovers of killed runs, one run at a time."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BriefError


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the target under a name that never ends in .pdf/.docx, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clean_temporaries(folder: Path) -> int:
    """Remove what a killed run left: our temporary names start with '.' and end in '.tmp'."""
    count = 0
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            path.unlink(missing_ok=True)
            count += 1
    return count


@contextmanager
def exclusive(out: Path, lock_name: str, command: str) -> Iterator[None]:
    """One ``command`` per output dir at a time; an flock, so a killed run leaves no stale lock."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / lock_name, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BriefError.at(str(out), None, command, f"另一个 brief {command} 正在使用这个输出目录") from None
        yield
