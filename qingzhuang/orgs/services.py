"""Every write to units and people: keyword-only, atomic, validated, audited."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from qingzhuang.lib import ids
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Person, Unit, UnitGrant

UNIT_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,31}$")


def unit_path(parent: Unit | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def validate_unit_code(code: str) -> None:
    if not UNIT_CODE_RE.match(code):
        raise ValidationError({"code": "单位代码只能由字母、数字和连字符组成，最长32位"})


@transaction.atomic
def unit_create(*, actor, code: str, name: str, kind: str, parent: Unit | None, request=None) -> Unit:
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
    """Rename, retype or move a unit. A move rewrites the paths of the whole subtree in one UPDATE."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
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
    person = Person.objects.select_for_update(of=("self",)).select_related("unit").get(pk=person.pk)
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
    audit.record(actor=actor, action="person.reveal", obj=person, request=request)
    return person


@transaction.atomic
def grant_create(*, actor, user, unit: Unit, reason: str = "", request=None) -> UnitGrant:
    grant, created = UnitGrant.objects.get_or_create(user=user, unit=unit, defaults={"reason": reason})
    if created:
        audit.record(actor=actor, action="grant.create", obj=grant, unit=unit,
                     after={"user": user.username, "unit": unit.code, "reason": reason}, request=request)
    return grant
