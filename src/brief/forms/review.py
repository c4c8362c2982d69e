"""One uploaded 填报表, for a page rather than a terminal: its errors by cell, what importing it would
change figure by figure, and the user's own workbook back with each bad cell marked.

The rules are ``brief import``'s own (``plan_imports``): the same reading, the same validation, the
same Chinese lines; only the shape of the answer differs. ``review_upload`` writes nothing.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..compose.context import quantity_text
from ..data.catalog import Catalog, Indicator
from ..data.files import read_county_year
from ..data.records import CountyYear, Highlight
from ..domain.quantity import Quantity
from ..errors import BriefError, Problem
from .importer import Plan, cannot_write, plan_imports, write_plans
from .layout import STATUS_WORDS, office_facts
from .make import INPUT_FILL
from .reader import DAMAGED, CellProblem, Where, checked_bytes

AUTHOR = "brief"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red: the user knows it
FILE_NOTE = "本工作簿的问题（修改后重新上传）："
_OLD_NOTE = re.compile(r"\n——原批注（(.*?)）——\n")  # a user's own comment on a bad cell, kept below ours
_FIELD_LABELS = {"title": "标题", "text": "正文", "image": "图片", "caption": "图片说明"}


@dataclass(frozen=True)
class CellError:
    """One line of ``brief import``'s report, with the cell it is about (None: the whole file)."""

    sheet: str | None
    cell: str | None  # C7
    key: str
    message: str

    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else ""


@dataclass(frozen=True)
class Change:
    """One figure or text the import changes, printed as the brief prints it; None: absent."""

    county: str
    year: int
    key: str  # indicator key, fact key (partner), or highlights.<section>.<n>.<field>
    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Review:
    errors: list[CellError]
    changes: list[Change]  # empty whenever there are errors: a half-read form says nothing reliable
    target: Path | None  # the county file it would write
    # Fields left in the form as it had them while the data file changed since: the file's newer
    # values stay (labels; see forms/stale.py).
    kept: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """What the user was shown, as one string: ``apply_upload(expect=...)`` writes only if
        importing now still makes exactly these changes."""
        shown = [[c.county, c.year, c.key, c.old, c.new] for c in self.changes]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()


STALE = ("数据文件在检查之后已被改动（可能刚导入了同一县的另一份表单），现在导入的变化与检查结果不同；"
         "请刷新检查结果页面，核对后再导入")


def review_upload(path: Path, data_root: Path) -> Review:
    """Read and check one uploaded form as ``brief import`` would; write nothing."""
    try:
        plans, found, catalog = plan_imports([Path(path)], data_root)
    except BriefError as exc:  # the catalog is broken: no form can be read
        return Review([_error(p, Path(path), Path(data_root)) for p in exc.problems], [], None)
    problems = found[Path(path)]
    plan = plans[0] if plans else None
    target = plan.target if plan else None
    if problems or plan is None:
        return Review([_error(p, Path(path), Path(data_root)) for p in problems], [], target)
    return Review([], _changes(plan, catalog, data_root), target, plan.kept)


def apply_upload(path: Path, data_root: Path, expect: str | None = None) -> Review:
    """Import one uploaded form (all or nothing); return what changed. BriefError: nothing was written.

    ``expect`` is the ``digest`` of the review the user confirmed: when the data file changed since,
    importing would make other changes than those shown (undo another form's figures, say), and
    nothing is written."""
    plans, found, catalog = plan_imports([Path(path)], data_root)
    problems = found[Path(path)]
    if problems or not plans:
        raise BriefError(problems or [Problem(str(path), None, "-", "无法读取这份表单")])
    plan = plans[0]
    # Before writing: "old" is the file as it was.
    review = Review([], _changes(plan, catalog, data_root), plan.target, plan.kept)
    if expect is not None and review.digest != expect:
        raise BriefError(Problem(str(plan.target), None, "-", STALE))
    write_plans(plans)
    return review


def import_with_changes(paths: list[Path], data_root: Path) -> list[Imported]:
    """``brief import``: every form or nothing, as ``import_forms``; per county file, what changed in
    it (so a form older than the data shows it on the terminal) and which newer values it kept."""
    plans, found, catalog = plan_imports(list(map(Path, paths)), data_root)
    problems = [p for each in found.values() for p in each]
    if problems:
        raise BriefError(problems)
    changes = {plan.target: _changes(plan, catalog, data_root) for plan in plans}  # before writing
    written = set(write_plans(plans))
    return [Imported(plan.target, changes[plan.target] if plan.target in written else [], plan.kept,
                     plan.target in written)
            for plan in plans if plan.target in written or plan.kept]


