"""``brief form``: an Excel fill-in form (填报表) for one county and year, pre-filled from its YAML."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..data.catalog import Catalog, Indicator
from ..data.dataset import read_dataset
from ..data.records import DEFAULT_GENRE, CountyYear, Program
from ..data.yamlfile import load_yaml
from ..domain.quantity import QuantityError, format_number, parse_quantity
from ..errors import BriefError, Problem
from . import stale
from .cells import cell_text
from .importer import cannot_write
from .layout import (
    ACCEPTED,
    COL_KEY,
    COL_LABEL,
    COL_LAST,
    COL_MARK,
    COL_UNIT,
    COL_VALUE,
    F_KEY,
    F_LABEL,
    F_MARK,
    F_NOTE,
    F_VALUE,
    FACTS_SHEET,
    FIRST_ROW,
    GUIDE_SHEET,
    H_CAPTION,
    H_IMAGE,
    H_MARK,
    H_SECTION,
    H_TEXT,
    H_TITLE,
    HEADER_ROW,
    HIGHLIGHT_MIN_ROWS,
    HIGHLIGHT_SPARE_ROWS,
    HIGHLIGHTS_SHEET,
    META_SHEET,
    NOTE_ROW,
    STATUS_KEYS,
    STATUS_WORDS,
    TITLE_ROW,
    Fact,
    Meta,
    display_width,
    form_file_name,
    form_title,
    marker,
    office_facts,
    sheet_name,
)

FONT = "宋体"
TITLE_FONT = Font(name=FONT, size=14, bold=True)
NOTE_FONT = Font(name=FONT, size=9, color="595959")
HEADER_FONT = Font(name=FONT, size=11, bold=True)
BODY_FONT = Font(name=FONT, size=11)
LAST_FONT = Font(name=FONT, size=11, color="7F7F7F")
KEY_FONT = Font(name="Arial", size=7, color="A6A6A6")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_SIDE = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
WRAP = Alignment(wrap_text=True, vertical="top")
MIDDLE = Alignment(vertical="center")
UNLOCKED = Protection(locked=False)
_TOKENS = re.compile(r"[!-~]+|\s|.")
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
LINE_HEIGHT = 15.0  # points per text line at 11 pt, a little generous so nothing is cut off in print
# Printing (Excel, WPS, LibreOffice): a merged title cell clips its text at the merge's right edge, and a
# wrapped note shows only as many lines as its row is high. Both are sized from the PRINTED columns
# (a hidden one takes no room on paper) and from conservative font metrics: the office's 宋体 and
# LibreOffice's stand-in for it set Latin digits wider than half a 汉字.
TITLE_COLUMNS = 1.4  # column-width units per display column (汉字 = 2) of the 14 pt bold title
NOTE_COLUMNS = 1.0  # display columns of 9 pt text per column-width unit (Calc fits ~1.2, Excel ~1.15)
NOTE_LINE = 13.0  # points per line of 9 pt text


class _Source:
    """What the form is filled from: this year's file, or the latest file for a year not started yet."""

    def __init__(self, record: CountyYear, current: bool):
        self.record = record
        self.current = current
        loaded = load_yaml(record.path, [])
        self.doc: Any = loaded.value if loaded is not None and isinstance(loaded.value, dict) else {}


