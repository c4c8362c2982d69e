"""Getting one message to one address: SMTP with a bounded retry, or a ``.eml`` in the outbox.

What each failure means (observed against aiosmtpd and a raw socket server, docs/checks.md §5):

- a 4xx reply anywhere (greeting 421, RCPT 450, DATA 421, 4xx after the final dot), a refused or
  lost connection *before* the message was handed over: nothing was delivered; try again after a
  short pause, a bounded number of times, then ``failed``;
- a 5xx reply, a TLS or login failure: ``failed`` at once, retrying cannot help;
- the connection lost or timed out *after* the message went through DATA but before the server's
  reply: the server may well have it, so ``unknown``; it is never retried here.

The DATA phase is spoken by hand (smtplib's ``data()`` does not say whether the server hung up
before or after taking the message).
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BriefError
from ..outdir import atomic_write

SENT, FAILED, UNKNOWN = "sent", "failed", "unknown"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str | None = None  # BRIEF_SMTP_FROM: the From header and the envelope sender
    starttls: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The ``BRIEF_SMTP_*`` settings, or None when ``BRIEF_SMTP_HOST`` is unset (write an outbox)."""
        env = os.environ if environ is None else environ
        host = env.get("BRIEF_SMTP_HOST", "").strip()
        if not host:
            return None
        port_text = env.get("BRIEF_SMTP_PORT", "").strip() or "25"
        try:
            port = int(port_text)
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            raise BriefError.at("BRIEF_SMTP_PORT", None, "-", f"应为端口号（1–65535），而不是 {port_text!r}") from None
        return cls(host=host, port=port, user=env.get("BRIEF_SMTP_USER") or None,
                   password=env.get("BRIEF_SMTP_PASSWORD") or None, sender=env.get("BRIEF_SMTP_FROM") or None,
                   starttls=env.get("BRIEF_SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes", "on"))

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, starttls={self.starttls})"


@dataclass(frozen=True)
class Delivery:
    state: str  # sent | failed | unknown
    tries: int
    detail: str = ""


class _Transient(Exception):
    pass


class _Permanent(Exception):
    pass


class _Unknown(Exception):
    pass


def send(settings: SmtpSettings, sender: str, rcpt: str, data: bytes, retry_delays: Sequence[float] = (0.5, 1.0),
         timeout: float = 10, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """Deliver ``data`` (CRLF, as ``message.to_bytes`` makes it) to ``rcpt``; never raises for SMTP trouble."""
    tries = 0
    last = ""
    for attempt in range(len(retry_delays) + 1):
        tries += 1
        try:
            _deliver(settings, sender, rcpt, data, timeout)
            return Delivery(SENT, tries)
        except _Permanent as exc:
            return Delivery(FAILED, tries, str(exc))
        except _Unknown as exc:
            return Delivery(UNKNOWN, tries, str(exc))
        except _Transient as exc:
            last = str(exc)
            if attempt < len(retry_delays):
                sleep(retry_delays[attempt])
    return Delivery(FAILED, tries, f"{last}（试了 {tries} 次仍是暂时性错误）")


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _by_code(code: int, text: bytes | str, where: str) -> Exception:
    message = f"{where}：服务器答复 {_reply(code, text)}"
    return _Transient(message) if 400 <= code < 500 else _Permanent(message)


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _deliver(settings: SmtpSettings, sender: str, rcpt: str, data: bytes, timeout: float) -> None:
    handed_over = False
    conn: smtplib.SMTP | None = None
    try:
        try:
            if settings.port == 465:
                conn = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
            conn.ehlo_or_helo_if_needed()
            if settings.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if settings.user:
                _login(conn, settings.user, settings.password or "")
            code, text = conn.mail(sender)
            if code != 250:
                raise _by_code(code, text, "MAIL FROM")
            code, text = conn.rcpt(rcpt)
            if code not in (250, 251):
                raise _by_code(code, text, f"收件人 {rcpt}")
            code, text = conn.docmd("DATA")
            if code != 354:
                raise _by_code(code, text, "DATA")
            handed_over = True
            payload = _LEADING_DOT.sub(b"..", data)
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            conn.send(payload + b".\r\n")
            code, text = conn.getreply()
            if code != 250:
                handed_over = False  # a reply: the server has told us it did not take it
                raise _by_code(code, text, "邮件正文")
        except (_Transient, _Permanent):
            raise
        except smtplib.SMTPConnectError as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, f"连接 {settings.host}:{settings.port}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise _Permanent(f"服务器不支持：{exc}") from None
        except smtplib.SMTPResponseException as exc:  # HELO, STARTTLS, AUTH (535 …)
            raise _by_code(exc.smtp_code, exc.smtp_error, "登录或握手") from None
        except smtplib.SMTPException as exc:  # e.g. no AUTH method in common
            if handed_over:
                raise _Unknown(_lost(exc)) from None
            if isinstance(exc, smtplib.SMTPServerDisconnected):
                raise _Transient(f"服务器断开连接：{exc}") from None
            raise _Permanent(str(exc)) from None
        except UnicodeError as exc:  # a non-ASCII address smtplib cannot encode
            raise _Permanent(f"无法编码：{exc}") from None
        except ssl.SSLError as exc:
            if handed_over:
                raise _Unknown(_lost(exc)) from None
            raise _Permanent(f"TLS 失败：{exc}") from None
        except OSError as exc:  # refused, reset, timed out
            if handed_over:
                raise _Unknown(_lost(exc)) from None
            raise _Transient(f"无法连接 {settings.host}:{settings.port}：{exc or type(exc).__name__}") from None
    finally:
        if conn is not None:
            _close(conn)


def _login(conn: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a Chinese password goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    if (user + password).isascii():
        conn.login(user, password)
        return
    if not conn.has_extn("auth") or "PLAIN" not in conn.esmtp_features.get("auth", "").upper().split():
        raise _Permanent("用户名或密码含非 ASCII 字符，而服务器不支持 AUTH PLAIN")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, text = conn.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):
        raise _by_code(code, text, "登录")


def _lost(exc: BaseException) -> str:
    what = "超时" if isinstance(exc, TimeoutError) or "timed out" in str(exc) else "连接中断"
    return f"邮件已交给服务器后{what}，未收到答复（{exc or type(exc).__name__}）：可能已送达"


def _close(conn: smtplib.SMTP) -> None:
    try:
        if conn.sock is not None:
            conn.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        conn.close()


def write_outbox(folder: Path, stem: str, data: bytes) -> Path:
    """``<stem>.eml`` under ``folder``; an earlier, different message keeps its file (``<stem>-2.eml``…)."""
    n = 1
    while True:
        path = folder / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
        if not path.exists() or path.read_bytes() == data:
            atomic_write(path, data)
            return path
        n += 1
