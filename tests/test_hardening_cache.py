"""Attacks on the stat-based no-op build (statcache.py, out/.brief-cache.json): a build must never
call outputs current when a data file changed, however the change was made."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from brief.build import CACHE, build
from helpers import data_copy, pdftotext

YINGJISHA = "counties/yingjisha/2023.yaml"
YINGJISHA_PDF = "2023/2023年英吉沙县援疆工作简报.pdf"


def made(outcomes: list) -> set[str]:
    return {o.name for o in outcomes if not o.skipped}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("seed")
    assert made(build(data_copy(base), base / "out", jobs=1))
    return base


@pytest.fixture()
def built(seed: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A finished build whose data files' stats are in the cache (mtimes past the racy window)."""
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(seed / "data", data)
    shutil.copytree(seed / "out", out)
    then = time.time_ns() - 100 * 10**9
    for path in [*data.rglob("*"), *out.rglob("*")]:
        os.utime(path, ns=(then, then))
    assert not made(build(data, out, jobs=1))
    stats = json.loads((out / CACHE).read_text(encoding="utf-8"))["stats"]
    assert str(data / YINGJISHA) in stats  # the attack below needs a cached entry to fool
    return data, out


def test_same_size_edit_with_its_old_mtime_put_back_is_rebuilt(built: tuple[Path, Path]) -> None:
    """cp -p, touch -r, rsync -t --inplace, an unzip: the bytes change in place, size and mtime (and
    inode) stay. Before the ctime was part of the key the build said 全部都是最新的."""
    data, out = built
    path = data / YINGJISHA
    st = path.stat()
    body = path.read_bytes()
    edited = body.replace(b"greenhouses_rebuilt: 38", b"greenhouses_rebuilt: 39")
    assert edited != body and len(edited) == len(body)
    with open(path, "r+b") as fh:
        fh.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    assert "2023年英吉沙县援疆工作简报" in made(build(data, out, jobs=1))
    assert "改造拱棚39座" in pdftotext(out / YINGJISHA_PDF)


@pytest.mark.parametrize("stats", [{"x": 1}, [], {"?": [1, 2, 3, 4]}, "junk"])
def test_a_cache_of_the_wrong_shape_is_ignored(built: tuple[Path, Path], stats: object) -> None:
    data, out = built
    body = json.loads((out / CACHE).read_text(encoding="utf-8"))
    body["stats"] = stats
    (out / CACHE).write_text(json.dumps(body), encoding="utf-8")
    assert not made(build(data, out, jobs=1))


def test_a_cached_hash_that_is_not_text_is_not_believed(built: tuple[Path, Path]) -> None:
    """A corrupted entry (a number where the hash was) must be re-read, not crash the build."""
    data, out = built
    body = json.loads((out / CACHE).read_text(encoding="utf-8"))
    for entry in body["stats"].values():
        entry[-1] = 12345
    body["state"] = {}  # the full way: every input's hash goes into a fingerprint
    (out / CACHE).write_text(json.dumps(body), encoding="utf-8")
    assert not made(build(data, out, jobs=1))
