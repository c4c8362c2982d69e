"""Quantities: the contract's table, round trips over the whole range, exact sums."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brief.domain.aggregate import add, aggregate, change, combine_qualifiers, total
from brief.domain.quantity import (
    Qualifier,
    Quantity,
    QuantityError,
    format_change,
    format_number,
    format_quantity,
    parse_quantity,
)

Q = Qualifier


@pytest.mark.parametrize(("written", "unit", "value", "qualifier"), [
    ("490", "名", "490", Q.EXACT),
    ("2.12万", "人次", "21200", Q.EXACT),
    ("2.12万人次", "人次", "21200", Q.EXACT),
    ("10.49亿元", "元", "1049000000", Q.EXACT),
    ("1600余", "人次", "1600", Q.AT_LEAST),
    ("7万多", "亩", "70000", Q.MORE),
    ("近10万", "人次", "100000", Q.NEARLY),
    ("约5万", "元", "50000", Q.ABOUT),
    ("超过100亿", "元", "10000000000", Q.OVER),
    ("0", "名", "0", Q.EXACT),
])
def test_contract_table(written: str, unit: str, value: str, qualifier: Qualifier) -> None:
    q = parse_quantity(written, unit)
    assert q.value == Decimal(value) and q.qualifier is qualifier and not q.percent


def test_percent_and_change() -> None:
    assert parse_quantity("61.36%", "%").value == Decimal("61.36")
    assert format_change(parse_quantity("61.36%", "%", change=True)) == "上升61.36%"
    assert format_change(parse_quantity("-6.03%", "%", change=True)) == "下降6.03%"
    assert format_change(parse_quantity("0%", "%", change=True)) == "持平"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    ("21200", "人次", "2.12万人次"),
    ("10000000", "元", "1000万元"),
    ("1049000000", "元", "10.49亿元"),
    ("7476000", "元", "747.6万元"),
    ("490", "名", "490名"),
])
def test_format_writes_back_the_way_reports_do(value: str, unit: str, shown: str) -> None:
    assert format_quantity(Quantity(Decimal(value)), unit) == shown


def test_format_keeps_qualifier_in_place() -> None:
    assert format_quantity(Quantity(Decimal(1600), Q.AT_LEAST), "人次") == "1600余人次"
    assert format_quantity(Quantity(Decimal(70000), Q.MORE), "亩") == "7万多亩"
    assert format_quantity(Quantity(Decimal(100000), Q.NEARLY), "人次") == "近10万人次"
    assert format_quantity(Quantity(Decimal(10**10), Q.OVER), "元") == "超过100亿元"


@pytest.mark.parametrize("bad", ["2.12w", "两万", "1,600", "", "  ", "1.2.3", "万", "01", "2万亿", "1e3", "余100"])
def test_malformed_figures_are_errors(bad: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(bad, "人次")


def test_unit_must_equal_catalog() -> None:
    with pytest.raises(QuantityError, match="单位“人”与指标目录不符"):
        parse_quantity("2.12万人", "人次")
    with pytest.raises(QuantityError, match="负数"):
        parse_quantity("-5", "名")


def test_sums_keep_qualifiers() -> None:
    p = lambda t, u="名": parse_quantity(t, u)  # noqa: E731
    assert format_quantity(total([p("490"), p("1600余")]), "名") == "2090余名"
    assert format_quantity(add(p("2.12万", "人次"), p("3万", "人次")), "人次") == "5.12万人次"
    assert format_quantity(add(p("747.6万元", "元"), p("252.4万", "元")), "元") == "1000万元"
    assert add(p("近10万"), p("近5万")).qualifier is Q.NEARLY
    assert aggregate("max", [p("3"), p("9"), p("5")]) == p("9")
    assert aggregate("none", [p("3")]) is None


@pytest.mark.parametrize(("a", "b", "out"), [
    (Q.EXACT, Q.AT_LEAST, Q.AT_LEAST), (Q.NEARLY, Q.EXACT, Q.NEARLY), (Q.AT_LEAST, Q.AT_LEAST, Q.AT_LEAST),
    (Q.NEARLY, Q.NEARLY, Q.NEARLY), (Q.AT_LEAST, Q.MORE, Q.AT_LEAST), (Q.OVER, Q.MORE, Q.AT_LEAST),
    (Q.AT_LEAST, Q.NEARLY, Q.ABOUT), (Q.ABOUT, Q.OVER, Q.ABOUT), (Q.MORE, Q.MORE, Q.MORE),
])
def test_qualifier_combination(a: Qualifier, b: Qualifier, out: Qualifier) -> None:
    assert combine_qualifiers(a, b) is out


def test_year_over_year() -> None:
    p = lambda t: parse_quantity(t, "名")  # noqa: E731
    assert format_change(change(p("80"), p("90"))) == "上升12.50%"
    assert format_change(change(p("100"), p("93.97"))) == "下降6.03%"
    assert format_change(change(p("5"), p("5"))) == "持平"
    assert change(p("0"), p("5")) is None


# The documented range (quantity.MAX_DIGITS, MAX_MAGNITUDE, MAX_PLACES): 15 digits, two places.
decimals = st.decimals(min_value=0, max_value=Decimal("9999999999999.99"), places=2, allow_nan=False,
                       allow_infinity=False)
small = st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2, allow_nan=False, allow_infinity=False)
qualifiers = st.sampled_from(list(Qualifier))


@given(decimals, qualifiers)
def test_parse_format_round_trip(value: Decimal, qualifier: Qualifier) -> None:
    q = Quantity(value, qualifier)
    for unit in ("", "人次", "元"):
        assert parse_quantity(format_quantity(q, unit), unit) == q


@given(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False), qualifiers)
def test_percent_round_trip(value: Decimal, qualifier: Qualifier) -> None:
    q = Quantity(value, qualifier, percent=True)
    if value < 0 and qualifier not in (Q.EXACT, Q.NEARLY, Q.ABOUT):
        with pytest.raises(QuantityError, match="是负数，不能再加"):  # -5%以下: its meaning would invert
            parse_quantity(format_number(q), "%", change=True)
        return
    assert parse_quantity(format_number(q), "%", change=True) == q


@given(st.lists(small, min_size=1, max_size=12))  # a sum of 12 stays within 15 digits
def test_sums_are_exact(values: list[Decimal]) -> None:
    quantities = [Quantity(v) for v in values]
    assert total(quantities).value == sum(values, Decimal(0))
    shown = format_quantity(total(quantities), "元")
    assert parse_quantity(shown, "元").value == sum(values, Decimal(0))
