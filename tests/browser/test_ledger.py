"""一套表 in real Chromium: the data map, a dataset, an import that fails then passes, a record."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from qingzhuang.lib.ids import id_check_char
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "姓名,公民身份号码,性别,出生日期,民族,联系电话,所属村（社区）代码,居住地址,人员类别,特殊群体\n"


def id_number(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.fixture
def ledger(county, settings, tmp_path):
    from qingzhuang.ledger.builtins import ensure_builtin_catalog

    settings.MEDIA_ROOT = tmp_path
    ensure_builtin_catalog()


def csv_upload(text: str) -> dict:
    return {"name": "甲村人口.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def test_import_population_and_open_record(page, live_server, users, ledger):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    good = id_number("42990119800101001")
    bad = id_number("42990119850505002")
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    rows = (f"王五,{good},男,1980-01-01,汉族,13911112222,429901001201,甲村1号,户籍人口,\n"
            f"赵六,{bad},女,1985-05-05,汉族,13911113333,429901001201,甲村2号,户籍人口,低保对象\n")

    login(page, live_server, "member", PASSWORD)
    menu(page, "数据", "一套表")
    page.get_by_role("heading", name="一套表 · 数据地图").wait_for()
    expect(page.get_by_role("link", name="人口基础信息")).to_be_visible()
    # The search finds where the ID number is held, without a page load.
    page.get_by_placeholder("搜索数据集或字段，例如：哪里有身份证号？").fill("哪里有身份证号？")
    expect(page.get_by_text("匹配字段：公民身份号码（身份证号）")).to_be_visible()
    expect(page.get_by_role("link", name="法人单位")).to_have_count(0)

    page.get_by_role("link", name="人口基础信息").click()
    page.get_by_role("heading", name="人口基础信息").wait_for()
    page.get_by_role("link", name="导入").click()
    page.get_by_label("选择文件").set_input_files(csv_upload(HEADER + rows))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_test_id("job-summary")).to_contain_text("导入未通过")
    error_table = page.get_by_test_id("job-errors")
    expect(error_table).to_contain_text("公民身份号码校验位错误")
    expect(error_table).to_contain_text(bad)

    # Fix the row and import again.
    fixed = rows.replace(bad, id_number(bad[:17]))
    page.get_by_role("link", name="返回导入页").click()
    page.get_by_label("选择文件").set_input_files(csv_upload(HEADER + fixed))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_test_id("job-summary")).to_contain_text("导入通过")
    expect(page.get_by_test_id("job-created")).to_have_text("2")

    page.get_by_role("link", name="查看数据集").click()
    records = page.get_by_test_id("records")
    expect(records).to_contain_text("王五")
    expect(records).to_contain_text(good[:4] + "**********" + good[-4:])
    records.get_by_role("row").filter(has_text="王五").get_by_role("link", name="查看").click()
    expect(page.get_by_test_id("value-name")).to_have_text("王五")
    expect(page.get_by_test_id("history")).to_contain_text("甲村人口.csv")
    page.get_by_role("button", name="查看完整信息（将记入审计日志）").click()
    expect(page.get_by_test_id("value-id_number")).to_have_text(good)
    assert errors == []
