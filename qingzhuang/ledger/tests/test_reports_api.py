"""The API of reports, data requests, demands and the burden ledger."""

from __future__ import annotations

import pytest

from qingzhuang.accounts.services import token_create
from qingzhuang.burden.models import Demand
from qingzhuang.ledger.models import Admission, DataRequest, DatasetShare, Report
from qingzhuang.ledger.tests.report_world import build

API = "/api/v1/ledger"
REPORT = {"name": "流动人口分村", "dataset": "population", "group_unit": "village",
          "filters": [{"element": "person_type", "op": "eq", "value": "流动人口"}],
          "manual_fields": ["走访次数"], "target_units": ["429901001201"]}


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


def post(client, path, body=None):
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


@pytest.fixture
def report_id(client, world):
    client.force_login(world.civil_rep)
    response = post(client, "/reports", REPORT)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_create_and_read(client, world, report_id):
    body = client.get(f"{API}/reports/{report_id}").json()
    assert {k: body[k] for k in ("name", "owner_name", "dataset", "admission", "admission_label", "register_status",
                                 "target_units", "manual_fields")} == {
        "name": "流动人口分村", "owner_name": "县民政局", "dataset": "population", "admission": "draft",
        "admission_label": "草稿", "register_status": "keep", "target_units": ["429901001201"],
        "manual_fields": ["走访次数"]}
    listing = client.get(f"{API}/reports").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == report_id


def test_create_refusals(client, world):
    client.force_login(world.civil_rep)
    response = post(client, "/reports", {**REPORT, "aggregate": "sum"})
    assert response.status_code == 400
    assert response.json() == {"detail": "求和或平均值需要选择一个数值字段",
                               "errors": {"measure": ["求和或平均值需要选择一个数值字段"]}}
    assert post(client, "/reports", {**REPORT, "dataset": "nope"}).json()["detail"] == "没有数据集 nope"
    assert post(client, "/reports", {**REPORT, "target_units": ["x"]}).json()["detail"] == "没有这些单位代码：x"
    client.force_login(world.cun)
    response = post(client, "/reports", REPORT)
    assert response.status_code == 403 and response.json()["detail"] == "只有部门填报员可以定义报表"
    assert not Report.objects.exists()


def test_another_departments_report_is_404(client, world, report_id):
    client.force_login(world.stats_rep)
    assert client.get(f"{API}/reports/{report_id}").status_code == 404
    assert post(client, f"/reports/{report_id}/submit").status_code == 404
    assert client.get(f"{API}/reports").json()["count"] == 0


def test_unapproved_send_is_400(client, world, report_id):
    response = post(client, f"/reports/{report_id}/send", {"round": "2025-06"})
    assert response.status_code == 400
    assert response.json()["detail"] == "该报表未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。"
    assert not Demand.objects.exists()


def test_admission_then_send(client, world, report_id):
    assert post(client, f"/reports/{report_id}/submit").json()["admission"] == "pending"
    assert post(client, f"/reports/{report_id}/review", {"approve": True}).status_code == 403
    client.force_login(world.ducha)
    response = post(client, f"/reports/{report_id}/review", {"approve": False})
    assert response.status_code == 400 and response.json()["errors"] == {"note": ["驳回时请写明理由"]}
    assert post(client, f"/reports/{report_id}/review", {"approve": True, "note": "同意"}).json()["admission"] == \
        "approved"
    client.force_login(world.civil_rep)
    response = post(client, f"/reports/{report_id}/send", {"round": "2025-06", "due_date": "2025-07-05"})
    assert response.status_code == 200 and response.json() == {"demands": 1}


def test_register_and_fill(client, world, report_id):
    DatasetShare.objects.create(dataset=world.catalog["population"], unit=world.civil)
    table = post(client, f"/reports/{report_id}/fill").json()
    assert table["headers"] == ["单位代码", "村（社区）", "记录数"]
    assert table["rows"] == [["429901001201", "甲村", 3], ["429901002201", "乙村", 1]]
    assert table["total"] == ["合计", "", 4] and table["matched"] == 4
    assert post(client, f"/reports/{report_id}/register", {"status": "stop", "reason": "x"}).status_code == 403
    client.force_login(world.ducha)
    body = post(client, f"/reports/{report_id}/register", {"status": "stop", "reason": "重复"}).json()
    assert (body["register_status"], body["register_label"]) == ("stop", "停用")
    response = post(client, f"/reports/{report_id}/fill")
    assert response.status_code == 400 and response.json()["detail"].startswith("该报表已在报表清单中停用")


