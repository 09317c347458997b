"""Account management by the 系统管理员: list, create, edit, reset password, unlock, reset TOTP.

Each view: works for an administrator, 403 for other roles, 404 for an account outside the
administrator's scope, and Chinese messages for bad input.
"""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_user
from qingzhuang.accounts.models import User
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.roles import GRASSROOTS, LEADER, SYSADMIN

NEW_PASSWORD = "Qz-new-2027"


@pytest.fixture
def admin_client(users, verified_client):
    return verified_client(users["sysadmin"])


@pytest.fixture
def town_admin(county):
    """A system administrator of 乙镇 only: 甲镇's accounts are outside their scope."""
    return make_user("admin_b", county["town_b"], SYSADMIN)


@pytest.fixture
def town_admin_client(town_admin, verified_client):
    return verified_client(town_admin)


def lock_out(username: str) -> None:
    other = Client()
    for _ in range(5):
        other.post("/account/login/", {"username": username, "password": "Wrong-pass-1"})


def body(response) -> str:
    return response.content.decode()


def user_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", f"/account/users/{pk}/"),
        ("post", f"/account/users/{pk}/"),
        ("get", f"/account/users/{pk}/password/"),
        ("post", f"/account/users/{pk}/password/"),
        ("post", f"/account/users/{pk}/unlock/"),
        ("post", f"/account/users/{pk}/totp-reset/"),
    ]


# --- permissions and scope ------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "assessment", "auditor", "leader", "nobody"])
def test_other_roles_get_403_everywhere(client, users, role):
    client.force_login(users[role])
    target = users["outsider"].pk
    for method, url in [("get", "/account/users/"), ("get", "/account/users/new/"),
                        ("post", "/account/users/new/"), *user_urls(target)]:
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_anonymous_is_sent_to_login(client, users):
    response = client.get("/account/users/")
    assert response.status_code == 302 and response.url.startswith("/account/login/")


def test_other_units_user_is_404(users, town_admin_client):
    for method, url in user_urls(users["member"].pk):
        assert getattr(town_admin_client, method)(url).status_code == 404, (method, url)
    # The same answer as for an account that does not exist at all.
    assert town_admin_client.get("/account/users/999999/").status_code == 404
    # An account without a unit is in nobody's scope.
    assert town_admin_client.get(f"/account/users/{users['nobody'].pk}/").status_code == 404
    assert not AuditLog.objects.filter(action__startswith="user.").exists()


def test_nav_item_only_for_administrators(users, client, admin_client):
    assert "账号管理" in body(admin_client.get("/"))
    other = Client()
    other.force_login(users["member"])
    assert "账号管理" not in body(other.get("/"))


# --- list -----------------------------------------------------------------------------------

def test_list_shows_accounts_in_scope(users, admin_client):
    page = body(admin_client.get("/account/users/"))
    for name in ["sysadmin", "member", "outsider", "auditor"]:
        assert f">{name}</a>" in page
    assert ">nobody</a>" not in page
    assert "甲镇" in page and "乡镇村干部" in page
    assert "共 10 个账号" in page


def test_list_is_scoped_for_township_admin(users, town_admin_client):
    page = body(town_admin_client.get("/account/users/"))
    assert ">outsider</a>" in page and ">admin_b</a>" in page
    assert ">member</a>" not in page and ">sysadmin</a>" not in page
    assert "共 2 个账号" in page


def test_list_search(users, admin_client):
    users["member"].display_name = "王小明"
    users["member"].save()
    page = body(admin_client.get("/account/users/", {"q": "小明"}))
    assert ">member</a>" in page and "共 1 个账号" in page
    page = body(admin_client.get("/account/users/", {"q": "outs"}))
    assert ">outsider</a>" in page and "共 1 个账号" in page
    page = body(admin_client.get("/account/users/", {"q": "乙镇"}))
    assert ">outsider</a>" in page and ">member</a>" not in page
    assert "没有符合条件的账号" in body(admin_client.get("/account/users/", {"q": "不存在的人"}))


