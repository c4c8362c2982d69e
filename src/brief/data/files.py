"""Readers for the data files: county year, program, program year, recipients."""

from __future__ import annotations

import re
from pathlib import Path

from ..domain.quantity import ASCII_DIGITS, Quantity, QuantityError, parse_quantity
from ..errors import Problem
from .catalog import Catalog
from .citations import check_citations
from .images import check_image
from .records import CountyYear, Highlight, Program, ProgramYear, Recipient
from .schema import HIGHLIGHTS_MAX, LINE_MAX, NAME_MAX, TEXT_MAX, Checker, email_problem, shown, unknown_key_message
from .yamlfile import YList, YMap, YStr, load_yaml

COUNTY_KEYS = ("county", "prefecture", "partner", "command", "year", "batch", "status", "source",
               "headline", "summary", "indicators", "highlights")
COUNTY_REQUIRED = ("county", "partner", "year")
PROGRAM_KEYS = ("name", "province", "prefecture", "counties")
PROGRAM_YEAR_KEYS = ("year", "source", "status", "headline", "summary", "indicators", "totals", "highlights")
HIGHLIGHT_KEYS = ("title", "text", "image", "caption")
RECIPIENT_KEYS = ("name", "email", "briefs")
STATUSES = ("final", "draft")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# Names go into file names and e-mail subjects: checked by schema.name_problem.
COUNTY_NAMES = ("county", "prefecture", "partner", "command")
PROGRAM_NAMES = ("name", "province", "prefecture")
# Other texts: only capped (their characters are checked against the fonts by preflight).
TEXT_CAPS = {"batch": NAME_MAX, "source": LINE_MAX, "headline": LINE_MAX, "summary": TEXT_MAX}
HIGHLIGHT_CAPS = {"title": NAME_MAX, "text": TEXT_MAX, "caption": LINE_MAX}


def _top(path: Path, problems: list[Problem]) -> tuple[YMap | None, Checker]:
    c = Checker(str(path))
    loaded = load_yaml(path, problems)
    if loaded is None:
        return None, c
    top = c.mapping(loaded.value, "-", 1)
    if top is None and loaded.value is None:
        c.add(1, "-", "文件是空的")
    return top, c


def _year(c: Checker, top: YMap, expected: int) -> int:
    value = c.text(top, "year")
    if value is None:
        return expected
    if not re.fullmatch(r"[0-9]{4}", value):  # not \d: int() would read ２０２３ or ٢٠٢٣ too
        other = "" if value.isascii() else f"；{ASCII_DIGITS}"
        c.add(value.line, "year", f"年份“{shown(value)}”应为四位数字，例如 2023{other}")
        return expected
    if int(value) != expected:
        c.add(value.line, "year", f"年份 {value} 与文件名 {expected}.yaml 不一致")
    return int(value)


def _quantities(c: Checker, top: YMap, key: str, catalog: Catalog) -> tuple[dict[str, Quantity], dict[str, int]]:
    values: dict[str, Quantity] = {}
    lines: dict[str, int] = {}
    m = c.mapping(top.get(key), key, top.key_lines.get(key, 1))
    if m is None:
        return values, lines
    known = list(catalog.indicators)
    for ind_key, raw in m.items():
        line = m.key_lines[ind_key]
        if ind_key not in catalog.indicators:
            c.add(line, ind_key, unknown_key_message(ind_key, known, "不在 indicators.yaml 中"))
            continue
        ind = catalog.indicators[ind_key]
        if not isinstance(raw, YStr):
            c.add(line, ind_key, "数值应为一个数量，例如 2.12万 或 1600余")
            continue
        try:
            values[ind_key] = parse_quantity(str(raw), ind.unit, change=ind.change, units_also=ind.units_also)
        except QuantityError as exc:
            c.add(raw.line if raw else line, ind_key, str(exc))
            continue
        lines[ind_key] = raw.line if raw else line
    return values, lines


