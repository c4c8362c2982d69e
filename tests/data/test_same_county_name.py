"""Two counties of one year with one ``county:`` name are refused: their briefs would share a file name
and the later one would overwrite the earlier (found on a fresh-eyes trial: a county file copied to a
new folder, its name left as it was, built two 剑阁县 briefs into one file and a summary with two 剑阁县
columns, with validate silent)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from brief.data.dataset import load_dataset, read_dataset
from brief.errors import BriefError
from brief.newdata import init_data


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    data = tmp_path / "d"
    init_data(data)
    (data / "counties" / "xinxian").mkdir()
    shutil.copyfile(data / "counties" / "shili" / "2023.yaml", data / "counties" / "xinxian" / "2023.yaml")
    program = data / "programs" / "shili.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("[shili]", "[shili, xinxian]"), encoding="utf-8")
    return data


def test_a_copied_county_name_is_refused_at_both_files(copied: Path) -> None:
    problems = sorted((Path(p.file).parent.name, p.line, p.key, p.message) for p in read_dataset(copied).problems)
    assert [(folder, line, key) for folder, line, key, _ in problems] == [("shili", 3, "county"),
                                                                          ("xinxian", 3, "county")]
    assert problems[1][3].startswith("县名“示例县”与 counties/shili/2023.yaml 相同：")
    assert "请改成本县的县名" in problems[1][3]
    with pytest.raises(BriefError):  # render of the summary and build read this way: nothing is written
        load_dataset(copied)


def test_renamed_copy_or_another_year_or_genre_is_fine(copied: Path) -> None:
    copy = copied / "counties" / "xinxian" / "2023.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("county: 示例县", "county: 新县"), encoding="utf-8")
    assert read_dataset(copied).problems == []
    # the same name in another year is another file name
    earlier = copy.rename(copy.with_name("2022.yaml"))
    text = earlier.read_text(encoding="utf-8").replace("county: 新县", "county: 示例县")
    earlier.write_text(text.replace("year: 2023", "year: 2022"), encoding="utf-8")
    assert read_dataset(copied).problems == []


def test_a_county_brief_reads_only_its_own_files(copied: Path) -> None:
    """render of one county reads no other county's file, so it cannot know (validate and build do)."""
    assert read_dataset(copied, county=("shili", 2023)).problems == []


def test_same_name_under_another_genre_is_another_file_name(copied: Path) -> None:
    program = copied / "programs" / "shili.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace("[shili, xinxian]", "[shili]"), encoding="utf-8")
    (copied / "programs" / "dongxi.yaml").write_text(
        "name: 示例协作工作队\ngenre: 东西部协作\nprovince: 示例省\ncounties: [xinxian]\n", encoding="utf-8")
    assert read_dataset(copied).problems == []


@pytest.mark.slow
def test_render_of_a_copy_does_not_overwrite_the_brief_the_manifest_names(tmp_path: Path) -> None:
    """``render`` reads only its own county (fast at 1,600 counties), so it cannot see the name twice;
    the build's manifest says which county's file made an existing brief of that name."""
    from helpers import brief

    data = tmp_path / "d"
    init_data(data)
    out = tmp_path / "out"
    assert brief("build", "--data", str(data), "--out", str(out)).returncode == 0
    made = {p: p.read_bytes() for p in (out / "2023").iterdir() if p.suffix in (".pdf", ".docx")}
    (data / "counties" / "xinxian").mkdir()
    copy = data / "counties" / "xinxian" / "2023.yaml"
    shutil.copyfile(data / "counties" / "shili" / "2023.yaml", copy)
    result = brief("render", "xinxian", "--year", "2023", "--data", str(data), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{copy}:3: county: 县名“示例县”与 counties/shili/2023.yaml 相同：两份简报会同名、后生成的覆盖先生成的；"
        "从别的县复制来的文件请改成本县的县名"]
    assert {p: p.read_bytes() for p in made} == made  # nothing overwritten
    copy.write_text(copy.read_text(encoding="utf-8").replace("county: 示例县", "county: 新县", 1), encoding="utf-8")
    assert brief("render", "xinxian", "--year", "2023", "--data", str(data), "--out", str(out)).returncode == 0


def test_render_goes_by_no_manifest_it_cannot_read(tmp_path: Path) -> None:
    """A manifest not as a build writes it (hand-edited, another tool's) is no reason to refuse."""
    from brief.render import render_county

    data = tmp_path / "d"
    init_data(data)
    out = tmp_path / "out"
    first = render_county(data, "shili", 2023, ("pdf",), out)
    rel = first[0].relative_to(out).as_posix()
    hostile = json.dumps({"outputs": [{"path": rel, "inputs": 5}]})
    for manifest in (hostile, '{"outputs": 7}', "[1]", "{"):
        (out / "manifest.json").write_text(manifest, encoding="utf-8")
        assert render_county(data, "shili", 2023, ("pdf",), out) == first
