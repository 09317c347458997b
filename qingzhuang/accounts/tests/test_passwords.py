"""Password rules: ≥ 8 characters, 3 of 4 character classes, no reuse of the last 5 (等保 level 3)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from qingzhuang.accounts.models import PasswordHistory, User
from qingzhuang.accounts.services import user_change_password
from qingzhuang.orgs.models import AuditLog

TOO_SHORT = "密码太短，至少需要8个字符。"
TOO_SIMPLE = "密码须包含大写字母、小写字母、数字、特殊符号中的至少3类。"
REUSED = "新密码不能与最近5次使用过的密码相同。"
COMMON = "这个密码太常见了。"


def messages_for(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "Qzabcd2027",  # upper, lower, digit
        "qz-abcd-2027",  # lower, digit, special
        "QZ-ABCD-2027",  # upper, digit, special
        "Qz-abcd-xyzw",  # upper, lower, special
        "Qz-ab2027",  # all four
        "Qz#2027a",  # exactly eight characters
    ],
)
def test_strong_passwords_pass(password, db):
    assert messages_for(password) == []


def test_too_short(db):
    assert messages_for("Qz#2027") == [TOO_SHORT]


@pytest.mark.parametrize("password", ["qzabcdwxyz", "qzabcd2027x", "QZABCD-WXYZ", "2027-0601-99"])
def test_fewer_than_three_classes_is_too_simple(password, db):
    assert messages_for(password) == [TOO_SIMPLE]


def test_short_and_simple_both_reported(db):
    assert messages_for("qzab") == [TOO_SHORT, TOO_SIMPLE]


def test_chinese_characters_count_as_no_class(db):
    assert messages_for("轻装上阵轻装上阵qz1") == [TOO_SIMPLE]


def test_common_password_refused(db):
    assert messages_for("Password1") == [COMMON]


def test_help_texts_are_chinese(client, users):
    client.force_login(users["member"])
    body = client.get("/account/password/").content.decode()
    assert "密码至少8位，须包含大写字母、小写字母、数字、特殊符号中的至少3类，且不能与最近5次使用过的密码相同。" in body


def _change(user, password):
    user_change_password(actor=user, user=user, new_password=password)
    return User.objects.get(pk=user.pk)


def test_no_reuse_of_last_five_allowed_after_sixth_change(users):
    user = users["member"]
    initial = PASSWORD
    assert messages_for(initial, user) == [REUSED]  # the current password
    new = [f"Qz-new-{i}-pass" for i in range(1, 6)]
    for pw in new[:4]:
        user = _change(user, pw)
    # Current + four before it = the last five: all of them refused, the initial one included.
    for pw in [initial, *new[:4]]:
        assert messages_for(pw, user) == [REUSED], pw
    user = _change(user, new[4])
    # Five changes later the initial password has left the history: the sixth change may reuse it.
    assert messages_for(initial, user) == []
    assert messages_for(new[0], user) == [REUSED]
    user = _change(user, initial)
    assert user.check_password(initial)


def test_history_keeps_only_five(users):
    user = users["member"]
    for i in range(8):
        user = _change(user, f"Qz-hist-{i}-pass")
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_reuse_refused_by_service(users):
    user = users["member"]
    with pytest.raises(ValidationError) as exc:
        user_change_password(actor=user, user=user, new_password=PASSWORD)
    assert exc.value.messages == [REUSED]
    assert not AuditLog.objects.filter(action="user.change_password").exists()


# --- the password-change page -----------------------------------------------------------------

def post_change(client, old, new1, new2=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 if new2 is not None else new1},
    )


def test_change_page_success_is_audited_and_keeps_session(client, users, login_post):
    user = users["member"]
    client.force_login(user)
    response = post_change(client, PASSWORD, "Qz-changed-2027")
    assert response.status_code == 302 and response.url == "/account/"
    entry = AuditLog.objects.get(action="user.change_password")
    assert entry.actor == user and entry.object_id == str(user.pk) and entry.unit == user.unit
    assert entry.ip == "127.0.0.1"
    # Still signed in after the change (session hash updated) ...
    assert client.get("/account/").status_code == 200
    # ... and the new password works for the next sign-in, the old one does not.
    client.post("/account/logout/")
    assert login_post("member", PASSWORD).status_code == 200
    assert login_post("member", "Qz-changed-2027").status_code == 302


def test_change_page_wrong_old_password(client, users):
    client.force_login(users["member"])
    body = post_change(client, "wrong-Old-1", "Qz-changed-2027").content.decode()
    assert "你的旧密码不正确。请重新输入。" in body
    assert not AuditLog.objects.filter(action="user.change_password").exists()


@pytest.mark.parametrize(
    ("new", "message"),
    [("Qz#2027", TOO_SHORT), ("qzabcdwxyz", TOO_SIMPLE), (PASSWORD, REUSED)],
)
def test_change_page_shows_rule_messages(client, users, new, message):
    client.force_login(users["member"])
    body = post_change(client, PASSWORD, new).content.decode()
    assert message in body
    assert User.objects.get(pk=users["member"].pk).check_password(PASSWORD)


def test_change_page_mismatch(client, users):
    client.force_login(users["member"])
    body = post_change(client, PASSWORD, "Qz-changed-2027", "Qz-changed-2028").content.decode()
    assert "输入的两个密码不一致。" in body
