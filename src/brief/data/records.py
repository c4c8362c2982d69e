"""What the data files say, once read and checked: plain frozen records, no YAML left in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..domain.quantity import Quantity


@dataclass(frozen=True)
class Highlight:
    """A story an office wants told; ``text`` may cite ``{{ ind.key }}``."""

    section: str
    title: str
    text: str
    image: Path | None = None
    caption: str = ""
    path: Path = Path()
    line: int = 0  # line of the first text line, for errors raised while rendering


@dataclass(frozen=True)
class YearFile:
    """What county and program year files share."""

    year: int
    path: Path
    status: str = "final"
    source: str = ""
    headline: str = ""
    summary: str = ""
    indicators: dict[str, Quantity] = field(default_factory=dict)
    highlights: tuple[Highlight, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # indicator key -> line
    key_figures: tuple[str, ...] = ()  # the band's keys, in order; empty: the catalog's ``key: true``
    period: str = ""  # 1—10月: the figures cover part of the year; empty: the whole year
    classification: str = ""  # 内部 | 秘密 | 机密: printed top left; 秘密 and 机密 are never emailed

    @property
    def when(self) -> str:
        """What the figures cover, as titles and captions print it: 2023年 or 2023年1—10月."""
        return f"{self.year}年{self.period}"

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class CountyYear(YearFile):
    id: str = ""
    county: str = ""
    prefecture: str = ""
    partner: str = ""
    command: str = ""
    batch: str = ""


@dataclass(frozen=True)
class ProgramYear(YearFile):
    program: str = ""
    totals: dict[str, Quantity] = field(default_factory=dict)
    total_lines: dict[str, int] = field(default_factory=dict)


DEFAULT_GENRE = "援疆"


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    province: str
    prefecture: str
    counties: tuple[str, ...]
    path: Path
    genre: str = DEFAULT_GENRE  # 东西部协作: titles and file names say 2023年大姚县东西部协作工作简报
    publication: str = ""  # the masthead; empty: <genre>工作简报
    issuer: str = ""  # 编发单位; empty: the county file's command (a summary: the program's name)
    county_names: dict[str, str] = field(default_factory=dict)  # for counties without a file
    total_from: int | None = None  # 总第N期 counts on from this many earlier issues; None: no running total
    archive_copies: int = 0  # copies kept on file, counted in 共印X份

    @property
    def masthead(self) -> str:
        return self.publication or f"{self.genre}工作简报"


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    briefs: tuple[str, ...]
    line: int = 0
    role: str = "发"  # 报 | 送 | 发: the 版记 line that lists it
    extra: tuple[str, ...] = ()  # documents it is listed under 本期增发 for
