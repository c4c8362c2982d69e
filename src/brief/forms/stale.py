"""What a form was filled from, so an old form cannot quietly undo edits made to the data file since.

``brief form`` stores in the hidden meta sheet the sha256 of the county year file and, for every
field, a short digest of the value it pre-filled. On import, when the file changed since, each field
is weighed three ways: the user did not touch it → the file's newer value stays; the user changed it
and the file did not → the user's value; both changed it (to different values) → a conflict, refused.
Digests, not values: the meta sheet stays small, and a summary's text is not copied twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..data.catalog import Indicator
from ..domain.quantity import QuantityError, parse_quantity
from .cells import cell_text
from .layout import H_FIELDS

ABSENT = "absent"  # the county year file did not exist when the form was made
HIGHLIGHTS = "highlights"  # one field for the whole highlights sheet: its rows have no stable identity


def file_digest(path: Path) -> str:
    """sha256 of the file's bytes; ABSENT when there is no file."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return ABSENT
    except OSError:  # unreadable (a folder of that name, no permission): the import says why
        return "unreadable"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fact_id(key: str) -> str:
    return f"fact:{key}"


def indicator_id(key: str) -> str:
    return f"ind:{key}"


def figure(text: str | None, ind: Indicator) -> str:
    """A figure as a value, not as spelled: 15.6万 and 156000 and 15.60万 are one; empty is ""."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        q = parse_quantity(text, ind.unit, change=ind.change, units_also=ind.units_also)
    except QuantityError:
        return text
    high = q.high.normalize() if q.high is not None else None
    return f"{q.value.normalize()}|{q.qualifier}|{q.percent}|{high}"


def file_highlights(raw: object) -> dict[str, list[dict[str, str]]]:
    """A data file's ``highlights:`` as the highlights sheet says them: section -> rows of field texts."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(raw, dict):
        for section, items in raw.items():
            out[section] = [{f: cell_text(item.get(f, "")) if isinstance(item, dict) else "" for f in H_FIELDS}
                            for item in (items if isinstance(items, list) else [])]
    return out


def highlights(sheet: dict[str, list[dict[str, str]]]) -> str:
    return json.dumps({k: v for k, v in sheet.items() if v}, ensure_ascii=False, sort_keys=True)


def shown(text: str | None, unit: str = "") -> str:
    """A value as the conflict line shows it: 16.2万亩, or （空）."""
    text = (text or "").strip()
    if not text:
        return "（空）"
    return text if not unit or text.endswith(unit) else text + unit


def changed_since(now: str, mine: str) -> str:
    return f"填报表生成后数据文件已改为{now}，表中为{mine}"
