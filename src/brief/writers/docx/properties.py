"""The DOCX's core properties (title, author, subject): fixed dates, so that the same brief gives the same bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from docx.document import Document as DocxDocument

from brief.model import Meta
from brief.writers.docx.wml import check_text

FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # core properties: no build time in the file


def set_core_properties(document: DocxDocument, meta: Meta) -> None:
    cp = document.core_properties
    cp.title = check_text(meta.title, "meta.title")
    cp.author = check_text(meta.author, "meta.author")
    cp.subject = check_text(meta.subject, "meta.subject")
    cp.last_modified_by = cp.author
    cp.revision = 1
    cp.created = cp.modified = FIXED_DATE
