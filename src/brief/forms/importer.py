"""``brief import``: filled forms back into ``counties/<county>/<year>.yaml``, validated like any data file.

For each workbook: read the cells, edit the county's YAML in memory (ruamel round trip: only what
the form changed is touched), write the candidate text to a temporary file beside the real one and
read it with exactly the reader ``brief validate`` uses. Problems found in the candidate are mapped
back to the cell they came from. Only when every workbook is clean is any file replaced.
"""

from __future__ import annotations

import errno
import os
import re
import shlex
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..data.catalog import Catalog
from ..data.dataset import read_dataset
from ..data.files import COUNTY_KEYS, HIGHLIGHT_KEYS, read_county_year
from ..data.records import DEFAULT_GENRE, CountyYear
from ..data.yamlfile import YMap, load_yaml
from ..domain.quantity import Quantity, QuantityError, format_number, parse_quantity
from ..errors import BriefError, Problem
from . import stale
from .cells import cell_text
from .layout import FIRST_ROW, H_FIELDS, H_TEXT, H_TITLE, HIGHLIGHTS_SHEET, STATUS_KEYS, STATUS_WORDS, office_facts
from .reader import Form, Where, cell_problem, read_form
from .yamledit import Figure, delete_key, dump_text, encode, load_text, read_source, set_key, text_value


@dataclass
class Plan:
    """One workbook's outcome: the YAML file's new bytes, whether they differ, and the record they give."""

    form: Form
    target: Path
    data: bytes = b""
    changed: bool = False
    record: CountyYear | None = None
    problems: list[Problem] = field(default_factory=list)
    # Fields the form left as it had them while the data file changed since: the file's newer value
    # stays, and the user is told which (labels, as the brief prints them).
    kept: list[str] = field(default_factory=list)
    genre: str = DEFAULT_GENRE  # the county's program's (援疆, 东西部协作): the change list names fields in its words


def import_forms(paths: list[Path], data_root: Path) -> list[Path]:
    """Import filled forms; return the YAML files written. Nothing is written if any problem is found."""
    plans, found, _ = plan_imports(paths, data_root)
    problems = [p for each in found.values() for p in each]
    if problems:
        raise BriefError(problems)
    return write_plans(plans)


def plan_imports(paths: list[Path], data_root: Path) -> tuple[list[Plan], dict[Path, list[Problem]], Catalog]:
    """What importing ``paths`` would write, and every problem found on the way, by workbook; writes
    nothing. Raises BriefError only when the catalog itself is broken (no form can be read against it)."""
    data_root = Path(data_root)
    ds = read_dataset(data_root)
    catalog_problems = [p for p in ds.problems if _same(p.file, ds.catalog.path)]
    if catalog_problems:
        raise BriefError(catalog_problems)
    problems: dict[Path, list[Problem]] = {}
    plans: list[Plan] = []
    taken: dict[tuple[str, int], Path] = {}
    for path in map(Path, paths):
        mine = problems.setdefault(path, [])
        try:
            form = read_form(path, ds.catalog, lambda county_id: _genre(ds, county_id))
        except BriefError as exc:
            mine += exc.problems
            continue
        plan = _plan(form, data_root, ds.catalog, _genre(ds, form.meta.county_id))
        ident = (form.meta.county_id, form.meta.year)
        if ident in taken:
            plan.problems.append(Problem(str(path), None, "-", f"与 {taken[ident].name} 是同一县同一年的表单"
                                         f"（{form.meta.year}年 {form.meta.county_id}）；一次只能导入其中一份"))
        taken.setdefault(ident, path)
        mine += _ordered(form, form.problems + plan.problems)
        plans.append(plan)
    return plans, problems, ds.catalog


def _genre(ds: Any, county_id: str) -> str:
    """The county's genre as its briefs name it: its program's, else 援疆."""
    program = ds.program_of(county_id)
    return program.genre if program is not None else DEFAULT_GENRE


def write_plans(plans: list[Plan]) -> list[Path]:
    """Replace each changed county file (temp file + rename); return the files written."""
    written = []
    for plan in plans:
        if plan.changed:
            _write(plan.target, plan.data)
            written.append(plan.target)
    return written


