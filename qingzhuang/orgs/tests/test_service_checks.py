"""The orgs services refuse by themselves what the pages refuse: a missing permission
(PermissionDenied), a unit or person outside the actor's scope (the 404 of a missing one), before
anything is written. ``actor`` None is the system."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from conftest import make_user
from qingzhuang.orgs import services
from qingzhuang.orgs.models import AuditLog, Person, Unit, UnitGrant

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written(*models):
    """Assert that the block writes no row of ``models`` and no audit row (counts and last change)."""
    def state():
        return [(m.objects.count(), *m.objects.order_by("-pk").values_list("pk", flat=True)[:1]) for m in models]

    before, audits = state(), AuditLog.objects.count()
    yield
    assert state() == before
    assert AuditLog.objects.count() == audits


@pytest.fixture
def admin_b(county):
    """A 系统管理员 of the sibling township 乙镇: has the permissions, not the scope."""
    return make_user("admin_b", county["town_b"], "系统管理员")


# --- unit_create ----------------------------------------------------------------------------

def test_unit_create_by_an_administrator(users, county):
    unit = services.unit_create(actor=users["sysadmin"], code="429901001202", name="甲二村", kind="village",
                                parent=county["town_a"])
    assert unit.path == county["town_a"].path + "429901001202/"
    assert AuditLog.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_unit_create_without_permission(users, county):
    with nothing_written(Unit), pytest.raises(PermissionDenied) as caught:
        services.unit_create(actor=users["member"], code="429901001202", name="甲二村", kind="village",
                             parent=county["town_a"])
    assert str(caught.value) == "您没有维护组织架构的权限"


def test_unit_create_under_a_sibling_township(admin_b, county):
    with nothing_written(Unit), pytest.raises(Http404) as caught:
        services.unit_create(actor=admin_b, code="429901001202", name="甲二村", kind="village",
                             parent=county["town_a"])
    assert str(caught.value) == "未找到该单位"


def test_unit_create_top_level_is_the_systems(users):
    with nothing_written(Unit), pytest.raises(ValidationError) as caught:
        services.unit_create(actor=users["sysadmin"], code="429902000000", name="邻县", kind="county", parent=None)
    assert caught.value.message_dict == {"parent": ["请填写上级单位代码"]}
    assert services.unit_create(actor=None, code="429902000000", name="邻县", kind="county", parent=None).depth == 0


# --- unit_update ----------------------------------------------------------------------------

def _rename(actor, unit, name="新名", parent=None, **kwargs):
    return services.unit_update(actor=actor, unit=unit, name=name, kind=unit.kind,
                                parent=parent if parent is not None else unit.parent, **kwargs)


def test_unit_update_by_an_administrator(users, county):
    assert _rename(users["sysadmin"], county["village_a"]).name == "新名"
    assert AuditLog.objects.filter(action="unit.update").count() == 1


def test_unit_update_without_permission(users, county):
    with nothing_written(Unit), pytest.raises(PermissionDenied) as caught:
        _rename(users["member"], county["village_a"])
    assert str(caught.value) == "您没有维护组织架构的权限"
    assert Unit.objects.get(pk=county["village_a"].pk).name == "甲村"


def test_unit_update_of_a_sibling_townships_unit(admin_b, county):
    with nothing_written(Unit), pytest.raises(Http404) as caught:
        _rename(admin_b, county["village_a"])
    assert str(caught.value) == "未找到该单位"
    assert Unit.objects.get(pk=county["village_a"].pk).name == "甲村"


def test_unit_update_cannot_move_into_a_sibling_township(admin_b, county):
    with nothing_written(Unit), pytest.raises(Http404) as caught:
        _rename(admin_b, county["village_b"], name="乙村", parent=county["town_a"])
    assert str(caught.value) == "未找到该单位"
    assert Unit.objects.get(pk=county["village_b"].pk).parent_id == county["town_b"].pk


def test_unit_update_keeps_a_scope_root_in_place(county):
    """As on the edit page: the root of one's scope may be renamed, not moved (it would leave it)."""
    admin = make_user("admin_a", county["town_a"], "系统管理员")
    UnitGrant.objects.create(user=admin, unit=county["stats"])
    assert _rename(admin, county["town_a"], name="甲镇（改）").name == "甲镇（改）"
    with nothing_written(Unit), pytest.raises(PermissionDenied) as caught:
        _rename(admin, county["town_a"], parent=county["stats"])
    assert str(caught.value) == "不能移动您管理范围最上级的单位"


