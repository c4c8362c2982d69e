"""``brief distribute``: bring the year's PDFs up to date, stamp a copy per recipient, send, record.

Per recipient, each file it asks for is looked up in the ledger by (email, file name, sha256 of the
original PDF) and is

- ``new`` / ``changed`` (an earlier version went out) / ``retry`` (an earlier attempt failed):
  owed, and attached to this run's message;
- ``sent``: skipped, never sent twice;
- ``outboxed`` (written to ``out/outbox/`` by an earlier run, and still no mail server): skipped, and
  said so, since an office must not believe it was mailed;
- ``written`` (only written to ``out/outbox/`` by an earlier run without a mail server): skipped
  while there is still no mail server, owed once ``BRIEF_SMTP_HOST`` is set, since nothing left;
- ``unknown`` (a connection lost after the server took the message, or a run killed while
  sending): held, since the recipient may have it; ``resend=True`` sends it again (``resend``).

A recipient owed nothing gets no message. The counts are per copy (one file to one recipient).

A numbered brief (issued in ``issues.yaml`` and final) is a record once delivered: a different
version of it (its data changed after sending) is ``refused``, and then the whole run sends nothing,
one line per such brief, until the office gives the correction a new number or 增刊, or says
``resend_changed=True`` (``--resend-changed``): the copies go out as ``replace``, named so. Drafts and
unnumbered briefs are sent again when changed, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from ..build import build, pdf_digests, stale, targets
from ..compose.county import default_templates
from ..compose.issue import asks_for, classification, classified_by, entry_of, is_extra, receives, recipients_in_order
from ..data.dataset import Dataset, load_dataset
from ..data.records import DEFAULT_GENRE, Recipient
from ..data.schema import email_problem, name_problem, shown
from ..documents import COUNTY, PROGRAM, SUMMARY, Target, output_path
from ..errors import BriefError, Problem, check_path, os_error_problem
from ..issues import FILE as ISSUES_FILE
from ..outdir import check_out, check_subdir, exclusive
from .ledger import LEDGER, Ledger
from .message import Attachment, compose, envelope_sender, safe_name, to_bytes
from .placeholder import is_example, note, refusal, refuses
from .stamp import check_name, stamp
from .transport import FAILED, SENT, UNKNOWN, Delivery, SmtpSettings, send, write_outbox

SECRET = ("秘密", "机密")  # never emailed

LOCK = ".distribute.lock"
OUTBOX = "outbox"
OUTBOX_DETAIL = "已写入 "  # the ledger's detail of a copy written to the outbox, not mailed
OWED = ("new", "changed", "replace", "retry", "resend", "written")
STATUS_TEXT = {
    "new": "新文件，将发送",
    "changed": "内容有变化，将作为新版本发送",
    "retry": "上次发送失败，将重发",
    "resend": "状态不明，将重发（--resend）",
    "sent": "已发送过，跳过",
    "outboxed": "已写入 outbox（未设邮件服务器，未真正发出），跳过",
    "written": "上次只写入 outbox（未真正发出），将通过邮件发送",
    "unknown": "状态不明，不重发（确认对方未收到后可用 --resend）",
    "refused": "已发出的编号简报内容有变化，不发送（见下方说明）",
    "replace": "内容有变化，将替换已发出的原件（--resend-changed）",
}


@dataclass
class FileStatus:
    file: str  # e.g. 2023年英吉沙县援疆工作简报.pdf
    path: Path
    sha256: str | None  # of the original (in a dry run: of the PDF the build would make)
    status: str  # new | changed | retry | resend | sent | outboxed | written | unknown
    copy_no: int | None = None
    stale: bool = False  # dry run: build would (re)make it first
    exists: bool = True  # dry run: the PDF is on disk already
    number: str = ""  # refused | replace: the 期号 an earlier version was delivered under

    @property
    def owed(self) -> bool:
        return self.status in OWED


@dataclass
class RecipientResult:
    name: str
    email: str
    line: int
    files: list[FileStatus] = field(default_factory=list)
    outcome: str = "skipped"  # sent | skipped | failed | unknown | held | nothing | planned
    detail: str = ""
    tries: int = 0
    outbox: Path | None = None
    missing: list[str] = field(default_factory=list)  # briefs asked for that do not exist this year

    def count(self, *statuses: str) -> int:
        return sum(1 for f in self.files if f.status in statuses)


@dataclass
class Report:
    year: int
    dry_run: bool
    recipients_file: Path
    recipients: list[RecipientResult] = field(default_factory=list)
    built: int = 0  # briefs (re)made before sending
    to_build: list[str] = field(default_factory=list)  # dry run: PDFs a real run would make first
    transport: str = "outbox"  # smtp host:port, or outbox
    withheld: list[Problem] = field(default_factory=list)  # 秘密/机密 briefs: never emailed, one line each
    example_note: str = ""  # recipients still at example.org, in a run that does not refuse them
    reissued: list[Problem] = field(default_factory=list)  # numbered briefs changed after delivery: nothing sent

    @property
    def counts(self) -> dict[str, int]:
        c = {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0, "planned": 0}
        for r in self.recipients:
            owed = r.count(*OWED)
            c["skipped"] += r.count("sent", "outboxed")
            c["unknown"] += r.count("unknown")
            if r.outcome == "sent":
                c["sent"] += owed
            elif r.outcome == "failed":
                c["failed"] += owed
            elif r.outcome == "unknown":
                c["unknown"] += owed
            elif r.outcome == "planned":
                c["planned"] += owed
        return c

    @property
    def problems(self) -> list[Problem]:
        """One line per recipient that failed or whose delivery is in doubt, one per withheld brief."""
        out = list(self.withheld) + list(self.reissued)
        for r in self.recipients:
            where = (str(self.recipients_file), r.line or None, r.name)
            if r.outcome == "failed":
                out.append(Problem(*where, f"发送失败（{r.email}）：{r.detail}"))
            elif r.outcome == "unknown":
                out.append(Problem(*where, f"状态不明（{r.email}）：{r.detail}；确认对方未收到后用 --resend 重发"))
            held = [f.file for f in r.files if f.status == "unknown"]
            if held and not self.dry_run:
                out.append(Problem(*where, f"状态不明（{r.email}）：{'、'.join(held)} 上次发出后未得到服务器答复，"
                                           "可能已送达，未重发；确认对方未收到后用 --resend 重发"))
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def distribute(data: Path, out: Path, year: int, dry_run: bool = False, resend: bool = False,
               resend_changed: bool = False, smtp: SmtpSettings | None = None,
               retry_delays: Sequence[float] = (0.5, 1.0), timeout: float = 10,
               templates: Path | None = None, progress: Callable[[object], None] | None = None) -> Report:
    """Send ``year``'s PDFs per ``data/recipients.yaml``; ``smtp=None`` writes ``out/outbox/*.eml``.

    Raises ``BriefError`` for bad data (before anything is built or sent); delivery trouble is in
    the returned ``Report`` (``report.problems``)."""
    data, out = Path(data), Path(out)
    for path, option in ((data, "--data"), (out, "--out"), (templates, "--templates")):
        check_path(path, option)
    check_out(out)
    check_subdir(out / OUTBOX)  # before anything is sent, not half-way
    ds = load_dataset(data)
    recipients_file = data / "recipients.yaml"
    if ds.recipients is None:
        raise BriefError.at(str(recipients_file), None, "-", "找不到分发名单 recipients.yaml（distribute 需要它）")
    _check_recipients(ds.recipients, recipients_file)
    wanted = _wanted(ds, year)
    report = Report(year, dry_run, recipients_file, transport=f"{smtp.host}:{smtp.port}" if smtp else "outbox")
    report.withheld = _withheld(ds, year)
    examples = [r for r in ds.recipients if is_example(r.email)]
    if examples and refuses(smtp) and not dry_run:
        raise BriefError(refusal(examples, recipients_file))
    report.example_note = note(examples, recipients_file, smtp) if examples else ""
    if dry_run:
        _plan(ds, out, year, wanted, report, resend, resend_changed, templates, by_mail=smtp is not None)
        return report
    with _lock(out):
        outcomes = build(data, out, year, templates=templates, progress=progress)
        report.built = sum(1 for o in outcomes if not o.skipped)
        with Ledger(out / LEDGER) as ledger:
            asked = list(dict.fromkeys(t for r in ds.recipients for t in wanted(r)[0]))
            changed = _reissued(ledger, ds, {t: _sha256(output_path(ds, t, "pdf", out)) for t in asked}, out)
            if changed and not resend_changed:  # before any message: one decision for the whole run
                report.reissued = _refusals(ds, changed)
                return report
            for r in ds.recipients:
                report.recipients.append(_serve(ledger, ds, out, year, r, wanted, resend, smtp, retry_delays, timeout,
                                                changed))
    return report


# -- what each recipient asks for -------------------------------------------------------------------


def _check_recipients(recipients: list[Recipient], path: Path) -> None:
    problems: list[Problem] = []
    seen: dict[str, Recipient] = {}
    for r in recipients:
        # The grammar validate applies (data.schema), again here: nothing is sent unless every entry is good.
        for key, value, bad in (("email", r.email, email_problem(r.email)), ("name", r.name, name_problem(r.name))):
            if bad:
                problems.append(Problem(str(path), r.line or None, key, f"“{shown(value)}”：{bad}"))
        k = r.email.strip().lower()
        if k in seen:
            problems.append(Problem(str(path), r.line or None, "email",
                                    f"{r.email} 已在第 {seen[k].line} 行出现：同一邮箱只能列一次"))
        seen.setdefault(k, r)
        missing = [] if name_problem(r.name) else check_name(r.name)
        if missing:
            problems.append(Problem(str(path), r.line or None, "name",
                                    f"没有已安装的字体能显示 {''.join(missing)}，无法在分送件上加盖名称"))
    if problems:
        raise BriefError(problems)


def _wanted(ds: Dataset, year: int) -> Callable[[Recipient], tuple[list[Target], list[str]]]:
    have = targets(ds, year)
    if not have:
        raise BriefError.at(str(ds.root), None, "--year", f"没有 {year} 年的数据")
    # In the order a message lists them: per program, its summary then its own brief.
    ordered = [t for t in have if t.kind is COUNTY]
    ordered += [t for pid in sorted(ds.programs) for kind in (SUMMARY, PROGRAM) for t in have
                if t.kind is kind and t.id == pid]

    def resolve(r: Recipient) -> tuple[list[Target], list[str]]:
        found: list[Target] = []
        missing: list[str] = []
        for b in dict.fromkeys(r.briefs + r.extra):
            ts = [t for t in ordered if asks_for(b, t)]  # the rule the 版记 lists recipients by
            if not ts:
                missing.append(_label(ds, b, year))
            ts = [t for t in ts if not secret(ds, t)]  # 秘密/机密: Report.withheld names them once
            found += [t for t in ts if t not in found]
        return found, missing

    return resolve


def _label(ds: Dataset, entry: str, year: int) -> str:
    """What a recipient asked for that does not exist this year, as the run's note names it."""
    if entry == "summary":
        return f"{year} 年的年度汇总"
    if any(c == entry for c, _ in ds.counties):
        return f"{ds.county_name(entry)}（{entry}）{year} 年的简报"
    pid = entry.removeprefix("summary:")
    return f"{ds.programs[pid].name if pid in ds.programs else pid}（{pid}）{year} 年的年度汇总"


