"""Reads of reports and data requests: the register (报表清单), duplicate fields, the per-unit
burden ledger and the county's 一套表 KPIs, scoped through ``ledger.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qingzhuang.ledger import access, matching
from qingzhuang.ledger.filling import dataset_columns
from qingzhuang.ledger.models import (
    Admission,
    DataRequest,
    DatasetColumn,
    Demand,
    DemandStatus,
    RegisterStatus,
    Report,
)
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit


def register(user) -> QuerySet[Report]:
    """Every report the user may see, with how many units it asks and how often it was sent."""
    return access.visible_reports(user).annotate(
        n_targets=Count("target_units", distinct=True),
        n_demands=Count("demands", distinct=True),
    )


def asked_elements(report: Report) -> list[str]:
    """Element codes of what a report asks for: its columns, groupings and measure (not its filters)."""
    return list(dict.fromkeys([*report.columns, *report.group_elements, *([report.measure] if report.measure else [])]))


def report_fields(report: Report, columns: dict[str, DatasetColumn] | None = None) -> list[str]:
    """The names of the fields a report asks for, the ledger's and those left to grassroots units."""
    columns = columns if columns is not None else dataset_columns(report.dataset)
    return [columns[c].name if c in columns else c for c in asked_elements(report)] + list(report.manual_fields)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def current_year() -> int:
    return timezone.localdate().year


def burden_units(user, *, year: int, q: str = "") -> QuerySet[Unit]:
    """Grassroots units of the user's scope with what was demanded of each this year."""
    start, end = year_bounds(year)
    units = Unit.objects.all() if access.sees_all_requests(user) else org_access.visible_units(user)
    units = units.filter(kind__in=GRASSROOTS_KINDS)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    in_year = Q(demands__created_at__gte=start, demands__created_at__lt=end)
    return units.annotate(
        n_reports=Count("demands__report", filter=in_year, distinct=True),
        n_requests=Count("demands__request", filter=in_year, distinct=True),
        n_submissions=Count("demands", filter=in_year),
        n_pending=Count("demands", filter=in_year & Q(demands__status=DemandStatus.PENDING)),
    ).order_by("-n_submissions", "path")


def get_burden_unit_or_404(user, code: str) -> Unit:
    units = Unit.objects.all() if access.sees_all_requests(user) else org_access.visible_units(user)
    try:
        return units.select_related("parent").get(code=code)
    except Unit.DoesNotExist:
        raise Http404("未找到该单位") from None


def unit_demands(unit: Unit, *, year: int) -> QuerySet[Demand]:
    start, end = year_bounds(year)
    return (Demand.objects.filter(unit=unit, created_at__gte=start, created_at__lt=end)
            .select_related("report__owner", "request__owner"))


@dataclass
class DuplicateField:
    label: str
    sources: list[str]


def duplicate_fields() -> list[DuplicateField]:
    """Fields asked by more than one active (admitted, not stopped) report or data request."""
    catalog = matching.Catalog()
    sources: dict[str, set[str]] = {}
    labels: dict[str, str] = {}

    def add(key: str, label: str, source: str) -> None:
        sources.setdefault(key, set()).add(source)
        labels.setdefault(key, label)

    def add_text(text: str, source: str) -> None:
        m = catalog.match_one(text)
        if m.element:
            add(f"e:{m.element.code}", m.element.name, source)
        else:
            add(f"t:{m.normalised}", text, source)

    active_reports = (Report.objects.filter(admission=Admission.APPROVED).exclude(register_status=RegisterStatus.STOP)
                      .select_related("dataset"))
    names = {e.code: e.name for e in catalog.elements.values()}
    for report in active_reports:
        source = f"报表：{report.name}"
        for code in asked_elements(report):
            add(f"e:{code}", names.get(code, code), source)
        for text in report.manual_fields:
            add_text(text, source)
    for req in DataRequest.objects.filter(admission=Admission.APPROVED).prefetch_related("fields__element"):
        source = f"数据需求：{req.title}"
        for f in req.fields.all():
            if f.element:
                add(f"e:{f.element.code}", f.element.name, source)
            else:
                add_text(f.text, source)
    return sorted((DuplicateField(labels[k], sorted(s)) for k, s in sources.items() if len(s) > 1),
                  key=lambda d: (-len(d.sources), d.label))


def county_kpis(*, year: int) -> dict:
    """The county's 一套表 KPIs: reports, yearly submissions per unit, duplicate fields, data not asked."""
    start, end = year_bounds(year)
    reports = Report.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(admission=Admission.APPROVED) & ~Q(register_status=RegisterStatus.STOP)),
        stopped=Count("id", filter=Q(register_status=RegisterStatus.STOP)),
        pending=Count("id", filter=Q(admission=Admission.PENDING)),
    )
    requests = DataRequest.objects.aggregate(total=Count("id"),
                                             pending=Count("id", filter=Q(admission=Admission.PENDING)))
    submissions = Demand.objects.filter(created_at__gte=start, created_at__lt=end).count()
    grassroots = Unit.objects.filter(kind__in=GRASSROOTS_KINDS, is_active=True).count()
    per_unit = (Decimal(submissions) / grassroots).quantize(Decimal("0.01"), ROUND_HALF_UP) if grassroots else Decimal(0)
    not_asked = sum(DataRequest.objects.filter(admission=Admission.APPROVED).values_list("not_asked", flat=True))
    duplicates = duplicate_fields()
    return {
        "year": year, "reports": reports, "requests": requests, "submissions": submissions,
        "grassroots_units": grassroots, "submissions_per_unit": per_unit, "duplicates": duplicates,
        "duplicate_count": len(duplicates), "not_asked": not_asked,
    }
