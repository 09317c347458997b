"""工作问效 pages. Thin: parse, call one ``access`` function and one service, render.

The 督查室 and county-wide readers: the task list (filters: assignee, status, card; 待审核), the
overview with charts, the 亮牌 page and the xlsx export; the 督查室 creates, edits, cancels and
reviews. The assignee's users: 本单位任务 and progress reports with evidence. Every task page
issues the day's cards (``cards_issue``) before it renders, so a card never waits for the daily run.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden.views_clues import evidence_response
from qingzhuang.lib import paging, tables
from qingzhuang.orgs import access as org_access
from qingzhuang.supervision import access, queries_tasks, years
from qingzhuang.supervision.models import (
    CardKind,
    NodeStatus,
    ReportStatus,
    TaskStatus,
)
from qingzhuang.supervision.services import tasks as services

PAGE_SIZE = 30
READ_DENIED = "没有查看工作问效任务的权限"
EXPORT_HEADERS = ("任务名称", "任务来源", "责任单位", "目标指标", "目标", "任务状态", "节点", "完成时限",
                  "节点目标值", "节点状态", "完成日期", "最新完成值", "黄牌", "红牌")


def _require_reader(user) -> None:
    if not access.can_read_tasks(user):
        raise PermissionDenied(READ_DENIED)


def _require_manager(user) -> None:
    if not access.can_manage_tasks(user):
        raise PermissionDenied(services.MANAGE_DENIED)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    found = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"general": exc.messages}
    if "__all__" in found:
        found["general"] = found.pop("__all__")
    return found


def _issue_cards() -> dt.date:
    today = timezone.localdate()
    services.cards_issue(today=today)
    return today


def _unit_filter(request):
    code = request.GET.get("assignee", "").strip()[:30]
    return org_access.get_unit_or_404(request.user, code=code) if code else None


def _listing(request, tasks, *, template: str, extra: dict):
    today = _issue_cards()
    status = request.GET.get("status", "")
    status = status if status in TaskStatus.values else ""
    card = request.GET.get("card", "")
    card = card if card in (*CardKind.values, "none") else ""
    assignee = _unit_filter(request)
    review = request.GET.get("review") == "1"
    rows = queries_tasks.filter_tasks(tasks, assignee=assignee, status=status, card=card)
    if review:
        rows = rows.filter(pk__in=queries_tasks.pending_review(request.user).values("node__task"))
    rows = queries_tasks.with_nodes(rows)
    context = {"statuses": TaskStatus.choices, "status": status, "card": card, "assignee": assignee,
               "review": review, "today": today, "rows": [], "pager": None, "page_error": "",
               "can_manage": access.can_manage_tasks(request.user), "query": request.GET.urlencode(), **extra}
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=rows.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"] = exc.message
        return render(request, template, context, status=400)
    context["pager"] = pager
    context["rows"] = [{"task": t, "cards": queries_tasks.card_counts(t), "next": queries_tasks.next_node(t)}
                       for t in rows[pager.offset:pager.offset + PAGE_SIZE]]
    return render(request, template, context)


@login_required
@require_GET
def task_list(request):
    """工作问效: every task the user may see."""
    _require_reader(request.user)
    return _listing(request, access.visible_tasks(request.user), template="supervision/task_list.html",
                    extra={"mine": False})


@login_required
@require_GET
def task_mine(request):
    """本单位任务: tasks assigned to the user's own units."""
    if not access.can_report_tasks(request.user):
        raise PermissionDenied(services.REPORT_DENIED)
    return _listing(request, access.own_tasks(request.user), template="supervision/task_list.html",
                    extra={"mine": True})


