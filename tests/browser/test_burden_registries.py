"""减负监测's registries in real Chromium: the monitor reads the meetings list on a phone and on a
desktop (a flagged meeting's red badge, the chart drawn, nothing wider than the screen) and
dissolves a work group from the list."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(county):
    from qingzhuang.burden.services import registries as services
    from qingzhuang.orgs.roles import MONITOR

    monitor = make_user("jianfu", county["root"], MONITOR)
    for year, report in ((2024, 30), (2025, 75)):
        services.meeting_create(actor=monitor, data=services.MeetingData(
            organiser=county["stats"], title=f"{year}年统计调查培训会", held_on=dt.date(year, 4, 2), minutes=120,
            kind="special", report_minutes=report, levels=["village_head"], targets=[county["village_a"]]))
    services.group_create(actor=monitor, data=services.GroupData(
        name="普查信息报送群", owner_unit=county["stats"], platform="wechat", created_on=dt.date(2024, 3, 1),
        task_ends_on=dt.date(2025, 1, 31), targets=[county["village_a"]]))
    return monitor


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.mark.parametrize("width", [390, 1366])
def test_the_monitor_sees_a_flagged_meeting(page, live_server, world, width):
    page.set_viewport_size({"width": width, "height": 900})
    errors = watch(page)
    login(page, live_server, "jianfu", PASSWORD)
    page.goto(f"{live_server.url}/burden/meetings/?year=2025")
    row = page.get_by_test_id("meeting-row").filter(has_text="2025年统计调查培训会")
    badge = row.get_by_test_id("flag")
    expect(badge).to_have_text("主报告超过1小时：主报告 75 分钟，超过 60 分钟")
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(220, 53, 69)"  # Bootstrap's danger red
    expect(page.get_by_test_id("chart-meetings-by-month")).to_have_attribute("data-drawn", "true")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert errors == []


def test_the_monitor_dissolves_a_group(page, live_server, world):
    from qingzhuang.burden.models import WorkGroup

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "jianfu", PASSWORD)
    menu(page, "减负", "工作群")
    page.get_by_role("heading", name="工作群").wait_for()
    row = page.get_by_test_id("group-row").filter(has_text="普查信息报送群")
    expect(row.get_by_test_id("flag")).to_have_count(2)  # no owner; task ended
    row.get_by_role("checkbox").check()
    page.get_by_label("解散日期").fill("2025-02-10")
    page.get_by_label("解散原因").fill("普查任务已完成")
    page.get_by_test_id("group-close-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("已解散 1 个工作群。")
    expect(page.get_by_test_id("group-closed")).to_have_text("1")
    group = WorkGroup.objects.get()
    assert (group.closed_on, group.close_reason) == (dt.date(2025, 2, 10), "普查任务已完成")
