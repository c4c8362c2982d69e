"""A program's counties for one year → the annual summary's document tree.

Every total is computed here from the county files with the catalog's rule (domain/aggregate);
the template only chooses the words around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import model
from ..data.catalog import Indicator
from ..data.dataset import Dataset
from ..data.records import CountyYear
from ..domain.aggregate import aggregate, change, leading, stated
from ..domain.quantity import Quantity, format_change, format_quantity
from ..errors import BriefError
from .context import (
    HighlightView,
    cited_view,
    figures,
    key_figures,
    meta,
    plain,
    program_view,
    program_year_view,
    sections,
    table_order,
)
from .county import accepted_images, default_templates, image_roots
from .markdown import to_document
from .names import program_office, summary_title
from .sandbox import Sandbox
from .summary_scaled import scale_view, scaled

TEMPLATE = "summary.md.j2"
CHART_KEYS = ("cadres_dispatched", "student_aid_funds")


@dataclass(frozen=True)
class Row:
    """One indicator across counties: per-county texts, the combined figure, the leader.

    Plain data only (see context.py): the figures are already text, ``amounts`` the bare values
    behind the bars of a chart."""

    indicator: Indicator
    texts: dict[str, str]  # county id -> 2.12万人次
    amounts: dict[str, Decimal]  # county id -> 21200
    total_text: str = "—"
    leader: str | None = None
    yoy: str = ""
    row_label: str = ""  # 其中：… for a part, with （累计） for a running total


    def value(self, county_id: str) -> str:
        return self.texts.get(county_id, "—")

    @property
    def label(self) -> str:
        return self.indicator.label

    def chart(self, columns: list[CountyCol], most: int = 12) -> tuple[str, list[str], list[str]]:
        """Axis unit, county names and bar heights (in 万 when the figures run large); past
        ``most`` counties only the largest are drawn, in their order, so labels stay legible."""
        shown = [c for c in columns if c.id in self.amounts]
        if len(shown) > most:
            keep = {c.id for c in sorted(shown, key=lambda c: -self.amounts[c.id])[:most]}
            shown = [c for c in shown if c.id in keep]
        values = [self.amounts[c.id] for c in shown]
        unit = self.indicator.unit
        if max(values, default=0) >= 100000:
            values, unit = [v / 10000 for v in values], f"万{unit}"
        return unit, [c.name for c in shown], [format(v.normalize(), "f") for v in values]


def _row(ind: Indicator, by_county: dict[str, Quantity], total: Quantity | None,
         previous_total: Quantity | None, row_label: str) -> Row:
    comparable = total is not None and previous_total is not None and not ind.cumulative
    delta = change(previous_total, total) if comparable else None  # type: ignore[arg-type]
    shown = stated(ind.aggregate, total, by_county.values())  # rounded for print; the change is exact
    return Row(ind, {cid: _text(ind, q) for cid, q in by_county.items()},
               {cid: q.value for cid, q in by_county.items()},
               _text(ind, shown) if shown is not None else "—", leading(by_county),
               format_change(delta) if delta is not None else "", row_label or ind.table_label)


def _text(ind: Indicator, q: Quantity) -> str:
    return format_change(q) if ind.change else format_quantity(q, ind.unit)


@dataclass(frozen=True)
class SummarySection:
    key: str
    title: str
    rows: tuple[Row, ...] = ()
    highlights: tuple[HighlightView, ...] = ()


@dataclass(frozen=True)
class CountyCol:
    id: str
    name: str
    draft: bool


def _rows(ds: Dataset, files: dict[str, CountyYear], previous: dict[str, CountyYear]) -> list[Row]:
    rows = []
    present = {k for f in files.values() for k in f.indicators}
    for key, label in table_order(ds.catalog, present):
        ind = ds.catalog.indicators[key]
        by_county = {cid: f.indicators[ind.key] for cid, f in files.items() if ind.key in f.indicators}
        prev_values = [f.indicators[ind.key] for f in previous.values() if ind.key in f.indicators]
        prev_total = aggregate(ind.aggregate, prev_values) if len(prev_values) == len(by_county) else None
        rows.append(_row(ind, by_county, aggregate(ind.aggregate, by_county.values()), prev_total, label))
    return rows


def summary_files(ds: Dataset, program_id: str, year: int) -> dict[str, CountyYear]:
    """The county files a summary adds up; none is one line, pointing at the program's own brief."""
    program = ds.program(program_id)
    files = {c: ds.counties[(c, year)] for c in program.counties if (c, year) in ds.counties}
    if not files:
        own = ds.program_years.get((program_id, year))
        hint = (f"；项目本身的简报请用 brief render {program_id} --year {year}"
                if own and (own.indicators or own.highlights) else "")
        raise BriefError.at(str(program.path), None, program_id, f"{year} 年没有任何县的数据文件，无法汇总{hint}")
    return files


