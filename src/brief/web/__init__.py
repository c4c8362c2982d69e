"""``brief serve``: the briefs of one data dir in a browser, for one office (or its LAN, with a password).

- ``create_app(data, out, password=None) -> Flask``: the app, for tests and for ``serve``.
- ``serve(data, out, host, port, password)``: run it with werkzeug's threaded server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..data.dataset import read_dataset
from ..errors import BriefError, check_path
from .app import check_host, create_app

__all__ = ["check_host", "create_app", "lan_address", "serve", "where_said"]


WILDCARDS = ("0.0.0.0", "::")


def where_said(host: str, port: int, lan: str | None) -> str:
    """The start line. Bound to every address, the colleagues need this machine's LAN address, not
    127.0.0.1 (which on their computers is their own)."""
    shown = "127.0.0.1" if host in WILDCARDS else host
    line = f"简报工作台：http://{shown}:{port}/（按 Ctrl+C 停止）"
    if host in WILDCARDS:
        line += (f"；局域网内其他电脑请打开 http://{lan}:{port}/" if lan
                 else f"；局域网内其他电脑请用本机的 IP 地址打开（端口 {port}）")
    return line


def lan_address() -> str | None:
    """This machine's address on its LAN: the source a UDP socket towards a private address would
    use (connect() on UDP sends nothing). None without a route."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


WORK_PREFIX = "brief-serve-"


def remove_orphans(tmp: Path) -> list[Path]:
    """Remove the work dirs of servers that were killed (kill -9, a power cut) and could not clean up:
    ``brief-serve-<pid>-…`` of ours whose process is gone. Return what was removed."""
    import shutil

    removed = []
    for path in tmp.glob(f"{WORK_PREFIX}*-*"):
        pid = path.name[len(WORK_PREFIX):].split("-", 1)[0]
        try:
            if not (pid.isascii() and pid.isdigit()) or path.is_symlink() or path.lstat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:  # that server is gone
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        except (OSError, OverflowError):  # alive but not ours to signal, unreadable, no pid at all: leave it
            continue
    return removed


def serve(data: Path, out: Path, host: str, port: int, password: str | None,
          announce: Callable[[str], None] = print) -> None:
    """Check everything, bind, say where, then serve until Ctrl+C; a refusal is a BriefError line."""
    import errno
    import logging
    import shutil
    import signal
    import socket
    import sys
    import tempfile

    from werkzeug.serving import make_server

    check_host(host, password)
    for path, key in ((data, "--data"), (out, "--out")):
        check_path(path, key)
    read_dataset(data)  # a missing or wrong data dir is one line now, not an error page later
    remove_orphans(Path(tempfile.gettempdir()))
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))  # uploads, page images: gone at stop
    app = create_app(data, out, password, work=work)
    # Bind here, not in werkzeug: its refusal is English and exits; ours is one Chinese line.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BriefError.at(f"{host}:{port}", None, "--port", "已被其他程序占用：请用 --port 换一个端口") from None
        raise BriefError.at(f"{host}:{port}", None, "--host",
                            f"无法监听（{exc.strerror or exc}）：请检查 --host 与 --port") from None
    server = make_server(host, port, app, threaded=True, fd=sock.fileno())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no English line per request on the console
    announce(where_said(host, server.port, lan_address() if host in WILDCARDS else None))
    # A service manager stops us with SIGTERM: leave through the finally below, as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()
        sock.close()
        shutil.rmtree(work, ignore_errors=True)
