"""``python -m brief.web.dryrun DATA OUT YEAR``: ``distribute --dry-run`` as JSON for the web page.

A separate process, as for build: a dry run renders out-of-date PDFs in memory (in a process pool),
which a threaded server should not fork for."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..distribute import distribute as run
from ..distribute import format_report
from ..distribute.run import STATUS_TEXT
from ..distribute.transport import SmtpSettings
from ..errors import BriefError
from ..fonts.warm import warm_fonts

PLAN_TIMEOUT = 600


@dataclass(frozen=True)
class PlannedCopy:
    file: str
    status: str  # the words distribute prints (新文件，将发送 …)
    copy_no: str  # 000003, or "" before a first send
    note: str  # 需先生成 …


@dataclass(frozen=True)
class PlannedRecipient:
    name: str
    email: str
    copies: list[PlannedCopy]
    missing: list[str]


@dataclass(frozen=True)
class Plan:
    how: str
    to_build: list[str]
    recipients: list[PlannedRecipient]
    summary: str
    withheld: list[str]
    note: str = ""  # recipients still at example.org (distribute.placeholder)
    reissued: tuple[str, ...] = ()  # numbered briefs changed after they went out: the send is refused


def plan(data: Path, out: Path, year: int, cwd: Path) -> Plan:
    """Run the dry run in a child process; BriefError with its lines when it refuses."""
    proc = subprocess.run([sys.executable, "-m", "brief.web.dryrun", str(data), str(out), str(year)],
                          capture_output=True, text=True, encoding="utf-8", errors="replace",
                          cwd=cwd, timeout=PLAN_TIMEOUT, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = [x for x in proc.stderr.splitlines() if x.strip()] or ["演练失败"]
        raise BriefError(lines[-1] if len(lines) == 1 else "；".join(lines[:5]))
    raw = json.loads(proc.stdout)
    recipients = [PlannedRecipient(r["name"], r["email"], [PlannedCopy(**c) for c in r["copies"]], r["missing"])
                  for r in raw["recipients"]]
    return Plan(raw["how"], raw["to_build"], recipients, raw["summary"], raw["withheld"], raw.get("note", ""),
                tuple(raw.get("reissued", ())))


def _main(data: str, out: str, year: str) -> None:
    warm_fonts(lambda line: print(line, file=sys.stderr))
    # the mail settings the send button's `brief distribute` will use: the plan says how it will send
    report = run(Path(data), Path(out), int(year), dry_run=True, smtp=SmtpSettings.from_env())
    lines = format_report(report)
    body = {
        "how": lines[0],
        "to_build": report.to_build,
        "recipients": [{
            "name": r.name, "email": r.email, "missing": r.missing,
            "copies": [{"file": f.file, "status": STATUS_TEXT[f.status],
                        "copy_no": f"{f.copy_no:06d}" if f.copy_no else "",
                        "note": "尚未生成，将先生成" if not f.exists else "需重新生成" if f.stale else ""}
                       for f in r.files]}
            for r in report.recipients],
        "summary": next((x for x in lines if x.startswith("演练：")), ""),
        "withheld": [p.message for p in report.withheld],
        "note": report.example_note,
        # the lines `brief distribute` would refuse with: the page offers no plain send then
        "reissued": [p.message for p in report.reissued],
    }
    print(json.dumps(body, ensure_ascii=False))


if __name__ == "__main__":
    try:
        _main(*sys.argv[1:4])
    except BriefError as exc:
        for p in exc.problems:
            print(str(p), file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"内部错误：{type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        sys.exit(1)
