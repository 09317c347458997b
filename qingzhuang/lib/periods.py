"""Monthly periods ("YYYY-MM"): validating, parsing, shifting, year-on-year, year bounds (pure).

A period is always stored and compared as text "YYYY-MM" (ASCII digits, month 01 to 12), so
periods sort as text. Loose input such as "2024年11月" or "202411" is parsed by
``lib.values.parse_period``; this module works on the canonical form.
"""

from __future__ import annotations

import datetime as dt
import re

PERIOD_RE = re.compile(r"\A([0-9]{4})-(0[1-9]|1[0-2])\Z")


def is_period(text: str) -> bool:
    """Whether ``text`` is a period in canonical form: "2025-06" yes; "2025-6", "2025-13" no."""
    return isinstance(text, str) and PERIOD_RE.match(text) is not None


def parse_period(text: str) -> tuple[int, int]:
    """(year, month) of a canonical period; raises ValueError for anything else."""
    match = PERIOD_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a period (YYYY-MM): {text!r}")
    return int(match[1]), int(match[2])


def format_period(year: int, month: int) -> str:
    """ "YYYY-MM" of a year and a month (1 to 12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    if not 0 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    return f"{year:04d}-{month:02d}"


def period_of(day: dt.date) -> str:
    """The period a date falls in: 2025-11-03 → "2025-11"."""
    return format_period(day.year, day.month)


def shift_period(period: str, months: int) -> str:
    """``period`` moved by ``months`` (negative: back): ("2025-01", -1) → "2024-12"."""
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return format_period(index // 12, index % 12 + 1)


def previous_period(period: str) -> str:
    """The month before: "2025-01" → "2024-12"."""
    return shift_period(period, -1)


def year_ago(period: str) -> str:
    """The same month a year before (the year-on-year counterpart): "2025-03" → "2024-03"."""
    return shift_period(period, -12)


def year_bounds(year: int) -> tuple[str, str]:
    """The first and last period of a year: 2025 → ("2025-01", "2025-12")."""
    return format_period(year, 1), format_period(year, 12)


def months_of_year(year: int) -> tuple[str, ...]:
    """The twelve periods of a year, in order."""
    return tuple(format_period(year, month) for month in range(1, 13))


def period_range(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last``, both included (empty when ``last`` is earlier)."""
    year, month = parse_period(first)
    end_year, end_month = parse_period(last)
    count = (end_year - year) * 12 + (end_month - month) + 1
    return [shift_period(first, n) for n in range(max(count, 0))]


def quarter_of(period: str) -> int:
    """The quarter (1 to 4) a period falls in."""
    return (parse_period(period)[1] - 1) // 3 + 1


def period_words(period: str) -> str:
    """A period in Chinese prose: "2025-03" → "2025年3月"."""
    year, month = parse_period(period)
    return f"{year}年{month}月"
