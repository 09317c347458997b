"""Violation detection: each rule flags what it names and nothing else; the page and the API are
for county-wide users only; the flags join the county's 减负预警."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from qingzhuang.burden.alerts import all_alerts
from qingzhuang.supervision import violations
from qingzhuang.supervision.models import PlanYear, Visit, VisitResult, VisitStatus
from qingzhuang.supervision.services.visits import visit_create, visit_issue
from qingzhuang.supervision.tests.conftest import make_item


def _messages(year=2025):
    return [(a.rule, a.message, a.level) for a in violations.alerts(year=year)]


def test_a_clean_year_has_no_violation(sv):
    assert violations.alerts(year=2025) == []


def test_unfiled_visit_is_flagged_without_code(sv, county):
    Visit.objects.create(unit=county["town_a"], lead=sv["agri"], date=dt.date(2025, 5, 6),
                         valid_until=dt.date(2025, 5, 6), status=VisitStatus.UNFILED, reported_note="查看耕地台账")
    assert _messages() == [("supervision.no_code", "被检查单位报告检查组未出示检查码：查看耕地台账", "danger")]
    alert = violations.alerts(year=2025)[0]
    assert (alert.subject, alert.unit_name, alert.on) == ("县农业农村局 → 甲镇", "县农业农村局", dt.date(2025, 5, 6))


def test_scored_inspection_and_scoring_titles_are_assessment_as_inspection(sv, county):
    visit = visit_issue(actor=sv["office"], visit=visit_create(
        actor=sv["stats_reporter"], items=[sv["stats_item"]], unit=county["town_a"], date=sv["day"]))
    VisitResult.objects.create(visit=visit, findings="台账不全", conclusion="基本合格", score=Decimal("86"))
    make_item(owner=sv["agri"], title="乡镇耕地保护工作评比", matter="耕地评比", window="2025-Q3")
    make_item(owner=sv["agri"], title="耕地保护考核", matter="耕地考核", window="2025-Q3", kind="assess")
    assert _messages() == [
        ("supervision.assess_as_inspect", "检查事项名称含“评比”", "danger"),
        ("supervision.assess_as_inspect", "1 次检查结果给被检查单位打了分", "danger"),
    ]


def test_one_matter_in_overlapping_windows_is_split(sv, county):
    make_item(owner=county["stats"], title="统计执法检查（村级）", matter="统计执法", window="2025-05")
    make_item(owner=county["stats"], title="统计执法回头看", matter="统计执法", window="2025-Q4")  # no overlap
    make_item(owner=sv["agri"], title="统计数据核查", matter="统计执法", window="2025-05")  # another owner
    assert _messages() == [("supervision.split",
                            "同一事项“统计执法”在重叠的时间窗口内分成 2 项：“统计执法检查”、“统计执法检查（村级）”",
                            "danger")]


def test_visit_beyond_the_targets_is_flagged_with_its_reason(sv, county):
    visit_create(actor=sv["stats_reporter"], items=[sv["stats_item"]], unit=county["village_a"], date=sv["day"],
                 beyond_reason="村级统计台账问题线索")
    assert _messages() == [("supervision.beyond", "甲村不在“统计执法检查”的检查对象内；说明：村级统计台账问题线索",
                            "danger")]


def test_a_year_over_last_year_is_a_breach_until_explained(sv, county):
    make_item(owner=county["stats"], title="2024年统计执法检查", matter="统计执法", window="2024-Q2")
    assert _messages() == [("supervision.over_last_year", "2025年批准 2 项，上年 1 项，多 1 项；未作书面说明", "danger")]
    PlanYear.objects.create(year=2025, explanation="新增耕地保护专项")
    assert _messages() == [("supervision.over_last_year",
                            "2025年批准 2 项，上年 1 项，多 1 项；说明：新增耕地保护专项", "warning")]
    make_item(owner=county["stats"], title="2024年耕地检查", matter="耕地", window="2024-Q3")
    assert _messages() == []


def test_violations_join_the_county_alerts(sv, county):
    Visit.objects.create(unit=county["town_a"], lead=sv["agri"], date=dt.date(2025, 5, 6),
                         valid_until=dt.date(2025, 5, 6), status=VisitStatus.UNFILED, reported_note="查看耕地台账")
    assert [a.rule for a in all_alerts(year=2025)] == ["supervision.no_code"]


@pytest.fixture
def flagged(sv, county):
    Visit.objects.create(unit=county["town_a"], lead=sv["agri"], date=dt.date(2025, 5, 6),
                         valid_until=dt.date(2025, 5, 6), status=VisitStatus.UNFILED, reported_note="查看耕地台账")
    return sv


def test_the_office_sees_the_page_and_exports_it(flagged, client):
    client.force_login(flagged["office"])
    page = client.get("/supervision/violations/?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "被检查单位报告检查组未出示检查码：查看耕地台账" in text and 'data-testid="violation-total">1<' in text
    export = client.get("/supervision/violations/?year=2025&format=xlsx")
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    assert [c.value for c in sheet[1]] == ["日期", "规则", "对象", "情况", "责任单位", "性质"]
    assert [c.value for c in sheet[2]][1:] == ["无码检查（计划外开展）", "县农业农村局 → 甲镇",
                                               "被检查单位报告检查组未出示检查码：查看耕地台账", "县农业农村局", "违规"]


def test_the_page_is_not_for_townships_or_departments(flagged, client, users):
    for user in (users["member"], flagged["stats_reporter"]):
        client.force_login(user)
        assert client.get("/supervision/violations/?year=2025").status_code == 404


def test_page_out_of_range_is_a_400(flagged, client):
    client.force_login(flagged["office"])
    page = client.get("/supervision/violations/?year=2025&page=9")
    assert page.status_code == 400 and "页码 page 应为 1 到 1 之间的整数" in page.content.decode()


def test_api_lists_counts_and_refuses_others(flagged, client, users):
    client.force_login(flagged["office"])
    body = client.get("/api/v1/supervision/violations?year=2025").json()
    assert body["counts"] == {"supervision.no_code": 1, "supervision.assess_as_inspect": 0, "supervision.split": 0,
                              "supervision.beyond": 0, "supervision.over_last_year": 0}
    assert (body["total_this_year"], body["total_last_year"], len(body["items"])) == (2, 0, 1)
    bad = client.get("/api/v1/supervision/violations?year=2025&rule=x")
    assert bad.status_code == 400 and bad.json()["errors"]["rule"] == [
        "没有规则 x；可选：supervision.no_code、supervision.assess_as_inspect、supervision.split、supervision.beyond、"
        "supervision.over_last_year"]
    wrong_year = client.get("/api/v1/supervision/violations?year=1999")
    assert wrong_year.status_code == 400 and wrong_year.json()["errors"]["year"] == ["年份 year 应为 2000 到 2100 之间的整数"]
    client.force_login(users["member"])
    denied = client.get("/api/v1/supervision/violations?year=2025")
    assert denied.status_code == 403 and denied.json()["detail"] == "只有督查室、减负监测员和领导可以查看违规检查"


def test_a_joint_visit_with_an_assessment_may_score(sv, county):
    assess = make_item(owner=county["stats"], title="统计基础建设年度评估", matter="统计基础", kind="assess")
    visit = visit_issue(actor=sv["office"], visit=visit_create(
        actor=sv["office"], items=[sv["stats_item"], assess], unit=county["town_a"], date=sv["day"],
        lead=county["stats"]))
    VisitResult.objects.create(visit=visit, findings="台账齐全", conclusion="合格", score=Decimal("92"))
    assert _messages() == []


def test_the_page_opens_on_the_latest_year_with_a_plan(flagged, client):
    client.force_login(flagged["office"])
    assert "违规检查 · 2025年" in client.get("/supervision/violations/").content.decode()
