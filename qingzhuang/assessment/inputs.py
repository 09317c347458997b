"""What a run reads: the units of a scheme, their indicator values with sources, spot checks, adjustments.

The values come in one streamed raw query (fetched in chunks), never one query per unit: the
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
from django.db import connection
from django.utils import timezone

from qingzhuang.assessment.models import Adjustment, Aggregate, Missing, Scheme, SpotCheck
from qingzhuang.ledger.models import ImportJob, Indicator, IndicatorValue, Storage
from qingzhuang.lib.gcpause import no_cycle_collection
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


def late_from(period: str) -> dt.datetime:
    """The first moment a value of ``period`` is late: local midnight after its deadline day."""
    day = deadline_of(period) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_late(period: str, uploaded_at: dt.datetime | None) -> bool:
    if uploaded_at is None:
        return False
    return timezone.localtime(uploaded_at).date() > deadline_of(period)


def _decimal_reader():
    """Turns a stored value into a Decimal (PostgreSQL gives Decimals; SQLite numbers or text)."""
    def to_decimal(value) -> Decimal:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return Decimal(value)
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))

    return to_decimal


@dataclass(frozen=True)
class Source:
    """Where a value came from: its import job (or none) and when it arrived.

    One instance is shared by every value of the same job (or arrival time) and period, and its
    JSON is made once: a province's million values have a few thousand sources.
    """

    job: int | None
    job_file: str
    uploaded_by: str
    uploaded_at: dt.datetime | None
    late: bool

    def to_json(self) -> dict:
        cached = self.__dict__.get("_json")
        if cached is None:
            cached = {"job": self.job, "job_file": self.job_file, "uploaded_by": self.uploaded_by,
                      "uploaded_at": timezone.localtime(self.uploaded_at).isoformat() if self.uploaded_at else None,
                      "late": self.late}
            object.__setattr__(self, "_json", cached)
        return cached


def _jobs(queryset) -> dict[int, tuple[str, str, dt.datetime | None]]:
    """Import jobs by id: (file name, uploader, when it arrived)."""
    return {pk: (name or "", display or username or "", finished or created)
            for pk, name, display, username, finished, created in queryset.values_list(
                "pk", "original_name", "uploaded_by__display_name", "uploaded_by__username", "finished_at",
                "created_at")}


class _Sources:
    """Makes the shared :class:`Source` of a value, and whether it is late, once per key."""

    def __init__(self, jobs: dict[int, tuple[str, str, dt.datetime | None]]):
        self.jobs = jobs
        self.made: dict[tuple, Source] = {}
        self.limits: dict[str, dt.datetime] = {}
        self.times: dict = {}

    def limit(self, period: str) -> dt.datetime:
        """The first moment a value of ``period`` is late: local midnight after its deadline day."""
        limit = self.limits.get(period)
        if limit is None:
            limit = self.limits[period] = late_from(period)
        return limit

    def moment(self, raw) -> dt.datetime | None:
        """A timestamp as the database gave it (SQLite: text in UTC; PostgreSQL: aware)."""
        if raw is None or isinstance(raw, dt.datetime):
            return raw if raw is None or timezone.is_aware(raw) else raw.replace(tzinfo=dt.UTC)
        moment = self.times.get(raw)
        if moment is None:
            parsed = dt.datetime.fromisoformat(str(raw))
            moment = self.times[raw] = parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)
        return moment

    def job(self, job_id: int) -> tuple[str, str, dt.datetime | None] | None:
        if job_id not in self.jobs:
            self.jobs.update(_jobs(ImportJob.objects.filter(pk=job_id)))
        return self.jobs.get(job_id)

    def get(self, job_id: int | None, updated_at, period: str) -> Source:
        key = (job_id, period) if job_id is not None else (None, updated_at, period)
        source = self.made.get(key)
        if source is None:
            job = self.job(job_id) if job_id is not None else None
            if job is not None:
                name, uploader, at = job
                source = Source(job_id, name, uploader, at, at is not None and at >= self.limit(period))
            else:
                at = self.moment(updated_at)
                source = Source(None, "", "", at, at is not None and at >= self.limit(period))
            self.made[key] = source
        return source


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
    """The units a scheme assesses: active units of its target kinds in its owner's tree, by code."""
    return list(Unit.objects.filter(kind__in=target_kinds(scheme), is_active=True,
                                    path__startswith=scheme.owner.path).order_by("code"))


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
    code_of = {i.pk: i.code for i in indicators.values()}
    values: dict = {}
    sources: dict = {}
    if unit_ids and code_of:
        periods = (f"{first_year:04d}-01", f"{scheme.year:04d}-12")
        # The uploads into the indicator database (a few hundred a year), read whole: finding the jobs
        # of the values first would scan the values twice. A value written by another job is looked up
        # on its own (``_Sources.job``).
        made = _Sources(_jobs(ImportJob.objects.filter(dataset__storage=Storage.INDICATORS)))
        to_decimal = _decimal_reader()
        # The raw rows of the values table (ids are integers from the database, written as literals):
        # the ORM's per-row converters cost more than the whole scoring at a province's size.
        table = IndicatorValue._meta.db_table
        # The arrival time matters only without a job, and as text: parsed once per distinct value.
        sql = ("SELECT unit_id, indicator_id, period, value, job_id, "  # noqa: S608
               f"CASE WHEN job_id IS NULL THEN CAST(updated_at AS TEXT) END FROM {table} "
               f"WHERE indicator_id IN ({', '.join(str(int(pk)) for pk in code_of)}) "
               "AND period >= %s AND period <= %s "
               f"AND unit_id IN ({', '.join(str(int(pk)) for pk in sorted(unit_ids))})")
        # One flat dict keyed by (unit, indicator) while reading (a lookup per row, not three), the
        # shared sources by (job, period) looked up inline; nested by unit and code afterwards.
        cells: dict[tuple[int, int], tuple[dict, dict]] = {}
        shared = made.made
        decimal = Decimal
        with connection.cursor() as cursor, no_cycle_collection():
            cursor.execute(sql, list(periods))
            while rows := cursor.fetchmany(CHUNK):
                for unit_id, indicator_id, period, value, job_id, updated_at in rows:
                    cell = cells.get((unit_id, indicator_id))
                    if cell is None:
                        cell = cells[unit_id, indicator_id] = ({}, {})
                    kind = type(value)
                    cell[0][period] = (value if kind is decimal else decimal(repr(value)) if kind is float
                                       else to_decimal(value))
                    source = shared.get((job_id, period) if job_id is not None else (None, updated_at, period))
                    cell[1][period] = source if source is not None else made.get(job_id, updated_at, period)
        for (unit_id, indicator_id), (months, month_sources) in cells.items():
            code = code_of[indicator_id]
            values.setdefault(unit_id, {})[code] = months
            sources.setdefault(unit_id, {})[code] = month_sources
    inputs.values = values
    inputs.sources = sources
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