def _same(a: str | Path, b: str | Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path``, links followed, lies under ``folder``: nothing is written outside the data dir."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop, a name too long
        return False


def cannot_write(folder: Path, exc: OSError) -> str:
    """Why a folder could not be written, in one line (the data dir here, the --out dir for a form)."""
    reasons = {errno.EACCES: "权限不足", errno.EPERM: "权限不足", errno.EROFS: "文件系统是只读的",
               errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出磁盘配额",
               errno.ENOTDIR: "路径中有一个同名文件，不是文件夹", errno.EEXIST: "已有一个同名文件，不是文件夹"}
    reason = reasons.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return f"无法写入 {folder}：{reason}"


def _ordered(form: Form, problems: list[Problem]) -> list[Problem]:
    """Workbook-level lines first, then by sheet (in the book's order), row and column."""
    order = {name: i for i, name in enumerate(form.sheet_order)}

    def rank(p: Problem) -> tuple[int, int, int, int]:
        if not isinstance(p.line, str) or "!" not in p.line:
            return (0, 0, 0, 0)
        sheet, _, cell = p.line.rpartition("!")
        letters = "".join(ch for ch in cell if ch.isalpha())
        digits = "".join(ch for ch in cell if ch.isdigit())
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch.upper()) - 64
        return (1, order.get(sheet, len(order)), int(digits or 0), col)

    return sorted(dict.fromkeys(problems), key=rank)


# ── building the candidate file ─────────────────────────────────────────────────────────────


class _Edit:
    """The county file being edited: its round-trip document and, to compare with, the text as written."""

    def __init__(self, target: Path, form: Form, data_root: Path = Path("data"), genre: str = DEFAULT_GENRE):
        self.target = target
        self.form = form
        self.data_root = data_root
        self.genre = genre
        # The file changed since the form was made: weigh each field three ways (forms/stale.py).
        # A form made before forms remembered their source imports as it always did.
        source = form.meta.source
        self.stale = source is not None and stale.file_digest(target) != source
        self.exists = target.is_file()
        self.changed = not self.exists
        self.kept: list[str] = []
        if self.exists:
            self.text, self.newline, self.bom = read_source(target)
            self.doc: Any = load_text(self.text)
            loaded = load_yaml(target, [])
            self.raw: YMap = loaded.value if loaded is not None and isinstance(loaded.value, YMap) else YMap()
        else:
            self.text, self.newline, self.bom = "", "\n", False
            self.doc = CommentedMap()
            # One comment line: names from the workbook may hold line breaks (\r, U+0085) that would
            # end the comment and start YAML of their own.
            comment = f"{form.meta.county_name} {form.meta.year}年{genre}工作数据（由填报表 {form.path.name} 导入）"
            self.doc.yaml_set_start_comment(" ".join(comment.split()))
            self.raw = YMap()

    def set(self, m: CommentedMap, key: str, value: Any, order: list[str]) -> None:
        set_key(m, key, value, order)
        self.changed = True

    def delete(self, m: CommentedMap, key: str) -> None:
        if key in m:
            delete_key(m, key)
            self.changed = True

    def keep_file(self, field_id: str, mine: str, now: str, where: Where | None, key: str, conflict: str,
                  label: str = "") -> bool:
        """True when the file's value stays: the user left the field as the form had it, or both the user
        and someone editing the file since changed it (a conflict, reported here; nothing is written)."""
        base = self.form.meta.base.get(field_id)
        if not self.stale or base is None:
            return False
        if stale.digest(mine) == base:
            if mine != now:
                self.kept.append(label or key)
            return True  # untouched in the form: a later edit of the file must not be turned back
        if stale.digest(now) == base or mine == now:
            return False
        meta = self.form.meta
        again = f"brief form {meta.county_id} --year {meta.year}"
        if Path(self.data_root) != Path("data"):  # the command as the user must type it, not the default's
            again += f" --data {_typed(str(self.data_root))}"
        self.form.problem(where, key, f"{conflict}；请重新下载填报表（{again}）后再填")
        return True

    def child(self, key: str, kind: type, order: list[str]) -> Any:
        value = self.doc.get(key)
        if not isinstance(value, kind):
            value = kind()
            self.set(self.doc, key, value, order)
        return value


