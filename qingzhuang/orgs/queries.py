"""Reads of units, people and the audit log, always scoped through ``access``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from qingzhuang.orgs import access
from qingzhuang.orgs.models import AuditLog, Person, Unit


def search_units(user, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = access.visible_units(user).select_related("parent")
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def unit_tree_rows(user) -> list[Unit]:
    """All visible units in tree order, with their direct people count, for the tree page."""
    return list(
        access.visible_units(user).annotate(n_people=Count("people", filter=Q(people__is_active=True))).order_by("path")
    )


def search_people(user, q: str = "", unit: Unit | None = None) -> QuerySet[Person]:
    qs = access.visible_people(user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(title__icontains=q) | Q(unit__name__icontains=q))
    return qs.order_by("unit__path", "id")


def search_audit(
    *,
    q: str = "",
    action: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditLog]:
    qs = AuditLog.objects.select_related("unit")
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(object_id=q) | Q(unit__name__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")
