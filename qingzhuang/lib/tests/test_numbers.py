from decimal import Decimal as D

import pytest

from qingzhuang.lib.numbers import round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("2.5"), 0, D("3")),
        (D("3.5"), 0, D("4")),
        (D("2.4999"), 0, D("2")),
        (D("2.345"), 2, D("2.35")),
        (D("2.344"), 2, D("2.34")),
        (D("0.05"), 1, D("0.1")),
        (D("-2.5"), 0, D("-3")),
        (D("-2.345"), 2, D("-2.35")),
        (D("-0.04"), 1, D("-0.0")),
        (D("1234"), 2, D("1234.00")),
        (D("1E+2"), 1, D("100.0")),
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(value, places)
    assert result == expected
    assert str(result) == str(expected)  # the exponent (number of places) too


def test_other_input_types():
    assert round_half_up(5, 0) == D(5)
    assert round_half_up("2.345", 2) == D("2.35")
    assert round_half_up(2.675, 2) == D("2.68")  # the float's text, not its binary value
    assert round_half_up(D("12.5")) == D("13")


def test_negative_places_round_to_tens():
    assert round_half_up(D("1250"), -2) == D("1.3E+3")
