"""The one pagination of the API's lists, and the check every other paged endpoint shares.

Ninja's ``LimitOffsetPagination`` passes any integer to the database: ``offset=2**63`` made
SQLite fail with "datatype mismatch" (a 500). ``Paging`` refuses an out-of-range ``limit``
(1..1000) or ``offset`` (0..2⁶³−1) with a ``ValidationError``, which ``orgs.api_errors`` turns
into 400 ``{"detail": "…", "errors": {"offset": ["…"]}}`` with a Chinese message.
Endpoints that page by hand (keyset cursors, search) call ``check_paging`` themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from qingzhuang.lib.paging import MAX_LIMIT, MAX_POSITION, paging_errors

DEFAULT_LIMIT = 100


def check_paging(*, limit: int | None = None, offset: int | None = None, after: int | None = None,
                 before: int | None = None, max_limit: int = MAX_LIMIT) -> None:
    """Raise ``ValidationError`` (by parameter, in Chinese) when a paging parameter is out of range."""
    if errors := paging_errors(limit=limit, offset=offset, after=after, before=before, max_limit=max_limit):
        raise ValidationError(errors)


class Paging(LimitOffsetPagination):
    """``LimitOffsetPagination`` with bounds: ``limit`` 1..1000, ``offset`` 0..2⁶³−1, else 400."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, description=f"每页条数，1 到 {MAX_LIMIT}")
        offset: int = Field(0, description=f"跳过的条数，0 到 {MAX_POSITION}")

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params: Any) -> Any:
        check_paging(limit=pagination.limit, offset=pagination.offset, max_limit=self.max_limit)
        return super().paginate_queryset(queryset, pagination, request, **params)
