"""Who sees which supervision objects: every page, API endpoint and query scopes through here,
built on ``orgs.access``. Another unit's object answers 404 (not 403); a wrong role answers 403."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.burden.admission import Admission
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.orgs.roles import LEADER, has_role
from qingzhuang.supervision.models import PlanItem, Visit, VisitResult

# --- visits ---------------------------------------------------------------------------------
#
# The county 督查室 (and county-wide users) see every visit, result and evaluation aggregate. A
# department sees the visits it leads; a grassroots unit the visits to units of its scope. A
# result (结果互认) is also seen by every department with an approved item of the same year
# targeting the visited unit. Codes show on the pages of those who see the visit.

VISIT_NOT_FOUND = "未找到该督查检查"
ISSUE_PERMISSION = "supervision.approve_item"
SCHEDULE_PERMISSION = "supervision.propose_item"
RESULT_PERMISSION = "supervision.record_result"


def sees_all_visits(user) -> bool:
    return org_access.oversees_county(user)


def is_office(user) -> bool:
    """The county 督查室: issues codes, sets caps, sees every unit's counts and all evaluations."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(ISSUE_PERMISSION)
                and org_access.oversees_county(user))


def can_schedule(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.unit_id
                and (user.has_perm(SCHEDULE_PERMISSION) or is_office(user)))


def is_grassroots_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.unit_id and user.unit.kind in GRASSROOTS_KINDS)


def visible_visits(user) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("unit", "lead")
    if sees_all_visits(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    own = Q(lead_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return qs.filter(org_access.unit_q(user, "unit") | own)


def get_visit_or_404(user, pk) -> Visit:
    try:
        return visible_visits(user).get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404(VISIT_NOT_FOUND) from None


def _interested_q(user) -> Q:
    """Visits to units that an approved item of the user's department targets, in the item's year."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return Q(pk__in=[])
    parts = []
    items = PlanItem.objects.filter(owner_id=user.unit_id, admission=Admission.APPROVED).prefetch_related("target_units")
    for item in items:
        units = [u.pk for u in item.target_units.all()]
        parts.append(Q(date__year=item.year) & (Q(unit__kind__in=item.target_kinds or []) | Q(unit_id__in=units)))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def visible_results(user) -> QuerySet[VisitResult]:
    """Results of the visits one sees, and (结果互认) of visits to units one's department targets."""
    qs = VisitResult.objects.select_related("visit__unit", "visit__lead")
    if sees_all_visits(user):
        return qs
    seen = visible_visits(user).values("pk")
    return qs.filter(Q(visit__in=seen) | Q(visit__in=Visit.objects.filter(_interested_q(user)).values("pk")))


def sees_result(user, visit: Visit) -> bool:
    return visible_results(user).filter(visit=visit).exists()


def can_record_result(user, visit: Visit) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(RESULT_PERMISSION)
                and user.unit_id == visit.lead_id)


def visit_target_units(user) -> QuerySet[Unit]:
    """Grassroots units a visit of ``user``'s department may go to (the unit picker)."""
    paths = org_access.placing_paths(user)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)), kind__in=GRASSROOTS_KINDS,
                               is_active=True)


def filter_unit(user, code: str) -> Unit | None:
    """A unit to filter visits by: any unit for those who see every visit; else a unit of one's
    scope or one a visit of one's department may go to (the visits themselves stay scoped)."""
    if sees_all_visits(user):
        return Unit.objects.filter(code=code).first()
    return (visit_target_units(user) | org_access.visible_units(user)).filter(code=code).first()


def unit_counts_scope(user) -> QuerySet[Unit]:
    """Grassroots units whose visit counts ``user`` reads: every one for the 督查室, else one's scope."""
    units = Unit.objects.filter(kind__in=GRASSROOTS_KINDS, is_active=True)
    return units if sees_all_visits(user) else units.filter(org_access.unit_q(user))


def get_calendar_unit_or_404(user, code: str) -> Unit:
    """The grassroots unit whose visit calendar ``user`` opens by its code: one of the user's scope
    (the county 督查室 sees every unit); anything else answers 404."""
    unit = Unit.objects.filter(code=code, kind__in=GRASSROOTS_KINDS).first()
    if unit is None or not (org_access.oversees_county(user) or org_access.can_see_unit(user, unit)):
        raise Http404("未找到该单位")
    return unit


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


# --- plans ------------------------------------------------------------------------------------

PROPOSE_ITEM = "supervision.propose_item"
APPROVE_ITEM = "supervision.approve_item"
ITEM_NOT_FOUND = "没有这个督查检查事项，或不在您的查看范围内"
MERGE_NOT_FOUND = "没有这条合并检查建议，或不在您的查看范围内"


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_items(user) -> bool:
    """The county's 督查室, leaders and monitors (county-wide users) see every plan item."""
    return _authenticated(user) and org_access.oversees_county(user)


def runs_plan(user) -> bool:
    """The county's 督查室: approves items, records the year's explanation, decides merges."""
    return _authenticated(user) and user.has_perm(APPROVE_ITEM) and org_access.oversees_county(user)


def proposing_unit(user) -> Unit | None:
    """The department ``user`` proposes items for: their own unit, when it is not a grassroots unit
    and they hold the permission to propose."""
    if not _authenticated(user) or not user.unit_id or not user.has_perm(PROPOSE_ITEM):
        return None
    unit = Unit.objects.filter(pk=user.unit_id).exclude(kind__in=GRASSROOTS_KINDS).first()
    return unit


def _targeting_ids(user) -> list[int]:
    """Approved items that target a unit of the user's scope: listed, or of its unit's kind."""
    from qingzhuang.supervision.models import PlanItem

    listed = PlanItem.target_units.through.objects.filter(org_access.unit_q(user, "unit")).values_list(
        "planitem_id", flat=True)
    ids = set(PlanItem.objects.filter(admission=Admission.APPROVED, pk__in=listed).values_list("pk", flat=True))
    kind = Unit.objects.filter(pk=user.unit_id).values_list("kind", flat=True).first() if user.unit_id else None
    if kind in GRASSROOTS_KINDS:
        for pk, kinds in PlanItem.objects.filter(admission=Admission.APPROVED).values_list("pk", "target_kinds"):
            if kind in (kinds or []):
                ids.add(pk)
    return sorted(ids)


def visible_items(user) -> QuerySet:
    """Every item for those who see all; a department its own items; a grassroots user the approved
    items that target their unit (or a unit below it)."""
    from qingzhuang.supervision.models import PlanItem

    qs = PlanItem.objects.select_related("owner")
    if not _authenticated(user):
        return qs.none()
    if sees_all_items(user):
        return qs
    mine = Q(owner_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return qs.filter(mine | Q(pk__in=_targeting_ids(user)))


def get_item_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import PlanItem

    try:
        return visible_items(user).get(pk=pk)
    except (PlanItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(ITEM_NOT_FOUND) from None


def can_edit_item(user, item) -> bool:
    unit = proposing_unit(user)
    return unit is not None and item.owner_id == unit.pk and item.is_editable


def visible_merges(user) -> QuerySet:
    """Merge proposals are the 督查室's (and county-wide users') to see."""
    from qingzhuang.supervision.models import MergeProposal

    if not sees_all_items(user):
        return MergeProposal.objects.none()
    return MergeProposal.objects.select_related("lead")


def get_merge_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import MergeProposal

    try:
        return visible_merges(user).get(pk=pk)
    except (MergeProposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(MERGE_NOT_FOUND) from None
