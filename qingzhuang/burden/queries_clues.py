"""Reads of 码上减负 clues: the monitors' list filters and counts, the public tracking timeline
(nothing internal, nobody named), the public list of units and the workbench to-dos. Scoped
through ``burden.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import Clue, ClueAction, ClueStatus
from qingzhuang.orgs.models import Unit
from qingzhuang.orgs.queries import name_q
from qingzhuang.registry import Todo

PUBLIC_UNITS_LIMIT = 20


def overdue_q(today: dt.date) -> Q:
    """逾期 (``Clue.is_overdue``): still being rectified after the deadline day, or rectified late."""
    return Q(status=ClueStatus.ACCEPTED, deadline__lt=today) | Q(rectified_late=True)


def filter_clues(qs: QuerySet[Clue], *, status: str = "", category: str = "", unit: Unit | None = None,
                 overdue: bool = False, today: dt.date | None = None) -> QuerySet[Clue]:
    """The list's filters; ``unit`` matches a clue whose placing, suffering or responsible unit lies
    in its subtree."""
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if unit is not None:
        qs = qs.filter(Q(placed_by__path__startswith=unit.path) | Q(suffered_by__path__startswith=unit.path)
                       | Q(responsible__path__startswith=unit.path))
    if overdue:
        qs = qs.filter(overdue_q(today or timezone.localdate()))
    return qs


def status_counts(qs: QuerySet[Clue], today: dt.date | None = None) -> dict[str, int]:
    """How many of ``qs`` are in each status, all of them, and how many are overdue."""
    rows = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    counts = {status: rows.get(status, 0) for status in ClueStatus.values}
    counts["all"] = sum(counts.values())
    counts["overdue"] = qs.filter(overdue_q(today or timezone.localdate())).count()
    return counts


@dataclass(frozen=True)
class PublicStep:
    at: dt.datetime
    label: str
    text: str = ""


def public_timeline(clue: Clue) -> list[PublicStep]:
    """What the reporter reads: each step's date and what it means, the deadline, the dismissal
    reason and the published result. Never an internal note, a person or a unit that handled it."""
    steps = []
    for event in clue.events.all():
        if event.action == ClueAction.SUBMIT:
            steps.append(PublicStep(event.at, "已提交，待受理"))
        elif event.action == ClueAction.ACCEPT:
            deadline = f"整改期限：{event.deadline:%Y-%m-%d}" if event.deadline else ""
            steps.append(PublicStep(event.at, "已受理，已交责任单位整改", deadline))
        elif event.action == ClueAction.DISMISS:
            steps.append(PublicStep(event.at, "不予受理", event.public))
        elif event.action == ClueAction.RECTIFY:
            steps.append(PublicStep(event.at, "责任单位已报送整改情况，待核实"))
        elif event.action == ClueAction.RETURN:
            deadline = f"整改期限：{event.deadline:%Y-%m-%d}" if event.deadline else ""
            steps.append(PublicStep(event.at, "核实后退回继续整改", deadline))
        elif event.action == ClueAction.CLOSE:
            steps.append(PublicStep(event.at, f"已办结：{clue.get_result_display()}", event.public))
    return steps


def public_units(q: str, limit: int = PUBLIC_UNITS_LIMIT) -> list[Unit]:
    """Active units by name, pinyin or initials, for the public page (it shows names only)."""
    q = (q or "").strip()[:50]
    units = Unit.objects.filter(is_active=True)
    units = units.filter(name_q(q)).order_by("path") if q else units.order_by("depth", "path")
    return list(units.select_related("parent")[:limit])


def todos(user) -> list[Todo]:
    """Monitors: clues to accept and rectifications to verify; a responsible unit's users: the clues
    of their unit still to rectify (overdue ones in red)."""
    found: list[Todo] = []
    url = reverse("burden:clue_list")
    if access.can_triage_clue(user):
        clues = access.visible_clues(user)
        if pending := clues.filter(status=ClueStatus.PENDING).count():
            found.append(Todo("条减负线索待受理", pending, f"{url}?status=pending", tone="warning"))
        if rectified := clues.filter(status=ClueStatus.RECTIFIED).count():
            found.append(Todo("条线索整改待核实", rectified, f"{url}?status=rectified"))
    if getattr(user, "is_authenticated", False) and user.unit_id and user.has_perm(access.RECTIFY_CLUE):
        own = Clue.objects.filter(responsible_id=user.unit_id, status=ClueStatus.ACCEPTED)
        today = timezone.localdate()
        late = own.filter(deadline__lt=today).count()
        if late:
            found.append(Todo("条减负线索整改已逾期", late, f"{url}?status=accepted&overdue=1", tone="danger"))
        if in_time := own.count() - late:
            found.append(Todo("条减负线索待整改", in_time, f"{url}?status=accepted", tone="warning"))
    return found
