"""What templates see: figures already formatted, sections in catalog order, highlights rendered.

Everything handed to a template is plain data: strings, numbers (int, Decimal), bools, None, Markup,
lists, tuples, dicts and the frozen view records below. No Path, no Dataset, no record that knows
where its file lives: a template is text from whoever edits templates/, and the sandbox only
guards attribute names, not what a reachable object's public methods do (``Path.read_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from markupsafe import Markup

from .. import model
from ..data.catalog import Catalog, Indicator
from ..data.records import CountyYear, Highlight, Program, ProgramYear, YearFile
from ..domain.aggregate import change
from ..domain.quantity import Quantity, format_change, format_quantity
from ..domain.ranking import largest_changes
from .sandbox import Sandbox, md_escape, md_unescape


@dataclass(frozen=True)
class Figure:
    """One indicator's value; ``{{ ind.x }}`` prints it with its unit (2.12万人次, 上升61.36%).

    ``previous_text``: last year's figure; ``yoy``: 上升12.50% / 下降6.03% / 持平 against last
    year; ``yoy_percent``: the same as a bare number (12.50, -6.03), for chart heights. Each is
    empty when there is no last year; ``yoy_change`` the same as a Decimal (None without one)."""

    key: str
    label: str
    unit: str
    text: str
    value: Decimal
    is_change: bool = False
    previous_text: str = ""
    yoy: str = ""
    yoy_percent: str = ""
    row_label: str = ""  # the label in a table: 其中：… for a part, （2014年以来累计） for a running total
    yoy_change: Decimal | None = None

    def __str__(self) -> str:
        return self.text


def quantity_text(q: Quantity, unit: str, is_change: bool) -> str:
    return format_change(q) if is_change else format_quantity(q, unit)


def figure(ind: Indicator, q: Quantity, prev: Quantity | None, row_label: str = "") -> Figure:
    # A running total (basis: cumulative) is never compared year over year.
    delta = change(prev, q) if prev is not None and not ind.change and not ind.cumulative else None
    return Figure(
        key=ind.key, label=ind.label, unit=ind.unit, text=quantity_text(q, ind.unit, ind.change),
        value=q.value, is_change=ind.change,
        previous_text=quantity_text(prev, ind.unit, ind.change) if prev is not None else "",
        yoy=format_change(delta) if delta is not None else "",
        yoy_percent=format(delta.value, "f") if delta is not None else "",
        row_label=row_label or ind.table_label,
        yoy_change=delta.value if delta is not None else None,
    )


INDENT = "&#12288;&#12288;"  # two ideographic spaces; an entity, as Markdown trims a cell's own spaces
FIRST_PART = Markup(f"{INDENT}其中：")
NEXT_PART = Markup(INDENT + "&#12288;" * 3)  # aligned under the first part's label


def table_order(catalog: Catalog, keys: set[str]) -> list[tuple[str, str]]:
    """Keys in catalog order, each whole followed by its parts (part_of) of the same section, with
    the label a table prints: the first part “其中：…”, the next indented beneath it."""
    def nested(key: str) -> bool:
        ind = catalog.indicators[key]
        whole = catalog.indicators.get(ind.part_of)
        return whole is not None and whole.key in keys and whole.section == ind.section

    # Each whole's parts in catalog order, gathered in one pass (a summary asks once per county).
    parts_of: dict[str, list[str]] = {}
    for k, p in catalog.indicators.items():
        if p.part_of and k in keys and nested(k):
            parts_of.setdefault(p.part_of, []).append(k)
    out: list[tuple[str, str]] = []
    for key, ind in catalog.indicators.items():
        if key not in keys or nested(key):
            continue
        out.append((key, ind.table_label))
        parts = parts_of.get(key, [])
        for i, part in enumerate(parts):
            label = md_escape(catalog.indicators[part].table_label)
            out.append((part, (FIRST_PART if i == 0 else NEXT_PART) + Markup(label)))
    return out


def figures(catalog: Catalog, values: dict[str, Quantity],
            previous: dict[str, Quantity] | None = None) -> dict[str, Figure]:
    previous = previous or {}
    return {key: figure(catalog.indicators[key], values[key], previous.get(key), label)
            for key, label in table_order(catalog, set(values))}


CHART_BARS = 8  # the year-over-year chart's bars at most: more would not fit their labels


def yoy_chart(catalog: Catalog, ind: dict[str, Figure]) -> list[Figure]:
    """The year-over-year chart's indicators: those that moved most (by the size of the change as
    printed, two decimals), unchanged ones left out, largest rise first down to largest fall; ties
    in catalog order. Empty without last year's figures."""
    changes = [(f, f.yoy_change) for k in catalog.indicators
               if (f := ind.get(k)) is not None and f.yoy_change is not None]
    return [f for f, _ in largest_changes(changes, CHART_BARS)]


KEY_FIGURES_DEFAULT = 4  # boxes taken from the catalog's ``key: true`` when a file lists none