def test_bearer_token(client, world, report_id):
    from django.db import transaction

    with transaction.atomic():
        _, raw = token_create(actor=world.civil_rep, user=world.civil_rep, name="脚本")
    client.logout()
    response = client.get(f"{API}/reports/{report_id}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_data_request_flow(client, world):
    client.force_login(world.civil_rep)
    response = post(client, "/requests", {"title": "低保核查", "fields_text": "身份证号、户籍地址、是否低保、手机号、家中养狗数量",
                                          "target_under": "429901000000"})
    assert response.status_code == 201
    body = response.json()
    assert (body["held_count"], body["remaining_count"], body["not_asked"]) == (2, 3, 4)
    assert [(f["dataset"], f["outcome"], f["held"]) for f in body["fields"]] == [
        ("population", "exact", True), ("population", "related", False), ("population", "related", False),
        ("population", "exact", True), (None, "none", False)]
    request_id = body["id"]
    assert post(client, f"/requests/{request_id}/send").status_code == 400
    post(client, f"/requests/{request_id}/submit")
    client.force_login(world.ducha)
    assert post(client, f"/requests/{request_id}/review", {"approve": True}).json()["admission"] == "approved"
    assert DatasetShare.objects.filter(unit=world.civil).count() == 1
    client.force_login(world.civil_rep)
    assert post(client, f"/requests/{request_id}/send").json() == {"demands": 2}
    assert DataRequest.objects.get().admission == Admission.APPROVED
    client.force_login(world.stats_rep)
    assert client.get(f"{API}/requests/{request_id}").status_code == 404


def test_confirming_a_related_field(client, world):
    client.force_login(world.civil_rep)
    body = post(client, "/requests", {"title": "低保核查", "fields_text": "身份证号、是否低保",
                                      "target_under": "429901000000"}).json()
    request_id, (exact, related) = body["id"], body["fields"]
    assert {k: related[k] for k in ("field", "outcome", "outcome_label", "reason", "confirmed", "held")} == {
        "field": "是否低保", "outcome": "related", "outcome_label": "相近（需确认）", "reason": "代码表含“低保对象”",
        "confirmed": False, "held": False}
    url = f"{API}/requests/{request_id}/fields/{related['id']}/confirm"
    response = client.post(url, {"confirmed": True}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["held_count"], body["remaining_count"], body["not_asked"]) == (2, 0, 4)
    assert {k: body["fields"][1][k] for k in ("outcome_label", "confirmed", "held")} == {
        "outcome_label": "相近（已确认）", "confirmed": True, "held": True}
    # An exact field needs no confirmation.
    response = client.post(f"{API}/requests/{request_id}/fields/{exact['id']}/confirm", {"confirmed": True},
                           content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (400, "只有“相近（需确认）”的字段需要确认")
    # Another department's request is missing; once submitted, the department no longer decides.
    client.force_login(world.stats_rep)
    assert client.post(url, {"confirmed": False}, content_type="application/json").status_code == 404
    client.force_login(world.civil_rep)
    post(client, f"/requests/{request_id}/submit")
    response = client.post(url, {"confirmed": False}, content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (
        403, "相近字段由提出数据需求的部门在草稿时确认，或由督查室在准入审批时确认")


def test_demands_and_burden(client, world):
    client.force_login(world.civil_rep)
    request_id = post(client, "/requests", {"title": "养犬", "fields_text": "家中养狗数量",
                                            "target_units": ["429901001201"]}).json()["id"]
    post(client, f"/requests/{request_id}/submit")
    client.force_login(world.ducha)
    post(client, f"/requests/{request_id}/review", {"approve": True})
    client.force_login(world.civil_rep)
    post(client, f"/requests/{request_id}/send")
    client.force_login(world.cun)
    demands = client.get(f"{API}/demands").json()["items"]
    assert [(d["unit_code"], d["title"], d["fields"], d["status"]) for d in demands] == [
        ("429901001201", "养犬", ["家中养狗数量"], "pending")]
    response = post(client, f"/demands/{demands[0]['id']}/fill", {"data": {}})
    assert response.status_code == 400 and response.json()["detail"] == "请填写：家中养狗数量"
    body = post(client, f"/demands/{demands[0]['id']}/fill", {"data": {"家中养狗数量": "2"}}).json()
    assert body["status"] == "filled"
    burden = client.get(f"{API}/burden").json()["items"]
    assert burden[0] == {"code": "429901001201", "name": "甲村", "kind": "village", "reports": 0, "requests": 1,
                         "submissions": 1, "pending": 0}
    assert client.get(f"{API}/burden/summary").status_code == 403
    client.force_login(world.cun_b)
    assert post(client, f"/demands/{demands[0]['id']}/fill", {"data": {}}).status_code == 404
    client.force_login(world.ducha)
    summary = client.get(f"{API}/burden/summary").json()
    assert (summary["submissions"], summary["not_asked"], summary["grassroots_units"]) == (1, 0, 5)


def test_the_api_refuses_the_targets_the_form_refuses(client, world):
    """Targets go through one ``resolve_targets``: a village is no 填报单位范围 on the page (not a
    choice) nor in the API (it used to take every village below any unit)."""
    client.force_login(world.civil_rep)
    message = "填报单位范围只能选择全县或某个乡镇（街道）：429901001201"
    response = post(client, "/reports", {**REPORT, "target_under": "429901001201"})
    assert response.status_code == 400 and response.json()["detail"] == message
    response = post(client, "/requests", {"title": "养犬登记", "fields_text": "家中养狗数量",
                                          "target_under": "429901001201"})
    assert response.status_code == 400 and response.json()["detail"] == message
    page = client.post("/ledger/reports/new/", {
        "dataset": "population", "name": "x", "aggregate": "count", "filter_op_1": "eq", "filter_op_2": "eq",
        "filter_op_3": "eq", "target_under": "429901001201"}).content.decode()
    assert "429901001201" in page and "选择一个有效的选项" in page
    assert not Report.objects.exists() and not DataRequest.objects.exists()
