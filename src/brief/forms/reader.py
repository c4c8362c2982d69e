"""Reading a filled 填报表: what each cell says, where it is, and what is wrong with the workbook itself.

Nothing here decides what a value means for the data file; that is the importer's job (and the
data layer's validation). Every problem names the workbook, the sheet and the cell.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..data.catalog import Catalog
from ..data.ids import valid_id
from ..data.records import DEFAULT_GENRE
from ..errors import BriefError, Problem
from .cells import CellError, cell_text, decode_escapes, figure_text
from .guard import MAX_CELL_CHARS, MAX_FILE_BYTES, GuardError, check_zip
from .layout import (
    COL_KEY,
    COL_LABEL,
    COL_MARK,
    COL_UNIT,
    COL_VALUE,
    F_KEY,
    F_MARK,
    F_VALUE,
    FACTS,
    FACTS_SHEET,
    FIRST_ROW,
    FORM_VERSION,
    H_CAPTION,
    H_FIELDS,
    H_IMAGE,
    H_MARK,
    H_SECTION,
    H_TEXT,
    H_TITLE,
    HIGHLIGHT_MIN_ROWS,
    HIGHLIGHTS_SHEET,
    META_SHEET,
    TITLE_ROW,
    Fact,
    Meta,
    name_in_file_name,
    office_facts,
    parse_marker,
    safe_name,
)

MAX_EXTRA_ROWS = 1000  # rows a sheet may have beyond those the form wrote (a user may add highlights)
MIN_YEAR, MAX_YEAR = 1900, 2100  # a form's year: four digits, and a plausible one
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every encrypted Office file
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
# No exception name (OSError, BadZipFile): it tells an office nothing; the remedy does.
DAMAGED = "无法读取工作簿：文件已损坏，或不是 Excel 工作簿（.xlsx）；请用 Excel/WPS 打开后另存为 .xlsx 再导入"


@dataclass(frozen=True)
class Where:
    sheet: str
    row: int
    col: int

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"

    @property
    def cell(self) -> str:
        """The cell's own name, C7."""
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.col)}{self.row}"

    @classmethod
    def parse(cls, text: str | None) -> Where | None:
        """``sheet!C7`` (as the zip guard names a place) back to a Where; None when it is not one."""
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
        from openpyxl.utils.exceptions import CellCoordinatesException

        sheet, _, ref = (text or "").rpartition("!")  # a sheet name may hold "!", a cell name never
        if not sheet:
            return None
        try:
            letters, row = coordinate_from_string(ref)
            return cls(sheet, row, column_index_from_string(letters))
        except (CellCoordinatesException, ValueError):
            return None


@dataclass(frozen=True, order=True)
class CellProblem(Problem):
    """A problem in a workbook's cell: prints like any Problem, and keeps the cell for whoever marks it."""

    where: Where | None = field(default=None, compare=False)


def cell_problem(path: Path | str, where: Where | None, key: str, message: str) -> Problem:
    return CellProblem(str(path), str(where) if where is not None else None, key or "-", message, where)


@dataclass
class HighlightRow:
    section: str
    fields: dict[str, str]  # title, text, image, caption
    row: int


@dataclass
class Form:
    """What a filled form says, cell by cell."""

    path: Path
    meta: Meta
    sheet_order: list[str]
    facts: dict[str, tuple[str, Where]] = field(default_factory=dict)
    values: dict[str, tuple[str | None, Where]] = field(default_factory=dict)  # None: the cell is empty
    rows: dict[str, Where] = field(default_factory=dict)  # every indicator row found, usable or not
    highlights: list[HighlightRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: Where | None, key: str, message: str) -> None:
        self.problems.append(cell_problem(self.path, where, key, message))


def _fatal(path: Path, message: str, where: Where | None = None, key: str = "-") -> BriefError:
    return BriefError(cell_problem(path, where, key, message))