def _plan(form: Form, data_root: Path, catalog: Catalog, genre: str = DEFAULT_GENRE) -> Plan:
    meta = form.meta
    counties = data_root / "counties"
    county_dir = counties / meta.county_id  # the reader has checked the id and year against their grammar
    target = county_dir / f"{meta.year}.yaml"
    plan = Plan(form, target, genre=genre)
    if not _inside(target, counties):
        plan.problems.append(Problem(str(form.path), None, meta.county_id,
                                     f"{target} 不在数据目录 {counties} 之内（是指向别处的链接？）；不能导入"))
        return plan
    if not county_dir.is_dir():
        plan.problems.append(Problem(str(form.path), None, meta.county_id,
                                     f"数据目录中没有这个县（{county_dir}）；这份表单是另一个数据目录的吗？"))
        return plan
    try:
        edit = _Edit(target, form, data_root, genre)
    except Exception:  # the YAML itself is broken: say so the way validate does
        _, problems = read_county_year(target, meta.county_id, meta.year, catalog, data_root)
        plan.problems += problems or [Problem(str(target), None, "-",
                                              "无法读取这个数据文件；请先用 brief validate 检查")]
        return plan
    if edit.exists and not isinstance(edit.doc, CommentedMap):
        _, problems = read_county_year(target, meta.county_id, meta.year, catalog, data_root)
        plan.problems += problems or [Problem(str(target), 1, "-", "数据文件应为“键: 值”形式的映射")]
        return plan
    if not edit.exists and not any(value for value, _ in form.values.values()):
        plan.problems.append(Problem(str(form.path), None, "-",
                                     f"表中没有填写任何数值；{meta.year} 年的数据文件没有建立"))
        return plan
    _facts(form, edit)
    _indicators(form, edit, catalog)
    _highlights(form, edit, catalog)
    plan.kept = edit.kept
    text = dump_text(edit.doc) if edit.changed else edit.text
    plan.data = encode(text, edit.newline, edit.bom)
    plan.changed = edit.changed and (not edit.exists or plan.data != target.read_bytes())
    plan.record, problems = _validate(plan, data_root, catalog)
    plan.problems += _locate(form, target, text, problems)
    return plan


def _facts(form: Form, edit: _Edit) -> None:
    order = list(COUNTY_KEYS)
    for fact in office_facts(edit.genre):
        if fact.key not in form.facts:
            continue
        new, where = form.facts[fact.key]
        if fact.key == "year":
            if new != str(form.meta.year):
                form.problem(where, "year", f"年份不能改：这是 {form.meta.year} 年的表单；填报其他年份请另行生成表单")
            if not edit.exists:
                edit.set(edit.doc, "year", Figure(str(form.meta.year)), order)
            continue
        old = edit.raw.get(fact.key)
        old_text = cell_text(old) if isinstance(old, str) else ""
        if fact.key == "status":
            if new not in STATUS_KEYS and new not in STATUS_WORDS and new:
                form.problem(where, "status", f"“{new}”不是可选值；应为 {' 或 '.join(STATUS_KEYS)}")
                continue
            new = STATUS_KEYS.get(new, new) or "final"
            old_text = old_text or "final"
        if new == old_text:
            continue
        shown_now, shown_mine = (STATUS_WORDS.get(v, v) if fact.key == "status" else v for v in (old_text, new))
        if edit.keep_file(stale.fact_id(fact.key), new, old_text, where, fact.key,
                          stale.changed_since(f"“{shown_now}”" if shown_now else "（空）",
                                              f"“{shown_mine}”" if shown_mine else "（空）"), fact.label):
            continue
        if not new and not fact.required:
            edit.delete(edit.doc, fact.key)
        else:
            edit.set(edit.doc, fact.key, text_value(new, block=fact.long), order)


