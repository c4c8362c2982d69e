"""One error type for everything a user can get wrong; each problem names its place."""

from __future__ import annotations

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