def secret(ds: Dataset, t: Target) -> str:
    """秘密 or 机密 when the brief is classified so: such a brief is never emailed."""
    level = classification(ds, t)
    return level if level in SECRET else ""


def _withheld(ds: Dataset, year: int) -> list[Problem]:
    """One line per classified brief some recipient asks for: it is not sent, the rest are."""
    out = []
    for t in sorted({t for t in targets(ds, year) if secret(ds, t)}, key=lambda t: (t.kind.name, t.id)):
        if not any(receives(r, t) or is_extra(r, t) for r in ds.recipients or []):
            continue
        level, source = classified_by(ds, t)
        name = output_path(ds, t, "pdf", Path(".")).name
        own = ds.program_years.get((t.id, year)) if t.kind is not COUNTY else None
        why = "" if t.kind is COUNTY or (own is not None and own.path == source) else "（含有定密县的内容）"
        out.append(Problem(str(source), None, "classification",
                           f"{name}{why} 定为{level}，不通过邮件分发（未发送）；请按保密规定线下传递"))
    return out


def _file_status(ledger: Ledger, email: str, file: str, sha: str | None, resend: bool,
                 by_mail: bool) -> tuple[str, int | None]:
    copy_no = ledger.copy_no(email, file)
    row = ledger.get(email, file, sha) if sha else None
    if row is None:
        earlier = ledger.other_versions(email, file, sha or "")
        return ("changed" if any(v.state in ("sent", "unknown", "sending") for v in earlier) else "new"), copy_no
    if row.state == "sent":
        # a copy only written to the outbox never left the machine: owed once there is a mail server
        # (the ledger's detail says where a copy went: 已写入 out/outbox/… when no mail server sent it)
        if row.detail.startswith(OUTBOX_DETAIL):
            return ("written" if by_mail else "outboxed"), copy_no
        return "sent", copy_no
    if row.state in ("unknown", "sending"):  # sending: a run died mid-send; it may have arrived
        return ("resend" if resend else "unknown"), copy_no
    return "retry", copy_no  # pending (never handed over) or failed


