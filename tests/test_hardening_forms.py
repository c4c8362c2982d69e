"""Hostile and damaged 填报表 (issue 12): ids and years from the hidden sheet, formula injection, edited
units, Excel's _xHHHH_ escapes, runaway sizes, read-only data dirs and files that are not workbooks.

Every test works on a copy of data/ in tmp_path and asserts the exact line a user sees.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from brief.cli import main
from brief.data.dataset import read_dataset
from brief.data.ids import valid_id
from brief.domain.quantity import Quantity
from brief.errors import BriefError
from brief.forms import import_forms, make_form

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BOOK = "2023年英吉沙县援疆数据填报表.xlsx"
REDO = "隐藏工作表 _brief 被改动了；请用 brief form 重新生成表单"


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def problems_of(paths: list[Path], data: Path) -> list[str]:
    before = snapshot(data)
    with pytest.raises(BriefError) as exc:
        import_forms(paths, data)
    assert snapshot(data) == before, "nothing may be written when a problem is found"
    return [str(p) for p in exc.value.problems]


def row_of(path: Path, key: str) -> tuple[str, int]:
    """(sheet, row) of an indicator, found through the key column."""
    wb = load_workbook(path)
    for ws in wb.worksheets[2:-2]:
        for row in range(4, ws.max_row + 1):
            if ws.cell(row, 5).value == key:
                return ws.title, row
    raise KeyError(key)


def fill(path: Path, cells: dict[str, object]) -> None:
    """Set cells given as 'sheet!A1' and save, as a user typing into them would."""
    wb = load_workbook(path)
    for target, value in cells.items():
        sheet, coord = target.split("!")
        wb[sheet][coord].value = value
    wb.save(path)


def rezip(path: Path, edits: dict[str, Callable[[bytes], bytes]], extra: dict[str, bytes] | None = None) -> None:
    """Rewrite members of a workbook's zip (the XML as Excel would have saved it); add ``extra`` ones."""
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    for name, edit in edits.items():
        members[name] = edit(members[name])
    members.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)


def sheet_member(path: Path, title: str) -> str:
    """openpyxl stores the n-th sheet as xl/worksheets/sheet<n>.xml."""
    return f"xl/worksheets/sheet{load_workbook(path).sheetnames.index(title) + 1}.xml"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# ── 1. the county id and year from the hidden sheet ─────────────────────────────────────────


def test_id_grammar() -> None:
    assert all(map(valid_id, ["yingjisha", "shule", "new_county-2", "a"]))
    for bad in ["", "..", ".", "a/b", "/tmp/x", "../../../../x", "Yingjisha", "1abc", "a b", "a\n", "a" * 65,
                "英吉沙", "a\\b", None, 3]:
        assert not valid_id(bad), bad


@pytest.mark.parametrize("county", ["../../../../x", "/tmp/x", "a/b", "..", None, "yingjisha/../../x", "YINGJISHA"])
@pytest.mark.slow
def test_import_refuses_county_id_outside_data(form: Path, data: Path, tmp_path: Path, county: str | None) -> None:
    fill(form, {"_brief!B3": county, "工作亮点!B4": "改过的标题"})  # a change: the import would write
    outside = snapshot(tmp_path)
    shown = county or ""
    assert problems_of([form], data) == [
        f"{BOOK}:_brief!B3: county: 县 ID“{shown}”不合规（应为小写英文 ID，如 yingjisha）；{REDO}"]
    assert snapshot(tmp_path) == outside and not Path("/tmp/x").exists()


@pytest.mark.parametrize("year", ["../1", "20231", "0999", "２０２３", "2023.yaml", None, "3023"])
@pytest.mark.slow
def test_import_refuses_a_year_that_is_not_a_year(form: Path, data: Path, year: str | None) -> None:
    fill(form, {"_brief!B5": year})
    assert problems_of([form], data) == [
        f"{BOOK}:_brief!B5: year: 年份“{year or ''}”不是 1900–2100 之间的四位年份；{REDO}"]


