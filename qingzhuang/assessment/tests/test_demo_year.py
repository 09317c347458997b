"""The assessment's demo step over the seed scale's indicator database: 12 townships and streets, 50
indicators with their uploads (no people or records: those take the seed scale's minute)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction

from conftest import make_user
from qingzhuang.assessment import demo as assessment_demo
from qingzhuang.assessment.models import Adjustment, Appeal, Run, Scheme, SpotCheck
from qingzhuang.assessment.services.runs import run_diff
from qingzhuang.ledger import demo as ledger_demo
from qingzhuang.orgs.demo import TOWNSHIPS
from qingzhuang.orgs.services import unit_create

NO_EXAM = "未开展期末考试，期末权重并入平时成绩"


@pytest.fixture
def county_year(db, tmp_path, settings):
    """The demo county's departments, its 12 townships and streets, their indicator database at the seed
    scale (with the uploads by the 县统计局's reporter), the three accounts that act; then the step."""
    settings.MEDIA_ROOT = str(tmp_path)
    with transaction.atomic():
        root = unit_create(actor=None, code="429901000000", name="青山县", kind="county", parent=None)
        departments = [unit_create(actor=None, code=f"42990191{n:04d}", name=name, kind="department", parent=root)
                       for n, name in enumerate(ledger_demo.INDICATORS)]
        townships = [unit_create(actor=None, code=f"429901{part}000", name=name, kind=kind, parent=root)
                     for name, kind, part in TOWNSHIPS]
        by_name = {u.name: u for u in [*departments, *townships]}
        make_user("kaohe", root, "考核办")
        make_user("xiangzhen", by_name["石桥镇"], "乡镇村干部")
        make_user("tianbao", by_name["县统计局"], "部门填报员")
        sizes = {t.pk: 0.6 + 0.1 * n for n, t in enumerate(townships)}
        ledger_demo.build_indicators(SimpleNamespace(departments=departments, townships=townships), "seed", sizes)
        counts = assessment_demo.seed_step(SimpleNamespace(scale="seed"))
    return counts


def test_seed_scale_year(county_year):
    assert county_year == {"assessment_schemes": 1, "assessment_indicators": 21, "assessment_adjustments": 5,
                           "assessment_spot_checks": county_year["assessment_spot_checks"], "assessment_runs": 2,
                           "assessment_appeals": 1, "assessment_reminders": 1}
    assert 20 <= county_year["assessment_spot_checks"] <= 30
    scheme = Scheme.objects.get(code="township-2025")
    assert len(set(scheme.indicators.values_list("method", flat=True))) == 8
    first, second = Run.objects.order_by("number")
    lines = {line.unit.name: line for line in first.lines.select_related("unit")}
    assert len(lines) == 12
    # Every grade band is used; the veto gives the lowest one, with its reason.
    assert set(Counter(line.grade for line in lines.values())) == {"优秀", "良好", "一般", "较差"}
    assert lines["双河镇"].grade == "较差" and lines["双河镇"].veto[0].startswith("2025年8月双河镇")
    assert (lines["白沙镇"].bonus, lines["龙泉镇"].deductions) == (Decimal(3), Decimal(3))
    # Two units were not reached by a spot check: flagged, the part reweighted onto 平时.
    assert {name for name, line in lines.items() if line.exam is None} == {"青峰街道", "长岭镇"}
    # 县统计局 has not reported December's ZB1503 for the last two townships: reminded, and flagged.
    from qingzhuang.assessment.models import Reminder

    reminder = Reminder.objects.get()
    assert (reminder.department.name, reminder.missing, reminder.months) == ("县统计局", 2, ["2025-12"])
    gaps = {name for name, line in lines.items()
            if any(i["code"] == "ZB1503" and i["months"] == 11 for i in line.detail["indicators"])}
    assert len(gaps) == 2
    assert NO_EXAM in lines["长岭镇"].flags and NO_EXAM not in lines["石桥镇"].flags
    assert set(SpotCheck.objects.values_list("paper", flat=True)) == {"livelihood", "enterprise"}
    # The 附加题 sends some units to coaching, without touching their score.
    coaching = {name for name, line in lines.items() if line.coaching}
    assert 2 <= len(coaching) <= 6 and all(lines[n].coaching_reason.startswith("趋势指数") for n in coaching)
    assert Adjustment.objects.filter(kind="veto").count() == 1
    # The correction reaches run 2 only; nobody else moves.
    assert {d["unit_name"] for d in run_diff(first, second)} <= {"石桥镇"}
    old, new = (next(i for i in run.lines.get(unit__name="石桥镇").detail["indicators"] if i["code"] == "ZB1501")
                for run in (first, second))
    assert Decimal(new["value"]) > Decimal(old["value"])
    assert Appeal.objects.get().status == "upheld"
