"""Who sees and changes what in the supervision app. Every query, page and API endpoint of the app
scopes through here, built on ``orgs.access`` predicates. Something outside a user's scope answers
exactly like something missing: 404; a missing permission answers 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.roles import LEADER, has_role

# --- tasks ---------------------------------------------------------------------------------
# 工作问效. Reading: those who oversee the county (the county 督查室, county-wide users such as
# leaders) see every task; anyone else sees the tasks assigned to a unit of their scope.
# Managing (create, edit, cancel, review): ``supervision.manage_task`` and oversight of the county.
# Reporting: ``supervision.report_task`` and the task's assignee inside one's scope.

MANAGE_TASK = "supervision.manage_task"
REPORT_TASK = "supervision.report_task"
TASK_NOT_FOUND = "未找到该任务"
NODE_NOT_FOUND = "未找到该时间节点"
REPORT_NOT_FOUND = "未找到该进展报送"


def sees_all_tasks(user) -> bool:
    """The county 督查室 (who manage tasks) and county leaders: every task."""
    return bool(org_access.oversees_county(user)
                and (user.has_perm(MANAGE_TASK) or has_role(user, LEADER) or user.is_superuser))


def can_manage_tasks(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_TASK)
                and org_access.oversees_county(user))


def can_report_tasks(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REPORT_TASK) and user.unit_id)


def can_read_tasks(user) -> bool:
    """Who may open the task pages at all: managers, county-wide readers and reporters."""
    return sees_all_tasks(user) or can_report_tasks(user)


def visible_tasks(user) -> QuerySet:
    from qingzhuang.supervision.models import Task

    qs = Task.objects.select_related("assignee", "indicator")
    if sees_all_tasks(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(org_access.unit_q(user, "assignee"))


def own_tasks(user) -> QuerySet:
    """本单位任务: tasks assigned to a unit of the user's own scope (not the whole county)."""
    from qingzhuang.supervision.models import Task

    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    return Task.objects.select_related("assignee", "indicator").filter(org_access.unit_q(user, "assignee"))


def get_task_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import Task

    try:
        return visible_tasks(user).get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(TASK_NOT_FOUND) from None


def get_node_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import TaskNode

    try:
        return TaskNode.objects.select_related("task", "task__assignee").get(
            pk=pk, task__in=visible_tasks(user).values("pk"))
    except (TaskNode.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(NODE_NOT_FOUND) from None


def get_report_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import ProgressReport

    try:
        return ProgressReport.objects.select_related("node", "node__task", "node__task__assignee").get(
            pk=pk, node__task__in=visible_tasks(user).values("pk"))
    except (ProgressReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(REPORT_NOT_FOUND) from None


def may_report_on(user, task) -> bool:
    """The assignee's users (``report_task``, the assignee inside their scope)."""
    return can_report_tasks(user) and org_access.can_see_unit(user, task.assignee)


# --- violations ---


def can_view_violations(user) -> bool:
    """The violations page is county-wide: the 督查室, monitors and leaders (who see every demand)."""
    return org_access.oversees_county(user)


def require_violations(user) -> None:
    if not can_view_violations(user):
        raise Http404("未找到该页面")
