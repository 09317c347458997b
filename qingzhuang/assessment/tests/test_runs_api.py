"""The API of runs, lines, diffs and appeals (/api/v1/assessment/runs, /api/v1/assessment/appeals)."""

from __future__ import annotations

import pytest
from django.db import transaction

from qingzhuang.assessment.models import Appeal, Run
from qingzhuang.assessment.tests.runs_world import compute, publish, world_fixture  # noqa: F401

API = "/api/v1/assessment"


@pytest.fixture
def run(world, users, django_capture_on_commit_callbacks):
    return compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])


def test_the_office_starts_a_run_and_sees_it_finish(world, client, users, django_capture_on_commit_callbacks):
    client.force_login(users["assessment"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/runs", {"scheme": "township-2025", "note": "年终计算"},
                               content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["kind"], body["kind_label"], body["note"], body["published"]) == (
        1, "official", "正式计算", "年终计算", False)
    got = client.get(f"{API}/runs/{body['id']}").json()
    assert (got["job"]["status"], got["job"]["progress"], got["job"]["message"]) == ("succeeded", 100, "已完成：2 个单位")


def test_starting_a_run_is_the_offices(world, client, users):
    client.force_login(users["member"])
    response = client.post(f"{API}/runs", {"scheme": "township-2025"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有考核办可以管理考核方案和成绩"


def test_starting_a_run_with_bad_overrides_is_a_400(world, client, users):
    client.force_login(users["assessment"])
    response = client.post(f"{API}/runs", {"scheme": "township-2025", "kind": "whatif",
                                           "overrides": {"weights": {"ZB0101": 70}}}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "调整后指标权重之和应为 100，现为 110"


def test_starting_a_run_of_an_unknown_scheme_is_a_404(world, client, users):
    client.force_login(users["assessment"])
    response = client.post(f"{API}/runs", {"scheme": "nope"}, content_type="application/json")
    assert response.status_code == 404


def test_publish_and_the_lines_a_township_sees(run, client, users):
    client.force_login(users["member"])
    assert client.get(f"{API}/runs").json() == []
    assert client.get(f"{API}/runs/{run.pk}/lines").status_code == 404
    client.force_login(users["assessment"])
    response = client.post(f"{API}/runs/{run.pk}/publish", {"appeal_days": 5}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["published"] is True
    again = client.post(f"{API}/runs/{run.pk}/publish", {"appeal_days": 5}, content_type="application/json")
    assert (again.status_code, again.json()["detail"]) == (400, "该批次已经发布，不能重复发布")
    assert [line["unit_name"] for line in client.get(f"{API}/runs/{run.pk}/lines").json()] == ["乙镇", "甲镇"]
    client.force_login(users["member"])
    assert [r["id"] for r in client.get(f"{API}/runs").json()] == [run.pk]
    lines = client.get(f"{API}/runs/{run.pk}/lines").json()
    assert [(line["unit_name"], line["total"], line["rank"], line["grade"]) for line in lines] == [
        ("甲镇", "94.00", 2, "良好")]
    detail = client.get(f"{API}/runs/lines/{lines[0]['id']}").json()
    assert detail["detail"]["indicators"][0]["values"][0]["job_file"] == "2025年一季度指标.xlsx"
    other = run.lines.exclude(pk=lines[0]["id"]).get()
    assert client.get(f"{API}/runs/lines/{other.pk}").status_code == 404


def test_publishing_is_the_offices(run, client, users):
    client.force_login(users["member"])
    assert client.post(f"{API}/runs/{run.pk}/publish", {}, content_type="application/json").status_code == 403


def test_lines_refuse_bad_paging(run, client, users):
    client.force_login(users["assessment"])
    assert client.get(f"{API}/runs/{run.pk}/lines?limit=0").status_code == 400
    assert client.get(f"{API}/runs?offset=-1").status_code == 400


def test_diff_of_two_runs(run, client, users, django_capture_on_commit_callbacks):
    whatif = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=run.scheme, kind="whatif",
                     based_on=run, overrides={"weights": {"ZB0101": 40, "ZB0601": 60}})
    client.force_login(users["assessment"])
    diff = client.get(f"{API}/runs/{whatif.pk}/diff?against={run.pk}").json()
    assert [(d["unit_name"], d["old"]["total"], d["new"]["total"]) for d in diff] == [("乙镇", "98.00", "97.00"),
                                                                                       ("甲镇", "94.00", "96.00")]
    assert diff[1]["indicators"][0]["reasons"] == ["权重由 60 改为 40"]
    client.force_login(users["member"])
    assert client.get(f"{API}/runs/{whatif.pk}/diff?against={run.pk}").status_code == 404


def test_appeals_filed_and_answered(run, client, users, county):
    publish(run)
    line = run.lines.get(unit=county["town_a"])
    client.force_login(users["member"])
    response = client.post(f"{API}/appeals", {"line": line.pk, "indicator_code": "ZB0101", "reason": "数据有误"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    appeal_id = response.json()["id"]
    assert [(a["unit_name"], a["status"]) for a in client.get(f"{API}/appeals").json()] == [("甲镇", "open")]
    client.force_login(users["outsider"])
    assert client.get(f"{API}/appeals").json() == []
    client.force_login(users["assessment"])
    answered = client.post(f"{API}/appeals/{appeal_id}/answer", {"status": "upheld", "answer": "已更正"},
                           content_type="application/json")
    assert (answered.status_code, answered.json()["status_label"]) == (200, "已采纳")


def test_appeal_refusals(run, client, users, county):
    line = run.lines.get(unit=county["town_a"])
    client.force_login(users["member"])
    before = client.post(f"{API}/appeals", {"line": line.pk, "reason": "x"}, content_type="application/json")
    assert before.status_code == 404
    publish(run)
    empty = client.post(f"{API}/appeals", {"line": line.pk, "reason": ""}, content_type="application/json")
    assert (empty.status_code, empty.json()["detail"]) == (400, "请填写申诉理由")
    other = run.lines.get(unit=county["town_b"])
    assert client.post(f"{API}/appeals", {"line": other.pk, "reason": "x"},
                       content_type="application/json").status_code == 404
    with transaction.atomic():
        appeal = Appeal.objects.create(line=line, reason="x", filed_by=users["member"])
    answer = client.post(f"{API}/appeals/{appeal.pk}/answer", {"status": "upheld", "answer": "好"},
                         content_type="application/json")
    assert answer.status_code == 403
    assert Run.objects.count() == 1
