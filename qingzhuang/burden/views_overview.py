"""The county overview (减负总览) and the rule alerts (减负预警): county-wide readers only."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qingzhuang.burden import access, overview, queries
from qingzhuang.burden.alerts import all_alerts
from qingzhuang.lib import paging

ALERTS_SHOWN = 8
PAGE_SIZE = 50


def _require_overview(user) -> None:
    if not access.can_view_overview(user):
        raise Http404("未找到该页面")


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return queries.default_year()
    return year if queries.FIRST_YEAR <= year <= queries.LAST_YEAR else queries.default_year()


def chart_item(chart) -> dict:
    """What ``burden/_chart.html`` draws: the chart, its data element's id, and its spec."""
    return {"chart": chart, "data_id": f"{chart.key}-data", "spec": {"option": chart.option, "unit": chart.unit}}


def _years() -> range:
    return range(queries.current_year(), queries.current_year() - 5, -1)


@login_required
@require_GET
def overview_page(request):
    _require_overview(request.user)
    year = _year(request)
    rows = overview.lines(year=year)
    alerts = all_alerts(year=year)
    return render(request, "burden/overview.html", {
        "year": year, "years": _years(), "lines": rows, "cut": int(overview.target_cut() * 100),
        "met": sum(1 for row in rows if row.met), "measured": sum(1 for row in rows if row.met is not None),
        "placers": overview.placers(year=year),
        "charts": [chart_item(overview.lines_chart(rows, year=year)), chart_item(overview.treemap(year=year))],
        "alerts": alerts[:ALERTS_SHOWN], "alert_count": len(alerts),
        "alert_rules": Counter(alert.rule_name for alert in alerts).most_common(),
        "kpis": queries.county_kpis(year=year),
    })


@login_required
@require_GET
def alerts_page(request):
    _require_overview(request.user)
    year = _year(request)
    alerts = all_alerts(year=year)
    rules = Counter(alert.rule_name for alert in alerts).most_common()
    rule = request.GET.get("rule", "")
    shown = [alert for alert in alerts if alert.rule_name == rule] if rule else alerts
    error, status, rows, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=len(shown), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        rows = shown[pager.offset: pager.offset + pager.per_page]
    danger = sum(1 for alert in alerts if alert.level == "danger")
    template = "burden/_alert_rows.html" if request.headers.get("HX-Request") else "burden/alerts.html"
    return render(request, template, {
        "year": year, "years": _years(), "rows": rows, "pager": pager, "error": error, "rules": rules,
        "rule": rule, "total": len(alerts), "danger": danger, "warning": len(alerts) - danger,
    }, status=status)
