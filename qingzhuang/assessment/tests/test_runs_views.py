"""The 成绩单 pages: run list (start, publish), diff, appeals (file, answer)."""

from __future__ import annotations

import pytest

from qingzhuang.assessment.models import Appeal, Run
from qingzhuang.assessment.tests.runs_world import compute, publish, world_fixture  # noqa: F401


@pytest.fixture
def run(world, users, django_capture_on_commit_callbacks):
    return compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])


def test_the_office_sees_every_run_with_a_start_form(run, client, users):
    client.force_login(users["assessment"])
    response = client.get("/assessment/runs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="run-start"' in body
    assert body.count('data-testid="run-row"') == 1
    assert f'href="/assessment/runs/{run.pk}/"' in body
    assert 'data-testid="run-publish"' in body


def test_the_office_starts_and_publishes_from_the_page(world, client, users, django_capture_on_commit_callbacks):
    client.force_login(users["assessment"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assessment/runs/start/", {"scheme": world["scheme"].pk, "kind": "official",
                                                           "note": "年终"})
    assert response.status_code == 302
    run = Run.objects.get()
    assert (run.number, run.status, run.note) == (1, "succeeded", "年终")
    response = client.post(f"/assessment/runs/{run.pk}/publish/", {"appeal_days": "20"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_published


def test_publish_page_shows_the_chinese_refusal(run, client, users):
    client.force_login(users["assessment"])
    response = client.post(f"/assessment/runs/{run.pk}/publish/", {"appeal_days": "0"}, follow=True)
    assert "申诉期应为 1 到 90 天" in response.content.decode()
    assert not Run.objects.get(pk=run.pk).is_published


def test_a_township_sees_only_published_runs_and_cannot_start(run, client, users):
    client.force_login(users["member"])
    body = client.get("/assessment/runs/").content.decode()
    assert 'data-testid="run-empty"' in body and 'data-testid="run-start"' not in body
    assert client.post("/assessment/runs/start/", {"scheme": run.scheme.pk}).status_code == 403
    assert client.post(f"/assessment/runs/{run.pk}/publish/", {"appeal_days": "5"}).status_code == 403
    publish(run)
    body = client.get("/assessment/runs/").content.decode()
    assert body.count('data-testid="run-row"') == 1
    assert "甲镇：94.00 分，第2名" in body and "乙镇" not in body


def test_the_diff_page_names_what_changed(run, client, users, django_capture_on_commit_callbacks):
    whatif = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=run.scheme, kind="whatif",
                     based_on=run, overrides={"weights": {"ZB0101": 40, "ZB0601": 60}})
    client.force_login(users["assessment"])
    response = client.get(f"/assessment/runs/{whatif.pk}/diff/?against={run.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="diff-row"') == 2
    assert "权重由 60 改为 40" in body
    # 甲镇: 90 of a target of 100 is 90 points of the indicator, 54.00 at weight 60 and 36.00 at 40.
    assert "计分 54.00 → 36.00" in body
    client.force_login(users["member"])
    assert client.get(f"/assessment/runs/{whatif.pk}/diff/?against={run.pk}").status_code == 404


def test_a_township_files_an_appeal_and_the_office_answers(run, client, users, county):
    publish(run)
    line = run.lines.get(unit=county["town_a"])
    client.force_login(users["member"])
    response = client.post(f"/assessment/lines/{line.pk}/appeal/", {"reason": "3月数据有误", "indicator_code": ""})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.reason, appeal.filed_by) == ("3月数据有误", users["member"])
    body = client.get("/assessment/appeals/").content.decode()
    assert body.count('data-testid="appeal-row"') == 1 and 'data-testid="appeal-answer"' not in body
    client.force_login(users["outsider"])
    assert 'data-testid="appeal-row"' not in client.get("/assessment/appeals/").content.decode()
    client.force_login(users["assessment"])
    assert 'data-testid="appeal-answer"' in client.get("/assessment/appeals/").content.decode()
    response = client.post(f"/assessment/appeals/{appeal.pk}/answer/", {f"a{appeal.pk}-status": "rejected",
                                                                       f"a{appeal.pk}-answer": "以统计局数据为准"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer) == ("rejected", "以统计局数据为准")


def test_appeal_page_refusals(run, client, users, county):
    line = run.lines.get(unit=county["town_a"])
    client.force_login(users["member"])
    assert client.post(f"/assessment/lines/{line.pk}/appeal/", {"reason": "x"}).status_code == 404
    publish(run)
    other = run.lines.get(unit=county["town_b"])
    assert client.post(f"/assessment/lines/{other.pk}/appeal/", {"reason": "x"}).status_code == 404
    response = client.post(f"/assessment/lines/{line.pk}/appeal/", {"reason": ""}, follow=True)
    assert "请填写申诉理由" in response.content.decode()
    assert not Appeal.objects.exists()
    appeal = Appeal.objects.create(line=line, reason="x", filed_by=users["member"])
    assert client.post(f"/assessment/appeals/{appeal.pk}/answer/", {}).status_code == 403


def test_answer_form_refuses_an_empty_answer(run, client, users, county):
    publish(run)
    appeal = Appeal.objects.create(line=run.lines.get(unit=county["town_a"]), reason="x", filed_by=users["member"])
    client.force_login(users["assessment"])
    response = client.post(f"/assessment/appeals/{appeal.pk}/answer/", {f"a{appeal.pk}-status": "upheld"}, follow=True)
    assert "请填写答复内容" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_run_list_page_out_of_range_is_a_400(run, client, users):
    client.force_login(users["assessment"])
    assert client.get("/assessment/runs/?page=9").status_code == 400


def test_the_office_is_told_which_values_are_still_missing(run, client, users):
    # 2 townships × 2 indicators × 12 months expected, 11 values reported (all months are past due).
    client.force_login(users["assessment"])
    body = client.get("/assessment/runs/").content.decode()
    assert ('2025年度乡镇综合考核还有 <strong>37</strong> 项指标数据已过报送期限仍未报送' in body
            and "?scheme=township-2025" in body)


def test_a_leader_is_not_shown_the_missing_values(run, client, users):
    publish(run)
    client.force_login(users["leader"])
    body = client.get("/assessment/runs/").content.decode()
    assert 'data-testid="run-gap"' not in body


def test_a_what_if_with_typed_changes_from_the_page(world, client, users, django_capture_on_commit_callbacks):
    client.force_login(users["assessment"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assessment/runs/start/", {
            "scheme": world["scheme"].pk, "kind": "whatif", "note": "试算",
            "adjust": "ZB0101 权重 70\nZB0601 权重：30\nZB0101 target=50"})
    assert response.status_code == 302
    run = Run.objects.get()
    assert (run.kind, run.status) == ("whatif", "succeeded")
    assert run.inputs["overrides"] == {"weights": {"ZB0101": "70", "ZB0601": "30"},
                                       "params": {"ZB0101": {"target": "50"}}}


@pytest.mark.parametrize(("kind", "adjust", "message"), [
    ("whatif", "ZB0101 权重", "第1行应为“指标代码 权重 数值”或“指标代码 参数名 数值”：ZB0101 权重"),
    ("whatif", "ZB0101 权重 70", "调整后指标权重之和应为 100，现为 110"),
    ("official", "ZB0101 权重 60", "只有模拟测算可以调整权重和参数"),
])
def test_what_if_changes_are_refused_with_the_reason(world, client, users, kind, adjust, message):
    client.force_login(users["assessment"])
    response = client.post("/assessment/runs/start/", {"scheme": world["scheme"].pk, "kind": kind,
                                                       "adjust": adjust}, follow=True)
    assert message in response.content.decode()
    assert not Run.objects.exists()