def make_form(data_root: Path, county_id: str, year: int, out_dir: Path) -> Path:
    """Write ``<out_dir>/<year>年<county name><genre>数据填报表.xlsx`` and return its path."""
    data_root, out_dir = Path(data_root), Path(out_dir)
    ds = read_dataset(data_root)
    catalog = ds.catalog
    _refuse(ds.problems, catalog.path)
    source = _source(ds, county_id, year)
    _refuse(ds.problems, source.record.path)
    previous = ds.counties.get((county_id, year - 1))
    county_name = str(source.doc.get("county") or "") or ds.county_name(county_id)
    program = ds.program_of(county_id)
    genre = program.genre if program is not None else DEFAULT_GENRE  # 援疆, 东西部协作: as the briefs say
    facts_rows = office_facts(genre, _examples(source.record, program))

    wb = Workbook()
    meta = Meta(county_id, year, county_name)
    taken = {GUIDE_SHEET, FACTS_SHEET, HIGHLIGHTS_SHEET, META_SHEET}
    guide = wb.active
    guide.title = GUIDE_SHEET
    _guide_sheet(guide, year, county_name, county_id, catalog, genre, facts_rows)
    facts = _facts_sheet(wb.create_sheet(FACTS_SHEET), source, year, county_name, county_id, genre, facts_rows)
    values = _raw_values(source, catalog) if source.current else {}
    _remember(meta, data_root / "counties" / county_id / f"{year}.yaml", source, catalog, facts, values)
    for section in catalog.sections.values():
        indicators = catalog.in_section(section.key)
        if not indicators:
            continue
        name = sheet_name(section.title, taken)
        meta.sections[section.key] = name
        ws = wb.create_sheet(name)
        _indicator_sheet(ws, section.title, indicators, values, previous, year, county_name, county_id, section.key,
                         genre)
        for i, ind in enumerate(indicators):
            meta.indicators[ind.key] = (name, FIRST_ROW + i, ind.label)
    _highlights_sheet(wb.create_sheet(HIGHLIGHTS_SHEET), source, catalog, year, county_name, county_id, genre)
    _meta_sheet(wb.create_sheet(META_SHEET), meta)
    wb.security = WorkbookProtection(lockStructure=True)  # no password: it only stops accidental renames
    wb.properties.title = form_title(year, county_name, genre)
    wb.properties.creator = "brief"
    wb.properties.keywords = marker(county_id, year, "workbook")
    wb.active = 0
    _all_text(wb)
    return _save(wb, out_dir, form_file_name(year, county_name, genre))


def _examples(record: CountyYear, program: Program | None) -> dict[str, str]:
    """The facts sheet's examples from the office's own data (its county file, else its program file),
    never another office's: a 东西部协作 form shows 广元市 and its 工作队, not 喀什地区 and 济宁援疆指挥部."""
    return {"prefecture": record.prefecture or (program.prefecture if program else ""),
            "partner": record.partner,
            "command": record.command or (program.name if program else "")}


def _remember(meta: Meta, target: Path, source: _Source, catalog: Catalog, facts: dict[str, str],
              values: dict[str, str]) -> None:
    """What the form is filled from, for the import to tell the user's edits from later edits to the file."""
    meta.source = stale.file_digest(target)
    for key, value in facts.items():
        if key != "year":
            text = cell_text(value)
            meta.base[stale.fact_id(key)] = stale.digest(STATUS_KEYS.get(text, text) if key == "status" else text)
    for key, ind in catalog.indicators.items():
        meta.base[stale.indicator_id(key)] = stale.digest(stale.figure(values.get(key), ind))
    sheet = stale.file_highlights(source.doc.get("highlights")) if source.current else {}
    meta.base[stale.HIGHLIGHTS] = stale.digest(stale.highlights(sheet))


def _refuse(problems: list[Problem], path: Path) -> None:
    mine = [p for p in problems if _same(p.file, path)]
    if mine:
        raise BriefError(mine)


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _source(ds: Any, county_id: str, year: int) -> _Source:
    record = ds.counties.get((county_id, year))
    if record is not None:
        return _Source(record, True)
    path = ds.root / "counties" / county_id / f"{year}.yaml"
    if path.exists():  # there, but unreadable: its problems say why
        _refuse(ds.problems, path)
    years = sorted(y for c, y in ds.counties if c == county_id)
    if not years:
        ds.county(county_id, year)  # raises the standard "unknown county" line
    earlier = [y for y in years if y < year]
    return _Source(ds.counties[(county_id, earlier[-1] if earlier else years[-1])], False)


def _raw_values(source: _Source, catalog: Catalog) -> dict[str, str]:
    """Each value as the YAML writes it, without the unit (``747.6万元`` shows as ``747.6万``)."""
    out: dict[str, str] = {}
    raw = source.doc.get("indicators") or {}
    for key, q in source.record.indicators.items():
        ind = catalog.indicators[key]
        text = str(raw.get(key, "")).strip()
        if ind.unit and ind.unit != "%" and text.endswith(ind.unit):
            text = text[: -len(ind.unit)].strip()
        try:
            same = parse_quantity(text, ind.unit, change=ind.change, units_also=ind.units_also) == q
        except QuantityError:
            same = False
        out[key] = text if same else format_number(q)
    return out


# ── sheets ──────────────────────────────────────────────────────────────────────────────────


