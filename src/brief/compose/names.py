"""Every brief's name in one place: its title is its file stem, and its masthead comes from the
program (``genre``, ``publication``, ``issuer``), so a 东西部协作 office gets
2023年大姚县东西部协作工作简报 wherever the name is printed, written or sent."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.dataset import Dataset
from ..data.records import DEFAULT_GENRE


@dataclass(frozen=True)
class Office:
    """``office`` in the templates: what the masthead says and what titles call the work."""

    genre: str  # 援疆 | 东西部协作 | …
    publication: str  # the masthead's title: 援疆工作简报
    issuer: str  # 编发单位

    @property
    def aid(self) -> str:
        """What the partner does for the counties: 对口支援 in 援疆, 对口帮扶 elsewhere (东西部协作)."""
        return "对口支援" if self.genre == DEFAULT_GENRE else "对口帮扶"


DEFAULT_OFFICE = Office(DEFAULT_GENRE, f"{DEFAULT_GENRE}工作简报", "")


def county_office(ds: Dataset, county_id: str, year: int) -> Office:
    """A county's office is its program's; its issuer defaults to its own command (else partner)."""
    record = ds.county(county_id, year)
    program = ds.program_of(county_id)
    own = record.command or record.partner
    if program is None:
        return Office(DEFAULT_OFFICE.genre, DEFAULT_OFFICE.publication, own)
    return Office(program.genre, program.masthead, program.issuer or own)


def program_office(ds: Dataset, program_id: str) -> Office:
    program = ds.program(program_id)
    return Office(program.genre, program.masthead, program.issuer or program.name)


def county_title(ds: Dataset, county_id: str, year: int) -> str:
    record = ds.county(county_id, year)
    return f"{year}年{record.county}{county_office(ds, county_id, year).genre}工作简报"


def summary_title(ds: Dataset, program_id: str, year: int) -> str:
    program = ds.program(program_id)
    return f"{year}年{program.name}{program.genre}工作年度汇总"


def program_title(ds: Dataset, program_id: str, year: int) -> str:
    return f"{year}年{ds.program(program_id).name}工作简报"