# -- a numbered brief is a record -------------------------------------------------------------------


def numbered(ds: Dataset, t: Target) -> str:
    """The 期号 (2023年第12期) of a brief issued and final; "" for a draft or an unnumbered brief,
    which may go out again when changed."""
    e = entry_of(ds, t)
    return e.label if e is not None and not _draft(ds, t) else ""


def _draft(ds: Dataset, t: Target) -> bool:
    """Whether the brief prints as a draft (watermark): its county file, or for a program's
    briefs its own year file, and for a summary any of its counties' (as compose.summary decides)."""
    if t.kind is COUNTY:
        return ds.county(t.id, t.year).draft
    own = ds.program_years.get((t.id, t.year))
    program = ds.programs.get(t.id)
    counties = program.counties if t.kind is SUMMARY and program is not None else []
    return bool(own and own.draft) or any(ds.counties[(c, t.year)].draft for c in counties
                                          if (c, t.year) in ds.counties)


def _reissued(ledger: Ledger, ds: Dataset, shas: dict[Target, str | None],
              out: Path) -> dict[str, tuple[Target, str]]:
    """Per file name: the numbered briefs whose version ``shas`` differs from one already delivered
    under the same 期号, with that 期号."""
    found: dict[str, tuple[Target, str]] = {}
    for t, sha in shas.items():
        name = output_path(ds, t, "pdf", out).name
        if sha and numbered(ds, t):
            earlier = ledger.issued_elsewhere(name, sha)
            if earlier:
                found[name] = (t, earlier)
    return found


