"""``brief serve``: the briefs of one data dir in a browser, for one office (or its LAN, with a password).

- ``create_app(data, out, password=None) -> Flask``: the app, for tests and for ``serve``.
- ``serve(data, out, host, port, password)``: run it with werkzeug's threaded server.
"""

from __future__ import annotations

from pathlib import Path

from .app import check_host, create_app

__all__ = ["check_host", "create_app", "serve"]


def serve(data: Path, out: Path, host: str, port: int, password: str | None) -> None:
    from werkzeug.serving import run_simple

    from ..data.dataset import read_dataset
    from ..errors import check_path

    check_host(host, password)
    for path, key in ((data, "--data"), (out, "--out")):
        check_path(path, key)
    read_dataset(data)  # a missing or wrong data dir is one line now, not an error page later
    app = create_app(data, out, password)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
