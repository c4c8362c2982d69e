"""Limits checked on a workbook's zip BEFORE openpyxl opens it: a hostile or runaway file costs seconds.

openpyxl reads a whole sheet into memory and a form's reader walks every row up to ``max_row``: a
sheet with a million rows (or a single cell at row 1,048,576) took 13 minutes and 6 GB. A form has a
few hundred rows, so the caps below are generous for any real form and refuse the rest with one line.
The sheet XML is scanned as a byte stream (no parsing), stopping at the first cap exceeded.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is well under 1 MB, even with a few pasted photos
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # all members together, as the zip's directory declares them
MAX_RATIO = 100  # uncompressed / compressed, for a member big enough to matter
RATIO_FLOOR = 1024 * 1024  # small XML parts compress well and are harmless
MAX_PART_BYTES = 20 * 1024 * 1024  # one XML part (a sheet, the styles, the shared strings), unzipped
MAX_XML_BYTES = 50 * 1024 * 1024  # all XML parts: what openpyxl parses (pictures are not parsed)
MAX_SHEETS = 100  # a form has about ten
MAX_ROWS = 10_000  # rows per sheet (also the highest row number a cell may have)
MAX_COLUMNS = 200  # column number a cell may have (the form uses six)
MAX_CELLS = 100_000  # cells in the whole workbook (a form has about a thousand), and shared strings
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
_SMALL_PART = 1024 * 1024  # workbook.xml and its rels are read whole only when this small
_CHUNK = 1024 * 1024
_USE_FORM = "请导入由 brief form 生成并填好的 .xlsx 文件"

# A tag's name may carry a namespace prefix (<x:row>); an attribute r="…" holds the row or cell reference.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")
# One formatted piece of a rich-text cell: openpyxl builds an object per piece (a million took 30 s, 700 MB).
_RUN_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?r(?=[\s/>])")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])([^>]*)")
# A merged range or a hyperlink over a range: openpyxl makes one cell object per cell it covers, so
# "A1:XFD1048576" in a 1 KB file would take forever; its cells count like written ones.
_RANGE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink)(?=[\s/>])([^>]*)")
_RANGE_REF = re.compile(rb"""\sref\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?["']""")
_ROW_REF = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["']""")
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class GuardError(ValueError):
    """The workbook breaks a limit; ``cell`` is ``sheet!A1`` when one sheet is at fault."""

    def __init__(self, message: str, cell: str | None = None):
        super().__init__(message)
        self.cell = cell


