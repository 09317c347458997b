"""Sign-in through the real login page: audit rows, and lock-out after 5 failures (django-axes)."""

import datetime as dt

from axes.models import AccessAttempt
from django.utils import timezone

from conftest import PASSWORD
from qingzhuang.accounts import services
from qingzhuang.orgs.models import AuditLog

LOCKED_TEXT = "账号“member”连续5次登录失败，已被锁定30分钟。"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_success_is_audited(client, users, login_post):
    response = login_post("member", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert signed_in(client)
    entry = AuditLog.objects.get(action="auth.login")
    assert entry.actor == users["member"]
    assert entry.object_id == str(users["member"].pk)
    assert entry.unit == users["member"].unit
    assert entry.ip == "127.0.0.1"


def test_logout_is_audited(client, users, login_post):
    login_post("member", PASSWORD)
    client.post("/account/logout/")
    assert AuditLog.objects.filter(action="auth.logout", actor=users["member"]).count() == 1
    assert not signed_in(client)


def test_failure_is_audited_and_counts_down(client, users, login_post):
    response = login_post("member", "Wrong-pass-1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名或密码错误。连续失败5次将锁定账号30分钟。" in body
    assert "还可尝试4次。" in body
    assert not signed_in(client)
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.actor is None and entry.actor_name == "系统"
    assert entry.object_repr == "member" and entry.object_id == str(users["member"].pk)
    assert entry.unit == users["member"].unit
    assert "Wrong-pass-1" not in str(entry.after) + str(entry.before)
    assert "还可尝试3次。" in login_post("member", "Wrong-pass-2").content.decode()


def test_unknown_username_failure_is_audited(users, login_post):
    response = login_post("ghost", "Wrong-pass-1")
    assert response.status_code == 200
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.object_repr == "ghost" and entry.object_id == "" and entry.unit is None


def test_five_failures_lock_the_account(client, users, login_post):
    for _ in range(4):
        assert login_post("member", "Wrong-pass-1").status_code == 200
    fifth = login_post("member", "Wrong-pass-1")
    assert fifth.status_code == 429
    assert LOCKED_TEXT in fifth.content.decode()
    assert AuditLog.objects.filter(action="auth.login_failed").count() == 5
    assert AuditLog.objects.filter(action="auth.locked_out", object_repr="member").exists()

    # The sixth attempt, with the right password, is refused all the same.
    sixth = login_post("member", PASSWORD)
    assert sixth.status_code == 429
    body = sixth.content.decode()
    assert LOCKED_TEXT in body
    assert "如需立即解锁或忘记密码，请联系本单位的系统管理员。" in body
    assert not signed_in(client)
    assert not AuditLog.objects.filter(action="auth.login").exists()
    locked = AuditLog.objects.filter(action="auth.locked_out").order_by("id")
    assert locked.count() == 2  # at the fifth failure, and again for the attempt while locked
    assert locked.last().object_id == str(users["member"].pk)
    assert locked.last().unit == users["member"].unit


def test_lock_is_per_username(client, users, login_post):
    for _ in range(5):
        login_post("member", "Wrong-pass-1")
    # Same address, another cadre: not affected (county offices share one NAT address).
    assert login_post("outsider", PASSWORD).status_code == 302


def test_lock_ends_after_cool_off(client, users, login_post):
    for _ in range(5):
        login_post("member", "Wrong-pass-1")
    assert login_post("member", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert login_post("member", PASSWORD).status_code == 302
    assert signed_in(client)


def test_unlock_by_administrator(client, users, login_post):
    for _ in range(5):
        login_post("member", "Wrong-pass-1")
    assert services.user_unlock(actor=users["sysadmin"], user=users["member"]) == 1
    assert AuditLog.objects.get(action="user.unlock").after == {"attempts_cleared": 1}
    assert login_post("member", PASSWORD).status_code == 302


def test_success_resets_the_count(client, users, login_post):
    for _ in range(4):
        login_post("member", "Wrong-pass-1")
    assert login_post("member", PASSWORD).status_code == 302
    client.post("/account/logout/")
    # Counting starts again from zero: four more failures do not lock.
    for _ in range(4):
        assert login_post("member", "Wrong-pass-1").status_code == 200
    assert login_post("member", PASSWORD).status_code == 302


def test_inactive_account_cannot_sign_in(client, users, login_post):
    users["member"].is_active = False
    users["member"].save()
    response = login_post("member", PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)


def test_empty_fields_show_required_messages(login_post, db):
    body = login_post("", "").content.decode()
    assert "这个字段是必填项。" in body