@dataclass(frozen=True)
class Imported:
    target: Path
    changes: list[Change]
    kept: list[str]  # labels of fields whose newer value in the data file stayed
    written: bool


def kept_line(kept: list[str]) -> str:
    """The one line that says which newer values of the data file an old form left alone."""
    return f"数据文件在表单生成后改过、表中未改动的项保留文件中的新值：{'、'.join(kept)}"


def change_line(c: Change) -> str:
    """``选派干部人才：150名 → 140名``, as the upload page shows it."""
    return f"{c.label}：{c.old or '（空）'} → {c.new or '（空）'}"


def mark_failed(paths: list[Path], data_root: Path, out_dir: Path) -> list[Path]:
    """``brief import --marked``: each workbook with errors, marked, as ``<name>.marked.xlsx`` in
    ``out_dir``; return the files written. A file that is no workbook at all cannot be marked."""
    _, found, _ = plan_imports(list(map(Path, paths)), data_root)
    written = []
    for path, problems in found.items():
        if not problems:
            continue
        try:
            data = mark_workbook(path, [_error(p, path, Path(data_root)) for p in problems])
        except BriefError:  # not a workbook openpyxl may open: its errors say so already
            continue
        target = Path(out_dir) / f"{path.stem}.marked.xlsx"
        _write(target, data)
        written.append(target)
    return written


def _write(target: Path, data: bytes) -> None:
    """Temp file + rename: a marked workbook is whole or absent."""
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise BriefError(Problem(str(target), None, "--marked", cannot_write(target.parent, exc))) from None


# ── errors ──────────────────────────────────────────────────────────────────────────────────


def _error(p: Problem, upload: Path, data_root: Path) -> CellError:
    where = p.where if isinstance(p, CellProblem) else None
    if where is not None:
        return CellError(where.sheet, where.cell, p.key, p.message)
    if p.file and Path(p.file) != upload:  # about the data file, not the workbook: say which one
        place = _shown_path(Path(p.file), data_root) + (f":{p.line}" if p.line not in (None, "") else "")
        return CellError(None, None, p.key, f"{place}：{p.message}")
    return CellError(None, None, p.key, p.message)


