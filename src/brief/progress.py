"""Progress for long runs: a rich bar on a terminal, plain lines otherwise (logs, CI)."""

from __future__ import annotations

import os
import sys
from types import TracebackType


class Reporter:
    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        if self.tty:  # lazily: rich costs ~100 ms to import, and a log or a pipe never shows its bar
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 transient=True) if self.tty else None
        self.task = None

    def __enter__(self) -> Reporter:
        if self.progress:
            self.progress.start()
            self.task = self.progress.add_task("生成简报", total=None)
        return self

    def update(self, outcome: object) -> None:
        state = "无变化" if outcome.skipped else "已生成"  # type: ignore[attr-defined]
        line = f"{state}：{outcome.name}"  # type: ignore[attr-defined]
        if self.progress is not None:
            self.progress.advance(self.task)
            if not outcome.skipped:  # type: ignore[attr-defined]
                self.progress.console.print(line)
        else:
            try:
                print(line, file=sys.stderr, flush=True)
            except BrokenPipeError:  # the log reader went away: the run goes on, and says no more
                _to_devnull(sys.stderr)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.progress:
            self.progress.stop()


def _to_devnull(stream: object) -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())  # type: ignore[attr-defined]
        os.close(null)
    except (OSError, ValueError):
        pass
