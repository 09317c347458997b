"""码上减负 over the API (/api/v1/burden/clues): submit, list, get, accept, dismiss, rectify, return,
close — each with its 400, 403 and 404."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingzhuang.burden.models import Clue
from qingzhuang.burden.services import clues as services
from qingzhuang.burden.tests.clue_world import accepted, rectified, submit
from qingzhuang.orgs.models import AuditLog

API = "/api/v1/burden/clues"


def post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_submit_named_and_anonymous(client, clue_county):
    client.force_login(clue_county["cun"])
    named = post(client, "", {"category": "too_many_meetings", "description": "一周四个视频会",
                              "placed_by": "429901900101", "anonymous": False})
    assert named.status_code == 201
    body = named.json()
    assert body["status"] == "pending" and len(services.normalize_code(body["receipt_code"])) == 20
    assert Clue.objects.get(pk=body["id"]).reporter == clue_county["cun"]
    anonymous = post(client, "", {"category": "other", "description": "晚上十点后要求回复收到",
                                  "suffered_by": "429901001201"})
    assert anonymous.status_code == 201
    clue = Clue.objects.get(pk=anonymous.json()["id"])
    assert clue.reporter is None
    log = AuditLog.objects.get(action="clue.submit", object_id=str(clue.pk))
    assert (log.actor, log.ip) == (None, None)


def test_submit_refused_400(client, clue_county):
    client.force_login(clue_county["cun"])
    response = post(client, "", {"category": "nope", "description": "", "placed_by": "000"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"placed_by": ["未找到该单位：000"]}
    response = post(client, "", {"category": "nope", "description": "", "suffered_by": "429901900101"})
    assert response.json()["errors"] == {
        "category": ["问题类型应为：多头填报、重复报表、过度留痕、强制打卡、督查过多、会议过多、文件过多、其他"],
        "description": ["请描述遇到的问题"],
        "suffered_by": ["承受负担的单位应为乡镇（街道）、村（社区）或网格：县统计局"]}
    assert not Clue.objects.exists()


def test_list_and_get_are_scoped(client, clue_county):
    clue, _ = accepted(clue_county)
    submit(clue_county, suffered_by=clue_county["village_b"], placed_by=None)
    client.force_login(clue_county["monitor"])
    rows = client.get(API).json()["items"]
    assert len(rows) == 2
    assert [r["status"] for r in client.get(API, {"status": "accepted"}).json()["items"]] == ["accepted"]
    assert client.get(API, {"status": "bogus"}).status_code == 400
    assert client.get(API, {"limit": 0}).status_code == 400
    client.force_login(clue_county["town_a_user"])
    rows = client.get(API).json()["items"]
    assert [r["id"] for r in rows] == [clue.pk] and rows[0]["responsible_name"] == "甲镇"
    detail = client.get(f"{API}/{clue.pk}").json()
    assert [e["action"] for e in detail["events"]] == ["submit", "accept"]
    client.force_login(clue_county["town_b_user"])
    assert client.get(API).json()["items"] == []
    assert client.get(f"{API}/{clue.pk}").status_code == 404


def test_accept_rectify_close_over_the_api(client, clue_county):
    clue, _ = submit(clue_county)
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    client.force_login(clue_county["monitor"])
    bad = post(client, f"/{clue.pk}/accept", {"responsible": "429901001000", "deadline": "2000-01-01"})
    assert bad.status_code == 400 and bad.json()["errors"] == {"deadline": ["整改期限不能早于今天：2000-01-01"]}
    ok = post(client, f"/{clue.pk}/accept", {"responsible": "429901001000", "deadline": deadline})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted" and ok.json()["deadline"] == deadline
    assert post(client, f"/{clue.pk}/rectify", {"text": "x"}).status_code == 403
    client.force_login(clue_county["town_b_user"])
    assert post(client, f"/{clue.pk}/rectify", {"text": "x"}).status_code == 404
    client.force_login(clue_county["town_a_user"])
    assert post(client, f"/{clue.pk}/close", {"result": "confirmed", "reply": "x"}).status_code == 403
    done = post(client, f"/{clue.pk}/rectify", {"text": "已取消打卡要求"})
    assert done.status_code == 200 and done.json()["status"] == "rectified"
    client.force_login(clue_county["monitor"])
    closed = post(client, f"/{clue.pk}/close", {"result": "unfounded", "reply": "经核实不属实"})
    assert closed.status_code == 200
    assert (closed.json()["status_name"], closed.json()["public_reply"]) == ("已办结", "经核实不属实")


def test_dismiss_and_return_over_the_api(client, clue_county):
    pending, _ = submit(clue_county)
    clue, _ = rectified(clue_county)
    client.force_login(clue_county["monitor_b"])
    assert post(client, f"/{pending.pk}/dismiss", {"reason": "x"}).status_code == 404
    client.force_login(clue_county["monitor"])
    assert post(client, f"/{pending.pk}/dismiss", {"reason": ""}).json()["errors"] == {
        "reason": ["请填写不予受理的理由（将告知反映人）"]}
    assert post(client, f"/{pending.pk}/dismiss", {"reason": "重复线索"}).json()["status"] == "dismissed"
    back = post(client, f"/{clue.pk}/return", {"note": "材料不全"})
    assert back.status_code == 200 and back.json()["status"] == "accepted"
    assert post(client, "/999999/return", {"note": "x"}).status_code == 404
