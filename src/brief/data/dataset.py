"""A whole data dir, read and cross-checked: the one entry point the rest of brief uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.aggregate import aggregate, parts_exceed, stated
from ..domain.quantity import format_quantity
from ..errors import BriefError, Problem
from .catalog import Catalog, read_catalog
from .files import read_county_year, read_program, read_program_year, read_recipients
from .ids import ID_RULE, valid_id
from .records import DEFAULT_GENRE, CountyYear, Program, ProgramYear, Recipient
from .schema import unknown_key_message

_YEAR_FILE = re.compile(r"^([0-9]{4})\.ya?ml$")  # not \d: int() would read ２０２３.yaml as 2023


@dataclass
class Dataset:
    root: Path
    catalog: Catalog
    counties: dict[tuple[str, int], CountyYear] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    program_years: dict[tuple[str, int], ProgramYear] = field(default_factory=dict)
    recipients: list[Recipient] | None = None
    issues: list = field(default_factory=list)  # issues.Entry: the issued documents' 期号
    problems: list[Problem] = field(default_factory=list)
    # A program's declared totals that its counties do not add up to: they stop the summary (and
    # validate, build), not the county briefs, so a county office is never blocked by them.
    totals_problems: list[Problem] = field(default_factory=list)
    # (county id, year) when only that county's brief was read (``read_dataset(county=...)``): the
    # other counties and the program year files are not in it.
    scope: tuple[str, int] | None = None
    # root.resolve(), worked out once per read (_outside asks it for every folder and file)
    real_root: Path | None = field(default=None, repr=False, compare=False)

    def years(self) -> list[int]:
        return sorted({y for _, y in self.counties} | {y for _, y in self.program_years})

    def county(self, county_id: str, year: int) -> CountyYear:
        try:
            return self.counties[(county_id, year)]
        except KeyError:
            raise BriefError(self._missing("county", county_id, year)) from None

    def previous(self, county_id: str, year: int) -> CountyYear | None:
        """Last year's file when it covers the same period: year-over-year is stated only then."""
        prev = self.counties.get((county_id, year - 1))
        current = self.counties.get((county_id, year))
        return prev if prev and (current is None or prev.period == current.period) else None

    def previous_program_year(self, program_id: str, year: int) -> ProgramYear | None:
        prev = self.program_years.get((program_id, year - 1))
        current = self.program_years.get((program_id, year))
        return prev if prev and (current is None or prev.period == current.period) else None

    def program(self, program_id: str) -> Program:
        if program_id not in self.programs:
            raise BriefError(self._missing("program", program_id, None))
        return self.programs[program_id]

    def county_name(self, county_id: str) -> str:
        """How a county is printed: its ``county:`` (latest year first), else a program's
        ``county_names``, else its id."""
        for (cid, _), record in sorted(self.counties.items(), reverse=True):
            if cid == county_id and record.county:
                return record.county
        for program in sorted(self.programs.values(), key=lambda p: p.id):
            if county_id in program.county_names:
                return program.county_names[county_id]
        return county_id

    def program_of(self, county_id: str) -> Program | None:
        """The program that lists the county (the first by id): where its genre and masthead come from."""
        return next((p for _, p in sorted(self.programs.items()) if county_id in p.counties), None)

    def _missing(self, kind: str, ident: str, year: int | None) -> Problem:
        if kind == "county":
            ids = sorted({c for c, _ in self.counties})
            path = self.root / "counties" / ident / f"{year}.yaml"
        else:
            ids = sorted(self.programs)
            path = self.root / "programs" / f"{ident}.yaml"
        if ident in ids:
            return Problem(str(path), None, ident, f"没有 {year} 年的数据文件")
        by_name = {r.county: cid for (cid, _), r in self.counties.items()} if kind == "county" else {
            p.name: pid for pid, p in self.programs.items()}
        if ident in by_name:
            return Problem(str(path), None, ident, f"命令里要写 ID，不是名称：请用 {by_name[ident]}")
        return Problem(str(path), None, ident, unknown_key_message(ident, ids).replace("未知的键", "未知的 ID")
                       + (f"；已有：{'、'.join(ids)}" if ids else ""))


# Said when the default ./data is missing too: the office ran a command away from its data, or forgot --data.
NO_DATA_DIR = "数据目录不存在；请用 --data 指定数据目录，例如 --data 我的数据"


