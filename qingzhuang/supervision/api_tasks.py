"""工作问效 over the API, under /api/v1/supervision/tasks: tasks (list, detail, create, cancel),
progress reports on a node (JSON, without files: evidence is uploaded on the pages), review, cards
and statistics. Units and indicators are named by their codes. Reading scopes like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit
from qingzhuang.supervision import access, queries_tasks
from qingzhuang.supervision.models import CardKind, Task, TaskStatus
from qingzhuang.supervision.services import tasks as services

router = Router(tags=["工作问效"])
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
STATUSES = "、".join(f"{value}（{label}）" for value, label in TaskStatus.choices)


class TaskCardOut(Schema):
    id: int
    kind: str
    kind_name: str
    issued_on: dt.date
    assignee: str
    assignee_name: str
    task_id: int
    task_title: str
    node_id: int
    node_title: str
    due: dt.date


class TaskReportFileOut(Schema):
    id: int
    kind: str
    size: int


class TaskReportOut(Schema):
    id: int
    text: str
    value: Decimal | None
    submitted_by: str | None
    submitted_at: dt.datetime
    status: str
    status_name: str
    guidance: str
    reviewed_at: dt.datetime | None
    files: list[TaskReportFileOut]


class TaskNodeOut(Schema):
    id: int
    title: str
    due: dt.date
    target_value: Decimal | None
    status: str
    status_name: str
    done_on: dt.date | None
    cards: list[str] = Field(..., description="该节点已亮的牌：yellow（黄牌）、red（红牌）")


class NodeDetailOut(TaskNodeOut):
    reports: list[TaskReportOut]


class TaskOut(Schema):
    id: int
    title: str
    description: str
    source: str
    assignee: str
    assignee_name: str
    indicator: str | None
    indicator_name: str | None
    target_value: Decimal | None
    target_text: str
    status: str
    status_name: str
    created_at: dt.datetime
    yellow_cards: int
    red_cards: int
    nodes: list[TaskNodeOut]


class TaskIndicatorValueOut(Schema):
    period: str
    value: Decimal


class TaskDetailOut(TaskOut):
    nodes: list[NodeDetailOut]
    indicator_latest: TaskIndicatorValueOut | None = Field(None, description="指标库中责任单位该指标的最新值")


class TaskNodeIn(Schema):
    title: str = Field(..., max_length=200, description="节点名称")
    due: dt.date = Field(..., description="完成时限")
    target_value: Decimal | None = Field(None, description="节点目标值（可选）")


class TaskIn(Schema):
    title: str = Field(..., max_length=200, description="任务名称")
    assignee: str = Field(..., max_length=30, description="责任单位代码：县直部门或乡镇（街道）")
    nodes: list[TaskNodeIn] = Field(..., max_length=services.MAX_NODES, description="时间节点，至少一个")
    description: str = Field("", max_length=2000, description="任务要求")
    source: str = Field("", max_length=200, description="任务来源")
    indicator: str = Field("", max_length=32, description="目标指标代码（指标库，可选）")
    target_value: Decimal | None = Field(None, description="目标值（可选）")
    target_text: str = Field("", max_length=200, description="目标（文字，可选）")


class TaskCancelIn(Schema):
    reason: str = Field(..., max_length=2000, description="撤销理由")


class TaskReportIn(Schema):
    text: str = Field(..., max_length=2000, description="进展情况")
    value: Decimal | None = Field(None, description="完成值（可选）")


class TaskReviewIn(Schema):
    approve: bool = Field(..., description="true 通过；false 退回（须填写审核意见）")
    guidance: str = Field("", max_length=2000, description="审核意见（退回时必填）")


class TaskStatsRowOut(Schema):
    assignee: str
    assignee_name: str
    tasks: int
    due: int = Field(..., description="已到期（或已通过）的节点数")
    on_time: int = Field(..., description="在完成时限内审核通过的节点数")
    late: int
    rate: Decimal | None = Field(..., description="按时完成率（%），无到期节点时为空")
    yellow: int
    red: int


class TaskMonthsOut(Schema):
    year: int
    approved: list[int]
    yellow: list[int]
    red: list[int]


class TaskStatsOut(Schema):
    assignees: list[TaskStatsRowOut]
    months: TaskMonthsOut


def _node_out(node, *, detail: bool = False) -> dict:
    out = {"id": node.pk, "title": node.title, "due": node.due, "target_value": node.target_value,
           "status": node.status, "status_name": node.get_status_display(), "done_on": node.done_on,
           "cards": sorted({c.kind for c in node.cards.all()})}
    if detail:
        out["reports"] = [{
            "id": r.pk, "text": r.text, "value": r.value,
            "submitted_by": (r.submitted_by.display_name or r.submitted_by.username) if r.submitted_by else None,
            "submitted_at": r.submitted_at, "status": r.status, "status_name": r.get_status_display(),
            "guidance": r.guidance, "reviewed_at": r.reviewed_at,
            "files": [{"id": f.pk, "kind": f.kind, "size": f.size} for f in r.files.all()],
        } for r in node.reports.all()]
    return out


def _task_out(task: Task, *, detail: bool = False) -> dict:
    cards = queries_tasks.card_counts(task)
    out = {
        "id": task.pk, "title": task.title, "description": task.description, "source": task.source,
        "assignee": task.assignee.code, "assignee_name": task.assignee.name,
        "indicator": task.indicator.code if task.indicator_id else None,
        "indicator_name": task.indicator.name if task.indicator_id else None,
        "target_value": task.target_value, "target_text": task.target_text, "status": task.status,
        "status_name": task.get_status_display(), "created_at": task.created_at,
        "yellow_cards": cards["yellow"], "red_cards": cards["red"],
        "nodes": [_node_out(n, detail=detail) for n in task.nodes.all()],
    }
    if detail:
        out["indicator_latest"] = queries_tasks.latest_indicator_value(task)
    return out


def _detail(user, pk: int) -> dict:
    task = access.get_task_or_404(user, pk)
    task = (Task.objects.select_related("assignee", "indicator")
            .prefetch_related("nodes__cards", "nodes__reports__files", "nodes__reports__submitted_by").get(pk=task.pk))
    return _task_out(task, detail=True)


def _require_reader(user) -> None:
    if not access.can_read_tasks(user):
        raise PermissionDenied("没有查看工作问效任务的权限")


def _unit(code: str, field: str) -> Unit | None:
    code = (code or "").strip()
    if not code:
        return None
    found = Unit.objects.filter(code=code[:30]).first()
    if found is None:
        raise ValidationError({field: [f"未找到该单位：{code[:30]}"]})
    return found


@router.get("", response={200: list[TaskOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="工作问效任务列表（本人可见范围）")
@paginate(Paging)
def list_tasks(request, status: str = Query("", description=f"任务状态：{STATUSES}"),
               card: str = Query("", description="亮牌：yellow（有黄牌）、red（有红牌）、none（未亮牌）"),
               assignee: str = Query("", max_length=30, description="责任单位代码")):
    _require_reader(request.auth)
    if status and status not in TaskStatus.values:
        raise ValidationError({"status": [f"任务状态应为：{STATUSES}"]})
    if card and card not in (*CardKind.values, "none"):
        raise ValidationError({"card": ["亮牌应为：yellow、red、none"]})
    from qingzhuang.orgs import access as org_access

    chosen = org_access.get_unit_or_404(request.auth, code=assignee) if assignee else None
    services.cards_issue(today=timezone.localdate())
    tasks = queries_tasks.filter_tasks(access.visible_tasks(request.auth), assignee=chosen, status=status, card=card)
    tasks = tasks.prefetch_related("nodes__cards").order_by("-created_at", "-id")
    return Mapped(tasks, _task_out)


@router.post("", response={201: TaskDetailOut, **WRITE}, summary="交办工作问效任务")
def create_task(request, payload: TaskIn):
    if not access.can_manage_tasks(request.auth):
        raise PermissionDenied(services.MANAGE_DENIED)
    indicator = None
    if payload.indicator:
        from qingzhuang.ledger.models import Indicator

        indicator = Indicator.objects.filter(code=payload.indicator).first()
        if indicator is None:
            raise ValidationError({"indicator": [f"未找到该指标：{payload.indicator}"]})
    task = services.task_create(
        actor=request.auth, title=payload.title, assignee=_unit(payload.assignee, "assignee"),
        nodes=[n.dict() for n in payload.nodes], description=payload.description, source=payload.source,
        indicator=indicator, target_value=payload.target_value, target_text=payload.target_text, request=request)
    return Status(201, _detail(request.auth, task.pk))


@router.get("/cards", response={200: list[TaskCardOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="亮牌记录（黄牌、红牌）")
@paginate(Paging)
def list_cards(request, kind: str = Query("", description="yellow（黄牌）或 red（红牌）"),
               assignee: str = Query("", max_length=30, description="责任单位代码")):
    _require_reader(request.auth)
    if kind and kind not in CardKind.values:
        raise ValidationError({"kind": ["类型应为：yellow、red"]})
    from qingzhuang.orgs import access as org_access

    chosen = org_access.get_unit_or_404(request.auth, code=assignee) if assignee else None
    services.cards_issue(today=timezone.localdate())
    return Mapped(queries_tasks.card_rows(request.auth, kind=kind, assignee=chosen), lambda c: {
        "id": c.pk, "kind": c.kind, "kind_name": c.get_kind_display(), "issued_on": c.issued_on,
        "assignee": c.assignee.code, "assignee_name": c.assignee.name, "task_id": c.node.task_id,
        "task_title": c.node.task.title, "node_id": c.node_id, "node_title": c.node.title, "due": c.node.due})


@router.get("/stats", response={200: TaskStatsOut, 403: ErrorOut}, summary="工作问效统计：各责任单位与各月")
def task_stats(request, year: int | None = Query(None, ge=2000, le=2100, description="年度（默认今年）")):
    if not access.sees_all_tasks(request.auth):
        raise PermissionDenied("没有查看工作问效统计的权限")
    today = timezone.localdate()
    year = year or today.year
    rows = queries_tasks.assignee_stats(request.auth, today=today, year=year)
    return {"assignees": [{**{k: r[k] for k in ("tasks", "due", "on_time", "late", "rate", "yellow", "red")},
                           "assignee": r["code"], "assignee_name": r["assignee"]} for r in rows],
            "months": {"year": year, **queries_tasks.monthly_stats(request.auth, year=year)}}


@router.get("/{task_id}", response={200: TaskDetailOut, 403: ErrorOut, 404: ErrorOut},
            summary="任务详情：节点、进展报送与亮牌")
def get_task(request, task_id: int):
    _require_reader(request.auth)
    return _detail(request.auth, task_id)


@router.post("/{task_id}/cancel", response={200: TaskDetailOut, **WRITE}, summary="撤销任务")
def cancel_task(request, task_id: int, payload: TaskCancelIn):
    task = access.get_task_or_404(request.auth, task_id)
    services.task_cancel(actor=request.auth, task=task, reason=payload.reason, request=request)
    return _detail(request.auth, task_id)


@router.post("/nodes/{node_id}/reports", response={201: TaskDetailOut, **WRITE},
             summary="报送节点进展（不含佐证材料，材料请在页面上传）")
def report_node(request, node_id: int, payload: TaskReportIn):
    node = access.get_node_or_404(request.auth, node_id)
    services.report_submit(actor=request.auth, node=node, text=payload.text, value=payload.value, request=request)
    return Status(201, _detail(request.auth, node.task_id))


@router.post("/reports/{report_id}/review", response={200: TaskDetailOut, **WRITE}, summary="审核进展：通过或退回")
def review_report(request, report_id: int, payload: TaskReviewIn):
    report = access.get_report_or_404(request.auth, report_id)
    services.report_review(actor=request.auth, report=report, approve=payload.approve, guidance=payload.guidance,
                           request=request)
    return _detail(request.auth, report.node.task_id)
