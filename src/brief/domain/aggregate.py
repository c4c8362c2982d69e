"""Combining figures across counties by the catalog's rule, keeping qualifiers honest."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .quantity import Qualifier, Quantity, written_place


def combine_qualifiers(a: Qualifier, b: Qualifier) -> Qualifier:
    """The contract's rules for a sum's qualifier.

    exact + X = X; X + X = X; mixed lower bounds (余, 多, 超过, 超, 以上) give 余; upper bounds
    (以下, 以内) combine with each other (以下 wins over 以内); any other mix (a lower with an
    upper bound, or anything with 近/约) gives 约.
    """
    if a is Qualifier.EXACT:
        return b
    if b is Qualifier.EXACT or a is b:
        return a
    if a.is_lower_bound and b.is_lower_bound:
        return Qualifier.AT_LEAST
    if a.is_upper_bound and b.is_upper_bound:
        return Qualifier.BELOW
    return Qualifier.ABOUT


def add(a: Quantity, b: Quantity) -> Quantity:
    """The exact sum; a range adds its low and high ends (2至3 + 4 = 6至7).

    A range plus a qualified figure is only 约: its value is then the sum of the low ends, the
    least the two figures say."""
    if a.percent != b.percent:
        raise ValueError("cannot add a percentage to a count")
    if a.is_range or b.is_range:
        if a.qualifier is Qualifier.EXACT and b.qualifier is Qualifier.EXACT:
            high = (a.high if a.high is not None else a.value) + (b.high if b.high is not None else b.value)
            return Quantity(a.value + b.value, Qualifier.EXACT, a.percent, high)
        return Quantity(a.value + b.value, Qualifier.ABOUT, a.percent)
    return Quantity(a.value + b.value, combine_qualifiers(a.qualifier, b.qualifier), a.percent)


def total(values: Iterable[Quantity]) -> Quantity | None:
    """The exact sum (490 + 1600余 = 2090余); None for no values.

    ``add`` applied in turn, with the running sum kept in its parts rather than a Quantity made at
    each step (a 1,600-county summary adds some 400,000 figures)."""
    it = iter(values)
    first = next(it, None)
    if first is None:
        return None
    value, qualifier, percent, high = first.value, first.qualifier, first.percent, first.high
    for v in it:
        if percent != v.percent:
            raise ValueError("cannot add a percentage to a count")
        if high is not None or v.high is not None:  # a range: as add() does
            if qualifier is Qualifier.EXACT and v.qualifier is Qualifier.EXACT:
                high = (high if high is not None else value) + (v.high if v.high is not None else v.value)
            else:
                qualifier, high = Qualifier.ABOUT, None
        else:
            qualifier = combine_qualifiers(qualifier, v.qualifier)
        value = value + v.value
    return Quantity(value, qualifier, percent, high)  # computed: no written form, prints normalized


def maximum(values: Iterable[Quantity]) -> Quantity | None:
    """The largest value, qualifier included (ties keep the first); a range counts by its high end."""
    result: Quantity | None = None
    for v in values:
        if result is None or top_value(v) > top_value(result):
            result = v
    return result


def top_value(q: Quantity) -> Decimal:
    """What a figure counts as when figures are compared: a range by its high end."""
    return q.high if q.high is not None else q.value


def aggregate(rule: str, values: Iterable[Quantity]) -> Quantity | None:
    """Apply a catalog rule: sum | max | none (none gives no combined figure)."""
    if rule == "sum":
        return total(values)
    if rule == "max":
        return maximum(values)
    if rule == "none":
        return None
    raise ValueError(f"unknown aggregate rule {rule!r}")


def coarsest_place(values: Iterable[Quantity]) -> int | None:
    """The largest ``written_place`` of the values: the place a sum of them is known to; None when
    every value is an exact count written in full (their sum is exact)."""
    places = [p for p in map(written_place, values) if p is not None]
    return max(places, default=None)


def round_to_place(q: Quantity, place: int | None) -> Quantity:
    """``q`` rounded half up to the digit at 10**place; None: ``q`` as it is. For a figure that is
    already approximate (约): a sum of exact, 余, 近 or bounded figures keeps every digit, as the
    contract's sums do (2057.6万元, 2090余)."""
    if place is None or q.percent or q.high is not None:
        return q
    step = Decimal(10) ** place  # 10**7 is 10000000, 10**-1 is 0.1: never an exponent form
    value = (q.value / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return q if value == q.value else Quantity(value, q.qualifier, q.percent)


def stated(rule: str, combined: Quantity | None, values: Iterable[Quantity]) -> Quantity | None:
    """What a summary prints for ``combined = aggregate(rule, values)``: a 约 sum no more precise
    than its coarsest addend (约1.89658895亿 of figures written to the 万 → 约1.8966亿); every other
    sum and a maximum as computed. Only for printing: changes, rankings and checks use ``combined``."""
    if rule != "sum" or combined is None or combined.qualifier is not Qualifier.ABOUT:
        return combined
    return round_to_place(combined, coarsest_place(values))


TWO_PLACES = Decimal("0.01")


def change(previous: Quantity, current: Quantity) -> Quantity | None:
    """Year-over-year change in percent, two decimals, half up; None where it is undefined.

    A change from zero has no percentage, nor has a range (2至3名 is no base to compare with). A
    qualified figure gives an 约 change: 近10万 to 12万 is not an exact 20%.
    """
    if previous.percent or current.percent or previous.value == 0:
        return None
    if previous.is_range or current.is_range:
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
        if best is None or top_value(q) > top_value(values[best]):
            best = key
    return best


def _least(q: Quantity) -> Decimal:
    """The least a figure can mean: its value for exact figures, lower bounds and ranges, else 0."""
    if q.qualifier is Qualifier.EXACT or q.qualifier.is_lower_bound:
        return q.value
    return Decimal(0)


def _most(q: Quantity) -> Decimal | None:
    """The most a figure can mean; None when it has no upper limit (余, 以上, 约 …)."""
    if q.is_range:
        return q.high
    if q.qualifier in (Qualifier.EXACT, Qualifier.NEARLY) or q.qualifier.is_upper_bound:
        return q.value
    return None


def parts_exceed(whole: Quantity, parts: list[Quantity]) -> bool:
    """True when the parts (其中) certainly sum above the whole (qualified figures by their bounds)."""
    most = _most(whole)
    return most is not None and sum((_least(p) for p in parts), Decimal(0)) > most
