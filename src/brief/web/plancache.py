"""The distribution page's dry run, remembered while nothing it reads has changed.

A dry run (``dryrun.plan``) starts a process, loads the data and may render PDFs in memory: seconds,
on every visit of 分发. Its result depends only on files and settings, so it is kept under a key made
of all of them: every file of the data dir (recipients.yaml, the county files, issues) and of the
templates dir, the out dir's own files (the manifest, the ledger) and the year's outputs, the pictures
a brief takes from outside the data dir, the year, the tool and the fonts, and the mail settings. A
visit with the same key shows the kept plan; any change makes a new one. The files are hashed
through the build's stat cache (statcache.py): a file whose size, mtime, inode and ctime are as they
were is not read again, and one written within the last two seconds always is (two edits in one
tick of a coarse clock, as on FAT or SMB, leave the stat as it was).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..build import font_fingerprint, targets, tool_fingerprint
from ..data.dataset import Dataset
from ..documents import default_templates, inputs
from ..statcache import StatCache, walk

T = TypeVar("T")
SETTINGS = ("BRIEF_SMTP_HOST", "BRIEF_SMTP_PORT", "BRIEF_SMTP_USER", "BRIEF_SMTP_FROM", "BRIEF_SMTP_STARTTLS")


class PlanCache:
    """One kept plan per year, with the key it was made under."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # two tabs opening 分发 at once run one dry run, not two
        self._plans: dict[int, tuple[str, object]] = {}
        self._stats: dict[str, list] = {}  # the stat cache's entries, carried from visit to visit
        self.computed = 0  # dry runs started: what the tests count

    def get(self, ds: Dataset, out: Path, year: int, compute: Callable[[], T]) -> T:
        """The plan of ``year``: the kept one when its key still holds, else ``compute()``'s, kept.
        A refusal (an exception) is not kept: the next visit tries again."""
        return self.keyed(ds, out, year, compute)[1]

    def keyed(self, ds: Dataset, out: Path, year: int, compute: Callable[[], T]) -> tuple[str, T]:
        """``get`` with the key the plan was made under: the page posts it back with its send button,
        and a send whose key no longer holds (``current``) would send another plan than the one shown."""
        with self._lock:
            key = self.key(ds, out, year)  # before the run: a change made during it is a change
            kept = self._plans.get(year)
            if kept is not None and kept[0] == key:
                return key, kept[1]  # type: ignore[return-value]
            self.computed += 1
            plan = compute()
            # kept only if nothing changed while it ran: else it may show a state the key does not name
            # (a file saved during the run and put back after would bring this plan back for the old state)
            if self.key(ds, out, year) == key:
                self._plans[year] = (key, plan)
            else:  # the key names the state before the run: a send posting it is refused as changed
                self._plans.pop(year, None)
            return key, plan

    def current(self, ds: Dataset, out: Path, year: int) -> str:
        """The key of the files as they are now (no dry run): what a posted plan's key must equal."""
        with self._lock:  # key() carries the stat entries from call to call: one caller at a time
            return self.key(ds, out, year)

    def key(self, ds: Dataset, out: Path, year: int) -> str:
        cache = StatCache(self._stats)  # a new one per visit: it re-stats every file (its memo is per run)
        templates = default_templates()
        files = {p for root in (ds.root, templates) for p in walk(root, skip=out)}
        # of the out dir, what a dry run of the year reads: the manifest, the stat cache, the ledger and
        # the year's outputs; other years' PDFs need not be read after each build
        files.update(p for p in (os.path.join(out, n) for n in _names(out)) if os.path.isfile(p))
        files.update(walk(out / str(year)))
        try:  # pictures outside the data dir; a brief that cannot even list its inputs is the dry run's to refuse
            files.update(os.path.abspath(p) for t in targets(ds, year) for p in inputs(ds, t))
        except Exception:  # noqa: BLE001
            pass
        h = hashlib.sha256(f"{year}|{tool_fingerprint()}|{_fonts()}".encode())
        h.update(repr([os.environ.get(name, "") for name in SETTINGS]).encode())
        for path in sorted(files):
            h.update(f"{path}\0{cache.hash(path) or '-'}\0".encode())
        cache.prune(cache.asked)  # files gone since: their entries go too
        self._stats = cache.entries
        return h.hexdigest()


def _fonts() -> str:
    try:
        return font_fingerprint()
    except Exception:  # noqa: BLE001 - no usable font: the dry run says so in its own words
        return "-"


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:  # no out dir yet: nothing built, nothing sent
        return []
