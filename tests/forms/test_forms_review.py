"""An uploaded 填报表 as the web page sees it (forms/review.py): errors by sheet!cell, the user's workbook
marked red with comments, the changes old → new, and import's all-or-nothing rule.

Uses the ``data`` and ``form`` fixtures of conftest.py (a copy of data/, a fresh 2023 英吉沙县 form).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from brief.errors import BriefError
from brief.forms import import_forms
from brief.forms.review import AUTHOR, FILE_NOTE, CellError, Change, apply_upload, mark_workbook, review_upload
from helpers import brief, pdftotext

TARGET = "counties/yingjisha/2023.yaml"
# Three mistakes a county office makes, one per sheet: (sheet, cell, what is typed, the fix)
BAD = {
    ("基本情况", "B10"): ("草稿", "征求意见稿"),  # 稿件状态: not one of the two choices
    ("队伍建设", "B4"): ("只", "个"),  # the unit of 临时党支部, which the form locks
    ("产业援疆", "C4"): ("很多", "31万"),  # 林果种植面积: not a figure
}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fill(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    wb = load_workbook(path)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


@pytest.fixture
def bad_form(form: Path) -> Path:
    fill(form, {place: typed for place, (typed, _) in BAD.items()})
    return form


def cells(wb: Workbook) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Everything a user would see of every cell: value, fill, font, lock, format, comment."""
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                comment = (c.comment.text, c.comment.author) if c.comment else None
                out[ws.title, c.coordinate] = (c.value, repr(c.fill), repr(c.font), c.protection.locked,
                                               c.number_format, comment)
    return out


# ── review ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_review_finds_the_three_cells_with_import_s_own_messages(bad_form: Path, data: Path) -> None:
    before = snapshot(data)
    review = review_upload(bad_form, data)
    assert [e.where() for e in review.errors] == ["基本情况!B10", "队伍建设!B4", "产业援疆!C4"]
    assert {(e.sheet, e.cell) for e in review.errors} == set(BAD)
    assert review.changes == []
    assert review.target == data / TARGET
    assert snapshot(data) == before  # a review writes nothing
    with pytest.raises(BriefError) as exc:
        import_forms([bad_form], data)
    assert [(p.line, p.key, p.message) for p in exc.value.problems] == \
        [(e.where(), e.key, e.message) for e in review.errors]
    assert "“草稿”不是可选值" in review.errors[0].message
    assert "单位不能修改（应为“个”，现在是“只”）" in review.errors[1].message


def test_a_whole_file_error_has_no_cell(tmp_path: Path, data: Path) -> None:
    junk = tmp_path / "upload.xlsx"
    junk.write_bytes(b"not a workbook at all")
    review = review_upload(junk, data)
    assert review.errors == [CellError(None, None, "-", "不是 Excel 工作簿（.xlsx）；"
                                       "请导入由 brief form 生成并填好的 .xlsx 文件")]
    assert review.errors[0].where() == ""
    assert review.target is None


def test_a_data_file_error_names_the_data_file_not_the_server_s_path(form: Path, data: Path) -> None:
    (data / TARGET).write_text("county: [\n", encoding="utf-8")  # the data file itself is broken
    review = review_upload(form, data)
    assert review.errors and all(e.sheet is None for e in review.errors)
    assert review.errors[0].message.startswith(f"{TARGET}:")
    assert str(data) not in review.errors[0].message


# ── the marked workbook ─────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_mark_fills_the_three_cells_red_with_their_messages(bad_form: Path, data: Path) -> None:
    review = review_upload(bad_form, data)
    marked = load_workbook(io.BytesIO(mark_workbook(bad_form, review.errors)))
    original = load_workbook(bad_form)
    for e in review.errors:
        cell = marked[e.sheet][e.cell]
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("FFC7CE")
        assert cell.comment is not None and cell.comment.author == AUTHOR
        assert cell.comment.text == e.message
    # Nothing else changed: every other cell, the sheets' protection, hiding and drop-down lists.
    after, before = cells(marked), cells(original)
    assert after.keys() == before.keys()
    assert {k for k in before if after[k] != before[k]} == set(BAD)
    for ws in original.worksheets:
        other = marked[ws.title]
        assert (other.sheet_state, other.protection.sheet) == (ws.sheet_state, ws.protection.sheet)
        assert len(other.data_validations.dataValidation) == len(ws.data_validations.dataValidation)
        assert [str(r) for r in other.merged_cells.ranges] == [str(r) for r in ws.merged_cells.ranges]
    assert marked.sheetnames == original.sheetnames
    assert marked.security.lockStructure and original.security.lockStructure
    assert marked["队伍建设"].column_dimensions["F"].hidden  # the form's hidden marker column