def _heading(ws: Worksheet, title: str, note: str, last_col: int, headers: list[str]) -> None:
    end = get_column_letter(last_col)
    ws.cell(TITLE_ROW, 1, title).font = TITLE_FONT
    ws.merge_cells(f"A{TITLE_ROW}:{end}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24
    cell = ws.cell(NOTE_ROW, 1, note)
    cell.font, cell.alignment = NOTE_FONT, WRAP
    ws.merge_cells(f"A{NOTE_ROW}:{end}{NOTE_ROW}")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[HEADER_ROW].height = 20


def _title_fits(title: str, widths: list[float]) -> list[float]:
    """``widths`` (of the printed columns) with the first one widened so the title fits on one line:
    a merged cell never lets its text run on past its last column, it cuts it off."""
    short = display_width(title) * TITLE_COLUMNS + 2 - sum(widths)
    return [widths[0] + max(0.0, short), *widths[1:]] if widths else widths


def _note_height(ws: Worksheet, note: str, widths: list[float]) -> None:
    """The note row as high as the note's wrapped lines across the printed columns ``widths``."""
    lines = _lines(note, sum(widths) * NOTE_COLUMNS)
    ws.row_dimensions[NOTE_ROW].height = max(1, lines) * NOTE_LINE + 4


def _page(ws: Worksheet, last_col: int, last_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, HEADER_ROW)}"
    ws.freeze_panes = f"A{FIRST_ROW}"


def _protect(ws: Worksheet, rows_free: bool = False) -> None:
    p = ws.protection
    p.sheet = True  # no password: protection guards against slips, not against the office itself
    p.formatColumns = False  # widths and heights may still be adjusted
    p.formatRows = False
    if rows_free:
        p.insertRows = False
        p.deleteRows = False


def _hide_marker(ws: Worksheet, col: int, text: str) -> None:
    cell = ws.cell(TITLE_ROW, col, text)
    cell.font = KEY_FONT
    ws.column_dimensions[get_column_letter(col)].hidden = True


def _width(ws: Worksheet, col: int, width: float) -> None:
    ws.column_dimensions[get_column_letter(col)].width = width


