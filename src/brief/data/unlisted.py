"""County folders that no program lists: allowed by the contract (a county may keep its own briefs
without a program), but such a county is in no 年度汇总, and an office that forgot to list it would
never know. ``brief validate`` and ``brief build`` say it as a note, one line per county, not an error.

Read from the files alone (the program files and the county folders' names), so ``build``'s no-op
path, which reads no data, can say it too."""

from __future__ import annotations

from pathlib import Path

from ..errors import BriefError, display_path
from .files import read_program
from .ids import valid_id

_YEAR_NAMES = ("[0-9][0-9][0-9][0-9].yaml", "[0-9][0-9][0-9][0-9].yml")


def unlisted_notes(root: Path) -> list[str]:
    """One note per county folder with a year file that no ``programs/*.yaml`` lists, naming its
    newest year file; none when there is no program file, or one cannot be read (validate says why)."""
    files = sorted((root / "programs").glob("*.y*ml")) if (root / "programs").is_dir() else []
    listed: set[str] = set()
    for path in files:
        try:
            record, _, _ = read_program(path, path.stem)
        except BriefError:
            return []
        if record is None:
            return []
        listed.update(record.counties)
    if not files:
        return []
    where = f"programs/{files[0].name}" if len(files) == 1 else "programs/<项目ID>.yaml"
    notes = []
    folder = root / "counties"
    for county in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        years = sorted(f for pattern in _YEAR_NAMES for f in county.glob(pattern))
        if county.name in listed or not valid_id(county.name) or not years:
            continue
        notes.append(f"{display_path(str(years[-1]))}: 提示：该县不在任何项目的 counties 名单中，"
                     f"不会计入年度汇总（如需计入，请加到 {where} 的 counties）")
    return notes
