"""The annual summary of a large program (more than ``SCALE_FROM`` counties): what summary.md.j2's
``scale`` branch prints.

A table with a column per county stops being readable long before 1,600 counties (it was 1,742
pages). A large summary leads with what a reader of a province asks first — the totals, and for
each key figure the counties at the top and at the bottom — and moves the county-by-county figures
to an appendix (附表) of one row per county, split by prefecture (the county files' ``prefecture:``).

Only what is printed is formatted: each indicator's total is folded over the county files, and
per-county texts are made for the key figures alone (not 130 indicators × 1,600 counties).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.catalog import Catalog, Indicator
from ..data.records import CountyYear, ProgramYear
from ..domain.aggregate import aggregate, change, leading, stated
from ..domain.quantity import Quantity, format_change
from ..domain.ranking import Place, ends, ranking
from .context import quantity_text, table_order

SCALE_FROM = 30  # counties with a file: a summary of more gets rankings up front and an appendix
RANK_ENDS = 5  # counties listed at each end of a ranking
RANKED_MAX = 6  # key figures ranked (and printed per county in the appendix): the contract's 1–6


@dataclass(frozen=True)
class RankEntry:
    position: int
    name: str  # 样本001县, with （稿） for a draft
    prefecture: str
    text: str  # the figure as printed: 490名


@dataclass(frozen=True)
class RankedFigure:
    """One key figure: its total, how many counties reported it, and both ends of its ranking."""

    key: str
    label: str
    total_text: str  # empty when the catalog's rule is ``none``
    rule: str  # sum | max | none
    reported: int
    yoy: str
    top: tuple[RankEntry, ...]
    bottom: tuple[RankEntry, ...]


@dataclass(frozen=True)
class TotalRow:
    key: str
    row_label: str
    total_text: str
    reported: int
    yoy: str
    leader: str  # the county with the largest figure, by name
    rule: str  # sum | max


@dataclass(frozen=True)
class TotalsSection:
    key: str
    title: str
    rows: tuple[TotalRow, ...]


@dataclass(frozen=True)
class CountyLine:
    """One appendix row: a county (（稿） after a draft's name) and its key figures (— where it
    reported none)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """The counties of one prefecture, in program order, with their subtotals per key figure."""

    name: str  # 喀什地区; empty when the county files name none
    counties: tuple[CountyLine, ...]
    subtotals: tuple[str, ...]


@dataclass(frozen=True)
class ScaleView:
    """``scale`` in summary.md.j2 (None for a program of ``SCALE_FROM`` counties or fewer)."""

    counties: int
    ranked: tuple[RankedFigure, ...]
    totals: tuple[TotalsSection, ...]
    groups: tuple[Group, ...]
    headers: tuple[str, ...]  # the key figures' labels: the appendix's columns
    uncombined: tuple[str, ...]  # labels of the reported indicators a summary does not add up (none)
    ends: int = RANK_ENDS

    @property
    def grouped(self) -> bool:
        """Whether the counties fall into more than one prefecture (else no grouping is printed)."""
        return len(self.groups) > 1


def scaled(files: dict[str, CountyYear]) -> bool:
    return len(files) > SCALE_FROM


def ranked_keys(catalog: Catalog, own: ProgramYear | None, present: set[str]) -> list[str]:
    """The figures to rank: the program year file's ``key_figures``, else the catalog's
    ``key: true``, else the first summed indicator of each section; only those a county reported."""
    keys = [k for k in own.key_figures if k in present] if own else []
    if not keys:
        keys = [k for k, ind in catalog.indicators.items() if ind.key_figure and k in present]
    if not keys:
        seen: set[str] = set()
        for k, ind in catalog.indicators.items():
            if k in present and ind.aggregate == "sum" and not ind.part_of and ind.section not in seen:
                seen.add(ind.section)
                keys.append(k)
    return keys[:RANKED_MAX]


def _text(ind: Indicator, q: Quantity) -> str:
    return quantity_text(q, ind.unit, ind.change)


def _name(f: CountyYear) -> str:
    return f"{f.county}（稿）" if f.draft else f.county