@pytest.mark.slow
def test_non_ascii_digits_in_hidden_numbers_are_one_line(form: Path, data: Path) -> None:
    fill(form, {"智力援疆!F1": "brief-form|1|yingjisha|²⁰²³|talent"})
    assert problems_of([form], data) == [
        f"{BOOK}:智力援疆!F1: -: 工作表“智力援疆”缺少表单标记，不是本表单生成的工作表；"
        "请不要在表单之间复制或替换工作表"]
    fill(form, {"_brief!B2": "¹"})
    assert problems_of([form], data) == [f"{BOOK}: -: 表单版本 -1 与本程序（版本 1）不符；请用 brief form 重新生成表单"]


def test_import_refuses_county_id_in_cli_with_one_line(form: Path, data: Path, tmp_path: Path) -> None:
    fill(form, {"_brief!B3": "../../../../x"})
    code, out, err = cli("import", str(form), "--data", str(data))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{BOOK}:_brief!B3: county: 县 ID“../../../../x”不合规（应为小写英文 ID，如 yingjisha）；{REDO}"]


@pytest.mark.slow
def test_import_refuses_a_county_folder_linked_outside_data(form: Path, data: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(data / "counties/yingjisha", elsewhere)
    (data / "counties/yingjisha").symlink_to(elsewhere, target_is_directory=True)
    fill(form, {"工作亮点!B4": "改过的标题"})
    before = snapshot(elsewhere)
    target = data / "counties/yingjisha/2023.yaml"
    assert problems_of([form], data) == [
        f"{BOOK}: yingjisha: {target} 不在数据目录 {data / 'counties'} 之内（是指向别处的链接？）；不能导入"]
    assert snapshot(elsewhere) == before


def test_form_file_name_keeps_a_hostile_county_name_in_its_folder(data: Path, tmp_path: Path) -> None:
    """validate refuses "/" and "." in a county name; the form's file name is safe even without that."""
    from brief.forms import form_file_name

    assert form_file_name(2023, "../../英吉沙县") == "2023年_.._英吉沙县援疆数据填报表.xlsx"
    path = data / "counties/yingjisha/2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("county: 英吉沙县", "county: ../../英吉沙县", 1),
                    encoding="utf-8")
    with pytest.raises(BriefError, match="county: 名称中不能有字符“.”"):
        make_form(data, "yingjisha", 2023, tmp_path / "forms")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.slow
def test_new_file_header_from_the_hidden_sheet_is_one_comment_line(data: Path, tmp_path: Path) -> None:
    form = make_form(data, "yingjisha", 2024, tmp_path)
    sheet, row = row_of(form, "cadres_dispatched")
    fill(form, {"_brief!B4": "英吉沙县\r\nstatus: draft\x85partner: x", f"{sheet}!C{row}": "510"})
    renamed = form.rename(tmp_path / "new.xlsx")
    target = data / "counties/yingjisha/2024.yaml"
    assert import_forms([renamed], data) == [target]
    first, second = target.read_bytes().split(b"\n")[:2]
    assert first == "# 英吉沙县 status: draft partner: x 2024年援疆工作数据（由填报表 new.xlsx 导入）".encode()
    assert not second.startswith(b"#")
    assert read_dataset(data).counties[("yingjisha", 2024)].partner == "济宁市"


# ── 2. formula injection ────────────────────────────────────────────────────────────────────

HOSTILE = {  # fields that are free text (names such as command refuse "@" and "#" already)
    "headline": '=HYPERLINK("http://x","y")',
    "source": "+1",
    "batch": "-1",
    "caption": "@SUM(1)",
}
CAPTION_2 = "#N/A"
DDE = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(data: Path) -> Path:
    """英吉沙县 2023 with facts and a highlight title that Excel would run as formulas."""
    path = data / "counties/yingjisha/2023.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in HOSTILE.items():
        text, n = re.subn(rf"(?m)^(\s*){key}: .*$", rf"\g<1>{key}: '{value.replace(chr(39), chr(39) * 2)}'", text,
                          count=1)
        assert n == 1, key
    text = text.replace("caption: 国学书院（示意图，非实拍照片）", f"caption: '{CAPTION_2}'", 1)
    text = text.replace("- title: 党组织建到援疆一线", f"- title: \"{DDE}\"", 1)
    path.write_text(text, encoding="utf-8")
    assert not read_dataset(data).problems
    return data


