"""A small world for the scheme tests: the ledger indicators the example scheme names, owned by the
county fixture's 统计局, and a minimal valid scheme document."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "township-2025.yaml"
CODES = ("ZB0101", "ZB0103", "ZB0104", "ZB0201", "ZB0202", "ZB0203", "ZB0401", "ZB0403", "ZB0501", "ZB0503",
         "ZB0601", "ZB0701", "ZB0703", "ZB0801", "ZB0903", "ZB1001", "ZB1002", "ZB1101", "ZB1102", "ZB1202",
         "ZB1401", "ZB1501", "ZB1502", "ZB1503")
LOWER = {"ZB0601", "ZB0703", "ZB0903", "ZB1401"}

SMALL = {
    "code": "township-2025",
    "name": "2025年度乡镇（街道）综合考核",
    "year": 2025,
    "target_kinds": ["乡镇", "街道"],
    "parts": {"平时": 90, "期末": 10},
    "indicators": [
        {"indicator": "ZB0101", "weight": 60, "aggregate": "sum", "method": "ratio",
         "params": {"target": 100000}, "missing": "zero"},
        {"indicator": "ZB0601", "weight": Decimal("40"), "aggregate": "mean", "method": "rank",
         "params": {}, "missing": "reweight"},
    ],
    "bonus": [{"name": "省级以上表彰", "max": 3}],
    "deductions": [{"name": "安全生产责任事故", "max": 5}],
    "grades": [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80}, {"name": "一般", "min": 60},
               {"name": "较差", "min": 0}],
    "exam": {"criteria": {"开拓创新度": 30, "部门协同度": 30, "群众满意度": 40},
             "grades": {"好": 100, "较好": 80, "一般": 60, "较差": 40, "很差": 20}},
}


def small(**changes) -> dict:
    document = copy.deepcopy(SMALL)
    document.update(changes)
    return document


def make_indicators(county) -> dict:
    """The ledger indicators of ``CODES`` (use in a fixture ``indicators``)."""
    from qingzhuang.ledger.models import Indicator

    return {code: Indicator.objects.create(code=code, name=f"指标{code}", owner=county["stats"],
                                           direction="lower" if code in LOWER else "higher")
            for code in CODES}