def _quantity(text: str, catalog: Catalog, key: str) -> Quantity | None:
    ind = catalog.indicators[key]
    try:
        return parse_quantity(text, ind.unit, change=ind.change, units_also=ind.units_also)
    except QuantityError:
        return None


def _indicators(form: Form, edit: _Edit, catalog: Catalog) -> None:
    order = list(catalog.indicators)
    old_map = edit.raw.get("indicators")
    old_map = old_map if isinstance(old_map, YMap) else {}
    for key, (text, where) in form.values.items():
        old = old_map.get(key)
        ind = catalog.indicators[key]
        old_text = str(old) if old is not None else ""
        if edit.keep_file(stale.indicator_id(key), stale.figure(text, ind), stale.figure(old_text, ind), where, key,
                          stale.changed_since(stale.shown(old_text, ind.unit), stale.shown(text, ind.unit)),
                          ind.label):
            continue
        if text is None:
            if key in old_map and isinstance(edit.doc.get("indicators"), CommentedMap):
                edit.delete(edit.doc["indicators"], key)
            continue
        new_q = _quantity(text, catalog, key)
        if isinstance(old, str):
            old_q = _quantity(str(old), catalog, key)
            if (new_q is not None and new_q == old_q) or (new_q is None and text == str(old).strip()):
                continue  # the same figure: keep the file's own spelling, byte for byte
        value = Figure(format_number(new_q)) if new_q is not None else text
        edit.set(edit.child("indicators", CommentedMap, list(COUNTY_KEYS)), key, value, order)


def _highlights(form: Form, edit: _Edit, catalog: Catalog) -> None:
    sheet: dict[str, list[dict[str, str]]] = {}
    for row in form.highlights:
        sheet.setdefault(row.section, []).append(row.fields)
    old = stale.file_highlights(edit.raw.get("highlights"))
    if {k: v for k, v in old.items() if v} == sheet:
        return  # the sheet says what the file says: leave the file alone
    first = Where(HIGHLIGHTS_SHEET, form.highlights[0].row if form.highlights else FIRST_ROW, H_TITLE)
    if edit.keep_file(stale.HIGHLIGHTS, stale.highlights(sheet), stale.highlights(old), first, "highlights",
                      "填报表生成后数据文件中的工作亮点已有改动，表中的亮点也改了", "工作亮点"):
        return
    hl = edit.child("highlights", CommentedMap, list(COUNTY_KEYS))
    order = list(catalog.sections)
    for section in list(dict.fromkeys([*hl, *order])):
        items = sheet.get(section, [])
        if not items:
            edit.delete(hl, section)
            continue
        if old.get(section) == items:
            continue
        seq = hl.get(section)
        if not isinstance(seq, CommentedSeq):
            seq = CommentedSeq()
            edit.set(hl, section, seq, order)
        for i, fields in enumerate(items):
            if i < len(seq) and isinstance(seq[i], CommentedMap):
                _update_item(edit, seq[i], fields)
            else:
                item = CommentedMap()
                for f, value in fields.items():
                    if value:
                        item[f] = text_value(value, block=f == "text")
                seq.append(item)
                edit.changed = True
        if len(seq) > len(items):
            del seq[len(items):]
            edit.changed = True
    if not len(hl):
        edit.delete(edit.doc, "highlights")


def _update_item(edit: _Edit, item: CommentedMap, fields: dict[str, str]) -> None:
    order = list(HIGHLIGHT_KEYS)
    for f, new in fields.items():
        old = cell_text(str(item[f])) if f in item and item[f] is not None else ""
        if new == old:
            continue
        if not new:
            edit.delete(item, f)
        else:
            edit.set(item, f, text_value(new, block=f == "text"), order)


# ── validation, and problems back to cells ──────────────────────────────────────────────────