def _shown_path(path: Path, data_root: Path) -> str:
    """A data file as the office knows it (counties/x/2023.yaml), never the server's absolute path."""
    try:
        return path.resolve().relative_to(data_root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.name


# ── changes ─────────────────────────────────────────────────────────────────────────────────


def _changes(plan: Plan, catalog: Catalog, data_root: Path) -> list[Change]:
    if not plan.changed or plan.record is None:
        return []
    meta = plan.form.meta
    old: CountyYear | None = None
    if plan.target.is_file():
        old, _ = read_county_year(plan.target, meta.county_id, meta.year, catalog, Path(data_root))
    new = plan.record
    out: list[Change] = []

    def add(key: str, label: str, before: str | None, after: str | None) -> None:
        before, after = before or None, after or None
        if before != after:
            out.append(Change(meta.county_id, meta.year, key, label, before, after))

    for fact in office_facts(plan.genre):
        if fact.key != "year":
            add(fact.key, fact.label, _fact(old, fact.key), _fact(new, fact.key))
    for key, ind in catalog.indicators.items():
        before = old.indicators.get(key) if old else None
        after = new.indicators.get(key)
        add(key, ind.label, _figure(before, ind), _figure(after, ind))
    folder = plan.target.parent
    for section in catalog.sections.values():
        before_items = [h for h in (old.highlights if old else ()) if h.section == section.key]
        after_items = [h for h in new.highlights if h.section == section.key]
        for i, a, b in _paired(before_items, after_items):
            number = f"第{i + 1}条" if b is not None else f"原第{i + 1}条"  # a deleted item: its old place
            for name, shown in _FIELD_LABELS.items():
                add(f"highlights.{section.key}.{i + 1}.{name}", f"{section.title}{number}{shown}",
                    _field(a, name, folder), _field(b, name, folder))
    return out


def _paired(before: list[Highlight], after: list[Highlight]
            ) -> list[tuple[int, Highlight | None, Highlight | None]]:
    """Old and new items of one section matched as a diff matches lines, so that deleting or inserting
    one item shows as that item and not as every later item changed. Each pair carries the number
    the user sees: the new item's, or the old one's for a deleted item."""
    def what(h: Highlight) -> tuple[object, ...]:  # not its line: deleting one item moves the rest
        return h.title, h.text, h.image, h.caption

    matcher = difflib.SequenceMatcher(a=[what(h) for h in before], b=[what(h) for h in after], autojunk=False)
    out: list[tuple[int, Highlight | None, Highlight | None]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        common = min(i2 - i1, j2 - j1) if op == "replace" else 0  # edited in place: field by field
        out += [(j1 + k, before[i1 + k], after[j1 + k]) for k in range(common)]
        out += [(i, before[i], None) for i in range(i1 + common, i2)]
        out += [(j, None, after[j]) for j in range(j1 + common, j2)]
    return out


def _fact(record: CountyYear | None, key: str) -> str | None:
    if record is None:
        return None
    value = str(getattr(record, key, "") or "")
    return STATUS_WORDS.get(value, value) if key == "status" else value


def _figure(q: Quantity | None, ind: Indicator) -> str | None:
    return quantity_text(q, ind.unit, ind.change) if q is not None else None


def _field(item: Highlight | None, name: str, folder: Path) -> str | None:
    if item is None:
        return None
    value = getattr(item, name)
    if isinstance(value, Path):
        try:
            return value.relative_to(folder.resolve()).as_posix()
        except ValueError:
            return os.path.relpath(value, folder.resolve())
    return str(value or "")


# ── the marked workbook ─────────────────────────────────────────────────────────────────────


def mark_workbook(path: Path, errors: list[CellError]) -> bytes:
    """The user's workbook with each bad cell filled red and its message as a comment (author brief).

    The same caps as ``brief import`` apply before openpyxl sees the file. Errors about the whole
    file, a hidden sheet or a missing one go to a comment on A1 of the first visible sheet. Marks left
    by an earlier round are cleared first, so a fixed cell is no longer red."""
    path = Path(path)
    data = checked_bytes(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), rich_text=True)  # rich text kept as the user wrote it
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise BriefError(Problem(str(path), None, "-", DAMAGED)) from None
    _clear_marks(wb)
    by_cell: dict[tuple[str, str], list[str]] = {}
    loose: list[str] = []
    for e in errors:
        ws = wb[e.sheet] if e.sheet in wb.sheetnames else None
        if ws is None or e.cell is None or ws.sheet_state != "visible":
            loose.append(f"{e.where()}：{e.message}" if e.where() else e.message)
            continue
        by_cell.setdefault((ws.title, e.cell), []).append(e.message)
        if _hidden(ws, e.cell):  # the cell is marked, but the user cannot see it: say so up front too
            loose.append(f"{e.where()}（隐藏的单元格）：{e.message}")
    for (sheet, ref), messages in by_cell.items():
        _mark(_anchor(wb[sheet], ref), "\n".join(dict.fromkeys(messages)))
    if loose:
        first = next((ws for ws in wb.worksheets if ws.sheet_state == "visible"), wb.worksheets[0])
        _mark(_anchor(first, "A1"), "\n".join([FILE_NOTE, *dict.fromkeys(loose)]))
        wb.active = wb.worksheets.index(first)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _anchor(ws: Worksheet, ref: str) -> Cell:
    """The cell that shows ``ref``: inside a merged range only its top-left cell can hold a comment
    or a fill (openpyxl refuses the others), and it is the one the user sees."""
    cell = ws[ref]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                return ws.cell(merged.min_row, merged.min_col)
    return cell  # type: ignore[return-value]


def _mark(cell: Cell, message: str) -> None:
    own = cell.comment
    text = message if own is None else f"{message}\n——原批注（{' '.join((own.author or '').split())}）——\n{own.text}"
    comment = Comment(text, AUTHOR)
    lines = sum(1 + len(line) // 20 for line in text.splitlines())
    comment.width, comment.height = 300, min(60 + 18 * lines, 600)  # points: room for the whole message
    cell.comment = comment
    cell.fill = BAD_FILL


def _clear_marks(wb: Workbook) -> None:
    """Undo an earlier mark_workbook: its comments go (a user's own comment below ours comes back),
    and the fill returns to the form's: yellow for a cell to fill in (unlocked), none otherwise."""
    for ws in wb.worksheets:
        # Only the cells the file has: iter_rows would make every cell up to the last one, and a
        # comment at A1048576 (import refuses such a sheet by its row count) cost 30 s and 1.7 GB.
        for cell in list(getattr(ws, "_cells", {}).values()):
            comment = cell.comment
            if comment is None or comment.author != AUTHOR:
                continue
            kept = _OLD_NOTE.search(comment.text)
            cell.comment = Comment(comment.text[kept.end():], kept.group(1)) if kept else None
            if cell.fill == BAD_FILL:
                cell.fill = INPUT_FILL if cell.protection.locked is False else PatternFill(None)


def _hidden(ws: Worksheet, ref: str) -> bool:
    where = Where.parse(f"{ws.title}!{ref}")
    if where is None:
        return False
    column = ws.column_dimensions.get(get_column_letter(where.col))
    row = ws.row_dimensions.get(where.row)
    return bool((column is not None and column.hidden) or (row is not None and row.hidden))
