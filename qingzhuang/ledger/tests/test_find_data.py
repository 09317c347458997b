"""向系统找数据 from the command line, the page and the API."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import make_user

EXAMPLE = "身份证号、户籍地址、是否低保、手机号"


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("find_data", *args, stdout=out)
    return out.getvalue()


def test_json_document(catalog, county):
    document = json.loads(run(EXAMPLE + "、家中养狗数量", "--json"))
    assert [(f["field"], f["matched"], f["element"], [d["code"] for d in f["datasets"]], f["score"])
            for f in document["fields"]] == [
        ("身份证号", True, "公民身份号码", ["population"], 1.0),
        ("户籍地址", True, "居住地址", ["population"], 1.0),
        ("是否低保", True, "特殊群体", ["population"], 1.0),
        ("手机号", True, "联系电话", ["population", "legal_entities"], 1.0),
        ("家中养狗数量", False, None, [], 0.0),
    ]
    # Without --under: every village and community of the county (甲村, 乙村).
    assert (document["held"], document["remaining"], document["target_units"], document["not_asked"]) == (4, 1, 2, 8)
    assert set(document["fields"][0]["datasets"][0]) >= {"code", "name", "owner", "last_updated", "records"}


def test_under_a_township(catalog, county):
    document = json.loads(run(EXAMPLE, "--under", "429901001000", "--json"))
    assert (document["target_units"], document["not_asked"]) == (1, 4)


def test_text_output(catalog, county):
    text = run("身份证号,家中养狗数量")
    assert "身份证号 → 公民身份号码（匹配度 1.00）" in text
    assert "人口基础信息 [population] 责任单位：县委办公室，月更新，最近 从未更新，0 条" in text
    assert "家中养狗数量：需基层填报（一套表中没有）" in text
    assert text.strip().endswith("共 2 个字段：一套表已有 1 个，需基层填报 1 个；向 2 个村（社区）索要时，可少要 2 项数据。")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("、 ,", "--json"), "no_fields", "请至少给出一个字段，例如：身份证号、手机号"),
    (("姓名", "--under", "nope", "--json"), "unknown_unit", "没有单位代码：nope"),
])
def test_failures_exit_non_zero_with_a_json_error(catalog, county, capsys, args, code, message):
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("find_data", *args, stdout=out)
    assert str(exc.value) == message
    assert json.loads(out.getvalue()) == {"errors": [{"code": code, "message": message}]}


def test_page_and_live_results(client, catalog, county):
    client.force_login(make_user("reader", county["stats"], "部门填报员"))
    page = client.get(reverse("ledger:find_data")).content.decode()
    assert 'hx-get="/ledger/find/"' in page and "输入字段名称" in page
    partial = client.get(reverse("ledger:find_data"), {"q": EXAMPLE + "、家中养狗数量"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="find-table"' in partial
    assert "一套表已有 <strong>4</strong> 个，需基层填报 <strong>1</strong> 个" in partial
    assert "可少向基层要 <strong>8</strong> 项数据" in partial and "以这些字段提出数据需求" in partial
    partial = client.get(reverse("ledger:find_data"), {"q": EXAMPLE, "under": "429901002000"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "若向乙镇的 1 个村（社区）索要，可少向基层要 <strong>4</strong> 项数据" in partial


def test_page_needs_sign_in(client, catalog):
    assert client.get(reverse("ledger:find_data")).status_code == 302


def test_api(client, catalog, county):
    client.force_login(make_user("reader", county["stats"], "部门填报员"))
    response = client.get("/api/v1/ledger/find", {"q": EXAMPLE, "under": "429901001000"})
    assert response.status_code == 200
    body = response.json()
    assert [f["element_code"] for f in body["fields"]] == ["id_number", "home_address", "special_groups", "phone"]
    assert (body["held"], body["target_units"], body["not_asked"]) == (4, 1, 4)
    assert client.get("/api/v1/ledger/find").json()["fields"] == []


def test_api_needs_authentication(client, catalog):
    assert client.get("/api/v1/ledger/find", {"q": EXAMPLE}).status_code == 401


def test_api_under_a_unit_in_scope(client, catalog, county):
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    response = client.get("/api/v1/ledger/find", {"q": EXAMPLE, "under": "429901001000"})
    assert response.status_code == 200 and response.json()["target_units"] == 1


@pytest.mark.parametrize("under", ["429901002000", "nope"])
def test_api_under_a_unit_out_of_scope_or_missing_is_404(client, catalog, county, under):
    # 甲镇's user may not look under 乙镇: it reads exactly like a unit that does not exist.
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    response = client.get("/api/v1/ledger/find", {"q": EXAMPLE, "under": under})
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_page_under_a_unit_in_scope(client, catalog, county):
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    response = client.get(reverse("ledger:find_data"), {"q": EXAMPLE, "under": "429901001000"},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "若向甲镇的 1 个村（社区）索要" in response.content.decode()


@pytest.mark.parametrize("param", ["under", "target_under"])
@pytest.mark.parametrize("under", ["429901002000", "nope"])
def test_page_under_a_unit_out_of_scope_or_missing_is_404(client, catalog, county, param, under):
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    response = client.get(reverse("ledger:find_data"), {"q": EXAMPLE, param: under}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