def _refusals(ds: Dataset, changed: dict[str, tuple[Target, str]]) -> list[Problem]:
    """One line per numbered brief changed after it went out, saying what to do."""
    out = []
    for name, (t, number) in changed.items():
        e = entry_of(ds, t)
        doc = e.document if e is not None else t.id
        summary = " --summary" if t.kind is SUMMARY else ""
        how = f"brief issue {doc.removeprefix('summary:')}{summary} --year {t.year} --supplement"
        out.append(Problem(str(ds.root / ISSUES_FILE), e.line if e is not None and e.line else None, doc,
                           f"{name}（{number}）已发出，此后内容有变化：同一期号不能改发不同的内容，本次未发送任何邮件。"
                           f"更正请另编一期或增刊（{how}）；确要替换已发出的原件，加 --resend-changed 再发"))
    return out


def _guarded(status: str, name: str, changed: dict[str, tuple[Target, str]], resend_changed: bool) -> tuple[str, str]:
    """A copy's status once the numbered-brief rule is applied, and the 期号 it concerns."""
    if name not in changed or status not in ("new", "changed"):
        return status, ""
    number = changed[name][1]
    if not resend_changed:
        return "refused", number
    return ("replace" if status == "changed" else status), number


# -- a dry run: read only ---------------------------------------------------------------------------