def _fit(texts: list[str], low: int, high: int) -> int:
    return max(low, min(high, max((display_width(t) for t in texts), default=0) + 3))


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped cell needs: Chinese breaks anywhere, a Latin word (``ind.key``) does not."""
    usable = max(4.0, width - 2)
    total = 0
    for para in (text or "").split("\n"):
        lines, used = 1, 0.0
        for token in _TOKENS.findall(para):
            w = display_width(token)
            if used + w > usable and used > 0:
                lines += 1 + int(w // usable)
                used = 0.0 if token.isspace() else w % usable
            else:
                used += w
        total += lines
    return total


def _prompt(ind: Indicator) -> tuple[str, str]:
    if ind.unit == "%":
        example = "61.36%；下降写 -6.03%，持平写 0%" if ind.change else "61.36%"
        return "填写百分数", f"例如 {example}。不填表示没有这项数据。"
    unit = f"单位“{ind.unit}”已列出，不必再写。" if ind.unit else ""
    return "填写数量", f"例如 {ACCEPTED}。{unit}不填表示没有这项数据。"


def _example_key(catalog: Catalog) -> str:
    """A key to show in the citation example: one of this office's own (another office's key would be refused)."""
    return next(iter(catalog.indicators), "指标键")


def _guide_sheet(ws: Worksheet, year: int, county_name: str, county_id: str, catalog: Catalog,
                 genre: str, facts: tuple[Fact, ...]) -> None:
    sections = "、".join(s.title for s in catalog.sections.values())
    lines = [
        f"本表用于填报{year}年{county_name}{genre}工作数据，填好后交回，由 brief import 导入数据文件。",
        f"“{FACTS_SHEET}”填县名、{_partner(facts)}等基本情况；{sections}各一张表，每行一个指标；"
        f"“{HIGHLIGHTS_SHEET}”每行一条工作亮点。",
        "只需填写黄色单元格，其余部分已锁定（工作表保护未设密码）。",
        f"数量的写法：{ACCEPTED}；百分数写 61.36%，同比下降写 -6.03%。",
        "单位已在“单位”列列出，不必再写；写了也可以（如 2.12万人次），但必须与该单位一致。",
        "单元格留空表示没有这项数据；要删去某项数据，清空该单元格即可。“上年数值”仅供参考，不会导入。",
        "请不要改工作表名称，不要插入、删除、合并或移动指标行；“指标键”列用于导入时识别指标。",
        f"工作亮点的正文可用 {{{{ ind.指标键 }}}} 引用本年数值，例如 {{{{ ind.{_example_key(catalog)} }}}}；"
        f"图片写 photos/文件名，例如 photos/flower_field.jpg，并把图片文件一并交回"
        f"（放进数据目录的 counties/{county_id}/photos/）。",
        "保存为 .xlsx（Excel 工作簿）；不要另存为 .xls，也不要设置打开密码。",
    ]
    title = f"{form_title(year, county_name, genre)} · 填写说明"
    ws.cell(TITLE_ROW, 1, title).font = TITLE_FONT
    ws.row_dimensions[TITLE_ROW].height = 24
    # LibreOffice does not shrink one very wide column to the page: keep it within A4 unless the title needs more
    width = _title_fits(title, [70])[0]
    _width(ws, 1, width)
    for i, text in enumerate(lines, start=HEADER_ROW):
        cell = ws.cell(i, 1, f"{i - HEADER_ROW + 1}. {text}")
        cell.font, cell.alignment = BODY_FONT, WRAP
        ws.row_dimensions[i].height = _lines(cell.value, width) * LINE_HEIGHT + 3
    _hide_marker(ws, 2, marker(county_id, year, "guide"))
    _protect(ws)
    _page(ws, 1, HEADER_ROW + len(lines) - 1)
    ws.freeze_panes = None


def _partner(facts: tuple[Fact, ...]) -> str:
    return next(f.label for f in facts if f.key == "partner")


def _facts_sheet(ws: Worksheet, source: _Source, year: int, county_name: str, county_id: str,
                 genre: str, facts: tuple[Fact, ...]) -> dict[str, str]:
    """Write the facts sheet, in the office's words (``facts``); return the value written for each fact."""
    note = f"黄色单元格可以修改；县名与{_partner(facts)}必填。年份由表单确定，要填其他年份请另行生成表单。"
    _heading(ws, f"{form_title(year, county_name, genre)} · {FACTS_SHEET}", note, F_NOTE,
             ["项目", "填写内容", "说明", "键"])
    doc = source.doc
    widths = _title_fits(f"{form_title(year, county_name, genre)} · {FACTS_SHEET}",
                         [_fit([f.label for f in facts], 12, 16), 50, 26])
    for col, w in enumerate(widths, start=1):
        _width(ws, col, w)
    _width(ws, F_KEY, 9)
    _note_height(ws, note, widths)
    status_dv = DataValidation(type="list", formula1=f'"{",".join(STATUS_WORDS.values())}"', allow_blank=False,
                               showInputMessage=True, showErrorMessage=True, promptTitle="稿件状态",
                               prompt="定稿：正式简报；征求意见稿：简报带“征求意见稿”水印。",
                               errorTitle="稿件状态", error="请从列表中选择：定稿 或 征求意见稿")
    text_dv = DataValidation(showInputMessage=True, promptTitle="填写文字", prompt="一段文字；可换行（Alt+Enter）。")
    ws.add_data_validation(status_dv)
    ws.add_data_validation(text_dv)
    written: dict[str, str] = {}
    for i, fact in enumerate(facts):
        row = FIRST_ROW + i
        if fact.key == "year":
            value = str(year)
        elif fact.key == "status":
            # A year not yet started is a draft until the office says otherwise: never publish a blank.
            status = str(doc.get("status") or "final") if source.current else "draft"
            value = STATUS_WORDS.get(status, status)
        elif not source.current and fact.key in ("headline", "summary"):
            value = ""  # a new year gets its own title and lead
        else:
            value = str(doc.get(fact.key) or "")
        written[fact.key] = value
        label = ws.cell(row, F_LABEL, fact.label)
        label.font, label.border, label.alignment = HEADER_FONT if fact.required else BODY_FONT, BORDER, MIDDLE
        cell = ws.cell(row, F_VALUE, value or None)
        cell.font, cell.border, cell.number_format = BODY_FONT, BORDER, "@"
        cell.alignment = WRAP if fact.long else Alignment(vertical="center", wrap_text=True)
        if fact.key != "year":
            cell.fill, cell.protection = INPUT_FILL, UNLOCKED
            (status_dv if fact.key == "status" else text_dv).add(cell)
        note_cell = ws.cell(row, F_NOTE, fact.note)
        note_cell.font, note_cell.border, note_cell.alignment = NOTE_FONT, BORDER, Alignment(
            vertical="center", wrap_text=True)
        key = ws.cell(row, F_KEY, fact.key)
        key.font, key.alignment = KEY_FONT, MIDDLE
        lines = _lines(value, widths[1]) if value else 1
        ws.row_dimensions[row].height = max(lines * LINE_HEIGHT + 4, 80 if fact.long else 20)
    _hide_marker(ws, F_MARK, marker(county_id, year, "facts"))
    _protect(ws)
    _page(ws, F_NOTE, FIRST_ROW + len(facts) - 1)
    return written


