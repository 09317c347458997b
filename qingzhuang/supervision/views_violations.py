"""The 督查室's violations page (违规检查): every flag of ``violations`` for a year, by rule."""

from __future__ import annotations

import io
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from qingzhuang.lib import paging, tables
from qingzhuang.supervision import access, queries_plans, violations, years

PAGE_SIZE = 50
EXPORT_HEADERS = ("日期", "规则", "对象", "情况", "责任单位", "性质")
def _year(request) -> int:
    """The ``year`` asked for, else the plan pages' default (this year, or the latest year with a plan)."""
    return years.page_year(request, queries_plans.default_year)


def _shown(request, found):
    rule = request.GET.get("rule", "")
    return rule, ([a for a in found if a.rule == rule] if rule in violations.RULES else found)


@login_required
@require_GET
def violation_list(request):
    access.require_violations(request.user)
    year = _year(request)
    found = violations.alerts(year=year)
    rule, shown = _shown(request, found)
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        rows = ([a.on, a.rule_name, a.subject, a.message, a.unit_name, "违规" if a.level == "danger" else "关注"]
                for a in shown)
        tables.write_xlsx(buffer, EXPORT_HEADERS, rows, sheet_title="违规检查")
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=f"违规检查_{year}.xlsx")
    counts = Counter(a.rule for a in found)
    error, status, rows, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=len(shown), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        rows = shown[pager.offset: pager.offset + pager.per_page]
    this_year = timezone.localdate().year
    template = "supervision/_violation_rows.html" if request.headers.get("HX-Request") else "supervision/violations.html"
    return render(request, template, {
        "year": year, "years": range(this_year, this_year - 5, -1), "rows": rows, "pager": pager,
        "error": error, "rule": rule, "total": len(found),
        "rules": [(code, name, counts.get(code, 0)) for code, name in violations.RULES.items()],
        "totals": {"this": violations.year_total(year), "last": violations.year_total(year - 1)},
    }, status=status)
