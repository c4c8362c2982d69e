"""One error type for everything a user can get wrong; each problem names its place."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, at one place: ``file:line: key: message`` (or ``book.xlsx:sheet!C7``)."""

    file: str
    line: int | str | None
    key: str
    message: str

    def __str__(self) -> str:
        where = display_path(self.file)
        if self.line is not None and self.line != "":
            where = f"{where}:{self.line}"
        key = self.key or "-"
        return f"{where}: {key}: {self.message}"


def display_path(path: str) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


class BriefError(Exception):
    """Raised with one or more problems; the CLI prints one line per problem and exits 1."""

    def __init__(self, problems: Problem | list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", None, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        return (BriefError, (self.problems,))  # survives the trip back from a build worker

    @classmethod
    def at(cls, file: str, line: int | str | None, key: str, message: str) -> BriefError:
        return cls(Problem(str(file), line, key, message))


# What a failed read or write of a file means, in the user's words: (what could not be done, why).
_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.EROFS: ("写入", "这是只读的文件系统；请换一个可写的目录"),
    errno.EACCES: ("访问", "没有权限；请换一个有读写权限的目录"),
    errno.EPERM: ("访问", "不允许的操作（没有权限）；请换一个可写的目录"),
    errno.ENOSPC: ("写入", "磁盘空间已满；请清理磁盘后重试"),
    errno.EDQUOT: ("写入", "超出磁盘配额；请清理后重试"),
    errno.EFBIG: ("写入", "文件太大，超出文件系统的限制"),
    errno.ENAMETOOLONG: ("访问", "文件名或路径太长（每一段最多 255 字节）；请改短"),
    errno.ENOTDIR: ("访问", "路径中有一段是文件而不是目录"),
    errno.EISDIR: ("访问", "这是一个目录，这里需要的是文件"),
    errno.EEXIST: ("创建目录", "已有同名的文件；请换一个目录名"),
    errno.ENOENT: ("访问", "找不到这个文件或目录"),
    errno.ELOOP: ("访问", "符号链接太多或成环"),
    errno.EIO: ("读写", "磁盘读写出错（磁盘或网络盘故障）"),
    errno.EMFILE: ("打开", "同时打开的文件太多"),
    errno.ENFILE: ("打开", "系统打开的文件太多"),
    errno.ETXTBSY: ("写入", "文件正被使用"),
    errno.EBUSY: ("访问", "文件或设备正忙"),
}


def os_error_problem(exc: OSError, path: str | os.PathLike[str] | None = None) -> Problem:
    """An OSError as one line: ``<path>: -: 无法写入：<why>``; the path is the error's own unless given."""
    name = path if path is not None else exc.filename
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    verb, why = _OS_REASONS.get(exc.errno or 0, ("读写", ""))
    if not why:
        code = errno.errorcode.get(exc.errno or 0, "")
        why = f"系统错误（{code or exc.errno}：{exc.strerror or exc}）" if exc.errno else f"系统错误（{exc}）"
    return Problem(str(name) if name is not None else "brief", None, "-", f"无法{verb}：{why}")


def nul_path_problem(path: str | os.PathLike[str] | None = None, key: str = "-") -> Problem:
    """A path holding a NUL character: no system call can take it."""
    shown = os.fspath(path).replace("\0", "\\0") if path is not None else "brief"
    return Problem(str(shown), None, key, "路径中含有空字符（NUL），无法使用；请检查路径是否复制完整")


def check_path(path: str | os.PathLike[str] | None, key: str) -> None:
    """Refuse a path the system cannot take (a NUL inside) with a line naming it and its option."""
    if path is not None and "\0" in os.fspath(path):
        raise BriefError(nul_path_problem(path, key))
