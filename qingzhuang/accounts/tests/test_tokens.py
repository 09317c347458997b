"""Per-user API bearer tokens: created and revoked in the UI and by ``qingzhuang create_token``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.accounts.models import ApiToken, hash_token
from qingzhuang.accounts.services import token_revoke
from qingzhuang.orgs.models import AuditLog


def me(client, raw: str):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def create_token(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_command_prints_a_working_token(client, users):
    raw, note = create_token("member", "--name", "数据同步脚本")
    assert raw.startswith("qz_") and "\n" not in raw
    assert "数据同步脚本" in note
    token = ApiToken.objects.get(user=users["member"])
    assert token.name == "数据同步脚本"
    assert token.digest == hash_token(raw) and raw not in (token.digest, token.prefix)
    response = me(client, raw)
    assert response.status_code == 200
    assert response.json() == {"username": "member", "display_name": "member", "unit_code": "429901001000",
                               "roles": ["乡镇村干部"]}
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = AuditLog.objects.get(action="token.create")
    assert entry.actor is None and entry.actor_name == "系统"
    assert entry.after == {"user": "member", "name": "数据同步脚本", "prefix": raw[:10]}


def test_command_default_name(users):
    create_token("member")
    assert ApiToken.objects.get(user=users["member"]).name == "命令行创建"


def test_revoked_token_gets_401(client, users):
    raw, _ = create_token("member")
    assert me(client, raw).status_code == 200
    token_revoke(actor=None, token=ApiToken.objects.get(user=users["member"]))
    assert me(client, raw).status_code == 401
    assert AuditLog.objects.filter(action="token.revoke").count() == 1


def test_unknown_user_is_a_chinese_error(users):
    with pytest.raises(CommandError, match="账号“ghost”不存在"):
        create_token("ghost")


def test_inactive_user_is_refused(users):
    users["member"].is_active = False
    users["member"].save()
    with pytest.raises(CommandError, match="已停用"):
        create_token("member")


def test_token_of_deactivated_user_stops_working(client, users):
    raw, _ = create_token("member")
    users["member"].is_active = False
    users["member"].save()
    assert me(client, raw).status_code == 401


@pytest.mark.parametrize("header", ["Bearer qz_not-a-real-token", "Bearer something", "Token qz_x", ""])
def test_bad_tokens_get_401(client, users, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/api/v1/me", **kwargs).status_code == 401


def test_sysadmin_token_works_without_a_session(client, users):
    # The second factor guards sessions; a token is created by an already verified administrator.
    raw, _ = create_token("sysadmin")
    assert me(client, raw).json()["username"] == "sysadmin"


def test_token_scope_is_the_user_scope(client, users):
    raw, _ = create_token("outsider")
    assert client.get("/api/v1/units/429901001000", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    assert client.get("/api/v1/units/429901002000", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


# --- the "我的账号" page ----------------------------------------------------------------------

def test_ui_create_shows_token_once(client, users):
    client.force_login(users["member"])
    response = client.post("/account/tokens/", {"name": "报表脚本"})
    assert response.status_code == 200
    body = response.content.decode()
    token = ApiToken.objects.get(user=users["member"])
    start = body.index('data-testid="new-token">') + len('data-testid="new-token">')
    raw = body[start:body.index("<", start)]
    assert hash_token(raw) == token.digest
    assert AuditLog.objects.get(action="token.create").actor == users["member"]
    # Shown once: the account page lists the prefix only.
    page = client.get("/account/").content.decode()
    assert raw not in page and token.prefix in page and "报表脚本" in page
    client.logout()
    assert me(client, raw).status_code == 200


def test_ui_create_needs_a_name(client, users):
    client.force_login(users["member"])
    body = client.post("/account/tokens/", {"name": "  "}).content.decode()
    assert "这个字段是必填项。" in body
    assert not ApiToken.objects.exists()


def test_ui_revoke(client, users):
    raw, _ = create_token("member")
    token = ApiToken.objects.get()
    client.force_login(users["member"])
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response.url == "/account/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in client.get("/account/").content.decode()
    entry = AuditLog.objects.get(action="token.revoke")
    assert entry.actor == users["member"]
    client.logout()
    assert me(client, raw).status_code == 401


def test_ui_cannot_revoke_someone_elses_token(client, users):
    create_token("member")
    token = ApiToken.objects.get()
    client.force_login(users["outsider"])
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_ui_revoke_needs_post(client, users):
    create_token("member")
    token = ApiToken.objects.get()
    client.force_login(users["member"])
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405


def _lock_out(client, username: str) -> None:
    for _ in range(5):
        client.post("/account/login/", {"username": username, "password": "Wrong-pass-1"})
    from qingzhuang.accounts.queries import is_locked_out

    assert is_locked_out(username)


def test_token_of_locked_out_user_stops_working(client, users):
    raw, _ = create_token("member")
    assert me(client, raw).status_code == 200
    _lock_out(client, "member")
    assert me(client, raw).status_code == 401
    # Another account's token is not affected.
    other, _ = create_token("outsider")
    assert me(client, other).status_code == 200


def test_token_works_again_after_unlock(client, users):
    from qingzhuang.accounts.services import user_unlock

    raw, _ = create_token("member")
    _lock_out(client, "member")
    user_unlock(actor=users["sysadmin"], user=users["member"])
    assert me(client, raw).status_code == 200


def test_token_works_again_after_cool_off(client, users):
    import datetime as dt

    from axes.models import AccessAttempt
    from django.utils import timezone

    raw, _ = create_token("member")
    _lock_out(client, "member")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert me(client, raw).status_code == 200


def test_failures_below_the_limit_do_not_stop_a_token(client, users):
    raw, _ = create_token("member")
    for _ in range(4):
        client.post("/account/login/", {"username": "member", "password": "Wrong-pass-1"})
    assert me(client, raw).status_code == 200


def test_ui_token_name_field_has_a_label(client, users):
    client.force_login(users["member"])
    body = client.get("/account/").content.decode()
    assert '<label class="form-label" for="id_name">令牌用途</label>' in body
    assert 'id="id_name"' in body