@pytest.mark.slow
def test_marked_workbook_still_reads_as_the_same_form(bad_form: Path, data: Path, tmp_path: Path) -> None:
    """A user who fixes the marked copy uploads it again: the marks must not be errors of their own."""
    marked = tmp_path / bad_form.name
    marked.write_bytes(mark_workbook(bad_form, review_upload(bad_form, data).errors))
    assert [e.where() for e in review_upload(marked, data).errors] == ["基本情况!B10", "队伍建设!B4", "产业援疆!C4"]
    fill(marked, {place: fixed for place, (_, fixed) in BAD.items()})
    assert review_upload(marked, data).errors == []


@pytest.mark.slow
def test_marking_again_clears_the_marks_of_fixed_cells(bad_form: Path, data: Path, tmp_path: Path) -> None:
    marked = tmp_path / bad_form.name
    marked.write_bytes(mark_workbook(bad_form, review_upload(bad_form, data).errors))
    fill(marked, {("产业援疆", "C4"): "31万"})  # one fixed, two left
    errors = review_upload(marked, data).errors
    assert len(errors) == 2
    again = load_workbook(io.BytesIO(mark_workbook(marked, errors)))
    fixed = again["产业援疆"]["C4"]
    assert fixed.comment is None
    assert fixed.fill.fgColor.rgb.endswith("FFF2CC")  # the form's yellow for a cell to fill in
    assert again["队伍建设"]["B4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert again["队伍建设"]["B4"].comment.text == errors[1].message


@pytest.mark.slow
def test_a_user_s_own_comment_is_kept_below_the_message(bad_form: Path, data: Path, tmp_path: Path) -> None:
    from openpyxl.comments import Comment

    wb = load_workbook(bad_form)
    wb["产业援疆"]["C4"].comment = Comment("待核实", "张三")
    wb.save(bad_form)
    errors = review_upload(bad_form, data).errors
    marked = tmp_path / bad_form.name
    marked.write_bytes(mark_workbook(bad_form, errors))
    text = load_workbook(marked)["产业援疆"]["C4"].comment.text
    assert text.startswith(errors[2].message) and text.endswith("待核实")
    fill(marked, {place: fixed for place, (_, fixed) in BAD.items()})
    cleared = load_workbook(io.BytesIO(mark_workbook(marked, [])))["产业援疆"]["C4"]
    assert cleared.comment is not None  # ours gone, theirs back
    assert (cleared.comment.text, cleared.comment.author) == ("待核实", "张三")


def test_whole_file_and_hidden_cell_errors_go_to_a1_of_the_first_sheet(form: Path, data: Path) -> None:
    errors = [CellError(None, None, "-", "整个文件的问题"), CellError("_brief", "B3", "county", "隐藏表的问题"),
              CellError("队伍建设", "F4", "x", "隐藏列的问题"), CellError("不存在的表", "A1", "-", "缺表")]
    wb = load_workbook(io.BytesIO(mark_workbook(form, errors)))
    note = wb.worksheets[0]["A1"]
    assert note.comment is not None and note.fill.fgColor.rgb.endswith("FFC7CE")
    lines = note.comment.text.splitlines()
    assert lines[0] == FILE_NOTE
    assert lines[1:] == ["整个文件的问题", "_brief!B3：隐藏表的问题", "队伍建设!F4（隐藏的单元格）：隐藏列的问题",
                         "不存在的表!A1：缺表"]
    assert wb["队伍建设"]["F4"].comment.text == "隐藏列的问题"  # marked where it is, too
    assert wb["_brief"]["B3"].comment is None
    assert wb.active.title == wb.worksheets[0].title


def test_mark_refuses_a_hostile_workbook_before_openpyxl_opens_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (2 * 1024 * 1024) + b"</worksheet>")
    with pytest.raises(BriefError) as exc:
        mark_workbook(bomb, [])
    assert "压缩比超过 100:1（疑似“压缩炸弹”）" in str(exc.value)
    text = tmp_path / "notes.xlsx"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(BriefError, match="不是 Excel 工作簿"):
        mark_workbook(text, [])


SOFFICE = shutil.which("soffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
def test_libreoffice_opens_the_marked_workbook(bad_form: Path, data: Path, tmp_path: Path) -> None:
    """A real spreadsheet program reads the marks: LibreOffice saves them again, and prints the sheet."""
    marked = tmp_path / "marked.xlsx"
    marked.write_bytes(mark_workbook(bad_form, review_upload(bad_form, data).errors))
    profile = tmp_path / "profile"
    for target in ("pdf", "xlsx:Calc MS Excel 2007 XML"):
        out = tmp_path / target.split(":")[0]
        subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                        "--convert-to", target, "--outdir", str(out), str(marked)],
                       capture_output=True, timeout=240, check=False)  # the exit code is 0 even on failure
    assert "2023年英吉沙县援疆数据填报表" in pdftotext(tmp_path / "pdf" / "marked.pdf")
    resaved = load_workbook(tmp_path / "xlsx" / "marked.xlsx")
    for (sheet, ref), _ in BAD.items():
        cell = resaved[sheet][ref]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), (sheet, ref)
        assert cell.comment is not None and cell.comment.text.strip(), (sheet, ref)