def _validate(plan: Plan, data_root: Path, catalog: Catalog) -> tuple[CountyYear | None, list[Problem]]:
    """The candidate, read by the same reader ``brief validate`` uses, from a file beside the real one."""
    meta = plan.form.meta
    if not plan.changed:  # the file says it already: read it as it is, and write nothing at all
        return read_county_year(plan.target, meta.county_id, meta.year, catalog, data_root)
    tmp = plan.target.parent / f".{plan.target.name}.import-{os.getpid()}.tmp"
    try:
        tmp.write_bytes(plan.data)
        record, problems = read_county_year(tmp, meta.county_id, meta.year, catalog, data_root)
    except OSError as exc:
        return None, [Problem(str(plan.target), None, "-", cannot_write(plan.target.parent, exc))]
    finally:
        _remove(tmp)
    if record is not None:
        record = replace(record, path=plan.target)
    return record, problems


def _anchors(text: str) -> list[tuple[int, str, Any]]:
    """(line, kind, what) for every place in the candidate a problem can point at, sorted by line."""
    try:
        doc = load_text(text)
    except Exception:
        return []
    out: list[tuple[int, str, Any]] = []
    if not isinstance(doc, CommentedMap):
        return out
    for key in doc:
        out.append((doc.lc.key(key)[0] + 1, "top", key))
        value = doc[key]
        if key == "indicators" and isinstance(value, CommentedMap):
            out += [(value.lc.key(k)[0] + 1, "indicator", k) for k in value]
        elif key == "highlights" and isinstance(value, CommentedMap):
            for section, seq in value.items():
                out.append((value.lc.key(section)[0] + 1, "section", section))
                if isinstance(seq, CommentedSeq):
                    out += [(seq.lc.item(i)[0] + 1, "item", (section, i)) for i in range(len(seq))]
    return sorted(out, key=lambda a: a[0])


def _locate(form: Form, target: Path, text: str, problems: list[Problem]) -> list[Problem]:
    """Each problem of the candidate file at the cell it came from; else at the YAML file itself."""
    anchors = _anchors(text)
    lines = [a[0] for a in anchors]
    rows: dict[str, list[int]] = {}
    for row in form.highlights:
        rows.setdefault(row.section, []).append(row.row)
    out = []
    for p in problems:
        where: Where | None = None
        if isinstance(p.line, int) and anchors:
            i = bisect_right(lines, p.line) - 1
            if i >= 0:
                _, kind, what = anchors[i]
                where = _cell_for(form, kind, what, p.key, rows)
        if where is None and p.key in form.values and not isinstance(p.line, int):
            where = form.values[p.key][1]
        if where is not None:
            out.append(cell_problem(form.path, where, p.key, p.message))
        else:
            out.append(Problem(str(target), p.line, p.key, p.message))
    return out


def _cell_for(form: Form, kind: str, what: Any, key: str, rows: dict[str, list[int]]) -> Where | None:
    if kind == "indicator" and what in form.values:
        return form.values[what][1]
    if kind == "top" and what in form.facts:
        return form.facts[what][1]
    if kind == "item":
        section, i = what
        section_rows = rows.get(section, [])
        if i < len(section_rows):
            return Where(HIGHLIGHTS_SHEET, section_rows[i], H_FIELDS.get(key, H_TEXT))
    return None


# ── writing ─────────────────────────────────────────────────────────────────────────────────


def _write(target: Path, data: bytes) -> None:
    tmp = target.parent / f".{target.name}.import-{os.getpid()}.tmp"
    try:
        for stale in target.parent.glob(f".{target.name}.import-*.tmp"):  # left by a run that was killed
            stale.unlink(missing_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        raise BriefError(Problem(str(target), None, "-", cannot_write(target.parent, exc))) from None
    finally:
        _remove(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # it was never written (read-only dir): nothing to remove
        pass


# What a shell leaves alone in a bare word: 汉字 too (shlex.quote would put '广元协作' in quotes that
# cmd.exe does not know); anything else is quoted as shlex quotes it.
_BARE = re.compile(r"[^\s'\"$`\\!&|;<>()*?\[\]{}~#]+")


def _typed(path: str) -> str:
    """``path`` as a user types it after ``--data``: bare where no shell would change it."""
    return path if _BARE.fullmatch(path) else shlex.quote(path)