def read_dataset(root: Path, county: tuple[str, int] | None = None) -> Dataset:
    """Read everything under ``root``; every problem is collected in ``dataset.problems``.

    ``county`` (id, year): only what that county's brief reads (``brief render``), however many
    counties the dir holds: the shared files (indicators.yaml, programs/*.yaml, issues.yaml,
    recipients.yaml) and the county's file for the year and the year before. Other counties' files
    and the program year files are not read, so a mistake in one of them does not stop this brief
    (validate and build still refuse it); program totals are not reconciled (a county brief never
    prints them)."""
    root = Path(root)
    catalog_path = root / "indicators.yaml"
    if not root.is_dir():
        raise BriefError.at(str(root), None, "--data", NO_DATA_DIR)
    if not catalog_path.is_file():
        raise BriefError.at(str(catalog_path), None, "-", "找不到指标目录 indicators.yaml")
    catalog, problems = read_catalog(catalog_path)
    if catalog is None:
        raise BriefError(problems)
    ds = Dataset(root, catalog, problems=list(problems), scope=county)
    _read_counties(ds)
    _read_programs(ds)
    if county is None:
        _check_same_names(ds)
    recipients = root / "recipients.yaml"
    if recipients.is_file():
        ds.recipients, more = read_recipients(recipients)
        ds.problems += more
        _check_recipients(ds)
    _read_issues(ds)
    _check_parts(ds)
    if county is None:
        _reconcile_totals(ds)
    return ds


def _read_issues(ds: Dataset) -> None:
    from ..issues import FILE, check_issues, read_issues  # lazily: issues.py sits above the data layer (test_layers)

    path = ds.root / FILE
    ds.issues, problems = read_issues(path)
    if not ds.issues:  # nothing to check against the documents
        ds.problems += problems
        return
    counties, program_years = (set(ds.counties), set(ds.program_years)) if ds.scope is None else _named(ds)
    documents = counties | program_years
    documents |= {(f"summary:{pid}", y) for pid, prog in ds.programs.items() for cid, y in counties
                  if cid in prog.counties}
    ds.problems += problems + check_issues(path, ds.issues, documents)


def _named(ds: Dataset) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """The county years and program years there are files for, by their names (a scoped read does
    not read them: issues.yaml is checked against what the dir holds)."""
    def years(folder: Path) -> set[int]:
        names = (f.name for f in folder.iterdir()) if folder.is_dir() else ()
        return {int(m.group(1)) for m in map(_YEAR_FILE.match, names) if m}

    folder = ds.root / "counties"
    dirs = [p for p in folder.iterdir() if p.is_dir() and valid_id(p.name)] if folder.is_dir() else []
    counties = {(p.name, y) for p in dirs for y in years(p)}
    program_years = {(pid, y) for pid in ds.programs for y in years(ds.root / "programs" / pid)}
    return counties, program_years


def load_dataset(root: Path, *, totals: bool = True, county: tuple[str, int] | None = None) -> Dataset:
    """Read and refuse on any problem: what render, summary and build use.

    ``totals=False`` (a county brief) lets a program's unreconciled totals pass; ``county``: read
    only what that county's brief reads (see ``read_dataset``)."""
    ds = read_dataset(root, county)
    problems = ds.problems + (ds.totals_problems if totals else [])
    if problems:
        raise BriefError(sorted(set(problems), key=_order))
    return ds


def _order(p: Problem) -> tuple[str, int, str]:
    return (p.file, p.line if isinstance(p.line, int) else 0, p.message)


def _outside(path: Path, ds: Dataset) -> bool:
    """A link that leads out of the data dir: its target is not read (the data dir is what a user
    hands over; a link in it must not make brief read /etc/passwd or another office's files)."""
    if ds.real_root is None:
        ds.real_root = ds.root.resolve()
    if not path.resolve().is_relative_to(ds.real_root):
        ds.problems.append(Problem(str(path), None, path.name,
                                   "是指向数据目录以外的链接，不会读取；请把文件本身放进数据目录"))
        return True
    return False


