"""Reads of the burden ledger: what was demanded of each grassroots unit in a year, and the
county's figures. Scoped through ``burden.access``.

The county figures this app computes are its own (demands per grassroots unit). Modules above it
add theirs through ``register_kpis`` (the ledger adds reports, duplicate fields and the data items
not asked thanks to 找数据), so this app counts avoided burden without importing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import Demand, DemandKind, DemandStatus
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.registry import Todo

KPI_PROVIDERS: list[Callable[..., dict]] = []


def register_kpis(provider: Callable[..., dict]) -> None:
    """Add ``provider(year=…) -> dict`` to the county figures (its keys are merged in)."""
    if provider not in KPI_PROVIDERS:
        KPI_PROVIDERS.append(provider)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def current_year() -> int:
    return timezone.localdate().year


def default_year() -> int:
    """The year the burden pages open on: this year, or, while this year has no demand yet (early
    January, the demo county), the latest earlier year with demands."""
    year = current_year()
    start, end = year_bounds(year)
    if Demand.objects.filter(created_at__gte=start, created_at__lt=end).exists():
        return year
    latest = Demand.objects.filter(created_at__lt=start).aggregate(latest=Max("created_at"))["latest"]
    return timezone.localtime(latest).year if latest else year


def burden_units(user, *, year: int, q: str = "") -> QuerySet[Unit]:
    """Grassroots units of the user's scope with what was demanded of each in ``year``."""
    start, end = year_bounds(year)
    units = access.burden_scope(user).filter(kind__in=GRASSROOTS_KINDS)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    in_year = Q(demands__created_at__gte=start, demands__created_at__lt=end)
    return units.annotate(
        n_reports=Count("demands__source_id", filter=in_year & Q(demands__kind=DemandKind.REPORT), distinct=True),
        n_requests=Count("demands__source_id", filter=in_year & Q(demands__kind=DemandKind.DATA_REQUEST),
                         distinct=True),
        n_submissions=Count("demands", filter=in_year),
        n_pending=Count("demands", filter=in_year & Q(demands__status=DemandStatus.PENDING)),
    ).order_by("-n_submissions", "path")


def unit_demands(unit: Unit, *, year: int) -> QuerySet[Demand]:
    start, end = year_bounds(year)
    return Demand.objects.filter(unit=unit, created_at__gte=start, created_at__lt=end).select_related("placed_by")


def unit_counts(demands: list[Demand]) -> dict:
    """How many reports and data requests asked a unit, and how many asks are pending."""
    return {
        "n_reports": len({d.source_id for d in demands if d.kind == DemandKind.REPORT}),
        "n_requests": len({d.source_id for d in demands if d.kind == DemandKind.DATA_REQUEST}),
        "n_pending": sum(1 for d in demands if d.status == DemandStatus.PENDING),
    }


def county_kpis(*, year: int) -> dict:
    """The county's figures: demands placed in ``year``, per active grassroots unit, plus what the
    registered providers add."""
    start, end = year_bounds(year)
    submissions = Demand.objects.filter(created_at__gte=start, created_at__lt=end).count()
    grassroots = Unit.objects.filter(kind__in=GRASSROOTS_KINDS, is_active=True).count()
    per_unit = round_half_up(Decimal(submissions) / grassroots, 2) if grassroots else Decimal(0)
    kpis = {"year": year, "submissions": submissions, "grassroots_units": grassroots,
            "submissions_per_unit": per_unit}
    for provider in KPI_PROVIDERS:
        kpis.update(provider(year=year))
    return kpis


def todos(user) -> list:
    """Workbench to-dos: fills asked of the user's units that are still open (for those who fill)."""
    if not user.has_perm(access.FILL_PERMISSION):
        return []
    open_fills = access.visible_demands(user).filter(org_access.unit_q(user, "unit"),
                                                     status=DemandStatus.PENDING).count()
    if not open_fills:
        return []
    return [Todo("项填报待完成", open_fills, reverse("burden:demand_list") + "?status=pending", tone="warning")]
