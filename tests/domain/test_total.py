"""aggregate.total keeps its running sum in parts (issue 19): it must equal ``add`` applied in turn,
ranges, qualifiers and the refusal to add a percentage to a count included."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from brief.domain.aggregate import add, total
from brief.domain.quantity import Qualifier, Quantity, format_quantity


def _quantity(rng: random.Random, percent: bool | None = False) -> Quantity:
    value = Decimal(rng.randint(0, 10**8)) / 100
    high = rng.choice([None, value + Decimal(rng.randint(1, 10**4)) / 100])
    return Quantity(value, rng.choice(list(Qualifier)), rng.random() < 0.5 if percent is None else percent,
                    high, written=rng.choice(["", "2至3", "420余万"]))


def _by_add(values: list[Quantity]) -> Quantity | None:
    """total as it was: the first value without its written form, then add() for each next."""
    if not values:
        return None
    first = values[0]
    result = Quantity(first.value, first.qualifier, first.percent, first.high)
    for v in values[1:]:
        result = add(result, v)
    return result


def _fields(q: Quantity | None) -> tuple | None:
    return None if q is None else (q.value, q.qualifier, q.percent, q.high, q.written, q.unit, str(q.value))


def test_total_is_add_in_turn() -> None:
    rng = random.Random(19)
    for _ in range(3000):
        values = [_quantity(rng) for _ in range(rng.randint(0, 12))]
        assert _fields(total(values)) == _fields(_by_add(values)), values
        assert _fields(total(iter(values))) == _fields(_by_add(values))  # a generator, as summaries pass
        if values:
            assert format_quantity(total(values), "名") == format_quantity(_by_add(values), "名")


def test_a_percentage_and_a_count_are_refused_as_add_refuses_them() -> None:
    rng = random.Random(7)
    refused = 0
    for _ in range(1000):
        values = [_quantity(rng, percent=None) for _ in range(rng.randint(2, 6))]
        try:
            expected = _fields(_by_add(values))
        except ValueError as exc:
            refused += 1
            with pytest.raises(ValueError, match=str(exc)):
                total(values)
        else:
            assert _fields(total(values)) == expected
    assert refused > 100


def test_ranges_and_bounds() -> None:
    two_three = Quantity(Decimal(2), high=Decimal(3))
    assert total([two_three, Quantity(Decimal(4))]) == Quantity(Decimal(6), high=Decimal(7))
    assert total([two_three, Quantity(Decimal(4), Qualifier.AT_LEAST)]) == Quantity(Decimal(6), Qualifier.ABOUT)
    assert total([Quantity(Decimal(490)), Quantity(Decimal(1600), Qualifier.AT_LEAST)]).qualifier is Qualifier.AT_LEAST
    assert total([]) is None