def _detail_context(request, task, *, errors: dict | None = None, form: str = "") -> dict:
    user = request.user
    nodes = list(task.nodes.prefetch_related("cards", "reports__files", "reports__submitted_by",
                                             "reports__reviewed_by"))
    may_report = access.may_report_on(user, task) and task.status == TaskStatus.ACTIVE
    for node in nodes:
        node.card_list = list(node.cards.all())
        node.report_list = list(node.reports.all())
        node.can_report = may_report and node.status in (NodeStatus.OPEN, NodeStatus.RETURNED)
        node.days_left = (node.due - timezone.localdate()).days
    return {
        "task": task, "nodes": nodes, "today": timezone.localdate(), "errors": errors or {}, "form": form,
        "values": request.POST, "can_manage": access.can_manage_tasks(user) and task.status == TaskStatus.ACTIVE,
        "can_edit": access.can_manage_tasks(user) and task.status == TaskStatus.ACTIVE
        and not services.has_reports(task),
        "indicator_value": queries_tasks.latest_indicator_value(task),
        "cards": queries_tasks.card_counts(task), "max_files": services.MAX_FILES,
        "max_mb": services.MAX_FILE_BYTES // (1024 * 1024), "pending": ReportStatus.PENDING,
        "yellow_days": services.yellow_days(),
    }


@login_required
@require_GET
def task_detail(request, pk: int):
    _require_reader(request.user)
    _issue_cards()
    task = access.get_task_or_404(request.user, pk)
    return render(request, "supervision/task_detail.html", _detail_context(request, task))


def _form_nodes(post) -> list[dict]:
    titles, dues, values = post.getlist("node_title"), post.getlist("node_due"), post.getlist("node_target")
    nodes = []
    for i, title in enumerate(titles[: services.MAX_NODES + 1]):
        due = dues[i] if i < len(dues) else ""
        value = values[i] if i < len(values) else ""
        if title.strip() or due.strip() or value.strip():
            nodes.append({"title": title[:300], "due": due[:20], "target_value": value[:30]})
    return nodes


def _form_indicator(post, errors: dict):
    from qingzhuang.ledger.models import Indicator

    value = post.get("indicator", "").strip()
    if not value:
        return None
    found = Indicator.objects.filter(code=value[:32]).first()
    if found is None:
        errors["indicator"] = [f"未找到该指标：{value[:32]}"]
    return found


def _assignee(code: str, errors: dict):
    from qingzhuang.orgs.models import Unit

    code = (code or "").strip()[:30]
    if not code:
        return None
    found = Unit.objects.filter(code=code).first()
    if found is None:
        errors["assignee"] = [f"未找到该单位：{code}"]
    return found


def _form_values(task=None, post=None) -> dict:
    if post is not None:
        nodes = _form_nodes(post)
        return {k: post.get(k, "") for k in ("title", "source", "description", "target_value", "target_text",
                                               "indicator")} | {"nodes": nodes}
    if task is None:
        return {"nodes": [{}, {}, {}]}
    return {"title": task.title, "source": task.source, "description": task.description,
            "target_value": task.target_value if task.target_value is not None else "",
            "target_text": task.target_text, "indicator": task.indicator.code if task.indicator_id else "",
            "nodes": [{"title": n.title, "due": n.due.isoformat(),
                       "target_value": n.target_value if n.target_value is not None else ""}
                      for n in task.nodes.all()]}


