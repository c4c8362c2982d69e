"""The document tree: what a brief says, with no trace of YAML, Jinja, reportlab or python-docx.

Readers (compose/) build it; writers (writers/pdf, writers/docx) walk it with one method per node
type. The set of block types is closed: a writer must handle every one (a test checks this).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

# The closed vocabularies of the tree: every writer has a style for each (a test checks), and a node
# outside them is refused when it is made, not rendered as something else.
ROLES = ("body", "lead", "source", "note", "center")  # Paragraph.role
HEADING_LEVELS = (0, 1, 2)  # Heading.level: title, 一、, （一）


@dataclass(frozen=True)
class Text:
    """A run of text; ``bold`` is the only inline emphasis a brief uses."""

    text: str
    bold: bool = False


Inlines = tuple[Text, ...]


def plain(inlines: Inlines) -> str:
    """The text of a run sequence, as a reader would copy it."""
    return "".join(t.text for t in inlines)


@dataclass(frozen=True)
class Masthead:
    """The 简报 head: red title, issuing office and date line, red rule."""

    title: str
    issuer: str = ""
    date: str = ""
    number: str = ""  # e.g. 第1期; empty prints nothing
    classification: str = ""  # 密级 (内部 | 秘密 | 机密), top left in 黑体; empty prints nothing


@dataclass(frozen=True)
class Heading:
    """A title (level 0, centred 小标宋), 一、 heading (1, 黑体) or （一） heading (2, 楷体)."""

    level: int
    inlines: Inlines

    def __post_init__(self) -> None:
        if self.level not in HEADING_LEVELS:
            raise ValueError(f"heading level must be 0, 1 or 2, got {self.level}")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph. ``role`` (one of ``ROLES``) picks the style."""

    inlines: Inlines
    role: str = "body"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"paragraph role must be one of {', '.join(ROLES)}, got {self.role!r}")


@dataclass(frozen=True)
class Table:
    """A table; the first row is the header. Each cell is a run sequence (values carry units)."""

    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = ()  # per column: right-align figures

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"table {self.caption!r}: row {i + 1} has {len(row)} cells, "
                                 f"header has {len(self.header)}")


@dataclass(frozen=True)
class Figure:
    """A photo with its caption; ``path`` is resolved and checked by the data layer."""

    path: Path
    caption: str = ""


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str


@dataclass(frozen=True)
class KeyFigures:
    """A boxed row of the figures a reader should see first."""

    items: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # chart geometry only; the printed figures stay Decimal text
    labels: tuple[str, ...] = ()  # each value as the template wrote it (12.50), printed on its bar


@dataclass(frozen=True)
class Chart:
    """A bar chart: categories along the axis, one or more series; vector in PDF, image in DOCX."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""


@dataclass(frozen=True)
class Record:
    """The 版记 at the foot of the last page: 报/送/发 and 本期增发 lines between rules, then who
    printed it, when, and how many copies (GB/T 9704 §7.4)."""

    lines: tuple[str, ...]  # 报：…  送：…  发：…  本期增发：…
    issuer: str
    printed: str  # 2023年12月20日印发
    copies: str  # （共印8份）


Block = Masthead | Heading | Paragraph | Table | Figure | KeyFigures | Chart | Record
BLOCK_TYPES: tuple[type, ...] = get_args(Block)


@dataclass(frozen=True)
class Meta:
    title: str
    author: str = ""
    draft: bool = False  # draws the 征求意见稿 watermark
    subject: str = ""


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...] = field(default_factory=tuple)