def _plan(ds: Dataset, out: Path, year: int, wanted: Callable[[Recipient], tuple[list[Target], list[str]]],
          report: Report, resend: bool, resend_changed: bool, templates: Path | None, by_mail: bool) -> None:
    """What a real run would do, decided as it decides: the build's own staleness test, and for a
    PDF it would remake, the bytes it would write (rendered in memory), so a copy whose bytes
    change is announced as the new version the real run will send."""
    templates = templates or default_templates()
    asked = list(dict.fromkeys(t for r in ds.recipients or [] for t in wanted(r)[0]))
    # The real run first builds the whole year, as `build --year` does: name every brief it remakes.
    every = list(dict.fromkeys([*targets(ds, year), *asked]))
    remade = stale(every, ds, out, templates)
    would_be = pdf_digests(ds, [t for t in asked if t in remade], templates)
    for t in every:
        if t in remade:
            report.to_build.append(output_path(ds, t, "pdf", out).name)
    with Ledger(out / LEDGER, readonly=True) as ledger:
        shas = {t: would_be[t] if t in remade else _sha256(output_path(ds, t, "pdf", out)) for t in asked}
        changed = _reissued(ledger, ds, shas, out)
        if changed and not resend_changed:
            report.reissued = _refusals(ds, changed)
        for r in ds.recipients or []:
            result = RecipientResult(r.name, r.email, r.line, outcome="planned")
            found, result.missing = wanted(r)
            for t in found:
                path = output_path(ds, t, "pdf", out)
                name = path.name
                sha = shas[t]
                status, copy_no = _file_status(ledger, r.email, name, sha, resend, by_mail)
                status, number = _guarded(status, name, changed, resend_changed)
                result.files.append(FileStatus(name, path, sha, status, copy_no, t in remade, path.is_file(), number))
            if not result.files:
                result.outcome = "nothing"
            elif not any(f.owed for f in result.files):
                result.outcome = "held" if result.count("unknown") else "skipped"
            report.recipients.append(result)


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


# -- a real run -------------------------------------------------------------------------------------


def _genre(ds: Dataset, found: list[Target]) -> str:
    """What the message calls the work: the genre of the programs its briefs belong to when they
    share one (东西部协作), else the default."""
    programs = {t.id if t.kind is not COUNTY else getattr(ds.program_of(t.id), "id", "") for t in found}
    genres = {ds.programs[p].genre for p in programs if p in ds.programs}
    return genres.pop() if len(genres) == 1 else DEFAULT_GENRE


def _lock(out: Path) -> AbstractContextManager[None]:
    return exclusive(out, LOCK, "distribute")


