"""Every write to units and people: keyword-only, atomic, validated, audited.

Each service refuses, before it writes, an actor without the permission (PermissionDenied) or whose
scope does not cover the unit or person (the same 404 as a missing one); ``actor`` None is the
system. The rules are those of the pages, decided in ``orgs.access``.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from qingzhuang.lib import ids
from qingzhuang.orgs import access, audit
from qingzhuang.orgs.models import Person, Unit, UnitGrant

UNIT_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z\-]{0,31}$"
UNIT_CODE_RE = re.compile(UNIT_CODE_PATTERN)
# The API's fixed paths beside /units/{code} (/units/export, /units/import): a unit of that code
# could never be reached there, so no unit may have it.
RESERVED_UNIT_CODES = ("export", "import")
RESERVED_UNIT_CODE_MESSAGE = "单位代码不能是 export 或 import（接口地址保留）"

MANAGE_UNITS = ("orgs.manage_units", "您没有维护组织架构的权限")
MANAGE_PEOPLE = ("orgs.manage_people", "您没有维护干部信息的权限")
VIEW_PERSONAL_DATA = ("orgs.view_personal_data", "您没有查看完整身份证号和手机号的权限")
MANAGE_USERS = ("accounts.manage_users", "您没有管理账号的权限")
SCOPE_ROOT_MOVE_MESSAGE = "不能移动您管理范围最上级的单位"
PARENT_REQUIRED = {"parent": "请填写上级单位代码"}


def unit_path(parent: Unit | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def validate_unit_code(code: str) -> None:
    # fullmatch: "$" alone would let a code end in a line break.
    if not UNIT_CODE_RE.fullmatch(code):
        raise ValidationError({"code": "单位代码只能由字母、数字和连字符组成，最长32位"})
    if code in RESERVED_UNIT_CODES:
        raise ValidationError({"code": RESERVED_UNIT_CODE_MESSAGE})


@transaction.atomic
def unit_create(*, actor, code: str, name: str, kind: str, parent: Unit | None, request=None) -> Unit:
    """Add a unit under ``parent``; an actor adds only under a unit in their scope (a top-level unit
    is the system's)."""
    access.require_permission(actor, *MANAGE_UNITS)
    if actor is not None:
        if parent is None:
            raise ValidationError(PARENT_REQUIRED)
        access.require_unit(actor, parent)
    code, name = code.strip(), name.strip()
    validate_unit_code(code)
    unit = Unit(code=code, name=name, kind=kind, parent=parent)
    unit.path = unit_path(parent, code)
    unit.depth = parent.depth + 1 if parent else 0
    unit.full_clean()
    unit.save()
    audit.record(actor=actor, action="unit.create", obj=unit, after=unit.audit_dict(), request=request)
    return unit


def _is_cycle(unit: Unit, new_parent: Unit | None) -> bool:
    return new_parent is not None and new_parent.path.startswith(unit.path)


@transaction.atomic
def unit_update(
    *, actor, unit: Unit, name: str, kind: str, parent: Unit | None, is_active: bool = True, request=None
) -> Unit:
    """Rename, retype or move a unit. A move rewrites the paths of the whole subtree in one UPDATE.

    An actor edits a unit in their scope, and moves it only under another unit in their scope and
    only if it is not a root of their scope (it would leave it)."""
    access.require_permission(actor, *MANAGE_UNITS)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    access.require_unit(actor, unit)
    if actor is not None and (parent.pk if parent else None) != unit.parent_id:
        if access.is_scope_root(actor, unit):
            raise PermissionDenied(SCOPE_ROOT_MOVE_MESSAGE)
        if parent is None:
            raise ValidationError(PARENT_REQUIRED)
        access.require_unit(actor, parent)
    before = unit.audit_dict()
    if _is_cycle(unit, parent):
        raise ValidationError({"parent": "上级单位不能是本单位或其下级单位"})
    old_path = unit.path
    unit.name, unit.kind, unit.parent, unit.is_active = name.strip(), kind, parent, is_active
    unit.path = unit_path(parent, unit.code)
    new_depth = parent.depth + 1 if parent else 0
    depth_shift = new_depth - unit.depth
    unit.depth = new_depth
    unit.full_clean()
    unit.save()
    if old_path != unit.path:
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
    audit.record(actor=actor, action="unit.update", obj=unit, before=before, after=unit.audit_dict(),
                 request=request)
    return unit


def clean_person_fields(*, name: str, title: str, phone: str, id_number: str) -> dict:
    """Normalise and validate a person's fields; raises ValidationError with Chinese messages."""
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "姓名不能为空"
    phone = ids.normalize_phone(phone or "")
    if phone and (reason := ids.phone_error(phone)):
        errors["phone"] = reason
    id_number = ids.normalize_id_number(id_number or "")
    if id_number and (reason := ids.id_number_error(id_number)):
        errors["id_number"] = reason
    if errors:
        raise ValidationError(errors)
    return {"name": name, "title": (title or "").strip(), "phone": phone, "id_number": id_number}


@transaction.atomic
def person_create(
    *, actor, unit: Unit, name: str, title: str = "", phone: str = "", id_number: str = "", request=None
) -> Person:
    access.require_permission(actor, *MANAGE_PEOPLE)
    access.require_unit(actor, unit)
    fields = clean_person_fields(name=name, title=title, phone=phone, id_number=id_number)
    if fields["id_number"] and Person.objects.filter(id_number=fields["id_number"]).exists():
        raise ValidationError({"id_number": "该公民身份号码已登记"})
    person = Person(unit=unit, **fields)
    person.full_clean()
    person.save()
    audit.record(actor=actor, action="person.create", obj=person, after=person.audit_dict(), request=request)
    return person


@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    unit: Unit,
    name: str,
    title: str = "",
    phone: str = "",
    id_number: str = "",
    is_active: bool = True,
    request=None,
) -> Person:
    access.require_permission(actor, *MANAGE_PEOPLE)
    person = Person.objects.select_for_update(of=("self",)).select_related("unit").get(pk=person.pk)
    access.require_person(actor, person)
    access.require_unit(actor, unit)
    before = person.audit_dict()
    fields = clean_person_fields(name=name, title=title, phone=phone, id_number=id_number)
    if (
        fields["id_number"]
        and Person.objects.filter(id_number=fields["id_number"]).exclude(pk=person.pk).exists()
    ):
        raise ValidationError({"id_number": "该公民身份号码已登记"})
    for key, value in fields.items():
        setattr(person, key, value)
    person.unit, person.is_active = unit, is_active
    person.full_clean()
    person.save()
    audit.record(actor=actor, action="person.update", obj=person, before=before, after=person.audit_dict(),
                 request=request)
    return person


@transaction.atomic
def person_reveal(*, actor, person: Person, request=None) -> Person:
    """Record that ``actor`` looked at the unmasked ID number and phone of ``person``."""
    access.require_permission(actor, *VIEW_PERSONAL_DATA)
    person = Person.objects.select_related("unit").get(pk=person.pk)
    access.require_person(actor, person)
    audit.record(actor=actor, action="person.reveal", obj=person, request=request)
    return person


@transaction.atomic
def grant_create(*, actor, user, unit: Unit, reason: str = "", request=None) -> UnitGrant:
    """Extend ``user``'s scope to ``unit``. There is no page for it; the rule is that of changing an
    account's unit (``accounts.services.user_update``): an account administrator whose scope covers
    both the account's unit and ``unit``."""
    access.require_permission(actor, *MANAGE_USERS)
    access.require_account(actor, user)
    access.require_unit(actor, unit)
    grant, created = UnitGrant.objects.get_or_create(user=user, unit=unit, defaults={"reason": reason})
    if created:
        audit.record(actor=actor, action="grant.create", obj=grant, unit=unit,
                     after={"user": user.username, "unit": unit.code, "reason": reason}, request=request)
    return grant
