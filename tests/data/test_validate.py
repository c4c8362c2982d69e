"""The broken-file corpus: each case replaces one file of a small good data dir and expects exact lines."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parents[1]  # tests/: the mini data dir and the broken-file corpus
MINI = HERE / "fixtures" / "mini"
CASES = sorted((HERE / "broken").glob("*.yaml"))


def run_validate(data: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brief.cli", "validate", "--data", str(data), *map(str, paths)],
                          capture_output=True, text=True, cwd=data.parent)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    return data


def test_good_data_dir_validates(mini: Path) -> None:
    result = run_validate(mini)
    assert result.returncode == 0, result.stderr
    assert "数据无误" in result.stdout


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
@pytest.mark.slow
def test_broken_file_reports_exact_lines(case: Path, mini: Path) -> None:
    expected_text = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    target = expected_text[0].removeprefix("# target: ").strip()
    dest = mini / target
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, dest)
    result = run_validate(mini)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    shown = f"data/{target}"
    expected = sorted(line.replace("{file}", shown) for line in expected_text[1:])
    assert sorted(result.stderr.splitlines()) == expected


def test_several_broken_files_reported_in_one_run(mini: Path) -> None:
    for name, target in (("14_year_mismatch", "counties/good/2023.yaml"),
                         ("32_recipients_bad", "recipients.yaml")):
        shutil.copyfile(HERE / "broken" / f"{name}.yaml", mini / target)
    result = run_validate(mini)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 3


@pytest.mark.slow
def test_validate_one_file_reports_only_that_file(mini: Path) -> None:
    shutil.copyfile(HERE / "broken" / "32_recipients_bad.yaml", mini / "recipients.yaml")
    assert run_validate(mini, mini / "counties" / "good" / "2023.yaml").returncode == 0
    assert run_validate(mini, mini / "recipients.yaml").returncode == 1


def test_missing_path_is_one_line(mini: Path) -> None:
    result = run_validate(mini, mini / "nope.yaml")
    assert result.returncode == 1
    assert result.stderr.strip() == "data/nope.yaml: -: 文件或目录不存在"


@pytest.mark.slow
def test_project_data_validates() -> None:
    root = HERE.parent
    result = subprocess.run([sys.executable, "-m", "brief.cli", "validate"], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stderr


NOT_IN_SUMMARY = ("data/counties/xinxian/2023.yaml: 提示：该县不在任何项目的 counties 名单中，不会计入年度汇总"
                  "（如需计入，请加到 programs/p.yaml 的 counties）")


def _new_county(mini: Path) -> None:
    """A second county, its file copied from the first and given its own name (two of one name are refused)."""
    (mini / "counties" / "xinxian").mkdir()
    text = (mini / "counties" / "good" / "2023.yaml").read_text(encoding="utf-8")
    assert "county: 测试县" in text
    (mini / "counties" / "xinxian" / "2023.yaml").write_text(text.replace("county: 测试县", "county: 新县"),
                                                             encoding="utf-8")


def test_a_county_no_program_lists_is_a_note_not_an_error(mini: Path) -> None:
    """Allowed by the contract, but out of every 年度汇总: validate says so in one line, still exit 0."""
    _new_county(mini)
    result = run_validate(mini)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [NOT_IN_SUMMARY, "数据无误（检查了 4 个文件）"]
    assert result.stderr == ""
    (mini / "programs" / "p.yaml").write_text("name: 甲\ncounties: [good, xinxian]\n", encoding="utf-8")
    assert "提示" not in run_validate(mini).stdout


def test_build_says_the_same_note(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build prints the note too (its rendering is not this test's subject: stubbed); no program file, no note."""
    from click.testing import CliRunner

    import brief.build
    from brief.cli import main

    _new_county(mini)
    monkeypatch.setattr(brief.build, "build", lambda *a, **k: [])
    monkeypatch.chdir(mini.parent)
    result = CliRunner().invoke(main, ["build", "--data", "data", "--out", "out"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [NOT_IN_SUMMARY, "全部 0 份简报都是最新的，未重写任何文件"]
    (mini / "programs" / "p.yaml").unlink()
    assert "提示" not in CliRunner().invoke(main, ["build", "--data", "data", "--out", "out"]).output
