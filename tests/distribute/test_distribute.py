"""``distribute`` against real SMTP servers on loopback: aiosmtpd, and a raw socket server that hangs
up (or goes silent) after taking a message, as docs/checks.md §5 observed.

The briefs are built once per module into a template output dir; each test copies it (the build
fingerprints the data dir's paths, not the output dir's, so the copy is up to date and the build
inside ``distribute`` is a no-op)."""

from __future__ import annotations

import email
import hashlib
import io
import json
import shutil
import socket
import socketserver
import sqlite3
import threading
import time
from email.policy import default as default_policy
from pathlib import Path

import pytest

from brief.distribute import SmtpSettings, distribute, format_report, stamp
from brief.distribute.ledger import Ledger
from brief.errors import BriefError
from helpers import DATA, has, pdffonts_rows, pdftotext

pytestmark = [pytest.mark.skipif(not has("pdftotext") or not has("pdffonts"), reason="poppler-utils needed"),
              pytest.mark.slow]  # real SMTP servers and builds: 3-9 s a test

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
pypdf = pytest.importorskip("pypdf")

YEAR = 2023
FAST = (0.05, 0.1)
SUMMARY = f"{YEAR}年山东援疆指挥部援疆工作年度汇总.pdf"
YINGJISHA = f"{YEAR}年英吉沙县援疆工作简报.pdf"
PROGRAM = f"{YEAR}年山东援疆指挥部工作简报.pdf"  # the program's own brief goes where its summary goes
# what data/recipients.yaml asks for
EXPECTED = {
    "office@example.org": ("喀什地委办公室", {SUMMARY, PROGRAM, YINGJISHA}),
    "shandong-aid@example.org": ("山东省援疆办", {SUMMARY, PROGRAM}),
    "jining@example.org": ("济宁援疆指挥部", {YINGJISHA}),
    "dongying@example.org": ("东营援疆指挥部", {f"{YEAR}年疏勒县援疆工作简报.pdf"}),
    "liaocheng@example.org": ("聊城援疆指挥部", {f"{YEAR}年岳普湖县援疆工作简报.pdf"}),
    "heze@example.org": ("菏泽援疆指挥部", {f"{YEAR}年麦盖提县援疆工作简报.pdf"}),
}
COPIES = 9  # files × recipients


# -- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from brief.build import build

    root = tmp_path_factory.mktemp("distribute")
    data = root / "data"
    shutil.copytree(DATA, data)
    template = root / "out"
    build(data, template, YEAR)
    return data, template


@pytest.fixture
def data(built: tuple[Path, Path]) -> Path:
    return built[0]


