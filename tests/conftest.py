"""Fixtures the forms tests share (test_forms.py, test_hardening_forms.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from brief.forms import make_form
from helpers import DATA


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The project's data dir, copied: a test may change it."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def form(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 2023 英吉沙县 form, in tmp_path/forms; the working dir is there so problems print its bare name."""
    out = tmp_path / "forms"
    path = make_form(data, "yingjisha", 2023, out)
    monkeypatch.chdir(out)
    return path