def summary_inputs(ds: Dataset, program_id: str, year: int) -> list[Path]:
    program = ds.program(program_id)
    paths = [program.path, ds.catalog.path]
    for y in (year, year - 1):
        paths += [ds.counties[(c, y)].path for c in program.counties if (c, y) in ds.counties]
        if (program_id, y) in ds.program_years:
            paths.append(ds.program_years[(program_id, y)].path)
    return paths


def _periods(files: dict[str, CountyYear], year: int) -> dict[str, str]:
    """``when``: 2023年, or 2023年1—10月 when every county's figures cover those months;
    ``period_note``: what a table mixing periods says under it (empty when they agree)."""
    periods: dict[str, list[str]] = {}
    for f in files.values():
        periods.setdefault(f.period, []).append(f.county)
    if len(periods) == 1:
        return {"when": f"{year}年{next(iter(periods))}", "period_note": ""}
    parts = [f"{'、'.join(names)}为{year}年{period or '全年'}" for period, names in periods.items()]
    return {"when": f"{year}年", "period_note": f"各县数据的时段不同：{'；'.join(parts)}。合计按各县所报数字计算。"}


def summary_context(ds: Dataset, program_id: str, year: int, sandbox: Sandbox) -> dict[str, Any]:
    """summary.md.j2's names, plain views only (see context.py)."""
    program = ds.program(program_id)
    files = summary_files(ds, program_id, year)
    # last year's files that cover the same months: year-over-year is stated against those only
    previous = {c: prev for c in program.counties if (prev := ds.previous(c, year)) is not None}
    missing = [ds.county_name(c) for c in program.counties if c not in files]
    own = ds.program_years.get((program_id, year))
    own_prev = ds.previous_program_year(program_id, year)
    columns = [CountyCol(c, f.county, f.draft) for c, f in files.items()]
    ind = figures(ds.catalog, own.indicators, own_prev.indicators if own_prev else None) if own else {}
    highlights = {v.key: v.highlights for v in sections(sandbox, ds.catalog, own, ind)} if own else {}
    common = {
        "program": program_view(program), "year": year,
        "own": cited_view(program_year_view(own), sandbox, ind, own) if own else None,
        "ind": ind, "key_figures": key_figures(ds.catalog, own, ind), "columns": columns, "missing": missing,
        "names": {c.id: c.name for c in columns}, "office": program_office(ds, program_id), **_periods(files, year),
    }
    if scaled(files):  # rankings up front, one row per county in an appendix (summary_scaled.py)
        # no charts: twelve bars of 1,600 say less than the rankings, which take their place
        own_sections = [SummarySection(s.key, s.title, (), highlights[s.key])
                        for s in ds.catalog.sections.values() if highlights.get(s.key)]
        return {**common, "scale": scale_view(ds.catalog, files, previous, own), "sections": own_sections,
                "chart_rows": []}
    rows = _rows(ds, files, previous)
    by_section = [SummarySection(s.key, s.title, tuple(r for r in rows if r.indicator.section == s.key),
                                 highlights.get(s.key, ())) for s in ds.catalog.sections.values()]
    totals = {r.indicator.key: r for r in rows}
    chart_rows = [totals[k] for k in CHART_KEYS if k in totals and totals[k].indicator.aggregate == "sum"]
    return {**common, "scale": None, "sections": [s for s in by_section if s.rows or s.highlights],
            "totals": totals, "chart_rows": chart_rows}


def compose_summary(ds: Dataset, program_id: str, year: int, templates: Path | None = None) -> model.Document:
    sandbox = Sandbox.for_dir(templates or default_templates())
    context = summary_context(ds, program_id, year, sandbox)
    markdown = sandbox.render(TEMPLATE, **context)
    own = ds.program_years.get((program_id, year))
    title = summary_title(ds, program_id, year)
    drafts = any(c.draft for c in context["columns"]) or bool(own and own.draft)
    properties = meta(title, context["office"].issuer, drafts, plain(context["own"].headline) if own else "")
    return to_document(markdown, properties, str(sandbox.templates / TEMPLATE), image_roots(ds, sandbox),
                       accepted_images(own))
