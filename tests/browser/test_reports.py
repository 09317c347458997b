"""报表准入 and 找数据 in real Chromium: live matching as one types, a report filled from the ledger,
admission by the 督查室 before anything can be sent."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(county):
    from qingzhuang.ledger.builtins import ensure_builtin_catalog
    from qingzhuang.ledger.models import Dataset, Record

    ensure_builtin_catalog()
    population = Dataset.objects.get(code="population")
    Dataset.objects.filter(pk=population.pk).update(owner=county["office"])
    for key, unit, kind in (("1", "village_a", "流动人口"), ("2", "village_a", "户籍人口"), ("3", "village_b", "流动人口")):
        Record.objects.create(dataset=population, unit=county[unit], key=key,
                              data={"name": f"人{key}", "person_type": kind})
    make_user("officerep", county["office"], "部门填报员")
    make_user("ducha", county["office"], "督查室")


def collect_errors(page) -> list:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_find_data_matches_as_one_types(page, live_server, world):
    errors = collect_errors(page)
    login(page, live_server, "officerep", PASSWORD)
    menu(page, "数据", "找数据")
    page.get_by_role("heading", name="向系统找数据").wait_for()
    page.get_by_label("所需字段").fill("身份证号、户籍地址、是否低保、手机号、家中养狗数量")
    summary = page.get_by_test_id("find-summary")
    expect(summary).to_contain_text("已有（同一数据项）2 个，相近（需确认）2 个，未找到 1 个")
    expect(summary).to_contain_text("可少向基层要 4 项数据")  # 2 exact fields × 甲村, 乙村
    table = page.get_by_test_id("find-table")
    expect(table).to_contain_text("公民身份号码")
    expect(table).to_contain_text("代码表含“低保对象”")
    assert errors == []


def test_find_data_reads_on_a_phone(page, live_server, world):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "officerep", PASSWORD)
    page.goto(f"{live_server.url}/ledger/find/?q=身份证号、户籍地址、是否残疾、家中养狗数量")
    table = page.get_by_test_id("find-table")
    expect(table.locator("thead")).to_be_hidden()  # one card per field, each cell labelled
    related = table.locator("tr[data-outcome=related]")
    expect(related).to_have_count(2)
    expect(related.last).to_contain_text("代码表含“残疾人”")
    assert related.first.locator("td").first.evaluate("td => getComputedStyle(td).display") == "block"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


def test_report_filled_from_the_ledger_then_admitted_and_sent(page, live_server, world):
    errors = collect_errors(page)
    login(page, live_server, "officerep", PASSWORD)
    page.goto(f"{live_server.url}/ledger/reports/new/?dataset=population")
    page.get_by_label("报表名称").fill("流动人口分村统计")
    page.get_by_label("按单位分组").select_option("village")
    page.get_by_label("筛选字段1").select_option("person_type")
    page.get_by_label("值1").fill("流动人口")
    page.get_by_label("需基层补充填报的字段").fill("走访次数")
    page.get_by_label("填报单位范围").select_option(label="甲镇的全部村（社区）")
    page.get_by_role("button", name="保存为草稿").click()
    page.get_by_role("heading", name="流动人口分村统计").wait_for()
    expect(page.get_by_test_id("not-admitted")).to_be_visible()
    expect(page.get_by_test_id("send")).to_have_count(0)

    page.get_by_test_id("fill").click()  # htmx: the table appears without a page load
    table = page.get_by_test_id("report-table")
    expect(table).to_contain_text("甲村")
    expect(page.get_by_test_id("matched")).to_contain_text("符合条件的记录 2 条")

    page.get_by_role("button", name="提交准入审批").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("待审批")
    page.get_by_role("button", name="退出").click()
    login(page, live_server, "ducha", PASSWORD)
    menu(page, "减负", "报表清单")
    page.get_by_role("link", name="流动人口分村统计").click()
    page.get_by_role("button", name="批准准入").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("已批准")
    page.get_by_role("button", name="退出").click()

    login(page, live_server, "officerep", PASSWORD)
    menu(page, "减负", "报表清单")
    page.get_by_role("link", name="流动人口分村统计").click()
    page.get_by_placeholder("期次，如 2025-06").fill("2025-06")
    page.get_by_test_id("send").click()
    expect(page.get_by_role("alert")).to_contain_text("已向 1 个单位下发第“2025-06”期。")
    assert errors == []
