"""parse_quantity's short cuts (issue 19) decide as the full checks they stand in front of."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brief.domain.quantity import (
    _MAYBE_OTHER_DIGIT,
    _NOT_A_NUMBER_CHARS,
    MAX_LENGTH,
    QuantityError,
    _check_limits,
    _normal,
    _not_a_number,
    _plainly_within_limits,
    parse_quantity,
)

_NUMBERS = st.from_regex(r"\A-?(?:0|[1-9][0-9]{0,19})(?:\.[0-9]{1,5})?\Z")


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(_NUMBERS, st.sampled_from(["", "万", "亿"]), st.booleans())
def test_plainly_within_limits_never_skips_a_refusal(num: str, scale: str, percent: bool) -> None:
    if _plainly_within_limits(num, scale):
        _check_limits(num, Decimal(num), scale, percent)  # raises if the short cut was wrong


@pytest.mark.parametrize(("num", "scale"), [("999999999999999", ""), ("1.25", "万"), ("99999999.99", "亿")])
def test_plainly_within_limits_takes_the_usual_figures(num: str, scale: str) -> None:
    assert _plainly_within_limits(num, scale)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.首第一二两三四五六七八九十百千年月日号前后底初起个人余万 ", max_size=12))
def test_not_a_number_is_asked_whenever_it_could_refuse(text: str) -> None:
    if _not_a_number(text, text):
        assert _NOT_A_NUMBER_CHARS.search(text)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_NUMBERS)
def test_a_whole_number_is_already_normal(num: str) -> None:
    if "." not in num and Decimal(num) != 0:
        for scale in (1, 10000, 100000000):
            value = Decimal(num) * scale
            assert str(_normal(value)) == str(value)


def test_figures_parse_as_written() -> None:
    """What the shortcuts return, printed exactly (value digits and exponent included)."""
    rng = random.Random(7)
    for _ in range(2000):
        whole = str(rng.randint(0, 10 ** rng.randint(1, 7)))
        frac = rng.choice(["", "." + str(rng.randint(0, 99)).zfill(rng.randint(1, 2))])
        scale = rng.choice(["", "万", "亿"])
        text = rng.choice(["", "近", "约", "超过"]) + whole + frac + scale + rng.choice(["", "人"])
        q = parse_quantity(text, "人")
        assert str(q.value) == str(_normal(Decimal(whole + frac) * {"": 1, "万": 10000, "亿": 10 ** 8}[scale]))


@pytest.mark.parametrize(("text", "said"), [
    ("1.234", "小数位太多"), ("12345678901234567", "太大"), ("1234567890123456", "有效数字超过"),
    ("第3", "序数或日期"), ("三十人", "汉字数字"), ("3月底", "序数或日期"), ("5\n人", "\\n"),
    ("１２", "不是半角数字"), ("5人以上以上", "位置不对"), ("9" * (MAX_LENGTH + 1), "太长"),
])
def test_refusals_still_said(text: str, said: str) -> None:
    with pytest.raises(QuantityError, match=said.replace("\\", "\\\\")):
        parse_quantity(text, "人")


def test_other_digits_are_looked_for_wherever_they_can_be() -> None:
    """Every character that isdigit() but is not 0-9 falls outside what the guard lets pass."""
    others = [chr(c) for c in range(0x110000) if chr(c).isdigit() and chr(c) not in "0123456789"]
    assert len(others) > 700  # ４, ٠, ², 𝟗 …
    assert all(_MAYBE_OTHER_DIGIT.search(ch) for ch in others)


@pytest.mark.parametrize("text", ["12.50%", "-6.03%", "约40.00%", "-0.01%", "15%～30%", "40%以上", "0.00%"])
def test_format_change_says_what_replace_said(text: str) -> None:
    """format_change builds the unsigned figure itself (no dataclasses.replace): the same words."""
    from dataclasses import replace

    from brief.domain.quantity import format_change, format_number

    q = parse_quantity(text, "%", change=True)
    if q.value == 0 and not q.is_range:
        expected = "持平"
    else:
        word = "上升" if q.value >= 0 else "下降"
        expected = word + format_number(replace(q, value=abs(q.value), written=q.written.lstrip("-")))
    assert format_change(q) == expected
    assert format_change(q).startswith(("上升", "下降", "持平"))


def test_format_change_of_computed_changes() -> None:
    from brief.domain.aggregate import change
    from brief.domain.quantity import format_change

    assert format_change(change(parse_quantity("100", "人"), parse_quantity("112.5", "人"))) == "上升12.50%"
    assert format_change(change(parse_quantity("100", "人"), parse_quantity("93.97", "人"))) == "下降6.03%"
    assert format_change(change(parse_quantity("近100", "人"), parse_quantity("100", "人"))) == "持平"


def test_the_qualifier_tuples_are_the_properties() -> None:
    from brief.domain.quantity import _AFTER_NUMBER, _AFTER_UNIT, _PREFIXES, Qualifier

    assert {q for q in Qualifier if q.is_prefix} == set(_PREFIXES)
    assert {q for q in Qualifier if q.is_word_after_unit} == set(_AFTER_UNIT)
    assert set(_AFTER_NUMBER) == {Qualifier.AT_LEAST, Qualifier.MORE}


def _fields(q):  # noqa: ANN001, ANN202 - a test helper
    return (str(q.value), q.qualifier, q.percent, q.high, q.written, q.unit)


_UNITS = st.sampled_from([("", ()), ("人", ()), ("万元", ()), ("个", ("家",)), ("人次", ("人",)), ("年", ()),
                          ("余", ()), ("%", ())])


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789.近约超过余多万亿个人次家元年月号以上下内至—-% 第十", min_size=1, max_size=16),
       _UNITS)
@pytest.mark.slow
def test_the_usual_figure_reads_as_the_full_reading_reads_it(text: str, units: tuple) -> None:  # type: ignore[type-arg]
    from brief.domain.quantity import _parse, _usual

    unit, also = units
    quick = _usual(text, unit, also)
    if quick is None:
        return
    assert _fields(quick) == _fields(_parse(text, unit, False, also))  # the full reading accepts it too


@pytest.mark.parametrize("text", ["9000", "21万余", "超过566.2万", "约4.48万个", "0", "0.00万", "1.50亿人次", "7万多",
                                  "999999999999", "近10万", "3000余人", "12.5家"])
def test_usual_figures_take_the_short_cut_and_read_alike(text: str) -> None:
    from brief.domain.quantity import _parse, _usual

    unit, also = ("人次", ()) if "人次" in text else ("个", ("家",))
    if text.endswith("人"):
        unit = "人"
    quick = _usual(text, unit, also)
    assert quick is not None
    assert _fields(quick) == _fields(_parse(text, unit, False, also))
    assert _fields(parse_quantity(text, unit, units_also=also)) == _fields(quick)


@pytest.mark.parametrize(("text", "unit"), [("5余多", "人"), ("约5余", "人"), ("5年", "年"), ("5万以上", "人"),
                                            ("5人以上", "人"), ("1234567890123", "人"), ("1.234", "人"),
                                            ("99999999万亿", "人"), ("5", "%"), ("5个", "人"), ("5余余", "余")])
def test_what_the_short_cut_leaves_to_the_full_reading(text: str, unit: str) -> None:
    from brief.domain.quantity import _usual

    assert _usual(text, unit, ()) is None
