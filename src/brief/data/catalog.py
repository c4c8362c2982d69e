"""The indicator catalog (indicators.yaml): sections in order, and every figure a brief may cite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BriefError, Problem
from .schema import NAME_MAX, Checker
from .yamlfile import YMap, YStr, load_yaml

AGGREGATES = ("sum", "max", "none")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Section:
    key: str
    title: str


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    section: str
    aggregate: str = "sum"
    change: bool = False
    key_figure: bool = False  # ``key: true``: a candidate for the key-figure band


@dataclass(frozen=True)
class Catalog:
    path: Path
    sections: dict[str, Section]  # in brief order
    indicators: dict[str, Indicator]  # in catalog order

    def in_section(self, section: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.section == section]


def read_catalog(path: Path) -> tuple[Catalog | None, list[Problem]]:
    problems: list[Problem] = []
    loaded = load_yaml(path, problems)
    if loaded is None:
        return None, problems
    c = Checker(str(path))
    top = c.mapping(loaded.value, "-", 1)
    if top is None:
        c.add(1, "-", "指标目录应包含 sections 和 indicators")
        return None, problems + c.problems
    c.keys(top, ("sections", "indicators"), ("sections", "indicators"))
    sections = _sections(c, top)
    indicators = _indicators(c, top, sections)
    problems += c.problems
    return Catalog(path, sections, indicators), problems


def _sections(c: Checker, top: YMap) -> dict[str, Section]:
    out: dict[str, Section] = {}
    m = c.mapping(top.get("sections"), "sections", top.key_lines.get("sections", 1))
    for key, spec in (m or {}).items():
        if not _KEY.match(key):
            c.add(m.key_lines[key], key, "栏目键只能用小写英文字母、数字和下划线")
        spec_map = c.mapping(spec, key, m.key_lines[key])
        if spec_map is None:
            c.add(m.key_lines[key], key, "栏目应写作 {title: 栏目名}")
            continue
        c.keys(spec_map, ("title",), ("title",))
        title = c.text(spec_map, "title")
        c.capped(title, "title", NAME_MAX)
        out[key] = Section(key, str(title or key))
    return out


def _indicators(c: Checker, top: YMap, sections: dict[str, Section]) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    m = c.mapping(top.get("indicators"), "indicators", top.key_lines.get("indicators", 1))
    fields = ("label", "unit", "section", "aggregate", "change", "key")
    for key, spec in (m or {}).items():
        line = m.key_lines[key]
        if not _KEY.match(key):
            c.add(line, key, "指标键只能用小写英文字母、数字和下划线，且以字母开头")
        elif hasattr(dict, key):  # {{ ind.items }} would print dict.items, not the figure
            c.add(line, key, f"指标键“{key}”与模板的内置名称重名；请换一个，如 {key}_count")
        spec_map = c.mapping(spec, key, line)
        if spec_map is None:
            c.add(line, key, "指标应写作 {label: …, unit: …, section: …, aggregate: …}")
            continue
        before = len(c.problems)
        c.keys(spec_map, fields, ("label", "section"), where=f"指标 {key}")
        section = c.text(spec_map, "section")
        if section is not None and section not in sections:
            c.add(section.line, key, f"栏目“{section}”不在 sections 中")
        aggregate = c.choice(spec_map, "aggregate", AGGREGATES, "sum")
        change = c.choice(spec_map, "change", ("true", "false"), "false") == "true"
        key_figure = c.choice(spec_map, "key", ("true", "false"), "false") == "true"
        unit = c.text(spec_map, "unit") or YStr("", line)
        if len(c.problems) == before:
            out[key] = Indicator(key, str(c.text(spec_map, "label")), str(unit), str(section), aggregate, change,
                                 key_figure)
        c.capped(c.text(spec_map, "label"), "label", NAME_MAX)  # after: a long label keeps its key known
    return out


def load_catalog(path: Path) -> Catalog:
    catalog, problems = read_catalog(path)
    if problems or catalog is None:
        raise BriefError(problems)
    return catalog
