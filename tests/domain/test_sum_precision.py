"""A summed figure is printed no more precisely than its coarsest addend (domain/aggregate.stated):
1.2亿 + 3450万 = 约1.5亿, while counts written in full sum exactly. The expected totals are worked
out by hand."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from brief.domain.aggregate import aggregate, coarsest_place, round_to_place, stated, total
from brief.domain.quantity import Qualifier, Quantity, format_quantity, parse_quantity, written_place


def q(text: str) -> Quantity:
    return parse_quantity(text, "%" if text.endswith("%") else "")


@pytest.mark.parametrize(("written", "place"), [
    ("1.2亿", 7), ("3450万", 4), ("0.87亿", 6), ("49333万", 4), ("2.12万", 2), ("12.5万", 3),
    ("420余万", 4), ("21万余", 4), ("7万多", 4), ("近10万", 4), ("约4.48万", 2), ("超过100亿", 8),
    ("8100万以上", 4), ("10万以内", 4), ("20—30万", 4), ("2万至3.5万", 4),  # a range: its coarser end
    ("1600余", 0), ("近50", 0), ("约12.5", -1), ("1000以上", 0),  # qualified, written in full
    ("128", None), ("21200", None), ("12.5", None), ("2至3", None), ("61.36%", None),  # exact
])
def test_the_place_of_the_last_written_digit(written: str, place: int | None) -> None:
    assert written_place(q(written)) == place


@pytest.mark.parametrize(("addends", "printed"), [
    # 约 sums: rounded half up to the coarsest addend's place
    (["约2.5万", "1.38万", "1.52万", "2.12万"], "约7.5万"),  # 7.52万, known to 0.1万
    (["约1.2亿", "3456.78万"], "约1.5亿"),  # 1.545678亿, known to 0.1亿
    (["约3万", "1.2345万", "2.21万"], "约6万"),
    (["近10万", "约2.345万"], "约12万"),  # 近 + 约 = 约 (the contract), known to the 万
    (["约1.2万", "500"], "约1.3万"),  # 12500: half up, not to even
    (["约12.5", "128"], "约140.5"),  # 约12.5 is known to 0.1: nothing to round
    # every other sum keeps its digits, as the contract's sums do
    (["1.2亿", "3450万"], "1.545亿"),
    (["49333万", "0.87亿"], "5.8033亿"),
    (["520万", "380万", "410万", "747.6万"], "2057.6万"),  # the shipped 山东 summary
    (["128", "12.5", "7"], "147.5"),
    (["490", "1600余"], "2090余"),  # the contract's example
    (["8100万以上", "900万"], "9000万以上"),  # the contract's example
    (["1.6万余", "9000余", "1.1万余", "2万余"], "5.6万余"),
    (["近10万", "近2.35万"], "近12.35万"),
    (["超过100亿", "3.25亿"], "超过103.25亿"),
    (["10万以下", "3.46万以内"], "13.46万以下"),
    (["20—30万", "2.5万"], "22.5万—32.5万"),
    (["2至3", "20—30", "4"], "26—37"),
])
def test_a_sum_is_rounded_to_its_coarsest_addend(addends: list[str], printed: str) -> None:
    values = [q(a) for a in addends]
    assert format_quantity(stated("sum", total(values), values)) == printed


def test_only_sums_are_rounded() -> None:
    values = [q("1.2亿"), q("3456万")]
    assert format_quantity(stated("max", aggregate("max", values), values)) == "1.2亿"  # as written
    assert stated("none", aggregate("none", values), values) is None
    assert stated("sum", None, []) is None
    assert coarsest_place([]) is None and coarsest_place([q("128"), q("61")]) is None


def test_the_exact_sum_is_untouched() -> None:
    """``total`` stays exact (changes, rankings and the check of declared totals use it)."""
    values = [q("1.2亿"), q("3450万")]
    assert total(values) == Quantity(Decimal(154500000))
    assert round_to_place(total(values), None) == total(values)


def test_rounding_is_decimal_and_never_an_exponent_form() -> None:
    rounded = round_to_place(Quantity(Decimal("123456789.12"), Qualifier.ABOUT), 7)
    assert rounded == Quantity(Decimal(120000000), Qualifier.ABOUT)
    assert isinstance(rounded.value, Decimal) and "E" not in str(rounded.value)
    assert str(round_to_place(Quantity(Decimal("140.56"), Qualifier.ABOUT), -1).value) == "140.6"


def _random_figure(rng: random.Random) -> str:
    number = f"{rng.randint(1, 9999)}" + rng.choice(["", f".{rng.randint(1, 99)}"])
    form = rng.choice(["{n}", "{n}万", "{n}亿", "约{n}万", "{n}余", "超过{n}万", "{n}万以上", "{n}万以下", "近{n}"])
    return form.format(n=number)


def test_a_rounded_sum_stays_honest() -> None:
    """Over random mixes: only a 约 sum moves, by at most half a step of its coarsest addend, to a
    multiple of that step, and stays 约; every other sum is printed as computed."""
    rng = random.Random(2026)
    for _ in range(1500):
        written = [_random_figure(rng) for _ in range(rng.randint(1, 6))]
        values = [q(w) for w in written]
        exact = total(values)
        assert exact is not None
        place = coarsest_place(values)
        shown = stated("sum", exact, values)
        assert shown is not None
        if place is None or exact.qualifier is not Qualifier.ABOUT:
            assert shown == exact, written
            continue
        step = Decimal(10) ** place
        assert shown.qualifier is Qualifier.ABOUT, written
        assert shown.value % step == 0 or shown == exact, written
        assert abs(shown.value - exact.value) <= step / 2, written
        assert parse_quantity(format_quantity(shown)) == shown  # prints the way it reads back