def open_workbook(path: Path) -> tuple[Workbook, bytes]:
    """The workbook, or one clear line: missing file, .xls, a password, not a workbook at all."""
    data = checked_bytes(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Not read_only: the reader needs merged ranges and random access; check_zip bounds the work.
            wb = load_workbook(io.BytesIO(data), rich_text=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise _fatal(path, DAMAGED) from None
    return wb, data


def checked_bytes(path: Path) -> bytes:
    """The file's bytes once every cap is met (size, zip bomb, rows): safe to hand to openpyxl."""
    if not path.exists():
        raise _fatal(path, "文件不存在")
    if path.is_dir():
        raise _fatal(path, "这是一个目录，不是 Excel 工作簿")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _fatal(path, f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）；"
                           "填报表通常不到 1 MB：请删去粘贴进表中的图片或多余的工作表后再导入")
    data = path.read_bytes()
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTED in data:
            raise _fatal(path, "工作簿设置了打开密码（已加密），无法读取；"
                               "请在 Excel/WPS 中清除密码后另存为 .xlsx 再导入")
        raise _fatal(path, "这是旧版 .xls 格式的工作簿；请在 Excel/WPS 中另存为“Excel 工作簿（*.xlsx）”后再导入")
    if not data.startswith(ZIP_MAGIC):
        raise _fatal(path, "不是 Excel 工作簿（.xlsx）；请导入由 brief form 生成并填好的 .xlsx 文件")
    try:
        check_zip(data)  # before openpyxl: a zip bomb or a million rows is refused in seconds
    except GuardError as exc:
        raise _fatal(path, str(exc), Where.parse(exc.cell)) from None
    except Exception:  # zipfile and zlib raise many kinds for a damaged or truncated zip
        raise _fatal(path, DAMAGED) from None
    return data


class _Values:
    """Cell values, with a formula's last computed result in place of the formula."""

    def __init__(self, path: Path, wb: Workbook, data: bytes):
        self.path, self.wb, self.data = path, wb, data
        self._computed: Workbook | None = None

    def get(self, ws: Worksheet, row: int, col: int) -> tuple[Any, str]:
        value, number_format = self._get(ws, row, col)
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                raise CellError(f"单元格有 {len(value)} 个字符，超过 Excel 的上限 {MAX_CELL_CHARS}；请删减")
            value = decode_escapes(value)
        return value, number_format

    def _get(self, ws: Worksheet, row: int, col: int) -> tuple[Any, str]:
        cell = ws.cell(row, col)
        if cell.data_type != "f":
            return cell.value, cell.number_format
        if self._computed is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._computed = load_workbook(io.BytesIO(self.data), data_only=True, rich_text=False)
        value = self._computed[ws.title].cell(row, col).value
        if value is None:
            raise CellError("公式没有计算结果；请直接填写数值，或在 Excel/WPS 中重新计算后保存")
        return value, cell.number_format


def read_form(path: Path, catalog: Catalog, genre_of: Callable[[str], str] = lambda county_id: DEFAULT_GENRE
              ) -> Form:
    """Read one filled form; raise BriefError when the workbook cannot be read as this form at all.
    ``genre_of`` gives a county's genre (援疆, 东西部协作): messages name its facts in its own words."""
    path = Path(path)
    wb, data = open_workbook(path)
    meta = _meta(path, wb)
    form = Form(path, meta, list(wb.sheetnames))
    values = _Values(path, wb, data)
    _check_sheets(form, wb)
    if not form.problems:
        _check_rows(form, wb)
    if form.problems:
        raise BriefError(form.problems)
    _read_facts(form, wb[FACTS_SHEET], values, office_facts(genre_of(meta.county_id)))
    _read_indicators(form, wb, values, catalog)
    _read_highlights(form, wb[HIGHLIGHTS_SHEET], values, catalog)
    return form


def _meta(path: Path, wb: Workbook) -> Meta:
    if META_SHEET not in wb.sheetnames:
        raise _fatal(path, f"不是 brief 生成的填报表（缺少隐藏工作表 {META_SHEET}）；请用 brief form 生成表单后填写")
    ws = wb[META_SHEET]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    _check_ident(path, rows)
    meta = Meta.from_rows(rows)
    if meta is None or not meta.county_id:
        raise _fatal(path, f"隐藏工作表 {META_SHEET} 被改动，无法识别这份表单；请重新生成表单")
    if meta.version != FORM_VERSION:
        raise _fatal(path, f"表单版本 {meta.version} 与本程序（版本 {FORM_VERSION}）不符；请用 brief form 重新生成表单")
    named = name_in_file_name(path.name)
    # the name is followed by the genre (援疆, 东西部协作) in the file name
    if named is not None and (named[0] != meta.year or not named[1].startswith(safe_name(meta.county_name))):
        raise _fatal(path, f"文件名写的是“{named[0]}年{named[1]}数据填报表”，表内却是{meta.year}年{meta.county_name}"
                           f"（{meta.county_id}）的表单；请核对是否拿错了表，或把文件名改回")
    return meta


def _check_ident(path: Path, rows: list[list[Any]]) -> None:
    """The county id and year become ``counties/<id>/<year>.yaml``: refuse anything but an id and a year."""
    head: dict[str, tuple[int, Any]] = {}
    for i, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and row[0] in ("form", "county", "year"):
            head[row[0]] = (i, row[1] if len(row) > 1 else None)  # the last one wins, as in Meta.from_rows
    if "form" not in head:
        return  # not a form at all: Meta.from_rows says so
    redo = f"隐藏工作表 {META_SHEET} 被改动了；请用 brief form 重新生成表单"
    row, county = head.get("county", (3, None))
    if not valid_id(county):
        raise _fatal(path, f"县 ID“{_shown(county)}”不合规（应为小写英文 ID，如 yingjisha）；{redo}",
                     Where(META_SHEET, row, 2), "county")
    row, year = head.get("year", (5, None))
    text = str(year) if isinstance(year, int | str) and not isinstance(year, bool) else ""
    if not (re.fullmatch(r"[0-9]{4}", text) and MIN_YEAR <= int(text) <= MAX_YEAR):
        raise _fatal(path, f"年份“{_shown(year)}”不是 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份；{redo}",
                     Where(META_SHEET, row, 2), "year")


def _shown(value: object) -> str:
    """A hostile value, quoted in one short line."""
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= 40 else f"{text[:40]}…"


def _expected_sheets(meta: Meta) -> dict[str, tuple[str, int]]:
    """Sheet name -> (marker part, marker column), in form order."""
    out = {FACTS_SHEET: ("facts", F_MARK)}
    out.update({name: (key, COL_MARK) for key, name in meta.sections.items()})
    out[HIGHLIGHTS_SHEET] = ("highlights", H_MARK)
    return out


def _marker_of(ws: Worksheet) -> tuple[str, int, str] | None:
    for col in (F_MARK, COL_MARK):
        found = parse_marker(ws.cell(TITLE_ROW, col).value)
        if found:
            return found
    return None


def _check_sheets(form: Form, wb: Workbook) -> None:
    meta = form.meta
    expected = _expected_sheets(meta)
    markers = {name: _marker_of(wb[name]) for name in wb.sheetnames if name != META_SHEET}
    for name, (part, col) in expected.items():
        if name not in wb.sheetnames:
            renamed = [n for n, m in markers.items() if m and m[2] == part and n not in expected]
            if renamed:
                form.problem(Where(renamed[0], 1, 1), "-",
                             f"工作表“{name}”被改名为“{renamed[0]}”；请改回“{name}”后再导入")
            else:
                form.problem(Where(name, 1, 1), "-", f"缺少工作表“{name}”（被删除或改名了？）；请用原表单填写")
            continue
        found = parse_marker(wb[name].cell(TITLE_ROW, col).value)
        if found is None:
            form.problem(Where(name, TITLE_ROW, col), "-",
                         f"工作表“{name}”缺少表单标记，不是本表单生成的工作表；请不要在表单之间复制或替换工作表")
        elif (found[0], found[1]) != (meta.county_id, meta.year):
            form.problem(Where(name, TITLE_ROW, col), "-",
                         f"工作表“{name}”来自 {found[1]} 年 {found[0]} 的表单，而本表是 {meta.year} 年 "
                         f"{meta.county_id} 的表单；请不要在表单之间复制工作表")
        elif found[2] != part:
            form.problem(Where(name, TITLE_ROW, col), "-", f"工作表“{name}”的内容与名称不符（工作表被改名互换了？）")


def _check_rows(form: Form, wb: Workbook) -> None:
    """Every row up to ``max_row`` is read: a sheet far longer than the form wrote is refused, not walked."""
    last = {FACTS_SHEET: FIRST_ROW + len(FACTS) - 1, HIGHLIGHTS_SHEET: FIRST_ROW + HIGHLIGHT_MIN_ROWS - 1}
    for sheet, row, _ in form.meta.indicators.values():
        last[sheet] = max(last.get(sheet, FIRST_ROW), row)
    for name in _expected_sheets(form.meta):
        limit = last.get(name, FIRST_ROW) + MAX_EXTRA_ROWS
        if wb[name].max_row > limit:
            form.problem(Where(name, limit + 1, 1), "-",
                         f"工作表“{name}”有 {wb[name].max_row} 行，比表单多出 {MAX_EXTRA_ROWS} 行以上；"
                         "请删除表格下方多余的行，或用新生成的表单重新填写")


def _merged_rows(form: Form, ws: Worksheet, last_col: int, key_col: int | None) -> set[int]:
    """Report merged cells in the data area; return the rows they cover."""
    rows: set[int] = set()
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.max_row < FIRST_ROW or rng.min_col > last_col:
            continue
        key = ws.cell(rng.min_row, key_col).value if key_col else None
        form.problem(Where(ws.title, rng.min_row, rng.min_col), str(key or "-"),
                     f"单元格 {rng.coord} 被合并了；请取消合并，每个指标一行、每个单元格单独填写")
        rows.update(range(rng.min_row, rng.max_row + 1))
    return rows


def _key_at(ws: Worksheet, row: int, col: int) -> str:
    value = ws.cell(row, col).value
    return value.strip() if isinstance(value, str) else ""


def _read_facts(form: Form, ws: Worksheet, values: _Values, facts: tuple[Fact, ...]) -> None:
    merged = _merged_rows(form, ws, F_KEY, F_KEY)
    rows = {_key_at(ws, r, F_KEY): r for r in range(FIRST_ROW, ws.max_row + 1) if r not in merged}
    for i, fact in enumerate(facts):
        row = rows.get(fact.key)
        if row is None:
            if FIRST_ROW + i not in merged:
                form.problem(Where(ws.title, FIRST_ROW + i, F_VALUE), fact.key,
                             f"找不到“{fact.label}”这一行（行被删除了？）；请用原表单填写")
            continue
        where = Where(ws.title, row, F_VALUE)
        try:
            value, _ = values.get(ws, row, F_VALUE)
        except CellError as exc:
            form.problem(where, fact.key, str(exc))
            continue
        form.facts[fact.key] = (cell_text(value), where)


def _read_indicators(form: Form, wb: Workbook, values: _Values, catalog: Catalog) -> None:
    meta = form.meta
    covered: dict[str, set[int]] = {}
    for name in meta.sections.values():
        ws = wb[name]
        covered[name] = merged = _merged_rows(form, ws, COL_KEY, COL_KEY)
        for row in range(FIRST_ROW, ws.max_row + 1):
            if row in merged:
                continue
            _read_indicator_row(form, ws, row, values, catalog)
    for key, (sheet, row, label) in meta.indicators.items():
        if key in form.rows or row in covered.get(sheet, set()) or key not in catalog.indicators:
            continue
        form.problem(Where(sheet, row, COL_KEY), key,
                     f"找不到指标“{label}”这一行（行被删除或指标键被改动了？）；请恢复该行，或用新生成的表单填写")


def _read_indicator_row(form: Form, ws: Worksheet, row: int, values: _Values, catalog: Catalog) -> None:
    key = _key_at(ws, row, COL_KEY)
    where = Where(ws.title, row, COL_VALUE)
    try:
        raw, number_format = values.get(ws, row, COL_VALUE)
        text, error = figure_text(raw, number_format), None
    except CellError as exc:
        text, error = None, str(exc)
    if not key:
        if text is not None or error:
            form.problem(where, "-", "这一行没有指标键（E 列），不知道填的是哪个指标；请不要插入行或改动指标键")
        return
    meta_entry = form.meta.indicators.get(key)
    if key not in catalog.indicators:
        known = "（指标已从 indicators.yaml 删除？）" if meta_entry else "（指标键被改动了？）"
        form.problem(Where(ws.title, row, COL_KEY), key, f"未知的指标键{known}")
        return
    if key in form.rows:
        form.problem(Where(ws.title, row, COL_KEY), key,
                     f"指标键重复：{form.rows[key]} 所在行已经是这个指标；请删除重复的行")
        return
    form.rows[key] = where
    label = ws.cell(row, COL_LABEL).value
    allowed = {catalog.indicators[key].label} | ({meta_entry[2]} if meta_entry else set())
    if (label.strip() if isinstance(label, str) else label) not in allowed:
        form.problem(Where(ws.title, row, COL_LABEL), key,
                     f"这一行的指标名“{label or ''}”与指标键 {key}（{catalog.indicators[key].label}）不符；"
                     "行被移动或改动了？请恢复原样")
        return
    if not _unit_kept(form, ws, row, values, key, catalog.indicators[key].unit.strip()):
        return
    if error:
        form.problem(where, key, error)
        return
    form.values[key] = (text, where)


def _unit_kept(form: Form, ws: Worksheet, row: int, values: _Values, key: str, unit: str) -> bool:
    """The unit cell must still say what the form wrote: a changed unit would be silently ignored
    (800 under an edited 万元 imported as 800元, a 10,000× error), so it is refused, never guessed."""
    where = Where(ws.title, row, COL_UNIT)
    try:
        shown = cell_text(values.get(ws, row, COL_UNIT)[0])
    except CellError as exc:
        form.problem(where, key, str(exc))
        return False
    if shown == unit:
        return True
    scale = "" if unit == "%" else "，万、亿写在数值中，如 800万"
    if not unit:
        form.problem(where, key, f"这个指标没有单位，单位格应为空（现在是“{_shown(shown)}”）；请清空它{scale}")
    elif not shown:
        form.problem(where, key, f"单位被删除了（应为“{unit}”）；请改回“{unit}”{scale}")
    else:
        form.problem(where, key, f"单位不能修改（应为“{unit}”，现在是“{_shown(shown)}”）；请改回“{unit}”{scale}")
    return False


def _read_highlights(form: Form, ws: Worksheet, values: _Values, catalog: Catalog) -> None:
    merged = _merged_rows(form, ws, H_CAPTION, None)
    by_title = {s.title: s.key for s in catalog.sections.values()}
    titles = "、".join(by_title)
    columns = {"section": H_SECTION, "title": H_TITLE, "text": H_TEXT, "image": H_IMAGE, "caption": H_CAPTION}
    for row in range(FIRST_ROW, ws.max_row + 1):
        if row in merged:
            continue
        texts: dict[str, str] = {}
        bad = False
        for name, col in columns.items():
            try:
                value, _ = values.get(ws, row, col)
            except CellError as exc:
                form.problem(Where(ws.title, row, col), name, str(exc))
                bad = True
                continue
            texts[name] = cell_text(value)
        if bad or not any(texts.values()):
            continue
        section = texts.pop("section")
        key = by_title.get(section) or (section if section in catalog.sections else None)
        if not section:
            form.problem(Where(ws.title, row, H_SECTION), "-", f"请选择这条亮点所属的栏目：{titles}")
            continue
        if key is None:
            form.problem(Where(ws.title, row, H_SECTION), "-", f"栏目“{section}”不存在；可选：{titles}")
            continue
        form.highlights.append(HighlightRow(key, {f: texts.get(f, "") for f in H_FIELDS}, row))