@pytest.mark.slow
def test_form_writes_formula_like_text_as_text(hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    path = make_form(hostile, "yingjisha", 2023, tmp_path / "forms")
    wb = load_workbook(path)  # not data_only: a formula would show as data_type 'f'
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
                texts.add(cell.value)
    assert {*HOSTILE.values(), DDE, CAPTION_2} <= texts
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[\s>/]", zf.read(name)), name
    # Imported back unchanged: nothing changes, and the text is still the text.
    before = snapshot(hostile)
    assert import_forms([path], hostile) == []
    monkeypatch.chdir(tmp_path)
    assert cli("import", str(path), "--data", str(hostile)) == (0, "数据没有变化\n", "")
    assert snapshot(hostile) == before
    record = read_dataset(hostile).counties[("yingjisha", 2023)]
    assert (record.headline, record.source, record.batch) == tuple(HOSTILE[k] for k in ("headline", "source", "batch"))
    assert record.highlights[0].title == DDE
    assert [h.caption for h in record.highlights if h.caption] == [HOSTILE["caption"], CAPTION_2]


# ── 3. the unit cells ───────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_edited_unit_is_refused_not_ignored(form: Path, data: Path) -> None:
    sheet, row = row_of(form, "student_aid_funds")
    fill(form, {f"{sheet}!B{row}": "万元", f"{sheet}!C{row}": "800"})
    assert problems_of([form], data) == [
        f"{BOOK}:{sheet}!B{row}: student_aid_funds: 单位不能修改（应为“元”，现在是“万元”）；"
        "请改回“元”，万、亿写在数值中，如 800万"]


def test_deleted_unit_cell_is_refused(form: Path, data: Path) -> None:
    sheet, row = row_of(form, "student_aid_funds")
    fill(form, {f"{sheet}!B{row}": None, f"{sheet}!C{row}": "800"})
    assert problems_of([form], data) == [
        f"{BOOK}:{sheet}!B{row}: student_aid_funds: 单位被删除了（应为“元”）；请改回“元”，万、亿写在数值中，如 800万"]


@pytest.mark.slow
def test_unit_with_spaces_inside_is_refused_around_it_is_kept(form: Path, data: Path) -> None:
    sheet, row = row_of(form, "student_aid_funds")
    fill(form, {f"{sheet}!B{row}": "万 元"})
    assert problems_of([form], data) == [
        f"{BOOK}:{sheet}!B{row}: student_aid_funds: 单位不能修改（应为“元”，现在是“万 元”）；"
        "请改回“元”，万、亿写在数值中，如 800万"]
    fill(form, {f"{sheet}!B{row}": "\u3000元 ", f"{sheet}!C{row}": "800万元"})  # spaces at the ends: the same unit
    assert import_forms([form], data) == [data / "counties/yingjisha/2023.yaml"]
    assert read_dataset(data).counties[("yingjisha", 2023)].indicators["student_aid_funds"] == Quantity(
        Decimal(8000000))


def test_edited_percent_unit_is_refused(form: Path, data: Path) -> None:
    sheet, row = row_of(form, "surgery_34_change")
    fill(form, {f"{sheet}!B{row}": "‰"})
    assert problems_of([form], data) == [
        f"{BOOK}:{sheet}!B{row}: surgery_34_change: 单位不能修改（应为“%”，现在是“‰”）；请改回“%”"]


# ── 4. Excel's _xHHHH_ escapes ──────────────────────────────────────────────────────────────

SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def as_shared_string(path: Path, sheet: str, ref: str, text: str) -> None:
    """Store one cell's text in xl/sharedStrings.xml, escaped the way Excel writes it."""
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
           f'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t xml:space="preserve">{text}</t></si></sst>')
    cell = re.compile(rb'<c r="%s"([^>]*?)(?: t="inlineStr")?>.*?</c>' % ref.encode(), re.S)

    def one_cell(xml: bytes) -> bytes:
        new, n = cell.subn(rb'<c r="%s"\1 t="s"><v>0</v></c>' % ref.encode(), xml, count=1)
        assert n == 1
        return new

    rezip(path, {
        sheet_member(path, sheet): one_cell,
        "[Content_Types].xml": lambda x: x.replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>' % SST_TYPE),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Type="%s" Target="sharedStrings.xml"/></Relationships>' % SST_REL),
    }, {"xl/sharedStrings.xml": sst.encode()})


