"""Reads of reports and data requests: the register (报表清单), duplicate fields and the ledger's
part of the county KPIs, scoped through ``ledger.access``. The per-unit burden ledger is
``burden.queries``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.models import DemandKind
from qingzhuang.burden.services import weights
from qingzhuang.ledger import access, matching
from qingzhuang.ledger.filling import dataset_columns
from qingzhuang.ledger.models import (
    Admission,
    DataRequest,
    DatasetColumn,
    MatchOutcome,
    RegisterStatus,
    Report,
)
from qingzhuang.lib.numbers import round_half_up


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


@dataclass
class DuplicateField:
    label: str
    sources: list[str]


def duplicate_fields() -> list[DuplicateField]:
    """Fields asked by more than one active (admitted, not stopped) report or data request. Two
    fields are the same when they name the same element exactly (a data request's related field
    once confirmed); a near one (户籍地址 beside 居住地址) is another field."""
    catalog = matching.Catalog()
    sources: dict[str, set[str]] = {}
    labels: dict[str, str] = {}

    def add(key: str, label: str, source: str) -> None:
        sources.setdefault(key, set()).add(source)
        labels.setdefault(key, label)

    def add_text(text: str, source: str) -> None:
        m = catalog.match_one(text)
        if m.same_fact:
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
            if f.element and (f.outcome == MatchOutcome.EXACT or f.confirmed):
                add(f"e:{f.element.code}", f.element.name, source)
            else:
                add_text(f.text, source)
    return sorted((DuplicateField(labels[k], sorted(s)) for k, s in sources.items() if len(s) > 1),
                  key=lambda d: (-len(d.sources), d.label))


def ledger_kpis(*, year: int) -> dict:
    """The ledger's part of the county figures (``burden.queries.county_kpis`` merges it in):
    reports by admission and register status, data requests, duplicate fields, and the data items
    not asked of grassroots units because the ledger held them (admitted requests' ``not_asked``)."""
    reports = Report.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(admission=Admission.APPROVED) & ~Q(register_status=RegisterStatus.STOP)),
        stopped=Count("id", filter=Q(register_status=RegisterStatus.STOP)),
        pending=Count("id", filter=Q(admission=Admission.PENDING)),
    )
    requests = DataRequest.objects.aggregate(total=Count("id"),
                                             pending=Count("id", filter=Q(admission=Admission.PENDING)))
    not_asked = sum(DataRequest.objects.filter(admission=Admission.APPROVED).values_list("not_asked", flat=True))
    duplicates = duplicate_fields()
    return {"reports": reports, "requests": requests, "duplicates": duplicates, "duplicate_count": len(duplicates),
            "not_asked": not_asked}


def ledger_removed(*, year: int) -> list[burden_queries.Removed]:
    """The burden the ledger took off grassroots units in ``year`` (``burden.queries.removed_burden``
    lists it): the fields of the data requests sent that year that the ledger held, so nobody was
    asked for them (``not_asked``: held fields × units asked). Their person-hours are the data
    request weight (``burden.services.weights``) in proportion: a unit asked for every field of a
    request would have spent the weight, and the held fields are that share of it."""
    start, end = burden_queries.year_bounds(year)
    sent = (DataRequest.objects.filter(admission=Admission.APPROVED, sent_at__gte=start, sent_at__lt=end, not_asked__gt=0)
            .values_list("not_asked", "held_count", "remaining_count"))
    weight = weights()[DemandKind.DATA_REQUEST]
    count, hours = 0, Decimal(0)
    for not_asked, held, remaining in sent:
        count += not_asked
        hours += weight * not_asked / (held + remaining) if held + remaining else Decimal(0)
    if not count:
        return []
    return [burden_queries.Removed(
        label="找数据免填字段", count=count, hours=round_half_up(hours, 1),
        note=(f"{year}年下发的数据需求中，一套表已有、不再向基层索要的字段（字段数 × 被要求的单位数）；"
              f"工时按数据需求每项 {weight} 人·小时、已有字段占该需求全部字段的比例折算。"),
    )]


def county_kpis(*, year: int) -> dict:
    """The county's 一套表 KPIs: the burden ledger's figures with the ledger's (``ledger_kpis``)."""
    return burden_queries.county_kpis(year=year)