def _indicator_sheet(ws: Worksheet, title: str, indicators: list[Indicator], values: dict[str, str],
                     previous: CountyYear | None, year: int, county_name: str, county_id: str, part: str,
                     genre: str) -> None:
    note = (f"只填“{year}年数值”一列（黄色单元格）。写法：{ACCEPTED}；百分数写 61.36%。"
            "单位已列出，不必再写；留空表示没有这项数据。")
    last_header = f"{year - 1}年数值（参考）" if previous else "上年数值"
    heading = f"{form_title(year, county_name, genre)} · {title}"
    _heading(ws, heading, note, COL_LAST, ["指标", "单位", f"{year}年数值", last_header, "指标键"])
    widths = [_fit([i.label for i in indicators], 14, 40), _fit([i.unit for i in indicators] + ["单位"], 7, 12), 16]
    widths = _title_fits(heading, widths + [18] if previous else widths)  # no last year: that column is hidden
    for col, w in enumerate(widths, start=1):
        _width(ws, col, w)
    if not previous:
        _width(ws, COL_LAST, 12)
    _width(ws, COL_KEY, max(10, min(30, max(len(i.key) for i in indicators) * 0.75)))
    _note_height(ws, note, widths)
    prompts: dict[tuple[str, str], DataValidation] = {}
    for i, ind in enumerate(indicators):
        row = FIRST_ROW + i
        label = ws.cell(row, COL_LABEL, ind.label)
        label.font, label.border, label.alignment = BODY_FONT, BORDER, Alignment(vertical="center", wrap_text=True)
        unit = ws.cell(row, COL_UNIT, ind.unit or None)
        unit.font, unit.border, unit.alignment = BODY_FONT, BORDER, Alignment(horizontal="center", vertical="center")
        value = ws.cell(row, COL_VALUE, values.get(ind.key))
        value.font, value.border, value.fill, value.protection = BODY_FONT, BORDER, INPUT_FILL, UNLOCKED
        value.number_format = "@"  # typed figures stay text: 1600余 and 2.12 alike, no float
        value.alignment = Alignment(horizontal="right", vertical="center")
        last_text = format_number(previous.indicators[ind.key]) if previous and ind.key in previous.indicators else None
        last = ws.cell(row, COL_LAST, last_text)
        last.font, last.border, last.number_format = LAST_FONT, BORDER, "@"
        last.alignment = Alignment(horizontal="right", vertical="center")
        key = ws.cell(row, COL_KEY, ind.key)
        key.font, key.alignment = KEY_FONT, MIDDLE
        ws.row_dimensions[row].height = max(20, _lines(ind.label, widths[0]) * LINE_HEIGHT + 4)
        prompt = _prompt(ind)
        if prompt not in prompts:
            prompts[prompt] = DataValidation(showInputMessage=True, allow_blank=True, promptTitle=prompt[0],
                                             prompt=prompt[1])
            ws.add_data_validation(prompts[prompt])
        prompts[prompt].add(value)
    if not previous:
        ws.column_dimensions[get_column_letter(COL_LAST)].hidden = True
    _hide_marker(ws, COL_MARK, marker(county_id, year, part))
    _protect(ws)
    _page(ws, COL_LAST, FIRST_ROW + len(indicators) - 1)


