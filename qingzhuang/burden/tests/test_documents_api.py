"""The API of the document registry (/api/v1/burden/documents) and 一网协同 (/api/v1/burden/circulations)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from conftest import make_user
from qingzhuang.accounts.services import token_create
from qingzhuang.burden.models import Circulation, Demand, Document
from qingzhuang.burden.services import documents as services
from qingzhuang.orgs.roles import REPORTER

DOCS = "/api/v1/burden/documents"
CIRCS = "/api/v1/burden/circulations"


def bearer(user) -> dict:
    with transaction.atomic():
        _, raw = token_create(actor=user, user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def payload(placing, county, **kwargs) -> dict:
    return {"issuer": placing["civil"].code, "number": "青民发〔2025〕1号", "title": "关于开展排查的通知",
            "issued_on": "2025-03-18", "kind": "special", "chars": 4001, "target_units": [county["village_a"].code],
            **kwargs}


@pytest.fixture
def document(placing, county):
    return services.document_create(actor=placing["rep"], data=services.DocumentData(
        issuer=placing["civil"], number="青民发〔2025〕2号", title="已登记的文件", issued_on=dt.date(2025, 2, 1),
        kind="comprehensive", chars=100, target_units=[county["village_b"]]))


def test_create_and_read(client, placing, county):
    response = client.post(DOCS, payload(placing, county), content_type="application/json", **bearer(placing["rep"]))
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["flags"], body["flag_names"], body["target_units"]) == (
        "青民发〔2025〕1号", ["document.special_too_long"], ["专项文件超过4000字"], [county["village_a"].code])
    assert Demand.objects.filter(source_id=body["id"]).count() == 1
    got = client.get(f"{DOCS}/{body['id']}", **bearer(placing["rep"]))
    assert got.status_code == 200 and got.json()["chars"] == 4001


def test_create_refusals(client, placing, county):
    bad = client.post(DOCS, payload(placing, county, number="一号"), content_type="application/json",
                      **bearer(placing["rep"]))
    assert bad.status_code == 400 and bad.json()["errors"] == {"number": [services.M_NUMBER]}
    other = client.post(DOCS, payload(placing, county, issuer=county["stats"].code), content_type="application/json",
                        **bearer(placing["rep"]))
    assert other.status_code == 403 and other.json()["detail"] == "只能登记本单位的发文"
    cadre = client.post(DOCS, payload(placing, county), content_type="application/json", **bearer(placing["cun"]))
    assert cadre.status_code == 403
    unknown = client.post(DOCS, payload(placing, county, issuer="nope"), content_type="application/json",
                          **bearer(placing["rep"]))
    assert unknown.status_code == 400


def test_list_get_update_404(client, placing, county, document):
    listed = client.get(f"{DOCS}?year=2025", **bearer(placing["town_a_rep"]))  # 甲镇: reaches 乙村 only → none
    assert listed.status_code == 200 and listed.json()["items"] == []
    listed = client.get(f"{DOCS}?year=2025&flagged=false", **bearer(placing["cun_b"]))
    assert [d["number"] for d in listed.json()["items"]] == ["青民发〔2025〕2号"]
    assert client.get(f"{DOCS}?limit=0", **bearer(placing["rep"])).status_code == 400
    assert client.get(f"{DOCS}?year=1900", **bearer(placing["rep"])).status_code == 400
    stranger = bearer(make_user("statrep", county["stats"], REPORTER))
    assert client.get(f"{DOCS}/{document.pk}", **stranger).status_code == 404
    data = payload(placing, county, number="青民发〔2025〕2号", issued_on="2025-02-01", kind="comprehensive",
                   chars=6000, target_units=[county["village_b"].code, county["village_a"].code])
    assert client.put(f"{DOCS}/{document.pk}", data, content_type="application/json", **stranger).status_code == 404
    updated = client.put(f"{DOCS}/{document.pk}", data, content_type="application/json", **bearer(placing["rep"]))
    assert updated.status_code == 200 and updated.json()["flags"] == ["document.comprehensive_too_long"]
    assert Demand.objects.filter(source_id=document.pk).count() == 2
    removing = client.put(f"{DOCS}/{document.pk}", {**data, "target_units": []}, content_type="application/json",
                          **bearer(placing["rep"]))
    assert removing.status_code == 400


def test_import_endpoint(client, placing):
    good = "发文单位,文号,标题,印发日期,文件类型,正文字数\n县民政局,青民发〔2025〕3号,通知,2025-03-18,专项,100\n"
    response = client.post(f"{DOCS}/import", {"file": SimpleUploadedFile("d.csv", good.encode()), "dry_run": "true"},
                           **bearer(placing["rep"]))
    assert response.status_code == 200 and response.json()["created"] == 1 and not Document.objects.exists()
    bad = good.replace("专项", "普通")
    response = client.post(f"{DOCS}/import", {"file": SimpleUploadedFile("d.csv", bad.encode())},
                           **bearer(placing["rep"]))
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "文件类型"
    response = client.post(f"{DOCS}/import", {"file": SimpleUploadedFile("d.csv", good.encode())},
                           **bearer(placing["cun"]))
    assert response.status_code == 403


def test_counts_alerts_and_explanations(client, placing, users, document):
    counts = client.get(f"{DOCS}/counts?year=2025", **bearer(users["monitor"]))
    assert counts.json() == {"year": 2025, "documents": 1, "circulations": 0,
                             "by_issuer": {placing["civil"].code: 1}}
    assert client.get(f"{DOCS}/counts", **bearer(placing["rep"])).status_code == 403
    assert client.get(f"{DOCS}/counts?year=99999", **bearer(users["monitor"])).status_code == 400
    alerts = client.get(f"{DOCS}/alerts?year=2025", **bearer(users["monitor"])).json()
    assert [a["rule"] for a in alerts] == ["document.over_last_year"]
    assert client.get(f"{DOCS}/alerts", **bearer(placing["rep"])).status_code == 403
    explained = client.post(f"{DOCS}/explanations", {"issuer": placing["civil"].code, "year": 2025, "text": "新增任务"},
                            content_type="application/json", **bearer(placing["rep"]))
    assert explained.status_code == 200 and explained.json()["count"] == 1 and explained.json()["last_year"] == 0
    assert client.get(f"{DOCS}/alerts?year=2025", **bearer(users["monitor"])).json() == []
    empty = client.post(f"{DOCS}/explanations", {"issuer": placing["civil"].code, "year": 2025, "text": ""},
                        content_type="application/json", **bearer(placing["rep"]))
    assert empty.status_code == 400
    missing = client.post(f"{DOCS}/explanations", {"issuer": placing["civil"].code, "year": 2025, "text": "x"},
                          content_type="application/json", **bearer(placing["cun"]))
    assert missing.status_code == 404


def test_circulation_endpoints(client, placing, county, users):
    sent = client.post(CIRCS, {"title": "春耕通知", "body": "请阅。", "kind": "notice",
                               "recipients": [county["village_a"].code, county["village_b"].code]},
                       content_type="application/json", **bearer(placing["rep"]))
    assert sent.status_code == 201
    body = sent.json()
    assert (body["recipients"], body["read"], len(body["receipts"])) == (2, 0, 2)
    pk = body["id"]
    inbox = client.get(CIRCS, **bearer(placing["cun"])).json()["items"]
    assert [c["id"] for c in inbox] == [pk]
    detail = client.get(f"{CIRCS}/{pk}", **bearer(placing["cun"])).json()
    assert detail["receipts"] is None and detail["read"] == 0
    read = client.post(f"{CIRCS}/{pk}/read", **bearer(placing["cun"])).json()
    assert read["read"] == 1
    reminded = client.post(f"{CIRCS}/{pk}/remind", **bearer(placing["rep"]))
    assert reminded.status_code == 201 and reminded.json()["units"] == [county["village_b"].code]
    again = client.post(f"{CIRCS}/{pk}/remind", **bearer(placing["rep"]))
    assert again.status_code == 400 and again.json()["detail"] == "今天已经催阅过，每天最多催阅一次"
    assert client.post(f"{CIRCS}/{pk}/remind", **bearer(placing["cun"])).status_code == 403
    stats = client.get(f"{CIRCS}/stats", **bearer(placing["rep"])).json()
    assert (stats["sent"], stats["receipts"], stats["read"], stats["read_percent"]) == (1, 2, 1, 50.0)
    grid = bearer(make_user("grid", county["grid_a"], REPORTER))
    for method, url in (("get", f"{CIRCS}/{pk}"), ("post", f"{CIRCS}/{pk}/read"), ("post", f"{CIRCS}/{pk}/remind")):
        assert getattr(client, method)(url, **grid).status_code == 404
    assert client.get(f"{CIRCS}?box=all", **bearer(placing["rep"])).status_code == 400
    assert len(client.get(f"{CIRCS}?box=all", **bearer(users["monitor"])).json()["items"]) == 1
    assert client.get(f"{CIRCS}?box=sent", **bearer(placing["rep"])).json()["items"][0]["read"] == 1
    refused = client.post(CIRCS, {"title": "t", "body": "b", "kind": "notice", "recipients": []},
                          content_type="application/json", **bearer(placing["rep"]))
    assert refused.status_code == 400 and refused.json()["errors"] == {"recipients": ["请选择收文单位"]}
    forbidden = client.post(CIRCS, {"title": "t", "body": "b", "kind": "notice",
                                    "recipients": [county["village_a"].code]},
                            content_type="application/json", **bearer(users["leader"]))
    assert forbidden.status_code == 403
    assert Circulation.objects.count() == 1
