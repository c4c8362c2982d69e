"""A program's counties for one year → the annual summary's document tree.

Every total is computed here from the county files with the catalog's rule (domain/aggregate);
the template only chooses the words around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import model
from ..data.catalog import Indicator
from ..data.dataset import Dataset
from ..data.records import CountyYear
from ..domain.aggregate import aggregate, change, leading
from ..domain.quantity import Quantity, format_change, format_quantity
from ..errors import BriefError
from .context import figures, sections
from .county import default_templates
from .markdown import to_document
from .sandbox import Sandbox

TEMPLATE = "summary.md.j2"
CHART_KEYS = ("cadres_dispatched", "student_aid_funds")


@dataclass
class Row:
    """One indicator across counties: per-county texts, the combined figure, the leader."""

    indicator: Indicator
    by_county: dict[str, Quantity]
    total: Quantity | None
    previous_total: Quantity | None = None

    def value(self, county_id: str) -> str:
        q = self.by_county.get(county_id)
        return _text(self.indicator, q) if q is not None else "—"

    @property
    def label(self) -> str:
        return self.indicator.label

    @property
    def total_text(self) -> str:
        return _text(self.indicator, self.total) if self.total is not None else "—"

    @property
    def leader(self) -> str | None:
        return leading(self.by_county)

    def chart(self, columns: list[CountyCol], most: int = 12) -> tuple[str, list[str], list[str]]:
        """Axis unit, county names and bar heights (in 万 when the figures run large); past
        ``most`` counties only the largest are drawn, in their order, so labels stay legible."""
        shown = [c for c in columns if c.id in self.by_county]
        if len(shown) > most:
            keep = {c.id for c in sorted(shown, key=lambda c: -self.by_county[c.id].value)[:most]}
            shown = [c for c in shown if c.id in keep]
        values = [self.by_county[c.id].value for c in shown]
        unit = self.indicator.unit
        if max(values, default=0) >= 100000:
            values, unit = [v / 10000 for v in values], f"万{unit}"
        return unit, [c.name for c in shown], [format(v.normalize(), "f") for v in values]

    @property
    def yoy(self) -> str:
        if self.total is None or self.previous_total is None:
            return ""
        delta = change(self.previous_total, self.total)
        return format_change(delta) if delta is not None else ""


def _text(ind: Indicator, q: Quantity) -> str:
    return format_change(q) if ind.change else format_quantity(q, ind.unit)


@dataclass
class SummarySection:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    highlights: list = field(default_factory=list)


@dataclass(frozen=True)
class CountyCol:
    id: str
    name: str
    draft: bool


def _rows(ds: Dataset, files: dict[str, CountyYear], previous: dict[str, CountyYear]) -> list[Row]:
    rows = []
    for ind in ds.catalog.indicators.values():
        by_county = {cid: f.indicators[ind.key] for cid, f in files.items() if ind.key in f.indicators}
        if not by_county:
            continue
        prev_values = [f.indicators[ind.key] for f in previous.values() if ind.key in f.indicators]
        prev_total = aggregate(ind.aggregate, prev_values) if len(prev_values) == len(by_county) else None
        rows.append(Row(ind, by_county, aggregate(ind.aggregate, by_county.values()), prev_total))
    return rows


def summary_stem(ds: Dataset, program_id: str, year: int) -> str:
    return f"{year}年{ds.program(program_id).name}援疆工作年度汇总"


def summary_inputs(ds: Dataset, program_id: str, year: int) -> list[Path]:
    program = ds.program(program_id)
    paths = [program.path, ds.catalog.path]
    for y in (year, year - 1):
        paths += [ds.counties[(c, y)].path for c in program.counties if (c, y) in ds.counties]
        if (program_id, y) in ds.program_years:
            paths.append(ds.program_years[(program_id, y)].path)
    return paths


def compose_summary(ds: Dataset, program_id: str, year: int, templates: Path | None = None) -> model.Document:
    program = ds.program(program_id)
    files = {c: ds.counties[(c, year)] for c in program.counties if (c, year) in ds.counties}
    previous = {c: ds.counties[(c, year - 1)] for c in program.counties if (c, year - 1) in ds.counties}
    missing = [ds.county_name(c) for c in program.counties if c not in files]
    if not files:
        raise BriefError.at(str(program.path), None, program_id, f"{year} 年没有任何县的数据文件，无法汇总")
    own = ds.program_years.get((program_id, year))
    own_prev = ds.program_years.get((program_id, year - 1))
    sandbox = Sandbox.for_dir(templates or default_templates())
    rows = _rows(ds, files, previous)
    columns = [CountyCol(c, f.county, f.draft) for c, f in files.items()]
    by_section = {s.key: SummarySection(s.key, s.title) for s in ds.catalog.sections.values()}
    for row in rows:
        by_section[row.indicator.section].rows.append(row)
    ind = figures(ds.catalog, own.indicators, own_prev.indicators if own_prev else None) if own else {}
    if own:
        for view in sections(sandbox, ds.catalog, own, ind):
            by_section[view.key].highlights = view.highlights
    totals = {r.indicator.key: r for r in rows}
    chart_rows = [totals[k] for k in CHART_KEYS if k in totals and totals[k].indicator.aggregate == "sum"]
    markdown = sandbox.render(
        TEMPLATE, program=program, year=year, own=own, ind=ind, columns=columns, missing=missing,
        sections=[s for s in by_section.values() if s.rows or s.highlights], totals=totals,
        chart_rows=chart_rows, names={c.id: c.name for c in columns},
    )
    title = summary_stem(ds, program_id, year)
    drafts = any(c.draft for c in columns) or bool(own and own.draft)
    meta = model.Meta(title=title, author=program.name, draft=drafts, subject=own.headline if own else "")
    return to_document(markdown, meta, str(sandbox.templates / TEMPLATE))
