"""Log in and walk the main pages in real Chromium."""

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_walks_main_pages(page, live_server, users, people):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, "member", PASSWORD)
    assert page.get_by_test_id("whoami").inner_text().startswith("member · 甲镇")
    assert page.get_by_test_id("unit-count").inner_text() == "3"

    menu(page, "数据", "组织架构")
    page.get_by_role("heading", name="组织架构").wait_for()
    assert page.get_by_role("link", name="甲村", exact=True).is_visible()
    assert page.get_by_text("乙村").count() == 0
    # Deeper levels load on the first click and fold on the next.
    toggle = page.get_by_role("button", name="展开或收起甲村")
    toggle.click()
    grid = page.get_by_role("link", name="甲村一网格")
    expect(grid).to_be_visible()
    toggle.click()
    expect(grid).to_be_hidden()
    toggle.click()
    expect(grid).to_be_visible()
    # htmx search replaces the rows without a page load.
    page.get_by_placeholder("按单位名称或代码搜索").fill("网格")
    expect(page.locator("#unit-rows > li")).to_have_count(1)
    assert "甲村一网格" in page.locator("#unit-rows").inner_text()

    menu(page, "数据", "干部名录")
    page.get_by_role("link", name="张三").click()
    assert page.get_by_test_id("phone").inner_text() == "138****5678"
    page.get_by_role("button", name="查看完整号码（将记入审计日志）").click()
    assert page.get_by_test_id("phone").inner_text() == "13812345678"
    assert errors == []


def test_wrong_password_shows_chinese_error(page, live_server, users):
    login(page, live_server, "member", "wrong-Password-1")
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。连续失败5次将锁定账号30分钟。"


def test_sysadmin_must_set_up_totp(page, live_server, users):
    login(page, live_server, "sysadmin", PASSWORD)
    page.get_by_role("heading", name="启用动态验证码（双因素认证）").wait_for()
    secret = page.get_by_test_id("totp-secret").inner_text()
    import base64

    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    page.get_by_label("6位动态验证码").fill(code)
    page.get_by_role("button", name="确认启用").click()
    page.get_by_role("heading", name="我的账号").wait_for()
    assert page.get_by_text("已启用动态验证码").count() >= 1


def test_phone_screen_navigation(phone_page, live_server, users, county):
    page = phone_page
    login(page, live_server, "leader", PASSWORD)
    nav_link = page.get_by_test_id("nav-phone").get_by_role("link", name="组织架构", exact=True)
    assert not nav_link.is_visible()
    page.get_by_role("button", name="展开导航").click()
    nav_link.click()
    page.get_by_role("heading", name="组织架构").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