@dataclass
class _Count:
    rows: int = 0
    cells: int = 0
    max_row: int = 0
    max_col: int = 0
    runs: int = 0


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb or a sheet far larger than any form; raise GuardError (or zipfile's errors)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        _check_members(infos, sheets)
        if "xl/sharedStrings.xml" in zf.namelist():
            strings = _Count()
            _scan(zf, zf.getinfo("xl/sharedStrings.xml"), lambda text, _: _count_strings(text, strings), "")
        titles = _sheet_titles(zf)
        count = _Count()  # cells add up over the sheets; rows and columns are per sheet
        for info in sheets:
            count.rows = count.max_row = count.max_col = 0
            _scan(zf, info, lambda text, title: _count(text, count, title), titles.get(info.filename, info.filename))


def _check_members(infos: list[zipfile.ZipInfo], sheets: list[zipfile.ZipInfo]) -> None:
    """What the zip's directory declares (zipfile never inflates a member past its declared size)."""
    if not infos:
        raise GuardError(f"工作簿是空的（压缩包里没有任何内容）；{_USE_FORM}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise GuardError(f"解压后有 {total // (1024 * 1024)} MB，远超任何填报表（疑似“压缩炸弹”），"
                         f"拒绝读取；{_USE_FORM}")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise GuardError(f"部件 {i.filename} 的压缩比超过 {MAX_RATIO}:1（疑似“压缩炸弹”），拒绝读取；{_USE_FORM}")
    if len(sheets) > MAX_SHEETS:
        raise GuardError(f"工作簿有 {len(sheets)} 张工作表，远多于表单；{_USE_FORM}")
    xml = [i for i in infos if i.filename.endswith((".xml", ".rels", ".vml"))]
    for info in xml:
        if info.file_size > MAX_PART_BYTES:
            raise GuardError(f"工作簿的部件 {info.filename} 解压后有 {info.file_size // (1024 * 1024)} MB，"
                             f"远超任何填报表；{_USE_FORM}")
    xml_total = sum(i.file_size for i in xml)
    if xml_total > MAX_XML_BYTES:
        raise GuardError(f"工作簿的表格内容解压后有 {xml_total // (1024 * 1024)} MB，远超任何填报表；{_USE_FORM}")


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Member name -> sheet title, for messages; empty when the parts are missing or odd."""
    try:
        book = zf.getinfo("xl/workbook.xml")
        rels = zf.getinfo("xl/_rels/workbook.xml.rels")
        if book.file_size > _SMALL_PART or rels.file_size > _SMALL_PART:
            return {}
        targets = {}
        for rel in ET.fromstring(zf.read(rels)).iter(f"{{{_RELS_NS}}}Relationship"):
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id", "")] = name
        out = {}
        for sheet in ET.fromstring(zf.read(book)).iter():
            if sheet.tag.endswith("}sheet") and sheet.get("name"):
                member = targets.get(sheet.get(f"{{{_DOC_REL_NS}}}id", ""))
                if member:
                    out[member] = sheet.get("name", "")
        return out
    except (KeyError, ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return {}


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, count: Callable[[bytes, str], None], title: str) -> None:
    """Feed a member's bytes to ``count`` in pieces that never split a tag."""
    carry = b""
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = carry + chunk
            if not chunk:
                count(buffer, title)
                return
            # Cut after the last '>': a tag is never split between two scans (carry holds the open one).
            cut = buffer.rfind(b">") + 1
            if cut == 0 and len(buffer) < 4 * _CHUNK:
                carry = buffer
                continue
            cut = cut or len(buffer)
            count(buffer[:cut], title)
            carry = buffer[cut:]


def _count_strings(text: bytes, count: _Count) -> None:
    count.cells += len(_STRING_TAG.findall(text))
    if count.cells > MAX_CELLS:
        raise GuardError(f"工作簿有超过 {MAX_CELLS} 段不同的文字，远多于表单；{_USE_FORM}")
    _count_runs(text, count)


def _count_runs(text: bytes, count: _Count) -> None:
    count.runs += len(_RUN_TAG.findall(text))
    if count.runs > MAX_CELLS:
        raise GuardError(f"工作簿中分段设置格式的文字（富文本）超过 {MAX_CELLS} 段，远多于表单；"
                         f"请把单元格改为普通文字后再导入，或用新生成的表单重新填写")


def _count(text: bytes, count: _Count, title: str) -> None:
    for m in _ROW_TAG.finditer(text):
        count.rows += 1
        ref = _ROW_REF.search(m.group(1))
        count.max_row = max(count.max_row, int(ref.group(1)) if ref else count.rows)
        _limit(count, title)
    for m in _CELL_TAG.finditer(text):
        count.cells += 1
        ref = _CELL_REF.search(m.group(1))
        if ref:
            count.max_row = max(count.max_row, int(ref.group(2)))
            count.max_col = max(count.max_col, _column(ref.group(1)))
        _limit(count, title)
    _count_ranges(text, count, title)
    _count_runs(text, count)


def _count_ranges(text: bytes, count: _Count, title: str) -> None:
    for m in _RANGE_TAG.finditer(text):
        ref = _RANGE_REF.search(m.group(1))
        if not ref:
            continue
        col1, row1 = _column(ref.group(1)), int(ref.group(2))
        col2, row2 = (_column(ref.group(3)), int(ref.group(4))) if ref.group(3) else (col1, row1)
        count.cells += (abs(col2 - col1) + 1) * (abs(row2 - row1) + 1)
        count.max_row = max(count.max_row, row1, row2)
        count.max_col = max(count.max_col, col1, col2)
        _limit(count, title)


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


def _limit(count: _Count, title: str) -> None:
    if count.rows > MAX_ROWS or count.max_row > MAX_ROWS:
        raise GuardError(f"工作表“{title}”有超过 {MAX_ROWS} 行的内容，远多于表单的行数；"
                         "请删除表格下方多余的行，或用新生成的表单重新填写", f"{title}!A{MAX_ROWS + 1}")
    if count.max_col > MAX_COLUMNS:
        raise GuardError(f"工作表“{title}”的内容超出了第 {MAX_COLUMNS} 列，远多于表单的列数；"
                         "请删除右侧多余的列，或用新生成的表单重新填写", f"{title}!A1")
    if count.cells > MAX_CELLS:
        raise GuardError(f"工作簿有超过 {MAX_CELLS} 个单元格（到工作表“{title}”为止），远多于表单；"
                         "请删除多余的行和列，或用新生成的表单重新填写", f"{title}!A1")
