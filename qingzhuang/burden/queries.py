"""Reads of the burden ledger: what was demanded of each grassroots unit in a year, the
county's figures, and the workbench's to-dos and charts. Scoped through ``burden.access``.

The county figures this app computes are its own (demands per grassroots unit). Modules above it
add theirs through ``register_kpis`` (the ledger adds reports and duplicate fields), and the burden
they took off grassroots units through ``register_removed`` (the ledger: fields not asked thanks to
找数据), so this app counts avoided burden without importing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import Demand, DemandKind, DemandStatus
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.lib.periods import months_of_year
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.registry import Chart, Todo

KPI_PROVIDERS: list[Callable[..., dict]] = []


def register_kpis(provider: Callable[..., dict]) -> None:
    """Add ``provider(year=…) -> dict`` to the county figures (its keys are merged in)."""
    if provider not in KPI_PROVIDERS:
        KPI_PROVIDERS.append(provider)


@dataclass(frozen=True)
class Removed:
    """Burden taken off grassroots units in a year, as a module above counts it: what (``label``),
    how many asks or items (``count``), the person-hours they would have cost (``hours``, Decimal,
    or None when the module does not estimate them) and how that was counted (``note``)."""

    label: str
    count: int
    hours: Decimal | None
    note: str = ""
    unit: str = "项"


REMOVED_PROVIDERS: list[Callable[..., list[Removed]]] = []


def register_removed(provider: Callable[..., list[Removed]]) -> None:
    """Add ``provider(year=…) -> list[Removed]`` to the county's "burden removed" figures."""
    if provider not in REMOVED_PROVIDERS:
        REMOVED_PROVIDERS.append(provider)


def removed_burden(*, year: int) -> list[Removed]:
    """What every registered provider says was taken off grassroots units in ``year`` (nothing else)."""
    return [item for provider in REMOVED_PROVIDERS for item in provider(year=year)]


# The years the burden pages and the API answer for; the pages fall back to the default year
# outside them, the API refuses them (a year past 9998 has no end in ``year_bounds``).
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_MESSAGE = f"年份 year 应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的整数"
YEAR_DESCRIPTION = f"年份，{FIRST_YEAR} 到 {LAST_YEAR}；不填为今年"


def year_or_current(year: int | None) -> int:
    """An API's ``year`` parameter: this year when not given; ``ValidationError`` (400, by field)
    outside FIRST_YEAR..LAST_YEAR."""
    if year is None:
        return current_year()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": YEAR_MESSAGE})
    return year


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def current_year() -> int:
    return timezone.localdate().year


def default_year() -> int:
    """The year the burden pages open on: this year, or, while this year has no demand yet (early
    January, the demo county), the latest earlier year with demands."""
    year = current_year()
    latest = Demand.objects.filter(month__lte=f"{year}-12").aggregate(latest=Max("month"))["latest"]
    return int(latest[:4]) if latest else year


def burden_units(user, *, year: int, q: str = "") -> QuerySet[Unit]:
    """Grassroots units of the user's scope with what was demanded of each in ``year``."""
    units = access.burden_scope(user).filter(kind__in=GRASSROOTS_KINDS)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    in_year = Q(demands__month__range=(f"{year}-01", f"{year}-12"))
    return units.annotate(
        n_reports=Count("demands__source_id", filter=in_year & Q(demands__kind=DemandKind.REPORT), distinct=True),
        n_requests=Count("demands__source_id", filter=in_year & Q(demands__kind=DemandKind.DATA_REQUEST),
                         distinct=True),
        n_submissions=Count("demands", filter=in_year),
        n_pending=Count("demands", filter=in_year & Q(demands__status=DemandStatus.PENDING)),
    ).order_by("-n_submissions", "path")


def county_kpis(*, year: int) -> dict:
    """The county's figures: demands placed in ``year``, per active grassroots unit, plus what the
    registered providers add."""
    submissions = Demand.objects.filter(month__range=(f"{year}-01", f"{year}-12")).count()
    grassroots = Unit.objects.filter(kind__in=GRASSROOTS_KINDS, is_active=True).count()
    per_unit = round_half_up(Decimal(submissions) / grassroots, 2) if grassroots else Decimal(0)
    kpis = {"year": year, "submissions": submissions, "grassroots_units": grassroots,
            "submissions_per_unit": per_unit}
    for provider in KPI_PROVIDERS:
        kpis.update(provider(year=year))
    return kpis


def todos(user) -> list:
    """Workbench to-dos of every part of the app: open fills, clues to handle, circulations not read."""
    from qingzhuang.burden import queries_documents
    from qingzhuang.burden.queries_clues import todos as clue_todos

    return demand_todos(user) + clue_todos(user) + queries_documents.todos(user)


def demand_todos(user) -> list:
    """Fills asked of the user's units that are still open (for those who fill)."""
    if not user.has_perm(access.FILL_PERMISSION):
        return []
    open_fills = access.visible_demands(user).filter(org_access.unit_q(user, "unit"),
                                                     status=DemandStatus.PENDING).count()
    if not open_fills:
        return []
    return [Todo("项填报待完成", open_fills, reverse("burden:demand_list") + "?status=pending", tone="warning")]


