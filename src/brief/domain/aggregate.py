"""Combining figures across counties by the catalog's rule, keeping qualifiers honest."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .quantity import Qualifier, Quantity


def combine_qualifiers(a: Qualifier, b: Qualifier) -> Qualifier:
    """exact + X = X; X + X = X; mixed lower bounds (余, 多, 超过) give 余; any other mix gives 约."""
    if a is Qualifier.EXACT:
        return b
    if b is Qualifier.EXACT or a is b:
        return a
    if a.is_lower_bound and b.is_lower_bound:
        return Qualifier.AT_LEAST
    return Qualifier.ABOUT


def add(a: Quantity, b: Quantity) -> Quantity:
    if a.percent != b.percent:
        raise ValueError("cannot add a percentage to a count")
    return Quantity(a.value + b.value, combine_qualifiers(a.qualifier, b.qualifier), a.percent)


def total(values: Iterable[Quantity]) -> Quantity | None:
    """The exact sum (490 + 1600余 = 2090余); None for no values."""
    result: Quantity | None = None
    for v in values:
        result = v if result is None else add(result, v)
    return result


def maximum(values: Iterable[Quantity]) -> Quantity | None:
    """The largest value, qualifier included (ties keep the first)."""
    result: Quantity | None = None
    for v in values:
        if result is None or v.value > result.value:
            result = v
    return result


def aggregate(rule: str, values: Iterable[Quantity]) -> Quantity | None:
    """Apply a catalog rule: sum | max | none (none gives no combined figure)."""
    if rule == "sum":
        return total(values)
    if rule == "max":
        return maximum(values)
    if rule == "none":
        return None
    raise ValueError(f"unknown aggregate rule {rule!r}")


TWO_PLACES = Decimal("0.01")


def change(previous: Quantity, current: Quantity) -> Quantity | None:
    """Year-over-year change in percent, two decimals, half up; None where it is undefined.

    A change from zero has no percentage. A qualified figure gives an 约 change: 近10万 to 12万
    is not an exact 20%.
    """
    if previous.percent or current.percent or previous.value == 0:
        return None
    pct = ((current.value - previous.value) * 100 / previous.value).quantize(TWO_PLACES, ROUND_HALF_UP)
    exact = previous.qualifier is Qualifier.EXACT and current.qualifier is Qualifier.EXACT
    if pct == 0:
        pct = Decimal(0)
    return Quantity(pct, Qualifier.EXACT if exact else Qualifier.ABOUT, percent=True)


def leading(values: dict[str, Quantity]) -> str | None:
    """The key with the largest value (first wins a tie); None when there are none."""
    best: str | None = None
    for key, q in values.items():
        if best is None or q.value > values[best].value:
            best = key
    return best