def _serve(ledger: Ledger, ds: Dataset, out: Path, year: int, r: Recipient,
           wanted: Callable[[Recipient], tuple[list[Target], list[str]]], resend: bool, smtp: SmtpSettings | None,
           retry_delays: Sequence[float], timeout: float,
           changed: dict[str, tuple[Target, str]]) -> RecipientResult:
    result = RecipientResult(r.name, r.email, r.line)
    found, result.missing = wanted(r)
    originals: dict[str, bytes] = {}
    for t in found:
        path = output_path(ds, t, "pdf", out)
        name = path.name
        blob = path.read_bytes()
        sha = hashlib.sha256(blob).hexdigest()
        status, copy_no = _file_status(ledger, r.email, name, sha, resend, smtp is not None)
        row = ledger.get(r.email, name, sha)
        if row is not None and row.state == "sending":  # left by a killed run: say what it is
            ledger.mark(r.name, r.email, year, [(name, sha)], UNKNOWN, "上次运行在发送途中中断，可能已送达")
        status, number = _guarded(status, name, changed, resend_changed=True)  # refusals returned earlier
        originals[name] = blob
        result.files.append(FileStatus(name, path, sha, status, copy_no, number=number))
    owed = [f for f in result.files if f.owed]
    if not result.files:
        result.outcome = "nothing"
        return result
    if not owed:
        result.outcome = "held" if result.count("unknown") else "skipped"
        return result

    items = [(f.file, f.sha256 or "") for f in owed]
    numbers = ledger.allocate(r.email, [f.file for f in owed], _preferred(ds, found, r, out))
    for t in found:  # the version each numbered brief goes out as: a later change is refused
        name = output_path(ds, t, "pdf", out).name
        if numbered(ds, t) and name in (f.file for f in owed):
            ledger.record_issued(name, next(f.sha256 or "" for f in owed if f.file == name), numbered(ds, t))
    ledger.mark(r.name, r.email, year, items, "pending")
    attachments = []
    for f in owed:
        f.copy_no = numbers[f.file]
        attachments.append(Attachment(f.file, f.sha256 or "", f.copy_no, stamp(originals[f.file], f.copy_no, r.name),
                                      changed=f.status in ("changed", "replace")))
    sender = smtp.sender if smtp else None
    msg = compose(r.name, r.email, year, attachments, sender, _genre(ds, found))
    blob = to_bytes(msg)
    ledger.mark(r.name, r.email, year, items, "sending", message_id=str(msg["Message-ID"]))  # before connecting
    if smtp is not None:
        delivery = send(smtp, envelope_sender(sender), r.email.strip(), blob, retry_delays, timeout)
    else:
        try:
            result.outbox = write_outbox(out / OUTBOX, f"{safe_name(r.name)}-{year}", blob)
            delivery = Delivery(SENT, 1, f"{OUTBOX_DETAIL}{result.outbox}")
        except OSError as exc:
            problem = os_error_problem(exc)
            delivery = Delivery(FAILED, 1, f"发件箱 {problem.file} {problem.message}")
    ledger.mark(r.name, r.email, year, items, delivery.state, delivery.detail, tries=delivery.tries)
    result.outcome, result.detail, result.tries = delivery.state, delivery.detail, delivery.tries
    return result


def _preferred(ds: Dataset, found: list[Target], r: Recipient, out: Path) -> dict[str, int]:
    """An issued brief's 份号: the recipient's place in its 版记 (报, 送, 发, then 本期增发)."""
    numbers = {}
    for t in found:
        if entry_of(ds, t) is None:
            continue
        emails = [x.email.strip().lower() for x in recipients_in_order(ds, t)]
        if r.email.strip().lower() in emails:
            numbers[output_path(ds, t, "pdf", out).name] = emails.index(r.email.strip().lower()) + 1
    return numbers


# -- what the command prints ------------------------------------------------------------------------


def _copies(files: list[FileStatus]) -> str:
    return "、".join(f"{f.file}（份号 {f.copy_no:06d}{_replaces(f)}）" if f.copy_no else f.file for f in files)


def _replaces(f: FileStatus) -> str:
    return f"，替换已发出的{f.number}原件" if f.status == "replace" else ""


def _replaced(report: Report) -> list[str]:
    """One line per numbered brief this run replaced (--resend-changed), with its copies."""
    done: dict[tuple[str, str], int] = {}
    for r in report.recipients:
        if r.outcome == SENT:
            for f in r.files:
                if f.status == "replace":
                    done[(f.file, f.number)] = done.get((f.file, f.number), 0) + 1
    return [f"已替换：{file}（{number}）已发出的原件由新版本替换，{n} 份（--resend-changed）"
            for (file, number), n in done.items()]


