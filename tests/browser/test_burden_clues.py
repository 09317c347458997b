"""码上减负 end to end in real Chromium: on a 390 px phone an anonymous cadre reports a burden with
a photo and gets a receipt code; the monitor accepts and assigns it; the responsible township
rectifies; the monitor closes it; the anonymous cadre types the receipt code and reads the result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from qingzhuang.burden.tests.clue_world import png
from qingzhuang.orgs.roles import GRASSROOTS, MONITOR
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def choose_unit(page, picker: str, typed: str, name: str) -> None:
    box = page.get_by_test_id(f"picker-{picker}")
    box.locator(".qz-unit-text").fill(typed)
    option = box.locator(f'.qz-unit-option[data-name="{name}"]')
    option.click()
    expect(box.locator(".qz-unit-text")).to_have_value(name)


def test_report_triage_rectify_close_and_track(browser, phone_page, page, live_server, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("jianfu", county["root"], MONITOR)
    make_user("xiangzhen", county["town_a"], GRASSROOTS)
    errors = watch(phone_page)

    # An anonymous cadre on a phone.
    phone_page.goto(f"{live_server.url}/burden/clues/report/")
    expect(phone_page.get_by_role("heading", name="码上减负")).to_be_visible()
    expect(phone_page.get_by_test_id("page-qr").locator("svg")).to_be_visible()
    phone_page.get_by_text("强制打卡", exact=True).click()
    choose_unit(phone_page, "placed_by", "甲镇", "甲镇")
    choose_unit(phone_page, "suffered_by", "甲村", "甲村")
    phone_page.get_by_label("问题描述").fill("镇里要求村干部每天在应用上打卡并截图发到工作群")
    phone_page.locator("#files").set_input_files([{"name": "打卡截图.png", "mimeType": "image/png", "buffer": png()}])
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.get_by_role("button", name="提交").click()
    code = phone_page.get_by_test_id("receipt-code").inner_text().strip()
    assert len(code) == 24 and code.count("-") == 4
    expect(phone_page.get_by_test_id("receipt-qr").locator("svg")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # The monitor accepts it and assigns 甲镇.
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "jianfu", PASSWORD)
    page.goto(f"{live_server.url}/burden/clues/?status=pending")
    page.get_by_test_id("clue-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("clue-reporter")).to_have_text("匿名")
    choose_unit(page, "responsible", "甲镇", "甲镇")
    page.get_by_label("整改期限").fill("2099-12-31")
    page.get_by_role("button", name="受理并交办").click()
    expect(page.get_by_test_id("clue-status")).to_have_text("已受理（整改中）")
    detail = page.url

    # 甲镇's cadre rectifies.
    town = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    login(town, live_server, "xiangzhen", PASSWORD)
    town.goto(detail)
    town.get_by_label("整改情况").fill("已取消打卡要求，相关工作群已解散")
    town.get_by_role("button", name="报送").click()
    expect(town.get_by_test_id("clue-status")).to_have_text("已整改（待核实）")
    town.context.close()

    # The monitor closes it.
    page.reload()
    page.get_by_label("属实已整改").check()
    page.get_by_label("办结意见（将告知反映人）").fill("经核实属实，已取消打卡要求。")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("clue-status")).to_have_text("已办结")

    # The anonymous cadre types the receipt code.
    phone_page.goto(f"{live_server.url}/burden/clues/track/")
    phone_page.get_by_label("回执码").fill(code)
    phone_page.get_by_role("button", name="查询").click()
    expect(phone_page.get_by_test_id("track-status")).to_have_text("已办结")
    expect(phone_page.get_by_test_id("track-result-text")).to_contain_text("属实已整改")
    expect(phone_page.get_by_test_id("public-timeline")).to_contain_text("经核实属实，已取消打卡要求。")
    expect(phone_page.get_by_test_id("public-timeline")).not_to_contain_text("工作群已解散")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
