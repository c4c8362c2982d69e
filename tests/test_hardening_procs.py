"""Hardening of processes and files (issue 12): kill -9, locks, concurrent renders, OS errors as one
Chinese line, a closed stdout, and a dry run that says exactly what the run will do."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief.build import LOCK, build
from brief.cli import main
from brief.distribute import distribute, format_report
from brief.errors import BriefError
from brief.outdir import atomic_write, exclusive
from brief.render import render_county
from helpers import DATA, brief, data_copy

YEAR = 2023
YINGJISHA = f"{YEAR}年英吉沙县援疆工作简报"


def env() -> dict[str, str]:
    """The environment of a CLI run: no SMTP (distribute writes the outbox), no debug tracebacks."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_SMTP") and k != "BRIEF_DEBUG"}


def brief_popen(*args: str, cwd: Path, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "brief", *args], cwd=cwd, env=env(), text=True, **kw)


def live_children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``, zombies left out (from /proc/*/stat)."""
    out = []
    for entry in os.listdir("/proc"):
        stat = _stat(int(entry)) if entry.isdigit() else None
        if stat and stat[1] == pid and stat[0] != "Z":
            out.append(int(entry))
    return out


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "内部错误" not in stderr and "Traceback" not in stderr
    return lines[0]


# -- 1. kill -9 leaves no worker and no lock --------------------------------------------------------


def kill_when_workers_run(proc: subprocess.Popen[str]) -> list[int]:
    """SIGKILL ``proc`` (and only it) as soon as it has two live child processes; their pids."""
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = live_children(proc.pid)
        time.sleep(0.005)
    assert len(workers) >= 2 and all(running(w) for w in workers), "the pool never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return workers


def assert_workers_gone(workers: list[int]) -> None:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(running(w) for w in workers):
        time.sleep(0.02)
    left = [w for w in workers if running(w)]
    for pid in left:  # a regression must not leave orphans behind the test run
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived their killed parent"


@pytest.mark.parametrize("command", ["build", "distribute"])
@pytest.mark.slow
def test_killed_run_leaves_no_worker_and_the_next_run_succeeds(tmp_path: Path, command: str) -> None:
    data, out = data_copy(tmp_path), tmp_path / "out"
    args = ["build", "--jobs", "2"] if command == "build" else ["distribute", "--year", str(YEAR)]
    proc = brief_popen(*args, "--data", str(data), "--out", str(out), cwd=tmp_path,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = kill_when_workers_run(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert_workers_gone(workers)
    rerun = ["build", "--year", "2022"] if command == "build" else args  # a smaller build needs the lock as well
    again = subprocess.run([sys.executable, "-m", "brief", *rerun, "--data", str(data), "--out", str(out)],
                           cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr


def _sleep_after(started: object) -> None:
    started.set()  # type: ignore[attr-defined]
    time.sleep(30)


def test_forked_child_does_not_keep_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    context = multiprocessing.get_context("fork")
    started = context.Event()
    child = context.Process(target=_sleep_after, args=(started,))
    with exclusive(out, LOCK, "build"):
        child.start()  # inherits the locked descriptor, as a build worker does
        assert started.wait(10)
    try:
        with exclusive(out, LOCK, "build"):  # the parent let go: nobody holds it now
            pass
    finally:
        child.kill()
        child.join()


HOLD = """
import sys, time
from pathlib import Path
from brief.outdir import exclusive
with exclusive(Path(sys.argv[1]), ".build.lock", "build"):
    print("ready", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "out")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


@pytest.mark.slow
def test_refusal_names_the_process_that_holds_the_lock(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    result = brief("build", "--year", "2022", "--data", str(DATA), "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) == (f"out: build: 另一个 brief build（进程 {holder.pid}：brief build）"
                                       "正在使用这个输出目录；请等它结束后再运行")


STRAY = """
import fcntl, sys, time
fh = open(sys.argv[1], "r+")
fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_a_lock_kept_by_a_stray_of_a_dead_run_does_not_block(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK).write_text(f"{dead_pid()} - brief build\n", encoding="utf-8")  # a dead run's record
    stray = subprocess.Popen([sys.executable, "-c", STRAY, str(out / LOCK)], stdout=subprocess.PIPE, text=True)
    try:
        assert stray.stdout is not None and stray.stdout.readline().strip() == "ready"
        result = brief("build", "--year", "2022", "--data", str(DATA), "--out", str(out), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (out / "2022" / "2022年英吉沙县援疆工作简报.pdf").is_file()
    finally:
        stray.kill()
        stray.wait()
        assert stray.stdout is not None
        stray.stdout.close()


# -- 2. a cleanup removes only temporaries whose writer is gone -------------------------------------


@pytest.mark.slow
def test_cleanup_keeps_a_live_writers_temporary_and_removes_a_dead_ones(tmp_path: Path) -> None:
    folder = tmp_path / "out" / str(YEAR)
    folder.mkdir(parents=True)
    live = folder / f".{YINGJISHA}.pdf.{os.getpid()}.abcd1234.tmp"  # this test process writes it
    locked = folder / f".{YINGJISHA}.docx.k3j4h5g6.tmp"  # an older name without pid, flocked by a writer
    dead = folder / f".{YINGJISHA}.pdf.{dead_pid()}.zyxw9876.tmp"
    legacy = folder / f".{YINGJISHA}.docx.q1w2e3r4.tmp"  # older name, nobody holds it
    for path in (live, locked, dead, legacy):
        path.write_bytes(b"partial")
    with open(locked, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        result = brief("render", "yingjisha", "--year", str(YEAR), "--format", "pdf", "--data", str(DATA),
                       "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert live.exists() and locked.exists()
    assert not dead.exists() and not legacy.exists()


def test_atomic_write_keeps_its_temporary_locked_until_renamed(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.outdir as outdir

    seen: list[str] = []
    rename = os.replace

    def check(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        with open(src, "rb") as fh, pytest.raises(BlockingIOError):
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir.os, "replace", check)
    atomic_write(tmp_path / "a.pdf", b"%PDF")
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF"
    [name] = seen
    assert name.startswith(f".a.pdf.{os.getpid()}.") and name.endswith(".tmp")


def test_atomic_write_of_a_name_near_the_length_limit(tmp_path: Path) -> None:
    target = tmp_path / ("县" * 83 + ".pdf")  # 253 bytes: the name fits, a longer temporary would not
    atomic_write(target, b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.slow
def test_concurrent_renders_of_one_county_both_succeed(tmp_path: Path) -> None:
    from pypdf import PdfReader

    args = ("render", "yingjisha", "--year", str(YEAR), "--format", "pdf", "--data", str(DATA), "--out", "out")
    for _ in range(5):
        procs = [brief_popen(*args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        folder = tmp_path / "out" / str(YEAR)
        assert len(PdfReader(folder / f"{YINGJISHA}.pdf").pages) >= 1
        assert not list(folder.glob(".*.tmp"))


# -- 3. an OS error is one Chinese line naming the path ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("command", [("build", "--year", "2022"), ("render", "yingjisha", "--year", "2022")])
def test_out_that_is_a_file_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "file").write_text("x")
    for target in (str(tmp_path / "file"), "/dev/null"):
        result = brief(*command, "--data", str(DATA), "--out", target, cwd=tmp_path)
        assert result.returncode == 1
        shown = "file" if target.startswith(str(tmp_path)) else target
        assert one_line(result.stderr) == f"{shown}: --out: 这是一个文件，不是目录；请用 --out 指定一个目录"


@pytest.mark.slow
def test_out_dir_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    result = brief("build", "--year", "2022", "--data", str(DATA), "--out", "/sys/brief-out",
                   cwd=tmp_path)  # not even root can create it
    assert result.returncode == 1
    assert one_line(result.stderr).startswith("/sys/brief-out: -: 无法")


@pytest.mark.slow
def test_out_dir_below_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = brief("build", "--year", "2022", "--data", str(DATA), "--out", "file/out", cwd=tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) == "file/out: -: 无法访问：路径中有一段是文件而不是目录"


def test_300_character_path_component_is_one_line(tmp_path: Path) -> None:
    result = brief("build", "--year", "2022", "--data", str(DATA), "--out", "a" * 300, cwd=tmp_path)
    assert result.returncode == 1
    assert one_line(result.stderr) == f"{'a' * 300}: -: 无法访问：文件名或路径太长（每一段最多 255 字节）；请改短"


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"BRIEF_DEBUG": None})
    return result.exit_code, result.stderr


def test_read_only_output_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.outdir as outdir

    def refuse(src: str, dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", src)

    monkeypatch.setattr(outdir.os, "replace", refuse)
    out = tmp_path / "out"
    code, stderr = run_cli("render", "yingjisha", "--year", "2022", "--format", "pdf", "--data", str(DATA),
                           "--out", str(out))
    assert code == 1
    pdf = out / "2022" / "2022年英吉沙县援疆工作简报.pdf"
    assert one_line(stderr) == f"{pdf}: -: 无法写入：这是只读的文件系统；请换一个可写的目录"
    assert not list((out / "2022").iterdir())  # no temporary left


def test_disk_full_at_the_manifest_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import brief.outdir as outdir

    write = os.write

    def full(fd: int, data: bytes) -> int:
        if "manifest.json" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    monkeypatch.setattr(outdir.os, "write", full)
    out = tmp_path / "out"
    code, stderr = run_cli("build", "--year", "2022", "--jobs", "1", "--data", str(DATA), "--out", str(out))
    assert code == 1
    assert "内部错误" not in stderr and "Traceback" not in stderr
    assert [ln for ln in stderr.splitlines() if not ln.startswith("已生成：")] == [
        f"{out / 'manifest.json'}: -: 无法写入：磁盘空间已满；请清理磁盘后重试"]
    assert not list(out.glob(".*.tmp")) and not (out / "manifest.json").exists()


def test_nul_in_a_path_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BriefError) as caught:
        build(DATA, tmp_path / "a\0b")
    assert str(caught.value) == f"{tmp_path}/a\\0b: --out: 路径中含有空字符（NUL），无法使用；请检查路径是否复制完整"
    with pytest.raises(BriefError, match="--data: 路径中含有空字符"):
        render_county(Path("da\0ta"), "yingjisha", YEAR, ("pdf",), tmp_path)
    with pytest.raises(BriefError, match="--out: 路径中含有空字符"):
        distribute(DATA, tmp_path / "o\0ut", YEAR)


@pytest.mark.slow
def test_nul_in_an_image_path_is_not_an_internal_error(tmp_path: Path) -> None:
    data = data_copy(tmp_path, {f"counties/yingjisha/{YEAR}.yaml": ("image: photos/flower_field.jpg",
                                                                       'image: "photos/flower\\0field.jpg"')})
    result = brief("render", "yingjisha", "--year", str(YEAR), "--data", str(data), "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    assert all(line.count(": ") >= 2 for line in result.stderr.strip().splitlines()), result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [("validate",), ("render", "yingjisha", "--year", "2022", "--format", "pdf")])
def test_closed_stdout_after_success_exits_0(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = brief_popen(*args, "--data", str(DATA), "--out", "out", cwd=tmp_path,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0`: the reader is gone before anything is printed
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""


@pytest.mark.slow
def test_closed_stderr_does_not_stop_a_build(tmp_path: Path) -> None:
    proc = brief_popen("build", "--year", "2022", "--data", str(DATA), "--out", "out", cwd=tmp_path,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stderr.close()  # the progress lines' reader is gone
    out = proc.stdout.read()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert out.startswith("已生成 2 份简报")
    assert (tmp_path / "out" / "2022" / "2022年英吉沙县援疆工作简报.pdf").is_file()


# -- 4. the dry run says what the run will do -------------------------------------------------------


def owed(report: object) -> set[tuple[str, str, str]]:
    return {(r.email, f.file, f.status) for r in report.recipients for f in r.files if f.owed}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A data dir and an output dir where every copy went out once (to the outbox)."""
    base = tmp_path_factory.mktemp("sent")
    data, out = data_copy(base), base / "out"
    first = distribute(data, out, YEAR)
    assert first.ok and first.counts["sent"] == 9  # 7 + the program brief to its two summary recipients
    return data, out


@pytest.fixture
def distributed(sent: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """``sent``'s output copied (the fingerprints name the data dir's path, so the data dir is shared
    and restored after the test)."""
    data, template = sent
    out = tmp_path / "out"
    shutil.copytree(template, out)
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    text = source.read_text(encoding="utf-8")
    try:
        yield data, out
    finally:
        source.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_dry_run_announces_the_new_version_the_run_will_send(distributed: tuple[Path, Path]) -> None:
    data, out = distributed
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    headline = "headline: 第十一批济宁援疆团队开局之年"
    source.write_text(source.read_text(encoding="utf-8").replace(headline, headline + "（修订）"), encoding="utf-8")
    plan = distribute(data, out, YEAR, dry_run=True)
    pdf = f"{YINGJISHA}.pdf"
    expected = {("office@example.org", pdf, "changed"), ("jining@example.org", pdf, "changed")}
    assert owed(plan) == expected
    lines = format_report(plan)
    assert f"需先生成：{pdf}" in lines
    assert f"  {pdf}：内容有变化，将作为新版本发送，份号 000001（需重新生成）" in lines
    assert lines[-1] == "演练：将发送 2，跳过 7，状态不明 0"
    real = distribute(data, out, YEAR)
    assert owed(real) == expected and real.counts["sent"] == 2
    assert {f.sha256 for r in plan.recipients for f in r.files if f.file == pdf} == {
        hashlib.sha256((out / str(YEAR) / pdf).read_bytes()).hexdigest()}


@pytest.mark.slow
def test_dry_run_does_not_promise_a_copy_whose_bytes_stay_the_same(distributed: tuple[Path, Path]) -> None:
    data, out = distributed
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    source.write_text(source.read_text(encoding="utf-8") + "\n# 一条注释：输入变了，简报没变\n", encoding="utf-8")
    plan = distribute(data, out, YEAR, dry_run=True)
    assert f"需先生成：{YINGJISHA}.pdf" in format_report(plan)  # the build remakes it …
    assert owed(plan) == set() and plan.counts["planned"] == 0  # … to the same bytes: nothing goes out
    real = distribute(data, out, YEAR)
    assert real.built == len(plan.to_build) and real.counts["sent"] == 0


@pytest.mark.slow
def test_dry_run_writes_nothing(distributed: tuple[Path, Path]) -> None:
    data, out = distributed
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("headline: ", "headline: 新", 1), encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    distribute(data, out, YEAR, dry_run=True)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before



@pytest.mark.slow
def test_unwritable_outbox_is_a_clear_failure(distributed: tuple[Path, Path]) -> None:
    data, out = distributed
    shutil.rmtree(out / "outbox")
    (out / "outbox").write_text("not a folder")
    source = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("headline: ", "headline: 新", 1), encoding="utf-8")
    report = distribute(data, out, YEAR)
    assert report.counts["failed"] == 2
    lines = [str(p) for p in report.problems]
    assert len(lines) == 2 and all(
        line.endswith(f"发件箱 {out / 'outbox'} 无法创建目录：已有同名的文件；请换一个目录名") for line in lines), lines


@pytest.mark.slow
def test_dry_run_names_every_brief_the_run_will_build_not_only_those_sent(tmp_path: Path) -> None:
    """The real run builds the whole year first; a brief no one receives is still built, so the
    dry run names it too (an attack saw 需先生成 for 1 file and then 已生成 5 份简报)."""
    data, out = data_copy(tmp_path), tmp_path / "out"
    only = "- name: 济宁援疆指挥部\n  email: jining@example.org\n  briefs: [yingjisha]\n"
    (data / "recipients.yaml").write_text(only, encoding="utf-8")
    assert distribute(data, out, YEAR).counts["sent"] == 1
    shule = data / "counties" / "shule" / f"{YEAR}.yaml"
    shule.write_text(shule.read_text(encoding="utf-8").replace("headline: ", "headline: 新", 1), encoding="utf-8")
    plan = distribute(data, out, YEAR, dry_run=True)
    assert len(plan.to_build) == 2 and any("疏勒县" in name for name in plan.to_build), plan.to_build  # and the summary
    real = distribute(data, out, YEAR)
    assert real.built == len(plan.to_build) and real.counts["sent"] == 0
