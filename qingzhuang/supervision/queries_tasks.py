"""工作问效 reads: filters, the per-node card state, the indicator's latest value, the workbench
to-dos and the comparison charts (ECharts options built here, drawn by ``static/qz/charts.js``).

Definitions used on the pages, the API and the charts:
- a node is **on time** when it was approved on or before its due date (``done_on <= due``);
- the **on-time rate** of an assignee is on-time nodes ÷ nodes already due (due before today, or
  approved), as a percentage rounded half up to one decimal;
- cards count once per node and kind, by the month of their ``issued_on``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse

from qingzhuang.registry import Chart, Todo
from qingzhuang.supervision import access
from qingzhuang.supervision.models import (
    Card,
    CardKind,
    NodeStatus,
    ProgressReport,
    ReportStatus,
    Task,
    TaskNode,
    TaskStatus,
)
from qingzhuang.supervision.services.tasks import yellow_days

YELLOW, RED = "#ffc107", "#dc3545"


def filter_tasks(qs: QuerySet, *, assignee=None, status: str = "", card: str = "") -> QuerySet:
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if status:
        qs = qs.filter(status=status)
    if card in CardKind.values:
        qs = qs.filter(nodes__cards__kind=card).distinct()
    elif card == "none":
        qs = qs.exclude(nodes__cards__isnull=False)
    return qs


def with_nodes(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(Prefetch("nodes", queryset=TaskNode.objects.prefetch_related("cards")))


def card_counts(task: Task) -> dict[str, int]:
    """Yellow and red cards of a task (from prefetched nodes when there are)."""
    found = Counter(card.kind for node in task.nodes.all() for card in node.cards.all())
    return {"yellow": found[CardKind.YELLOW], "red": found[CardKind.RED]}


def next_node(task: Task) -> TaskNode | None:
    return next((n for n in task.nodes.all() if n.status != NodeStatus.APPROVED), None)


def latest_indicator_value(task: Task) -> dict | None:
    """The indicator's latest value reported for the assignee in the indicator database, if any."""
    if not task.indicator_id:
        return None
    from qingzhuang.ledger.models import IndicatorValue

    found = (IndicatorValue.objects.filter(indicator_id=task.indicator_id, unit_id=task.assignee_id)
             .order_by("-period").values("period", "value").first())
    return found


def search_indicators(text: str, *, limit: int = 20) -> list:
    from qingzhuang.ledger.models import Indicator

    text = (text or "").strip()[:50]
    qs = Indicator.objects.select_related("owner").order_by("code")
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return list(qs[:limit])


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def assignee_stats(user, *, today: dt.date, year: int | None = None) -> list[dict]:
    """Per assignee (of the user's visible tasks, not cancelled): tasks, nodes due, on time, late,
    on-time rate (%), yellow and red cards."""
    tasks = access.visible_tasks(user).exclude(status=TaskStatus.CANCELLED)
    nodes = TaskNode.objects.filter(task__in=tasks.values("pk"))
    cards = Card.objects.filter(node__task__in=tasks.values("pk"))
    if year:
        nodes, cards = nodes.filter(due__year=year), cards.filter(node__due__year=year)
    rows: dict[int, dict] = {}
    for task in tasks.select_related("assignee").order_by("assignee__path"):
        row = rows.setdefault(task.assignee_id, {"assignee": task.assignee.name, "code": task.assignee.code,
                                                 "tasks": 0, "due": 0, "on_time": 0, "late": 0,
                                                 "yellow": 0, "red": 0})
        row["tasks"] += 1
    due = nodes.filter(Q(due__lt=today) | Q(status=NodeStatus.APPROVED))
    for item in due.values("task__assignee_id").annotate(
            n=Count("pk"), on_time=Count("pk", filter=Q(status=NodeStatus.APPROVED, done_on__lte=F("due")))):
        row = rows.get(item["task__assignee_id"])
        if row:
            row["due"], row["on_time"] = item["n"], item["on_time"]
            row["late"] = item["n"] - item["on_time"]
    for item in cards.values("assignee_id", "kind").annotate(n=Count("pk")):
        if row := rows.get(item["assignee_id"]):
            row[item["kind"]] = item["n"]
    result = list(rows.values())
    for row in result:
        row["rate"] = percent(row["on_time"], row["due"])
    return result


def monthly_stats(user, *, year: int) -> dict[str, list[int]]:
    """Per month of ``year``: yellow cards, red cards (by issue day) and nodes approved (by done day)."""
    tasks = access.visible_tasks(user).exclude(status=TaskStatus.CANCELLED).values("pk")
    result = {"yellow": [0] * 12, "red": [0] * 12, "approved": [0] * 12}
    for kind, month in Card.objects.filter(node__task__in=tasks, issued_on__year=year).values_list(
            "kind", "issued_on__month"):
        result[kind][month - 1] += 1
    for (month,) in TaskNode.objects.filter(task__in=tasks, status=NodeStatus.APPROVED,
                                            done_on__year=year).values_list("done_on__month"):
        result["approved"][month - 1] += 1
    return result


