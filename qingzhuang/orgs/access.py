"""The one public access module: every query, view and API endpoint scopes through it.

A user's scope is the subtree of their own unit plus the subtrees of explicit grants
(``UnitGrant``). Something outside the scope answers exactly like something missing: 404.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.orgs.models import GRASSROOTS_KINDS, AuditLog, Person, Unit, UnitKind
from qingzhuang.orgs.roles import SUPERVISION, has_role


def scope_paths(user) -> list[str]:
    """Materialised paths of the roots of ``user``'s scope (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_qz_scope_paths", None)
    if cached is not None:
        return cached
    paths: list[str] = []
    if user.unit_id:
        paths.append(Unit.objects.values_list("path", flat=True).get(pk=user.unit_id))
    paths.extend(user.unit_grants.values_list("unit__path", flat=True))
    # Drop roots already covered by another root.
    roots = sorted(set(paths), key=len)
    kept: list[str] = []
    for p in roots:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    user._qz_scope_paths = kept
    return kept


def is_root_path(path: str) -> bool:
    """Whether a materialised path (``/code/``) is the root of the tree: a whole county."""
    return path.count("/") == 2


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and every unit above it, from the root: ``/a/b/`` → ``/a/``, ``/a/b/``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def is_county_wide(user) -> bool:
    """Whether ``user``'s scope is a whole county: their unit or a grant is the root of the tree.
    The one answer to "sees the whole county"; nothing else decides it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or any(is_root_path(p) for p in scope_paths(user))


def is_county_office(user) -> bool:
    """Whether ``user`` belongs to the county party committee's or government's own office (a unit of
    kind 县委/县政府 directly under the root): a county-level role held there acts county-wide."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return False
    cached = getattr(user, "_qz_county_office", None)
    if cached is None:
        cached = Unit.objects.filter(pk=user.unit_id, kind__in=(UnitKind.PARTY, UnitKind.GOVERNMENT),
                                     parent__parent__isnull=True).exists()
        user._qz_county_office = cached
    return cached


def oversees_county(user) -> bool:
    """Whether ``user`` oversees what the county asks of grassroots units (every report, data
    request and demand): county-wide users, and the 督查室 of the county party or government
    office. A 督查室 role held in a township does not. Cached on the user object for the request."""
    cached = getattr(user, "_qz_oversees_county", None)
    if cached is None:
        cached = is_county_wide(user) or (has_role(user, SUPERVISION) and is_county_office(user))
        if getattr(user, "is_authenticated", False):
            user._qz_oversees_county = cached
    return cached


def unit_q(user, field: str = "") -> Q:
    """A filter for rows whose unit (reached through ``field``) lies inside ``user``'s scope."""
    prefix = f"{field}__" if field else ""
    paths = scope_paths(user)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def above_q(user, field: str = "") -> Q:
    """A filter for rows whose unit (reached through ``field``) is ``user``'s own unit or above it:
    what a higher level publishes for those below (policies, plans)."""
    prefix = f"{field}__" if field else ""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.unit_id:
        return Q(pk__in=[])
    path = Unit.objects.values_list("path", flat=True).get(pk=user.unit_id)
    return Q(**{f"{prefix}path__in": ancestor_paths(path)})


def placing_paths(user) -> list[str]:
    """Roots of the subtrees ``user``'s unit may place demands on (ask to fill a report, send a data
    request): a township, street or village asks its own subtree; a county-level unit (县委, 县政府,
    a department) asks the whole county it belongs to. Grants give read access, not reach."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return ["/"]
    if not user.unit_id:
        return []
    path, kind = Unit.objects.values_list("path", "kind").get(pk=user.unit_id)
    return [path] if kind in GRASSROOTS_KINDS else [ancestor_paths(path)[0]]


def visible_units(user) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_q(user))


def visible_people(user) -> QuerySet[Person]:
    return Person.objects.filter(unit_q(user, "unit")).select_related("unit")


def visible_audit(user) -> QuerySet[AuditLog]:
    """Audit entries about units in the user's scope; entries tied to no unit (e.g. a failed
    sign-in with an unknown user name) only for users whose scope is a whole county."""
    scope = unit_q(user, "unit")
    if is_county_wide(user):
        scope |= Q(unit__isnull=True)
    return AuditLog.objects.filter(scope)


def can_see_unit(user, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in scope_paths(user))


def is_scope_root(user, unit: Unit) -> bool:
    """Whether ``unit`` is a root of ``user``'s scope: they may edit it but not move it (it would
    leave their scope)."""
    return unit.path in scope_paths(user)


UNIT_NOT_FOUND = "未找到该单位"
PERSON_NOT_FOUND = "未找到该人员"
ACCOUNT_NOT_FOUND = "未找到该账号"


def get_unit_or_404(user, *, code: str | None = None, pk: int | None = None) -> Unit:
    lookup = {"code": code} if code is not None else {"pk": pk}
    try:
        return visible_units(user).select_related("parent").get(**lookup)
    except (Unit.DoesNotExist, ValueError):
        raise Http404(UNIT_NOT_FOUND) from None


def get_person_or_404(user, pk: int) -> Person:
    try:
        return visible_people(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404(PERSON_NOT_FOUND) from None


def can_view_personal_data(user) -> bool:
    """Whether ``user`` sees 身份证号 and phone numbers unmasked (every reveal is still audited)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("orgs.view_personal_data"))


# ---------------------------------------------------------------------------------------------
# Checks at the top of a service. ``actor`` None is the system (demo seed, operator commands),
# which may do anything; a refused actor gets PermissionDenied, or the same 404 as a missing object.


def require_permission(actor, permission: str, message: str) -> None:
    """Refuse ``actor`` without ``permission`` (PermissionDenied with the Chinese ``message``)."""
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(message)


def require_unit(actor, unit: Unit) -> None:
    """Refuse a ``unit`` outside ``actor``'s scope exactly as ``get_unit_or_404`` does."""
    if actor is not None and not can_see_unit(actor, unit):
        raise Http404(UNIT_NOT_FOUND)


def require_person(actor, person: Person) -> None:
    """Refuse a ``person`` (of a unit) outside ``actor``'s scope exactly as ``get_person_or_404`` does."""
    if actor is not None and not can_see_unit(actor, person.unit):
        raise Http404(PERSON_NOT_FOUND)



def require_account(actor, user) -> None:
    """Refuse a login account whose unit is outside ``actor``'s scope (an account without a unit is
    nobody's), with the 404 of a missing account: the object form of ``accounts.access.visible_users``."""
    if actor is not None and not (user.unit_id and can_see_unit(actor, user.unit)):
        raise Http404(ACCOUNT_NOT_FOUND)