def format_report(report: Report) -> list[str]:
    """Lines for stdout: what happened per recipient, then the counts. Problems are separate
    (``report.problems``: the command prints them one per line and exits 1)."""
    lines: list[str] = []
    if report.dry_run:
        lines.append(f"演练（--dry-run）：不生成、不发送、不写分发记录；发送方式：{_how(report)}")
        for name in report.to_build:
            lines.append(f"需先生成：{name}")
    elif report.built:
        lines.append(f"已生成 {report.built} 份简报")
    for r in report.recipients:
        who = f"{r.name} <{r.email}>"
        if report.dry_run:
            lines.append(f"{who}：" + ("无可发送的简报" if not r.files else ""))
            for f in r.files:
                extra = "（尚未生成，将先生成）" if not f.exists else "（需重新生成）" if f.stale else ""
                number = f"，份号 {f.copy_no:06d}" if f.copy_no else ""
                number += f"（{f.number}）" if f.number else ""
                lines.append(f"  {f.file}：{STATUS_TEXT[f.status]}{number}{extra}")
        else:
            owed = [f for f in r.files if f.owed]
            parts = []
            if r.outcome == SENT and r.outbox:
                parts.append(f"已写入 {r.outbox}（{len(owed)} 份）：{_copies(owed)}")
            elif r.outcome == SENT:
                parts.append(f"已发送 {len(owed)} 份：{_copies(owed)}")
            elif r.outcome == FAILED:
                parts.append(f"发送失败 {len(owed)} 份：{_copies(owed)}")
            elif r.outcome == UNKNOWN:
                parts.append(f"状态不明 {len(owed)} 份：{_copies(owed)}")
            elif r.outcome == "nothing":
                parts.append("无可发送的简报")
            done = [f for f in r.files if f.status == "sent"]
            filed = [f for f in r.files if f.status == "outboxed"]
            held = [f for f in r.files if f.status == "unknown"]
            if done:
                parts.append(f"跳过 {len(done)} 份（已发送过）：{_copies(done)}")
            if filed:
                parts.append(f"跳过 {len(filed)} 份（已写入 outbox，未真正发出）：{_copies(filed)}")
            if held:
                parts.append(f"未重发 {len(held)} 份（状态不明）：{_copies(held)}")
            lines.append(f"{who}：" + "；".join(parts))
        for m in r.missing:
            lines.append(f"  注意：没有{m}，未发送")
    if report.example_note:  # before the counts: the runs' last lines stay the counts
        lines.append(report.example_note)
    refused = f"{len(report.reissued)} 份已编号简报发出后内容有变化，不发送任何邮件（见下方说明）"
    if report.reissued and not report.dry_run:
        lines.append(f"未发送：{refused}")
    lines += _replaced(report)
    c = report.counts
    if report.dry_run and report.reissued:
        lines.append(f"演练：实际运行将拒绝发送：{refused}")
    elif report.dry_run:
        lines.append(f"演练：将发送 {c['planned']}，跳过 {c['skipped']}，状态不明 {c['unknown']}")
    else:
        outbox = report.transport == "outbox"
        if outbox and c["sent"]:  # "已发送" alone would make an office believe mail went out
            lines.append(f"注意：{OUTBOX_NOTE}")
        done = "已写入 outbox" if outbox else "已发送"
        lines.append(f"{done} {c['sent']}，跳过 {c['skipped']}，失败 {c['failed']}，状态不明 {c['unknown']}")
    for p in report.withheld:  # the problem lines say it again on stderr; here in the run's summary
        lines.append(f"未发送（涉密）：{p.message.split(' ')[0]}")
    return lines


# Without BRIEF_SMTP_HOST nothing leaves the machine: say so in the words of an office, not "outbox".
OUTBOX_NOTE = "未设置邮件服务器（BRIEF_SMTP_HOST），邮件不会真正发出，只写成输出目录 outbox/ 下的 .eml 文件，需另行发送"


def _how(report: Report) -> str:
    return f"SMTP {report.transport}" if report.transport != "outbox" else OUTBOX_NOTE
