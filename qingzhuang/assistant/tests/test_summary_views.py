"""一表做总结 pages: the wizard, each source, scope (404), errors and the Word download."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document

from qingzhuang.assistant.tests.fake_llm import fake_llm_fixture  # noqa: F401
from qingzhuang.assistant.tests.test_summary_sources import indicator_data, population, xlsx  # noqa: F401
from qingzhuang.assistant.views_summary import DOCX_TYPE

WIZARD = "assistant:summary_wizard"


def post(client, data: dict):
    return client.post(reverse(WIZARD), data)


def test_wizard_requires_login(client, db):
    response = client.get(reverse(WIZARD))
    assert response.status_code == 302
    assert "/account/login" in response["Location"] or "login" in response["Location"]


@pytest.mark.usefixtures("population")
def test_wizard_get(verified_client, users):
    client = verified_client(users["leader"])
    response = client.get(reverse(WIZARD))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("一表做总结", "数据集", "指标", "上传表格", "人口基础信息", "未配置大模型"):
        assert text in page
    # A back link pre-fills the chosen source's form.
    response = client.get(reverse(WIZARD), {"source": "indicators", "period": "2025-11"})
    assert 'value="2025-11"' in response.content.decode()


@pytest.mark.usefixtures("population")
def test_post_dataset_shows_figures_and_summary(verified_client, users):
    client = verified_client(users["leader"])
    response = post(client, {"source": "dataset", "dataset": "population", "level": "township",
                                             "column": "special_groups"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "青山县人口基础信息数据情况总结" in page
    for heading in ("一、总体情况", "二、主要成效", "三、存在问题", "四、下步打算"):
        assert heading in page
    assert "截至目前，一套表“人口基础信息”数据集中全县共登记4人，分布在2个乡镇。" in page
    assert "低保对象" in page and "75.0%" in page


@pytest.mark.usefixtures("indicator_data")
def test_post_indicators_and_download(verified_client, users):
    client = verified_client(users["leader"])
    response = post(client, {"source": "indicators", "unit": "429901000000", "period": "2025-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "青山县2025年11月主要指标完成情况总结" in page
    assert "粮食产量合计2,000吨，较上月增长5.3%，较去年同期增长11.1%。" in page
    token = response.context["token"]
    download = client.get(reverse("assistant:summary_download", args=[token]))
    assert download.status_code == 200
    assert download["Content-Type"] == DOCX_TYPE
    assert download["Content-Disposition"] == (
        "attachment; filename=\"summary.docx\"; filename*=UTF-8''" + quote("青山县2025年11月主要指标完成情况总结.docx"))
    document = Document(io.BytesIO(download.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "青山县2025年11月主要指标完成情况总结"
    assert {"一、总体情况", "二、主要成效", "三、存在问题", "四、下步打算"} <= set(texts)


def test_post_upload(verified_client, users, db):
    client = verified_client(users["member"])
    upload = xlsx([["乡镇", "完成数（户）", "目标数"], ["甲镇", 450, 400], ["乙镇", 300, 350], ["合计", 750, 750]])
    response = post(client, {"source": "upload", "file": upload, "period": "2025-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "各乡镇完成情况总结" in page
    assert "2025年11月，纳入统计的2个乡镇完成数合计750户，完成目标任务750户的100.0%。" in page
    assert "112.5%" in page


def test_bad_upload_shows_the_exact_problem(verified_client, users, db):
    client = verified_client(users["member"])
    upload = xlsx([["乡镇", "完成数"], ["甲镇", 1], ["乙镇", 2], ["丙镇", 3], ["丁镇", "abc"]])
    response = post(client, {"source": "upload", "file": upload})
    assert response.status_code == 200
    assert response.context["errors"] == ["第5行“完成数”列的值“abc”不是数字"]
    assert "第5行“完成数”列的值“abc”不是数字" in response.content.decode()


@pytest.mark.usefixtures("indicator_data")
def test_outsider_gets_404_for_another_townships_indicators(verified_client, users, county):
    client = verified_client(users["outsider"])
    response = post(client, {"source": "indicators", "unit": county["town_a"].code,
                                             "period": "2025-11"})
    assert response.status_code == 404


@pytest.mark.usefixtures("population")
def test_unreadable_dataset_is_404(verified_client, users):
    client = verified_client(users["nobody"])
    response = post(client, {"source": "dataset", "dataset": "population", "level": "township"})
    assert response.status_code == 404
    client = verified_client(users["leader"])
    response = post(client, {"source": "dataset", "dataset": "indicator_values", "level": "township"})
    assert response.status_code == 404


@pytest.mark.usefixtures("population")
def test_columns_fragment(verified_client, users):
    client = verified_client(users["leader"])
    response = client.get(reverse("assistant:summary_columns"), {"dataset": "population"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="special_groups">特殊群体</option>' in page
    assert "公民身份号码" not in page
    assert client.get(reverse("assistant:summary_columns"), {"dataset": "nope"}).status_code == 404


def test_download_of_someone_elses_or_expired_summary_is_404(verified_client, users, client, db):
    verified_client(users["leader"])
    assert client.get(reverse("assistant:summary_download", args=["not-a-token"])).status_code == 404


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize("source", ["dataset", "indicators", "upload"])
def test_missing_fields_stay_on_the_wizard(verified_client, users, source):
    client = verified_client(users["leader"])
    response = post(client, {"source": source})
    assert response.status_code == 200
    assert response.context["source"] == source
    assert response.context["forms"][source].errors


MODEL_REPLY = """标题：青山县2025年11月主要指标完成情况总结
一、总体情况
全县2个乡镇粮食产量合计2,000吨，较上月增长5.3%，较去年同期增长11.1%；安全事故合计8起。
二、主要成效
甲镇粮食产量1,200吨，安全事故3起，均为各乡镇最好。
三、存在问题
乙镇安全事故较上月上升150.0%。
四、下步打算
督促乙镇加强安全生产排查。
"""


@pytest.mark.usefixtures("indicator_data")
def test_model_text_is_shown_when_every_number_checks_out(verified_client, users, fake_llm):
    server = fake_llm(reply=MODEL_REPLY)
    client = verified_client(users["leader"])
    page = client.get(reverse(WIZARD)).content.decode()
    assert 'name="use_llm"' in page
    response = post(client, {"source": "indicators", "unit": "429901000000", "period": "2025-11",
                                             "use_llm": "on"})
    assert response.status_code == 200
    assert response.context["summary"].generated_by == "llm"
    assert "甲镇粮食产量1,200吨，安全事故3起，均为各乡镇最好。" in response.content.decode()
    assert "粮食产量" in server.requests[0].body["messages"][1]["content"]


@pytest.mark.usefixtures("indicator_data")
def test_model_text_with_an_unknown_number_is_replaced(verified_client, users, fake_llm):
    fake_llm(reply=MODEL_REPLY.replace("上升150.0%", "上升160.0%"))
    client = verified_client(users["leader"])
    response = post(client, {"source": "indicators", "unit": "429901000000", "period": "2025-11",
                                             "use_llm": "on"})
    page = response.content.decode()
    assert response.context["summary"].generated_by == "template"
    assert "大模型生成的文字中有数字与表格不符（160%），已改用模板生成" in page
    assert "乙镇安全事故较上月上升160.0%" not in page



def test_indicator_form_defaults_to_the_latest_month_with_data(verified_client, users, indicator_data):  # noqa: F811
    body = verified_client(users["leader"]).get("/assistant/summary/?source=indicators").content.decode()
    assert 'value="2025-11"' in body