def _year_files(folder: Path, ds: Dataset, years: tuple[int, ...] | None = None) -> list[tuple[Path, int]]:
    """The year files of a folder; ``years``: only those (the others are neither read nor checked)."""
    out = []
    for f in sorted(folder.iterdir()):
        if years is not None and not _one_of(f.name, years):
            continue
        if f.is_dir() or f.suffix not in (".yaml", ".yml") or _outside(f, ds):
            continue
        m = _YEAR_FILE.match(f.name)
        if not m:
            ds.problems.append(Problem(str(f), None, "-", "文件名应为年份，例如 2023.yaml"))
            continue
        out.append((f, int(m.group(1))))
    return out


def _one_of(name: str, years: tuple[int, ...]) -> bool:
    m = _YEAR_FILE.match(name)
    return m is not None and int(m.group(1)) in years


def _read_counties(ds: Dataset) -> None:
    folder = ds.root / "counties"
    if not folder.is_dir():
        return
    wanted: tuple[int, ...] | None = None
    if ds.scope is None:
        county_dirs = sorted(p for p in folder.iterdir() if p.is_dir())
    else:  # the county's own folder, this year's file and last year's (year-over-year)
        cid, year = ds.scope
        county_dirs, wanted = [p for p in [folder / cid] if p.is_dir()], (year - 1, year)
    for county_dir in county_dirs:
        if _outside(county_dir, ds):
            continue
        if not valid_id(county_dir.name):
            ds.problems.append(Problem(str(county_dir), None, county_dir.name,
                                       f"县目录名应为{ID_RULE}，例如 yingjisha"))
            continue
        for path, year in _year_files(county_dir, ds, wanted):
            record, problems = read_county_year(path, county_dir.name, year, ds.catalog, ds.root)
            ds.problems += problems
            if record is not None:
                ds.counties[(county_dir.name, year)] = record


_COUNTY_LINE = re.compile(r"^county[ \t]*:", re.MULTILINE)


def _check_same_names(ds: Dataset) -> None:
    """Two counties of one year and genre with one ``county:`` name would write one file name, the later
    brief over the earlier (a county file copied to a new folder with its name left as it was)."""
    seen: dict[tuple[str, int, str], list[CountyYear]] = {}
    for (cid, year), record in sorted(ds.counties.items()):
        program = ds.program_of(cid)
        genre = program.genre if program else DEFAULT_GENRE
        seen.setdefault((record.county, year, genre), []).append(record)
    for (name, _, _), records in seen.items():
        if len(records) < 2:
            continue
        for record in records:
            others = "、".join(_in_data(r.path, ds) for r in records if r is not record)
            ds.problems.append(same_name_problem(record.path, name, others))


def same_name_problem(path: Path, name: str, others: str) -> Problem:
    """``path``'s ``county:`` names the county ``others`` (files, as named in the data dir) name too."""
    return Problem(str(path), _line_of_county(path), "county", f"县名“{name}”与 {others} 相同：两份简报会同名、"
                   "后生成的覆盖先生成的；从别的县复制来的文件请改成本县的县名")


def _in_data(path: Path, ds: Dataset) -> str:
    """A file named by its place in the data dir (counties/jiange/2023.yaml), wherever the command runs."""
    try:
        return path.relative_to(ds.root).as_posix()
    except ValueError:
        return str(path)


