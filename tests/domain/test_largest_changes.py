"""domain.ranking.largest_changes: the year-over-year chart's choice and order, exact Decimal."""

from __future__ import annotations

from decimal import Decimal as D

from brief.domain.ranking import largest_changes


def keys(changes: list[tuple[str, D]], n: int = 8) -> list[str]:
    return [k for k, _ in largest_changes(changes, n)]


def test_the_largest_by_size_rises_first_then_falls() -> None:
    changes = [("a", D("5")), ("b", D("-60")), ("c", D("12.5")), ("d", D("-3")), ("e", D("40"))]
    assert keys(changes, 3) == ["e", "c", "b"]  # sizes 60, 40, 12.5 chosen; shown 40, 12.5, -60
    assert keys(changes) == ["e", "c", "a", "d", "b"]


def test_unchanged_is_never_a_bar() -> None:
    assert keys([("a", D("0")), ("b", D("0.00")), ("c", D("-0.01"))]) == ["c"]
    assert largest_changes([("a", D("0"))], 8) == []


def test_ties_keep_the_given_order_in_the_choice_and_in_the_chart() -> None:
    # 25 and -25 tie in size at the cut: the one given first is chosen
    assert keys([("x", D("40")), ("fall", D("-25")), ("rise", D("25"))], 2) == ["x", "fall"]
    assert keys([("x", D("40")), ("rise", D("25")), ("fall", D("-25"))], 2) == ["x", "rise"]
    # equal values keep the given (catalog) order in the chart, whatever order they were chosen in
    assert keys([("p", D("25.00")), ("q", D("33.33")), ("r", D("25")), ("s", D("25.0"))], 3) == ["q", "p", "r"]


def test_exact_decimals_not_floats() -> None:
    # as floats 0.1 + 0.2 > 0.3; exact, the two tie and the first given wins
    assert keys([("a", D("0.3")), ("b", D("0.1") + D("0.2"))], 1) == ["a"]
    assert keys([("a", D("33.33")), ("b", D("33.34"))], 1) == ["b"]


def test_no_more_than_n() -> None:
    changes = [(str(i), D(i)) for i in range(1, 20)]
    assert keys(changes) == [str(i) for i in range(19, 11, -1)]
