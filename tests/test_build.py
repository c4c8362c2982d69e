"""brief build: everything, incrementally, atomically; a killed build leaves nothing half-written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import DATA, brief, file_sha

EXPECTED = {
    "2022/2022年英吉沙县援疆工作简报", "2022/2022年山东援疆指挥部援疆工作年度汇总",
    "2023/2023年英吉沙县援疆工作简报", "2023/2023年疏勒县援疆工作简报", "2023/2023年岳普湖县援疆工作简报",
    "2023/2023年麦盖提县援疆工作简报", "2023/2023年山东援疆指挥部援疆工作年度汇总",
    "2023/2023年山东援疆指挥部工作简报",  # the program year file has figures: a brief of its own
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("build")
    data, out = base / "data", base / "out"
    shutil.copytree(DATA, data)
    result = brief("build", "--data", str(data), "--out", str(out), "--jobs", "2", cwd=base)
    assert result.returncode == 0, result.stderr
    return data, out


def outputs(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): file_sha(p) for p in sorted(out.rglob("*")) if p.suffix in (".pdf", ".docx")}


@pytest.mark.slow
def test_build_makes_every_brief_and_summary(built: tuple[Path, Path]) -> None:
    _, out = built
    stems = {k.rsplit(".", 1)[0] for k in outputs(out)}
    assert stems == EXPECTED
    assert len(outputs(out)) == 2 * len(EXPECTED)


@pytest.mark.slow
def test_manifest_lists_every_output_with_sha_and_inputs(built: tuple[Path, Path]) -> None:
    _, out = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["path"]: e for e in manifest["outputs"]}
    assert set(entries) == set(outputs(out))
    for path, sha in outputs(out).items():
        assert entries[path]["sha256"] == sha
        assert "data/indicators.yaml" in entries[path]["inputs"]
    assert "data/counties/yingjisha/2022.yaml" in entries["2023/2023年英吉沙县援疆工作简报.pdf"]["inputs"]


@pytest.mark.slow  # the last fast user of the module's build: the build goes with it
def test_second_build_rewrites_nothing(built: tuple[Path, Path]) -> None:
    data, out = built
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = brief("build", "--data", str(data), "--out", str(out), cwd=data.parent)
    assert result.returncode == 0
    assert "未重写任何文件" in result.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_changed_input_rebuilds_only_what_depends_on_it(built: tuple[Path, Path]) -> None:
    data, out = built
    before = outputs(out)
    path = data / "counties" / "shule" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("headline:", "headline: 新", 1), encoding="utf-8")
    result = brief("build", "--data", str(data), "--out", str(out), cwd=data.parent)
    assert result.returncode == 0, result.stderr
    after = outputs(out)
    changed = {k for k in after if after[k] != before.get(k)}
    assert {k.rsplit(".", 1)[0] for k in changed} == {"2023/2023年疏勒县援疆工作简报"}


def test_bad_file_renders_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "counties" / "shule" / "2023.yaml").write_text("county: [\n", encoding="utf-8")
    result = brief("build", "--data", str(data), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not list((tmp_path / "out").rglob("*.pdf"))


@pytest.mark.slow
def test_killed_build_leaves_complete_files_or_none_and_next_build_repairs(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(DATA, data)
    reference = tmp_path / "reference"
    assert brief("build", "--data", str(data), "--out", str(reference), "--jobs", "1", cwd=tmp_path).returncode == 0
    expected = outputs(reference)
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "brief", "build", "--data", str(data), "--out", str(out),
                             "--jobs", "2"], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.rglob("*.pdf")):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole pool, mid-way
    proc.wait()
    for rel, sha in outputs(out).items():
        assert sha == expected[rel], f"{rel} is half-written"
    assert not [p for p in out.rglob("*") if p.suffix in (".pdf", ".docx") and p.name.startswith(".")]
    result = brief("build", "--data", str(data), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs(out) == expected
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.slow
def test_a_year_without_data_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = brief("build", "--year", "2030", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("--year: 没有 2030 年的数据文件")
    assert not (tmp_path / "out").exists()
