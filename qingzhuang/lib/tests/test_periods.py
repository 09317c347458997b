import datetime as dt

import pytest

from qingzhuang.lib import periods


@pytest.mark.parametrize("text", ["2025-01", "2025-12", "1999-06", "0001-01"])
def test_is_period_accepts_canonical_periods(text):
    assert periods.is_period(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025-1",
        "2025-00",
        "2025-13",
        "202501",
        "2025-01-01",
        "2025-01\n",
        " 2025-01",
        "２０２５-01",
        None,
    ],
)
def test_is_period_refuses_anything_else(text):
    assert not periods.is_period(text)


def test_parse_and_format():
    assert periods.parse_period("2025-03") == (2025, 3)
    assert periods.format_period(2025, 3) == "2025-03"
    assert periods.format_period(987, 11) == "0987-11"
    with pytest.raises(ValueError):
        periods.parse_period("2025-3")
    with pytest.raises(ValueError):
        periods.format_period(2025, 13)
    with pytest.raises(ValueError):
        periods.format_period(2025, 0)


def test_period_of_a_date():
    assert periods.period_of(dt.date(2025, 11, 3)) == "2025-11"


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [
        ("2025-06", 0, "2025-06"),
        ("2025-06", 1, "2025-07"),
        ("2025-12", 1, "2026-01"),
        ("2025-01", -1, "2024-12"),
        ("2025-03", -12, "2024-03"),
        ("2025-03", -27, "2022-12"),
        ("2025-11", 14, "2027-01"),
    ],
)
def test_shift_period(period, months, expected):
    assert periods.shift_period(period, months) == expected


def test_previous_and_year_on_year():
    assert periods.previous_period("2025-01") == "2024-12"
    assert periods.previous_period("2025-07") == "2025-06"
    assert periods.year_ago("2025-01") == "2024-01"
    assert periods.year_ago("2024-02") == "2023-02"


def test_year_bounds_and_months():
    assert periods.year_bounds(2025) == ("2025-01", "2025-12")
    months = periods.months_of_year(2025)
    assert months == tuple(f"2025-{m:02d}" for m in range(1, 13))
    assert (months[0], months[-1]) == periods.year_bounds(2025)


def test_period_range():
    assert periods.period_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert periods.period_range("2025-02", "2025-02") == ["2025-02"]
    assert periods.period_range("2025-03", "2025-02") == []


def test_quarter_and_words():
    assert [periods.quarter_of(p) for p in periods.months_of_year(2025)] == [
        1,
        1,
        1,
        2,
        2,
        2,
        3,
        3,
        3,
        4,
        4,
        4,
    ]
    assert periods.period_words("2025-03") == "2025年3月"
    assert periods.period_words("2025-11") == "2025年11月"
