"""Windows of plan items and periods of caps: a month "2025-06" or a quarter "2025-Q2" (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

MONTH_RE = re.compile(r"\A([0-9]{4})-(0[1-9]|1[0-2])\Z")
QUARTER_RE = re.compile(r"\A([0-9]{4})-Q([1-4])\Z")


def bounds(window: str) -> tuple[dt.date, dt.date]:
    """First and last day of a month or quarter window; ValueError for anything else."""
    if m := MONTH_RE.match(window or ""):
        year, month = int(m[1]), int(m[2])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := QUARTER_RE.match(window or ""):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        return dt.date(year, first, 1), dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    raise ValueError(f"not a month or quarter window: {window!r}")


def kind_of(window: str) -> str:
    """"month" or "quarter"; ValueError for anything else."""
    if MONTH_RE.match(window or ""):
        return "month"
    if QUARTER_RE.match(window or ""):
        return "quarter"
    raise ValueError(f"not a month or quarter window: {window!r}")


def period_for(day: dt.date, period: str) -> str:
    """The month ("2025-06") or quarter ("2025-Q2") ``day`` falls in."""
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def words(window: str) -> str:
    """"2025年6月" or "2025年第二季度"."""
    if m := MONTH_RE.match(window or ""):
        return f"{int(m[1])}年{int(m[2])}月"
    if m := QUARTER_RE.match(window or ""):
        return f"{int(m[1])}年第{'一二三四'[int(m[2]) - 1]}季度"
    return window