# ── apply ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_apply_reports_each_figure_old_to_new(bad_form: Path, data: Path) -> None:
    fill(bad_form, {**{place: fixed for place, (_, fixed) in BAD.items()},
                    ("智力援疆", "C4"): "500余", ("工作亮点", "B4"): "党旗插在援疆一线"})
    before = (data / TARGET).read_bytes()
    expected = [
        Change("yingjisha", 2023, "status", "稿件状态", "定稿", "征求意见稿"),
        Change("yingjisha", 2023, "orchard_area", "林果种植面积", "30.89万亩", "31万亩"),
        Change("yingjisha", 2023, "cadres_dispatched", "选派干部人才", "490名", "500余名"),
        Change("yingjisha", 2023, "highlights.team.1.title", "队伍建设第1条标题",
               "党组织建到援疆一线", "党旗插在援疆一线"),
    ]
    review = review_upload(bad_form, data)
    assert (review.errors, review.changes) == ([], expected)
    assert (data / TARGET).read_bytes() == before  # review wrote nothing
    applied = apply_upload(bad_form, data)
    assert applied.changes == expected and applied.target == data / TARGET
    text = (data / TARGET).read_text(encoding="utf-8")
    assert "500余" in text and "31万" in text and "党旗插在援疆一线" in text
    # The same form again: nothing to change, nothing written.
    written = snapshot(data)
    again = apply_upload(bad_form, data)
    assert again.changes == [] and again.errors == []
    assert snapshot(data) == written


@pytest.mark.slow
def test_a_cleared_figure_is_a_change_to_nothing(form: Path, data: Path) -> None:
    ws = load_workbook(form)["智力援疆"]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 5).value == "free_clinics")  # E: the key
    fill(form, {("智力援疆", f"C{row}"): None})
    changes = apply_upload(form, data).changes
    assert changes == [Change("yingjisha", 2023, "free_clinics", "义诊巡诊活动", "31次", None)]
    assert "free_clinics" not in (data / TARGET).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_failed_apply_changes_nothing(bad_form: Path, data: Path) -> None:
    before = snapshot(data)
    with pytest.raises(BriefError) as exc:
        apply_upload(bad_form, data)
    assert [p.line for p in exc.value.problems] == ["基本情况!B10", "队伍建设!B4", "产业援疆!C4"]
    assert snapshot(data) == before


# ── brief import --marked ───────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_import_marked_writes_the_marked_copy_next_to_the_errors(bad_form: Path, data: Path) -> None:
    before = snapshot(data)
    result = brief("import", str(bad_form), "--data", str(data), "--marked", "标错", cwd=bad_form.parent)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{bad_form.name}:{s}!{c}" for s, c in
                                                      [("基本情况", "B10"), ("队伍建设", "B4"), ("产业援疆", "C4")]]
    copy = bad_form.parent / "标错" / f"{bad_form.stem}.marked.xlsx"
    assert result.stdout.strip() == f"已标出错误：标错/{copy.name}"
    wb = load_workbook(copy)
    for line in lines:
        place, key, message = line.split(": ", 2)
        sheet, ref = place.split(":", 1)[1].split("!")
        assert wb[sheet][ref].comment.text == message
        assert wb[sheet][ref].fill.fgColor.rgb.endswith("FFC7CE")
    assert snapshot(data) == before
    # Fixed in the marked copy itself, it imports, and nothing more is marked.
    fill(copy, {place: fixed for place, (_, fixed) in BAD.items()})
    result = brief("import", str(copy), "--data", str(data), "--marked", "标错2", cwd=bad_form.parent)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()  # each change listed: an old form turning figures back shows it
    assert lines[0] == f"已更新 {data / TARGET}：{len(lines) - 1} 处变化"
    assert "  稿件状态：定稿 → 征求意见稿" in lines and any(line.endswith(" → 31万亩") for line in lines), lines
    assert not (bad_form.parent / "标错2").exists()


def test_deleting_a_middle_highlight_shows_that_item_only() -> None:
    from brief.data.records import Highlight
    from brief.forms.review import _paired

    items = [Highlight("team", f"标题{n}", f"正文{n}", line=10 * n) for n in range(1, 5)]
    after = [Highlight(h.section, h.title, h.text, line=h.line - (10 if h.line > 20 else 0))
             for h in items if h.title != "标题2"]  # the lines of later items move up
    assert _paired(items, after) == [(1, items[1], None)]
    edited = [items[0], Highlight("team", "标题2", "改过的正文"), *items[2:]]
    assert _paired(items, edited) == [(1, items[1], edited[1])]  # edited in place: field by field
    added = [*items[:2], Highlight("team", "新", "新正文"), *items[2:]]
    assert _paired(items, added) == [(2, None, added[2])]
