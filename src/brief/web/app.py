"""The Flask app: pages for the overview, forms, briefs and distribution of one data dir.

Safety lives here, in one place: a CSRF token on every POST, the login when a password is set, ids
from URLs checked against the id grammar, files served only by document id from --out, and every
error shown as one Chinese line (never a traceback page)."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, abort, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..errors import BriefError
from .jobs import Jobs
from .plancache import PlanCache
from .status import problem_line
from .uploads import Uploads

MAX_UPLOAD = 5 * 1024 * 1024  # a filled form is some tens of KB; 5 MB leaves room for a pasted picture
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

HTTP_TEXT = {
    400: "请求无效：请回到上一页重新操作",
    403: "没有权限：请先登录",
    404: "找不到这个页面或文件：请从导航栏重新进入",
    405: "不支持这种操作：请从页面上的按钮进入",
    413: f"上传的文件太大（上限 {MAX_UPLOAD // (1024 * 1024)} MB）：请上传 brief 生成的填报表",
    500: "服务器内部错误：请重试；若仍出错，请在命令行运行同样的操作查看原因",
}


class PageError(Exception):
    """A refusal with its own Chinese line and HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def check_host(host: str, password: str | None) -> None:
    """Anyone on the network could reach a non-local address: refuse it without a password."""
    if host not in LOCAL_HOSTS and not password:
        raise BriefError.at(f"--host {host}", None, "--password",
                            "不是本机地址，局域网内的其他电脑都能打开：请同时用 --password 设置访问密码")


def create_app(data: Path, out: Path, password: str | None = None, work: Path | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.urandom(32),  # per run: a restart logs everyone out, nothing secret is stored
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_NAME="brief_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BRIEF_DATA=Path(data).resolve(),
        BRIEF_OUT=Path(out).resolve(),
        BRIEF_PASSWORD=password or None,
        BRIEF_NAMES=server_names(),
    )
    work = Path(work) if work else Path(tempfile.mkdtemp(prefix="brief-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    app.extensions["brief.work"] = work
    app.extensions["brief.uploads"] = Uploads(work / "uploads")
    app.extensions["brief.jobs"] = Jobs()
    app.extensions["brief.plans"] = PlanCache()  # the distribution page's dry run, kept while nothing changed
    # Logins live on the server: the cookie holds only a random id, so logging out ends that login
    # even where a copy of the cookie was kept (a shared PC, a proxy log).
    app.extensions["brief.logins"] = set()
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["logged_in"] = logged_in
    app.jinja_env.filters["shown"] = shown_paths
    app.before_request(_guard)
    _errors(app)

    from . import views  # lazily: views imports this module (a cycle)

    views.register(app)
    return app


# -- CSRF and login ---------------------------------------------------------------------------------


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def _guard() -> Response | None:
    config = _app().config
    name = host_name(request.host)
    if name not in LOCAL_HOSTS:
        if not config["BRIEF_PASSWORD"]:
            # Served on this machine only: a page reaching us under another name is a DNS rebinding trick.
            raise PageError("只能在本机用 127.0.0.1 或 localhost 打开这个页面", 400)
        if name not in config["BRIEF_NAMES"] and not _is_address(name):
            # On the LAN too: another site's page that renames itself to our address (DNS rebinding)
            # arrives under its own name, and could guess the password from a colleague's browser.
            raise PageError("请用本机的 IP 地址或计算机名打开这个页面（启动时显示的地址）", 400)
    if request.method == "POST":
        sent = request.form.get("csrf", "")
        known = session.get("csrf", "")
        if not known or not hmac.compare_digest(str(sent).encode(), str(known).encode()):
            raise PageError("页面已过期（安全校验未通过）：请刷新页面后重新提交", 400)
    password = _app().config["BRIEF_PASSWORD"]
    if password and not logged_in() and request.endpoint not in ("login", "static"):
        return redirect(url_for("login", next=request.path))
    return None


def logged_in() -> bool:
    return session.get("auth") in _app().extensions["brief.logins"]


def log_in() -> None:
    session.clear()
    login = secrets.token_urlsafe(32)
    _app().extensions["brief.logins"].add(login)
    session["auth"] = login


def log_out() -> None:
    _app().extensions["brief.logins"].discard(session.get("auth"))
    session.clear()


def host_name(host: str) -> str:
    """The name in a Host header, without the port: ``[::1]:8000`` → ``::1``, ``pc:8000`` → ``pc``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    # A trailing dot is the same name, fully qualified (brief.office.lan. = brief.office.lan).
    return (host.rsplit(":", 1)[0] if host.count(":") == 1 else host).lower().rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def server_names() -> frozenset[str]:
    """The names colleagues may use besides an IP address: this computer's name, and whatever
    ``BRIEF_SERVE_NAMES`` lists (comma-separated, e.g. the office's own DNS name for it)."""
    own = socket.gethostname().lower()
    # Written as a browser shows them, with a port or a trailing dot, they mean the bare name.
    extra = (host_name(n.strip()) for n in os.environ.get("BRIEF_SERVE_NAMES", "").split(","))
    return frozenset({own, own.split(".", 1)[0], *(n for n in extra if n)})


def check_password(given: str) -> bool:
    password = _app().config["BRIEF_PASSWORD"] or ""
    return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


def shown_paths(text: object) -> str:
    """``text`` with the server's data and out folders as the browser may see them. Without a password
    the server answers only on this machine (``_guard``): the clerk's own paths are shown whole. With
    one, LAN users see only the folders' names (数据目录：我的数据): where files lie on the server is
    none of their business and helps an attacker."""
    text = str(text)
    config = _app().config
    if not config["BRIEF_PASSWORD"]:
        return text
    folders = sorted((config["BRIEF_DATA"], config["BRIEF_OUT"]), key=lambda p: len(str(p)), reverse=True)
    for folder in folders:  # the longer first: an out dir inside the data dir keeps its own name
        text = text.replace(str(folder), folder.name)
    return text


def _app() -> Flask:
    from flask import current_app

    return current_app  # type: ignore[return-value]


# -- errors: one Chinese line ---------------------------------------------------------------------


def _errors(app: Flask) -> None:
    @app.errorhandler(PageError)
    def page_error(exc: PageError) -> tuple[str, int]:
        return render_template("error.html", lines=[exc.message]), exc.status

    @app.errorhandler(BriefError)
    def brief_error(exc: BriefError) -> tuple[str, int]:
        data = app.config["BRIEF_DATA"]
        lines = [problem_line(p, data) if p.file else p.message for p in exc.problems]
        return render_template("error.html", lines=lines[:10]), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return render_template("error.html", lines=[HTTP_TEXT.get(code, f"请求无法完成（{code}）")]), code

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> tuple[str, int]:
        app.logger.exception("internal error")  # the traceback goes to the server's console, not the page
        return render_template("error.html", lines=[HTTP_TEXT[500]]), 500


def not_found(message: str = HTTP_TEXT[404]) -> PageError:
    return PageError(message, 404)


def form_value(name: str) -> str:
    value = request.form.get(name, "")
    return value if isinstance(value, str) else ""


def arg(name: str) -> str:
    return str(request.args.get(name, "") or "")


def redirect_to(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values))


__all__ = ["PageError", "abort", "check_host", "create_app"]
