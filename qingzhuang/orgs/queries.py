"""Reads of units, people and the audit log, always scoped through ``access``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from qingzhuang.orgs import access
from qingzhuang.orgs.models import AuditLog, Person, Unit, UnitKind

# Sibling order in the tree: leadership offices, then departments, then townships and below.
KIND_RANK = {kind: rank for rank, kind in enumerate(
    [UnitKind.COUNTY, UnitKind.PARTY, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT, UnitKind.STREET,
     UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID, UnitKind.OTHER])}


def search_units(user, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = access.visible_units(user).select_related("parent")
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def with_counts(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate direct children and active people, ordered as siblings are shown in the tree."""
    children = (Unit.objects.filter(parent=OuterRef("pk")).order_by().values("parent")
                .annotate(c=Count("*")).values("c"))
    people = (Person.objects.filter(unit=OuterRef("pk"), is_active=True).order_by().values("unit")
              .annotate(c=Count("*")).values("c"))
    rank = Case(*[When(kind=k, then=Value(r)) for k, r in KIND_RANK.items()], output_field=IntegerField())
    return qs.annotate(
        n_children=Coalesce(Subquery(children), 0), n_people=Coalesce(Subquery(people), 0), kind_rank=rank
    ).order_by("kind_rank", "code")


def unit_tree_roots(user) -> list[Unit]:
    """The roots of the user's scope, each with its direct children in ``kids`` (shown expanded)."""
    roots = list(with_counts(Unit.objects.filter(path__in=access.scope_paths(user))))
    kids = list(with_counts(Unit.objects.filter(parent__in=roots)))
    for root in roots:
        root.kids = [k for k in kids if k.parent_id == root.pk]
    return roots


def unit_children(user, unit: Unit) -> list[Unit]:
    return list(with_counts(access.visible_units(user).filter(parent=unit)))


def search_people(user, q: str = "", unit: Unit | None = None) -> QuerySet[Person]:
    qs = access.visible_people(user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(title__icontains=q) | Q(unit__name__icontains=q))
    return qs.order_by("unit__path", "id")


def search_audit(
    user,
    *,
    q: str = "",
    action: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditLog]:
    qs = access.visible_audit(user).select_related("unit")
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
