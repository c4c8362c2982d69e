"""The pages. Each view reads the data dir afresh (a clerk may have edited a file meanwhile), takes
only ids and numbers from the request, and leaves the work to the same functions the commands use."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request, send_file, session, url_for
from werkzeug.wrappers import Response

from ..build import targets
from ..data.dataset import Dataset
from ..data.ids import valid_id
from ..distribute.ledger import LEDGER, Ledger
from ..documents import FORMATS, output_path
from ..errors import BriefError, Problem, os_error_problem
from ..forms import make_form
from ..forms.review import apply_upload, mark_workbook, review_upload
from . import previews, status
from .app import PageError, arg, check_password, form_value, log_in, log_out, not_found, redirect_to, shown_paths
from .dryrun import Plan
from .dryrun import plan as dry_run_plan
from .jobs import Jobs
from .plancache import PlanCache
from .uploads import Uploads

_importing = threading.Lock()
_guessing = threading.Lock()
LOGIN_DELAY = 0.5  # seconds, after a wrong password
KIND_TEXT = {"county": "县简报", "program": "项目简报", "summary": "年度汇总"}
STATE_CLASS = {status.MISSING: "missing", status.BAD: "bad", status.FILED: "filed", status.BUILT: "built",
               status.SENT: "sent"}
LEDGER_TEXT = {"sent": "已发送", "failed": "发送失败", "unknown": "状态不明", "sending": "发送中断",
               "pending": "待发送"}
STALE_PLAN = "分发计划已变化（数据、名单或已发记录有改动），本次未发送任何邮件：请核对新的计划后再发送"


def _data() -> Path:
    return current_app.config["BRIEF_DATA"]  # type: ignore[no-any-return]


def _out() -> Path:
    return current_app.config["BRIEF_OUT"]  # type: ignore[no-any-return]


def _jobs() -> Jobs:
    return current_app.extensions["brief.jobs"]  # type: ignore[no-any-return]


def _uploads() -> Uploads:
    return current_app.extensions["brief.uploads"]  # type: ignore[no-any-return]


def _year(text: str | int) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError):
        raise PageError("年份应为四位数字，例如 2023") from None
    if not 1900 <= year <= 2999:
        raise PageError("年份应为四位数字，例如 2023")
    return year


def _selection(ds: Dataset) -> tuple[str, int, list[str], list[int]]:
    """The program and year the page shows: from the query, else the first program and the latest year."""
    programs = sorted(ds.programs)
    years = status.file_years(ds.root) or ds.years()
    program = arg("program") or (programs[0] if programs else "")
    if program and (not valid_id(program) or program not in ds.programs):
        raise not_found("没有这个项目：请从下拉框中选择")
    year = _year(arg("year")) if arg("year") else (years[-1] if years else 0)
    return program, year, programs, years


def _load() -> Dataset:
    return status.load(_data())


def register(app: Flask) -> None:  # noqa: C901 - one flat list of routes reads best
    # -- login ----------------------------------------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | Response:
        if not app.config["BRIEF_PASSWORD"]:
            return redirect_to("overview")
        error = ""
        if request.method == "POST":
            if check_password(form_value("password")):
                log_in()
                target = form_value("next")
                return Response(status=303, headers={"Location": target}) if _local(target) else \
                    redirect_to("overview")
            with _guessing:  # one wrong guess at a time, however many connections ask at once
                time.sleep(LOGIN_DELAY)  # guessing a password by the thousand takes hours, not seconds
            error = "密码不对：请重新输入"
        return render_template("login.html", error=error, next=form_value("next") or arg("next"))

    @app.post("/logout")
    def logout() -> Response:
        log_out()
        return redirect_to("login")

    # -- overview --------------------------------------------------------------------------------

    @app.get("/")
    def overview() -> str:
        ds = _load()
        program, year, programs, years = _selection(ds)
        rows = status.county_rows(ds, program, year, _out()) if program and year else []
        counts = {s: sum(1 for r in rows if r.state == s) for s in STATE_CLASS}
        other = [status.problem_line(p, ds.root) for p in ds.problems
                 if not Path(p.file).resolve().is_relative_to((ds.root / "counties").resolve())][:5]
        return render_template("overview.html", ds=ds, program=program, year=year, programs=programs,
                               years=years, rows=rows, counts=counts, state_class=STATE_CLASS, other=other,
                               with_data=_with_data(ds), job=_jobs().running())

    # -- forms -----------------------------------------------------------------------------------

    @app.get("/forms")
    def forms() -> str:
        ds = _load()
        program, year, programs, years = _selection(ds)
        rows = status.county_rows(ds, program, year, _out()) if program and year else []
        return render_template("forms.html", ds=ds, program=program, year=year, programs=programs, years=years,
                               rows=rows, state_class=STATE_CLASS, with_data=_with_data(ds))

    @app.get("/forms/<county>/<int:year>/download")
    def form_download(county: str, year: int) -> Response:
        if not valid_id(county):
            raise not_found("没有这个县：请从列表中选择")
        folder = Path(tempfile.mkdtemp(dir=app.extensions["brief.work"], prefix="form-"))
        try:
            path = make_form(_data(), county, _year(year), folder)
            data = path.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return _attachment(data, path.name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.post("/forms/upload")
    def form_upload() -> Response:
        file = request.files.get("form")
        if file is None or not file.filename:
            raise PageError("请先选择一个填好的填报表（.xlsx）再上传")
        item = _uploads().add(file.read(), file.filename)
        session["uploads"] = [*session.get("uploads", [])[-20:], item.token]
        return redirect_to("form_review", token=item.token)

    def _upload(token: str):  # type: ignore[no-untyped-def]
        item = _uploads().get(token)
        if item is None or token not in session.get("uploads", []):
            raise not_found("找不到这次上传（可能已导入或服务已重启）：请重新上传")
        return item

    @app.get("/forms/review/<token>")
    def form_review(token: str) -> str:
        item = _upload(token)
        try:
            review = review_upload(item.path, _data())
        except BriefError as exc:
            return _refused(item, exc)
        return render_template("review.html", item=item, review=review, refused=[], county=_county_of(review))

    @app.get("/forms/review/<token>/marked")
    def form_marked(token: str) -> Response:
        item = _upload(token)
        try:
            data = mark_workbook(item.path, review_upload(item.path, _data()).errors)
        except BriefError as exc:  # not a workbook openpyxl can open: nothing to mark
            raise PageError("无法在这份文件上标出错误：" + exc.problems[0].message) from None
        return _attachment(data, item.marked_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.post("/forms/review/<token>/import")
    def form_import(token: str) -> str:
        item = _upload(token)
        try:
            with _importing:  # the check that the file is as reviewed, and the write, as one step
                review = apply_upload(item.path, _data(), expect=form_value("changes") or None)
        except BriefError as exc:  # nothing was written
            return _refused(item, exc)
        except OSError as exc:  # the data dir is read-only or full: the file and why, in words
            return _refused(item, BriefError(os_error_problem(exc)))
        _uploads().remove(token)
        return render_template("imported.html", item=item, review=review, target=_data_rel(review.target),
                               county=_county_of(review))

    # -- briefs ----------------------------------------------------------------------------------

    @app.get("/briefs")
    def briefs() -> str:
        ds = _load()
        program, year, programs, years = _selection(ds)
        docs = status.documents(ds, year, _out(), program or None) if year else []
        return render_template("briefs.html", ds=ds, program=program, year=year, programs=programs, years=years,
                               docs=docs, kind_text=KIND_TEXT, job=_jobs().running())

    def _target(kind: str, ident: str, year: int):  # type: ignore[no-untyped-def]
        ds = _load()
        t = status.target(ds, kind, ident, _year(year))
        if t is None:
            raise not_found("没有这份简报：请从简报列表中选择")
        return ds, t

    @app.get("/briefs/<kind>/<ident>/<int:year>")
    def preview(kind: str, ident: str, year: int) -> str:
        ds, t = _target(kind, ident, year)
        pdf = _output(ds, t, "pdf")
        doc = next(d for d in status.documents(ds, t.year, _out()) if d.kind == kind and d.id == ident)
        digest, count, problem = "", 0, ""
        if pdf is not None:
            try:
                digest, count = previews.pages(pdf, app.extensions["brief.work"] / "previews")
            except previews.PreviewError as exc:
                problem = str(exc)
        return render_template("preview.html", doc=doc, kind_text=KIND_TEXT, digest=digest, count=count,
                               problem=problem)

    @app.get("/briefs/<kind>/<ident>/<int:year>/<fmt>")
    def brief_file(kind: str, ident: str, year: int, fmt: str) -> Response:
        if fmt not in FORMATS:
            raise not_found()
        ds, t = _target(kind, ident, year)
        path = _output(ds, t, fmt)
        if path is None:
            raise not_found("这份简报还没有生成：请先点“全部生成”")
        mime = "application/pdf" if fmt == "pdf" else \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return _attachment(path.read_bytes(), path.name, mime)

    @app.get("/preview/<digest>/<int:number>.png")
    def page_image(digest: str, number: int) -> Response:
        path = previews.page_file(app.extensions["brief.work"] / "previews", digest, number)
        if path is None:
            raise not_found()
        # read now: a page image is small, and no file handle outlives the request
        return send_file(io.BytesIO(path.read_bytes()), mimetype="image/png", max_age=3600)

    # -- build and jobs ----------------------------------------------------------------------------

    @app.post("/build")
    def build() -> Response:
        ds = _load()
        total = len(targets(ds)) if not ds.problems else 0
        args = ["build", "--data", str(_data()), "--out", str(_out())]
        job = _jobs().start("生成全部简报", args, total, cwd=str(_data().parent), after=url_for("briefs"))
        if job is None:
            raise PageError("已有一项任务正在运行：请等它完成后再试", 409)
        return redirect_to("job_page", job_id=job.id)

    @app.get("/jobs/<job_id>")
    def job_page(job_id: str) -> str:
        job = _jobs().get(job_id)
        if job is None:
            raise not_found("找不到这项任务（服务可能已重启）")
        return render_template("job.html", job=job)

    @app.get("/jobs/<job_id>.json")
    def job_json(job_id: str) -> Response:
        job = _jobs().get(job_id)
        if job is None:
            raise not_found()
        body = job.to_json()
        body["lines"] = [shown_paths(line) for line in job.lines[-20:]]  # the CLI names --out in full
        return jsonify(body)

    # -- distribution ------------------------------------------------------------------------------

    @app.get("/distribute")
    def distribute() -> str:
        ds = _load()
        _, year, _, years = _selection(ds)
        return _distribute_page(ds, year, years)

    @app.post("/distribute")
    def distribute_send() -> Response | tuple[str, int]:
        year = _year(form_value("year"))
        ds = _load()
        resend = form_value("resend") == "1"
        # the page posts the key of the plan it showed: a send after the data, the list, a PDF or the
        # ledger changed would send another set of copies than the clerk checked, so it sends nothing
        plans: PlanCache = app.extensions["brief.plans"]
        if form_value("plan") != plans.current(ds, _out(), year):
            years = status.file_years(ds.root) or ds.years()
            page = _ledger_page if resend else _distribute_page
            return page(ds, year, years, STALE_PLAN), 409
        args = ["distribute", "--year", str(year), "--data", str(_data()), "--out", str(_out())]
        if resend:
            args.append("--resend")
        replace = form_value("resend_changed") == "1"  # the page's replace button, under its own check box
        if replace:
            args.append("--resend-changed")
        title = (f"分发 {year} 年简报" + ("（重发状态不明的邮件）" if resend else "")
                 + ("（替换已发出的编号简报）" if replace else ""))
        total = len(targets(ds, year)) if not ds.problems else 0
        job = _jobs().start(title, args, total, cwd=str(_data().parent), after=url_for("ledger", year=year))
        if job is None:
            raise PageError("已有一项任务正在运行：请等它完成后再试", 409)
        return redirect_to("job_page", job_id=job.id)

    @app.get("/distribute/ledger")
    def ledger() -> str:
        ds = _load()
        _, year, _, years = _selection(ds)
        return _ledger_page(ds, year, years)


def _plan(ds: Dataset, year: int) -> tuple[str, Plan | None, list[str]]:
    """The year's dry run (kept while nothing it reads changes), the key it was made under, and the
    lines it was refused with."""
    if ds.recipients is None:
        return "", None, ["数据目录中没有分发名单 recipients.yaml：请先写好名单（见 README）"]
    if not year:  # no county file of any year yet: nothing to plan
        return "", None, []
    try:
        plans: PlanCache = current_app.extensions["brief.plans"]
        key, plan = plans.keyed(ds, _out(), year, lambda: dry_run_plan(_data(), _out(), year, _data().parent))
    except BriefError as exc:
        return "", None, [str(p) if p.file else p.message for p in exc.problems]
    return key, plan, []


def _distribute_page(ds: Dataset, year: int, years: list[int], stale: str = "") -> str:
    key, plan, refused = _plan(ds, year)
    return render_template("distribute.html", year=year, years=years, plan=plan, plan_key=key, refused=refused,
                           stale=stale, job=_jobs().running())


def _ledger_page(ds: Dataset, year: int, years: list[int], stale: str = "") -> str:
    rows = _ledger_rows(year)
    names = {r.email.strip().lower(): r.name for r in ds.recipients or []}
    unknown = any(row["state"] in ("unknown", "sending") for row in rows)
    # the resend is a `brief distribute --resend`: it refuses what the plan refuses (a numbered brief
    # changed after it went out), so the page says so instead of offering it; only asked for when offered
    key, plan, refused = _plan(ds, year) if unknown else ("", None, [])
    if plan is not None:
        refused = list(plan.reissued)
    return render_template("ledger.html", year=year, years=years, rows=rows, names=names, ledger_text=LEDGER_TEXT,
                           unknown=unknown, plan_key=key, refused=refused, stale=stale, job=_jobs().running())


def _local(target: str) -> bool:
    """A path on this server to go back to after login. Browsers drop tabs and newlines from a URL
    (``/<TAB>/evil.example`` is ``//evil.example``, another site), so no whitespace or control
    character at all, and no second slash or backslash right after the first."""
    return (re.fullmatch(r"/(?![/\\])[^\s\x00-\x1f\x7f\\]*", target) is not None
            and not urlsplit(target).netloc)


def _ledger_rows(year: int) -> list[dict[str, object]]:
    """The ledger's deliveries of ``year`` with their 份号, newest version of each file first."""
    with Ledger(_out() / LEDGER, readonly=True) as book:
        if book.db is None:
            return []
        rows = book.db.execute(
            "SELECT d.*, c.copy_no FROM deliveries d LEFT JOIN copies c ON c.email = d.email AND c.file = d.file"
            " WHERE d.year = ? ORDER BY d.recipient, d.file, d.updated DESC", (year,)).fetchall()
        return [dict(r) for r in rows]


def _refused(item: object, exc: BriefError) -> str:
    """The review page for an upload that cannot be read or imported at all."""
    return render_template("review.html", item=item, review=None,
                           refused=_lines(exc.problems, item.shown_name))  # type: ignore[attr-defined]


def _lines(problems: list[Problem], shown_name: str) -> list[str]:
    """Problems of an upload: a data file's by its place in the data dir, the workbook's by the
    user's file name (never the server's temp path)."""
    out = []
    for p in problems:
        if p.file and _inside_data(p.file):
            out.append(status.problem_line(p, _data()))
            continue
        where = shown_name + (f":{p.line}" if p.line not in (None, "") else "")
        out.append(f"{where}: {p.key or '-'}: {p.message}")
    return out


def _inside_data(path: str) -> bool:
    try:
        return Path(path).resolve().is_relative_to(_data())
    except (OSError, ValueError):
        return False


def _output(ds: Dataset, t: object, fmt: str) -> Path | None:
    """A brief's file in --out, named by the one function that names outputs; None unless it is a
    regular file really inside --out (a link planted there leads nowhere)."""
    path = output_path(ds, t, fmt, _out())  # type: ignore[arg-type]
    if path.is_symlink() or path.parent.is_symlink() or not path.is_file():
        return None
    return path if path.resolve().is_relative_to(_out().resolve()) else None


def _with_data(ds: Dataset) -> set[str]:
    """Counties with a file in some year: make_form pre-fills from it (none: it cannot make a form)."""
    return {cid for cid, _ in ds.counties}


def _county_of(review: object) -> str:
    """How the page names the county a form is about: its name, as the briefs print it."""
    changes = getattr(review, "changes", None)
    if not changes:
        return ""
    return _load().county_name(changes[0].county)


def _data_rel(path: object) -> str:
    try:
        return Path(str(path)).resolve().relative_to(_data().resolve()).as_posix()
    except (ValueError, OSError):
        return Path(str(path)).name


def _attachment(data: bytes, name: str, mime: str) -> Response:

    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)
