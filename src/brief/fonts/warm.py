"""The first run on a machine converts OpenType (CFF) fonts to TrueType: seconds, so say so and do
it up front, in parallel. Shared by the CLI and the web page's dry-run process."""

from __future__ import annotations

import os
from collections.abc import Callable

from .convert import converted_path, is_converted, warm_cache
from .discover import resolve

FIRST_USE = "首次使用：正在把 OpenType 字体转换为 TrueType 并缓存（约半分钟到一分钟，只需一次）…"


def warm_fonts(say: Callable[[str], None]) -> None:
    """Convert the role fonts that have no cached TrueType copy yet, telling ``say`` first."""
    roles = resolve().roles
    if any(f.cff and not is_converted(converted_path(f)) for f in roles):
        say(FIRST_USE)
        warm_cache(roles, jobs=os.cpu_count() or 1)