def _highlights_sheet(ws: Worksheet, source: _Source, catalog: Catalog, year: int, county_name: str,
                      county_id: str, genre: str) -> None:
    titles = [s.title for s in catalog.sections.values()]
    note = ("每行一条工作亮点：栏目从下拉列表选择，标题和正文必填；正文可用 {{ ind.指标键 }} 引用本年数值。"
            f"图片写 photos/文件名（可不填），图片文件一并交回（放进 counties/{county_id}/photos/）。"
            "不要的亮点清空整行即可。")
    heading = f"{form_title(year, county_name, genre)} · {HIGHLIGHTS_SHEET}"
    _heading(ws, heading, note, H_CAPTION, ["栏目", "标题", "正文", "图片", "图片说明"])
    items = _highlight_rows(source, catalog) if source.current else []
    widths = _title_fits(heading, [_fit(titles, 10, 14), 18, 50, 14, 14])
    for col, w in enumerate(widths, start=1):
        _width(ws, col, w)
    _note_height(ws, note, widths)
    section_dv = DataValidation(type="list", formula1=f'"{",".join(titles)}"', allow_blank=True,
                                showInputMessage=True, showErrorMessage=True, promptTitle="栏目",
                                prompt="从列表中选择这条亮点所属的栏目。", errorTitle="栏目",
                                error=f"请从列表中选择：{'、'.join(titles)}")
    example = _example_key(catalog)
    text_dv = DataValidation(showInputMessage=True, promptTitle="正文",
                             prompt=f"可用 {{{{ ind.指标键 }}}} 引用本年数值，如 {{{{ ind.{example} }}}}；"
                                    "可换行（Alt+Enter）。")
    ws.add_data_validation(section_dv)
    ws.add_data_validation(text_dv)
    total = max(HIGHLIGHT_MIN_ROWS, len(items) + HIGHLIGHT_SPARE_ROWS)
    for n in range(total):
        row = FIRST_ROW + n
        item = items[n] if n < len(items) else {}
        height = 1
        for col, field in ((H_SECTION, "section"), (H_TITLE, "title"), (H_TEXT, "text"), (H_IMAGE, "image"),
                           (H_CAPTION, "caption")):
            text = item.get(field) or None
            cell = ws.cell(row, col, text)
            cell.font, cell.border, cell.fill, cell.protection = BODY_FONT, BORDER, INPUT_FILL, UNLOCKED
            cell.number_format, cell.alignment = "@", WRAP
            height = max(height, _lines(text or "", widths[col - 1]))
        section_dv.add(ws.cell(row, H_SECTION))
        text_dv.add(ws.cell(row, H_TEXT))
        extra = 1 if height > 2 else 0  # Calc and Excel wrap {{ ind.key }} a little differently: keep a spare line
        ws.row_dimensions[row].height = max(20, (height + extra) * LINE_HEIGHT + 4)
    _hide_marker(ws, H_MARK, marker(county_id, year, "highlights"))
    _protect(ws, rows_free=True)
    _page(ws, H_CAPTION, FIRST_ROW + total - 1)


def _highlight_rows(source: _Source, catalog: Catalog) -> list[dict[str, str]]:
    out = []
    raw = source.doc.get("highlights") or {}
    for section, items in raw.items():
        title = catalog.sections[section].title if section in catalog.sections else str(section)
        for item in items or []:
            out.append({"section": title, **{k: str(item.get(k) or "") for k in ("title", "text", "image", "caption")}})
    return out


def _meta_sheet(ws: Worksheet, meta: Meta) -> None:
    for row in meta.rows():
        ws.append(row)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _all_text(wb: Workbook) -> None:
    """Every string in the form is stored as text, never as a formula or an error value.

    openpyxl turns a string starting with ``=`` into a live formula (``=HYPERLINK(…)``, DDE
    ``=cmd|…``) and ``#N/A`` into an error; data text must reach Excel as the text it is. A literal
    ``_x000B_`` in the data is escaped the OOXML way (``_x005F_x000B_``) so Excel shows it as written.
    """
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):  # the cells written; iter_rows would create the empty ones
            if isinstance(cell.value, str):
                cell.value = _LITERAL_ESCAPE.sub(r"_x005F_\1", cell.value)
                cell.data_type = "s"


def _save(wb: Workbook, out_dir: Path, name: str) -> Path:
    final = out_dir / name
    tmp = out_dir / f".{name}.{os.getpid()}.tmp"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in out_dir.glob(f".{name}.*.tmp"):  # left by a run that was killed
            stale.unlink(missing_ok=True)
        wb.save(tmp)
        os.replace(tmp, final)
    except OSError as exc:
        raise BriefError(Problem(str(final), None, "--out", cannot_write(out_dir, exc))) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # never written: nothing to remove
            pass
    return final
