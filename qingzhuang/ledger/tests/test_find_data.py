"""向系统找数据 from the command line, the page and the API."""

from __future__ import annotations

import json
import re

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
    assert [(f["field"], f["outcome"], f["matched"], f["element"], [d["code"] for d in f["datasets"]], f["score"])
            for f in document["fields"]] == [
        ("身份证号", "exact", True, "公民身份号码", ["population"], 1.0),
        ("户籍地址", "related", False, "居住地址", ["population"], 0.9),
        ("是否低保", "related", False, "特殊群体", ["population"], 0.8),
        ("手机号", "exact", True, "联系电话", ["population", "legal_entities"], 1.0),
        ("家中养狗数量", "none", False, None, [], 0.0),
    ]
    # Without --under: every village and community of the county (甲村, 乙村); only exact fields count.
    assert (document["held"], document["related"], document["unmatched"], document["remaining"],
            document["target_units"], document["not_asked"]) == (2, 2, 1, 3, 2, 4)
    assert set(document["fields"][0]["datasets"][0]) >= {"code", "name", "owner", "last_updated", "records"}


def test_under_a_township(catalog, county):
    document = json.loads(run(EXAMPLE, "--under", "429901001000", "--json"))
    assert (document["target_units"], document["not_asked"]) == (1, 2)


def test_text_output(catalog, county):
    text = run("身份证号,是否残疾,家中养狗数量")
    assert "身份证号 → 公民身份号码：已有（同一数据项）（同义词：身份证号，匹配度 1.00）" in text
    assert "人口基础信息 [population] 责任单位：县委办公室，月更新，最近 从未更新，0 条" in text
    assert "是否残疾 → 特殊群体：相近（需确认）（代码表含“残疾人”，匹配度 0.87）" in text
    assert "家中养狗数量：未找到，需基层填报（一套表中没有）" in text
    assert text.strip().endswith("共 3 个字段：已有（同一数据项）1 个，相近（需确认）1 个，未找到 1 个；"
                                 "向 2 个村（社区）索要时，可少要 2 项数据（只算已有的字段）。")


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
    assert ("已有（同一数据项）<strong>2</strong> 个，相近（需确认）<strong>2</strong> 个，未找到 <strong>1</strong> 个"
            in partial)
    assert "可少向基层要 <strong>4</strong> 项数据（只算已有的字段；相近的字段要在数据需求中确认由一套表提供后才算）" in partial
    assert "以这些字段提出数据需求" in partial
    partial = client.get(reverse("ledger:find_data"), {"q": EXAMPLE, "under": "429901002000"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "若向乙镇的 1 个村（社区）索要，可少向基层要 <strong>2</strong> 项数据" in partial


def test_page_shows_the_three_outcomes_with_their_reasons(client, catalog, county):
    client.force_login(make_user("reader", county["stats"], "部门填报员"))
    partial = client.get(reverse("ledger:find_data"), {"q": "身份证号、户籍地址、是否残疾、家中养狗数量"},
                         HTTP_HX_REQUEST="true").content.decode()
    rows = re.findall(r'<tr data-outcome="(\w+)">\s*<td class="fw-semibold" data-label="字段">([^<]+)</td>', partial)
    assert rows == [("exact", "身份证号"), ("related", "户籍地址"), ("related", "是否残疾"), ("none", "家中养狗数量")]
    assert '<span class="badge text-bg-success">已有（同一数据项）</span>' in partial
    assert partial.count('<span class="badge text-bg-warning">相近（需确认）</span>') == 2
    assert '<span class="badge text-bg-secondary">未找到</span>' in partial
    assert re.findall(r'data-testid="match-reason">([^<]+)<', partial) == [
        "同义词：身份证号", "目录登记为“居住地址”的相近字段", "代码表含“残疾人”", "一套表中没有"]
    assert "exact" not in re.sub(r'data-outcome="\w+"', "", partial)  # no English keys on the page


def test_page_needs_sign_in(client, catalog):
    assert client.get(reverse("ledger:find_data")).status_code == 302


def test_api(client, catalog, county):
    client.force_login(make_user("reader", county["stats"], "部门填报员"))
    response = client.get("/api/v1/ledger/find", {"q": EXAMPLE, "under": "429901001000"})
    assert response.status_code == 200
    body = response.json()
    assert [(f["element_code"], f["outcome"], f["outcome_label"], f["basis"], f["reason"]) for f in body["fields"]] == [
        ("id_number", "exact", "已有（同一数据项）", "synonym", "同义词：身份证号"),
        ("home_address", "related", "相近（需确认）", "near_field", "目录登记为“居住地址”的相近字段"),
        ("special_groups", "related", "相近（需确认）", "code_list", "代码表含“低保对象”"),
        ("phone", "exact", "已有（同一数据项）", "synonym", "同义词：手机号"),
    ]
    assert (body["held"], body["related"], body["unmatched"], body["target_units"], body["not_asked"]) == (2, 2, 0, 1, 2)
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
    # The catalog's sizes are the county's, and say so (a township's own count is on the dataset page).
    assert '<th class="text-end">全县记录数</th>' in response.content.decode()


@pytest.mark.parametrize("param", ["under", "target_under"])
@pytest.mark.parametrize("under", ["429901002000", "nope"])
def test_page_under_a_unit_out_of_scope_or_missing_is_404(client, catalog, county, param, under):
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    response = client.get(reverse("ledger:find_data"), {"q": EXAMPLE, param: under}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404


def parent_options(page: str) -> list[str]:
    select = page[page.index('id="find-under"'):]
    return re.findall(r'<option value="(\d*)"', select[:select.index("</select>")])


def test_parent_choices_are_the_users_reach(client, catalog, county):
    # 甲镇's cadre is offered 甲镇 only, as the default (blank) choice: 乙镇 lies outside what it sees
    # and may ask.
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    assert parent_options(client.get(reverse("ledger:find_data")).content.decode()) == [""]
    # A county department asks the whole county: every township.
    client.force_login(make_user("reader", county["stats"], "部门填报员"))
    assert parent_options(client.get(reverse("ledger:find_data")).content.decode()) == [
        "", "429901001000", "429901002000"]


def test_request_form_offers_only_units_the_department_may_ask(client, catalog, county):
    from qingzhuang.ledger.views_reports import RequestForm

    form = RequestForm(actor=make_user("town_a_rep", county["town_a"], "部门填报员"))
    assert [code for code, _ in form.fields["target_under"].choices] == ["", "429901001000"]


def test_without_a_unit_a_township_counts_only_its_own_villages(client, catalog, county):
    # The county has 甲村 (甲镇) and 乙村 (乙镇); 甲镇 may only ask its own village.
    client.force_login(make_user("town_a_user", county["town_a"], "乡镇村干部"))
    assert client.get("/api/v1/ledger/find", {"q": EXAMPLE}).json()["target_units"] == 1
    client.force_login(make_user("county_reader", county["stats"], "部门填报员"))
    assert client.get("/api/v1/ledger/find", {"q": EXAMPLE}).json()["target_units"] == 2


def test_a_township_page_names_its_own_villages_not_the_county(client, catalog, county):
    client.force_login(make_user("town_a_page", county["town_a"], "乡镇村干部"))
    page = client.get(reverse("ledger:find_data"), {"q": EXAMPLE}).content.decode()
    assert '<option value="">甲镇的全部村（社区）</option>' in page
    assert "全县所有村（社区）" not in page and page.count("甲镇的全部村（社区）") == 1
    assert "若向甲镇的 1 个村（社区）索要" in page
