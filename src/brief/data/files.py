"""Readers for the data files: county year, program, program year, recipients."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..domain.quantity import ASCII_DIGITS, Quantity, QuantityError, parse_quantity
from ..errors import Problem
from .catalog import Catalog
from .citations import check_citations
from .images import check_image
from .records import DEFAULT_GENRE, CountyYear, Highlight, Program, ProgramYear, Recipient
from .schema import HIGHLIGHTS_MAX, LINE_MAX, NAME_MAX, TEXT_MAX, Checker, email_problem, shown, unknown_key_message
from .yamlfile import YList, YMap, YStr, load_yaml

COUNTY_KEYS = ("county", "prefecture", "partner", "command", "year", "batch", "status", "source",
               "headline", "summary", "indicators", "highlights", "key_figures", "period", "classification")
COUNTY_REQUIRED = ("county", "partner", "year")
PROGRAM_KEYS = ("name", "province", "prefecture", "counties", "genre", "publication", "issuer", "county_names",
                "total_from", "archive_copies")
PROGRAM_YEAR_KEYS = ("year", "source", "status", "headline", "summary", "indicators", "totals", "highlights",
                     "key_figures", "period", "classification")
KEY_FIGURES_MAX = 6  # boxes the band lays out on one line
HIGHLIGHT_KEYS = ("title", "text", "image", "caption")
RECIPIENT_KEYS = ("name", "email", "briefs", "role", "extra")
RECIPIENT_REQUIRED = ("name", "email", "briefs")
CLASSIFICATIONS = ("内部", "秘密", "机密")
ROLES = ("报", "送", "发")
STATUSES = ("final", "draft")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# Names go into file names and e-mail subjects: checked by schema.name_problem.
COUNTY_NAMES = ("county", "prefecture", "partner", "command")
PROGRAM_NAMES = ("name", "province", "prefecture", "genre", "publication", "issuer")
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


def _column(key: str, fallback: str) -> str:
    """A key for the line's ``key:`` column; one with a colon or an invisible character would break
    the line, so the enclosing key is named instead (the message quotes the key itself)."""
    return key if key.isprintable() and not re.search(r"[\s:]", key) else fallback


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
            c.add(line, _column(ind_key, key), unknown_key_message(ind_key, known, "不在 indicators.yaml 中"))
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
        for key in ("title", "text", "caption"):
            _cited(c, c.text(item, key), key, catalog, present)
    image = _image(c, item, path, data_root)
    return Highlight(section, str(c.text(item, "title") or ""), str(text), image,
                     str(c.text(item, "caption") or ""), path, text.line + (1 if text.block else 0))


def _cited(c: Checker, value: YStr | None, field: str, catalog: Catalog, present: set[str]) -> None:
    """``{{ ind.x }}`` in a text that is printed (headline, summary, a highlight's title, text, caption):
    each cited key must be in the catalog and have a value in this file."""
    if value is None:
        return
    for line, key, message in check_citations(value, set(catalog.indicators), present):
        c.add(line, key if key != "-" else field, message)


def _year_citations(c: Checker, top: YMap, catalog: Catalog) -> None:
    present = _written(top, "indicators", catalog)
    for key in ("headline", "summary"):
        value = c.text(top, key)
        if value is not None and len(value) <= TEXT_CAPS[key]:  # an over-long one is said once, as too long
            _cited(c, value, key, catalog, present)


def _key_figures(c: Checker, top: YMap, catalog: Catalog) -> tuple[str, ...]:
    """``key_figures: [a, b]``: 1–6 keys of this file's indicators, each once, in the band's order."""
    if "key_figures" not in top:
        return ()
    items = c.text_list(top, "key_figures")
    line = top.key_lines["key_figures"]
    if not items and (isinstance(top["key_figures"], list) or top["key_figures"] == ""):
        c.add(line, "key_figures", f"至少列 1 个指标键，最多 {KEY_FIGURES_MAX} 个")
    if len(items) > KEY_FIGURES_MAX:
        c.add(line, "key_figures", f"列了 {len(items)} 个指标，最多 {KEY_FIGURES_MAX} 个：一行放不下更多的数字框")
        return ()
    present = _written(top, "indicators", catalog)
    out: list[str] = []
    for item in items:
        key = str(item)
        if key not in catalog.indicators:
            c.add(item.line, _column(key, "key_figures"),
                  unknown_key_message(key, list(catalog.indicators), "不在 indicators.yaml 中"))
        elif key not in present:
            c.add(item.line, key, f"关键数字“{key}”在本文件 indicators 中没有数值")
        elif key in out:
            c.add(item.line, key, "关键数字重复列出；每个指标只列一次")
        else:
            out.append(key)
    return tuple(out)


_PERIOD = re.compile(r"(?:([0-9]{1,2})\s*[-—–－~～至到]+\s*|截至|截止)([0-9]{1,2})\s*月(?:份|底|末)?")


def _period(c: Checker, top: YMap) -> str:
    """``period: 1—10月`` (also 1-10月, 截至10月): printed 1—10月; a full year (1—12月) is no period."""
    value = c.text(top, "period")
    if value is None or not value.strip():
        return ""
    m = _PERIOD.fullmatch(value.strip())
    start, end = (int(m.group(1) or 1), int(m.group(2))) if m else (0, 0)
    if not m or not 1 <= start <= end <= 12:
        c.add(value.line, "period", f"“{shown(value)}”不是月份区间；应写作 1—10月（也可写 1-10月 或 截至10月）")
        return ""
    if (start, end) == (1, 12):
        return ""
    return f"{start}—{end}月" if start != end else f"{end}月"


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
        folder = path.parent.resolve().relative_to(root).as_posix() if path.parent.resolve().is_relative_to(root) \
            else path.parent.name
        c.add(raw.line, "image", _missing_image(raw, target, folder))
        return None
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        c.add(raw.line, "image", f"图片“{shown(raw)}”应为 JPG 或 PNG")
        return None
    problem = check_image(target)
    if problem:
        c.add(raw.line, "image", f"“{shown(raw)}”：{problem}")
        return None
    return target


def _missing_image(raw: str, target: Path, folder: str) -> str:
    """Where the photo was looked for; a name that differs only in case (义诊.JPG) is named, as
    Windows, where offices name their photos, does not tell the two apart."""
    try:
        twins = [p.name for p in target.parent.iterdir() if p.name.lower() == target.name.lower()]
    except OSError:
        twins = []
    if twins:
        return f"找不到图片“{shown(raw)}”：文件名的大小写不同，文件夹里是“{shown(twins[0])}”；请写得完全一致"
    return f"找不到图片“{shown(raw)}”：数据目录中没有 {folder}/{shown(raw)}；请把图片放到那里，或改正路径"


def _written(top: YMap, key: str, catalog: Catalog) -> set[str]:
    """Indicator keys the file writes, valid or not, and the key a misspelt one was meant to be: one
    mistake is reported once (as the typo), not again by each citation or key figure of that key."""
    m = top.get(key)
    if not isinstance(m, YMap):
        return set()
    known = list(catalog.indicators)
    meant = {guess for k in m if k not in catalog.indicators
             for guess in difflib.get_close_matches(k, known, n=1, cutoff=0.6)}
    return set(m) | meant


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
    highlights = _highlights(c, top, catalog, _written(top, "indicators", catalog), path, data_root)
    t = _texts(c, top, ("county", "prefecture", "partner", "command", "batch", "source", "headline", "summary"),
               COUNTY_NAMES)
    _year_citations(c, top, catalog)
    record = CountyYear(year=year, path=path, status=status, source=t["source"], headline=t["headline"],
                        period=_period(c, top),
                        summary=t["summary"], indicators=values, highlights=highlights, lines=lines,
                        key_figures=_key_figures(c, top, catalog),
                        id=county_id, county=t["county"], prefecture=t["prefecture"], partner=t["partner"],
                        command=t["command"], batch=t["batch"], classification=_classification(c, top))
    return record, problems + c.problems


def read_program(path: Path, program_id: str) -> tuple[Program | None, list[Problem], dict[str, int]]:
    problems: list[Problem] = []
    top, c = _top(path, problems)
    if top is None:
        return None, problems + c.problems, {}
    c.keys(top, PROGRAM_KEYS, ("name", "counties"))
    counties = c.text_list(top, "counties")
    t = _texts(c, top, PROGRAM_NAMES, PROGRAM_NAMES)
    names = _county_names(c, top, {str(x) for x in counties})
    record = Program(program_id, t["name"], t["province"], t["prefecture"], tuple(map(str, counties)), path,
                     genre=t["genre"] or DEFAULT_GENRE, publication=t["publication"], issuer=t["issuer"],
                     county_names=names, total_from=_count(c, top, "total_from", None),
                     archive_copies=_count(c, top, "archive_copies", 0) or 0)
    return record, problems + c.problems, {str(x): x.line for x in counties}


def _county_names(c: Checker, top: YMap, listed: set[str]) -> dict[str, str]:
    """``county_names: {dayao: 大姚县}``: how to print a listed county that has no file in a year."""
    if "county_names" not in top:
        return {}
    m = c.mapping(top["county_names"], "county_names", top.key_lines["county_names"])
    out: dict[str, str] = {}
    for cid, name in (m or {}).items():
        if cid not in listed:
            c.add(m.key_lines[cid], cid, f"“{shown(cid)}”不在 counties 列表中；county_names 只为所列的县起名")
            continue
        if not isinstance(name, YStr) or not name.strip():
            c.add(m.key_lines[cid], cid, "应为县名，例如 dayao: 大姚县")
            continue
        c.name(name, cid)
        out[cid] = str(name)
    return out


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
    highlights = _highlights(c, top, catalog, _written(top, "indicators", catalog), path, data_root)
    t = _texts(c, top, ("source", "headline", "summary"))
    _year_citations(c, top, catalog)
    record = ProgramYear(year=year, path=path, status=status, source=t["source"], headline=t["headline"],
                         period=_period(c, top),
                         summary=t["summary"], indicators=values, highlights=highlights, lines=lines,
                         key_figures=_key_figures(c, top, catalog),
                         program=program_id, totals=totals, total_lines=total_lines,
                         classification=_classification(c, top))
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
        c.keys(item, RECIPIENT_KEYS, RECIPIENT_REQUIRED, where="收件人")
        c.name(c.text(item, "name"), "name")
        email = c.text(item, "email")
        if email:
            _email(c, email, seen)
        briefs = c.text_list(item, "briefs")
        role = c.choice(item, "role", ROLES, "发")
        extra = c.text_list(item, "extra") if "extra" in item else []
        out.append(Recipient(str(c.text(item, "name") or ""), str(email or ""), tuple(map(str, briefs)), item.line,
                             role, tuple(map(str, extra))))
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


def _classification(c: Checker, top: YMap) -> str:
    """``classification: 内部 | 秘密 | 机密``; absent: no 密级 is printed."""
    return c.choice(top, "classification", CLASSIFICATIONS, "") if "classification" in top else ""


def _count(c: Checker, top: YMap, key: str, default: int | None) -> int | None:
    """A whole number of issues or copies (``total_from: 75``, ``archive_copies: 2``)."""
    if key not in top:
        return default
    raw = top[key]
    text = str(raw).strip()
    if not isinstance(raw, YStr) or not text.isascii() or not text.isdigit() or len(text) > 6:
        c.add(top.key_lines[key], key, f"应为不小于 0 的整数，例如 {key}: 2")
        return default
    return int(text)
