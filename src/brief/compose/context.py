"""What templates see: figures already formatted, sections in catalog order, highlights rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..data.catalog import Catalog, Indicator
from ..data.records import Highlight, YearFile
from ..domain.aggregate import change
from ..domain.quantity import Quantity, format_change, format_quantity
from .sandbox import Sandbox


@dataclass(frozen=True)
class Figure:
    """One indicator's value; ``{{ ind.x }}`` prints it with its unit (2.12万人次, 上升61.36%)."""

    key: str
    label: str
    unit: str
    quantity: Quantity
    is_change: bool = False
    previous: Quantity | None = None

    @property
    def text(self) -> str:
        return format_change(self.quantity) if self.is_change else format_quantity(self.quantity, self.unit)

    @property
    def previous_text(self) -> str:
        if self.previous is None:
            return ""
        return format_change(self.previous) if self.is_change else format_quantity(self.previous, self.unit)

    @property
    def yoy(self) -> str:
        """上升12.50% / 下降6.03% / 持平 against last year; empty when there is no last year."""
        if self.previous is None or self.is_change:
            return ""
        delta = change(self.previous, self.quantity)
        return format_change(delta) if delta is not None else ""

    @property
    def yoy_percent(self) -> str:
        """The year-over-year change as a bare number (12.50, -6.03), for chart heights."""
        if self.previous is None or self.is_change:
            return ""
        delta = change(self.previous, self.quantity)
        return format(delta.value, "f") if delta is not None else ""

    def __str__(self) -> str:
        return self.text


def figures(catalog: Catalog, values: dict[str, Quantity],
            previous: dict[str, Quantity] | None = None) -> dict[str, Figure]:
    previous = previous or {}
    return {
        key: _figure(catalog.indicators[key], q, previous.get(key))
        for key, q in sorted(values.items(), key=lambda kv: list(catalog.indicators).index(kv[0]))
    }


def _figure(ind: Indicator, q: Quantity, prev: Quantity | None) -> Figure:
    return Figure(ind.key, ind.label, ind.unit, q, ind.change, prev)


@dataclass
class SectionView:
    key: str
    title: str
    highlights: list[dict[str, Any]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.highlights and not self.figures


def highlight_views(sandbox: Sandbox, highlights: tuple[Highlight, ...], ind: dict[str, Figure],
                    section: str) -> list[dict[str, Any]]:
    out = []
    for h in highlights:
        if h.section != section:
            continue
        text = sandbox.render_text(h.text, {"ind": ind}, str(h.path), h.line, "text")
        out.append({
            "title": h.title,
            "text": Markup(text),  # already escaped and rendered
            "image": Markup(str(h.image)) if h.image else None,
            "caption": h.caption,
        })
    return out


def sections(sandbox: Sandbox, catalog: Catalog, record: YearFile, ind: dict[str, Figure]) -> list[SectionView]:
    views = []
    for s in catalog.sections.values():
        view = SectionView(s.key, s.title,
                           highlight_views(sandbox, record.highlights, ind, s.key),
                           [f for f in ind.values() if catalog.indicators[f.key].section == s.key])
        views.append(view)
    return views