def department_chart(user, *, today: dt.date, year: int | None = None) -> Chart:
    rows = assignee_stats(user, today=today, year=year)
    names = [r["assignee"] for r in rows]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 40, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": [{"type": "value", "name": "张", "minInterval": 1},
                  {"type": "value", "name": "按时完成率（%）", "max": 100, "min": 0}],
        "series": [
            {"name": "黄牌（张）", "type": "bar", "data": [r["yellow"] for r in rows], "itemStyle": {"color": YELLOW}},
            {"name": "红牌（张）", "type": "bar", "data": [r["red"] for r in rows], "itemStyle": {"color": RED}},
            {"name": "按时完成率（%）", "type": "bar", "yAxisIndex": 1,
             "data": [float(r["rate"]) if r["rate"] is not None else None for r in rows],
             "itemStyle": {"color": "#198754"}},
        ],
    }
    return Chart(
        key="supervision-task-units", title="工作问效：各责任单位按时完成率与亮牌", option=option, height=340,
        note="按时完成率＝在完成时限内审核通过的节点数÷已到期（或已通过）的节点数；黄牌在节点到期前"
             f"{yellow_days()}天仍未通过时亮出，红牌在节点逾期未通过时亮出，每个节点每种牌最多一张。",
        empty="" if rows else "还没有交办工作问效任务。", unit="")


def monthly_chart(user, *, year: int) -> Chart:
    data = monthly_stats(user, year=year)
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "通过的节点（个）", "type": "line", "data": data["approved"], "itemStyle": {"color": "#198754"}},
            {"name": "黄牌（张）", "type": "line", "data": data["yellow"], "itemStyle": {"color": YELLOW}},
            {"name": "红牌（张）", "type": "line", "data": data["red"], "itemStyle": {"color": RED}},
        ],
    }
    total = sum(sum(v) for v in data.values())
    return Chart(
        key="supervision-task-months", title=f"工作问效：{year}年每月通过的节点与亮牌", option=option,
        note=f"{year}年共通过节点{sum(data['approved'])}个，亮黄牌{sum(data['yellow'])}张、红牌{sum(data['red'])}张"
             "（节点按审核通过日期、亮牌按亮牌日期计入月份）。",
        empty="" if total else f"{year}年还没有通过的节点或亮牌。", unit="")


def charts(user) -> list[Chart]:
    """Workbench: the department comparison for those who see every task; none for others."""
    from django.utils import timezone

    if not access.sees_all_tasks(user) or not access.visible_tasks(user).exists():
        return []
    return [department_chart(user, today=timezone.localdate())]


def todos(user) -> list[Todo]:
    """Assignee users: nodes due within the yellow window, red-card nodes (past due, not approved:
    the nodes ``cards_issue`` gives a red card, counted here without waiting for its run) and
    returned reports. The 督查室: reports to review and red-card nodes still open."""
    from django.utils import timezone

    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    found: list[Todo] = []
    mine = reverse("supervision:task_mine")
    if access.can_report_tasks(user):
        nodes = TaskNode.objects.filter(task__in=access.own_tasks(user).filter(status=TaskStatus.ACTIVE).values("pk"))
        soon = nodes.filter(status__in=(NodeStatus.OPEN, NodeStatus.RETURNED), due__gte=today,
                            due__lte=today + dt.timedelta(days=yellow_days())).count()
        red = nodes.exclude(status=NodeStatus.APPROVED).filter(due__lt=today).count()
        returned = nodes.filter(status=NodeStatus.RETURNED).count()
        if soon:
            found.append(Todo("个任务节点即将到期（工作问效）", soon, mine, tone="warning"))
        if red:
            found.append(Todo("个任务节点已亮红牌（工作问效）", red, mine + "?card=red", tone="danger"))
        if returned:
            found.append(Todo("份任务进展被退回待补充", returned, mine, tone="warning"))
    if access.can_manage_tasks(user):
        pending = ProgressReport.objects.filter(status=ReportStatus.PENDING,
                                                node__task__status=TaskStatus.ACTIVE).count()
        red = (TaskNode.objects.filter(task__status=TaskStatus.ACTIVE, due__lt=today)
               .exclude(status=NodeStatus.APPROVED).count())
        listing = reverse("supervision:task_list")
        if pending:
            found.append(Todo("份任务进展待审核（工作问效）", pending, listing + "?review=1"))
        if red:
            found.append(Todo("个任务节点逾期亮红牌", red, reverse("supervision:task_cards") + "?kind=red",
                              tone="danger"))
    return found


def card_rows(user, *, kind: str = "", assignee=None) -> QuerySet:
    qs = (Card.objects.filter(node__task__in=access.visible_tasks(user).values("pk"))
          .select_related("node", "node__task", "assignee"))
    if kind in CardKind.values:
        qs = qs.filter(kind=kind)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs


def pending_review(user) -> QuerySet:
    return ProgressReport.objects.filter(status=ReportStatus.PENDING,
                                         node__task__in=access.visible_tasks(user).values("pk"))


def by_task(nodes) -> dict:
    grouped = defaultdict(list)
    for node in nodes:
        grouped[node.task_id].append(node)
    return grouped
