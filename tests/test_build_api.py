"""build's public API, as distribute uses it: ``stale`` answers the build's own question (what a
build would remake now), and distribute reaches into build through public names only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from brief.build import build, stale, targets
from brief.data.dataset import load_dataset
from brief.documents import COUNTY, SUMMARY, Target
from helpers import data_copy

YEAR = 2022  # two briefs: the county's and the summary


@pytest.mark.slow
def test_stale_names_what_a_build_would_remake(tmp_path: Path) -> None:
    data, out = data_copy(tmp_path), tmp_path / "out"
    ds = load_dataset(data)
    every = targets(ds, YEAR)
    assert stale(every, ds, out) == set(every)  # nothing built yet
    build(data, out, YEAR)
    assert stale(every, ds, out) == set()
    assert stale(targets(ds), ds, out) == set(targets(ds, 2023))  # only what was built is fresh
    county = data / "counties" / "yingjisha" / f"{YEAR}.yaml"
    county.write_text(county.read_text(encoding="utf-8").replace("headline: ", "headline: 新", 1), encoding="utf-8")
    ds = load_dataset(data)
    expected = {Target(COUNTY, "yingjisha", YEAR), Target(SUMMARY, "shandong", YEAR)}
    assert stale(every, ds, out) == expected
    assert {o.target for o in build(data, out, YEAR) if not o.skipped} == expected  # the build agrees
    assert stale(every, ds, out) == set()


def test_distribute_uses_only_public_build_names() -> None:
    source = Path(__file__).parents[1] / "src" / "brief" / "distribute"
    imported = {alias.name for path in source.glob("*.py") for node in ast.walk(ast.parse(path.read_text("utf-8")))
                if isinstance(node, ast.ImportFrom) and node.module == "build" for alias in node.names}
    assert imported == {"build", "pdf_digests", "stale", "targets"}
    text = "".join(path.read_text("utf-8") for path in source.glob("*.py"))
    assert "build._" not in text and "setattr" not in text  # no reaching in, no patching
