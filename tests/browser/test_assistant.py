"""AI社工 in real Chromium: upload a policy, find it, ask a question, turn a table into a summary."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from qingzhuang.assistant.tests.conftest import RULES
from tests.browser.conftest import login, menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.QZ_LLM_BASE_URL = ""
    settings.QZ_EMBED_BASE_URL = ""


def test_upload_search_and_ask(page, live_server, users, county, media):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, "supervision", PASSWORD)
    menu(page, "AI社工", "找政策")
    page.get_by_role("heading", name="AI社工 · 一键找政策").wait_for()
    menu(page, "AI社工", "政策库")
    page.get_by_label("上传政策文件").set_input_files(
        {"name": "会议办法.md", "mimeType": "text/markdown", "buffer": RULES.encode("utf-8")})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("会议办法.md：已添加《青山县测试会议管理办法》，正在后台建立索引")).to_be_visible()
    row = page.get_by_test_id("policy-row").first
    expect(row).to_contain_text("青政办发〔2025〕21号")
    expect(row).to_contain_text("已索引")

    menu(page, "AI社工", "找政策")
    page.get_by_placeholder("例如：工作群 解散；督查检查 年度计划；村级证明").fill("工作群多久解散")
    page.get_by_role("button", name="查找").click()
    first = page.get_by_test_id("search-hit").first
    expect(first).to_contain_text("第二章 会议规范 > 第四条")
    expect(first.locator("mark").first).to_have_text("工作群")
    # A filter narrows the results without a page load.
    page.get_by_label("层级").select_option("乡镇")
    expect(page.get_by_text("没有找到相关政策条款。")).to_be_visible()

    menu(page, "AI社工", "问政策")
    page.get_by_label("问题").fill("工作群任务结束后多久要解散？")
    page.get_by_role("button", name="提问").click()
    expect(page.get_by_test_id("answer")).to_contain_text("工作群任务结束后7日内解散")
    expect(page.get_by_test_id("citation").first).to_contain_text("[1] 青山县测试会议管理办法")
    assert errors == []


def test_village_cadre_asks_without_support(page, live_server, county, media):
    make_user("villager", county["village_a"], "乡镇村干部")
    login(page, live_server, "villager", PASSWORD)
    page.goto(f"{live_server.url}/assistant/ask/")
    page.get_by_label("问题").fill("如何申请出国签证")
    page.get_by_role("button", name="提问").click()
    expect(page.get_by_test_id("answer")).to_have_text("未找到相关依据")


def test_summary_from_an_uploaded_table_to_word(page, live_server, users, county, media):
    login(page, live_server, "leader", PASSWORD)
    page.goto(f"{live_server.url}/assistant/summary/")
    page.get_by_role("tab", name="上传表格").click()
    pane = page.locator("#pane-upload")
    csv = "乡镇,完成数（户）,目标数\n甲镇,450,400\n乙镇,300,350\n合计,750,750\n"
    pane.locator("input[type=file]").set_input_files(
        {"name": "完成情况.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")})
    pane.get_by_label("月份").fill("2025-11")
    page.get_by_test_id("submit-upload").click()
    expect(page.get_by_test_id("summary")).to_contain_text(
        "2025年11月，纳入统计的2个乡镇完成数合计750户，完成目标任务750户的100.0%。")
    expect(page.get_by_test_id("figures")).to_contain_text("甲镇")
    with page.expect_download() as caught:
        page.get_by_test_id("download").click()
    assert caught.value.suggested_filename.endswith(".docx")