def test_list_shows_locked_inactive_and_totp(users, admin_client):
    lock_out("member")
    users["outsider"].is_active = False
    users["outsider"].save()
    TOTPDevice.objects.create(user=users["leader"], name="手机", confirmed=True)
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row
            for row in body(admin_client.get("/account/users/")).split('data-testid="user-row"')[1:]}
    assert "已锁定" in rows["member"]
    assert "已停用" in rows["outsider"]
    assert "已启用" in rows["leader"] and "未启用" in rows["member"]
    assert "正常" in rows["auditor"]


# --- create ---------------------------------------------------------------------------------

def create_data(**overrides):
    data = {"username": "wangxm", "display_name": "王小明", "unit": "429901001201",
            "roles": [GRASSROOTS, LEADER], "password": NEW_PASSWORD}
    data.update(overrides)
    return data


def test_create_form_page(admin_client):
    page = body(admin_client.get("/account/users/new/"))
    assert 'value="429901000000"' in page  # the administrator's own unit by default
    assert '<option value="429901001201">甲村</option>' in page
    assert "系统管理员 · 维护单位、人员和账号，管理政策库" in page


def test_create_account(users, admin_client):
    response = admin_client.post("/account/users/new/", create_data())
    user = User.objects.get(username="wangxm")
    assert response.status_code == 302 and response.url == f"/account/users/{user.pk}/"
    assert user.unit.code == "429901001201" and user.display_name == "王小明"
    assert sorted(user.groups.values_list("name", flat=True)) == sorted([GRASSROOTS, LEADER])
    entry = AuditLog.objects.get(action="user.create")
    assert entry.actor == users["sysadmin"]
    assert entry.after == {"username": "wangxm", "display_name": "王小明", "unit": "429901001201",
                           "roles": sorted([GRASSROOTS, LEADER]), "is_active": True}
    assert NEW_PASSWORD not in str(entry.after)
    assert "账号“wangxm”已创建。" in body(admin_client.get(response.url))
    fresh = Client()
    assert fresh.post("/account/login/", {"username": "wangxm", "password": NEW_PASSWORD}).status_code == 302


def test_create_linked_to_person(users, people, admin_client):
    response = admin_client.post("/account/users/new/", create_data(display_name="", person=people["a"].pk))
    assert response.status_code == 302
    user = User.objects.get(username="wangxm")
    people["a"].refresh_from_db()
    assert people["a"].user == user
    assert user.display_name == "张三"
    assert AuditLog.objects.get(action="user.create").after["person"] == people["a"].pk
    assert "张三" in body(admin_client.get(response.url))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "Qz#2027"}, "密码太短，至少需要8个字符。"),
        ({"password": "qzabcdwxyz"}, "密码须包含大写字母、小写字母、数字、特殊符号中的至少3类。"),
        ({"password": "Password1"}, "这个密码太常见了。"),
        ({"password": ""}, "这个字段是必填项。"),
        ({"username": "member"}, "账号“member”已存在"),
        ({"username": "MEMBER"}, "账号“MEMBER”已存在"),
        ({"username": "王 小明!"}, "请输入合法的用户名。"),
        ({"username": ""}, "这个字段是必填项。"),
        ({"unit": "999999"}, "未找到单位代码“999999”，或该单位不在您的管理范围内。"),
        ({"unit": ""}, "这个字段是必填项。"),
        ({"roles": ["超级管理员"]}, "选择一个有效的选项。"),
        ({"person": "999999"}, "未找到该干部，或该干部不在您的管理范围内。"),
        ({"person": "abc"}, "输入整数。"),
    ],
)
def test_create_bad_input(users, admin_client, overrides, message):
    response = admin_client.post("/account/users/new/", create_data(**overrides))
    assert response.status_code == 200
    assert message in body(response)
    assert not User.objects.filter(username__in=["wangxm", "MEMBER"]).exists()
    assert not AuditLog.objects.filter(action="user.create").exists()


