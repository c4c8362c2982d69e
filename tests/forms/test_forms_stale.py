"""An old 填报表 must not quietly undo edits made to the data file after the form was made.

The form remembers what it was filled from (forms/stale.py); on import each field is weighed three
ways: untouched in the form → the file's newer value stays; changed in the form only → the form's
value; changed in both → refused, one line per field, nothing written. Uses conftest's ``data`` and
``form`` fixtures (a copy of data/, a fresh 2023 英吉沙县 form, cwd = the form's folder).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from brief.data.dataset import read_dataset
from brief.forms import import_forms
from brief.forms.review import CellError, review_upload
from forms.test_forms import cell_of, fill, problems_of, snapshot
from helpers import brief


def again(data: Path) -> str:
    """The conflict line's advice: the command to type, with the data dir the import was given."""
    return f"请重新下载填报表（brief form yingjisha --year 2023 --data {data}）后再填"


def county_file(data: Path) -> Path:
    return data / "counties" / "yingjisha" / "2023.yaml"


def edit_file(data: Path, *pairs: tuple[str, str]) -> None:
    """Someone edits the county file after the form was made (each old text must be there once)."""
    path = county_file(data)
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def figures(data: Path) -> dict[str, str]:
    record = read_dataset(data).counties[("yingjisha", 2023)]
    return {k: f"{q.value.normalize():f}" for k, q in record.indicators.items()}


def test_a_field_changed_in_both_is_refused_with_both_values(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "15.6万"})
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"), ("partner: 济宁市", "partner: 济南市"))
    before = county_file(data).read_bytes()
    sheet, cell = cell_of(form, "orchard_area")
    assert problems_of([form], data) == [
        f"{form.name}:{sheet}!{cell}: orchard_area: 填报表生成后数据文件已改为16.2万亩，表中为15.6万亩；{again(data)}"]
    assert county_file(data).read_bytes() == before


def test_the_cli_refuses_with_exit_1_and_writes_nothing(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "15.6万", "基本情况!B6": "泰安市"})  # partner, as the form has it
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"), ("partner: 济宁市", "partner: 济南市"))
    before = snapshot(data)
    result = brief("import", str(form), "--data", str(data), cwd=form.parent)
    assert result.returncode == 1
    sheet, cell = cell_of(form, "orchard_area")
    assert result.stderr.splitlines() == [
        f"{form.name}:基本情况!B6: partner: 填报表生成后数据文件已改为“济南市”，表中为“泰安市”；{again(data)}",
        f"{form.name}:{sheet}!{cell}: orchard_area: 填报表生成后数据文件已改为16.2万亩，表中为15.6万亩；{again(data)}",
    ]
    assert snapshot(data) == before


def test_fields_untouched_in_the_form_keep_the_file_s_newer_values(form: Path, data: Path) -> None:
    fill(form, {"pepper_area": "2.5万"})  # the user's own change
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"), ("partner: 济宁市", "partner: 济南市"),
              ("summary: |-", "summary: |-\n  新导语。"))
    summary_before = read_dataset(data).counties[("yingjisha", 2023)].summary
    import_forms([form], data)
    now = figures(data)
    assert now["orchard_area"] == "162000"  # not turned back to 30.89万
    assert now["pepper_area"] == "25000"
    record = read_dataset(data).counties[("yingjisha", 2023)]
    assert record.partner == "济南市"
    assert record.summary == summary_before
    # The same form again: its own change is in the file already, nothing else is touched.
    before = county_file(data).read_bytes()
    assert import_forms([form], data) == []
    assert county_file(data).read_bytes() == before


def test_the_same_change_made_in_both_places_is_no_conflict(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "16.2万"})
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 162000"))
    before = county_file(data).read_bytes()
    assert import_forms([form], data) == []
    assert county_file(data).read_bytes() == before


def test_highlights_untouched_in_the_form_keep_the_file_s_edit(form: Path, data: Path) -> None:
    text = county_file(data).read_text(encoding="utf-8")
    first_title = text.split("highlights:", 1)[1].split("title: ", 1)[1].split("\n", 1)[0]
    edit_file(data, (f"title: {first_title}\n", "title: 改过的标题\n"))
    import_forms([form], data)
    assert "title: 改过的标题\n" in county_file(data).read_text(encoding="utf-8")


def test_highlights_changed_in_both_are_refused(form: Path, data: Path) -> None:
    fill(form, {"工作亮点!B4": "表中改的标题"})
    text = county_file(data).read_text(encoding="utf-8")
    first_title = text.split("highlights:", 1)[1].split("title: ", 1)[1].split("\n", 1)[0]
    edit_file(data, (f"title: {first_title}\n", "title: 文件里改的标题\n"))
    assert problems_of([form], data) == [
        f"{form.name}:工作亮点!B4: highlights: 填报表生成后数据文件中的工作亮点已有改动，表中的亮点也改了；"
        f"{again(data)}"]


def test_an_unchanged_data_file_imports_as_before(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "15.6万"})
    assert import_forms([form], data) == [county_file(data)]
    assert figures(data)["orchard_area"] == "156000"