def _line_of_county(path: Path) -> int | None:
    """The ``county:`` line (records keep only the indicators' lines): the file was just read, it is small."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    m = _COUNTY_LINE.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _read_programs(ds: Dataset) -> None:
    folder = ds.root / "programs"
    if not folder.is_dir():
        return
    county_ids = sorted({c for c, _ in ds.counties} | {
        p.name for p in (ds.root / "counties").glob("*") if p.is_dir()})
    for path in sorted(folder.glob("*.y*ml")):
        if _outside(path, ds):
            continue
        program_id = path.stem
        if not valid_id(program_id):
            ds.problems.append(Problem(str(path), None, program_id,
                                       f"文件名应为{ID_RULE}，例如 shandong.yaml"))
            continue
        record, problems, lines = read_program(path, program_id)
        ds.problems += problems
        if record is None:
            continue
        ds.programs[program_id] = record
        for cid in record.counties:
            # A county with no folder is allowed (a prefecture's plan lists counties that keep no
            # files); one a letter away from a folder is a typo, said as before.
            if cid not in county_ids and cid not in record.county_names and _near(cid, county_ids):
                ds.problems.append(Problem(str(path), lines.get(cid), cid,
                                           unknown_key_message(cid, county_ids).replace("未知的键", "未知的县")
                                           + "（counties/ 下没有这个目录）"))
        year_dir = folder / program_id
        if year_dir.is_dir() and ds.scope is None:  # a county brief reads no program year file
            for ypath, year in _year_files(year_dir, ds):
                py, more = read_program_year(ypath, program_id, year, ds.catalog, ds.root)
                ds.problems += more
                if py is not None:
                    ds.program_years[(program_id, year)] = py


def _near(ident: str, known: list[str]) -> bool:
    import difflib

    return bool(difflib.get_close_matches(ident, known, n=1, cutoff=0.6))


def _check_recipients(ds: Dataset) -> None:
    county_dirs = {p.name for p in (ds.root / "counties").glob("*") if p.is_dir()}
    valid = {"summary"} | county_dirs | set(ds.programs)
    path = str(ds.root / "recipients.yaml")

    def unknown(b: str) -> str:
        said = unknown_key_message(b, sorted(valid)).replace("未知的键", "未知的简报")
        # 示例县 for shili: no near id to offer, so say what an entry is
        return said if "是否应为" in said else f"{said}：应写县 ID（counties/ 下的文件夹名）、项目 ID 或 summary"

    for r in ds.recipients or []:
        for b in r.briefs:
            if b not in valid:
                ds.problems.append(Problem(path, r.line, "briefs", unknown(b)))
        for b in r.extra:  # 本期增发: the same ids, or summary:<program>
            if b not in valid and b.removeprefix("summary:") not in ds.programs:
                ds.problems.append(Problem(path, r.line, "extra", unknown(b)))


def _check_parts(ds: Dataset) -> None:
    """其中: the parts of a whole may not sum above it where the figures make that certain."""
    wholes: dict[str, list[str]] = {}
    for ind in ds.catalog.indicators.values():
        if ind.part_of:
            wholes.setdefault(ind.part_of, []).append(ind.key)
    files: list[CountyYear | ProgramYear] = [*ds.counties.values(), *ds.program_years.values()]
    for f in files:
        for whole, parts in wholes.items():
            present = [p for p in parts if p in f.indicators]
            if whole not in f.indicators or not present:
                continue
            if not parts_exceed(f.indicators[whole], [f.indicators[p] for p in present]):
                continue
            unit = ds.catalog.indicators[whole].unit
            named = "、".join(f"{p} {format_quantity(f.indicators[p], unit)}（第 {f.lines.get(p)} 行）"
                             for p in present)
            ds.problems.append(Problem(str(f.path), f.lines.get(whole), whole,
                                       f"其中各项之和超过总数 {format_quantity(f.indicators[whole], unit)}：{named}；"
                                       "请核对这些数字"))


def _reconcile_totals(ds: Dataset) -> None:
    """A total the program office declares must equal the sum of its counties' figures."""
    broken = {p.file for p in ds.problems}
    for (pid, year), py in ds.program_years.items():
        program = ds.programs.get(pid)
        if program is None:
            continue
        county_files = [str(ds.root / "counties" / c / f"{year}.yaml") for c in program.counties]
        if broken.intersection(county_files):
            continue  # a county file that could not be read: its own error says so, no second one here
        for key, declared in py.totals.items():
            ind = ds.catalog.indicators[key]
            files = [ds.counties[(c, year)] for c in program.counties if (c, year) in ds.counties]
            values = [f.indicators[key] for f in files if key in f.indicators]
            rule = ind.aggregate if ind.aggregate != "none" else "sum"
            computed = aggregate(rule, values)
            printed = stated(rule, computed, values)  # a 约 sum as the summary prints it, which may be copied
            if declared in (computed, printed):
                continue
            shown = format_quantity(printed, ind.unit) if printed else "无数据"
            sources = "、".join(f"{f.path.parent.name}/{f.path.name}" for f in files if key in f.indicators)
            ds.totals_problems.append(Problem(str(py.path), py.total_lines.get(key), key,
                                              f"申报合计 {format_quantity(declared, ind.unit)} 与各县之和 {shown} 不符"
                                              f"（counties/ 下 {sources}）"))
