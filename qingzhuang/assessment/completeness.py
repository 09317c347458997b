"""数据完整度: who has reported a scheme's indicator values, per department and month.

For a scheme, every indicator of its 平时 part is expected each month of its year from every target
unit (active units of its target kinds), and is reported by the indicator's owner department. A
value is late when it was uploaded after the deadline day (``QZ_ASSESSMENT_DEADLINE_DAY``, 15) of
the following month: the upload time is its import job's ``finished_at`` (else the job's
``created_at``), or the value's ``updated_at`` when it came without a job. Missing values count
only for months whose deadline has passed. The whole table is one grouped query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from qingzhuang.assessment import inputs
from qingzhuang.assessment.models import Reminder, Scheme, SchemeIndicator
from qingzhuang.ledger.models import Indicator, IndicatorValue
from qingzhuang.lib import periods
from qingzhuang.orgs.models import Unit

# The deadline rule is the runs' own (``inputs``): a run and this table never disagree on "late".
deadline_day = inputs.deadline_day
deadline = inputs.late_from


def target_units(scheme: Scheme) -> QuerySet[Unit]:
    """The units the scheme assesses, as a run reads them (``inputs.scheme_units``)."""
    return Unit.objects.filter(is_active=True, kind__in=inputs.target_kinds(scheme),
                               path__startswith=scheme.owner.path)


def scheme_indicators(scheme: Scheme) -> list[Indicator]:
    ids = SchemeIndicator.objects.filter(scheme=scheme).values("indicator_id")
    return list(Indicator.objects.filter(pk__in=ids).select_related("owner").order_by("code"))


def uploaded_at():
    return Coalesce("job__finished_at", "job__created_at", "updated_at")


@dataclass
class Cell:
    period: str
    expected: int
    reported: int = 0
    late: int = 0
    due: bool = True

    @property
    def month(self) -> int:
        return periods.parse_period(self.period)[1]

    @property
    def missing(self) -> int:
        """Missing values of a month past its deadline (0 before it)."""
        return max(self.expected - self.reported, 0) if self.due else 0

    @property
    def tone(self) -> str:
        if self.reported >= self.expected:
            return "success"
        return "danger" if self.due else "secondary"


@dataclass
class DepartmentRow:
    department: Unit
    indicators: list[Indicator]
    cells: list[Cell] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.cells)

    @property
    def reported(self) -> int:
        return sum(c.reported for c in self.cells)

    @property
    def missing(self) -> int:
        return sum(c.missing for c in self.cells)

    @property
    def late(self) -> int:
        return sum(c.late for c in self.cells)

    @property
    def missing_months(self) -> list[str]:
        return [c.period for c in self.cells if c.missing]


@dataclass
class Completeness:
    scheme: Scheme
    units: int
    rows: list[DepartmentRow]
    deadline_day: int

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rows)

    @property
    def late(self) -> int:
        return sum(r.late for r in self.rows)


def _late_q(months) -> Q:
    return reduce(or_, (Q(period=p, uploaded__gte=deadline(p)) for p in months))


def completeness(scheme: Scheme, *, now: dt.datetime | None = None,
                 departments: list[int] | None = None) -> Completeness:
    """The table of ``scheme``: per owner department of its indicators, per month of its year."""
    now = now or timezone.now()
    months = periods.months_of_year(scheme.year)
    indicators = scheme_indicators(scheme)
    by_department: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        if departments is None or indicator.owner_id in departments:
            by_department.setdefault(indicator.owner_id, []).append(indicator)
    units = target_units(scheme)
    n_units = units.count()
    counts = {}
    if by_department:
        rows = (IndicatorValue.objects
                .filter(indicator_id__in=[i.pk for group in by_department.values() for i in group],
                        unit__in=units, period__in=months)
                .annotate(uploaded=uploaded_at())
                .values("indicator__owner_id", "period")
                .annotate(reported=Count("id"), late=Count("id", filter=_late_q(months)))
                .order_by())
        counts = {(r["indicator__owner_id"], r["period"]): r for r in rows}
    result = []
    for dept_id, group in by_department.items():
        row = DepartmentRow(department=group[0].owner, indicators=group)
        for period in months:
            found = counts.get((dept_id, period), {})
            row.cells.append(Cell(period=period, expected=len(group) * n_units, reported=found.get("reported", 0),
                                  late=found.get("late", 0), due=deadline(period) <= now))
        result.append(row)
    result.sort(key=lambda r: r.department.code)
    return Completeness(scheme=scheme, units=n_units, rows=result, deadline_day=deadline_day())


@dataclass
class MissingIndicator:
    indicator: Indicator
    units: list[Unit]


@dataclass
class CellDetail:
    department: Unit
    period: str
    missing: list[MissingIndicator]
    late: list[IndicatorValue]
    due: bool


def cell_detail(scheme: Scheme, department: Unit, period: str, *, now: dt.datetime | None = None) -> CellDetail:
    """What a department has not reported for ``period`` (each indicator and its units), and what came late."""
    now = now or timezone.now()
    indicators = [i for i in scheme_indicators(scheme) if i.owner_id == department.pk]
    units = list(target_units(scheme).order_by("code"))
    values = (IndicatorValue.objects
              .filter(indicator__in=indicators, unit__in=units, period=period)
              .annotate(uploaded=uploaded_at()).select_related("unit", "indicator"))
    reported = set()
    late = []
    limit = deadline(period)
    for value in values:
        reported.add((value.indicator_id, value.unit_id))
        if value.uploaded >= limit:
            late.append(value)
    missing = []
    for indicator in indicators:
        gaps = [u for u in units if (indicator.pk, u.pk) not in reported]
        if gaps:
            missing.append(MissingIndicator(indicator=indicator, units=gaps))
    late.sort(key=lambda v: (v.indicator.code, v.unit.code))
    return CellDetail(department=department, period=period, missing=missing, late=late, due=limit <= now)


def open_reminders(user, *, now: dt.datetime | None = None) -> list[tuple[Reminder, int]]:
    """Open reminders to ``user``'s department with the values still missing: sent in the last
    ``Reminder.OPEN_DAYS`` days and not yet all reported."""
    if not getattr(user, "unit_id", None):
        return []
    now = now or timezone.now()
    reminders = (Reminder.objects.filter(department_id=user.unit_id,
                                         sent_at__gte=now - dt.timedelta(days=Reminder.OPEN_DAYS))
                 .select_related("scheme", "department"))
    found = []
    for reminder in reminders:
        table = completeness(reminder.scheme, now=now, departments=[reminder.department_id])
        still = sum(c.missing for row in table.rows for c in row.cells if c.period in reminder.months)
        if still:
            found.append((reminder, still))
    return found