def test_a_form_made_before_forms_remembered_imports_as_before(form: Path, data: Path) -> None:
    wb = load_workbook(form)
    meta = wb["_brief"]
    kept = [list(row) for row in meta.iter_rows(values_only=True) if row[0] not in ("source", "base")]
    assert len(kept) < meta.max_row, "the form stores what it was filled from"
    meta.delete_rows(1, meta.max_row)
    for row in kept:
        meta.append(row)
    wb.save(form)
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"))
    import_forms([form], data)
    assert figures(data)["orchard_area"] == "308900"  # as before this change: the form's value wins


def test_review_shows_the_conflict_at_its_cell(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "15.6万"})
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"))
    before = snapshot(data)
    review = review_upload(form, data)
    sheet, cell = cell_of(form, "orchard_area")
    assert review.errors == [CellError(sheet, cell, "orchard_area",
                                       f"填报表生成后数据文件已改为16.2万亩，表中为15.6万亩；{again(data)}")]
    assert review.changes == []
    assert snapshot(data) == before


def test_the_upload_page_shows_the_conflict_and_an_import_pressed_late_writes_nothing(
        form: Path, data: Path, tmp_path: Path) -> None:
    from brief.web import create_app

    c = create_app(data, tmp_path / "out", work=tmp_path / "work").test_client()

    def csrf() -> str:
        page = c.get("/forms").get_data(as_text=True)
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def upload() -> str:
        with open(form, "rb") as fh:
            r = c.post("/forms/upload", data={"csrf": csrf(), "form": (fh, form.name)},
                       content_type="multipart/form-data")
        assert r.status_code == 302
        return r.headers["Location"]

    fill(form, {"orchard_area": "15.6万"})
    sheet, cell = cell_of(form, "orchard_area")
    clean = upload()  # checked before the file is edited: no problem yet
    assert "检查无误" in c.get(clean).get_data(as_text=True)
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"))
    before = snapshot(data)
    page = c.get(upload()).get_data(as_text=True)
    assert f"{sheet}!{cell}" in page and "填报表生成后数据文件已改为16.2万亩，表中为15.6万亩" in page
    # The first upload's page was clean; pressing its import now finds the conflict and writes nothing.
    done = c.post(clean + "/import", data={"csrf": csrf()}).get_data(as_text=True)
    assert "无法导入，数据没有任何改动" in done and "16.2万亩" in done
    assert snapshot(data) == before


@pytest.mark.slow
def test_two_forms_for_a_new_year_do_not_undo_each_other(data: Path, tmp_path: Path) -> None:
    from brief.forms import make_form

    first = make_form(data, "yingjisha", 2024, tmp_path / "a")
    second = make_form(data, "yingjisha", 2024, tmp_path / "b")
    fill(first, {"orchard_area": "31万"})
    fill(second, {"pepper_area": "2万"})
    target = data / "counties" / "yingjisha" / "2024.yaml"
    assert import_forms([first], data) == [target]
    assert import_forms([second], data) == [target]  # its empty orchard cell does not remove 31万
    record = read_dataset(data).counties[("yingjisha", 2024)]
    assert {k: f"{q.value.normalize():f}" for k, q in record.indicators.items()} == {
        "orchard_area": "310000", "pepper_area": "20000"}
    fill(second, {"orchard_area": "32万"})  # now both filled it, differently
    sheet, cell = cell_of(second, "orchard_area")
    assert [line.split(": ", 1)[0] for line in problems_of([second], data)] == [f"{second}:{sheet}!{cell}"]


@pytest.mark.slow
def test_import_names_the_newer_values_it_kept(form: Path, data: Path) -> None:
    fill(form, {"pepper_area": "2.5万"})
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"), ("partner: 济宁市", "partner: 济南市"))
    review = review_upload(form, data)
    assert review.errors == [] and review.kept == ["援助城市", "林果种植面积"], review.kept
    result = brief("import", str(form), "--data", str(data), cwd=form.parent)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    kept = [line for line in lines if "保留文件中的新值" in line]
    assert kept == ["  数据文件在表单生成后改过、表中未改动的项保留文件中的新值：援助城市、林果种植面积"], lines
    # Imported again: nothing to write, and the kept line still says why the form's values were not used.
    again = brief("import", str(form), "--data", str(data), cwd=form.parent)
    out = again.stdout + again.stderr
    assert "没有变化" in out and "保留文件中的新值：援助城市、林果种植面积" in out, out


@pytest.mark.slow
def test_the_advice_names_no_data_dir_when_it_is_the_default(form: Path, data: Path) -> None:
    fill(form, {"orchard_area": "15.6万"})
    edit_file(data, ("orchard_area: 30.89万", "orchard_area: 16.2万"))
    result = brief("import", str(form), cwd=data.parent)  # ./data, the default
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("请重新下载填报表（brief form yingjisha --year 2023）后再填"), result.stderr


def test_the_advice_types_a_chinese_data_dir_bare_and_quotes_one_with_a_blank() -> None:
    """The --data of the advice is typed as a shell needs it: 汉字 bare (cmd.exe knows no single
    quotes), a blank or a shell character quoted."""
    from brief.forms.importer import _typed

    assert _typed("广元协作") == "广元协作"
    assert _typed("/srv/广元 协作") == "'/srv/广元 协作'"
    assert _typed("a$b") == "'a$b'"
