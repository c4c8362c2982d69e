"""A no-op build reads no data; a changed, new or deleted file is still seen (issue 19).

The build trusts a file's hash while its size, mtime and inode are unchanged (statcache.py), and
skips loading the data dir when no file of it changed since a build that finished.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from brief import build as build_module
from brief.build import build, plan, read_manifest, targets
from brief.compose.county import default_templates
from brief.data.dataset import load_dataset
from brief.errors import BriefError
from brief.statcache import RACY_NS, StatCache
from helpers import data_copy, file_sha, pdftotext

SHULE = "counties/shule/2023.yaml"
SHULE_PDF = "2023/2023年疏勒县援疆工作简报.pdf"
SUMMARY_PDF = "2023/2023年山东援疆指挥部援疆工作年度汇总.pdf"


def made(outcomes: list) -> set[str]:
    return {o.name for o in outcomes if not o.skipped}


def shas(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): file_sha(p) for p in sorted(out.rglob("*")) if p.suffix in (".pdf", ".docx")}


def age(path: Path, seconds: float = 100.0) -> None:
    """Move a file's mtime into the past (as an edit made a while ago), past the racy window."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build, copied by each test (rendering it again per test would take too long)."""
    base = tmp_path_factory.mktemp("seed")
    outcomes = build(data_copy(base), base / "out", jobs=1)
    assert outcomes and not any(o.skipped for o in outcomes)
    return base


@pytest.fixture()
def built(seed: Path, tmp_path: Path) -> tuple[Path, Path]:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(seed / "data", data)  # copy2: mtimes kept
    shutil.copytree(seed / "out", out)
    for path in out.rglob("*"):
        age(path)
    assert not made(build(data, out, jobs=1))  # new paths: hashed once, all found up to date
    return data, out


def no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the data was loaded")

    monkeypatch.setattr("brief.data.dataset.load_dataset", refuse)


