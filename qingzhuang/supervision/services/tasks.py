"""工作问效: every write of a task — create, edit (before any report), cancel; progress reports on a
time node with evidence; review (approve, or return with guidance); and the yellow and red cards.

A task on a grassroots unit (a township or street) places one demand on it through
``burden.services.demand_place`` (kind 其他, counted in the month of its first node) in the same
transaction: the only way a task becomes a demand. Evidence is checked by its bytes, kept under a
random name, photos without their metadata (``lib.uploads``), as for every other upload.

Cards (``cards_issue``): a yellow card when a node is not approved and its due date is at most
``QZ_TASK_YELLOW_DAYS`` days away (and not yet past); a red card once the due date has passed and
the node was not approved by then. One card per node and kind, never withdrawn.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from qingzhuang.burden.models import DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.lib import uploads
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind
from qingzhuang.supervision import access
from qingzhuang.supervision.models import (
    Card,
    CardKind,
    NodeStatus,
    ProgressReport,
    ReportFile,
    ReportStatus,
    Task,
    TaskNode,
    TaskStatus,
)

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 24
TITLE_MAX = 200
TEXT_MAX = 2000

MANAGE_DENIED = "只有县委（政府）督查室可以交办和审核工作问效任务"
REPORT_DENIED = "只有责任单位可以报送任务进展"
# Units a task may be assigned to: a department, or a township or street.
ASSIGNEE_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.STREET)
ASSIGNEE_WRONG = "责任单位应为县直部门或乡镇（街道）"


def yellow_days() -> int:
    """How many days before a node's due date its yellow card shows (``QZ_TASK_YELLOW_DAYS``)."""
    return int(getattr(settings, "QZ_TASK_YELLOW_DAYS", 3))


def _require_manager(actor) -> None:
    if actor is not None and not access.can_manage_tasks(actor):
        raise PermissionDenied(MANAGE_DENIED)