def _yoy(ind: Indicator, values: list[Quantity], total: Quantity | None,
         previous: dict[str, CountyYear]) -> str:
    """Year over year, stated only when every county with the figure this year had it last year
    (the rule of the small summary's tables)."""
    if total is None or ind.cumulative:
        return ""
    before = [f.indicators[ind.key] for f in previous.values() if ind.key in f.indicators]
    if len(before) != len(values):
        return ""
    prev_total = aggregate(ind.aggregate, before)
    delta = change(prev_total, total) if prev_total is not None else None
    return format_change(delta) if delta is not None else ""


def _totals(catalog: Catalog, files: dict[str, CountyYear], previous: dict[str, CountyYear],
            present: set[str]) -> list[TotalsSection]:
    """A row per indicator with a combined figure (``sum`` or ``max``), per section."""
    rows: dict[str, list[TotalRow]] = {}
    for key, label in table_order(catalog, present):
        ind = catalog.indicators[key]
        if ind.aggregate == "none":
            continue
        values = {cid: f.indicators[key] for cid, f in files.items() if key in f.indicators}
        total = aggregate(ind.aggregate, values.values())
        shown = stated(ind.aggregate, total, values.values())  # rounded for print; the change is exact
        first = leading(values)  # the first place of ``ranking``, without sorting
        rows.setdefault(ind.section, []).append(TotalRow(
            key, label, _text(ind, shown) if shown is not None else "—", len(values),
            _yoy(ind, list(values.values()), total, previous), _name(files[first]) if first else "",
            ind.aggregate))
    return [TotalsSection(s.key, s.title, tuple(rows[s.key])) for s in catalog.sections.values() if s.key in rows]


def _ranked(ind: Indicator, files: dict[str, CountyYear], total: TotalRow | None) -> RankedFigure:
    places = ranking((cid, f.indicators[ind.key]) for cid, f in files.items() if ind.key in f.indicators)
    top, bottom = ends(places, RANK_ENDS)

    def entry(p: Place) -> RankEntry:
        f = files[p.key]
        return RankEntry(p.position, _name(f), f.prefecture, _text(ind, p.quantity))

    return RankedFigure(ind.key, ind.table_label, total.total_text if total else "", ind.aggregate,
                        len(places), total.yoy if total else "",
                        tuple(map(entry, top)), tuple(map(entry, bottom)))


def _groups(catalog: Catalog, files: dict[str, CountyYear], keys: list[str]) -> list[Group]:
    """Counties by prefecture, in the order the program first lists one of each."""
    members: dict[str, list[CountyYear]] = {}
    for f in files.values():
        members.setdefault(f.prefecture, []).append(f)
    out = []
    for name, group in members.items():
        lines, subtotals = [], []
        for f in group:
            lines.append(CountyLine(_name(f), tuple(
                _text(catalog.indicators[k], f.indicators[k]) if k in f.indicators else "—" for k in keys)))
        for k in keys:
            ind = catalog.indicators[k]
            values = [f.indicators[k] for f in group if k in f.indicators]
            sub = stated(ind.aggregate, aggregate(ind.aggregate, values), values)
            subtotals.append(_text(ind, sub) if sub is not None else "—")
        out.append(Group(name, tuple(lines), tuple(subtotals)))
    return out


def scale_view(catalog: Catalog, files: dict[str, CountyYear], previous: dict[str, CountyYear],
               own: ProgramYear | None) -> ScaleView:
    present = {k for f in files.values() for k in f.indicators}
    totals = _totals(catalog, files, previous, present)
    by_key = {r.key: r for s in totals for r in s.rows}
    keys = ranked_keys(catalog, own, present)
    ranked = tuple(_ranked(catalog.indicators[k], files, by_key.get(k)) for k in keys)
    uncombined = tuple(catalog.indicators[k].table_label for k, _ in table_order(catalog, present)
                       if catalog.indicators[k].aggregate == "none")
    return ScaleView(len(files), ranked, tuple(totals), tuple(_groups(catalog, files, keys)),
                     tuple(catalog.indicators[k].table_label for k in keys), uncombined)