def test_create_refuses_unit_outside_scope(town_admin_client):
    response = town_admin_client.post("/account/users/new/", create_data(unit="429901001201"))
    assert "未找到单位代码“429901001201”，或该单位不在您的管理范围内。" in body(response)
    assert not User.objects.filter(username="wangxm").exists()


def test_create_refuses_person_outside_scope(people, town_admin_client):
    response = town_admin_client.post("/account/users/new/",
                                      create_data(unit="429901002201", person=people["a"].pk))
    assert "未找到该干部，或该干部不在您的管理范围内。" in body(response)


def test_create_refuses_person_with_account(users, people, admin_client):
    people["a"].user = users["member"]
    people["a"].save()
    response = admin_client.post("/account/users/new/", create_data(person=people["a"].pk))
    assert "干部“张三”已关联登录账号。" in body(response)


# --- edit -----------------------------------------------------------------------------------

def edit_data(user, **overrides):
    data = {"display_name": user.display_name, "unit": user.unit.code,
            "roles": list(user.groups.values_list("name", flat=True)), "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_page(users, admin_client):
    page = body(admin_client.get(f"/account/users/{users['member'].pk}/"))
    assert 'value="429901001000"' in page
    assert 'value="乡镇村干部" id="id_roles_4" checked' in page
    assert "重置密码" in page


def test_edit_roles_and_unit(users, admin_client):
    member = users["member"]
    response = admin_client.post(f"/account/users/{member.pk}/",
                                 edit_data(member, unit="429901001201", roles=[LEADER], display_name="王小明"))
    assert response.status_code == 302 and response.url == f"/account/users/{member.pk}/"
    member.refresh_from_db()
    assert member.unit.code == "429901001201" and member.display_name == "王小明"
    assert list(member.groups.values_list("name", flat=True)) == [LEADER]
    entry = AuditLog.objects.get(action="user.update")
    assert entry.actor == users["sysadmin"]
    assert entry.before["unit"] == "429901001000" and entry.after["unit"] == "429901001201"
    assert entry.before["roles"] == [GRASSROOTS] and entry.after["roles"] == [LEADER]
    assert "账号“member”已保存。" in body(admin_client.get(response.url))


def test_saving_unchanged_writes_no_audit_row(users, admin_client):
    member = users["member"]
    assert admin_client.post(f"/account/users/{member.pk}/", edit_data(member)).status_code == 302
    assert not AuditLog.objects.filter(action="user.update").exists()


def test_deactivate_blocks_sign_in_and_sessions(users, admin_client):
    member = users["member"]
    session = Client()
    session.force_login(member)
    assert session.get("/").status_code == 200
    admin_client.post(f"/account/users/{member.pk}/", edit_data(member, is_active=None))
    member.refresh_from_db()
    assert not member.is_active
    assert AuditLog.objects.get(action="user.update").after["is_active"] is False
    assert session.get("/").status_code == 302  # the open session ends
    fresh = Client()
    assert fresh.post("/account/login/", {"username": "member", "password": PASSWORD}).status_code == 200


def test_edit_refuses_unit_outside_scope(users, town_admin, town_admin_client):
    outsider = users["outsider"]
    response = town_admin_client.post(f"/account/users/{outsider.pk}/", edit_data(outsider, unit="429901001000"))
    assert "未找到单位代码“429901001000”，或该单位不在您的管理范围内。" in body(response)
    outsider.refresh_from_db()
    assert outsider.unit.code == "429901002000"


def test_admin_cannot_deactivate_self(users, admin_client):
    admin = users["sysadmin"]
    response = admin_client.post(f"/account/users/{admin.pk}/", edit_data(admin, is_active=None))
    assert response.status_code == 200 and "不能停用自己的账号" in body(response)
    admin.refresh_from_db()
    assert admin.is_active


def test_admin_cannot_drop_own_admin_role(users, admin_client):
    admin = users["sysadmin"]
    response = admin_client.post(f"/account/users/{admin.pk}/", edit_data(admin, roles=[LEADER]))
    assert response.status_code == 200 and "不能取消自己的系统管理员角色" in body(response)
    assert admin.groups.filter(name=SYSADMIN).exists()


def test_admin_may_change_own_display_name(users, admin_client):
    admin = users["sysadmin"]
    assert admin_client.post(f"/account/users/{admin.pk}/", edit_data(admin, display_name="县信息中心")).status_code == 302
    admin.refresh_from_db()
    assert admin.display_name == "县信息中心"


# --- reset password -------------------------------------------------------------------------

def test_reset_password(users, admin_client):
    member = users["member"]
    response = admin_client.post(f"/account/users/{member.pk}/password/",
                                 {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == f"/account/users/{member.pk}/"
    entry = AuditLog.objects.get(action="user.reset_password")
    assert entry.actor == users["sysadmin"] and entry.object_id == str(member.pk)
    fresh = Client()
    assert fresh.post("/account/login/", {"username": "member", "password": PASSWORD}).status_code == 200
    assert fresh.post("/account/login/", {"username": "member", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("Qz#2027", "Qz#2027", "密码太短，至少需要8个字符。"),
        ("qzabcdwxyz", "qzabcdwxyz", "密码须包含大写字母、小写字母、数字、特殊符号中的至少3类。"),
        (PASSWORD, PASSWORD, "新密码不能与最近5次使用过的密码相同。"),
        (NEW_PASSWORD, "Qz-other-2027", "两次输入的密码不一致。"),
        ("", "", "这个字段是必填项。"),
    ],
)
def test_reset_password_bad_input(users, admin_client, password1, password2, message):
    member = users["member"]
    response = admin_client.post(f"/account/users/{member.pk}/password/",
                                 {"password1": password1, "password2": password2})
    assert response.status_code == 200
    assert message in body(response)
    assert not AuditLog.objects.filter(action="user.reset_password").exists()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


# --- unlock ---------------------------------------------------------------------------------

def test_unlock(users, admin_client):
    member = users["member"]
    lock_out("member")
    assert "解除锁定" in body(admin_client.get(f"/account/users/{member.pk}/"))
    response = admin_client.post(f"/account/users/{member.pk}/unlock/")
    assert response.status_code == 302
    page = body(admin_client.get(response.url))
    assert "账号“member”已解锁。" in page and "解除锁定" not in page
    entry = AuditLog.objects.get(action="user.unlock")
    assert entry.actor == users["sysadmin"] and entry.after == {"attempts_cleared": 1}
    fresh = Client()
    assert fresh.post("/account/login/", {"username": "member", "password": PASSWORD}).status_code == 302


def test_unlock_needs_post(users, admin_client):
    assert admin_client.get(f"/account/users/{users['member'].pk}/unlock/").status_code == 405


# --- reset TOTP -----------------------------------------------------------------------------

def test_reset_totp(users, admin_client):
    member = users["member"]
    TOTPDevice.objects.create(user=member, name="手机", confirmed=True)
    assert "重置动态验证码" in body(admin_client.get(f"/account/users/{member.pk}/"))
    response = admin_client.post(f"/account/users/{member.pk}/totp-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    entry = AuditLog.objects.get(action="user.totp_reset")
    assert entry.actor == users["sysadmin"] and entry.after == {"devices_removed": 1}
    assert "已清除账号“member”的动态验证码设备" in body(admin_client.get(response.url))


def test_reset_totp_of_an_administrator_forces_new_setup(users, town_admin, admin_client):
    other_admin = Client()
    other_admin.force_login(town_admin)
    device = TOTPDevice.objects.create(user=town_admin, name="手机", confirmed=True)
    session = other_admin.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert other_admin.get("/").status_code == 200
    admin_client.post(f"/account/users/{town_admin.pk}/totp-reset/")
    assert other_admin.get("/").url == "/account/2fa/setup/"


def test_reset_totp_without_device(users, admin_client):
    response = admin_client.post(f"/account/users/{users['member'].pk}/totp-reset/")
    assert "账号“member”未绑定动态验证码设备。" in body(admin_client.get(response.url))
    assert AuditLog.objects.get(action="user.totp_reset").after == {"devices_removed": 0}
