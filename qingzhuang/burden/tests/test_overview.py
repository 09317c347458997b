"""The county overview (减负总览) and the alerts page: figures against last year and the target."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from qingzhuang.burden import alerts, overview, services
from qingzhuang.burden.alerts import Alert
from qingzhuang.burden.models import DemandKind

YEAR = 2025


def line(this_year, last_year, target):
    return overview.Line("documents", "发文", "件", this_year, last_year, target, "")


def test_a_line_says_how_it_moved_against_the_target():
    assert line(70, 100, 70).verdict == "下降 30.0%，已达到压减30%的目标（不超过 70 件）"
    assert line(71, 100, 70).verdict == "下降 29.0%，未达到压减30%的目标：不应超过 70 件，还多 1 件"
    assert line(120, 100, 70).verdict == "上升 20.0%，未达到压减30%的目标：不应超过 70 件，还多 50 件"
    assert line(100, 100, 70).verdict == "持平，未达到压减30%的目标：不应超过 70 件，还多 30 件"
    assert line(5, 0, None).verdict == "去年无发文记录，无法比较"
    assert (line(5, 0, None).change, line(5, 0, None).met) == (None, None)


@pytest.fixture
def counters(monkeypatch):
    """Registries stand in: documents 100 → 69, meetings 10 → 8, groups none last year."""
    figures = {"documents": {YEAR - 1: 100, YEAR: 69}, "meetings": {YEAR - 1: 10, YEAR: 8},
               "groups": {YEAR - 1: 0, YEAR: 4}}

    def fixed(key):
        return lambda *, year: figures[key].get(year, 0)

    rows = tuple((key, label, measure, fixed(key) if key in figures else counter, note)
                 for key, label, measure, counter, note in overview.COUNTERS)
    monkeypatch.setattr(overview, "COUNTERS", rows)


def place(actor, source, units, *, kind, month, hours=None, round=""):
    with transaction.atomic():
        services.demand_place(actor=actor, source=source, kind=kind, units=units, title="任务", month=month,
                              hours=hours, round=round)


def test_lines_count_each_registry_and_the_demands(counters, county, placing):
    a, b = county["village_a"], county["village_b"]
    place(placing["rep"], placing["civil"], [a, b], kind=DemandKind.REPORT, month=f"{YEAR - 1}-05", round="1")
    place(placing["rep"], placing["civil"], [a], kind=DemandKind.REPORT, month=f"{YEAR}-05", round="2")
    place(placing["rep"], county["stats"], [a], kind=DemandKind.INSPECTION, month=f"{YEAR}-07")
    rows = {row.key: row for row in overview.lines(year=YEAR)}
    assert [(r.this_year, r.last_year, r.target, r.met) for r in rows.values()] == [
        (69, 100, 70, True), (8, 10, 7, False), (4, 0, None, None), (1, 0, None, None), (1, 2, 1, True)]
    assert rows["documents"].change == Decimal("-31.0")


def test_placers_rank_by_hours_with_last_years(county, placing):
    a, b = county["village_a"], county["village_b"]
    place(placing["rep"], placing["civil"], [a, b], kind=DemandKind.MEETING, month=f"{YEAR}-03")  # 2 × 3 h
    place(placing["ducha"], county["stats"], [a], kind=DemandKind.INSPECTION, month=f"{YEAR}-04")  # 8 h
    place(placing["rep"], placing["civil"], [a], kind=DemandKind.MEETING, month=f"{YEAR - 1}-03", round="x",
          hours=Decimal("12"))
    ranked = overview.placers(year=YEAR)
    assert [(p.unit.name, p.count, p.hours, p.last_count, p.last_hours, p.change) for p in ranked] == [
        ("县委办公室", 1, Decimal("8.00"), 0, Decimal(0), None),
        ("县民政局", 2, Decimal("6.00"), 1, Decimal("12.00"), Decimal("-50.0")),
    ]


def test_the_treemap_sums_villages_and_grids_under_their_township(county, placing):
    place(placing["rep"], placing["civil"], [county["village_a"], county["grid_a"], county["town_a"]],
          kind=DemandKind.MEETING, month=f"{YEAR}-03")
    chart = overview.treemap(year=YEAR)
    assert chart.option["series"][0]["data"] == [
        {"name": "甲镇", "value": 9.0, "children": [
            {"name": "甲镇本级", "value": 3.0, "count": 1}, {"name": "甲村", "value": 6.0, "count": 2}]}]
    assert chart.note.startswith("面积为估算工时（人·小时），全县基层共 9.0 人·小时")
    assert overview.treemap(year=YEAR - 1).empty == f"{YEAR - 1}年还没有派到基层的任务。"


def fake_alerts(*, year):
    return [Alert("document.too_long", "专项文件超过4000字", "青民发〔2025〕3号", "专项文件 4,001 字，超过 4,000 字",
                  "县民政局", "/burden/", dt.date(year, 3, 1), "danger"),
            Alert("group.no_owner", "工作群无群主", "防汛群", "没有群主", "甲镇", "/burden/", dt.date(year, 5, 1))]


def test_the_overview_and_alerts_pages_for_county_readers(counters, client, county, placing, monkeypatch):
    monkeypatch.setattr(alerts, "ALERT_SOURCES", ("qingzhuang.burden.tests.test_overview:fake_alerts",))
    client.force_login(placing["ducha"])
    page = client.get(reverse("burden:overview") + f"?year={YEAR}")
    assert page.status_code == 200
    assert (page.context["alert_count"], page.context["met"], page.context["measured"]) == (2, 1, 2)
    body = page.content.decode()
    assert "下降 31.0%，已达到压减30%的目标（不超过 70 件）" in body and "工作群无群主" in body
    listed = client.get(reverse("burden:alerts") + f"?year={YEAR}&rule=工作群无群主")
    assert [a.subject for a in listed.context["rows"]] == ["防汛群"]
    assert (listed.context["total"], listed.context["danger"], listed.context["warning"]) == (2, 1, 1)
    assert client.get(reverse("burden:alerts") + "?page=9").status_code == 400


def test_a_township_or_a_department_gets_no_overview(client, county, placing):
    for user in (placing["town_a_rep"], placing["rep"]):
        client.force_login(user)
        assert client.get(reverse("burden:overview")).status_code == 404
        assert client.get(reverse("burden:alerts")).status_code == 404


def test_groups_at_year_end_leave_out_those_dissolved(county):
    from qingzhuang.burden.models import WorkGroup
    from qingzhuang.burden.queries_registries import groups_at_year_end

    def group(created, closed=None):
        WorkGroup.objects.create(name="群", owner_unit=county["stats"], platform="wechat", created_on=created,
                                 closed_on=closed)

    group(dt.date(2023, 5, 1))  # open ever since
    group(dt.date(2024, 3, 1), closed=dt.date(2025, 6, 30))  # dissolved in 2025
    group(dt.date(2024, 12, 31), closed=dt.date(2024, 12, 31))  # dissolved the day it was set up
    group(dt.date(2025, 2, 1))
    assert [groups_at_year_end(year=y) for y in (2023, 2024, 2025)] == [1, 2, 2]
