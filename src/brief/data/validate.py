"""``brief validate [PATH...]``: every problem in the named files or data dirs, in one run."""

from __future__ import annotations

from pathlib import Path

from ..errors import BriefError, Problem
from .dataset import Dataset, read_dataset


def find_root(path: Path, default: Path) -> Path:
    """The data dir a file belongs to: the nearest parent holding indicators.yaml."""
    for parent in [path, *path.parents]:
        if (parent / "indicators.yaml").is_file():
            return parent
    return default


def validate(paths: list[Path], default_root: Path) -> tuple[list[Problem], int]:
    """All problems (sorted, unique) and the number of files read."""
    targets = paths or [default_root]
    problems: set[Problem] = set()
    files = 0
    for target in targets:
        if not target.exists():
            problems.add(Problem(str(target), None, "-", "文件或目录不存在"))
            continue
        root = find_root(target.resolve() if target.is_file() else target, default_root)
        try:
            ds = read_dataset(root)
        except BriefError as exc:
            problems.update(exc.problems)
            continue
        bad_files = {p.file for p in ds.problems}
        found = ds.problems + ds.totals_problems + [p for p in _glyphs(ds) if p.file not in bad_files]
        if target.is_dir() and target.resolve() == root.resolve():
            problems.update(found)
            files += 1 + len(ds.counties) + len(ds.programs) + len(ds.program_years) + (ds.recipients is not None)
            files += (ds.root / "issues.yaml").is_file()
        else:
            want = target.resolve()
            problems.update(p for p in found if _inside(Path(p.file), want)
                            or Path(p.file).resolve() == (root / "indicators.yaml").resolve())
            files += 1
    return sorted(problems, key=lambda p: (p.file, p.line if isinstance(p.line, int) else 0, p.key, p.message)), files


def _glyphs(ds: Dataset) -> list[Problem]:
    """What render would refuse: characters no installed font has (needs the fonts, so it is last)."""
    from ..fonts import pdf_fonts
    from ..preflight import data_glyph_problems

    try:
        return data_glyph_problems(ds, pdf_fonts())
    except BriefError as exc:  # no fonts installed at all: say so once
        return exc.problems


def _inside(path: Path, target: Path) -> bool:
    p = path.resolve()
    return p == target or p.is_relative_to(target)