def _text(value, *, field: str, errors: dict, required: str = "", limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value and required:
        errors.setdefault(field, []).append(required)
    elif len(value) > limit:
        errors.setdefault(field, []).append(f"不能超过{limit}个字（现有{len(value)}个字）")
    return value


def parse_decimal(value, *, field: str, errors: dict) -> Decimal | None:
    """A number typed on a page or sent over the API; blank is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(f"应为数字：{str(value)[:30]}")
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        errors.setdefault(field, []).append(f"数值超出范围：{str(value)[:30]}")
        return None
    return number.quantize(Decimal("0.0001"))


def task_audit(task: Task) -> dict:
    return {
        "title": task.title, "assignee": task.assignee.code, "status": task.status,
        "indicator": task.indicator.code if task.indicator_id else None,
        "target_value": str(task.target_value) if task.target_value is not None else None,
        "target_text": task.target_text, "source": task.source,
        "nodes": [{"title": n.title, "due": n.due.isoformat(),
                   "target_value": str(n.target_value) if n.target_value is not None else None}
                  for n in task.nodes.all()] if task.pk else [],
    }


def _clean(*, title, description, source, assignee, indicator, target_value, target_text, nodes,
           errors: dict) -> tuple[dict, list[dict]]:
    data = {
        "title": _text(title, field="title", errors=errors, required="请填写任务名称", limit=TITLE_MAX),
        "description": _text(description, field="description", errors=errors),
        "source": _text(source, field="source", errors=errors, limit=TITLE_MAX),
        "target_text": _text(target_text, field="target_text", errors=errors, limit=TITLE_MAX),
        "target_value": parse_decimal(target_value, field="target_value", errors=errors),
        "indicator": indicator,
        "assignee": assignee,
    }
    if assignee is None:
        errors.setdefault("assignee", []).append("请选择责任单位")
    elif assignee.kind not in ASSIGNEE_KINDS:
        errors.setdefault("assignee", []).append(f"{ASSIGNEE_WRONG}：{assignee.name}")
    elif not assignee.is_active:
        errors.setdefault("assignee", []).append(f"该单位已停用：{assignee.name}")
    cleaned: list[dict] = []
    nodes = list(nodes or [])
    if not nodes:
        errors.setdefault("nodes", []).append("请至少设置一个时间节点")
    elif len(nodes) > MAX_NODES:
        errors.setdefault("nodes", []).append(f"时间节点最多{MAX_NODES}个")
    for number, node in enumerate(nodes[:MAX_NODES], start=1):
        node_title = (node.get("title") or "").strip()
        due = node.get("due")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due.strip()) if due.strip() else None
            except ValueError:
                errors.setdefault("nodes", []).append(f"第{number}个节点的完成时限不是日期：{due[:20]}")
                continue
        if not node_title:
            errors.setdefault("nodes", []).append(f"第{number}个节点请填写节点名称")
        elif len(node_title) > TITLE_MAX:
            errors.setdefault("nodes", []).append(f"第{number}个节点的名称不能超过{TITLE_MAX}个字")
        if due is None:
            errors.setdefault("nodes", []).append(f"第{number}个节点请填写完成时限")
        elif not dt.date(2000, 1, 1) <= due <= dt.date(2100, 12, 31):
            errors.setdefault("nodes", []).append(f"第{number}个节点的完成时限超出范围：{due.isoformat()}")
        value = parse_decimal(node.get("target_value"), field="nodes", errors=errors)
        cleaned.append({"title": node_title, "due": due, "target_value": value})
    return data, cleaned


def _place_demand(actor, task: Task, *, request=None) -> None:
    """A task on a township or street is a demand on it (counted in its first node's month)."""
    if task.assignee.kind not in GRASSROOTS_KINDS:
        return
    first = task.nodes.order_by("due").first()
    placed_by = None if actor is not None else _county_office()
    demand_place(actor=actor, source=task, kind=DemandKind.OTHER, units=[task.assignee],
                 title=f"工作问效：{task.title}", placed_by=placed_by,
                 due_date=task.nodes.order_by("-due").values_list("due", flat=True).first(),
                 month=first.due.strftime("%Y-%m") if first else None, request=request)


def _county_office() -> Unit | None:
    return (Unit.objects.filter(kind__in=(UnitKind.PARTY, UnitKind.GOVERNMENT), parent__parent__isnull=True)
            .order_by("kind", "code").first() or Unit.objects.filter(parent__isnull=True).first())


@transaction.atomic
def task_create(*, actor, title: str, assignee: Unit | None, nodes: list[dict], description: str = "",
                source: str = "", indicator=None, target_value=None, target_text: str = "",
                request=None) -> Task:
    """交办: a task for a department or a township (street) with its time nodes (each: ``title``,
    ``due``, optional ``target_value``); an optional target indicator of the indicator database."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    data, cleaned = _clean(title=title, description=description, source=source, assignee=assignee,
                           indicator=indicator, target_value=target_value, target_text=target_text,
                           nodes=nodes, errors=errors)
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(**data, created_by=actor if getattr(actor, "pk", None) else None)
    TaskNode.objects.bulk_create([TaskNode(task=task, **node) for node in cleaned])
    _place_demand(actor, task, request=request)
    audit.record(actor=actor, action="task.create", obj=task, unit=task.assignee, after=task_audit(task),
                 request=request)
    return task


def _lock(actor, task: Task) -> Task:
    if actor is not None and not access.visible_tasks(actor).filter(pk=task.pk).exists():
        raise Http404(access.TASK_NOT_FOUND)
    return Task.objects.select_for_update(of=("self",)).select_related("assignee", "indicator").get(pk=task.pk)


def has_reports(task: Task) -> bool:
    return ProgressReport.objects.filter(node__task=task).exists()


@transaction.atomic
def task_update(*, actor, task: Task, title: str, assignee: Unit | None, nodes: list[dict],
                description: str = "", source: str = "", indicator=None, target_value=None,
                target_text: str = "", request=None) -> Task:
    """Edit a task (its nodes replaced) while no progress has been reported on it. The assignee
    stays: a task on another unit is a new task."""
    _require_manager(actor)
    task = _lock(actor, task)
    if task.status != TaskStatus.ACTIVE:
        raise ValidationError(f"只有推进中的任务可以修改（当前状态：{task.get_status_display()}）")
    if has_reports(task):
        raise ValidationError("已有进展报送的任务不能修改")
    errors: dict[str, list[str]] = {}
    if assignee is not None and assignee.pk != task.assignee_id:
        errors["assignee"] = ["责任单位不能修改；如需改派，请撤销后重新交办"]
    data, cleaned = _clean(title=title, description=description, source=source, assignee=task.assignee,
                           indicator=indicator, target_value=target_value, target_text=target_text,
                           nodes=nodes, errors=errors)
    if errors:
        raise ValidationError(errors)
    before = task_audit(task)
    for key, value in data.items():
        setattr(task, key, value)
    task.save()
    task.nodes.all().delete()
    TaskNode.objects.bulk_create([TaskNode(task=task, **node) for node in cleaned])
    audit.record(actor=actor, action="task.update", obj=task, unit=task.assignee, before=before,
                 after=task_audit(task), request=request)
    return task


@transaction.atomic
def task_cancel(*, actor, task: Task, reason: str, request=None) -> Task:
    """撤销 a task still being worked on, with a reason."""
    _require_manager(actor)
    task = _lock(actor, task)
    if task.status != TaskStatus.ACTIVE:
        raise ValidationError(f"只有推进中的任务可以撤销（当前状态：{task.get_status_display()}）")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, field="reason", errors=errors, required="请填写撤销理由")
    if errors:
        raise ValidationError(errors)
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status"])
    audit.record(actor=actor, action="task.cancel", obj=task, unit=task.assignee,
                 before={"status": TaskStatus.ACTIVE}, after={"status": task.status, "reason": reason},
                 request=request)
    return task


def _save_files(report: ProgressReport, read: list[tuple[str, bytes]]) -> None:
    for kind, content in read:
        stored = ReportFile(report=report, kind=kind, size=len(content))
        stored.file.save(f"{uuid.uuid4().hex}.{uploads.EXTENSIONS[kind]}", ContentFile(content), save=False)
        stored.save()


@transaction.atomic
def report_submit(*, actor, node: TaskNode, text: str, value=None, files=(), request=None) -> ProgressReport:
    """报送进展 on an open or returned node of an active task, by the assignee's users: text, an
    optional value, evidence files. The node waits for review (待审核)."""
    if actor is not None and not access.can_report_tasks(actor):
        raise PermissionDenied(REPORT_DENIED)
    task = _lock(actor, node.task)
    if actor is not None and not access.may_report_on(actor, task):
        raise PermissionDenied(REPORT_DENIED)
    node = TaskNode.objects.select_for_update().get(pk=node.pk)
    if task.status != TaskStatus.ACTIVE:
        raise ValidationError(f"任务{task.get_status_display()}，不能报送进展")
    if node.status not in (NodeStatus.OPEN, NodeStatus.RETURNED):
        raise ValidationError(f"该节点{node.get_status_display()}，不能重复报送")
    errors: dict[str, list[str]] = {}
    text = _text(text, field="text", errors=errors, required="请填写进展情况")
    number = parse_decimal(value, field="value", errors=errors)
    read, problems = uploads.read_files(files, max_files=MAX_FILES, max_bytes=MAX_FILE_BYTES)
    if problems:
        errors["files"] = problems
    if errors:
        raise ValidationError(errors)
    user = actor if getattr(actor, "pk", None) else None
    report = ProgressReport.objects.create(node=node, text=text, value=number, submitted_by=user,
                                           submitted_at=timezone.now())
    _save_files(report, read)
    node.status = NodeStatus.SUBMITTED
    node.save(update_fields=["status"])
    audit.record(actor=actor, action="task.report", obj=report, unit=task.assignee,
                 after={"task": task.pk, "node": node.pk, "value": str(number) if number is not None else None,
                        "files": len(read)}, request=request)
    return report


@transaction.atomic
def report_review(*, actor, report: ProgressReport, approve: bool, guidance: str = "",
                  request=None) -> ProgressReport:
    """审核: approve (the node 已通过, done on the review day; the task 已完成 when every node is) or
    return with guidance (required; the node 已退回 for a new report)."""
    _require_manager(actor)
    task = _lock(actor, report.node.task)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    node = TaskNode.objects.select_for_update().get(pk=report.node_id)
    if report.status != ReportStatus.PENDING:
        raise ValidationError(f"该报送已审核（{report.get_status_display()}）")
    errors: dict[str, list[str]] = {}
    guidance = _text(guidance, field="guidance", errors=errors,
                     required="" if approve else "退回时请填写审核意见，指导责任单位如何补充")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    report.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    report.guidance = guidance
    report.reviewed_by = actor if getattr(actor, "pk", None) else None
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "guidance", "reviewed_by", "reviewed_at"])
    node.status = NodeStatus.APPROVED if approve else NodeStatus.RETURNED
    node.done_on = today if approve else None
    node.save(update_fields=["status", "done_on"])
    if approve and task.status == TaskStatus.ACTIVE and not task.nodes.exclude(status=NodeStatus.APPROVED).exists():
        task.status = TaskStatus.DONE
        task.save(update_fields=["status"])
    audit.record(actor=actor, action="task.approve" if approve else "task.return", obj=report,
                 unit=task.assignee, after={"task": task.pk, "node": node.pk, "guidance": guidance},
                 request=request)
    return report


def cards_due(*, today: dt.date) -> tuple[list[TaskNode], list[TaskNode]]:
    """Nodes of active tasks that deserve a yellow and a red card on ``today`` and do not have one."""
    live = TaskNode.objects.exclude(task__status=TaskStatus.CANCELLED)
    nodes = live.filter(task__status=TaskStatus.ACTIVE).exclude(status=NodeStatus.APPROVED)
    yellow = (nodes.filter(due__gte=today, due__lte=today + dt.timedelta(days=yellow_days()))
              .exclude(cards__kind=CardKind.YELLOW).select_related("task"))
    # Missed: not approved by the due date (also one approved late, when no run saw it open).
    red = (live.filter(due__lt=today).filter(~Q(status=NodeStatus.APPROVED) | Q(done_on__gt=F("due")))
           .exclude(cards__kind=CardKind.RED).select_related("task"))
    return list(yellow), list(red)


@transaction.atomic
def cards_issue(*, today: dt.date | None = None, audit_run: bool = False) -> dict:
    """亮牌 as of ``today``: idempotent (one card per node and kind; a concurrent run that inserted
    the same card first wins). Returns ``{"yellow": n, "red": n}`` newly issued. The cards are the
    system's own record (each with its day); the daily command also writes one audit row of its run
    (``audit_run``), the pages that call this before they render do not."""
    today = today or timezone.localdate()
    yellow, red = cards_due(today=today)
    issued = {"yellow": 0, "red": 0}
    for kind, nodes in ((CardKind.YELLOW, yellow), (CardKind.RED, red)):
        for node in nodes:
            try:
                with transaction.atomic():
                    Card.objects.create(node=node, kind=kind, issued_on=today, assignee_id=node.task.assignee_id)
            except IntegrityError:
                continue
            issued[kind] += 1
    if audit_run and (issued["yellow"] or issued["red"]):
        audit.record(actor=None, action="task.cards", obj=None, unit=None,
                     after={"date": today.isoformat(), **issued})
    return issued


def node_late_q(today: dt.date) -> Q:
    return Q(due__lt=today) & ~Q(status=NodeStatus.APPROVED)
