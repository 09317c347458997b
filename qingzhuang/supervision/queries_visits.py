"""Reads of the visits part: filtered lists, each unit's counts against the cap, a unit's
calendar, and the anonymous evaluations' aggregates (never below ``MIN_EVALUATIONS``)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet

from qingzhuang.orgs.models import Unit
from qingzhuang.supervision import caps, windows, years
from qingzhuang.supervision.models import Evaluation, Visit, VisitStatus

COUNTED = (VisitStatus.ISSUED, VisitStatus.DONE)
MIN_EVALUATIONS = 3
TOO_FEW = "评价不足3条，暂不显示"


def filter_visits(visits: QuerySet[Visit], *, status: str = "", unit: Unit | None = None,
                  year: int | None = None) -> QuerySet[Visit]:
    if status:
        visits = visits.filter(status=status)
    if unit is not None:
        visits = visits.filter(unit__path__startswith=unit.path)
    if year:
        visits = visits.filter(date__year=year)
    return visits.order_by("-date", "-pk")


def periods_of(year: int) -> list[str]:
    cap = caps.cap_for(year)
    if cap.period == "month":
        return [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    return [f"{year:04d}-Q{q}" for q in range(1, 5)]


def counts_by_unit(units: QuerySet[Unit], year: int) -> dict[int, dict[str, int]]:
    """{unit id: {period: visits issued}} of the year, under the year's cap period."""
    cap = caps.cap_for(year)
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Visit.objects.filter(unit__in=units, status__in=COUNTED, date__year=year).values_list("unit_id", "date")
    for unit_id, day in rows:
        found[unit_id][windows.period_for(day, cap.period)] += 1
    return found


def unit_rows(units: QuerySet[Unit], year: int, *, sort: str = "") -> list[dict]:
    """One row per unit: visits per period, the year's total, the most in one period, and whether
    a period reached the cap. ``sort`` "-total" / "total" / "-peak" / "name"."""
    cap = caps.cap_for(year)
    periods = periods_of(year)
    counts = counts_by_unit(units, year)
    unfiled = dict(Visit.objects.filter(unit__in=units, status=VisitStatus.UNFILED, date__year=year)
                   .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
    rows = []
    for unit in units.select_related("parent").order_by("path"):
        per = [counts[unit.pk].get(p, 0) for p in periods]
        rows.append({"unit": unit, "periods": per, "total": sum(per), "peak": max(per, default=0),
                     "full": any(n >= cap.limit for n in per), "unfiled": unfiled.get(unit.pk, 0)})
    key = {"total": lambda r: (r["total"], r["unit"].path), "peak": lambda r: (r["peak"], r["unit"].path),
           "name": lambda r: r["unit"].path}
    if sort.lstrip("-") in key:
        rows.sort(key=key[sort.lstrip("-")], reverse=sort.startswith("-"))
    return rows


def calendar(unit: Unit, year: int) -> dict:
    """A unit's year: its visits by month, and per cap period the visits issued against the cap."""
    cap = caps.cap_for(year)
    visits = list(Visit.objects.filter(unit=unit, date__year=year).exclude(status=VisitStatus.SCHEDULED)
                  .select_related("lead").prefetch_related("items").order_by("date", "pk"))
    months = [{"month": m, "visits": [v for v in visits if v.date.month == m]} for m in range(1, 13)]
    used = counts_by_unit(Unit.objects.filter(pk=unit.pk), year)[unit.pk]
    periods = [{"period": p, "words": windows.words(p), "used": used.get(p, 0), "limit": cap.limit}
               for p in periods_of(year)]
    return {"cap": cap, "months": months, "periods": periods, "visits": visits}


def _rounded(value, places: str = "0.1") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def aggregate(evaluations: QuerySet[Evaluation], *, with_comments: bool = False) -> dict:
    """count, average rating, share burden-free (%), comments (text only, newest first); the
    numbers and comments only from ``MIN_EVALUATIONS`` evaluations on (``shown``)."""
    found = evaluations.aggregate(count=Count("pk"), average=Avg("rating"), free=Count("pk", filter=Q(burden_free=True)))
    count = found["count"]
    shown = count >= MIN_EVALUATIONS
    result = {"count": count, "shown": shown, "note": "" if shown else TOO_FEW, "average": None,
              "burden_free_percent": None, "comments": []}
    if shown:
        result["average"] = _rounded(found["average"])
        result["burden_free_percent"] = _rounded(Decimal(found["free"]) * 100 / count)
        if with_comments:
            result["comments"] = list(evaluations.exclude(comment="").order_by("-on", "?")
                                      .values_list("comment", flat=True)[:50])
    return result


def department_rows(year: int) -> list[dict]:
    """The 督查室's table: per lead department, its visits' evaluations in ``year``."""
    evaluations = Evaluation.objects.filter(visit__date__year=year)
    leads = Unit.objects.filter(pk__in=evaluations.values("visit__lead_id")).order_by("path")
    return [{"department": lead, **aggregate(evaluations.filter(visit__lead=lead))} for lead in leads]


def department_chart(rows: list[dict]) -> dict:
    shown = [r for r in rows if r["shown"]]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["平均评分（星）", "未要求准备材料、未陪同迎检（%）"]},
        "grid": {"left": 40, "right": 40, "bottom": 80, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["department"].name for r in shown], "axisLabel": {"rotate": 30}},
        "yAxis": [{"type": "value", "name": "星", "max": 5}, {"type": "value", "name": "%", "max": 100}],
        "series": [
            {"name": "平均评分（星）", "type": "bar", "data": [float(r["average"]) for r in shown]},
            {"name": "未要求准备材料、未陪同迎检（%）", "type": "bar", "yAxisIndex": 1,
             "data": [float(r["burden_free_percent"]) for r in shown]},
        ],
    }


def default_year() -> int:
    """This year, or the latest earlier year with visits while this year has none yet (the pages'
    default; a year says nothing about any unit)."""
    return years.default_year(Visit.objects.all(), "date")
