"""Issue numbers (期号), kept in ``data/issues.yaml``: read, checked, handed out by ``brief issue``.

The file is a record: one entry per issued document, appended and never renumbered. Numbers run
1, 2, 3… per publication, year and series (正刊 | 增刊); 总第N期 counts 正刊 only, on from the
program's ``total_from``. ``brief issue`` holds an flock on ``.issues.lock`` beside the file while
it reads, numbers and rewrites it (temp file + rename), so two at once never share a number."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .data.schema import Checker, shown
from .data.yamlfile import YMap, YStr, load_yaml
from .errors import BriefError, Problem

FILE = "issues.yaml"
LOCK = ".issues.lock"
SERIES = ("正刊", "增刊")
KEYS = ("publication", "year", "number", "series", "document", "date", "printed")
REQUIRED = ("publication", "year", "number", "document", "date")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Entry:
    publication: str
    year: int
    number: int
    series: str
    document: str  # a county id, a program id, or summary:<program>
    date: dt.date  # 签发日期
    printed: dt.date  # 印发日期
    line: int = 0

    @property
    def label(self) -> str:
        """``2023年第12期`` or ``2023年增刊第1期``: what ``brief issue`` prints."""
        return f"{self.year}年{'增刊' if self.series == '增刊' else ''}第{self.number}期"


def cn_date(d: dt.date) -> str:
    """2023年12月20日, as the masthead and the 版记 print a date."""
    return f"{d.year}年{d.month}月{d.day}日"


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# -- reading ------------------------------------------------------------------------------------------


def read_issues(path: Path) -> tuple[list[Entry], list[Problem]]:
    """Every entry of ``issues.yaml``, with one problem per bad key; a missing file has none."""
    if not path.is_file():
        return [], []
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    if loaded is None:
        return [], problems
    c = Checker(str(path))
    if loaded.value is None or loaded.value == "":
        return [], problems
    if not isinstance(loaded.value, list):
        c.add(1, "-", "期号记录应为列表：每项以“- publication: …”开头（由 brief issue 写入）")
        return [], problems + c.problems
    out: list[Entry] = []
    for item in loaded.value:
        if not isinstance(item, YMap):
            c.add(getattr(item, "line", None), "-", "每条期号记录应包含 publication、year、number、document、date")
            continue
        entry = _entry(c, item)
        if entry:
            out.append(entry)
    return out, problems + c.problems


def _entry(c: Checker, item: YMap) -> Entry | None:
    before = len(c.problems)
    c.keys(item, KEYS, REQUIRED, where="期号记录")
    year = _whole(c, item, "year")
    number = _whole(c, item, "number")
    series = c.choice(item, "series", SERIES, "正刊")
    date = _day(c, item, "date")
    printed = _day(c, item, "printed") if "printed" in item else date
    publication, document = c.text(item, "publication"), c.text(item, "document")
    if len(c.problems) > before or not (year and number and date and printed and publication and document):
        return None
    return Entry(str(publication), year, number, series, str(document), date, printed, item.line)


def _whole(c: Checker, item: YMap, key: str) -> int | None:
    raw = item.get(key)
    if raw is None:
        return None
    text = str(raw).strip()
    if not isinstance(raw, YStr) or not text.isascii() or not text.isdigit() or int(text) < 1 or len(text) > 6:
        c.add(item.key_lines[key], key, f"应为正整数，不是“{shown(text)}”")
        return None
    return int(text)


def _day(c: Checker, item: YMap, key: str) -> dt.date | None:
    raw = item.get(key)
    if raw is None:
        return None
    day = parse_date(str(raw)) if isinstance(raw, YStr) else None
    if day is None:
        c.add(item.key_lines[key], key, f"日期应写成 2023-12-20，不是“{shown(str(raw))}”")
    return day


def check_issues(path: Path, entries: list[Entry], documents: set[tuple[str, int]]) -> list[Problem]:
    """Gaps, duplicates and entries whose document is gone: each one line naming the entry."""
    problems: list[Problem] = []
    where = str(path)
    seen_doc: dict[tuple[str, int], Entry] = {}
    seen_num: dict[tuple[str, int, str, int], Entry] = {}
    for e in entries:
        if (e.document, e.year) not in documents:
            problems.append(Problem(where, e.line, "document", f"{e.year} 年没有“{shown(e.document)}”这份简报："
                                    "应为县 id、项目 id 或 summary:<项目 id>"))
        first = seen_doc.setdefault((e.document, e.year), e)
        if first is not e:
            problems.append(Problem(where, e.line, "document", f"{e.document} 在 {e.year} 年已于第 {first.line} 行"
                                    f"编为{first.label}：一份简报只编一次号"))
        dup = seen_num.setdefault((e.publication, e.year, e.series, e.number), e)
        if dup is not e:
            problems.append(Problem(where, e.line, "number",
                                    f"{e.label}已在第 {dup.line} 行给了 {dup.document}：期号不能重复"))
    for (pub, year, series), nums in _numbers(entries).items():
        missing = sorted(set(range(1, max(nums) + 1)) - set(nums))
        if missing:
            e = next(x for x in entries if (x.publication, x.year, x.series) == (pub, year, series)
                     and x.number == min(n for n in nums if n > missing[0]))
            gap = "、".join(f"第{n}期" for n in missing)
            problems.append(Problem(where, e.line, "number", f"《{pub}》{year}年{series}缺少{gap}：期号应从 1 起连续"))
    return problems


def _numbers(entries: list[Entry]) -> dict[tuple[str, int, str], list[int]]:
    out: dict[tuple[str, int, str], list[int]] = {}
    for e in entries:
        out.setdefault((e.publication, e.year, e.series), []).append(e.number)
    return out


def total_number(entries: list[Entry], entry: Entry, total_from: int | None) -> int | None:
    """总第N期: the 正刊 issues of the publication up to this one, on from ``total_from``."""
    if total_from is None or entry.series != "正刊":
        return None
    earlier = [e for e in entries if e.publication == entry.publication and e.series == "正刊"
               and (e.year, e.number) <= (entry.year, entry.number)]
    return total_from + len(earlier)


# -- handing out a number -----------------------------------------------------------------------------


@contextmanager
def locked(data: Path) -> Iterator[None]:
    """Hold the data dir's issue lock: a second ``brief issue`` waits here until the first is done."""
    with open(data / LOCK, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def next_entry(entries: list[Entry], publication: str, year: int, series: str, document: str,
               date: dt.date) -> Entry:
    nums = [e.number for e in entries if (e.publication, e.year, e.series) == (publication, year, series)]
    return Entry(publication, year, max(nums, default=0) + 1, series, document, date, date)


def entry_text(e: Entry) -> str:
    """One entry as ``brief issue`` appends it: plain block YAML, one key a line."""
    return (f"- publication: {e.publication}\n  year: {e.year}\n  number: {e.number}\n  series: {e.series}\n"
            f"  document: {e.document}\n  date: {e.date.isoformat()}\n")


def append_entry(path: Path, e: Entry) -> None:
    """Append via a temp file and rename: a reader never sees half an entry."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# 期号记录：由 brief issue 写入，请勿改动已有期号\n"
    if old and not old.endswith("\n"):
        old += "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(old + entry_text(e), encoding="utf-8")
    os.replace(tmp, path)


def find(entries: list[Entry], document: str, year: int) -> Entry | None:
    return next((e for e in entries if e.document == document and e.year == year), None)


def refuse_reissue(path: Path, e: Entry) -> BriefError:
    return BriefError.at(str(path), e.line, "document", f"{e.document} 已编为{e.label}，不能再编号")
