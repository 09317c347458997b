"""Paging helpers that need no database: a sequence seen through a function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Mapped:
    """A sliceable sequence (a queryset) seen through ``fn``: a paginator counts it and slices it
    before anything is mapped, so only the rows of one page are turned into output."""

    def __init__(self, rows: Any, fn: Callable[[Any], Any]) -> None:
        self.rows, self.fn = rows, fn

    def __len__(self) -> int:
        count = getattr(self.rows, "count", None)
        return count() if callable(count) and not isinstance(self.rows, list) else len(self.rows)

    def __getitem__(self, key: slice) -> list:
        return [self.fn(row) for row in self.rows[key]]


# The largest integer a database column or LIMIT/OFFSET takes (a signed 64-bit integer): beyond
# it SQLite answers "datatype mismatch" and PostgreSQL "out of range" — a 500 unless refused first.
MAX_POSITION = 2**63 - 1
# The most rows one page of an API list returns.
MAX_LIMIT = 1000

# What each paging parameter is called in the messages.
_NAMES = {
    "limit": "每页条数 limit",
    "offset": "起始位置 offset",
    "after": "翻页位置 after",
    "before": "翻页位置 before",
}


def range_message(name: str, low: int, high: int) -> str:
    """The Chinese message for a paging parameter outside ``low``..``high``."""
    return f"{_NAMES.get(name, name)} 应为 {low} 到 {high} 之间的整数"


def paging_errors(
    *,
    limit: int | None = None,
    offset: int | None = None,
    after: int | None = None,
    before: int | None = None,
    max_limit: int = MAX_LIMIT,
) -> dict[str, list[str]]:
    """The out-of-range paging parameters (None = not given), by name, with their messages."""
    bounds = {
        "limit": (limit, 1, max_limit),
        "offset": (offset, 0, MAX_POSITION),
        "after": (after, 0, MAX_POSITION),
        "before": (before, 1, MAX_POSITION),
    }
    return {
        name: [range_message(name, low, high)]
        for name, (value, low, high) in bounds.items()
        if value is not None and not low <= value <= high
    }
