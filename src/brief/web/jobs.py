"""Long runs started from a page (build, distribute): a ``python -m brief`` subprocess, so a crash
or a font conversion never takes the server down, read line by line for the progress bar."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field

_PROGRESS = ("已生成：", "无变化：")  # the lines progress.Reporter prints per brief when not on a terminal


@dataclass
class Job:
    id: str
    title: str  # 生成全部简报
    args: list[str]
    total: int  # briefs expected, for the bar
    done: int = 0
    running: bool = True
    rc: int | None = None
    lines: list[str] = field(default_factory=list)  # what the command said, progress lines aside
    after: str = ""  # where the page goes when finished

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def to_json(self) -> dict[str, object]:
        if not self.running and self.ok:
            percent = 100
        else:  # running, or stopped by a failure: the bar shows how far it got
            percent = min(99, int(100 * self.done / self.total)) if self.total else 0
        return {"running": self.running, "done": self.done, "total": self.total, "percent": percent,
                "ok": self.ok, "lines": self.lines[-20:]}


class Jobs:
    """One job at a time: two builds into one --out would only wait for each other's lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> Job | None:
        return next((j for j in self._jobs.values() if j.running), None)

    def start(self, title: str, args: list[str], total: int, cwd: str, after: str = "") -> Job | None:
        """Start ``python -m brief <args>`` in ``cwd`` (its error lines name files relative to it);
        None when another job still runs."""
        with self._lock:
            if self.running():
                return None
            job = Job(secrets.token_hex(8), title, args, total, after=after)
            self._jobs[job.id] = job
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("BRIEF_DEBUG", None)  # a failure is one Chinese line, never a traceback
        try:
            proc = subprocess.Popen([sys.executable, "-m", "brief", *args], stdin=subprocess.DEVNULL, cwd=cwd,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                    text=True, encoding="utf-8", errors="replace")
        except OSError as exc:
            job.lines.append(f"无法启动：{exc.strerror or exc}")
            job.rc, job.running = 1, False
            return job
        threading.Thread(target=self._follow, args=(job, proc), daemon=True).start()
        return job

    def _follow(self, job: Job, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc, proc.stdout:  # closes the pipe and reaps the child however the loop ends
            for raw in proc.stdout:
                line = raw.rstrip("\n")
                if line.startswith(_PROGRESS):
                    job.done += 1
                elif line.strip():
                    job.lines.append(line)
        job.rc = proc.returncode
        if job.rc and not job.lines:  # killed (kill -9, out of memory) or silent: the page must still say why
            job.lines.append(_silent(job.rc))
        job.running = False


def _silent(rc: int) -> str:
    if rc < 0:
        return (f"任务被强行中断（信号 {-rc}，可能是内存不足或被手动结束）：已写完的文件完好，"
                "没写完的不会留下；请重新运行")
    return f"任务失败（退出码 {rc}），没有给出原因：请在命令行运行同样的命令查看"
