"""The indicator database on the workbench (``Module.charts``): which months of the last year a
department's own indicators have values, scoped through ``ledger.access``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from qingzhuang.ledger import access
from qingzhuang.ledger.models import Indicator
from qingzhuang.lib.periods import parse_period, period_of, period_range, shift_period
from qingzhuang.registry import Chart

MONTHS = 12
MAX_INDICATORS = 30
ROW_HEIGHT = 30


def reported_months(user, *, last: str, months: int = MONTHS) -> tuple[list[str], list[Indicator], dict]:
    """The ``months`` periods ending with ``last``, the user's unit's own indicators (at most
    ``MAX_INDICATORS``, by code) and ``{(indicator_id, period): units with a value}``."""
    periods = period_range(shift_period(last, -(months - 1)), last)
    indicators = list(Indicator.objects.filter(access.own_indicators_q(user, "")).order_by("code")[:MAX_INDICATORS])
    rows = (access.visible_indicator_values(user).filter(indicator__in=indicators, period__in=periods).order_by()
            .values("indicator_id", "period").annotate(n=Count("id")))
    return periods, indicators, {(row["indicator_id"], row["period"]): row["n"] for row in rows}


def _month_label(period: str) -> str:
    year, month = parse_period(period)
    return f"{year}年{month}月" if month == 1 else f"{month}月"


def _long_label(period: str) -> str:
    year, month = parse_period(period)
    return f"{year}年{month}月"


def _span(periods: list[str]) -> str:
    return f"{_long_label(periods[0])}至{_long_label(periods[-1])}"


def charts(user, today: dt.date | None = None) -> list[Chart]:
    """For a department that reports indicators: months × its indicators, each cell the number of
    units with a value."""
    if not access.reports_indicators(user):
        return []
    now = period_of(today or timezone.localdate())
    # The 12 months up to the latest month with values (never later than now), so that a department
    # whose data stops some time ago (the demo county's year, a lapse) still sees its last year.
    latest = (access.visible_indicator_values(user).filter(access.own_indicators_q(user), period__lte=now)
              .order_by("-period").values_list("period", flat=True).first())
    last = latest or now
    periods, indicators, counts = reported_months(user, last=last)
    names = [indicator.name for indicator in indicators]
    stale = f"最近一次报送的数值属于{_long_label(last)}，之后各月还没有数值。" if latest and latest < now else ""
    total = Indicator.objects.filter(access.own_indicators_q(user, "")).count()
    shown = f"按代码顺序只显示前{len(indicators)}项（共{total}项）。" if total > len(indicators) else ""
    data = [[x, y, counts.get((indicator.pk, period), 0)]
            for y, indicator in enumerate(indicators) for x, period in enumerate(periods)]
    top = max((cell[2] for cell in data), default=0)
    reported = sum(1 for cell in data if cell[2])
    option = {
        "tooltip": {"position": "top"},
        "grid": {"left": 8, "right": 12, "top": 8, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": [_month_label(p) for p in periods], "splitArea": {"show": True},
                  "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "category", "data": names, "inverse": True, "splitArea": {"show": True},
                  "axisLabel": {"width": 96, "overflow": "truncate"}},
        "visualMap": {"min": 0, "max": max(top, 1), "calculable": False, "orient": "horizontal",
                      "left": "center", "bottom": 0, "itemHeight": 120, "text": ["单位多", "未报送"],
                      "inRange": {"color": ["#f1f3f5", "#9ec5fe", "#0d6efd"]}},
        "series": [{"name": "报送单位数", "type": "heatmap", "data": data,
                    "label": {"show": True, "fontSize": 10},
                    "emphasis": {"itemStyle": {"borderColor": "#212529", "borderWidth": 1}}}],
    }
    return [Chart(
        key="ledger-indicator-months",
        title=f"本部门指标报送情况（{_span(periods)}）",
        option=option,
        note=(f"{len(indicators)}项指标 × {len(periods)}个月，{reported}格已有数值；每格的数字是该月报送了数值的单位数，"
              f"0表示该月没有报送。{stale}{shown}"),
        empty="" if reported else "本部门的指标近12个月还没有报送任何数值。",
        unit="个单位",
        height=120 + ROW_HEIGHT * max(len(indicators), 2),
    )]
