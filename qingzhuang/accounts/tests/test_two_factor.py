"""TOTP second factor: required for system administrators, optional (but then enforced) for others."""

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from qingzhuang.accounts.tests.conftest import totp_code
from qingzhuang.orgs.models import AuditLog

SETUP = "/account/2fa/setup/"
VERIFY = "/account/2fa/verify/"
WRONG_SETUP_CODE = "验证码不正确，请确认手机时间准确后重试。"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    # django-otp delays the next try after a wrong code; tests that try twice in a row need none.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def wrong_code(device) -> str:
    return f"{(int(totp_code(device)) + 500000) % 1000000:06d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


@pytest.mark.parametrize("path", ["/", "/orgs/units/", "/orgs/people/", "/account/", "/account/users/"])
def test_sysadmin_without_device_is_sent_to_setup(client, users, path):
    client.force_login(users["sysadmin"])
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == SETUP


def test_sysadmin_after_password_login_is_sent_to_setup(client, users, login_post):
    response = login_post("sysadmin", PASSWORD)
    assert response.status_code == 302
    assert client.get(response.url).url == SETUP


def test_setup_page_shows_qr_and_secret(client, users):
    client.force_login(users["sysadmin"])
    response = client.get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert "data:image/svg+xml" in body
    device = TOTPDevice.objects.get(user=users["sysadmin"], confirmed=False)
    assert base64.b32encode(device.bin_key).decode() in body
    # Reloading the page keeps the same (unconfirmed) device, so the scanned code stays valid.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=users["sysadmin"]).count() == 1


def test_setup_with_valid_code_enables_and_audits(client, users):
    admin = users["sysadmin"]
    client.force_login(admin)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    response = client.post(SETUP, {"token": totp_code(device)})
    assert response.status_code == 302 and response.url == "/account/"
    device.refresh_from_db()
    assert device.confirmed
    entry = AuditLog.objects.get(action="user.totp_enable")
    assert entry.actor == admin and entry.object_id == str(admin.pk)
    # The session is now verified: every page opens.
    assert client.get("/").status_code == 200
    assert client.get("/account/users/").status_code == 200
    assert "已启用" in client.get("/account/").content.decode()


def test_setup_with_wrong_code(client, users):
    admin = users["sysadmin"]
    client.force_login(admin)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    response = client.post(SETUP, {"token": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG_SETUP_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditLog.objects.filter(action="user.totp_enable").exists()
    assert client.get("/").url == SETUP
    # A correct code afterwards still works.
    assert client.post(SETUP, {"token": totp_code(device)}).status_code == 302


def test_setup_code_must_have_six_digits(client, users):
    client.force_login(users["sysadmin"])
    client.get(SETUP)
    body = client.post(SETUP, {"token": "123"}).content.decode()
    assert "6" in body and "123" in body  # the form says the length is wrong and keeps the input


def test_user_with_device_must_verify_after_login(client, users, login_post):
    member = users["member"]
    device = confirmed_device(member)
    assert login_post("member", PASSWORD).status_code == 302
    response = client.get("/orgs/units/?q=%E7%94%B2")  # as a browser sends ?q=甲
    assert response.status_code == 302
    assert response.url.startswith(VERIFY + "?next=")
    assert parse_qs(urlsplit(response.url).query)["next"] == ["/orgs/units/?q=%E7%94%B2"]
    assert client.get(response.url).status_code == 200
    # The API does not accept the half-signed-in session either.
    assert client.get("/api/v1/me").status_code == 401

    wrong = client.post(VERIFY, {"token": wrong_code(device), "next": "/orgs/units/?q=甲"})
    assert wrong.status_code == 200 and "验证码不正确。" in wrong.content.decode()
    assert AuditLog.objects.filter(action="auth.otp_failed", actor=member).count() == 1

    ok = client.post(VERIFY, {"token": totp_code(device), "next": "/orgs/units/?q=甲"})
    assert ok.status_code == 302 and unquote(ok.url) == "/orgs/units/?q=甲"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_verify_refuses_offsite_next(client, users):
    device = confirmed_device(users["member"])
    client.force_login(users["member"])
    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example.com/"})
    assert response.status_code == 302 and response.url == "/"


def test_same_code_cannot_be_used_twice(client, users):
    device = confirmed_device(users["member"])
    code = totp_code(device)
    client.force_login(users["member"])
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.logout()
    client.force_login(users["member"])
    assert client.post(VERIFY, {"token": code}).status_code == 200


def test_non_admin_without_device_is_not_forced(client, users, login_post):
    assert login_post("member", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/account/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_non_admin_may_enable_it(client, users):
    client.force_login(users["member"])
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=users["member"])
    assert client.post(SETUP, {"token": totp_code(device)}).status_code == 302
    assert AuditLog.objects.filter(action="user.totp_enable", actor=users["member"]).exists()


def test_verify_page_without_device_sends_admin_to_setup(client, users):
    client.force_login(users["sysadmin"])
    assert client.get(VERIFY).url == SETUP


def test_api_session_refuses_unverified_sysadmin(client, users):
    client.force_login(users["sysadmin"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/units").status_code == 401


def test_api_session_accepts_verified_sysadmin(users, verified_client):
    client = verified_client(users["sysadmin"])
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "sysadmin"


def test_logout_and_login_pages_reachable_while_unverified(client, users):
    client.force_login(users["sysadmin"])
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/login/").status_code == 200
