"""The grammar of the ids that name folders and files in a data dir (``counties/<id>/``).

An id comes from a folder name, a command line or a workbook's hidden sheet; whatever its source it
is joined into a path, so it must be a plain lowercase word: no separators, no dots, not empty.
"""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,63}")
ID_RULE = "小写英文 ID（小写字母开头，最多 64 个小写字母、数字、_ 或 -）"  # for messages


def valid_id(text: object) -> bool:
    """True for ``yingjisha``, ``new_county-2``; False for ``..``, ``a/b``, ``/tmp/x``, ``""``, ``A``."""
    return isinstance(text, str) and ID_PATTERN.fullmatch(text) is not None
