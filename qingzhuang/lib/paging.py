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