@pytest.mark.slow
def test_excel_escaped_control_character_is_refused_at_its_cell(form: Path, data: Path) -> None:
    as_shared_string(form, "工作亮点", "B4", "党组织_x000B_建到援疆一线")
    assert load_workbook(form)["工作亮点"]["B4"].value == "党组织_x000B_建到援疆一线"  # openpyxl leaves it
    assert problems_of([form], data) == [
        f"{BOOK}:工作亮点!B4: title: 单元格含有不可见的控制字符 U+000B（Excel 中写作 _x000B_），简报无法保存这种字符；"
        "请删去它（常见于从网页或其他软件复制的文字）后重新保存"]


@pytest.mark.slow
def test_excel_escaped_line_break_is_decoded(form: Path, data: Path) -> None:
    as_shared_string(form, "工作亮点", "C4", "第一段。_x000D_\n第二段，引用{{ ind.party_groups }}。")
    assert import_forms([form], data) == [data / "counties/yingjisha/2023.yaml"]
    record = read_dataset(data).counties[("yingjisha", 2023)]
    assert record.highlights[0].text == "第一段。\n第二段，引用{{ ind.party_groups }}。"


def test_excel_escaped_control_character_in_a_figure_is_refused(form: Path, data: Path) -> None:
    sheet, row = row_of(form, "cadres_dispatched")
    as_shared_string(form, sheet, f"C{row}", "490_x0001_")
    [line] = problems_of([form], data)
    assert line.startswith(f"{BOOK}:{sheet}!C{row}: cadres_dispatched: 单元格含有不可见的控制字符 U+0001")


# ── 5. runaway sizes: refused in seconds, before openpyxl reads them ────────────────────────


def test_form_of_200000_rows_is_refused_in_seconds(form: Path, data: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r)
                    for r in range(100, 200_100))
    rezip(form, {sheet_member(form, "工作亮点"): lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")})
    start = time.monotonic()
    assert problems_of([form], data) == [
        f"{BOOK}:工作亮点!A10001: -: 工作表“工作亮点”有超过 10000 行的内容，远多于表单的行数；"
        "请删除表格下方多余的行，或用新生成的表单重新填写"]
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_one_cell_at_the_last_excel_row_is_refused(form: Path, data: Path) -> None:
    fill(form, {"基本情况!B1048576": "x"})
    assert problems_of([form], data) == [
        f"{BOOK}:基本情况!A10001: -: 工作表“基本情况”有超过 10000 行的内容，远多于表单的行数；"
        "请删除表格下方多余的行，或用新生成的表单重新填写"]


def test_cell_far_to_the_right_is_refused(form: Path, data: Path) -> None:
    fill(form, {"基本情况!XFD5": "x"})
    assert problems_of([form], data) == [
        f"{BOOK}:基本情况!A1: -: 工作表“基本情况”的内容超出了第 200 列，远多于表单的列数；"
        "请删除右侧多余的列，或用新生成的表单重新填写"]


def test_rows_far_beyond_the_form_are_refused(form: Path, data: Path) -> None:
    fill(form, {"工作亮点!B3000": "x"})
    assert problems_of([form], data) == [
        f"{BOOK}:工作亮点!A1028: -: 工作表“工作亮点”有 3000 行，比表单多出 1000 行以上；"
        "请删除表格下方多余的行，或用新生成的表单重新填写"]


@pytest.mark.slow
def test_cells_add_up_over_the_sheets(form: Path, data: Path) -> None:
    """Six sheets of 20,000 cells each: every sheet is under its row cap, the workbook is over its cell cap."""
    def padded(xml: bytes) -> bytes:
        rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in
                                                          (b"H", b"I", b"J", b"K")) + b"</row>" for r in range(5000))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    names = load_workbook(form).sheetnames
    rezip(form, {sheet_member(form, name): padded for name in names[1:7]})
    [line] = problems_of([form], data)
    # the form's own cells and five padded sheets pass 100,000 in the fifth one
    assert line == (f"{BOOK}:{names[5]}!A1: -: 工作簿有超过 100000 个单元格（到工作表“{names[5]}”为止），远多于表单；"
                    "请删除多余的行和列，或用新生成的表单重新填写")


