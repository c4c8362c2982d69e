"""The per-user cache dir (``~/.cache/brief`` on Linux): converted fonts (fonts/cache.py) and compiled
templates (compose/template_cache.py) live under it, never in a project or an output dir."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def user_cache_root() -> Path:
    """``platformdirs.user_cache_dir("brief")``, asked once per environment."""
    return _platform_cache_dir(os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", ""))


@lru_cache(maxsize=4)
def _platform_cache_dir(xdg: str, home: str) -> Path:
    """platformdirs' answer, once per environment: a cold start asks ~40 times (~15 ms)."""
    del xdg, home  # the key only: platformdirs reads them from the environment itself
    import platformdirs

    return Path(platformdirs.user_cache_dir("brief"))