# The workbench charts (``Module.charts``). Months are the demand's own month ("2025-06", local time
# when it was placed); each ask of one unit counts once.
MONTH_LABELS = [f"{month}月" for month in range(1, 13)]
THIS_YEAR_COLOUR, LAST_YEAR_COLOUR = "#0d6efd", "#adb5bd"
KIND_COLOURS = {
    DemandKind.REPORT: "#0d6efd", DemandKind.DATA_REQUEST: "#20c997", DemandKind.INSPECTION: "#dc3545",
    DemandKind.MEETING: "#fd7e14", DemandKind.DOCUMENT: "#6f42c1", DemandKind.WORK_GROUP: "#0dcaf0",
    DemandKind.CHECK_IN: "#ffc107", DemandKind.DUTY_ADMISSION: "#198754", DemandKind.OTHER: "#6c757d",
}


def grassroots_demands(user) -> QuerySet[Demand]:
    """Demands on the grassroots units whose burden ``user`` reads (``access.burden_scope``)."""
    units = access.burden_scope(user).filter(kind__in=GRASSROOTS_KINDS)
    return Demand.objects.filter(unit__in=units)


def demands_by_month(user, *, year: int) -> list[int]:
    """How many asks the grassroots units of the user's scope received in each month of ``year``."""
    rows = (grassroots_demands(user).filter(month__range=(f"{year}-01", f"{year}-12")).order_by()
            .values("month").annotate(n=Count("id")))
    found = {row["month"]: row["n"] for row in rows}
    return [found.get(month, 0) for month in months_of_year(year)]


def demands_by_month_and_kind(user, *, year: int) -> dict[str, list[int]]:
    """Per kind (in ``DemandKind`` order, only kinds asked), the asks of each month of ``year``."""
    rows = (grassroots_demands(user).filter(month__range=(f"{year}-01", f"{year}-12")).order_by()
            .values("kind", "month").annotate(n=Count("id")))
    found = {(row["kind"], row["month"]): row["n"] for row in rows}
    months = months_of_year(year)
    result = {kind: [found.get((kind, month), 0) for month in months] for kind in DemandKind.values}
    return {kind: counts for kind, counts in result.items() if any(counts)}


def _until_now(counts: list[int], year: int, today: dt.date) -> list[int | None]:
    """Months still to come of the current year have no value yet (a gap, not a zero)."""
    if year != today.year:
        return list(counts)
    return [n if index < today.month else None for index, n in enumerate(counts)]


def _month_option(series: list[dict], *, y_name: str = "任务（项）", legend: bool = True) -> dict:
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"show": legend, "top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 12, "top": 56 if legend else 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": MONTH_LABELS, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "name": y_name, "minInterval": 1, "nameTextStyle": {"align": "left"}},
        "series": series,
    }


def county_demand_chart(user, *, year: int, today: dt.date) -> Chart:
    """All grassroots units of the user's scope: asks by month, this year against last."""
    this_year, last_year = demands_by_month(user, year=year), demands_by_month(user, year=year - 1)
    so_far = sum(this_year[: today.month]) if year == today.year else sum(this_year)
    last_so_far = sum(last_year[: today.month]) if year == today.year else sum(last_year)
    option = _month_option([
        {"name": f"{year - 1}年", "type": "bar", "data": last_year, "itemStyle": {"color": LAST_YEAR_COLOUR}},
        {"name": f"{year}年", "type": "bar", "data": _until_now(this_year, year, today),
         "itemStyle": {"color": THIS_YEAR_COLOUR}},
    ])
    scope = "全县" if access.sees_all_demands(user) else "范围内"
    return Chart(
        key="burden-by-month",
        title=f"{scope}基层单位每月收到的任务：{year}年与{year - 1}年",
        option=option,
        note=((f"今年截至{today.month}月共{so_far}项，去年同期{last_so_far}项。" if year == today.year
               else f"{year}年全年共{so_far}项，{year - 1}年{last_so_far}项。")
              + f"统计{scope}乡镇（街道）、村（社区）和网格收到的报表、数据需求、督查检查、会议等任务，向一个单位下发一次计一项。"),
        empty="" if any(this_year) or any(last_year) else "今年和去年都还没有向基层单位下发过任务。",
        unit="项",
    )


def own_demand_chart(user, *, year: int, today: dt.date) -> Chart:
    """A township or village: what was asked of its units this year, by month and kind."""
    by_kind = demands_by_month_and_kind(user, year=year)
    labels = dict(DemandKind.choices)
    series = [
        {"name": labels[kind], "type": "bar", "stack": "kind", "data": _until_now(counts, year, today),
         "itemStyle": {"color": KIND_COLOURS[kind]}}
        for kind, counts in by_kind.items()
    ]
    total = sum(sum(counts) for counts in by_kind.values())
    return Chart(
        key="burden-own-by-month",
        title=f"{year}年派给本单位的任务（按月、按类型）",
        option=_month_option(series),
        note=f"{year}年共{total}项，含本单位及下属村（社区）、网格；向一个单位下发一次计一项。",
        empty="" if total else f"{year}年还没有派给本单位的任务。",
        unit="项",
    )


def charts(user) -> list[Chart]:
    """Workbench charts: those who oversee the county see all grassroots units this year against
    last; a township or village sees what was asked of its own units; others see none. The year is
    the burden pages' (``default_year``): this year, or the latest year with demands."""
    today = timezone.localdate()
    year = default_year()
    if access.sees_all_demands(user):
        return [county_demand_chart(user, year=year, today=today)]
    if not access.burden_scope(user).filter(kind__in=GRASSROOTS_KINDS).exists():
        return []
    return [own_demand_chart(user, year=year, today=today)]
