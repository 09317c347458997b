"""Reads of units, people and the audit log, always scoped through ``access``."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from qingzhuang.lib import pinyin
from qingzhuang.orgs import access
from qingzhuang.orgs.models import AuditLog, Person, Unit, UnitKind

# Sibling order in the tree: leadership offices, then departments, then townships and below.
KIND_RANK = {kind: rank for rank, kind in enumerate(
    [UnitKind.COUNTY, UnitKind.PARTY, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT, UnitKind.STREET,
     UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID, UnitKind.OTHER])}


def name_q(q: str, field: str = "") -> Q:
    """Rows whose name (reached through ``field``) matches ``q``: Han characters anywhere in the
    name; a pinyin query ("zhangwei", "zhang wei", "zw") anywhere in the full pinyin of a reading
    or at the start of its initials (``lib.pinyin``); the keys are kept by the models."""
    prefix = f"{field}__" if field else ""
    spelled = pinyin.as_query(q)
    if not spelled:
        return Q(**{f"{prefix}name__icontains": q})
    return (Q(**{f"{prefix}name_pinyin__contains": spelled})
            | Q(**{f"{prefix}name_initials__startswith": spelled})
            | Q(**{f"{prefix}name_initials__contains": f" {spelled}"}))


def search_units(user, q: str = "", kind: str = "") -> QuerySet[Unit]:
    qs = access.visible_units(user).select_related("parent")
    q = q.strip()
    if q:
        qs = qs.filter(name_q(q) | Q(code__startswith=q))
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


# The most units the picker offers at once: type more of the name to narrow them.
PICK_LIMIT = 20


def pick_units(units: QuerySet[Unit], q: str, limit: int = PICK_LIMIT) -> list[Unit]:
    """Units of ``units`` (already scoped by the caller) for the unit picker: by name, pinyin,
    initials or code prefix; with no ``q``, the top of the tree. Ordered as the tree, at most ``limit``."""
    q = q.strip()
    if q:
        units = units.filter(name_q(q) | Q(code__startswith=q)).order_by("path")
    else:
        units = units.order_by("depth", "path")  # breadth first: the scope's root and its children
    return list(units.select_related("parent")[:limit])


_DIGITS = re.compile(r"\d+")
_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
# Digits of a phone number the list shows unmasked (138****5678): searching by more of the number
# would let someone recover the masked digits one search at a time.
PHONE_TAIL = 4


def person_q(q: str) -> Q:
    """What the 干部名录 search box matches.

    - Han characters: 姓名, 职务 or 单位名称 containing them;
    - letters: the 姓名 by full pinyin or initials (``name_q``);
    - up to 4 digits: the end of the 手机 (the digits every list shows), 11 digits: the whole 手机;
    - a whole 公民身份号码 (18 or 15 characters): that person. A part of a phone or ID number
      matches nothing, so a search never tells more than the masked list does.
    """
    q = q.strip()
    compact = q.replace(" ", "")
    if _ID_NUMBER.fullmatch(compact):
        return Q(id_number=compact.upper())
    if _DIGITS.fullmatch(compact):
        if len(compact) <= PHONE_TAIL:
            return Q(phone__endswith=compact)
        return Q(phone=compact) if len(compact) == 11 else Q(pk__in=[])
    if pinyin.as_query(q):
        return name_q(q)
    return Q(name__icontains=q) | Q(title__icontains=q) | Q(unit__name__icontains=q)


def search_people(user, q: str = "", unit: Unit | None = None) -> QuerySet[Person]:
    qs = access.visible_people(user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if q.strip():
        qs = qs.filter(person_q(q))
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
