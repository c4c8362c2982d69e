"""``brief distribute``: stamped copies of the year's PDFs to everyone in ``recipients.yaml``.

- ``distribute(data, out, year, dry_run=False, resend=False, smtp=None, retry_delays=(0.5, 1.0),
  timeout=10) -> Report``: builds what is out of date, then one message per recipient (SMTP when
  ``smtp`` is given, else ``out/outbox/*.eml``), recorded in ``out/ledger.sqlite``.
- ``format_report(report) -> list[str]``: what the command prints; ``report.problems`` are the
  failures and doubtful deliveries, one per recipient.
- ``SmtpSettings.from_env()``: the ``BRIEF_SMTP_*`` settings, or None when no host is set.
- ``stamp(pdf, copy_no, name)``: one copy marked with its 份号 and recipient.
"""

from .ledger import LEDGER, Ledger
from .run import FileStatus, RecipientResult, Report, distribute, format_report
from .stamp import stamp
from .transport import Delivery, SmtpSettings

__all__ = [
    "LEDGER",
    "Delivery",
    "FileStatus",
    "Ledger",
    "RecipientResult",
    "Report",
    "SmtpSettings",
    "distribute",
    "format_report",
    "stamp",
]
