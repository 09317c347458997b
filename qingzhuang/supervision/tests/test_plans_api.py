"""The API of the annual plan and merges (/api/v1/supervision/plans)."""

from __future__ import annotations

import io

from django.db import transaction
from openpyxl import load_workbook

from qingzhuang.accounts.services import token_create
from qingzhuang.burden.admission import Admission
from qingzhuang.supervision.models import MergeProposal, PlanItem, Visit
from qingzhuang.supervision.services import plans

API = "/api/v1/supervision/plans"


def bearer(user) -> dict:
    with transaction.atomic():
        _, raw = token_create(actor=user, user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def payload(**extra) -> dict:
    return {"title": "=HYPERLINK(\"x\")秸秆禁烧督查", "basis": "县委常委会议定事项", "kind": "supervise",
            "matter": "秸秆禁烧", "window": "2025-06", "target_kinds": ["township"], **extra}


def test_propose_submit_review_and_read(client, sv, county):
    reporter, office = bearer(sv["stats_reporter"]), bearer(sv["office"])
    made = client.post(f"{API}/items", payload(target_units=[county["village_a"].code]),
                       content_type="application/json", **reporter)
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["owner_code"], body["admission"], body["target_units"], body["materials"]) == (
        county["stats"].code, "draft", [county["village_a"].code], "")
    assert client.post(f"{API}/items/{body['id']}/submit", **reporter).json()["admission"] == "pending"
    reviewed = client.post(f"{API}/items/{body['id']}/review", {"approve": True}, content_type="application/json",
                           **office)
    assert reviewed.status_code == 200 and reviewed.json()["admission"] == "approved"
    listed = client.get(f"{API}/items?year=2025&status=approved", **office).json()
    assert listed["count"] == 3
    year = client.get(f"{API}/years/2025", **office).json()
    assert (year["total"], year["last_year"], year["over"]) == (3, 0, False)


def test_refusals(client, sv, county, users):
    reporter = bearer(sv["stats_reporter"])
    bad = client.post(f"{API}/items", payload(window="2025年6月"), content_type="application/json", **reporter)
    assert bad.status_code == 400 and bad.json()["errors"] == {"window": [plans.M_WINDOW]}
    cadre = client.post(f"{API}/items", payload(), content_type="application/json", **bearer(users["member"]))
    assert cadre.status_code == 403 and cadre.json()["detail"] == plans.M_PROPOSE
    foreign = client.get(f"{API}/items/{sv['agri_item'].pk}", **reporter)
    assert foreign.status_code == 404
    review = client.post(f"{API}/items/{sv['stats_item'].pk}/review", {"approve": True},
                         content_type="application/json", **reporter)
    assert review.status_code == 403
    assert client.get(f"{API}/years/2025", **reporter).status_code == 403
    assert client.get(f"{API}/years/99999", **bearer(sv["office"])).status_code == 400
    assert client.get(f"{API}/merges", **reporter).status_code == 403


def test_explanation(client, sv):
    office = bearer(sv["office"])
    empty = client.post(f"{API}/years/2025/explanation", {"explanation": ""}, content_type="application/json", **office)
    assert empty.status_code == 400 and empty.json()["errors"] == {"explanation": [plans.M_EXPLANATION]}
    done = client.post(f"{API}/years/2025/explanation", {"explanation": "新增专项任务"}, content_type="application/json",
                       **office)
    assert done.status_code == 200 and done.json()["explanation"] == "新增专项任务"


def test_merges_find_accept_and_reject(client, sv, county):
    office = bearer(sv["office"])
    found = client.post(f"{API}/merges/find", {"year": 2025}, content_type="application/json", **office).json()
    assert len(found) == 1 and found[0]["visits_saved"] == 2 and found[0]["status"] == "proposed"
    merge_id = found[0]["id"]
    bad = client.post(f"{API}/merges/{merge_id}/accept", {"lead": county["office"].code, "date": "2025-05-12"},
                      content_type="application/json", **office)
    assert bad.status_code == 400 and bad.json()["errors"] == {"lead": [plans.M_LEAD]}
    accepted = client.post(f"{API}/merges/{merge_id}/accept", {"lead": county["stats"].code, "date": "2025-05-12"},
                           content_type="application/json", **office)
    assert accepted.status_code == 200 and accepted.json()["visits"] == 2
    assert Visit.objects.filter(merge_id=merge_id).count() == 2
    again = client.post(f"{API}/merges/{merge_id}/reject", {"note": "x"}, content_type="application/json", **office)
    assert again.status_code == 400 and again.json()["detail"] == plans.M_DECIDED
    listed = client.get(f"{API}/merges?year=2025", **office).json()
    assert listed["count"] == 1 and listed["items"][0]["lead_code"] == county["stats"].code


def test_export_writes_formulas_as_text(client, sv, county):
    item = PlanItem.objects.get(pk=sv["stats_item"].pk)
    item.title = "=1+1"
    item.save()
    response = client.get(f"{API}/export?year=2025", **bearer(sv["office"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "名称" and len(rows) == 3
    titles = [r[0] for r in rows[1:]]
    assert all(not str(t).startswith("=") for t in titles)
    assert {r[8] for r in rows[1:]} == {plans.NO_MATERIALS}
    assert MergeProposal.objects.count() == 0 and Admission.APPROVED == "approved"
