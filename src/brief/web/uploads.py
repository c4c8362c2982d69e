"""Uploaded workbooks, kept under names the server chooses (never a name or path from the request)
until the user imports them or the server stops."""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP = 50  # uploads kept at once: an old review page may still be open, a thousand need not be


@dataclass(frozen=True)
class Upload:
    token: str
    path: Path  # <tmp>/uploads/<token>/upload.xlsx
    shown_name: str  # what the user's file was called, for the page only

    @property
    def marked_name(self) -> str:
        stem = self.shown_name.rsplit(".", 1)[0] or "填报表"
        return f"{stem}（已标出错误）.xlsx"


class Uploads:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._items: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def add(self, data: bytes, filename: str | None) -> Upload:
        token = secrets.token_hex(16)
        path = self.folder / token / "upload.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        item = Upload(token, path, _shown(filename))
        with self._lock:
            self._items[token] = item
            while len(self._items) > KEEP:
                self._drop(next(iter(self._items)))
        return item

    def get(self, token: str) -> Upload | None:
        return self._items.get(token) if TOKEN.fullmatch(token) else None

    def remove(self, token: str) -> None:
        with self._lock:
            self._drop(token)

    def _drop(self, token: str) -> None:
        item = self._items.pop(token, None)
        if item is not None:
            item.path.unlink(missing_ok=True)
            item.path.parent.rmdir()


def _shown(filename: str | None) -> str:
    """The base name of the user's file, cleaned for display and a download name: no folders, no controls."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:120].strip()
    return name or "填报表.xlsx"
