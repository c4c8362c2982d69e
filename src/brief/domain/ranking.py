"""Counties in order of one figure: who leads, who trails. Exact arithmetic, no rendering."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from .aggregate import top_value
from .quantity import Quantity


@dataclass(frozen=True)
class Place:
    """A county's place in a ranking: 1 is the largest figure."""

    position: int
    key: str  # county id
    quantity: Quantity


def ranking(values: Iterable[tuple[str, Quantity]]) -> list[Place]:
    """Every county by its figure, largest first, in the order ``aggregate.leading`` uses: a range
    counts by its high end and a qualifier does not move a figure (1600余 ranks as 1600); a tie
    keeps the given (program) order, so the first place is always the county ``leading`` names."""
    ordered = sorted(values, key=lambda kv: -top_value(kv[1]))  # sorted() is stable: ties keep their order
    return [Place(i, key, q) for i, (key, q) in enumerate(ordered, start=1)]


def ends(places: list[Place], n: int) -> tuple[list[Place], list[Place]]:
    """The first ``n`` places and the last ``n``; when there are no more than ``2n`` places, all
    of them come first and none last (a county is never listed twice)."""
    if len(places) <= 2 * n:
        return list(places), []
    return places[:n], places[-n:]


K = TypeVar("K")


def largest_changes(changes: Iterable[tuple[K, Decimal]], n: int) -> list[tuple[K, Decimal]]:
    """The ``n`` largest changes by size (absolute value), ordered largest rise first down to the
    largest fall: the order of the values themselves, so a chart reads rises, then falls, and no
    bar of zero (an unchanged figure) is chosen. A tie, in size or in value, keeps the given order
    (give them in catalog order and the choice never depends on anything else)."""
    moved = [(key, value) for key, value in changes if value != 0]
    chosen = sorted(range(len(moved)), key=lambda i: -abs(moved[i][1]))[:n]  # stable: ties keep order
    return sorted((moved[i] for i in sorted(chosen)), key=lambda kv: -kv[1])
