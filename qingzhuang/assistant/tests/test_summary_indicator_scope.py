"""一表做总结 summarises exactly the indicators the 指标数据库 page shows the same user: both read
through ``ledger.access.visible_indicator_values`` / ``readable_indicators``."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from qingzhuang.assistant.summary_sources import indicator_figures, summary_units
from qingzhuang.ledger.builtins import ensure_builtin_catalog
from qingzhuang.ledger.models import Dataset, Indicator, IndicatorValue


@pytest.fixture
def indicator_db(county):
    """县委办公室 hosts the indicator database; 县统计局 reports 粮食产量, 县委办公室 信访件数."""
    ensure_builtin_catalog()
    Dataset.objects.filter(code="indicator_values").update(owner=county["office"])
    grain = Indicator.objects.create(code="grain", name="粮食产量", owner=county["stats"], measure_unit="吨")
    letters = Indicator.objects.create(code="letters", name="信访件数", owner=county["office"], measure_unit="件")
    for indicator in (grain, letters):
        for town, value in (("town_a", 10), ("town_b", 20)):
            IndicatorValue.objects.create(unit=county[town], indicator=indicator, period="2025-11",
                                          value=Decimal(value))


def page_indicators(client) -> set[str]:
    response = client.get(reverse("ledger:dataset_detail", args=["indicator_values"]))
    assert {r.indicator_name for r in response.context["page"].rows} <= {
        i.name for i in response.context["indicators"]}
    return {i.name for i in response.context["indicators"]}


@pytest.mark.parametrize(("who", "unit", "expected"), [
    ("stats", "root", {"粮食产量"}),              # a department: its own indicators only
    ("office", "root", {"粮食产量", "信访件数"}),  # the database's owner: all of them
    ("member", "town_a", {"粮食产量", "信访件数"}),  # a township: every indicator of its own units
])
def test_summary_and_indicator_page_give_the_same_indicators(verified_client, users, county, indicator_db,
                                                             who, unit, expected):
    user = users["member"] if who == "member" else make_user(f"{who}_clerk", county[who], "部门填报员")
    figures = indicator_figures(user, unit_code=county[unit].code, period="2025-11")
    assert {m.name for m in figures.measures} == expected
    assert page_indicators(verified_client(user)) == expected


def test_department_may_summarise_its_indicators_for_any_unit(county, indicator_db):
    stats = make_user("stats_clerk", county["stats"], "部门填报员")
    assert "乙镇" in [u.name for u in summary_units(stats)]
    figures = indicator_figures(stats, unit_code=county["town_b"].code, period="2025-11")
    assert [(m.name, [i.name for i in m.items]) for m in figures.measures] == [("粮食产量", ["乙镇"])]
