"""The year a supervision page shows: the ``year`` asked for, else a part's default — this year, or
the latest earlier year with rows while this year has none yet (a year says nothing about any unit)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Max, QuerySet
from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2100


def default_year(rows: QuerySet, field: str) -> int:
    """This year when ``rows`` have one in it, else the latest earlier year they have, else this
    year. ``field`` is a year (an integer) or a date of the rows."""
    year = timezone.localdate().year
    is_date = rows.model._meta.get_field(field).get_internal_type() in ("DateField", "DateTimeField")
    lookup = f"{field}__year" if is_date else field
    if rows.filter(**{lookup: year}).exists():
        return year
    latest = rows.filter(**{f"{lookup}__lt": year}).aggregate(latest=Max(field))["latest"]
    if latest is None:
        return year
    return latest.year if is_date else latest


def page_year(request, default: Callable[[], int]) -> int:
    """``?year=`` when it is a year from FIRST_YEAR to LAST_YEAR, else ``default()``."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default()
    return year if FIRST_YEAR <= year <= LAST_YEAR else default()
