"""工作问效 end to end in real Chromium: the 督查室 assigns a task with two time nodes (one added with
添加节点) to 县统计局; on a 390 px phone the department's reporter opens 本单位任务 and reports
progress with a photo; the 督查室 returns it with guidance; the reporter reads the guidance."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from qingzhuang.burden.tests.clue_world import png
from qingzhuang.orgs.roles import REPORTER, SUPERVISION
from qingzhuang.supervision.models import NodeStatus, Task
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_assign_report_with_file_and_return(browser, phone_page, page, live_server, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("ducha", county["office"], SUPERVISION)
    make_user("tianbao", county["stats"], REPORTER)
    errors = watch(page) + watch(phone_page)

    # The 督查室 assigns the task.
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "ducha", PASSWORD)
    page.goto(f"{live_server.url}/supervision/tasks/")
    page.get_by_test_id("task-new").click()
    page.get_by_label("任务名称").fill("统计数据质量提升行动")
    picker = page.get_by_test_id("unit-picker")
    picker.locator(".qz-unit-text").fill("统计")
    picker.locator('.qz-unit-option[data-name="县统计局"]').click()
    rows = page.get_by_test_id("node-row")
    rows.nth(0).locator('input[name="node_title"]').fill("制定实施方案")
    rows.nth(0).locator('input[name="node_due"]').fill("2099-03-31")
    page.get_by_test_id("add-node").click()
    expect(rows).to_have_count(4)
    rows.nth(3).locator('input[name="node_title"]').fill("总结评估")
    rows.nth(3).locator('input[name="node_due"]').fill("2099-12-31")
    page.get_by_role("button", name="交办").click()
    expect(page.get_by_role("heading", name="统计数据质量提升行动")).to_be_visible()
    task = Task.objects.get()
    assert list(task.nodes.values_list("title", flat=True)) == ["制定实施方案", "总结评估"]

    # The department reports on a phone, with a photo.
    login(phone_page, live_server, "tianbao", PASSWORD)
    phone_page.goto(f"{live_server.url}/supervision/tasks/mine/")
    phone_page.get_by_role("link", name="统计数据质量提升行动").click()
    form = phone_page.get_by_test_id("report-form").first
    form.get_by_label("进展情况").fill("实施方案已印发，附印发文件照片")
    form.locator('input[type="file"]').set_input_files(
        [{"name": "印发文件.png", "mimeType": "image/png", "buffer": png()}])
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_role("button", name="报送").click()
    expect(phone_page.get_by_test_id("report-file")).to_have_count(1)
    expect(phone_page.get_by_test_id("node-status").first).to_have_text("待审核")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # The 督查室 returns it with guidance (first without: refused).
    page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_test_id("error-guidance")).to_have_text("退回时请填写审核意见，指导责任单位如何补充")
    page.get_by_label("审核意见（退回时必填）").fill("请补充方案正文和印发范围")
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_test_id("node-status").first).to_have_text("已退回")
    assert task.nodes.get(title="制定实施方案").status == NodeStatus.RETURNED

    # The reporter reads the guidance and may report again.
    phone_page.reload()
    expect(phone_page.get_by_test_id("report-guidance")).to_have_text("请补充方案正文和印发范围")
    expect(phone_page.get_by_test_id("report-form").first).to_be_visible()
    assert not errors, errors
