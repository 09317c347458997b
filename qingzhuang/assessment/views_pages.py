"""Scorecard pages: a run's table, a unit's line, the coaching list, and their xlsx and Word files."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from qingzhuang.assessment import access, exports, scorecards
from qingzhuang.lib import paging

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _is_htmx(request) -> bool:
    # A history restore after a cache miss asks for the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@login_required
@require_GET
def run_detail(request, pk: int):
    user = request.user
    run = access.get_run_or_404(user, pk)
    lines = access.visible_lines(user).filter(run=run).select_related("unit").defer("detail")
    whole = access.can_view_all(user)
    if not whole:
        own = list(lines.values_list("pk", flat=True)[:2])
        if len(own) == 1:
            return redirect("assessment:line_detail", pk=own[0])
    sort = scorecards.sort_key(request.GET.get("sort"))
    error, status, rows, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=lines.count(), per_page=scorecards.PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        ordered = scorecards.sorted_lines(lines, sort)[pager.offset: pager.offset + pager.per_page]
        rows = [scorecards.table_row(line) for line in ordered]
    counts = scorecards.grade_counts(run, lines) if whole else []
    context = {
        "run": run, "rows": rows, "pager": pager, "sort": sort, "error": error, "whole": whole,
        "grade_counts": counts, "chart": scorecards.grade_chart(counts) if any(n for _, n in counts) else None,
        "sort_keys": [("rank", "名次"), ("unit", "单位"), ("daily", "平时"), ("exam", "期末"), ("bonus", "加分"),
                      ("deductions", "扣分"), ("total", "总分"), ("grade", "等次")],
    }
    template = "assessment/_run_table.html" if _is_htmx(request) else "assessment/run_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def line_detail(request, pk: int):
    line = access.get_line_or_404(request.user, pk)
    view = scorecards.line_view(line)
    chosen = request.GET.get("indicator", "")[:32]
    context = {
        "view": view, "line": line, "run": line.run, "chosen": chosen,
        "radar": scorecards.radar_chart(view), "trend": scorecards.trend_chart(view, chosen),
        "appeal_open": scorecards.appeal_open(request.user, line),
        "appeal_url": f"/assessment/lines/{line.pk}/appeal/",
        "appeals": list(line.appeals.all()),
        "whole": access.can_view_all(request.user), "office": access.can_manage(request.user),
    }
    return render(request, "assessment/line_detail.html", context)


@login_required
@require_GET
def run_export(request, pk: int):
    run = access.get_run_or_404(request.user, pk)
    data = exports.run_xlsx(actor=request.user, run=run, request=request)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=exports.run_filename(run, "xlsx"),
                        content_type=XLSX_TYPE)


@login_required
@require_GET
def line_docx(request, pk: int):
    line = access.get_line_or_404(request.user, pk)
    data = exports.line_docx(actor=request.user, line=line, request=request)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=exports.line_filename(line),
                        content_type=DOCX_TYPE)


@login_required
@require_GET
def coaching(request):
    user = request.user
    picked = request.GET.get("run", "").strip()
    if picked:
        runs = [access.get_run_or_404(user, picked)]
    else:
        runs = scorecards.default_runs(user)
    choices = list(access.visible_runs(user).select_related("scheme").order_by("-scheme__year", "scheme__code",
                                                                                "-number")[:200])
    context = {
        "runs": runs, "picked": runs[0].pk if picked else None, "choices": choices,
        "lines": list(scorecards.coaching_lines(user, runs)),
    }
    return render(request, "assessment/coaching.html", context)



@login_required
@require_GET
def my_lines(request):
    """An assessed unit's own scorecards: its lines of published runs, newest first."""
    user = request.user
    lines = access.visible_lines(user).filter(run__published_at__isnull=False)
    if access.can_view_all(user):
        # The office and leaders read every line elsewhere; here only their own unit's.
        lines = lines.filter(unit=user.unit) if user.unit_id else lines.none()
    lines = lines.select_related("run", "run__scheme", "unit").defer("detail").order_by("-run__scheme__year", "-run__published_at",
                                                                          "unit__code")
    error, status, rows, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=lines.count(), per_page=scorecards.PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        rows = [scorecards.table_row(line) for line in lines[pager.offset: pager.offset + pager.per_page]]
    template = "assessment/_my_lines_table.html" if _is_htmx(request) else "assessment/my_lines.html"
    return render(request, template, {"rows": rows, "pager": pager, "error": error}, status=status)
