"""一表做总结 through the API: JSON figures and text, Word download, bad input, scope."""

from __future__ import annotations

import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qingzhuang.assistant.tests.test_summary_sources import indicator_data, population  # noqa: F401
from qingzhuang.assistant.tests.test_views_api import _token_client

URL = "/api/v1/assistant/summaries"


def test_indicators_summary_json(indicator_data, users):  # noqa: F811
    client, auth = _token_client(users["leader"])
    response = client.post(URL, {"source": "indicators", "unit": "429901000000", "period": "2025-11"}, **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "青山县2025年11月主要指标完成情况总结"
    assert [s["heading"] for s in body["sections"]] == ["总体情况", "主要成效", "存在问题", "下步打算"]
    assert body["sections"][0]["paragraphs"][0] == (
        "2025年11月，全县2个乡镇安全事故合计8起，较上月增长33.3%，较去年同期下降27.3%。"
        "粮食产量合计2,000吨，较上月增长5.3%，较去年同期增长11.1%。")
    assert body["generated_by"] == "template"
    assert body["table"]["headers"][0] == "项目"


def test_upload_summary_as_word(db, users):
    client, auth = _token_client(users["leader"])
    csv = "乡镇,完成数（户）,目标数\n甲镇,450,400\n乙镇,300,350\n合计,750,750\n".encode()
    response = client.post(URL, {"source": "upload", "period": "2025-11", "fmt": "docx",
                                 "file": SimpleUploadedFile("完成情况.csv", csv)}, **auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "2025年11月，纳入统计的2个乡镇完成数合计750户，完成目标任务750户的100.0%。" in text


def test_bad_input_is_400_with_the_reason(db, users):
    client, auth = _token_client(users["leader"])
    bad = "乡镇,完成数\n甲镇,1\n乙镇,abc\n".encode()
    response = client.post(URL, {"source": "upload", "file": SimpleUploadedFile("t.csv", bad)}, **auth)
    assert response.status_code == 400
    assert response.json()["errors"] == ["第3行“完成数”列的值“abc”不是数字"]
    response = client.post(URL, {"source": "indicators"}, **auth)
    assert response.json() == {"detail": "请给出单位代码和月份（YYYY-MM）", "errors": ["请给出单位代码和月份（YYYY-MM）"]}


def test_other_township_and_unreadable_dataset_are_404(indicator_data, population, users):  # noqa: F811
    client, auth = _token_client(users["outsider"])
    assert client.post(URL, {"source": "indicators", "unit": "429901001000", "period": "2025-11"},
                       **auth).status_code == 404
    assert Client().post(URL, {"source": "dataset", "dataset": "population"}).status_code == 401
