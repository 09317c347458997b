"""The account services refuse by themselves what the pages refuse: managing another account takes
``accounts.manage_users`` and a scope covering that account (else the 404 of a missing account);
one's own password, tokens and second factor are one's own. ``actor`` None is the system."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_user
from qingzhuang.accounts import services
from qingzhuang.accounts.models import ApiToken, User
from qingzhuang.accounts.tests.conftest import totp_code
from qingzhuang.orgs.models import AuditLog, Person

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Qz-fresh-2027#"


@contextmanager
def nothing_written(*models):
    """Assert that the block adds or removes no row of ``models`` and writes no audit row."""
    def state():
        return [m.objects.count() for m in models]

    before, audits = state(), AuditLog.objects.count()
    yield
    assert state() == before
    assert AuditLog.objects.count() == audits


@pytest.fixture
def admin_b(county):
    """A 系统管理员 of the sibling township 乙镇: has the permission, not the scope over 甲镇."""
    return make_user("admin_b", county["town_b"], "系统管理员")


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- user_create ----------------------------------------------------------------------------

def _create(actor, unit, **kwargs):
    return services.user_create(actor=actor, username="newcomer", password=NEW_PASSWORD, unit=unit,
                                roles=["乡镇村干部"], **kwargs)


def test_user_create_by_an_administrator(users, county, people):
    user = _create(users["sysadmin"], county["village_a"], person=people["a"])
    assert user.unit == county["village_a"] and Person.objects.get(pk=people["a"].pk).user == user
    assert AuditLog.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_user_create_without_permission(users, county):
    with nothing_written(User), pytest.raises(PermissionDenied) as caught:
        _create(users["member"], county["village_a"])
    assert str(caught.value) == "您没有管理账号的权限"


def test_user_create_in_a_sibling_township(admin_b, county):
    with nothing_written(User), pytest.raises(Http404) as caught:
        _create(admin_b, county["village_a"])
    assert str(caught.value) == "未找到该单位"


def test_user_create_linked_to_a_sibling_townships_person(admin_b, county, people):
    with nothing_written(User), pytest.raises(Http404) as caught:
        _create(admin_b, county["village_b"], person=people["a"])
    assert str(caught.value) == "未找到该人员"
    assert Person.objects.get(pk=people["a"].pk).user_id is None


def test_user_create_without_a_unit_is_the_systems(users):
    with nothing_written(User), pytest.raises(ValidationError) as caught:
        _create(users["sysadmin"], None)
    assert caught.value.message_dict == {"unit": ["请填写所属单位代码"]}
    assert _create(None, None).unit is None


# --- user_update and user_set_roles ---------------------------------------------------------

def _update(actor, user, unit=None, display_name="改名"):
    return services.user_update(actor=actor, user=user, display_name=display_name, unit=unit or user.unit,
                                roles=["乡镇村干部"], is_active=True)


def test_user_update_by_an_administrator(users):
    assert _update(users["sysadmin"], users["member"]).display_name == "改名"
    assert AuditLog.objects.filter(action="user.update").count() == 1


def test_user_update_without_permission(users):
    with nothing_written(User), pytest.raises(PermissionDenied) as caught:
        _update(users["member"], users["member"])
    assert str(caught.value) == "您没有管理账号的权限"
    assert fresh(users["member"]).display_name == "member"


def test_user_update_of_a_sibling_townships_account(admin_b, users):
    with nothing_written(User), pytest.raises(Http404) as caught:
        _update(admin_b, users["member"])
    assert str(caught.value) == "未找到该账号"
    assert fresh(users["member"]).display_name == "member"


def test_user_update_cannot_move_into_a_sibling_township(admin_b, users, county):
    with nothing_written(User), pytest.raises(Http404) as caught:
        _update(admin_b, users["outsider"], unit=county["town_a"])
    assert str(caught.value) == "未找到该单位"
    assert fresh(users["outsider"]).unit_id == county["town_b"].pk


def test_user_set_roles_by_an_administrator(users):
    services.user_set_roles(actor=users["sysadmin"], user=users["member"], roles=["领导"])
    assert list(fresh(users["member"]).groups.values_list("name", flat=True)) == ["领导"]
    assert AuditLog.objects.filter(action="user.set_roles").count() == 1


def test_user_set_roles_without_permission(users):
    with nothing_written(User), pytest.raises(PermissionDenied) as caught:
        services.user_set_roles(actor=users["member"], user=users["member"], roles=["系统管理员"])
    assert str(caught.value) == "您没有管理账号的权限"
    assert list(fresh(users["member"]).groups.values_list("name", flat=True)) == ["乡镇村干部"]


def test_user_set_roles_of_a_sibling_townships_account(admin_b, users):
    with nothing_written(User), pytest.raises(Http404) as caught:
        services.user_set_roles(actor=admin_b, user=users["member"], roles=["领导"])
    assert str(caught.value) == "未找到该账号"
    assert list(fresh(users["member"]).groups.values_list("name", flat=True)) == ["乡镇村干部"]


# --- user_reset_password, user_unlock, user_reset_totp -----------------------------------------

def test_user_reset_password_by_an_administrator(users):
    services.user_reset_password(actor=users["sysadmin"], user=users["member"], new_password=NEW_PASSWORD)
    assert fresh(users["member"]).check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action="user.reset_password").count() == 1


@pytest.mark.parametrize("actor", ["member", "leader"])
def test_user_reset_password_without_permission(users, actor):
    with nothing_written(User), pytest.raises(PermissionDenied) as caught:
        services.user_reset_password(actor=users[actor], user=users["member"], new_password=NEW_PASSWORD)
    assert str(caught.value) == "您没有管理账号的权限"
    assert fresh(users["member"]).check_password(PASSWORD)


def test_user_reset_password_of_a_sibling_townships_account(admin_b, users):
    with nothing_written(User), pytest.raises(Http404) as caught:
        services.user_reset_password(actor=admin_b, user=users["member"], new_password=NEW_PASSWORD)
    assert str(caught.value) == "未找到该账号"
    assert fresh(users["member"]).check_password(PASSWORD)


@pytest.fixture
def locked_member(users):
    AccessAttempt.objects.create(username="member", failures_since_start=5, attempt_time=timezone.now(),
                                 ip_address="127.0.0.1", user_agent="test", http_accept="*/*", path_info="/")
    return users["member"]


def test_user_unlock_by_an_administrator(users, locked_member):
    assert services.user_unlock(actor=users["sysadmin"], user=locked_member) == 1
    assert not AccessAttempt.objects.exists()
    assert AuditLog.objects.filter(action="user.unlock").count() == 1


def test_user_unlock_without_permission(users, locked_member):
    with nothing_written(AccessAttempt), pytest.raises(PermissionDenied) as caught:
        services.user_unlock(actor=users["leader"], user=locked_member)
    assert str(caught.value) == "您没有管理账号的权限"


def test_user_unlock_of_a_sibling_townships_account(admin_b, locked_member):
    with nothing_written(AccessAttempt), pytest.raises(Http404) as caught:
        services.user_unlock(actor=admin_b, user=locked_member)
    assert str(caught.value) == "未找到该账号"


@pytest.fixture
def member_device(users):
    return TOTPDevice.objects.create(user=users["member"], name="phone", confirmed=True)


def test_user_reset_totp_by_an_administrator(users, member_device):
    assert services.user_reset_totp(actor=users["sysadmin"], user=users["member"]) == 1
    assert not TOTPDevice.objects.filter(user=users["member"]).exists()
    assert AuditLog.objects.filter(action="user.totp_reset").count() == 1


def test_user_reset_totp_without_permission(users, member_device):
    with nothing_written(TOTPDevice), pytest.raises(PermissionDenied) as caught:
        services.user_reset_totp(actor=users["leader"], user=users["member"])
    assert str(caught.value) == "您没有管理账号的权限"


def test_user_reset_totp_of_a_sibling_townships_account(admin_b, users, member_device):
    with nothing_written(TOTPDevice), pytest.raises(Http404) as caught:
        services.user_reset_totp(actor=admin_b, user=users["member"])
    assert str(caught.value) == "未找到该账号"


# --- one's own: password, tokens, second factor ----------------------------------------------

def test_user_change_password_of_oneself(users):
    services.user_change_password(actor=users["member"], user=users["member"], new_password=NEW_PASSWORD)
    assert fresh(users["member"]).check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action="user.change_password").count() == 1


@pytest.mark.parametrize("actor", ["sysadmin", "outsider"])
def test_user_change_password_of_someone_else(users, actor):
    """Even an administrator: they reset (``user_reset_password``), they do not change."""
    with nothing_written(User), pytest.raises(PermissionDenied) as caught:
        services.user_change_password(actor=users[actor], user=users["member"], new_password=NEW_PASSWORD)
    assert str(caught.value) == "只能修改本人的密码"
    assert fresh(users["member"]).check_password(PASSWORD)


def test_token_create_for_oneself_and_by_the_system(users):
    token, raw = services.token_create(actor=users["member"], user=users["member"], name="脚本")
    assert token.user == users["member"] and raw.startswith("qz_")
    services.token_create(actor=None, user=users["member"], name="命令行")
    assert AuditLog.objects.filter(action="token.create").count() == 2


@pytest.mark.parametrize("actor", ["sysadmin", "outsider"])
def test_token_create_for_someone_else(users, actor):
    with nothing_written(ApiToken), pytest.raises(PermissionDenied) as caught:
        services.token_create(actor=users[actor], user=users["member"], name="脚本")
    assert str(caught.value) == "只能为本人创建API令牌"


@pytest.fixture
def member_token(users):
    return services.token_create(actor=None, user=users["member"], name="脚本")[0]


def test_token_revoke_of_ones_own(users, member_token):
    services.token_revoke(actor=users["member"], token=member_token)
    assert ApiToken.objects.get(pk=member_token.pk).revoked_at is not None
    assert AuditLog.objects.filter(action="token.revoke").count() == 1


@pytest.mark.parametrize("actor", ["sysadmin", "outsider"])
def test_token_revoke_of_someone_elses_is_missing(users, member_token, actor):
    with nothing_written(ApiToken), pytest.raises(Http404) as caught:
        services.token_revoke(actor=users[actor], token=member_token)
    assert str(caught.value) == "未找到该令牌"
    assert ApiToken.objects.get(pk=member_token.pk).revoked_at is None


def test_totp_device_of_oneself(users):
    device = services.totp_device_start(actor=users["member"], user=users["member"])
    assert device.user == users["member"] and not device.confirmed
    assert services.totp_device_confirm(actor=users["member"], device=device, token=totp_code(device))
    assert AuditLog.objects.filter(action="user.totp_enable").count() == 1


@pytest.mark.parametrize("actor", ["sysadmin", "outsider"])
def test_totp_device_of_someone_else(users, actor):
    with nothing_written(TOTPDevice), pytest.raises(PermissionDenied) as caught:
        services.totp_device_start(actor=users[actor], user=users["member"])
    assert str(caught.value) == "只能为本人绑定动态验证码"
    device = TOTPDevice.objects.create(user=users["member"], name="phone", confirmed=False)
    with nothing_written(TOTPDevice), pytest.raises(PermissionDenied):
        services.totp_device_confirm(actor=users[actor], device=device, token="000000")
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
