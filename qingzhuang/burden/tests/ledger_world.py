"""Hand-counted demands for the burden ledger's tests (pages, command line, API).

Weights are the defaults (report 2, inspection 8, meeting 3, document 1, work group 0.5 人·小时).
The year is 2024, the year before 2023 (both past: the whole year is compared).

| unit | 2024 | 2023 |
|---|---|---|
| 甲镇 | 2024-02 inspection (民政局) 8 | — |
| 甲村 | 2024-01 meeting × 2 (民政局) 3 each; 2024-03 document (统计局) 1; 2024-03 report with a field (民政局), its source's own 2.5 | 2023-01 meeting (民政局) 3; 2023-06 document × 4 (统计局) 1 each |
| 乙村 | 2024-05 work group × 2 (统计局) 0.5 each | 2023-05 work group (统计局) 0.5 |
| 甲村一网格 | — | — |

and one 2025-01 meeting on 甲村 that no 2024 figure counts.

So 甲村 2024: 4 项 9.50 人·小时 (report 1 / 2.50, meeting 2 / 6.00, document 1 / 1.00), 2023: 5 项
7.00, down 20.0%; 甲镇 1 项 8.00, none the year before; 乙村 2 项 1.00 against 1 项 0.50, up 100.0%.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from qingzhuang.burden import services
from qingzhuang.burden.models import DemandKind

YEAR = 2024


def place(placing, unit, kind, month, *, rounds=("",), by="civil", source=None, hours=None, fields=(), title="任务"):
    placed_by = placing["civil"] if by == "civil" else placing["stats"]
    with transaction.atomic():
        for round_ in rounds:
            services.demand_place(actor=placing["rep"], source=source or placed_by, kind=kind, units=[unit],
                                  title=title, month=month, round=f"{month}-{round_}" if round_ else month,
                                  placed_by=placed_by, hours=hours, fields=fields)


@pytest.fixture
def world(county, placing):
    placing["stats"] = county["stats"]
    town, village, village_b = county["town_a"], county["village_a"], county["village_b"]
    place(placing, town, DemandKind.INSPECTION, "2024-02", title="安全生产检查")
    place(placing, village, DemandKind.MEETING, "2024-01", rounds=("1", "2"), title="防汛调度会")
    place(placing, village, DemandKind.DOCUMENT, "2024-03", by="stats", title="关于报送统计资料的通知")
    place(placing, village, DemandKind.REPORT, "2024-03", hours=Decimal("2.5"), fields=["走访次数"],
          source=county["town_a"], title="走访月报")
    place(placing, village, DemandKind.MEETING, "2023-01", title="去年的会")
    place(placing, village, DemandKind.DOCUMENT, "2023-06", rounds=("1", "2", "3", "4"), by="stats", title="去年的文")
    place(placing, village_b, DemandKind.WORK_GROUP, "2024-05", rounds=("1", "2"), by="stats", title="专班群")
    place(placing, village_b, DemandKind.WORK_GROUP, "2023-05", by="stats", title="去年的群")
    place(placing, village, DemandKind.MEETING, "2025-01", title="明年的会")
    return placing