def _highlights(c: Checker, top: YMap, catalog: Catalog, present: set[str], path: Path,
                data_root: Path) -> tuple[Highlight, ...]:
    m = c.mapping(top.get("highlights"), "highlights", top.key_lines.get("highlights", 1))
    if m is None:
        return ()
    out: list[Highlight] = []
    count = sum(len(items) for items in m.values() if isinstance(items, YList))
    if count > HIGHLIGHTS_MAX:
        c.add(top.key_lines["highlights"], "highlights", f"要点太多（{count} 条），每个文件最多 {HIGHLIGHTS_MAX} 条")
        return ()
    for section, items in m.items():
        if section not in catalog.sections:
            c.add(m.key_lines[section], section, unknown_key_message(section, list(catalog.sections), "栏目"))
            continue
        if not isinstance(items, list):
            c.add(m.key_lines[section], section, "应为列表：每项以“- title: …”开头")
            continue
        for item in items:
            h = _highlight(c, item, section, catalog, present, path, data_root)
            if h is not None:
                out.append(h)
    return tuple(out)


def _highlight(c: Checker, item: object, section: str, catalog: Catalog, present: set[str], path: Path,
               data_root: Path) -> Highlight | None:
    if not isinstance(item, YMap):
        c.add(getattr(item, "line", None), section, "每项应包含 title 和 text")
        return None
    c.keys(item, HIGHLIGHT_KEYS, ("title", "text"), where="highlights")
    text = c.text(item, "text") or YStr("", item.line)
    capped = [c.capped(c.text(item, key), key, limit) for key, limit in HIGHLIGHT_CAPS.items()]
    if all(capped):  # an over-long text is not parsed for citations: one line says what is wrong
        for line, key, message in check_citations(text, set(catalog.indicators), present):
            c.add(line, key if key != "-" else "text", message)
    image = _image(c, item, path, data_root)
    return Highlight(section, str(c.text(item, "title") or ""), str(text), image,
                     str(c.text(item, "caption") or ""), path, text.line + (1 if text.block else 0))


def _image(c: Checker, item: YMap, path: Path, data_root: Path) -> Path | None:
    raw = c.text(item, "image")
    if raw is None or raw == "":
        return None
    if "\0" in raw or any(len(part.encode()) > 255 for part in Path(raw).parts):
        # The system refuses such names (embedded NUL, ENAMETOOLONG) before it looks for the file.
        c.add(raw.line, "image", f"图片路径“{shown(raw)}”不是有效的文件名；请写图片的相对路径，如 photos/team.jpg")
        return None
    target = (path.parent / raw).resolve()
    root = data_root.resolve()
    if Path(raw).is_absolute() or not target.is_relative_to(root):
        c.add(raw.line, "image", f"图片路径“{shown(raw)}”离开了数据目录；请把图片放在数据目录内，写相对路径")
        return None
    try:
        found = target.is_file()
    except OSError:  # a path too long as a whole, or a loop: not a file the data can point at
        found = False
    if not found:
        c.add(raw.line, "image", f"找不到图片“{shown(raw)}”（相对于 {path.parent.name}/）")
        return None
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        c.add(raw.line, "image", f"图片“{shown(raw)}”应为 JPG 或 PNG")
        return None
    problem = check_image(target)
    if problem:
        c.add(raw.line, "image", f"“{shown(raw)}”：{problem}")
        return None
    return target


def _written(top: YMap, key: str) -> set[str]:
    """Indicator keys the file writes, valid or not: a bad value is reported once, not again per citation."""
    m = top.get(key)
    return set(m) if isinstance(m, YMap) else set()


def _texts(c: Checker, top: YMap, keys: tuple[str, ...], names: tuple[str, ...] = ()) -> dict[str, str]:
    """The top-level texts ``keys``, each checked: ``names`` as names, the others against TEXT_CAPS."""
    out = {}
    for k in keys:
        value = c.text(top, k)
        if k in names:
            c.name(value, k)
        else:
            c.capped(value, k, TEXT_CAPS.get(k, LINE_MAX))
        out[k] = str(value or "")
    return out


