"""The delivery ledger (``out/ledger.sqlite``): what went to whom, so that sending is safe to repeat.

One row per (recipient email, file name, sha256 of the original PDF). States::

    pending -> sending -> sent | failed | unknown

``sending`` is committed before the connection is opened, so a run killed mid-send leaves a row
that says "maybe delivered": the next run treats it as ``unknown`` and holds it (``--resend``
sends it again). Every state change is committed at once and also appended to ``events``.

Copy numbers (份号) live in ``copies``, one per (recipient, file) whatever the version: a corrected
brief reaches a recipient under the number its first version had. Numbers count up per file, as
an office numbers the copies of one document.

``issued`` names each version of a numbered (issued, final) brief that a run decided to send, with
its 期号: once one of them was delivered, another version of that file is a different text under
the same number, which ``distribute`` refuses unless told to replace it (``--resend-changed``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LEDGER = "ledger.sqlite"
STATES = ("pending", "sending", "sent", "failed", "unknown")
SCHEMA_VERSION = "1"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    email      TEXT NOT NULL,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ({", ".join(repr(s) for s in STATES)})),
    tries      INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    detail     TEXT NOT NULL DEFAULT '',
    updated    TEXT NOT NULL,
    PRIMARY KEY (email, file, sha256)
);
CREATE TABLE IF NOT EXISTS copies (
    email   TEXT NOT NULL,
    file    TEXT NOT NULL,
    copy_no INTEGER NOT NULL,
    PRIMARY KEY (email, file),
    UNIQUE (file, copy_no)
);
CREATE TABLE IF NOT EXISTS issued (
    file   TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    number TEXT NOT NULL,
    PRIMARY KEY (file, sha256)
);
CREATE TABLE IF NOT EXISTS events (
    at     TEXT NOT NULL,
    email  TEXT NOT NULL,
    file   TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    state  TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Row:
    email: str
    file: str
    sha256: str
    state: str
    tries: int
    message_id: str | None
    detail: str


def key(email: str) -> str:
    return email.strip().lower()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """The ledger, open. ``readonly=True`` never creates or changes the file (``--dry-run``)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.db: sqlite3.Connection | None = None
        if readonly:
            if path.is_file():
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit transactions
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        if self.db is not None:
            self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------------

    def get(self, email: str, file: str, sha256: str) -> Row | None:
        if self.db is None:
            return None
        r = self.db.execute("SELECT * FROM deliveries WHERE email=? AND file=? AND sha256=?",
                            (key(email), file, sha256)).fetchone()
        return _row(r) if r else None

    def other_versions(self, email: str, file: str, sha256: str) -> list[Row]:
        """Rows for earlier versions of ``file`` to this recipient (another sha256)."""
        if self.db is None:
            return []
        rows = self.db.execute("SELECT * FROM deliveries WHERE email=? AND file=? AND sha256<>? ORDER BY updated",
                               (key(email), file, sha256)).fetchall()
        return [_row(r) for r in rows]

    def copy_no(self, email: str, file: str) -> int | None:
        if self.db is None:
            return None
        r = self.db.execute("SELECT copy_no FROM copies WHERE email=? AND file=?", (key(email), file)).fetchone()
        return int(r[0]) if r else None

    def issued_elsewhere(self, file: str, sha256: str) -> str | None:
        """The 期号 under which another version of ``file`` than ``sha256`` was delivered (sent,
        written to the outbox, or maybe delivered) as a numbered brief, when ``sha256`` itself was
        never chosen to go out under it; else None."""
        if self.db is None or not self._has("issued"):
            return None
        if self.db.execute("SELECT 1 FROM issued WHERE file=? AND sha256=?", (file, sha256)).fetchone():
            return None
        r = self.db.execute(
            "SELECT i.number FROM issued i JOIN deliveries d ON d.file=i.file AND d.sha256=i.sha256"
            " WHERE i.file=? AND i.sha256<>? AND d.state IN ('sent', 'unknown', 'sending')"
            " ORDER BY d.updated DESC LIMIT 1", (file, sha256)).fetchone()
        return str(r[0]) if r else None

    def _has(self, table: str) -> bool:
        # a read-only ledger written before the table existed (a dry run never creates it)
        assert self.db is not None
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        return found is not None

    def rows(self) -> list[Row]:
        if self.db is None:
            return []
        return [_row(r) for r in self.db.execute("SELECT * FROM deliveries ORDER BY email, file, updated")]

    # -- writing: each call is one committed transaction ------------------------------------------

    def allocate(self, email: str, files: Iterable[str], preferred: dict[str, int] | None = None) -> dict[str, int]:
        """The copy number of each file for this recipient, allocating the next free ones
        (``preferred``: the number an issued brief's 版记 gives this recipient, when still free)."""
        assert self.db is not None and not self.readonly
        out: dict[str, int] = {}
        with self._tx():
            for file in files:
                known = self.copy_no(email, file)
                want = (preferred or {}).get(file)
                if known is None and want and not self.db.execute(
                        "SELECT 1 FROM copies WHERE file=? AND copy_no=?", (file, want)).fetchone():
                    self.db.execute("INSERT INTO copies VALUES (?, ?, ?)", (key(email), file, want))
                    out[file] = want
                elif known is None:
                    n = self.db.execute("SELECT COALESCE(MAX(copy_no), 0) + 1 FROM copies WHERE file=?",
                                        (file,)).fetchone()[0]
                    self.db.execute("INSERT INTO copies VALUES (?, ?, ?)", (key(email), file, n))
                    out[file] = int(n)
                else:
                    out[file] = known
        return out

    def record_issued(self, file: str, sha256: str, number: str) -> None:
        """This version of ``file`` goes out as the numbered brief ``number`` (2023年第12期)."""
        assert self.db is not None and not self.readonly
        with self._tx():
            self.db.execute("INSERT OR IGNORE INTO issued VALUES (?, ?, ?)", (file, sha256, number))

    def mark(self, recipient: str, email: str, year: int, items: Iterable[tuple[str, str]], state: str,
             detail: str = "", message_id: str | None = None, tries: int | None = None) -> None:
        """Set ``state`` on every (file, sha256) of ``items`` for this recipient, in one commit."""
        assert self.db is not None and not self.readonly
        assert state in STATES, state
        now = _now()
        with self._tx():
            for file, sha in items:
                self.db.execute(
                    "INSERT INTO deliveries (email, file, sha256, recipient, year, state, tries, message_id, detail,"
                    " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (email, file, sha256) DO UPDATE SET recipient=excluded.recipient,"
                    " state=excluded.state, tries=COALESCE(?, tries),"
                    " message_id=COALESCE(excluded.message_id, message_id), detail=excluded.detail,"
                    " updated=excluded.updated",
                    (key(email), file, sha, recipient, year, state, tries or 0, message_id, detail, now, tries))
                self.db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                                (now, key(email), file, sha, state, detail))

    def _tx(self):  # type: ignore[no-untyped-def]
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection | None) -> None:
        assert db is not None
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _row(r: sqlite3.Row) -> Row:
    return Row(r["email"], r["file"], r["sha256"], r["state"], int(r["tries"]), r["message_id"], r["detail"])
