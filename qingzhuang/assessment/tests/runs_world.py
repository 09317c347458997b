"""A small world for the run tests: two townships (甲镇, 乙镇) of the county fixture, two indicators
with three months of values each (from an import job), a 2025 scheme over them, and helpers.

By hand (no spot checks, so 期末 is reweighted onto 平时):

- ZB0101 (越高越好, weight 60, sum, ratio target 100): 甲镇 30+30+30 = 90 → 90; 乙镇 50+60 = 110 → 100.
- ZB0601 (越低越好, weight 40, mean, rank): 甲镇 mean 2 → rank 1 → 100; 乙镇 mean 3 → rank 2 → 95.
- 甲镇 平时 = 60·90/100 + 40·100/100 = 94.00; 乙镇 = 60 + 38 = 98.00. Totals the same; 乙镇 first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from qingzhuang.assessment.models import Run, Scheme, SchemeIndicator
from qingzhuang.assessment.services.runs import run_start

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=TZ)


@pytest.fixture(name="world")
def world_fixture(db, county, users):
    from qingzhuang.ledger.builtins import ensure_builtin_catalog
    from qingzhuang.ledger.models import Dataset, ImportJob, Indicator, IndicatorValue

    ensure_builtin_catalog()
    dataset = Dataset.objects.get(code="indicator_values")
    gdp = Indicator.objects.create(code="ZB0101", name="固定资产投资完成额", owner=county["stats"], measure_unit="万元")
    acc = Indicator.objects.create(code="ZB0601", name="安全事故起数", owner=county["stats"], measure_unit="起",
                                   direction="lower")
    job = ImportJob.objects.create(dataset=dataset, uploaded_by=users["reporter"], file="x.xlsx",
                                   original_name="2025年一季度指标.xlsx", status="succeeded")
    ImportJob.objects.filter(pk=job.pk).update(finished_at=at("2025-04-10T10:00:00"))
    values = {
        ("town_a", gdp): {"2025-01": 30, "2025-02": 30, "2025-03": 30},
        ("town_b", gdp): {"2025-01": 50, "2025-02": 60},
        ("town_a", acc): {"2025-01": 1, "2025-02": 2, "2025-03": 3},
        ("town_b", acc): {"2025-01": 3, "2025-02": 3, "2025-03": 3},
    }
    for (unit, indicator), months in values.items():
        for period, value in months.items():
            IndicatorValue.objects.create(unit=county[unit], indicator=indicator, period=period,
                                          value=Decimal(value), job=job)
    scheme = Scheme.objects.create(
        code="township-2025", name="2025年度乡镇综合考核", year=2025, target_kinds=["township"],
        exam_criteria={"开拓创新度": "30", "部门协同度": "30", "群众满意度": "40"},
        exam_grades={"好": "100", "较好": "80", "一般": "60", "较差": "40", "很差": "20"},
        grades=[{"name": "优秀", "min": "95"}, {"name": "良好", "min": "80"}, {"name": "一般", "min": "60"},
                {"name": "较差", "min": "0"}],
        owner=county["root"],
    )
    SchemeIndicator.objects.create(scheme=scheme, position=1, indicator=gdp, weight=Decimal("60"), aggregate="sum",
                                   method="ratio", params={"target": "100"}, missing="zero")
    SchemeIndicator.objects.create(scheme=scheme, position=2, indicator=acc, weight=Decimal("40"), aggregate="mean",
                                   method="rank", params={}, missing="reweight")
    return {"scheme": scheme, "gdp": gdp, "acc": acc, "job": job, "dataset": dataset}


def compute(capture, *, actor, scheme, **kwargs) -> Run:
    """Start a run and let its task run (the test settings run tasks immediately on commit)."""
    with capture(execute=True):
        with transaction.atomic():
            run = run_start(actor=actor, scheme=scheme, **kwargs)
    run.refresh_from_db()
    return run


def publish(run: Run, *, days: int = 15) -> Run:
    from qingzhuang.assessment.services.runs import run_publish

    return run_publish(actor=None, run=run, appeal_days=days)


def now_local() -> dt.date:
    return timezone.localdate()
