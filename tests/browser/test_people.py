"""干部名录 in real Chromium: search by pinyin initials, pick a unit by typing its pinyin, page."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from qingzhuang.orgs.models import Person
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_initials_and_pick_a_unit(page, live_server, users, people, county):
    Person.objects.bulk_create([Person(name=f"干部{i:02d}", unit=county["grid_a"]) for i in range(60)])
    login(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/orgs/people/")
    expect(page.get_by_test_id("pager-total")).to_have_text("共 62 人，第 1 / 2 页")

    page.get_by_label("搜索干部").fill("zs")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("people")).to_contain_text("张三")
    page.get_by_label("搜索干部").fill("")

    # The unit picker: type the village's pinyin, choose it from the list.
    page.get_by_role("combobox", name="所在单位（含下级）").fill("yicun")
    page.get_by_role("option", name="乙村").click()
    expect(page.get_by_test_id("unit-picker-value")).to_have_value("429901002201")
    expect(page.get_by_test_id("people")).to_contain_text("李四")
    expect(page.get_by_test_id("pager-total")).to_have_text("共 1 人，第 1 / 1 页")

    # Emptying the picker drops the filter; the numbered links page through htmx.
    page.get_by_role("combobox", name="所在单位（含下级）").fill("")
    expect(page.get_by_test_id("pager-total")).to_have_text("共 62 人，第 1 / 2 页")
    page.get_by_role("link", name="第 2 页").click()
    expect(page.get_by_test_id("pager-total")).to_have_text("共 62 人，第 2 / 2 页")
