"""Year on year: the same months of two years, the change of the count, and no division by zero;
the burden removed is only what registered providers return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qingzhuang.burden import queries
from qingzhuang.burden import queries_ledger as ledger
from qingzhuang.burden.models import Demand
from qingzhuang.burden.tests.ledger_world import world  # noqa: F401


def change(count, hours, last_count, last_hours, *, months=11, current=True):
    return ledger.Change(year=2025, months=months, count=count, hours=Decimal(hours), last_count=last_count,
                         last_hours=Decimal(last_hours), current=current)


def test_a_decrease():
    c = change(86, "214.5", 121, "301.0")
    assert (c.percent, c.words, c.tone) == (Decimal("-28.9"), "下降 28.9%", "success")
    assert c.sentence == "今年 1–11 月 86 项 214.5 人·小时，去年同期 121 项 301.0 人·小时，下降 28.9%"


def test_an_increase_and_no_change():
    c = change(3, "6", 2, "4", months=12, current=False)
    assert (c.percent, c.words, c.tone) == (Decimal("50.0"), "上升 50.0%", "danger")
    assert c.sentence == "2025年全年 3 项 6.0 人·小时，2024年同期 2 项 4.0 人·小时，上升 50.0%"
    assert change(2, "4", 2, "5").words == "持平"
    # Half away from zero: 1/3 → 33.3, 2/3 → 66.7.
    assert change(4, "0", 3, "0").percent == Decimal("33.3") and change(1, "0", 3, "0").percent == Decimal("-66.7")


@pytest.mark.parametrize("count", [0, 5])
def test_last_year_zero_is_not_divided_by(count):
    c = change(count, "7.5", 0, "0")
    assert (c.percent, c.words, c.tone) == (None, "去年无任务", "secondary")
    assert c.sentence.endswith("去年同期 0 项 0.0 人·小时，去年无任务")


def test_this_year_compares_its_months_so_far(world):  # noqa: F811
    """In the current year, January to this month against the same months of the year before."""
    Demand.objects.filter(month="2023-06").update(month="2023-02")
    today = dt.date(2024, 3, 15)
    [row] = [r for r in ledger.scope_rows(world["ducha"], year=2024, today=today) if r.unit.name == "甲村"]
    # 2024 to March: all four asks; 2023 to March: the meeting and the four documents moved to February.
    assert (row.totals.count, row.totals.cmp_count, row.totals.last_count) == (4, 4, 5)
    assert row.totals.change.sentence == "今年 1–3 月 4 项 9.5 人·小时，去年同期 5 项 7.0 人·小时，下降 20.0%"
    today = dt.date(2024, 2, 1)
    [row] = [r for r in ledger.scope_rows(world["ducha"], year=2024, today=today) if r.unit.name == "甲村"]
    assert (row.totals.count, row.totals.cmp_count, row.totals.last_count) == (4, 2, 5)
    assert row.totals.change.words == "下降 60.0%"
    assert ledger.compare_months(2024, dt.date(2024, 1, 9)) == 1 and ledger.Change(
        year=2024, months=1, count=0, hours=Decimal(0), last_count=0, last_hours=Decimal(0)).period == "1 月"


def test_the_burden_removed_is_what_providers_return(monkeypatch):
    monkeypatch.setattr(queries, "REMOVED_PROVIDERS", [])
    assert queries.removed_burden(year=2025) == []
    item = queries.Removed("合并检查", 3, Decimal("24.0"), "三次检查合并为一次")

    def provider(*, year):
        return [item] if year == 2025 else []

    queries.register_removed(provider)
    queries.register_removed(provider)  # registering twice adds it once
    assert queries.removed_burden(year=2025) == [item] and queries.removed_burden(year=2024) == []
