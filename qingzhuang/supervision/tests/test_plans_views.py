"""The pages of the annual plan and merges."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from qingzhuang.burden.admission import Admission
from qingzhuang.supervision.models import MergeProposal, MergeStatus, PlanItem, Visit
from qingzhuang.supervision.services import plans
from qingzhuang.supervision.tests.conftest import make_item

FORM = {"title": "森林防火检查", "kind": "inspect", "matter": "森林防火", "basis": "《森林防火条例》",
        "window": "2025-Q4", "method": "four_nots", "target_kinds": ["township"], "target_under": "",
        "target_codes": "", "materials": "", "in_plan": "on", "oneoff_reason": ""}


def test_a_department_proposes_and_submits_on_the_pages(client, sv, county):
    client.force_login(sv["stats_reporter"])
    page = client.get("/supervision/plans/new/")
    assert page.status_code == 200 and "不要求基层提供材料" in page.content.decode()
    response = client.post("/supervision/plans/new/", FORM)
    assert response.status_code == 302
    item = PlanItem.objects.get(title="森林防火检查")
    assert (item.owner, item.method, item.admission) == (county["stats"], "four_nots", Admission.DRAFT)
    detail = client.get(f"/supervision/plans/items/{item.pk}/").content.decode()
    assert "不要求基层提供材料" in detail and "四不两直" in detail and "全部乡镇" in detail
    client.post(f"/supervision/plans/items/{item.pk}/submit/")
    item.refresh_from_db()
    assert item.admission == Admission.PENDING


def test_bad_form_shows_the_message_by_field(client, sv):
    client.force_login(sv["stats_reporter"])
    response = client.post("/supervision/plans/new/", {**FORM, "in_plan": "", "window": "2025-Q5"})
    body = response.content.decode()
    assert response.status_code == 200 and plans.M_WINDOW in body and plans.M_ONEOFF in body
    assert not PlanItem.objects.filter(title="森林防火检查").exists()


def test_wrong_roles_and_other_departments(client, sv, users):
    client.force_login(users["member"])
    assert client.get("/supervision/plans/new/").status_code == 403
    assert client.get("/supervision/plans/review/").status_code == 403
    assert client.get("/supervision/merges/").status_code == 403
    client.force_login(sv["stats_reporter"])
    assert client.get(f"/supervision/plans/items/{sv['agri_item'].pk}/").status_code == 404
    assert client.post(f"/supervision/plans/items/{sv['stats_item'].pk}/review/",
                       {"decision": "approve"}).status_code == 403
    assert client.post("/supervision/plans/2025/explain/", {"explanation": "x"}).status_code == 403


def test_the_office_sees_totals_approves_from_the_queue_and_exports(client, sv, county):
    make_item(owner=county["stats"], window="2024-Q2", title="上年检查")
    pending = make_item(owner=county["stats"], title="待批事项", window="2025-Q4", admission=Admission.PENDING)
    client.force_login(sv["office"])
    page = client.get("/supervision/plans/?year=2025").content.decode()
    assert "2025年已批准" in page and "2 项" in page and "2024年已批准" in page and "超过上年且未说明" in page
    queue = client.get("/supervision/plans/review/").content.decode()
    assert "待批事项" in queue
    response = client.post(f"/supervision/plans/items/{pending.pk}/review/", {"decision": "approve", "next": "queue"},
                           follow=True)
    assert "批准后2025年督查检查考核事项将为 3 项，超过2024年的 1 项" in response.content.decode()
    client.post("/supervision/plans/2025/explain/", {"explanation": "新增森林防火专项"})
    client.post(f"/supervision/plans/items/{pending.pk}/review/", {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.admission == Admission.APPROVED
    export = client.get("/supervision/plans/?year=2025&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert len(list(sheet.iter_rows(values_only=True))) == 4


def test_a_township_cadre_sees_the_items_on_it(client, sv, users):
    client.force_login(users["member"])
    page = client.get("/supervision/plans/?year=2025").content.decode()
    assert "统计执法检查" in page and "耕地保护检查" in page and "plan-totals" not in page


def test_merge_pages_find_accept_and_reject(client, sv, county):
    client.force_login(sv["office"])
    client.post("/supervision/merges/find/", {"year": "2025"})
    proposal = MergeProposal.objects.get()
    page = client.get("/supervision/merges/?year=2025").content.decode()
    assert "可减少进门 2 次" in page
    bad = client.post(f"/supervision/merges/{proposal.pk}/accept/", {"lead": county["stats"].pk, "date": "2025-08-01"})
    assert bad.status_code == 400 and "检查日期应在 2025-04-01 到 2025-06-30 之间" in bad.content.decode()
    client.post(f"/supervision/merges/{proposal.pk}/accept/", {"lead": county["stats"].pk, "date": "2025-05-08",
                                                             "team": "联合检查组"})
    proposal.refresh_from_db()
    assert proposal.status == MergeStatus.ACCEPTED and Visit.objects.filter(merge=proposal).count() == 2
    assert "2 次" in client.get("/supervision/merges/?year=2025").content.decode()
    client.force_login(sv["stats_reporter"])
    assert client.get(f"/supervision/merges/{proposal.pk}/").status_code == 403


def test_workbench_todos(sv, county):
    from qingzhuang.supervision.queries import todos

    make_item(owner=county["stats"], title="待批事项", window="2025-Q4", admission=Admission.PENDING)
    make_item(owner=county["stats"], title="被驳回事项", window="2025-Q4", admission=Admission.REJECTED)
    plans.merges_find(year=2025)
    assert [(t.label, t.count) for t in todos(sv["office"])] == [
        ("项督查检查事项待审批", 1), ("条合并检查建议待决定", 1)]
    assert [(t.label, t.count) for t in todos(sv["stats_reporter"])] == [("项督查检查事项被驳回待修改", 1)]
    assert todos(sv["agri_reporter"]) == []
