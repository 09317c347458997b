"""The demo's indicator history gives the 附加题 a spread: some townships go to coaching."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction

from qingzhuang.assessment.trend import TrendConfig, trend
from qingzhuang.ledger import demo as ledger_demo
from qingzhuang.ledger.models import Indicator, IndicatorValue
from qingzhuang.orgs.demo import TOWNSHIPS
from qingzhuang.orgs.services import unit_create

MAIN = {
    "ZB0101": "固定资产投资完成额", "ZB0104": "招商引资到位资金", "ZB0203": "工业用电量",
    "ZB0401": "一般公共预算收入", "ZB1101": "外贸进出口总额", "ZB1102": "网络零售额", "ZB1202": "旅游综合收入",
    "ZB1501": "社会消费品零售总额", "ZB1502": "规上服务业营业收入",
}


def test_history_indicators_are_the_main_economic_ones():
    names = {ledger_demo.indicator_code(d, i): s.name
             for d, group in ledger_demo.INDICATORS.items() for i, s in enumerate(group)}
    assert {code: names[code] for code in ledger_demo.HISTORY_INDICATORS} == MAIN
    assert ledger_demo.HISTORY_YEARS == (2023, 2024)


@pytest.fixture
def demo_database(county):
    """The demo county's indicator database at the seed scale (50 indicators, its 12 townships)."""
    root = county["root"]
    with transaction.atomic():
        departments = [unit_create(actor=None, code=f"42990191{n:04d}", name=name, kind="department", parent=root)
                       for n, name in enumerate(ledger_demo.INDICATORS)]
        townships = [unit_create(actor=None, code=f"4299012{n:02d}000", name=name, kind=kind, parent=root)
                     for n, (name, kind, _) in enumerate(TOWNSHIPS)]
        sizes = {t.pk: 0.6 + 0.1 * n for n, t in enumerate(townships)}
        ledger_demo.build_indicators(SimpleNamespace(departments=departments, townships=townships), "seed", sizes)
    return townships


def test_demo_trend_sends_a_few_townships_to_coaching(demo_database):
    values: dict = defaultdict(lambda: defaultdict(dict))
    for unit, code, period, value in IndicatorValue.objects.filter(indicator__code__in=MAIN).values_list(
            "unit__name", "indicator__code", "period", "value"):
        values[unit][code][period] = value
    groups = {t.name: t.kind for t in demo_database}
    higher = {i.code: i.direction == "higher" for i in Indicator.objects.filter(code__in=MAIN)}
    config = TrendConfig(indicators=dict.fromkeys(MAIN, Decimal(1)))
    result = trend(config, 2025, values, groups, higher, names=MAIN)
    assert all(r.index is not None and None not in r.growth.values() for r in result.values())
    coaching = sorted(name for name, r in result.items() if r.coaching)
    townships = [name for name, kind in groups.items() if kind == "township"]
    assert 2 <= len(set(coaching) & set(townships)) <= 4, coaching
    # Some shrink: a negative average growth for at least two units.
    shrinking = [name for name, r in result.items() if sum(r.growth.values()) < 0]
    assert len(shrinking) >= 2, shrinking
    # The figures are fixed by the demo's random seeds.
    assert coaching == ["双河镇", "城关街道", "桃源街道", "高坪乡", "龙泉镇"]
    assert result["龙泉镇"].reason == "趋势指数 -1.95，低于 -0.5；增长最慢：一般公共预算收入（年均 -2.86%）"
    assert result["双河镇"].reason == "趋势指数 -0.5011，低于 -0.5；增长最慢：外贸进出口总额（年均 -0.27%）"