def test_unit_update_by_the_system_moves_anything(county):
    moved = _rename(None, county["village_b"], name="乙村", parent=county["town_a"])
    assert moved.path == county["town_a"].path + "429901002201/"


# --- person_create --------------------------------------------------------------------------

def test_person_create_by_a_township_cadre(users, county):
    person = services.person_create(actor=users["member"], unit=county["village_a"], name="王五")
    assert person.unit == county["village_a"]
    assert AuditLog.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_person_create_without_permission(users, county):
    with nothing_written(Person), pytest.raises(PermissionDenied) as caught:
        services.person_create(actor=users["leader"], unit=county["village_a"], name="王五")
    assert str(caught.value) == "您没有维护干部信息的权限"


def test_person_create_in_a_sibling_township(users, county):
    with nothing_written(Person), pytest.raises(Http404) as caught:
        services.person_create(actor=users["outsider"], unit=county["village_a"], name="王五")
    assert str(caught.value) == "未找到该单位"


# --- person_update --------------------------------------------------------------------------

def _update(actor, person, unit=None, name="张三丰"):
    return services.person_update(actor=actor, person=person, unit=unit or person.unit, name=name,
                                  title=person.title, phone=person.phone, id_number=person.id_number)


def test_person_update_by_a_township_cadre(users, people):
    assert _update(users["member"], people["a"]).name == "张三丰"
    assert AuditLog.objects.filter(action="person.update").count() == 1


def test_person_update_without_permission(users, people):
    with nothing_written(Person), pytest.raises(PermissionDenied) as caught:
        _update(users["leader"], people["a"])
    assert str(caught.value) == "您没有维护干部信息的权限"
    assert Person.objects.get(pk=people["a"].pk).name == "张三"


def test_person_update_of_a_sibling_townships_person(users, people):
    with nothing_written(Person), pytest.raises(Http404) as caught:
        _update(users["outsider"], people["a"])
    assert str(caught.value) == "未找到该人员"
    assert Person.objects.get(pk=people["a"].pk).name == "张三"


def test_person_update_cannot_move_into_a_sibling_township(users, people, county):
    with nothing_written(Person), pytest.raises(Http404) as caught:
        _update(users["outsider"], people["b"], unit=county["village_a"], name="李四")
    assert str(caught.value) == "未找到该单位"
    assert Person.objects.get(pk=people["b"].pk).unit_id == county["village_b"].pk


# --- person_reveal --------------------------------------------------------------------------

def test_person_reveal_by_a_township_cadre(users, people):
    services.person_reveal(actor=users["member"], person=people["a"])
    assert AuditLog.objects.filter(action="person.reveal", object_id=str(people["a"].pk)).exists()


def test_person_reveal_without_permission(users, people):
    with nothing_written(Person), pytest.raises(PermissionDenied) as caught:
        services.person_reveal(actor=users["leader"], person=people["a"])
    assert str(caught.value) == "您没有查看完整身份证号和手机号的权限"


def test_person_reveal_of_a_sibling_townships_person(users, people):
    with nothing_written(Person), pytest.raises(Http404) as caught:
        services.person_reveal(actor=users["outsider"], person=people["a"])
    assert str(caught.value) == "未找到该人员"


# --- grant_create ---------------------------------------------------------------------------

def test_grant_create_by_an_account_administrator(users, county):
    grant = services.grant_create(actor=users["sysadmin"], user=users["outsider"], unit=county["village_a"])
    assert grant.unit == county["village_a"]
    assert AuditLog.objects.filter(action="grant.create").count() == 1


def test_grant_create_without_permission(users, county):
    with nothing_written(UnitGrant), pytest.raises(PermissionDenied) as caught:
        services.grant_create(actor=users["member"], user=users["outsider"], unit=county["village_a"])
    assert str(caught.value) == "您没有管理账号的权限"


def test_grant_create_to_a_sibling_townships_unit(admin_b, users, county):
    with nothing_written(UnitGrant), pytest.raises(Http404) as caught:
        services.grant_create(actor=admin_b, user=users["outsider"], unit=county["village_a"])
    assert str(caught.value) == "未找到该单位"


def test_grant_create_for_a_sibling_townships_account(admin_b, users, county):
    with nothing_written(UnitGrant), pytest.raises(Http404) as caught:
        services.grant_create(actor=admin_b, user=users["member"], unit=county["village_b"])
    assert str(caught.value) == "未找到该账号"
