"""Every problem in the named files or data dirs, in one run: the data's own checks. ``brief
validate`` adds the glyph check (it needs the fonts, a layer above data) through ``extra``: see
brief/check.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import BriefError, Problem
from .dataset import NO_DATA_DIR, Dataset, read_dataset


def find_root(path: Path, default: Path) -> Path:
    """The data dir a file belongs to: the nearest parent holding indicators.yaml."""
    for parent in [path, *path.parents]:
        if (parent / "indicators.yaml").is_file():
            return parent
    return default


def validate(paths: list[Path], default_root: Path,
             extra: Callable[[Dataset], list[Problem]] | None = None) -> tuple[list[Problem], int]:
    """All problems (sorted, unique) and the number of files read. ``extra``: more checks of each
    data dir read (run last; not reported again for a file that has problems of its own)."""
    targets = paths or [default_root]
    problems: set[Problem] = set()
    files = 0
    for target in targets:
        if not target.exists() and not paths:  # the data dir itself: say how to name it
            problems.add(Problem(str(target), None, "--data", NO_DATA_DIR))
            continue
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
        more = extra(ds) if extra else []
        found = ds.problems + ds.totals_problems + [p for p in more if p.file not in bad_files]
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


def _inside(path: Path, target: Path) -> bool:
    p = path.resolve()
    return p == target or p.is_relative_to(target)