@pytest.mark.slow
def test_noop_reads_no_data_and_writes_nothing(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, out = built
    before = shas(out)
    manifest = (out / "manifest.json").read_bytes()
    no_loading(monkeypatch)
    outcomes = build(data, out, jobs=1)
    assert len(outcomes) == 8 and all(o.skipped for o in outcomes)
    assert "2023年疏勒县援疆工作简报" in {o.name for o in outcomes}
    assert shas(out) == before and (out / "manifest.json").read_bytes() == manifest


@pytest.mark.slow
def test_touched_file_rebuilds_nothing_and_is_not_hashed_again(built: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data, out = built
    age(data / SHULE, 50)  # touched: a new mtime, the same bytes
    no_loading(monkeypatch)
    assert not made(build(data, out, jobs=1))
    hashed: list[str] = []
    real = build_module.StatCache.hash

    def spy(self: StatCache, path: object) -> str | None:
        key = os.path.abspath(str(path))
        if key not in self.entries:
            hashed.append(key)
        return real(self, path)

    monkeypatch.setattr(build_module.StatCache, "hash", spy)
    assert not made(build(data, out, jobs=1))
    assert hashed == []  # the touched file's new stat was kept: nothing is read again


def test_edited_file_rebuilds_its_brief_and_the_summary(built: tuple[Path, Path]) -> None:
    data, out = built
    path = data / SHULE
    text = path.read_text(encoding="utf-8")
    assert "  professionals_dispatched: 150\n" in text
    path.write_text(text.replace("  professionals_dispatched: 150\n", "  professionals_dispatched: 170\n"),
                    encoding="utf-8")  # the same size: only its hash tells
    age(path, 30)
    before = shas(out)
    outcomes = build(data, out, jobs=1)
    assert made(outcomes) == {"2023年疏勒县援疆工作简报", "2023年山东援疆指挥部援疆工作年度汇总"}
    after = shas(out)
    assert after[SHULE_PDF] != before[SHULE_PDF]
    assert "170" in pdftotext(out / SHULE_PDF)
    assert after["2023/2023年英吉沙县援疆工作简报.pdf"] == before["2023/2023年英吉沙县援疆工作简报.pdf"]
    assert not made(build(data, out, jobs=1))  # and then it is up to date


@pytest.mark.slow
def test_edit_inside_the_racy_window_is_seen(built: tuple[Path, Path]) -> None:
    """A file written just before it was hashed is hashed again next time, even with the same stat."""
    data, out = built
    path = data / SHULE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("professionals_dispatched: 150", "professionals_dispatched: 160"), encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    assert made(build(data, out, jobs=1))
    path.write_text(text.replace("professionals_dispatched: 150", "professionals_dispatched: 180"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # same size, same mtime: only a fresh hash can tell
    assert "2023年疏勒县援疆工作简报" in made(build(data, out, jobs=1))
    assert "180" in pdftotext(out / SHULE_PDF)


def test_a_changed_file_is_validated_in_full(built: tuple[Path, Path]) -> None:
    data, out = built
    path = data / SHULE
    path.write_text(path.read_text(encoding="utf-8").replace("  professionals_dispatched: 150\n",
                                                             "  professionals_dispatched: 一百五\n"), encoding="utf-8")
    before = shas(out)
    with pytest.raises(BriefError) as err:
        build(data, out, jobs=1)
    assert "professionals_dispatched" in str(err.value) and str(path) in str(err.value)
    assert shas(out) == before


def test_deleted_file_is_noticed(built: tuple[Path, Path]) -> None:
    data, out = built
    (data / "counties/yingjisha/2022.yaml").unlink()
    outcomes = build(data, out, jobs=1)
    names = {o.name for o in outcomes}
    assert "2022年英吉沙县援疆工作简报" not in names and "2023年英吉沙县援疆工作简报" in names
    assert "2023年英吉沙县援疆工作简报" in made(outcomes)  # its YoY columns are gone
    assert not made(build(data, out, jobs=1))


def test_deleted_image_is_noticed(built: tuple[Path, Path]) -> None:
    data, out = built
    photo = next((data / "counties/yingjisha/photos").iterdir())
    photo.unlink()
    with pytest.raises(BriefError) as err:
        build(data, out, jobs=1)
    assert photo.name in str(err.value)


def test_new_file_is_noticed(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    data, out = built
    (data / "notes.txt").write_text("备忘", encoding="utf-8")
    assert not made(build(data, out, jobs=1))
    calls: list[Path] = []
    monkeypatch.setattr("brief.data.dataset.load_dataset", lambda *a, **k: calls.append(a[0]) or load_dataset(*a, **k))
    (data / "notes2.txt").write_text("备忘", encoding="utf-8")
    assert not made(build(data, out, jobs=1))
    assert calls == [data]  # a new file: the data is read and checked again


def test_deleted_or_edited_output_is_made_again(built: tuple[Path, Path]) -> None:
    data, out = built
    before = shas(out)
    (out / SHULE_PDF).unlink()
    with open(out / SUMMARY_PDF, "ab") as fh:
        fh.write(b"%")
    assert made(build(data, out, jobs=1)) == {"2023年疏勒县援疆工作简报", "2023年山东援疆指挥部援疆工作年度汇总"}
    assert shas(out) == before


def test_another_year_is_not_the_same_build(built: tuple[Path, Path],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data, out = built
    calls: list[int] = []
    monkeypatch.setattr("brief.data.dataset.load_dataset", lambda *a, **k: calls.append(1) or load_dataset(*a, **k))
    outcomes = build(data, out, year=2022, jobs=1)
    assert calls and {o.target.year for o in outcomes} == {2022} and not made(outcomes)


def test_plan_sees_what_build_sees(built: tuple[Path, Path]) -> None:
    """``distribute --dry-run`` asks plan() which briefs are stale: touched is fresh, edited is stale."""
    data, out = built
    age(data / SHULE, 40)
    ds = load_dataset(data)
    templates = default_templates()
    fresh = {t.id: ok for t, (_, _, ok) in plan(ds, out, targets(ds, 2023), templates).items()}
    assert all(fresh.values())
    path = data / SHULE
    path.write_text(path.read_text(encoding="utf-8").replace("professionals_dispatched: 150",
                                                             "professionals_dispatched: 151"), encoding="utf-8")
    age(path, 20)
    ds = load_dataset(data)
    stale = {t.id for t, (_, _, ok) in plan(ds, out, targets(ds, 2023), templates).items() if not ok}
    assert "shule" in stale and "yingjisha" not in stale
    entries = read_manifest(out)
    assert entries[SHULE_PDF]["sha256"] == file_sha(out / SHULE_PDF)


def test_stat_cache_trusts_only_old_unchanged_stats(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n")
    fresh = StatCache()
    first = fresh.hash(path)
    assert str(path) not in fresh.entries  # written just now: in the racy window, not remembered
    age(path, RACY_NS / 1e9 + 5)
    cache = StatCache()
    assert cache.hash(path) == first and str(path) in cache.entries
    later = StatCache(cache.entries)
    path.write_bytes(b"a: 2\n")  # the same size, a new mtime
    assert later.hash(path) != first
    path.unlink()
    assert StatCache(cache.entries).hash(path) is None


def test_a_damaged_cache_only_costs_a_full_check(built: tuple[Path, Path]) -> None:
    data, out = built
    before = shas(out)
    for junk in ('{"state": {"key": 1, "files": [], "targets": 5}, "stats": {"x": 3}}', "not json", "[]"):
        (out / ".brief-cache.json").write_text(junk, encoding="utf-8")
        assert not made(build(data, out, jobs=1))
    assert shas(out) == before
    assert json.loads((out / ".brief-cache.json").read_text(encoding="utf-8"))["state"]["targets"]
