"""The kinds of document brief makes. A kind carries its template, its file stem, its inputs and its
compose step; adding one (numbered issues next) is one more ``Kind`` here, not new branches elsewhere.
``output_path`` is the one place a brief's file is named, for render, build and distribute alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: a no-op `build` names its targets without loading the data modules
    from . import model
    from .data.dataset import Dataset
    from .data.records import YearFile

SUFFIXES = {"pdf": ".pdf", "docx": ".docx"}


def default_templates() -> Path:
    """The templates shipped inside the package (brief/templates): found the same from a checkout, an
    editable install and a wheel. The checkout's top-level templates/ is a link to this dir."""
    return Path(__file__).resolve().parent / "templates"
FORMATS = ("pdf", "docx")


@dataclass(frozen=True, eq=False)
class Kind:
    name: str  # county | summary | program: what progress lines and errors call it
    template: str
    folder: str  # counties | programs: where its data lives, for an error line
    stem: Callable[[Dataset, str, int], str]
    files: Callable[[Dataset, str, int], tuple[list[Path], list[YearFile]]]  # data files; records with photos
    compose: Callable[[Dataset, str, int, Path], model.Document]
    check: Callable[[Dataset, str, int], object]  # raises BriefError when the brief cannot be made
    totals: bool = True  # a program's declared totals must reconcile before it is made

    def __repr__(self) -> str:  # a target's repr goes into its fingerprint: stable across runs
        return repr(self.name)

    def __reduce__(self) -> str:  # pickled by name, for the build's workers
        return self.name.upper()


@dataclass(frozen=True)
class Target:
    """One brief to make: a kind, the county or program it is about, and the year."""

    kind: Kind
    id: str
    year: int

    @property
    def template(self) -> str:
        return self.kind.template


def stem(ds: Dataset, t: Target) -> str:
    return t.kind.stem(ds, t.id, t.year)


def output_path(ds: Dataset, t: Target, fmt: str, out: Path) -> Path:
    """Where a brief's ``fmt`` file is: ``out/<year>/<stem>.pdf``."""
    return out / str(t.year) / f"{stem(ds, t)}{SUFFIXES[fmt]}"


def inputs(ds: Dataset, t: Target) -> list[Path]:
    """Every data file the brief reads (images included): what makes it out of date."""
    paths, records = t.kind.files(ds, t.id, t.year)
    return paths + [h.image for r in records for h in r.highlights if h.image]


# -- the kinds ----------------------------------------------------------------------------------------


def _program_path(ds: Dataset, county_id: str) -> list[Path]:
    program = ds.program_of(county_id)
    return [program.path] if program else []


def _county_files(ds: Dataset, cid: str, year: int) -> tuple[list[Path], list[YearFile]]:
    records: list[YearFile] = [ds.county(cid, year)]
    prev = ds.previous(cid, year)
    if prev:
        records.append(prev)
    return [r.path for r in records] + [ds.catalog.path] + _program_path(ds, cid), records


def _summary_files(ds: Dataset, pid: str, year: int) -> tuple[list[Path], list[YearFile]]:
    from .compose.summary import summary_inputs  # lazily: a cycle (compose imports this) and cold start

    own = ds.program_years.get((pid, year))
    return summary_inputs(ds, pid, year), [own] if own else []


def _program_files(ds: Dataset, pid: str, year: int) -> tuple[list[Path], list[YearFile]]:
    own = ds.program_years[(pid, year)]
    paths = [ds.program(pid).path, own.path, ds.catalog.path]
    prev = ds.previous_program_year(pid, year)
    if prev:
        paths.append(prev.path)
    return paths, [own]


def _compose_county(ds: Dataset, cid: str, year: int, templates: Path) -> model.Document:
    from .compose.county import compose_county  # lazily: a cycle (compose imports this) and cold start

    return compose_county(ds, cid, year, templates)


def _compose_summary(ds: Dataset, pid: str, year: int, templates: Path) -> model.Document:
    from .compose.summary import compose_summary  # lazily: a cycle (compose imports this) and cold start

    return compose_summary(ds, pid, year, templates)


def _compose_program(ds: Dataset, pid: str, year: int, templates: Path) -> model.Document:
    from .compose.program import compose_program  # lazily: a cycle (compose imports this) and cold start

    return compose_program(ds, pid, year, templates)


def _check_summary(ds: Dataset, pid: str, year: int) -> object:
    from .compose.summary import summary_files  # lazily: a cycle (compose imports this) and cold start

    return summary_files(ds, pid, year)


def _check_program(ds: Dataset, pid: str, year: int) -> object:
    from .compose.program import program_year  # lazily: a cycle (compose imports this) and cold start

    return program_year(ds, pid, year)


def _county_stem(ds: Dataset, cid: str, year: int) -> str:
    from .compose.names import county_title  # lazily: a cycle (compose imports this) and cold start

    return county_title(ds, cid, year)


def _summary_stem(ds: Dataset, pid: str, year: int) -> str:
    from .compose.names import summary_title  # lazily: a cycle (compose imports this) and cold start

    return summary_title(ds, pid, year)


def _program_stem(ds: Dataset, pid: str, year: int) -> str:
    from .compose.names import program_title  # lazily: a cycle (compose imports this) and cold start

    return program_title(ds, pid, year)


COUNTY = Kind("county", "brief.md.j2", "counties", _county_stem, _county_files, _compose_county,
              lambda ds, cid, year: ds.county(cid, year), totals=False)
SUMMARY = Kind("summary", "summary.md.j2", "programs", _summary_stem, _summary_files, _compose_summary,
               _check_summary)
PROGRAM = Kind("program", "brief.md.j2", "programs", _program_stem, _program_files, _compose_program,
               _check_program)
KINDS = {k.name: k for k in (COUNTY, SUMMARY, PROGRAM)}
