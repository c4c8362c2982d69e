"""Where everything sits in a 填报表: shared by the writer and the importer, so they cannot disagree."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..compose.names import Office
from ..data.records import DEFAULT_GENRE

FORM_VERSION = 1
FORM_MAGIC = "brief-form"

GUIDE_SHEET = "填写说明"
FACTS_SHEET = "基本情况"
HIGHLIGHTS_SHEET = "工作亮点"
META_SHEET = "_brief"  # hidden: county id, year, version, which sheet holds which section and indicator

TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4

# Indicator sheets (one per catalog section): 指标 | 单位 | 本年数值 | 上年数值 | 指标键 | (hidden marker)
COL_LABEL, COL_UNIT, COL_VALUE, COL_LAST, COL_KEY, COL_MARK = 1, 2, 3, 4, 5, 6
# Facts sheet: 项目 | 填写内容 | 说明 | 键 | (hidden marker)
F_LABEL, F_VALUE, F_NOTE, F_KEY, F_MARK = 1, 2, 3, 4, 5
# Highlights sheet: 栏目 | 标题 | 正文 | 图片 | 图片说明 | (hidden marker)
H_SECTION, H_TITLE, H_TEXT, H_IMAGE, H_CAPTION, H_MARK = 1, 2, 3, 4, 5, 6
H_FIELDS = {"title": H_TITLE, "text": H_TEXT, "image": H_IMAGE, "caption": H_CAPTION}
HIGHLIGHT_SPARE_ROWS = 12
HIGHLIGHT_MIN_ROWS = 24


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    note: str
    required: bool = False
    long: bool = False


SAMPLE = {"prefecture": "喀什地区", "partner": "济宁市", "command": "济宁援疆指挥部"}  # the seed office's


def office_facts(genre: str = DEFAULT_GENRE, examples: Mapping[str, str] | None = None) -> tuple[Fact, ...]:
    """The facts sheet's rows in the office's own words: 援疆 (and 援藏, …) calls its partner 援助城市 and its
    command 援疆指挥部; 东西部协作 and other genres say 帮扶 as their briefs do (``Office.aid``).
    ``examples`` (prefecture, partner, command: the office's own data) fill the 说明 column; without
    them 援疆's sample (喀什地区, 济宁市, 济宁援疆指挥部) is shown, as forms always did."""
    words = examples if examples is not None else SAMPLE
    if genre.startswith("援"):
        partner, command, batch = "援助城市", f"{genre}指挥部", f"{genre}批次"
    else:
        verb = Office(genre, "", "").aid.removeprefix("对口")  # 帮扶
        partner, command, batch = f"{verb}城市", f"{verb}工作机构", "选派批次"

    def example(key: str, before: str = "") -> str:
        shown = f"例如 {words[key]}" if words.get(key) else ""
        return "，".join(t for t in (before, shown) if t)

    return (
        Fact("county", "县（市）名称", "必填", required=True),
        Fact("prefecture", "所属地区", example("prefecture")),
        Fact("partner", partner, example("partner", "必填"), required=True),
        Fact("command", command, example("command")),
        Fact("year", "年份", "由表单确定，不能修改"),
        Fact("batch", batch, "例如 第十一批"),
        Fact("status", "稿件状态", "定稿，或 征求意见稿（简报带水印）"),
        Fact("source", "数据来源", "简报中印作“数据来源：…”"),
        Fact("headline", "简报标题", "可不填"),
        Fact("summary", "导语", "一段文字，可不填", long=True),
    )


FACTS = office_facts()  # the keys and rows, the same for every office; labels: office_facts(genre)
STATUS_WORDS = {"final": "定稿", "draft": "征求意见稿"}
STATUS_KEYS = {v: k for k, v in STATUS_WORDS.items()}

ACCEPTED = "2.12万、1600余、7万多、近10万、约5万、超过100亿、490"

_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_COUNT = re.compile(r"[0-9]{1,9}")
_FORM_NAME = re.compile(r"(\d{4})年(.+?)数据填报表")  # the county's name, then its genre (援疆, …)


_UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(county_name: str) -> str:
    """A county name as it may appear in a file name: no separators (``../x`` stays in the folder)."""
    return _UNSAFE_IN_FILE_NAME.sub("_", county_name).strip(". ") or "_"


def form_title(year: int, county_name: str, genre: str = DEFAULT_GENRE) -> str:
    return f"{year}年{county_name}{genre}数据填报表"


def form_file_name(year: int, county_name: str, genre: str = DEFAULT_GENRE) -> str:
    return f"{form_title(year, safe_name(county_name), genre)}.xlsx"


def name_in_file_name(file_name: str) -> tuple[int, str] | None:
    """(year, county name and genre, as one text) when a file is still named the way ``brief form``
    names it: 2023年英吉沙县援疆数据填报表 gives (2023, "英吉沙县援疆")."""
    m = _FORM_NAME.search(file_name)
    return (int(m.group(1)), m.group(2)) if m else None


def marker(county_id: str, year: int, part: str) -> str:
    """Written into a hidden cell of every sheet: a sheet pasted in from another form is caught."""
    return f"{FORM_MAGIC}|{FORM_VERSION}|{county_id}|{year}|{part}"


def parse_marker(text: object) -> tuple[str, int, str] | None:
    if not isinstance(text, str):
        return None
    parts = text.split("|")
    year = ascii_number(parts[3]) if len(parts) == 5 else None
    if year is None or parts[0] != FORM_MAGIC:
        return None
    return parts[2], year, parts[4]


def ascii_number(text: str) -> int | None:
    """A row, year or version number written in a cell: ASCII digits only (int() would take ²٣ too)."""
    return int(text) if _COUNT.fullmatch(text) else None


def display_width(text: str) -> int:
    """Columns a text needs: a Chinese character counts as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(title: str, taken: set[str]) -> str:
    """A section title made safe for a sheet name (31 characters, no []:*?/\\), unique in the book."""
    name = _FORBIDDEN_IN_SHEET_NAME.sub("_", title).strip("'") or "栏目"
    name = name[:31]
    base, n = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


@dataclass
class Meta:
    """What the hidden sheet records about a form."""

    county_id: str
    year: int
    county_name: str
    version: int = FORM_VERSION
    sections: dict[str, str] = field(default_factory=dict)  # section key -> sheet name
    indicators: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # key -> (sheet, row, label)
    # What the form was filled from (forms/stale.py): the county year file's sha256, None for a form
    # made before forms remembered it; and a digest of each field's pre-filled value, by field id.
    source: str | None = None
    base: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[list[str]]:
        out = [["form", FORM_MAGIC], ["version", str(self.version)], ["county", self.county_id],
               ["county_name", self.county_name], ["year", str(self.year)]]
        out += [["section", key, name] for key, name in self.sections.items()]
        out += [["indicator", key, sheet, str(row), label] for key, (sheet, row, label) in self.indicators.items()]
        if self.source is not None:
            out.append(["source", self.source])
            out += [["base", key, value] for key, value in self.base.items()]
        return out

    @classmethod
    def from_rows(cls, rows: list[list[str]]) -> Meta | None:
        head: dict[str, str] = {}
        sections: dict[str, str] = {}
        indicators: dict[str, tuple[str, int, str]] = {}
        base: dict[str, str] = {}
        for row in rows:
            cells = [str(c) if c is not None else "" for c in row]
            if not cells or not cells[0]:
                continue
            kind = cells[0]
            if kind == "section" and len(cells) >= 3:
                sections[cells[1]] = cells[2]
            elif kind == "indicator" and len(cells) >= 5 and ascii_number(cells[3]) is not None:
                indicators[cells[1]] = (cells[2], int(cells[3]), cells[4])
            elif kind == "base" and len(cells) >= 3:
                base[cells[1]] = cells[2]
            elif len(cells) >= 2:
                head[kind] = cells[1]
        year, version = ascii_number(head.get("year", "")), ascii_number(head.get("version", ""))
        if head.get("form") != FORM_MAGIC or year is None:
            return None
        return cls(head.get("county", ""), year, head.get("county_name", ""),
                   -1 if version is None else version, sections, indicators, head.get("source") or None, base)
