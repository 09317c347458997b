"""The annual plan in real Chromium at 1366 px: the 督查室 approves a department's item from the
审批 queue, the approval finds a merge with the two items already in the plan, and the 督查室 accepts
it: one joint visit and one code per common township."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from qingzhuang.burden.admission import Admission
from qingzhuang.orgs.services import unit_create
from qingzhuang.supervision.models import Visit, VisitStatus
from qingzhuang.supervision.tests.conftest import make_item
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def test_office_approves_an_item_and_accepts_the_merge(page, live_server, county):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    agri = unit_create(actor=None, code="429901900201", name="县农业农村局", kind="department", parent=county["root"])
    make_user("office", county["office"], "督查室")
    make_item(owner=county["stats"], title="统计执法检查", matter="统计执法")
    make_item(owner=agri, title="耕地保护检查", matter="耕地保护")
    make_item(owner=county["stats"], title="统计数据质量检查", matter="数据质量", admission=Admission.PENDING)
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "office", PASSWORD)

    menu(page, "督查", "检查计划")
    expect(page.get_by_test_id("total-this-year")).to_have_text("2 项")
    page.get_by_role("link", name="审批").click()
    row = page.get_by_test_id("review-table").get_by_role("row").filter(has_text="统计数据质量检查")
    row.get_by_role("button", name="批准").click()
    expect(page.get_by_text("已批准“统计数据质量检查”。")).to_be_visible()

    menu(page, "督查", "合并建议")
    expect(page.get_by_test_id("merge-list")).to_contain_text("可减少进门 4 次")
    page.get_by_test_id("merge-list").get_by_role("link").first.click()
    form = page.get_by_test_id("accept-form")
    form.get_by_label("牵头部门").select_option(label="县统计局")
    form.get_by_label("检查日期").fill("2025-05-13")
    form.get_by_role("button", name="采纳并签发检查码").click()
    expect(page.get_by_test_id("merge-status")).to_have_text("已合并")
    expect(page.get_by_test_id("merge-visits").locator("tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    visits = Visit.objects.filter(merge__isnull=False)
    assert visits.count() == 2 and all(v.status == VisitStatus.ISSUED and v.items.count() == 3 for v in visits)
    assert not errors


def test_a_township_cadre_reads_the_plan_on_a_phone(phone_page, live_server, county):
    from qingzhuang.orgs.roles import GRASSROOTS

    make_user("xiangzhen", county["town_a"], GRASSROOTS)
    item = make_item(owner=county["stats"], title="统计执法检查", matter="统计执法", method="four_nots")
    login(phone_page, live_server, "xiangzhen", PASSWORD)
    phone_page.goto(f"{live_server.url}/supervision/plans/?year=2025")
    expect(phone_page.get_by_test_id("plan-table")).to_contain_text("统计执法检查")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.goto(f"{live_server.url}/supervision/plans/items/{item.pk}/")
    expect(phone_page.get_by_test_id("materials")).to_have_text("不要求基层提供材料")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
