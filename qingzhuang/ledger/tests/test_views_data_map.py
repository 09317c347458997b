import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qingzhuang.ledger import queries
from qingzhuang.ledger.models import Dataset


def test_anonymous_redirected_to_login(client, catalog):
    response = client.get(reverse("ledger:data_map"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_data_map_groups_datasets_by_category(verified_client, users, catalog):
    Dataset.objects.filter(code="population").update(record_count=720000, last_updated_at=timezone.now())
    response = verified_client(users["member"]).get(reverse("ledger:data_map"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g.label for g in groups] == ["人", "物", "事", "情", "组织"]
    person = groups[0].entries[0]
    assert (person.dataset.code, person.n_columns, person.freshness) == ("population", 10, "ok")
    body = response.content.decode()
    # 甲镇's member reads 甲镇's rows (none here), not the county's 720,000.
    assert "人口基础信息" in body and "县委办公室" in body and "720000" not in body
    assert 'data-testid="count-population">本单位范围 0 条' in body
    assert (person.count, person.all_rows) == (0, False)
    # The catalog tab lists every element with the datasets that use it.
    assert "公民身份号码" in body and "房主公民身份号码" in body
    id_element = next(e for e in response.context["elements"] if e.code == "id_number")
    assert [d.code for d in id_element.datasets] == ["population"]


def test_freshness_badges(verified_client, users, catalog):
    now = timezone.now()
    Dataset.objects.filter(code="population").update(last_updated_at=now - dt.timedelta(days=60))
    Dataset.objects.filter(code="housing").update(last_updated_at=now - dt.timedelta(days=60))
    Dataset.objects.filter(code="events").update(last_updated_at=now - dt.timedelta(days=900))
    fresh = {d.code: queries.freshness(d, now) for d in Dataset.objects.all()}
    # Monthly is overdue after 60 days, quarterly is not; irregular never is; never updated is empty.
    assert fresh == {"population": "overdue", "housing": "ok", "events": "ok", "legal_entities": "empty",
                     "indicator_values": "empty"}
    body = verified_client(users["leader"]).get(reverse("ledger:data_map")).content.decode()
    assert "逾期" in body and "正常" in body and "暂无数据" in body


def test_search_where_is_the_id_number(verified_client, users, catalog):
    client = verified_client(users["leader"])
    response = client.get(reverse("ledger:data_map"), {"q": "哪里有身份证号？"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    found = {e.dataset.code: e.matches for g in response.context["groups"] for e in g.entries}
    assert found == {"population": ["公民身份号码（身份证号）"], "housing": ["房主公民身份号码（房主身份证号）"]}
    # The catalog tab is refreshed out of band with the matching elements.
    assert 'hx-swap-oob="innerHTML"' in body
    assert [e.code for e in response.context["elements"]] == ["id_number", "owner_id_number"]


def test_search_by_dataset_name_and_several_fields(verified_client, users, catalog):
    client = verified_client(users["leader"])
    response = client.get(reverse("ledger:data_map"), {"q": "法人"})
    assert [e.dataset.code for g in response.context["groups"] for e in g.entries] == ["legal_entities"]
    response = client.get(reverse("ledger:data_map"), {"q": "手机号、行业"})
    found = {e.dataset.code: e.matches for g in response.context["groups"] for e in g.entries}
    assert found == {"population": ["联系电话（手机号）"], "legal_entities": ["联系电话（手机号）", "行业类别"]}


def test_search_without_match_says_so(verified_client, users, catalog):
    response = verified_client(users["leader"]).get(reverse("ledger:data_map"), {"q": "卫星云图"})
    assert response.context["groups"] == []
    assert "没有找到匹配的数据集或字段" in response.content.decode()


@pytest.mark.parametrize(("q", "terms"), [
    ("哪里有身份证号？", ["身份证号"]),
    ("身份证号、户籍地址；手机号", ["身份证号", "户籍地址", "手机号"]),
    ("  ", []),
])
def test_search_terms(q, terms):
    assert queries.search_terms(q) == terms


def test_data_map_in_navigation(verified_client, users, catalog):
    menu = verified_client(users["member"]).get(reverse("ledger:data_map")).context["nav_items"]
    data = next(item for item in menu if item["label"] == "数据")
    assert [i["label"] for i in data["children"]] == ["一套表", "找数据", "组织架构", "干部名录"]
    assert [i["label"] for i in data["children"] if i["active"]] == ["一套表"] and data["active"]
