"""The ledger's workbench chart (``Module.charts``): which months a department's own indicators
were reported, and the waiting-imports to-do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_user
from qingzhuang.ledger.models import Indicator, IndicatorValue
from qingzhuang.ledger.queries.indicators import charts
from qingzhuang.orgs.roles import REPORTER

JUNE = dt.date(2026, 6, 15)


@pytest.fixture
def reported(county):
    """统计局 reports 地区生产总值 (June: 甲村 and 乙村; May: 甲村; a year before: 甲村) and 常住人口
    (nothing); 县委办 reports 会议数 (June: 甲村)."""
    gdp = Indicator.objects.create(code="gdp", name="地区生产总值", owner=county["stats"])
    Indicator.objects.create(code="people", name="常住人口", owner=county["stats"])
    meetings = Indicator.objects.create(code="meetings", name="会议数", owner=county["office"])
    for unit, indicator, period in ((county["village_a"], gdp, "2026-06"), (county["village_b"], gdp, "2026-06"),
                                    (county["village_a"], gdp, "2026-05"), (county["village_a"], gdp, "2025-06"),
                                    (county["village_a"], meetings, "2026-06")):
        IndicatorValue.objects.create(unit=unit, indicator=indicator, period=period, value=Decimal("1"))
    return {"stats": make_user("statsrep", county["stats"], REPORTER)}


def test_months_by_indicator_of_ones_own_indicators(reported):
    [chart] = charts(reported["stats"], today=JUNE)
    assert chart.key == "ledger-indicator-months" and chart.empty == ""
    assert chart.title == "本部门指标报送情况（2025年7月至2026年6月）"
    assert chart.option["xAxis"]["data"] == ["7月", "8月", "9月", "10月", "11月", "12月", "2026年1月", "2月", "3月",
                                              "4月", "5月", "6月"]
    assert chart.option["yAxis"]["data"] == ["地区生产总值", "常住人口"]
    cells = {(x, y): n for x, y, n in chart.option["series"][0]["data"]}
    assert len(cells) == 24
    assert {cell: n for cell, n in cells.items() if n} == {(11, 0): 2, (10, 0): 1}
    assert chart.note.startswith("2项指标 × 12个月，2格已有数值")


def test_no_chart_for_a_unit_that_reports_no_indicator(reported, users, county):
    assert charts(users["leader"], today=JUNE) == []
    assert charts(make_user("towna", county["town_a"], REPORTER), today=JUNE) == []


def test_empty_state_when_nothing_was_reported(reported):
    IndicatorValue.objects.filter(indicator__owner=reported["stats"].unit).delete()
    [chart] = charts(reported["stats"], today=JUNE)
    assert chart.empty == "本部门的指标近12个月还没有报送任何数值。"


def test_many_indicators_are_cut_and_the_note_says_so(reported, county, monkeypatch):
    from qingzhuang.ledger.queries import indicators

    monkeypatch.setattr(indicators, "MAX_INDICATORS", 1)
    [chart] = charts(reported["stats"], today=JUNE)
    assert chart.option["yAxis"]["data"] == ["地区生产总值"]
    assert chart.note.endswith("按代码顺序只显示前1项（共2项）。")


def test_a_department_whose_data_stopped_sees_its_last_reported_year(reported):
    """Today is a year after the last value: the chart ends with that month, and says so."""
    [chart] = charts(reported["stats"], today=dt.date(2027, 3, 1))
    assert chart.title == "本部门指标报送情况（2025年7月至2026年6月）"
    assert "最近一次报送的数值属于2026年6月，之后各月还没有数值。" in chart.note
