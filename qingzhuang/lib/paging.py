"""Paging helpers that need no database: a sequence seen through a function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


# ---------------------------------------------------------------------------------------------
# Numbered pages of a list page: 共 N 条，第 x / y 页, links to 1 … x-2 x-1 x x+1 x+2 … y.


def page_message(pages: int) -> str:
    """The Chinese message for a page number outside 1..``pages``."""
    return f"页码 page 应为 1 到 {pages} 之间的整数"


class PageOutOfRange(ValueError):
    """A requested page number that is not a whole number between 1 and the last page."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        super().__init__(page_message(pages))

    @property
    def message(self) -> str:
        return page_message(self.pages)


@dataclass(frozen=True)
class PageNumbers:
    """Where one page of ``total`` rows, ``per_page`` a page, lies: page ``number`` of ``pages``."""

    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first_row(self) -> int:
        """The 1-based position of the page's first row (0 when there are none)."""
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def links(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last, and ``around`` either side of this one;
        None where numbers are left out (shown as …)."""
        shown = sorted(
            {1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)}
        )
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None if n - out[-1] > 2 else n - 1)
            out.append(n)
        return out


def page_numbers(requested: str | int | None, *, total: int, per_page: int) -> PageNumbers:
    """Page ``requested`` (a query-string value; empty is the first page) of ``total`` rows.

    Anything but a whole number from 1 to the last page raises ``PageOutOfRange``, before a row is
    read: a page like ``10**30`` would otherwise become an OFFSET the database cannot take (a 500).
    """
    pages = max(1, -(-total // per_page))
    text = str(requested if requested is not None else "").strip()
    if not text:
        return PageNumbers(1, total, per_page)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or not 1 <= int(text) <= pages:
        raise PageOutOfRange(pages)
    return PageNumbers(int(text), total, per_page)
