"""一网协同 in real Chromium: a department sends a notice to two villages, a village cadre reads it
on a phone, and the sender sees who has read it."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(county):
    make_user("statsrep", county["stats"], "部门填报员")
    make_user("cadre", county["village_a"], "乡镇村干部")
    return county


def collect_errors(page) -> list:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_send_read_and_see_receipts(page, phone_page, live_server, world):
    errors = collect_errors(page)
    login(page, live_server, "statsrep", PASSWORD)
    menu(page, "减负", "一网协同")
    page.get_by_role("link", name="发送文件或通知").click()
    page.get_by_label("标题").fill("关于报送春耕进度的通知")
    page.get_by_label("正文").fill("请各村于3月底前在平台上确认春耕进度，无需另报纸质材料。")
    page.get_by_label("另加收文单位代码").fill(f"{world['village_a'].code} {world['village_b'].code}")
    page.get_by_role("button", name="发送").click()
    expect(page.get_by_test_id("read-summary")).to_have_text("0/2 已读")

    phone_errors = collect_errors(phone_page)
    login(phone_page, live_server, "cadre", PASSWORD)
    phone_page.goto(f"{live_server.url}/burden/circulations/")
    row = phone_page.get_by_test_id("circulation-row").first
    expect(row).to_contain_text("未读")
    expect(row).to_contain_text("关于报送春耕进度的通知")
    assert phone_page.evaluate("document.scrollingElement.scrollWidth") <= 390
    row.click()
    expect(phone_page.get_by_test_id("circulation-body")).to_contain_text("无需另报纸质材料")
    expect(phone_page.get_by_test_id("own-receipt")).to_contain_text("本单位已读")
    assert phone_page.evaluate("document.scrollingElement.scrollWidth") <= 390

    page.reload()
    expect(page.get_by_test_id("read-summary")).to_have_text("1/2 已读")
    expect(page.get_by_test_id("receipts")).to_contain_text("甲村")
    assert errors == [] and phone_errors == []
