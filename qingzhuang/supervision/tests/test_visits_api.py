"""一事一码 over the API (/api/v1/supervision/visits): the public verify, list, detail, schedule,
issue, cancel, result, caps, counts, evaluations — with their 400, 403, 404 and 429."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from qingzhuang.supervision import codes
from qingzhuang.supervision.models import Evaluation, VisitStatus
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item
from qingzhuang.supervision.verify import unknown_answer

API = "/api/v1/supervision/visits"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_public_verify_needs_no_sign_in_and_answers_like_the_command(client, sv, county):
    visit = issued_visit(sv, county)
    response = post(client, "/verify", {"code": codes.grouped(visit.code)})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["unit"] == "甲镇" and body["cap"]["used"] == 1
    assert post(client, "/verify", {"code": "nope"}).json() == unknown_answer()


@override_settings(QZ_VERIFY_RATE="1/60")
def test_public_verify_is_rate_limited(client, sv, county):
    assert post(client, "/verify", {"code": "x"}).status_code == 200
    response = post(client, "/verify", {"code": "x"})
    assert response.status_code == 429 and response.json()["detail"] == "核验过于频繁，请1分钟后再试"


def test_schedule_issue_result_flow(client, sv, county):
    item = live_item(county["stats"], title="统计执法检查", matter="统计执法")
    client.force_login(sv["stats_reporter"])
    created = post(client, "", {"items": [item.pk], "unit": county["town_a"].code,
                                "date": timezone.localdate().isoformat(), "team": "统计组"})
    assert created.status_code == 201 and created.json()["status"] == "scheduled"
    visit_id = created.json()["id"]
    assert post(client, f"/{visit_id}/issue", {}).status_code == 403
    client.force_login(sv["office"])
    issued = post(client, f"/{visit_id}/issue", {})
    assert issued.status_code == 200 and issued.json()["code"]
    assert post(client, f"/{visit_id}/issue", {}).json()["detail"] == "这次检查已签发检查码，不能再签发检查码"
    client.force_login(sv["stats_reporter"])
    result = post(client, f"/{visit_id}/result", {"findings": "未发现问题", "conclusion": "合格", "score": 95})
    assert result.status_code == 201 and result.json()["result"]["conclusion"] == "合格"
    again = post(client, f"/{visit_id}/result", {"findings": "x", "conclusion": "合格"})
    assert again.status_code == 400
    assert again.json()["detail"] == "这次检查的结果已经记录，结果只记录一次、各部门互认，不能重复记录"
    listed = client.get(API, {"status": VisitStatus.DONE}).json()
    assert [v["id"] for v in listed["items"]] == [visit_id]


def test_schedule_refusals(client, sv, county):
    item = live_item(county["stats"])
    client.force_login(sv["stats_reporter"])
    bad = post(client, "", {"items": [item.pk], "unit": county["root"].code, "date": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and bad.json()["errors"]["unit"] == ["请选择被检查的乡镇（街道）、村（社区）"]


def test_another_units_visit_is_404(client, sv, county, users):
    visit = issued_visit(sv, county)
    client.force_login(users["outsider"])
    assert client.get(f"{API}/{visit.pk}").status_code == 404
    assert post(client, f"/{visit.pk}/cancel", {}).status_code == 404
    client.force_login(users["member"])
    assert client.get(f"{API}/{visit.pk}").json()["unit"] == county["town_a"].code


def test_caps_get_and_set(client, sv, county):
    client.force_login(sv["office"])
    assert client.get(f"{API}/caps", {"year": 2026}).json()["words"] == "每个单位每季度最多 1 次"
    response = client.put(f"{API}/caps", {"year": 2026, "period": "month", "limit": 2}, content_type="application/json")
    assert response.status_code == 200 and response.json()["words"] == "每个单位每月最多 2 次"
    bad = client.put(f"{API}/caps", {"year": 2026, "period": "week", "limit": 2}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["period"] == ["周期应为“月”或“季度”"]
    client.force_login(sv["stats_reporter"])
    assert client.put(f"{API}/caps", {"year": 2026, "period": "month", "limit": 2},
                      content_type="application/json").status_code == 403


def test_counts_and_evaluations(client, sv, county, users):
    visit = issued_visit(sv, county)
    client.force_login(users["member"])
    counts = client.get(f"{API}/counts", {"year": visit.date.year}).json()["items"]
    assert [(c["unit_name"], c["total"]) for c in counts] == [("甲镇", 1), ("甲村", 0), ("甲村一网格", 0)]
    assert client.get(f"{API}/evaluations", {"year": visit.date.year}).status_code == 403
    for rating in (3, 4, 5):
        Evaluation.objects.create(visit=visit, rating=rating, burden_free=True, on=visit.date)
    client.force_login(sv["office"])
    rows = client.get(f"{API}/evaluations", {"year": visit.date.year}).json()
    assert rows[0]["department_name"] == "县统计局" and rows[0]["average"] == "4.0" and rows[0]["comments"] == []
