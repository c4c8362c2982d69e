"""Example addresses left in ``recipients.yaml``: ``brief init`` writes example.org ones, and a real
mail server would try to deliver to them (to whoever runs those domains' mail, or bounce).

RFC 2606 reserves example.org/.com/.net for documentation: no office has a mailbox there. A real run
through a mail server refuses them; a dry run, an outbox run or a run through a mail server on this
machine says so in a note instead. The loopback exception is what lets the tests (and an office
trying the tool with a local test server) send the shipped example data to 127.0.0.1."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from ..data.records import Recipient
from ..errors import Problem, display_path
from .transport import SmtpSettings

RESERVED = ("example.org", "example.com", "example.net")
_LOOPBACK_NAMES = ("localhost",)


def is_example(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in RESERVED)


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuses(smtp: SmtpSettings | None) -> bool:
    """Whether a real run through ``smtp`` refuses example addresses: only a mail server off this machine sends on."""
    return smtp is not None and not is_loopback(smtp.host)


def refusal(examples: list[Recipient], path: Path) -> list[Problem]:
    return [Problem(str(path), r.line or None, "email",
                    f"{r.email} 是示例地址（不能收信）：请在 recipients.yaml 中换成该单位的真实邮箱后再分发")
            for r in examples]


def note(examples: list[Recipient], path: Path, smtp: SmtpSettings | None) -> str:
    """One line for a run that does not refuse them."""
    lines = "、".join(str(r.line) for r in examples if r.line)
    where = f"{display_path(str(path))} 第 {lines} 行" if lines else display_path(str(path))
    later = "用真实邮件服务器分发时会被拒绝" if not refuses(smtp) else "真正分发时会被拒绝"
    return f"注意：{where}仍是示例邮箱（example.org 等，不能收信），{later}：请换成真实地址"