def key_figures(catalog: Catalog, record: YearFile | None, ind: dict[str, Figure]) -> list[Figure]:
    """The band: the file's ``key_figures`` in its order, else the catalog's ``key: true`` indicators
    that have a value here, in catalog order, at most four."""
    if record is not None and record.key_figures:
        return [ind[k] for k in record.key_figures if k in ind]
    chosen = [f for f in ind.values() if catalog.indicators[f.key].key_figure]
    return chosen[:KEY_FIGURES_DEFAULT]


@dataclass(frozen=True)
class YearView:
    """What county and program year files share, as a template sees it (no file path, no lines)."""

    year: int
    status: str
    draft: bool
    source: str
    headline: str
    summary: str
    period: str = ""  # 1—10月, or empty for the whole year
    when: str = ""  # 2023年 or 2023年1—10月: what titles, captions and the masthead date print


@dataclass(frozen=True)
class CountyView(YearView):
    """``c`` in brief.md.j2."""

    id: str = ""
    county: str = ""
    prefecture: str = ""
    partner: str = ""
    command: str = ""
    batch: str = ""


@dataclass(frozen=True)
class ProgramYearView(YearView):
    """``own`` in summary.md.j2: the program's own year file."""

    program: str = ""


@dataclass(frozen=True)
class ProgramView:
    """``program`` in summary.md.j2."""

    id: str
    name: str
    province: str
    prefecture: str
    counties: tuple[str, ...]


V = TypeVar("V", bound=YearView)


def _year_fields(r: YearFile) -> dict[str, object]:
    return {"year": r.year, "status": r.status, "draft": r.draft, "source": r.source,
            "headline": r.headline, "summary": r.summary, "period": r.period, "when": r.when}


def county_view(r: CountyYear) -> CountyView:
    return CountyView(**_year_fields(r), id=r.id, county=r.county, prefecture=r.prefecture,  # type: ignore[arg-type]
                      partner=r.partner, command=r.command, batch=r.batch)


def program_year_view(r: ProgramYear) -> ProgramYearView:
    return ProgramYearView(**_year_fields(r), program=r.program)  # type: ignore[arg-type]


def program_view(p: Program) -> ProgramView:
    return ProgramView(p.id, p.name, p.province, p.prefecture, tuple(p.counties))


DOCUMENT_PROPERTY_LIMIT = 255  # characters: Word's (and python-docx's) limit on a core property


def meta(title: str, author: str, draft: bool, subject: str) -> model.Meta:
    """The document properties; a text too long for one (a 1,000-character headline as subject)
    is shortened there with an ellipsis, the brief itself keeps it whole."""
    def short(text: str) -> str:
        return text if len(text) <= DOCUMENT_PROPERTY_LIMIT else text[:DOCUMENT_PROPERTY_LIMIT - 1] + "…"

    return model.Meta(title=short(title), author=short(author), draft=draft, subject=short(subject))


@dataclass(frozen=True)
class HighlightView:
    """A highlight: its text already rendered (citations filled in) and escaped; ``image`` the
    photo's absolute path as text, for a ``figure`` block."""

    title: str
    text: Markup
    image: Markup | None
    caption: str


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    highlights: tuple[HighlightView, ...] = ()
    figures: tuple[Figure, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.highlights and not self.figures


def cite(sandbox: Sandbox, text: str, ind: dict[str, Figure], file: Path, line: int | None, key: str) -> str:
    """A data text with its ``{{ ind.x }}`` filled in, escaped for Markdown (Markup: the template
    prints it as it is); a text without a citation is left to the template's own escaping."""
    if "{" not in text:
        return text
    return Markup(sandbox.render_text(text, {"ind": ind}, str(file), line, key))  # type: ignore[arg-type]


def cited_view(view: V, sandbox: Sandbox, ind: dict[str, Figure], record: YearFile) -> V:
    """``headline`` and ``summary`` with their citations filled in."""
    return replace(view, headline=cite(sandbox, record.headline, ind, record.path, None, "headline"),
                   summary=cite(sandbox, record.summary, ind, record.path, None, "summary"))


def plain(text: str) -> str:
    """A rendered text as it reads (a document property is not Markdown)."""
    return md_unescape(str(text)) if isinstance(text, Markup) else text


def highlight_views(sandbox: Sandbox, highlights: tuple[Highlight, ...], ind: dict[str, Figure],
                    section: str) -> tuple[HighlightView, ...]:
    out = []
    for h in highlights:
        if h.section != section:
            continue
        text = sandbox.render_text(h.text, {"ind": ind}, str(h.path), h.line, "text")
        out.append(HighlightView(cite(sandbox, h.title, ind, h.path, None, "title"),
                                 Markup(text),  # already escaped and rendered
                                 Markup(str(h.image)) if h.image else None,
                                 cite(sandbox, h.caption, ind, h.path, None, "caption")))
    return tuple(out)


def sections(sandbox: Sandbox, catalog: Catalog, record: YearFile, ind: dict[str, Figure]) -> list[SectionView]:
    views = []
    for s in catalog.sections.values():
        view = SectionView(s.key, s.title,
                           highlight_views(sandbox, record.highlights, ind, s.key),
                           tuple(f for f in ind.values() if catalog.indicators[f.key].section == s.key))
        views.append(view)
    return views
