"""Fixtures the forms tests share (test_forms.py, test_hardening_forms.py), and DOCX text without joiners."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from brief.forms import make_form
from helpers import DATA, WJ


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


@pytest.fixture(autouse=True)
def _nothing_stays_frozen() -> Iterator[None]:
    """A command run in-process (CliRunner) freezes what it imported (cli.imports_frozen: a one-shot
    process exits right after); in the test process that would keep every test's cycles for good."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(autouse=True, scope="session")
def _docx_text_without_word_joiners() -> Iterator[None]:
    """The DOCX writer keeps each figure with its unit by U+2060 WORD JOINERs (invisible; see
    writers/typeset.py). Tests read python-docx's ``.text`` as a reader sees it: without them.
    (tests/helpers.py's docx_paragraphs and docx_cells drop them too.)"""
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    saved = {cls: cls.text for cls in (Paragraph, _Cell, Run)}
    for cls, prop in saved.items():
        cls.text = property(lambda self, get=prop.fget: get(self).replace(WJ, ""), prop.fset)
    yield
    for cls, prop in saved.items():
        cls.text = prop
