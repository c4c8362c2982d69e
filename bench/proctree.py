"""Run a command and sample its whole process tree's memory every 50 ms (Linux /proc, no psutil).

RSS summed over the tree over-counts pages that forked workers share with their parent, so the
proportional set size (PSS, /proc/PID/smaps_rollup) is summed too: PSS adds up to what the tree
really holds. ``/usr/bin/time -v``, when present, wraps the command and gives the largest single
process's peak RSS (what getrusage reports; it never sums a tree).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
GNU_TIME = "/usr/bin/time"


@dataclass
class TreeRun:
    returncode: int
    wall: float  # seconds
    peak_rss_sum: int = 0  # bytes, max over samples of the sum over the tree
    peak_pss_sum: int = 0
    peak_procs: int = 0
    samples: int = 0
    max_rss_single: int | None = None  # bytes, from /usr/bin/time -v
    cpu: float = 0.0  # seconds, user + system of the whole tree (getrusage RUSAGE_CHILDREN delta)
    cpu_by_pid: dict[int, float] = field(default_factory=dict)  # last sampled user + system seconds
    parent_of: dict[int, int] = field(default_factory=dict)

    main_pid: int | None = None  # the command's own process (inside /usr/bin/time when wrapped)

    def cpu_split(self) -> tuple[float, list[float]]:
        """Last sampled CPU seconds of the command's process and of each of its child processes."""
        if self.main_pid is None or self.main_pid not in self.cpu_by_pid:
            return 0.0, []
        kids = [c for p, c in self.cpu_by_pid.items() if self.parent_of.get(p) == self.main_pid]
        return self.cpu_by_pid[self.main_pid], sorted(kids, reverse=True)
    stdout: str = ""
    stderr: str = ""
    notes: list[str] = field(default_factory=list)


def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields after the last ')' are fixed
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def tree(root: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += kids.get(pid, [])
    return out


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> tuple[int, float] | None:
    """(ppid, user + system seconds) of ``pid``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def run_tree(cmd: list[str], *, cwd: Path | None = None, interval: float = 0.05,
             use_gnu_time: bool = True, env: dict[str, str] | None = None) -> TreeRun:
    """Run ``cmd`` to the end; wall time from perf_counter, memory sampled every ``interval`` s."""
    sampling = Path("/proc/self/stat").exists()
    time_file = None
    if use_gnu_time and os.access(GNU_TIME, os.X_OK):
        fd, time_file = tempfile.mkstemp(prefix="brief-bench-time-", suffix=".txt")
        os.close(fd)
        cmd = [GNU_TIME, "-v", "-o", time_file, *cmd]
    wrapped = time_file is not None
    result = TreeRun(returncode=-1, wall=0.0)
    if not sampling:
        result.notes.append("no /proc: tree memory not sampled")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wrapped:
        result.main_pid = proc.pid
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = tree(proc.pid)
            for p in pids:
                got = _cpu(p)
                if got is not None:
                    result.parent_of[p], result.cpu_by_pid[p] = got
                    if result.main_pid is None and got[0] == proc.pid:
                        result.main_pid = p
            rss = sum(_rss(p) for p in pids)
            pss = sum(_pss(p) for p in pids)
            result.samples += 1
            result.peak_rss_sum = max(result.peak_rss_sum, rss)
            result.peak_pss_sum = max(result.peak_pss_sum, pss)
            result.peak_procs = max(result.peak_procs, len(pids))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True) if sampling else None
    if sampler:
        sampler.start()
    out, err = proc.communicate()
    result.wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    if sampler:
        sampler.join()
    result.returncode, result.stdout, result.stderr = proc.returncode, out, err
    if time_file:
        text = Path(time_file).read_text(errors="replace")
        os.unlink(time_file)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if m:
            result.max_rss_single = int(m.group(1)) * 1024
    elif use_gnu_time:
        result.notes.append(f"{GNU_TIME} not found (apt-get install time): no single-process peak")
    return result


def have_gnu_time() -> bool:
    return os.access(GNU_TIME, os.X_OK) or shutil.which("time") == GNU_TIME