@pytest.fixture
def out(built: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(built[1], target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps every accepted message; replies can be scripted."""

    def __init__(self, rcpt_replies: dict[str, str] | None = None, first_data_reply: str | None = None) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.rcpt_replies = rcpt_replies or {}
        self.first_data_reply = first_data_reply
        self.data_calls: dict[str, int] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        key = ",".join(envelope.rcpt_tos)
        self.data_calls[key] = self.data_calls.get(key, 0) + 1
        if self.first_data_reply and self.data_calls[key] == 1:
            return self.first_data_reply
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, rcpt: str) -> list[bytes]:
        return [content for rcpts, content in self.messages if rcpt in rcpts]


@pytest.fixture
def smtp_server():
    """Start an aiosmtpd server with a given handler: ``start(handler, **controller_kwargs) -> port``."""
    controllers = []

    def start(handler, **kwargs) -> int:
        port = free_port()
        controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for c in controllers:
        c.stop()


class RawServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take a message. For ``victim``'s first message it reads DATA to the final
    dot and then hangs up (``mode="drop"``) or says nothing until released (``mode="hang"``)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, victim: str, mode: str = "drop") -> None:
        self.victim = victim
        self.mode = mode
        self.received: list[tuple[str, bytes]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _RawHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def to(self, rcpt: str) -> list[bytes]:
        return [content for r, content in self.received if r == rcpt]

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _RawHandler(socketserver.StreamRequestHandler):
    server: RawServer

    def handle(self) -> None:
        write = self.wfile.write
        write(b"220 raw.example ESMTP\r\n")
        rcpt = ""
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                write(b"250 raw.example\r\n")
            elif verb == b"RCPT":
                rcpt = line.decode().split(":", 1)[1].strip().strip("<>")
                write(b"250 OK\r\n")
            elif verb == b"DATA":
                write(b"354 go ahead\r\n")
                body = b"".join(iter(self.rfile.readline, b".\r\n"))
                with self.server.lock:
                    first = rcpt == self.server.victim and not self.server.to(rcpt)
                    self.server.received.append((rcpt, body))
                if first and self.server.mode == "drop":
                    return  # close with no reply: the message is here, the client does not know
                if first and self.server.mode == "hang":
                    self.server.release.wait(10)
                    return
                write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:  # MAIL, RSET, NOOP
                write(b"250 OK\r\n")


@pytest.fixture
def raw_server():
    servers: list[RawServer] = []

    def start(victim: str, mode: str = "drop") -> RawServer:
        servers.append(RawServer(victim, mode))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def settings(port: int, **kwargs) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, sender="山东援疆指挥部 <brief@example.org>", **kwargs)


def parse(content: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(content, policy=default_policy)  # type: ignore[return-value]


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def ledger_rows(out: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(out / "ledger.sqlite") as db:
        return sorted(db.execute("SELECT email, file, state FROM deliveries"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(out: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, sha(p))
            for p in sorted((out / str(YEAR)).iterdir())}


# -- delivery ------------------------------------------------------------------------------------------


def test_delivers_stamped_copies_and_a_rerun_sends_nothing(data: Path, out: Path, smtp_server, tmp_path: Path):
    handler = Recorder()
    port = smtp_server(handler)
    before = snapshot(out)

    report = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)

    assert report.ok, report.problems
    assert report.counts["sent"] == COPIES and report.counts["failed"] == report.counts["unknown"] == 0
    assert format_report(report)[-1] == f"已发送 {COPIES}，跳过 0，失败 0，状态不明 0"
    assert len(handler.messages) == len(EXPECTED)
    assert snapshot(out) == before  # the originals are untouched, nothing stamped is left beside them
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    manifest = {e["path"]: e["sha256"] for e in outputs}
    copy_numbers: dict[str, list[str]] = {}
    for rcpt, (name, files) in EXPECTED.items():
        [content] = handler.to(rcpt)
        msg = parse(content)
        assert msg["Subject"] == f"{YEAR}年援疆工作简报（共{len(files)}份）"
        assert msg["To"].addresses[0].display_name == name
        assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
        body = msg.get_body(("plain",)).get_content()
        assert name in body and all(f in body for f in files)
        got = attachments(msg)
        assert set(got) == files  # Chinese file names survive (RFC 2231)
        assert "filename*" in content.decode("ascii")
        for file, blob in got.items():
            original = out / str(YEAR) / file
            assert manifest[f"{YEAR}/{file}"] == sha(original)
            reader = pypdf.PdfReader(io.BytesIO(blob))
            assert len(reader.pages) == len(pypdf.PdfReader(original).pages)
            copy = tmp_path / f"{rcpt}-{file}"
            copy.write_bytes(blob)
            first = pdftotext(copy, "-f", "1", "-l", "1")
            number = next(w for w in first.split() if w.isdigit() and len(w) == 6)
            copy_numbers.setdefault(file, []).append(number)
            assert name in first.replace(" ", "")
            assert f"份号 {number}" in body
            # page 2 on is the original's, and the copy is the same every time it is made
            assert pdftotext(copy, "-f", "2") == pdftotext(original, "-f", "2")
            assert blob == stamp(original.read_bytes(), int(number), name)
            assert all(row[-5] == "yes" for row in pdffonts_rows(copy)), pdffonts_rows(copy)  # emb column
            assert any(row[0].startswith("STAMP") for row in pdffonts_rows(copy))
    # copies of one document are numbered 000001, 000002, … in list order
    assert sorted(copy_numbers[SUMMARY]) == ["000001", "000002"]
    assert sorted(copy_numbers[PROGRAM]) == ["000001", "000002"]
    assert sorted(copy_numbers[YINGJISHA]) == ["000001", "000002"]
    assert all(state == "sent" for *_, state in ledger_rows(out))

    again = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert again.ok
    assert len(handler.messages) == len(EXPECTED)  # nothing sent twice
    assert again.counts == {**again.counts, "sent": 0, "skipped": COPIES, "failed": 0, "unknown": 0}
    assert format_report(again)[-1] == f"已发送 0，跳过 {COPIES}，失败 0，状态不明 0"


def test_an_issued_program_brief_lists_and_gets_its_summary_recipients(data: Path, out: Path, smtp_server,
                                                                      tmp_path: Path):
    """Issue 18's leftover: a program brief is distributed like the others, to the offices that get
    the program's summary, with its 版记 naming them and 份号 in that order."""
    import datetime as dt

    from brief.compose.issue import issue_document

    own = tmp_path / "data"
    shutil.copytree(data, own)
    issue_document(own, "shandong", YEAR, summary=False, date=dt.date(2023, 12, 30), supplement=False)
    handler = Recorder()
    report = distribute(own, out, YEAR, smtp=settings(smtp_server(handler)), retry_delays=FAST)
    assert report.ok, report.problems
    pages = [p for p in pdftotext(out / str(YEAR) / PROGRAM).split("\f") if p.strip()]
    last = "".join(pages[-1].split())
    assert "发：喀什地委办公室，山东省援疆办。" in last and "2023年12月30日印发（共印2份）" in last, last
    got = {rcpt: attachments(parse(content)) for rcpts, content in handler.messages for rcpt in rcpts}
    assert sorted(r for r, files in got.items() if PROGRAM in files) == ["office@example.org",
                                                                         "shandong-aid@example.org"]
    for rcpt, name, number in (("office@example.org", "喀什地委办公室", "000001"),
                               ("shandong-aid@example.org", "山东省援疆办", "000002")):
        copy = tmp_path / f"{number}.pdf"
        copy.write_bytes(got[rcpt][PROGRAM])
        assert pdftotext(copy, "-l", "1").split()[:2] == [f"分送：{name}", number]  # the stamp, top of page 1
    with sqlite3.connect(out / "ledger.sqlite") as db:
        rows = db.execute("SELECT email, copy_no FROM copies WHERE file=? ORDER BY copy_no", (PROGRAM,))
        assert list(rows) == [("office@example.org", 1), ("shandong-aid@example.org", 2)]


def test_421_then_accept_delivers_once_within_seconds(data: Path, out: Path, smtp_server):
    handler = Recorder(first_data_reply="421 4.3.2 Service busy, try again later")
    port = smtp_server(handler)
    started = time.monotonic()
    report = distribute(data, out, YEAR, smtp=settings(port))  # the real backoff: 0.5 s per 421
    elapsed = time.monotonic() - started
    assert report.ok, report.problems
    assert report.counts["sent"] == COPIES
    assert all(r.tries == 2 and r.outcome == "sent" for r in report.recipients)
    for rcpt in EXPECTED:
        assert len(handler.to(rcpt)) == 1
    assert elapsed < 15, f"one 421 per recipient took {elapsed:.1f} s"


def test_550_fails_that_recipient_and_the_run_goes_on(data: Path, out: Path, smtp_server):
    handler = Recorder(rcpt_replies={"jining@example.org": "550 5.1.1 <jining@example.org>: mailbox unavailable"})
    port = smtp_server(handler)
    report = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert not report.ok
    assert report.counts["failed"] == 1 and report.counts["sent"] == COPIES - 1
    [problem] = [str(p) for p in report.problems]
    assert "济宁援疆指挥部" in problem and "550" in problem and "recipients.yaml:" in problem
    [jining] = [r for r in report.recipients if r.email == "jining@example.org"]
    assert jining.tries == 1  # a 5xx is not retried
    assert ("jining@example.org", YINGJISHA, "failed") in ledger_rows(out)
    assert len(handler.messages) == len(EXPECTED) - 1

    handler.rcpt_replies.clear()  # the mailbox is back: a rerun sends only what failed
    again = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert again.ok and again.counts["sent"] == 1 and again.counts["skipped"] == COPIES - 1
    assert len(handler.to("jining@example.org")) == 1


def test_connection_lost_after_data_is_unknown_and_not_resent(data: Path, out: Path, raw_server):
    server = raw_server("jining@example.org", "drop")
    report = distribute(data, out, YEAR, smtp=settings(server.port), retry_delays=FAST)
    [jining] = [r for r in report.recipients if r.email == "jining@example.org"]
    assert jining.outcome == "unknown" and jining.tries == 1
    assert report.counts["unknown"] == 1 and report.counts["sent"] == COPIES - 1
    assert [p.key for p in report.problems] == ["济宁援疆指挥部"]
    assert len(server.to("jining@example.org")) == 1  # the server has it although the client never heard
    assert ("jining@example.org", YINGJISHA, "unknown") in ledger_rows(out)

    held = distribute(data, out, YEAR, smtp=settings(server.port), retry_delays=FAST)
    assert len(server.to("jining@example.org")) == 1  # held, not resent
    assert held.counts["sent"] == 0 and held.counts["unknown"] == 1 and held.counts["skipped"] == COPIES - 1
    assert not held.ok and "--resend" in str(held.problems[0])

    resent = distribute(data, out, YEAR, smtp=settings(server.port), retry_delays=FAST, resend=True)
    assert resent.ok and resent.counts["sent"] == 1
    assert len(server.to("jining@example.org")) == 2
    assert len(server.received) == len(EXPECTED) + 1  # nobody else got a second copy
    first, second = (parse(m) for m in server.to("jining@example.org"))
    assert first["Message-ID"] == second["Message-ID"]  # the receiving side can tell it is the same


def test_timeout_after_data_is_unknown(data: Path, out: Path, raw_server):
    server = raw_server("heze@example.org", "hang")
    report = distribute(data, out, YEAR, smtp=settings(server.port), retry_delays=FAST, timeout=1)
    [heze] = [r for r in report.recipients if r.email == "heze@example.org"]
    assert heze.outcome == "unknown" and "超时" in heze.detail
    assert report.counts["sent"] == COPIES - 1


def test_a_run_killed_while_sending_is_held(data: Path, out: Path, smtp_server):
    handler = Recorder()
    port = smtp_server(handler)
    digest = sha(out / str(YEAR) / YINGJISHA)
    with Ledger(out / "ledger.sqlite") as ledger:  # what a kill -9 after "sending" leaves
        ledger.mark("济宁援疆指挥部", "jining@example.org", YEAR, [(YINGJISHA, digest)], "sending")
    report = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert not handler.to("jining@example.org")
    assert report.counts["unknown"] == 1 and report.counts["sent"] == COPIES - 1
    assert ("jining@example.org", YINGJISHA, "unknown") in ledger_rows(out)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_failure_fails_without_retry_then_login_works(data: Path, out: Path, smtp_server):
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"office" and auth_data.password == "秘密".encode()
        return AuthResult(success=ok, handled=False)

    handler = Recorder()
    port = smtp_server(handler, authenticator=authenticator, auth_required=True, auth_require_tls=False)
    bad = distribute(data, out, YEAR, smtp=settings(port, user="office", password="wrong"), retry_delays=FAST)
    assert bad.counts["failed"] == COPIES and len(bad.problems) == len(EXPECTED)
    assert all("535" in r.detail and r.tries == 1 for r in bad.recipients)
    good = distribute(data, out, YEAR, smtp=settings(port, user="office", password="秘密"), retry_delays=FAST)
    assert good.ok and good.counts["sent"] == COPIES and len(handler.messages) == len(EXPECTED)


# -- without a server ----------------------------------------------------------------------------------


def test_no_host_writes_eml_files_to_the_outbox(data: Path, out: Path):
    report = distribute(data, out, YEAR, smtp=None)
    assert report.ok and report.counts["sent"] == COPIES
    emls = sorted((out / "outbox").glob("*.eml"))
    assert {p.name for p in emls} == {f"{name}-{YEAR}.eml" for name, _ in EXPECTED.values()}
    for path in emls:
        msg = parse(path.read_bytes())
        rcpt = msg["To"].addresses[0].addr_spec
        name, files = EXPECTED[rcpt]
        got = attachments(msg)
        assert set(got) == files
        for blob in got.values():
            assert len(pypdf.PdfReader(io.BytesIO(blob)).pages) >= 1
    assert not list((out / "outbox").glob(".*"))  # no temporary left
    lines = format_report(report)  # "已发送" alone would make an office believe the mail went out
    note = "未设置邮件服务器（BRIEF_SMTP_HOST），邮件不会真正发出，只写成输出目录 outbox/ 下的 .eml 文件，需另行发送"
    assert lines[-2] == f"注意：{note}"
    assert lines[-1] == f"已写入 outbox {COPIES}，跳过 0，失败 0，状态不明 0"
    plan = format_report(distribute(data, out, YEAR, dry_run=True, smtp=None))
    assert plan[0].endswith(f"发送方式：{note}")
    again = distribute(data, out, YEAR)
    assert again.counts["sent"] == 0 and sorted((out / "outbox").glob("*.eml")) == emls
    assert not any(line.startswith("注意：未设置邮件服务器") for line in format_report(again))  # nothing sent now


def test_a_rerun_without_a_server_says_copies_were_only_written_to_the_outbox(data: Path, out: Path):
    """The ledger's detail (已写入 out/outbox/…) tells a copy no mail server sent: a rerun skips it
    without calling it 已发送过, which would make an office believe it was mailed."""
    distribute(data, out, YEAR, smtp=None)
    again = distribute(data, out, YEAR, smtp=None)
    lines = format_report(again)
    assert again.counts["skipped"] == COPIES and not any("已发送过" in line for line in lines)
    skipped = [line for line in lines if "跳过" in line and "（已写入 outbox，未真正发出）" in line]
    assert len(skipped) == len(EXPECTED)
    assert lines[-1] == f"已写入 outbox 0，跳过 {COPIES}，失败 0，状态不明 0"
    plan = format_report(distribute(data, out, YEAR, dry_run=True, smtp=None))
    statuses = [line for line in plan if line.startswith("  ") and ".pdf：" in line]
    assert len(statuses) == COPIES and all("已写入 outbox（未设邮件服务器，未真正发出），跳过" in line
                                           for line in statuses)


def test_copies_only_written_to_the_outbox_are_mailed_once_a_server_is_set(data: Path, out: Path, smtp_server):
    """Without BRIEF_SMTP_HOST nothing left the machine: once IT sets up the mail server, the same
    command must send those copies (under the 份号 they had), and only once."""
    distribute(data, out, YEAR, smtp=None)
    handler = Recorder()
    port = smtp_server(handler)
    plan = distribute(data, out, YEAR, dry_run=True, smtp=settings(port))
    assert plan.counts["planned"] == COPIES
    assert any("上次只写入 outbox" in line for line in format_report(plan))
    report = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert report.ok and report.counts["sent"] == COPIES
    assert len(handler.messages) == len(EXPECTED)
    again = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert again.counts["sent"] == 0 and len(handler.messages) == len(EXPECTED)


def test_dry_run_sends_builds_and_records_nothing(data: Path, out: Path, smtp_server):
    handler = Recorder()
    port = smtp_server(handler)
    before = snapshot(out)
    report = distribute(data, out, YEAR, dry_run=True, smtp=settings(port))
    assert report.ok and not handler.messages
    assert not (out / "ledger.sqlite").exists() and not (out / "outbox").exists()
    assert snapshot(out) == before
    lines = format_report(report)
    assert all(f"{name} <{rcpt}>：" in lines for rcpt, (name, _) in EXPECTED.items())
    assert sum("新文件，将发送" in line for line in lines) == COPIES
    assert lines[-1] == f"演练：将发送 {COPIES}，跳过 0，状态不明 0"

    distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    rows = ledger_rows(out)
    after = distribute(data, out, YEAR, dry_run=True, smtp=settings(port))
    assert ledger_rows(out) == rows and len(handler.messages) == len(EXPECTED)
    assert sum("已发送过，跳过" in line for line in format_report(after)) == COPIES


def test_dry_run_says_what_would_be_built(data: Path, out: Path):
    (out / str(YEAR) / YINGJISHA).unlink()
    report = distribute(data, out, YEAR, dry_run=True)
    lines = format_report(report)
    assert f"需先生成：{YINGJISHA}" in lines
    assert any(YINGJISHA in line and "尚未生成" in line for line in lines)
    assert not (out / str(YEAR) / YINGJISHA).exists()


def test_a_changed_pdf_is_sent_again_as_a_new_version(data: Path, out: Path, smtp_server):
    handler = Recorder()
    port = smtp_server(handler)
    first = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    numbers = {(r.email, f.file): f.copy_no for r in first.recipients for f in r.files}
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    text = source.read_text(encoding="utf-8")
    old = sha(out / str(YEAR) / YINGJISHA)
    try:
        headline = "headline: 第十一批济宁援疆团队开局之年"
        source.write_text(text.replace(headline, headline + "（修订）"), encoding="utf-8")
        report = distribute(data, out, YEAR, smtp=settings(port), retry_delays=FAST)
    finally:
        source.write_text(text, encoding="utf-8")
    assert sha(out / str(YEAR) / YINGJISHA) != old
    assert report.ok
    changed = {(r.email, f.file) for r in report.recipients for f in r.files if f.status == "changed"}
    assert {("office@example.org", YINGJISHA), ("jining@example.org", YINGJISHA)} <= changed
    for rcpt in ("office@example.org", "jining@example.org"):
        latest = parse(handler.to(rcpt)[-1])
        assert YINGJISHA in attachments(latest)
        assert "更新版" in latest.get_body(("plain",)).get_content()
        [f] = [f for r in report.recipients if r.email == rcpt for f in r.files if f.file == YINGJISHA]
        assert f.copy_no == numbers[(rcpt, YINGJISHA)]  # a new version keeps its copy number
    assert len(handler.to("dongying@example.org")) == 1  # unchanged briefs are not resent


# -- bad input -----------------------------------------------------------------------------------------


def test_missing_recipients_file_is_one_line(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "recipients.yaml").unlink()
    with pytest.raises(BriefError) as err:
        distribute(data, tmp_path / "out", YEAR)
    [problem] = err.value.problems
    assert "recipients.yaml" in str(problem) and "\n" not in str(problem)
    assert not (tmp_path / "out").exists()


def test_year_without_data(data: Path, tmp_path: Path):
    with pytest.raises(BriefError, match="没有 1999 年的数据"):
        distribute(data, tmp_path / "out", 1999)


def test_smtp_settings_from_env():
    assert SmtpSettings.from_env({}) is None
    s = SmtpSettings.from_env({"BRIEF_SMTP_HOST": "mail.example.org", "BRIEF_SMTP_USER": "u",
                               "BRIEF_SMTP_PASSWORD": "p", "BRIEF_SMTP_FROM": "a@example.org",
                               "BRIEF_SMTP_STARTTLS": "1"})
    assert s == SmtpSettings("mail.example.org", 25, "u", "p", "a@example.org", True)
    assert "p'" not in repr(s)
    assert SmtpSettings.from_env({"BRIEF_SMTP_HOST": "h", "BRIEF_SMTP_PORT": "587"}).port == 587
    with pytest.raises(BriefError, match="BRIEF_SMTP_PORT"):
        SmtpSettings.from_env({"BRIEF_SMTP_HOST": "h", "BRIEF_SMTP_PORT": "smtp"})


# -- example addresses (RFC 2606) ------------------------------------------------------------------------

EXAMPLE_LINES = "第 3、6、9、12、15、18 行"  # data/recipients.yaml: every entry (its "- name:" line) is at example.org


def test_example_addresses_are_refused_by_a_real_mail_server(data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    """brief init writes example.org addresses: a real server would try them. One line each, nothing sent
    or built; a server on this machine (the tests', a trial's) is not refused."""
    from click.testing import CliRunner

    from brief.cli import main

    monkeypatch.chdir(data.parent)
    monkeypatch.setenv("BRIEF_SMTP_HOST", "mail.invalid")  # never reached: refused before any connection
    result = CliRunner().invoke(main, ["distribute", "--year", str(YEAR), "--data", "data", "--out", "fresh"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == len(EXPECTED)
    assert lines[0] == ("data/recipients.yaml:3: email: office@example.org 是示例地址（不能收信）："
                        "请在 recipients.yaml 中换成该单位的真实邮箱后再分发")
    assert not (data.parent / "fresh").exists()
    plan = format_report(distribute(data, tmp_path / "o", YEAR, dry_run=True, smtp=SmtpSettings("mail.invalid")))
    assert (f"注意：data/recipients.yaml {EXAMPLE_LINES}仍是示例邮箱（example.org 等，不能收信），"
            "真正分发时会被拒绝：请换成真实地址") in plan  # a dry run says it, and refuses nothing


def test_example_addresses_are_a_note_in_the_outbox_and_locally(data: Path, out: Path):
    from brief.distribute.placeholder import is_example, is_loopback

    lines = format_report(distribute(data, out, YEAR, smtp=None))
    [note] = [line for line in lines if "示例邮箱" in line]
    assert note.endswith("仍是示例邮箱（example.org 等，不能收信），用真实邮件服务器分发时会被拒绝：请换成真实地址")
    assert EXAMPLE_LINES in note and lines[-1].startswith("已写入 outbox 9")
    assert all(is_example(a) for a in ("a@example.org", "b@Mail.Example.COM", "c@example.net."))
    assert not any(is_example(a) for a in ("a@example.org.cn", "b@myexample.com", "c@gov.cn"))
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("mail.example.org", "10.0.0.1", "0.0.0.0"))


# -- a numbered brief is a record ----------------------------------------------------------------------


def _issued(data: Path, tmp_path: Path, *counties: str) -> Path:
    import datetime as dt

    from brief.compose.issue import issue_document

    own = tmp_path / "data"
    shutil.copytree(data, own)
    for county in counties:
        issue_document(own, county, YEAR, summary=False, date=dt.date(2023, 12, 20), supplement=False)
    return own


def _edit(data: Path, county: str, old: str, new: str) -> None:
    source = data / "counties" / county / f"{YEAR}.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")


def test_an_issued_brief_changed_after_sending_is_refused_then_replaced_on_request(
        data: Path, out: Path, smtp_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """英吉沙 is numbered 2023年第1期 and sent; its data changes. Sending the new text under the same
    number is refused: one line naming the brief, its 期号 and what to do, nothing sent, exit 1.
    --resend-changed sends it, and says it replaced the copy that went out."""
    from click.testing import CliRunner

    from brief.cli import main

    own = _issued(data, tmp_path, "yingjisha")
    handler = Recorder()
    port = smtp_server(handler)
    assert distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST).ok
    sent, rows = len(handler.messages), ledger_rows(out)
    assert "2023年第1期" in pdftotext(out / str(YEAR) / YINGJISHA, "-l", "1")
    _edit(own, "yingjisha", "headline: 第十一批济宁援疆团队开局之年", "headline: 第十一批济宁援疆团队开局之年（修订）")

    # the dry run (the web page's plan) says it first, and names each refused copy
    plan = distribute(own, out, YEAR, dry_run=True, smtp=settings(port))
    [line] = plan.problems
    lines = format_report(plan)
    assert lines[-1] == "演练：实际运行将拒绝发送：1 份已编号简报发出后内容有变化，不发送任何邮件（见下方说明）"
    assert sum("已发出的编号简报内容有变化，不发送" in x and "（2023年第1期）" in x for x in lines) == 2

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEF_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEF_SMTP_PORT", str(port))
    result = CliRunner().invoke(main, ["distribute", "--year", str(YEAR), "--data", "data", "--out", str(out)])
    assert result.exit_code == 1, result.output
    refusals = [x for x in result.output.splitlines() if "--resend-changed" in x]
    assert refusals == [
        f"data/issues.yaml:2: yingjisha: {YINGJISHA}（2023年第1期）已发出，此后内容有变化：同一期号不能改发不同的内容，"
        "本次未发送任何邮件。更正请另编一期或增刊（brief issue yingjisha --year 2023 --supplement）；"
        "确要替换已发出的原件，加 --resend-changed 再发"], result.output
    assert refusals[0].endswith(line.message)  # the dry run's line is the real run's
    assert len(handler.messages) == sent and ledger_rows(out) == rows  # nothing sent, nothing recorded

    result = CliRunner().invoke(main, ["distribute", "--year", str(YEAR), "--data", "data", "--out", str(out),
                                       "--resend-changed"])
    assert result.exit_code == 0, result.output
    assert (f"已替换：{YINGJISHA}（2023年第1期）已发出的原件由新版本替换，2 份（--resend-changed）"
            in result.output.splitlines())
    assert f"{YINGJISHA}（份号 000001，替换已发出的2023年第1期原件）" in result.output
    for rcpt in ("office@example.org", "jining@example.org"):
        latest = parse(handler.to(rcpt)[-1])
        copy = tmp_path / "copy.pdf"
        copy.write_bytes(attachments(latest)[YINGJISHA])
        assert "（修订）" in "".join(pdftotext(copy).split())
        assert "更新版" in latest.get_body(("plain",)).get_content()
    assert len(handler.messages) == sent + 2

    # the replacement is now what went out under 2023年第1期: a rerun sends nothing and refuses nothing
    again = distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert again.ok and again.counts["sent"] == 0 and len(handler.messages) == sent + 2


@pytest.mark.parametrize("summary, file", [(True, SUMMARY), (False, PROGRAM)], ids=["summary", "program"])
def test_an_issued_summary_or_program_brief_changed_after_sending_is_refused_then_replaced(
        data: Path, out: Path, smtp_server, tmp_path: Path, summary: bool, file: str):
    """A numbered 年度汇总 or program brief is a record as a county brief is: its data changes after
    it went out, and distribute sends nothing, naming it, its 期号 and the --summary to number a 增刊;
    --resend-changed sends the new version to its two offices under the same 期号."""
    import datetime as dt

    from brief.compose.issue import issue_document

    own = tmp_path / "data"
    shutil.copytree(data, own)
    if summary:  # a summary is a draft while one of its counties is: 麦盖提 signed off first
        _edit(own, "maigaiti", "status: draft", "status: final")
    issue_document(own, "shandong", YEAR, summary=summary, date=dt.date(2023, 12, 30), supplement=False)
    handler = Recorder()
    port = smtp_server(handler)
    assert distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST).ok
    sent, rows = len(handler.messages), ledger_rows(out)
    source = own / "programs/shandong" / f"{YEAR}.yaml"  # the headline both print
    text = source.read_text(encoding="utf-8")
    assert "headline: 山东援疆喀什四县工作综述\n" in text
    source.write_text(text.replace("工作综述\n", "工作综述（修订）\n", 1), encoding="utf-8")

    report = distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert not report.ok
    how = f"brief issue shandong{' --summary' if summary else ''} --year 2023 --supplement"
    assert [p.message for p in report.reissued] == [
        f"{file}（2023年第1期）已发出，此后内容有变化：同一期号不能改发不同的内容，本次未发送任何邮件。"
        f"更正请另编一期或增刊（{how}）；确要替换已发出的原件，加 --resend-changed 再发"]
    assert len(handler.messages) == sent and ledger_rows(out) == rows  # nothing sent, nothing recorded

    report = distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST, resend_changed=True)
    assert report.ok, report.problems
    assert f"已替换：{file}（2023年第1期）已发出的原件由新版本替换，2 份（--resend-changed）" in format_report(report)
    for rcpt in ("office@example.org", "shandong-aid@example.org"):
        copy = tmp_path / "copy.pdf"
        copy.write_bytes(attachments(parse(handler.to(rcpt)[-1]))[file])
        words = "".join(pdftotext(copy).split())
        assert "2023年第1期" in words and "工作综述（修订）" in words
    again = distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert again.ok and not again.reissued and again.counts["sent"] == 0


def test_a_changed_draft_is_sent_again_as_before_even_when_numbered(data: Path, out: Path, smtp_server,
                                                                     tmp_path: Path):
    """麦盖提 is a draft (watermark): numbered or not, a changed version goes out as the new version."""
    own = _issued(data, tmp_path, "maigaiti")
    handler = Recorder()
    port = smtp_server(handler)
    assert distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST).ok
    _edit(own, "maigaiti", "纺织与文旅融合发展（示例）", "纺织与文旅融合发展（修订）")
    assert distribute(own, out, YEAR, dry_run=True, smtp=settings(port)).ok
    report = distribute(own, out, YEAR, smtp=settings(port), retry_delays=FAST)
    assert report.ok, report.problems
    [f] = [f for r in report.recipients if r.email == "heze@example.org" for f in r.files]
    assert f.status == "changed" and len(handler.to("heze@example.org")) == 2
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(attachments(parse(handler.to("heze@example.org")[-1]))[f.file])
    assert "（修订）" in "".join(pdftotext(copy).split())
