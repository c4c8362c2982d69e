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
