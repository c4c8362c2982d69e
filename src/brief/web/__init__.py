"""``brief serve``: the briefs of one data dir in a browser, for one office (or its LAN, with a password).

- ``create_app(data, out, password=None) -> Flask``: the app, for tests and for ``serve``.
- ``serve(data, out, host, port, password)``: run it with werkzeug's threaded server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..data.dataset import read_dataset
from ..errors import BriefError, check_path
from .app import check_host, create_app

__all__ = ["check_host", "create_app", "serve"]


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
    work = Path(tempfile.mkdtemp(prefix="brief-serve-"))  # uploads and page images: gone when we stop
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
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    announce(f"简报工作台：http://{shown}:{server.port}/（按 Ctrl+C 停止）")
    # A service manager stops us with SIGTERM: leave through the finally below, as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()
        sock.close()
        shutil.rmtree(work, ignore_errors=True)
