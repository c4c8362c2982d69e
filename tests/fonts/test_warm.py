"""fonts/warm.py: the first-use line is said once, before a conversion, and not when all is cached."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from brief.fonts import convert, warm


def test_says_first_use_only_when_a_cff_font_has_no_cached_copy(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cff = SimpleNamespace(cff=True, name="a")
    ttf = SimpleNamespace(cff=False, name="b")
    monkeypatch.setattr(warm, "resolve", lambda: SimpleNamespace(roles=(cff, ttf)))
    monkeypatch.setattr(warm, "converted_path", lambda f: tmp_path / f"{f.name}.ttf")
    converted: list[tuple[object, ...]] = []
    monkeypatch.setattr(warm, "warm_cache", lambda roles, jobs: converted.append(tuple(roles)))
    said: list[str] = []
    warm.warm_fonts(said.append)
    assert said == [warm.FIRST_USE] and converted == [(cff, ttf)]
    (tmp_path / "a.ttf").write_bytes(b"")  # a file, but not sealed as one brief converted: converted again
    warm.warm_fonts(said.append)
    assert said == [warm.FIRST_USE] * 2 and len(converted) == 2
    convert._write_converted(tmp_path / "a.ttf", b"")  # now cached
    warm.warm_fonts(said.append)
    assert said == [warm.FIRST_USE] * 2 and len(converted) == 2


def test_validate_says_first_use_before_its_glyph_check_converts(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`brief validate` is the first command an office runs: its glyph check reads the converted fonts, so on a
    new machine it said nothing for 15–40 s (found on a fresh-eyes trial); now it says so first, on stderr."""
    from click.testing import CliRunner

    from brief.cli import main
    from brief.newdata import init_data

    init_data(tmp_path / "d")
    cff = SimpleNamespace(cff=True, name="a")
    monkeypatch.setattr(warm, "resolve", lambda: SimpleNamespace(roles=(cff,)))
    monkeypatch.setattr(warm, "converted_path", lambda f: tmp_path / "none.ttf")
    monkeypatch.setattr(warm, "warm_cache", lambda roles, jobs: None)
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [warm.FIRST_USE]
    assert result.stdout.startswith("数据无误")
