"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

Set ``QZ_CHROMIUM`` to use another Chromium binary. The tests are skipped, loudly, only when
no Chromium is installed; CI installs it, so there they always run.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("QZ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; CI must install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def menu(page, group: str, label: str) -> None:
    """Open ``label`` from the desktop menu's ``group`` (a dropdown), as a user would."""
    nav = page.get_by_test_id("nav-desktop")
    nav.get_by_role("button", name=group).click()
    nav.get_by_role("link", name=label, exact=True).click()


def sign_in_with_totp(page, live_server, user) -> None:
    """Sign a system administrator in: password, then a code of a new confirmed TOTP device."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from conftest import PASSWORD

    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    login(page, live_server, user.username, PASSWORD)
    page.get_by_role("heading", name="请输入动态验证码").wait_for()
    page.get_by_label("6位动态验证码").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="验证").click()
