"""One message per recipient: Chinese subject and body, the stamped PDFs under their Chinese names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr

DEFAULT_FROM = "brief@localhost"


@dataclass(frozen=True)
class Attachment:
    file: str  # the PDF's file name, as in out/<year>/
    sha256: str  # of the original (unstamped) PDF: the ledger key
    copy_no: int
    data: bytes  # the stamped copy
    changed: bool = False  # an earlier version went to this recipient


def subject(year: int, count: int, genre: str = "援疆") -> str:
    return f"{year}年{genre}工作简报（共{count}份）"


def body(name: str, year: int, items: list[Attachment], genre: str = "援疆") -> str:
    lines = [f"{name}：", "", f"现将{year}年{genre}工作简报{len(items)}份发送给你们（见附件），请查收。", ""]
    for i, a in enumerate(items, 1):
        note = "（更新版，请以此为准）" if a.changed else ""
        lines.append(f"{i}. {a.file}（份号 {a.copy_no:06d}）{note}")
    lines += ["", "本邮件由 brief 自动发送。"]
    return "\n".join(lines) + "\n"


def message_id(email: str, year: int, items: list[Attachment], sender: str) -> str:
    """The same owed files to the same address always carry the same Message-ID (a resend too)."""
    h = hashlib.sha256(f"{email.strip().lower()}|{year}".encode())
    for a in sorted(items, key=lambda a: a.file):
        h.update(f"|{a.file}|{a.sha256}".encode())
    domain = envelope_sender(sender).rpartition("@")[2] or "localhost"
    return f"<{h.hexdigest()[:40]}.brief@{domain}>"


def envelope_sender(sender: str | None) -> str:
    return parseaddr(sender or DEFAULT_FROM)[1] or DEFAULT_FROM


def compose(name: str, email: str, year: int, items: list[Attachment], sender: str | None,
            genre: str = "援疆") -> EmailMessage:
    """One message with the stamped copies; ``genre`` (援疆, 东西部协作, …) names the work as the
    briefs do."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender or DEFAULT_FROM
    msg["To"] = Address(display_name=name, addr_spec=email.strip())
    msg["Subject"] = subject(year, len(items), genre)
    msg["Date"] = formatdate(localtime=True)
    mid = message_id(email, year, items, sender or DEFAULT_FROM)
    msg["Message-ID"] = mid
    msg.set_content(body(name, year, items, genre), cte="base64")
    for a in items:
        # the default policy writes a non-ASCII name as RFC 2231: filename*=utf-8''2023%E5%B9%B4...
        msg.add_attachment(a.data, maintype="application", subtype="pdf", filename=a.file)
    msg.set_boundary("=_brief_" + mid.strip("<>").split(".")[0][:32])  # no random boundary either
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text: str, limit: int = 80) -> str:
    """A file name every filesystem (and Windows) accepts, the Chinese kept."""
    name = _UNSAFE.sub("_", text).strip(" .") or "recipient"
    return name[:limit]