def test_too_many_shared_strings_are_refused(form: Path, data: Path) -> None:
    more = "".join(f"<si><t>{n}</t></si>" for n in range(100_000))  # distinct: no zip-bomb ratio
    as_shared_string(form, "工作亮点", "B4", f"x</t></si>{more}<si><t>z")
    assert problems_of([form], data) == [
        f"{BOOK}: -: 工作簿有超过 100000 段不同的文字，远多于表单；请导入由 brief form 生成并填好的 .xlsx 文件"]


@pytest.mark.slow
def test_zip_bomb_is_refused_in_seconds(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
        zeros = bytes(1 << 20)
        for _ in range(500):
            member.write(zeros)
    try:
        assert bomb.stat().st_size < 1 << 20
        start = time.monotonic()
        assert problems_of([bomb], data) == [
            "bomb.xlsx: -: 解压后有 500 MB，远超任何填报表（疑似“压缩炸弹”），拒绝读取；"
            "请导入由 brief form 生成并填好的 .xlsx 文件"]
        assert time.monotonic() - start < 5
    finally:
        bomb.unlink()


def test_highly_compressed_member_is_refused(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(tmp_path / "dense.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", bytes(50 << 20))
    assert problems_of([tmp_path / "dense.xlsx"], data) == [
        "dense.xlsx: -: 部件 xl/sharedStrings.xml 的压缩比超过 100:1（疑似“压缩炸弹”），拒绝读取；"
        "请导入由 brief form 生成并填好的 .xlsx 文件"]


def test_large_xml_part_is_refused_before_parsing(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(tmp_path / "styled.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/styles.xml", os.urandom(21 << 19).hex())  # 21 MB that does not compress 100:1
    assert problems_of([tmp_path / "styled.xlsx"], data) == [
        "styled.xlsx: -: 工作簿的部件 xl/styles.xml 解压后有 21 MB，远超任何填报表；"
        "请导入由 brief form 生成并填好的 .xlsx 文件"]


def test_file_over_20_mb_is_refused_unread(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    big = tmp_path / "big.xlsx"
    with big.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(21 * 1024 * 1024)  # sparse: no time spent writing it
    assert problems_of([big], data) == [
        "big.xlsx: -: 文件过大（21.0 MB，上限 20 MB）；"
        "填报表通常不到 1 MB：请删去粘贴进表中的图片或多余的工作表后再导入"]


@pytest.mark.slow
def test_overlong_cell_text_is_refused(form: Path, data: Path) -> None:
    # openpyxl cuts a text it is given at 32767 characters, but not one it reads: write the XML directly.
    cell = re.compile(rb'(<c r="C4"[^>]*><is><t[^>]*>)[^<]*(</t>)')
    long_text = ("字" * 40_000).encode()
    rezip(form, {sheet_member(form, "工作亮点"): lambda x: cell.sub(lambda m: m[1] + long_text + m[2], x, count=1)})
    assert len(load_workbook(form)["工作亮点"]["C4"].value) == 40_000
    assert problems_of([form], data) == [
        f"{BOOK}:工作亮点!C4: text: 单元格有 40000 个字符，超过 Excel 的上限 32767；请删减"]


# ── 6. an import that changes nothing writes nothing ────────────────────────────────────────


@pytest.fixture
def read_only(data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data dir as a read-only one behaves (tests run as root, where chmod would not stop a write)."""
    real_open, real_replace = io.open, os.replace
    root = data.resolve()

    def inside(path: object) -> bool:
        return isinstance(path, str | Path) and Path(path).resolve().is_relative_to(root)

    def guarded_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if any(m in mode for m in "wax+") and inside(file):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    def guarded_replace(src: str | Path, dst: str | Path) -> None:
        if inside(dst):
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "replace", guarded_replace)
    return data


@pytest.mark.slow
def test_unchanged_import_creates_no_file(form: Path, data: Path, read_only: Path) -> None:
    before = sorted(os.listdir(data / "counties/yingjisha"))
    assert import_forms([form], data) == []
    assert cli("import", str(form), "--data", str(data)) == (0, "数据没有变化\n", "")
    assert sorted(os.listdir(data / "counties/yingjisha")) == before


@pytest.mark.slow
def test_changing_import_into_read_only_dir_is_one_line(form: Path, data: Path, read_only: Path) -> None:
    fill(form, {"工作亮点!B4": "改过的标题"})
    folder = data / "counties/yingjisha"
    line = f"{folder / '2023.yaml'}: -: 无法写入 {folder}：权限不足"
    assert problems_of([form], data) == [line]
    assert cli("import", str(form), "--data", str(data)) == (1, "", line + "\n")
    assert not [p for p in os.listdir(folder) if p.endswith(".tmp")]


def test_form_into_an_out_path_that_is_a_file_is_one_line(data: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("x")
    code, out, err = cli("form", "yingjisha", "--year", "2023", "--data", str(data), "--out", "taken")
    assert (code, out) == (1, "")
    assert err == f"taken/{BOOK}: --out: 无法写入 taken：已有一个同名文件，不是文件夹\n"
    assert Path("taken").read_text() == "x"


# ── 7. files that are not (readable) workbooks ──────────────────────────────────────────────

DAMAGED = "无法读取工作簿：文件已损坏，或不是 Excel 工作簿（.xlsx）；请用 Excel/WPS 打开后另存为 .xlsx 再导入"


def _truncated(form: Path) -> bytes:
    return form.read_bytes()[: form.stat().st_size // 2]


def _empty_zip(form: Path) -> bytes:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def _foreign_zip(form: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "不是表格")
    return buffer.getvalue()


def _flipped_bytes(form: Path) -> bytes:
    """A stored sheet whose bytes were damaged after writing: its CRC no longer matches."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(form) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
    data = bytearray(buffer.getvalue())
    at = data.find(b"<sheetData>")
    data[at + 1: at + 10] = b"xxxxxxxxx"
    return bytes(data)


def _only_members(form: Path) -> bytes:
    """Members but no workbook part: an .xlsx renamed from a .docx, say."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("make", "message"), [
    (_truncated, DAMAGED),
    (_empty_zip, "不是 Excel 工作簿（.xlsx）；请导入由 brief form 生成并填好的 .xlsx 文件"),
    (_foreign_zip, DAMAGED),
    (_flipped_bytes, DAMAGED),
    (_only_members, DAMAGED),
    (lambda form: b"", "不是 Excel 工作簿（.xlsx）；请导入由 brief form 生成并填好的 .xlsx 文件"),
], ids=["truncated", "empty-zip", "foreign-zip", "bad-crc", "docx-like", "empty-file"])
def test_hostile_workbook_is_one_line(form: Path, data: Path, make: Callable[[Path], bytes], message: str) -> None:
    bad = form.parent / "bad.xlsx"
    bad.write_bytes(make(form))
    assert problems_of([bad], data) == [f"bad.xlsx: -: {message}"]
    code, out, err = cli("import", str(bad), "--data", str(data))
    assert (code, out, err) == (1, "", f"bad.xlsx: -: {message}\n")
    assert not re.search(r"Error|Zip|Key", err), err  # no exception name: it means nothing to an office
