"""Shared fixtures: a small county with two sibling townships, and one user per role.

Every permission test uses three kinds of people, as in the style guide: a member of the
unit, a member of a sibling unit (``outsider``), and each role at county level.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from qingzhuang.accounts.models import User
from qingzhuang.orgs.models import Person, Unit
from qingzhuang.orgs.roles import ROLES, SYSADMIN
from qingzhuang.orgs.services import unit_create

PASSWORD = "Qz-test-2026!"


def make_user(username: str, unit: Unit | None, *roles: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, unit=unit, display_name=username)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def county(db):
    """县 → 县委办, 统计局, 甲镇 → (甲村 → 甲村一网格), 乙镇 → 乙村."""
    with transaction.atomic():
        root = unit_create(actor=None, code="429901000000", name="青山县", kind="county", parent=None)
        units = {"root": root}
        units["office"] = unit_create(actor=None, code="429901900001", name="县委办公室", kind="party", parent=root)
        units["stats"] = unit_create(actor=None, code="429901900101", name="县统计局", kind="department", parent=root)
        units["town_a"] = unit_create(actor=None, code="429901001000", name="甲镇", kind="township", parent=root)
        units["village_a"] = unit_create(actor=None, code="429901001201", name="甲村", kind="village",
                                         parent=units["town_a"])
        units["grid_a"] = unit_create(actor=None, code="429901001501", name="甲村一网格", kind="grid",
                                      parent=units["village_a"])
        units["town_b"] = unit_create(actor=None, code="429901002000", name="乙镇", kind="township", parent=root)
        units["village_b"] = unit_create(actor=None, code="429901002201", name="乙村", kind="village",
                                         parent=units["town_b"])
    return units


@pytest.fixture
def people(county):
    return {
        "a": Person.objects.create(name="张三", unit=county["village_a"], title="村党支部书记",
                                   phone="13812345678", id_number="11010519491231002X"),
        "b": Person.objects.create(name="李四", unit=county["village_b"], title="村委会主任",
                                   phone="13987654321"),
    }


@pytest.fixture
def users(county):
    """One user per role at county level, plus a township member and a sibling-township member."""
    result = {role.key: make_user(role.key, county["root"], role.name) for role in ROLES}
    result["member"] = make_user("member", county["town_a"], "乡镇村干部")
    result["outsider"] = make_user("outsider", county["town_b"], "乡镇村干部")
    result["nobody"] = make_user("nobody", None)
    return result


@pytest.fixture
def verified_client(client):
    """Log a user in with the second factor already satisfied (as after a TOTP check)."""

    def login(user: User):
        client.force_login(user)
        if user.groups.filter(name=SYSADMIN).exists():
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    return login


@contextmanager
def demo_rolled_back(django_db_blocker):
    """A transaction for a module- or class-wide demo county, rolled back at the end (seeding is the
    slow part; each test then runs in a savepoint of its own within it). The demo password comes from
    its default while it runs, whatever the environment says."""
    from qingzhuang.demo import seed as demo

    saved = os.environ.pop(demo.PASSWORD_ENV, None)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            try:
                yield
            finally:
                transaction.set_rollback(True)
    finally:
        if saved is not None:
            os.environ[demo.PASSWORD_ENV] = saved


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """The small demo county, seeded once for the test module that asks for it; returns the seed's result."""
    from qingzhuang.demo import seed as demo

    with demo_rolled_back(django_db_blocker):
        yield demo.seed("small")
