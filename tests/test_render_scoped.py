"""``brief render <county>`` reads what that county's brief reads (issue 19): the shared files and the
county's file for the year and the year before, not every county of the data dir. A mistake in
another county's file does not stop it (validate and build still refuse it); a mistake in any file
the brief reads stops it with the same line as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.data.dataset import load_dataset
from brief.errors import BriefError
from brief.render import render_county
from helpers import DATA, data_copy, pdftotext, squash

BROKEN_SHULE = {"counties/shule/2023.yaml": ("cadres_dispatched: 1600余", "cadres_dispatched: 16九0余")}


def render(data: Path, out: Path, county: str = "yingjisha", formats: tuple[str, ...] = ("pdf",)) -> list[Path]:
    return render_county(data, county, 2023, formats, out)


def problems(data: Path, out: Path, county: str = "yingjisha") -> list[str]:
    with pytest.raises(BriefError) as caught:
        render(data, out, county)
    assert not out.exists() or not any(out.rglob("*.pdf"))  # nothing half-written
    return [str(p) for p in caught.value.problems]


def test_another_countys_broken_file_does_not_stop_this_brief(tmp_path: Path) -> None:
    data = data_copy(tmp_path, BROKEN_SHULE)
    mine = render(data, tmp_path / "out", formats=("pdf", "docx"))
    pristine = render(DATA, tmp_path / "pristine", formats=("pdf", "docx"))
    assert [p.name for p in mine] == [p.name for p in pristine] == ["2023年英吉沙县援疆工作简报.pdf",
                                                                    "2023年英吉沙县援疆工作简报.docx"]
    for a, b in zip(mine, pristine, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert "英吉沙县" in squash(pdftotext(mine[0]))
    # ... while the whole dir (validate, build, that county's own brief) is still refused, at the line
    with pytest.raises(BriefError) as caught:
        load_dataset(data)
    assert any("shule/2023.yaml" in str(p) and "16九0余" in str(p) for p in caught.value.problems)
    assert any("shule/2023.yaml:" in line for line in problems(data, tmp_path / "o2", "shule"))


def test_a_broken_file_in_another_countys_folder_or_a_misnamed_folder_does_not_stop_it(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    (data / "counties" / "shule" / "2023-old.yaml").write_text("county: 疏勒县\n", encoding="utf-8")
    (data / "counties" / "Bad Name").mkdir()
    (data / "counties" / "yingjisha" / "2019.yaml").write_text("county: [\n", encoding="utf-8")  # not read
    assert [p.suffix for p in render(data, tmp_path / "out")] == [".pdf"]
    with pytest.raises(BriefError) as caught:
        load_dataset(data)
    said = "\n".join(map(str, caught.value.problems))
    assert "2023-old.yaml" in said and "Bad Name" in said and "2019.yaml" in said


def test_an_error_in_this_year_or_last_years_file_stops_it_at_its_line(tmp_path: Path) -> None:
    for rel in ("counties/yingjisha/2023.yaml", "counties/yingjisha/2022.yaml"):
        data = data_copy(tmp_path / rel.replace("/", "_"), {rel: ("cadres_dispatched: ", "cadres_dispatchd: ")})
        lines = problems(data, tmp_path / "out")
        assert lines and all(line.startswith(str(data / rel) + ":") for line in lines), lines
        assert any("cadres_dispatchd" in line for line in lines)


def test_an_error_in_a_shared_file_stops_it(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "p", {"programs/shandong.yaml": ("name: 山东援疆指挥部", "name: [山东")})
    assert any(line.startswith(str(data / "programs" / "shandong.yaml") + ":") for line in
               problems(data, tmp_path / "out"))
    data = data_copy(tmp_path / "i")
    entry = "- publication: 援疆工作简报\n  year: 2023\n  number: {n}\n  document: {d}\n  date: 2023-12-20\n"
    (data / "issues.yaml").write_text(entry.format(n=1, d="yingjisha") + entry.format(n=2, d="gone"), encoding="utf-8")
    assert problems(data, tmp_path / "out") == [
        f"{data / 'issues.yaml'}:6: document: 2023 年没有“gone”这份简报：应为县 id、项目 id 或 summary:<项目 id>"]


def test_issues_of_other_counties_are_checked_against_the_files_there_not_read(tmp_path: Path) -> None:
    """An issued brief of a county whose file is broken is still a document: no second error, and
    this brief prints its own number."""
    data = data_copy(tmp_path, BROKEN_SHULE)
    entry = "- publication: 援疆工作简报\n  year: 2023\n  number: {n}\n  document: {d}\n  date: 2023-12-20\n"
    (data / "issues.yaml").write_text(entry.format(n=1, d="shule") + entry.format(n=2, d="yingjisha")
                                      + entry.format(n=3, d="summary:shandong"), encoding="utf-8")
    pdf = render(data, tmp_path / "out")[0]
    assert "2023年第2期" in squash(pdftotext(pdf))


def test_a_program_year_file_is_not_read_for_a_county_but_is_for_the_program(tmp_path: Path) -> None:
    rel = "programs/shandong/2023.yaml"
    text = (DATA / rel).read_text(encoding="utf-8")
    data = data_copy(tmp_path, {rel: (text.splitlines()[-1], text.splitlines()[-1] + "\nno_such_key: 1")})
    assert [p.suffix for p in render(data, tmp_path / "out")] == [".pdf"]
    assert any(line.startswith(str(data / rel) + ":") for line in problems(data, tmp_path / "o2", "shandong"))


def test_a_name_or_unknown_id_reads_the_whole_dir_for_its_message(tmp_path: Path) -> None:
    (line,) = problems(DATA, tmp_path / "out", "英吉沙县")
    assert line.endswith("counties/英吉沙县/2023.yaml: 英吉沙县: 命令里要写 ID，不是名称：请用 yingjisha")
    (line,) = problems(DATA, tmp_path / "out", "yingjsha")
    assert "yingjisha" in line
    with pytest.raises(BriefError) as caught:
        render_county(DATA, "yingjisha", 2021, ("pdf",), tmp_path / "out")
    (line,) = [str(p) for p in caught.value.problems]
    assert line.endswith("counties/yingjisha/2021.yaml: yingjisha: 没有 2021 年的数据文件")
