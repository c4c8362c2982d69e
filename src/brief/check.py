"""Checks that need more than the data: what the data says against the installed fonts.

The data layer (data/) reads and checks files on their own; whether every character can be drawn
depends on the fonts (fonts/, preflight.py), a layer above it. ``validate`` here is what ``brief
validate`` runs (the data's checks, then the glyph check); ``refuse_undrawable`` is what ``build``
runs before it renders anything."""

from __future__ import annotations

from pathlib import Path

from .data.dataset import Dataset
from .data.validate import validate as validate_data
from .errors import BriefError, Problem
from .fonts.pdf import role_fonts
from .preflight import data_glyph_problems


def glyph_problems(ds: Dataset) -> list[Problem]:
    """Characters no installed font has, each at its file and line; no fonts at all is one line."""
    try:
        return data_glyph_problems(ds, role_fonts())
    except BriefError as exc:  # no fonts installed at all: say so once
        return exc.problems


def validate(paths: list[Path], default_root: Path) -> tuple[list[Problem], int]:
    """``brief validate``: every problem of the named files or data dirs (sorted, unique), glyphs
    included, and the number of files read."""
    return validate_data(paths, default_root, extra=glyph_problems)


def refuse_undrawable(ds: Dataset) -> None:
    """A character no installed font has would stop one brief mid-build: refuse before any."""
    problems = data_glyph_problems(ds, role_fonts())
    if problems:
        raise BriefError(problems)
