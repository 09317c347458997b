"""工作问效 API: list, detail, create, cancel, node reports, review, cards and stats; refusals with
their messages, 404 for another unit's task, 403 for a wrong role."""

from __future__ import annotations

import pytest

from qingzhuang.supervision.tests.task_world import make_task

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/tasks"


def test_create_list_detail(client, tw):
    client.force_login(tw["office"])
    response = client.post(BASE, {"title": "统计执法整改", "assignee": tw["stats"].code,
                                  "nodes": [{"title": "整改完成", "due": "2025-06-30", "target_value": "3"}]},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee_name"] == "县统计局" and body["nodes"][0]["status"] == "open"
    listed = client.get(BASE).json()
    assert listed["count"] == 1 and listed["items"][0]["red_cards"] == 1  # 2025-06-30 is past
    assert client.get(f"{BASE}/{body['id']}").json()["nodes"][0]["cards"] == ["red"]


def test_create_refusals(client, tw):
    client.force_login(tw["office"])
    response = client.post(BASE, {"title": "x", "assignee": tw["village_a"].code, "nodes": []},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"assignee": ["责任单位应为县直部门或乡镇（街道）：甲村"],
                                         "nodes": ["请至少设置一个时间节点"]}
    client.force_login(tw["stats_reporter"])
    response = client.post(BASE, {"title": "x", "assignee": tw["stats"].code,
                                  "nodes": [{"title": "a", "due": "2025-01-01"}]}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有县委（政府）督查室可以交办和审核工作问效任务"


def test_report_review_cancel(client, tw):
    task = make_task(tw)
    node = task.nodes.first()
    client.force_login(tw["stats_reporter"])
    response = client.post(f"{BASE}/nodes/{node.pk}/reports", {"text": "已完成", "value": "1"},
                           content_type="application/json")
    assert response.status_code == 201
    report_id = response.json()["nodes"][0]["reports"][0]["id"]
    client.force_login(tw["office"])
    response = client.post(f"{BASE}/reports/{report_id}/review", {"approve": False},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"guidance": ["退回时请填写审核意见，指导责任单位如何补充"]}
    response = client.post(f"{BASE}/reports/{report_id}/review", {"approve": True}, content_type="application/json")
    assert response.json()["nodes"][0]["status"] == "approved"
    response = client.post(f"{BASE}/{task.pk}/cancel", {"reason": "工作调整"}, content_type="application/json")
    assert response.json()["status"] == "cancelled"


def test_scope_and_roles(client, tw, users):
    task = make_task(tw)
    node = task.nodes.first()
    client.force_login(tw["agri_reporter"])
    assert client.get(f"{BASE}/{task.pk}").status_code == 404
    assert client.post(f"{BASE}/nodes/{node.pk}/reports", {"text": "x"},
                       content_type="application/json").status_code == 404
    assert client.get(BASE).json()["count"] == 0
    client.force_login(tw["stats_reporter"])
    assert client.get(f"{BASE}/stats").status_code == 403
    assert client.post(f"{BASE}/{task.pk}/cancel", {"reason": "x"}, content_type="application/json").status_code == 403
    client.force_login(users["auditor"])
    assert client.get(BASE).status_code == 403


def test_cards_and_stats(client, tw):
    make_task(tw)
    client.force_login(tw["office"])
    cards = client.get(f"{BASE}/cards?kind=red").json()
    assert cards["count"] == 2 and {c["node_title"] for c in cards["items"]} == {"完成方案", "全部完成"}
    assert client.get(f"{BASE}/cards?kind=blue").status_code == 400
    stats = client.get(f"{BASE}/stats?year=2025").json()
    row = stats["assignees"][0]
    assert (row["assignee_name"], row["due"], row["on_time"], row["red"]) == ("县统计局", 2, 0, 2)
    assert sum(stats["months"]["red"]) == 0  # issued today, not in 2025
