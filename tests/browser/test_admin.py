"""The system administrator's main pages in real Chromium: sign-in with TOTP, import, accounts."""

import pytest
from playwright.sync_api import expect

from qingzhuang.accounts.models import User
from qingzhuang.orgs.models import Unit
from tests.browser.conftest import menu, sign_in_with_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_units_reports_errors_then_imports(page, live_server, users, county, tmp_path):
    sign_in_with_totp(page, live_server, users["sysadmin"])
    menu(page, "数据", "组织架构")
    page.get_by_role("link", name="导入单位").click()

    bad = tmp_path / "bad.csv"
    bad.write_text("单位代码,单位名称,单位类型,上级单位代码\n"
                   "429901001202,丙村,村,429901001000\n"
                   "429901001203,丁村,村,429901009000\n", encoding="gbk")
    page.get_by_label("选择文件").set_input_files(str(bad))
    page.get_by_role("button", name="导入").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("导入未通过")
    rows = page.get_by_test_id("import-errors").locator("tbody tr")
    expect(rows).to_have_count(1)
    assert rows.first.inner_text().split("\t") == [
        "3", "上级单位代码", "429901009000", "上级单位代码不存在（本文件和您可管理的单位中都没有）"]
    assert not Unit.objects.filter(code="429901001202").exists()

    good = tmp_path / "good.csv"
    good.write_text("单位代码,单位名称,单位类型,上级单位代码\n429901001202,丙村,村,429901001000\n", encoding="utf-8-sig")
    page.get_by_label("选择文件").set_input_files(str(good))
    page.get_by_role("button", name="导入").click()
    expect(summary).to_contain_text("导入通过")
    expect(summary).to_contain_text("新增 1")
    assert Unit.objects.get(code="429901001202").parent.code == "429901001000"


def test_create_account(page, live_server, users, county):
    sign_in_with_totp(page, live_server, users["sysadmin"])
    menu(page, "系统", "账号管理")
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("wangwu")
    page.get_by_label("显示名称").fill("王五")
    page.get_by_label("所属单位代码").fill("429901001201")
    page.get_by_label("初始密码").fill("Jiancun#2026")
    page.get_by_label("乡镇村干部", exact=False).check()
    page.get_by_role("button", name="创建").click()
    page.get_by_role("heading", name="账号 wangwu · 王五").wait_for()
    user = User.objects.get(username="wangwu")
    assert user.unit.code == "429901001201"
    assert list(user.groups.values_list("name", flat=True)) == ["乡镇村干部"]