def _form_page(request, *, task=None):
    _require_manager(request.user)
    if task is not None and not (task.status == TaskStatus.ACTIVE and not services.has_reports(task)):
        messages.error(request, "已有进展报送或已结束的任务不能修改")
        return redirect("supervision:task_detail", pk=task.pk)
    errors: dict = {}
    assignee = task.assignee if task else None
    if request.method == "POST":
        values = _form_values(post=request.POST)
        indicator = _form_indicator(request.POST, errors)
        if task is None:
            assignee = _assignee(request.POST.get("assignee", ""), errors)
        if not errors:
            kwargs = {"title": values["title"], "description": values["description"], "source": values["source"],
                      "indicator": indicator, "target_value": values["target_value"],
                      "target_text": values["target_text"], "nodes": values["nodes"], "request": request}
            try:
                if task is None:
                    task = services.task_create(actor=request.user, assignee=assignee, **kwargs)
                    messages.success(request, "任务已交办")
                else:
                    task = services.task_update(actor=request.user, task=task, assignee=task.assignee, **kwargs)
                    messages.success(request, "任务已修改")
                return redirect("supervision:task_detail", pk=task.pk)
            except ValidationError as exc:
                errors = _errors(exc)
        values["nodes"] = values["nodes"] or [{}]
    else:
        values = _form_values(task)
    indicator_obj = None
    if values.get("indicator"):
        from qingzhuang.ledger.models import Indicator

        indicator_obj = Indicator.objects.filter(code=str(values["indicator"])[:32]).first()
    return render(request, "supervision/task_form.html", {
        "task": task, "values": values, "errors": errors, "assignee": assignee, "indicator": indicator_obj,
        "indicators": queries_tasks.search_indicators(""), "yellow_days": services.yellow_days(),
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    return _form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = access.get_task_or_404(request.user, pk)
    return _form_page(request, task=task)


@login_required
@require_GET
def node_row(request):
    """One empty node row for the form (htmx: 添加节点)."""
    _require_manager(request.user)
    return render(request, "supervision/_task_node_row.html", {"node": {}})


@login_required
@require_GET
def indicator_options(request):
    """The indicator search of the form: options matching a name or code (htmx)."""
    _require_manager(request.user)
    return render(request, "supervision/_indicator_options.html", {
        "indicators": queries_tasks.search_indicators(request.GET.get("indicator_q", ""))})


@login_required
@require_POST
def task_cancel(request, pk: int):
    task = access.get_task_or_404(request.user, pk)
    _require_manager(request.user)
    try:
        services.task_cancel(actor=request.user, task=task, reason=request.POST.get("reason", ""), request=request)
    except ValidationError as exc:
        task.refresh_from_db()
        return render(request, "supervision/task_detail.html",
                      _detail_context(request, task, errors=_errors(exc), form="cancel"), status=400)
    messages.success(request, "任务已撤销")
    return redirect("supervision:task_detail", pk=task.pk)


@login_required
@require_POST
def node_report(request, pk: int):
    node = access.get_node_or_404(request.user, pk)
    if not access.may_report_on(request.user, node.task):
        raise PermissionDenied(services.REPORT_DENIED)
    try:
        services.report_submit(actor=request.user, node=node, text=request.POST.get("text", ""),
                               value=request.POST.get("value", ""), files=request.FILES.getlist("files"),
                               request=request)
    except ValidationError as exc:
        return render(request, "supervision/task_detail.html",
                      _detail_context(request, node.task, errors=_errors(exc), form=f"report-{node.pk}"), status=400)
    messages.success(request, "进展已报送，等待督查室审核")
    return redirect("supervision:task_detail", pk=node.task_id)


@login_required
@require_POST
def report_review(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    _require_manager(request.user)
    approve = request.POST.get("decision") == "approve"
    try:
        services.report_review(actor=request.user, report=report, approve=approve,
                               guidance=request.POST.get("guidance", ""), request=request)
    except ValidationError as exc:
        return render(request, "supervision/task_detail.html",
                      _detail_context(request, report.node.task, errors=_errors(exc), form=f"review-{report.pk}"),
                      status=400)
    messages.success(request, "已审核通过" if approve else "已退回，并附审核意见")
    return redirect("supervision:task_detail", pk=report.node.task_id)


@login_required
@require_GET
def report_file(request, pk: int, file: int):
    report = access.get_report_or_404(request.user, pk)
    return evidence_response(report.files.filter(pk=file).first())


def _year(request, today: dt.date) -> int:
    """The ``year`` asked for, else this year, or the latest year with time nodes while this year has none."""
    from qingzhuang.supervision.models import TaskNode

    return years.page_year(request, lambda: years.default_year(TaskNode.objects.all(), "due"))


@login_required
@require_GET
def task_overview(request):
    """工作问效总览: the comparison across assignees and the months of a year (ECharts)."""
    if not access.sees_all_tasks(request.user):
        raise PermissionDenied(READ_DENIED)
    today = _issue_cards()
    year = _year(request, today)
    from qingzhuang.burden.views_overview import chart_item

    charts = [queries_tasks.department_chart(request.user, today=today, year=year),
              queries_tasks.monthly_chart(request.user, year=year)]
    return render(request, "supervision/task_overview.html", {
        "year": year, "years": range(today.year, today.year - 4, -1), "today": today,
        "charts": [chart_item(c) for c in charts],
        "rows": queries_tasks.assignee_stats(request.user, today=today, year=year),
        "yellow_days": services.yellow_days()})


@login_required
@require_GET
def task_cards(request):
    """亮牌: every yellow and red card, newest first."""
    _require_reader(request.user)
    _issue_cards()
    kind = request.GET.get("kind", "")
    kind = kind if kind in CardKind.values else ""
    assignee = _unit_filter(request)
    rows = queries_tasks.card_rows(request.user, kind=kind, assignee=assignee)
    context = {"kind": kind, "kinds": CardKind.choices, "assignee": assignee, "rows": [], "pager": None,
               "page_error": "", "yellow_days": services.yellow_days()}
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=rows.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"] = exc.message
        return render(request, "supervision/task_cards.html", context, status=400)
    context["pager"] = pager
    context["rows"] = list(rows[pager.offset:pager.offset + PAGE_SIZE])
    return render(request, "supervision/task_cards.html", context)


def export_rows(tasks):
    for task in tasks:
        latest = {}
        for node in task.nodes.all():
            kinds = {c.kind for c in node.cards.all()}
            reports = [r for r in node.reports.all() if r.value is not None]
            latest = reports[0].value if reports else ""
            yield [task.title, task.source, task.assignee.name, task.indicator.name if task.indicator_id else "",
                   task.target_text or (task.target_value if task.target_value is not None else ""),
                   task.get_status_display(), node.title, node.due, node.target_value if node.target_value is not None else "",
                   node.get_status_display(), node.done_on or "", latest,
                   "是" if CardKind.YELLOW in kinds else "", "是" if CardKind.RED in kinds else ""]


@login_required
@require_GET
def task_export(request):
    """The tasks of the list's filters as xlsx: one row per node, with its cards."""
    _require_reader(request.user)
    _issue_cards()
    status = request.GET.get("status", "")
    card = request.GET.get("card", "")
    base = access.own_tasks(request.user) if request.GET.get("mine") == "1" else access.visible_tasks(request.user)
    tasks = queries_tasks.filter_tasks(base, assignee=_unit_filter(request),
                                       status=status if status in TaskStatus.values else "",
                                       card=card if card in (*CardKind.values, "none") else "")
    tasks = tasks.prefetch_related("nodes__cards", "nodes__reports").order_by("assignee__path", "-created_at")
    buffer = io.BytesIO()
    tables.write_xlsx(buffer, EXPORT_HEADERS, export_rows(tasks[:5000]), sheet_title="工作问效")
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"工作问效_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def assignee_options(request):
    """The assignee picker's options: active departments, townships and streets (for managers)."""
    from qingzhuang.orgs import queries as org_queries
    from qingzhuang.orgs.models import Unit

    _require_manager(request.user)
    units = org_queries.pick_units(Unit.objects.filter(kind__in=services.ASSIGNEE_KINDS, is_active=True),
                                   request.GET.get("q", "")[:100], limit=org_queries.PICK_LIMIT + 1)
    return render(request, "orgs/_unit_options.html", {
        "units": units[: org_queries.PICK_LIMIT], "more": len(units) > org_queries.PICK_LIMIT})
