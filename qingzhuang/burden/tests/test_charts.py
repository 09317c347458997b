"""The burden's workbench charts (``Module.charts``): demands on grassroots units by month."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden import queries, services
from qingzhuang.burden.models import DemandKind


def place(actor, source, units, day: dt.date, kind=DemandKind.MEETING, round_=""):
    """Place demands as if on ``day`` (the demand's month is the local date it was placed)."""
    with transaction.atomic(), mock.patch.object(services.timezone, "localdate", return_value=day):
        return services.demand_place(actor=actor, source=source, kind=kind, units=units, title="任务",
                                     round=round_)


@pytest.fixture
def months(county, placing):
    """This January: a meeting for 甲村 and 乙村, a document for 甲村一网格; last March: a report
    for 甲村 and 乙村."""
    year = timezone.localdate().year
    rep, civil = placing["rep"], placing["civil"]
    place(rep, civil, [county["village_a"], county["village_b"]], dt.date(year, 1, 10), round_="1")
    place(rep, civil, [county["grid_a"]], dt.date(year, 1, 20), kind=DemandKind.DOCUMENT, round_="2")
    place(rep, civil, [county["village_a"], county["village_b"]], dt.date(year - 1, 3, 5),
          kind=DemandKind.REPORT, round_="3")
    return placing


def this_year(first: int) -> list:
    """January's count, zeros until this month, no value (None) for the months to come."""
    month = timezone.localdate().month
    return [first] + [0] * (month - 1) + [None] * (12 - month)


def series(chart) -> dict:
    return {s["name"]: s["data"] for s in chart.option["series"]}


def test_county_sees_all_grassroots_units_this_year_against_last(months, users):
    year = timezone.localdate().year
    for user in (months["ducha"], users["leader"], users["monitor"]):
        [chart] = queries.charts(user)
        assert chart.key == "burden-by-month" and chart.empty == ""
        assert chart.title == f"全县基层单位每月收到的任务：{year}年与{year - 1}年"
        assert series(chart) == {f"{year - 1}年": [0, 0, 2] + [0] * 9, f"{year}年": this_year(3)}
        assert chart.option["xAxis"]["data"][0] == "1月" and chart.unit == "项"


def test_a_township_sees_its_own_units_by_kind_not_another_townships(months, users):
    [chart] = queries.charts(users["member"])
    assert chart.key == "burden-own-by-month"
    assert series(chart) == {"会议": this_year(1), "文件": this_year(1)}
    assert chart.note.startswith(f"{timezone.localdate().year}年共2项")
    [chart] = queries.charts(users["outsider"])
    assert series(chart) == {"会议": this_year(1)}
    [chart] = queries.charts(months["cun"])
    assert series(chart) == {"会议": this_year(1), "文件": this_year(1)}


def test_counts_by_month(months, users):
    year = timezone.localdate().year
    assert queries.demands_by_month(users["member"], year=year - 1) == [0, 0, 1] + [0] * 9
    assert queries.demands_by_month(users["outsider"], year=year)[0] == 1
    assert queries.demands_by_month_and_kind(users["member"], year=year - 1) == {"report": [0, 0, 1] + [0] * 9}


def test_a_department_without_grassroots_units_gets_no_burden_chart(months):
    assert queries.charts(months["rep"]) == []


def test_empty_state_when_nothing_was_asked(county, users):
    [chart] = queries.charts(users["leader"])
    assert chart.empty == "今年和去年都还没有向基层单位下发过任务。"
    [chart] = queries.charts(users["member"])
    assert chart.empty == f"{timezone.localdate().year}年还没有派给本单位的任务。"


def test_the_chart_opens_on_the_latest_year_with_work(placing, users, county):
    """Early in a year (and in the demo county, whose work is in earlier years) the chart shows the
    latest year with demands, as the burden pages do, not an empty current year."""
    from qingzhuang.burden.models import Demand

    year = timezone.localdate().year - 2
    place(placing["rep"], placing["civil"], [county["village_a"]], dt.date(year, 5, 10), round_="old")
    Demand.objects.update(created_at=dt.datetime(year, 5, 10, 8, tzinfo=dt.timezone.utc))
    (chart,) = queries.charts(users["leader"])
    assert chart.title == f"全县基层单位每月收到的任务：{year}年与{year - 1}年"
    assert chart.note.startswith(f"{year}年全年共1项，{year - 1}年0项。")