def read_county_year(path: Path, county_id: str, year: int, catalog: Catalog,
                     data_root: Path) -> tuple[CountyYear | None, list[Problem]]:
    problems: list[Problem] = []
    top, c = _top(path, problems)
    if top is None:
        return None, problems + c.problems
    c.keys(top, COUNTY_KEYS, COUNTY_REQUIRED)
    _year(c, top, year)
    status = c.choice(top, "status", STATUSES, "final")
    values, lines = _quantities(c, top, "indicators", catalog)
    highlights = _highlights(c, top, catalog, _written(top, "indicators"), path, data_root)
    t = _texts(c, top, ("county", "prefecture", "partner", "command", "batch", "source", "headline", "summary"),
               COUNTY_NAMES)
    record = CountyYear(year=year, path=path, status=status, source=t["source"], headline=t["headline"],
                        summary=t["summary"], indicators=values, highlights=highlights, lines=lines,
                        id=county_id, county=t["county"], prefecture=t["prefecture"], partner=t["partner"],
                        command=t["command"], batch=t["batch"])
    return record, problems + c.problems


def read_program(path: Path, program_id: str) -> tuple[Program | None, list[Problem], dict[str, int]]:
    problems: list[Problem] = []
    top, c = _top(path, problems)
    if top is None:
        return None, problems + c.problems, {}
    c.keys(top, PROGRAM_KEYS, ("name", "counties"))
    counties = c.text_list(top, "counties")
    t = _texts(c, top, ("name", "province", "prefecture"), PROGRAM_NAMES)
    record = Program(program_id, t["name"], t["province"], t["prefecture"], tuple(map(str, counties)), path)
    return record, problems + c.problems, {str(x): x.line for x in counties}


def read_program_year(path: Path, program_id: str, year: int, catalog: Catalog,
                      data_root: Path) -> tuple[ProgramYear | None, list[Problem]]:
    problems: list[Problem] = []
    top, c = _top(path, problems)
    if top is None:
        return None, problems + c.problems
    c.keys(top, PROGRAM_YEAR_KEYS, ("year",))
    _year(c, top, year)
    status = c.choice(top, "status", STATUSES, "final")
    values, lines = _quantities(c, top, "indicators", catalog)
    totals, total_lines = _quantities(c, top, "totals", catalog)
    highlights = _highlights(c, top, catalog, _written(top, "indicators"), path, data_root)
    t = _texts(c, top, ("source", "headline", "summary"))
    record = ProgramYear(year=year, path=path, status=status, source=t["source"], headline=t["headline"],
                         summary=t["summary"], indicators=values, highlights=highlights, lines=lines,
                         program=program_id, totals=totals, total_lines=total_lines)
    return record, problems + c.problems


def read_recipients(path: Path) -> tuple[list[Recipient], list[Problem]]:
    problems: list[Problem] = []
    c = Checker(str(path))
    loaded = load_yaml(path, problems)
    if loaded is None:
        return [], problems
    if not isinstance(loaded.value, list):
        c.add(1, "-", "收件人名单应为列表：每项以“- name: …”开头")
        return [], problems + c.problems
    out = []
    seen: dict[str, int] = {}
    for item in loaded.value:
        if not isinstance(item, YMap):
            c.add(getattr(item, "line", None), "-", "每位收件人应包含 name、email、briefs")
            continue
        c.keys(item, RECIPIENT_KEYS, RECIPIENT_KEYS, where="收件人")
        c.name(c.text(item, "name"), "name")
        email = c.text(item, "email")
        if email:
            _email(c, email, seen)
        briefs = c.text_list(item, "briefs")
        out.append(Recipient(str(c.text(item, "name") or ""), str(email or ""), tuple(map(str, briefs)), item.line))
    return out, problems + c.problems


def _email(c: Checker, email: YStr, seen: dict[str, int]) -> None:
    """The address grammar of schema.email_problem, and each address once: distribute checks the
    same before it sends anything, so a bad entry never stops a run halfway."""
    problem = email_problem(email)
    if problem:
        c.add(email.line, "email", f"“{shown(email)}”不是有效的邮件地址：{problem}")
        return
    key = email.lower()
    if key in seen:
        c.add(email.line, "email", f"{email} 已在第 {seen[key]} 行出现：同一邮箱只能列一次")
    seen.setdefault(key, email.line)
