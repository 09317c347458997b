"""What a run reads: the units of a scheme, their indicator values with sources, spot checks, adjustments.

The values come in one streamed query (``values_list(...).iterator``), never one query per unit: the
scheme's indicators, the codes its formulas name and its trend indicators, for the scheme year and
the earlier years that ``yoy``, ``missing: last`` and the trend need. Each value keeps its source:
the import job that wrote it (file, uploader, time) or, without a job, the value's ``updated_at``;
it is *late* when it arrived after the deadline, the ``QZ_ASSESSMENT_DEADLINE_DAY`` (15th) of the
month after its period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from qingzhuang.assessment.models import Adjustment, Aggregate, Missing, Scheme, SpotCheck
from qingzhuang.ledger.models import Indicator, IndicatorValue
from qingzhuang.lib.periods import parse_period
from qingzhuang.orgs.models import Unit, UnitKind

CHUNK = 5000
# How many years before the scheme year ``missing: last`` looks back for the latest earlier value.
LAST_YEARS = 3
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def deadline_day() -> int:
    return int(getattr(settings, "QZ_ASSESSMENT_DEADLINE_DAY", 15))


def deadline_of(period: str) -> dt.date:
    """The last day a value of ``period`` counts as on time: the deadline day of the month after."""
    year, month = parse_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, deadline_day())


def is_late(period: str, uploaded_at: dt.datetime | None) -> bool:
    if uploaded_at is None:
        return False
    return timezone.localtime(uploaded_at).date() > deadline_of(period)


@dataclass
class Source:
    """Where a value came from: its import job (or none) and when it arrived."""

    job: int | None
    job_file: str
    uploaded_by: str
    uploaded_at: dt.datetime | None
    late: bool

    def to_json(self) -> dict:
        return {"job": self.job, "job_file": self.job_file, "uploaded_by": self.uploaded_by,
                "uploaded_at": timezone.localtime(self.uploaded_at).isoformat() if self.uploaded_at else None,
                "late": self.late}


@dataclass
class SchemeInputs:
    units: list[Unit]
    indicators: dict[str, Indicator]
    first_year: int
    # unit id → code → period → value
    values: dict[int, dict[str, dict[str, Decimal]]] = field(default_factory=dict)
    # unit id → code → period → source
    sources: dict[int, dict[str, dict[str, Source]]] = field(default_factory=dict)
    spot_checks: dict[int, list[SpotCheck]] = field(default_factory=dict)
    adjustments: dict[int, list[Adjustment]] = field(default_factory=dict)


def target_kinds(scheme: Scheme) -> list[str]:
    """The scheme's target kinds as ``UnitKind`` values (the file may name them 乡镇, 街道, 部门)."""
    by_label = {label: value for value, label in UnitKind.choices}
    return [by_label.get(kind, kind) for kind in scheme.target_kinds or []]


def scheme_units(scheme: Scheme) -> list[Unit]:
    """The units a scheme assesses: active units of its target kinds, by code."""
    return list(Unit.objects.filter(kind__in=target_kinds(scheme), is_active=True).order_by("code"))


def formula_codes(expr: str) -> set[str]:
    """The names an expression mentions (those that are indicator codes are read)."""
    return set(_NAME.findall(expr or ""))


def needed(scheme: Scheme) -> tuple[set[str], int]:
    """The indicator codes a scheme's run reads and the first year it needs."""
    rows = list(scheme.indicators.select_related("indicator"))
    codes = {si.indicator.code for si in rows}
    names: set[str] = set()
    for si in rows:
        if si.method == "formula":
            names |= formula_codes(str((si.params or {}).get("expr", "")))
    trend = scheme.trend or {}
    trend_codes = set((trend.get("indicators") or {}).keys())
    if names - codes:
        codes |= set(Indicator.objects.filter(code__in=names - codes).values_list("code", flat=True))
    codes |= trend_codes
    back = 0
    if any(si.aggregate == Aggregate.YOY for si in rows):
        back = 1
    if any(si.missing == Missing.LAST for si in rows):
        back = max(back, LAST_YEARS)
    if trend_codes:
        back = max(back, int(trend.get("years") or 3))
    return codes, scheme.year - back


def load(scheme: Scheme) -> SchemeInputs:
    """Everything a run of ``scheme`` reads, in a few queries (the values streamed)."""
    units = scheme_units(scheme)
    codes, first_year = needed(scheme)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes).select_related("owner")}
    inputs = SchemeInputs(units=units, indicators=indicators, first_year=first_year)
    unit_ids = {u.pk for u in units}
    values: dict = defaultdict(lambda: defaultdict(dict))
    sources: dict = defaultdict(lambda: defaultdict(dict))
    jobs: dict[int, tuple[str, str, dt.datetime | None]] = {}
    rows = (
        IndicatorValue.objects
        .filter(indicator__code__in=codes, unit__kind__in=target_kinds(scheme), unit__is_active=True,
                period__gte=f"{first_year:04d}-01", period__lte=f"{scheme.year:04d}-12")
        .values_list("unit_id", "indicator__code", "period", "value", "updated_at", "job_id",
                     "job__original_name", "job__uploaded_by__display_name", "job__uploaded_by__username",
                     "job__finished_at", "job__created_at")
        .iterator(chunk_size=CHUNK)
    )
    for unit_id, code, period, value, updated_at, job_id, name, display, username, finished, created in rows:
        if unit_id not in unit_ids:
            continue
        values[unit_id][code][period] = value
        if job_id is not None:
            job = jobs.get(job_id)
            if job is None:
                job = jobs[job_id] = (name or "", display or username or "", finished or created)
            at = job[2]
            source = Source(job_id, job[0], job[1], at, is_late(period, at))
        else:
            source = Source(None, "", "", updated_at, is_late(period, updated_at))
        sources[unit_id][code][period] = source
    inputs.values = {k: dict(v) for k, v in values.items()}
    inputs.sources = {k: dict(v) for k, v in sources.items()}
    checks: dict = defaultdict(list)
    for check in SpotCheck.objects.filter(scheme=scheme, unit_id__in=unit_ids).order_by("checked_on", "pk"):
        checks[check.unit_id].append(check)
    inputs.spot_checks = dict(checks)
    adjustments: dict = defaultdict(list)
    for adjustment in (Adjustment.objects.filter(scheme=scheme, unit_id__in=unit_ids)
                       .select_related("item").order_by("kind", "pk")):
        adjustments[adjustment.unit_id].append(adjustment)
    inputs.adjustments = dict(adjustments)
    return inputs
