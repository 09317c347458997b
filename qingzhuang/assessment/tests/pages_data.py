"""Small scorecards for the page tests: a scheme, a run and lines with a ``detail`` of the runs' shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qingzhuang.assessment.models import Run, RunLine, Scheme

GRADES = [{"name": "优秀", "min": "90"}, {"name": "良好", "min": "80"}, {"name": "一般", "min": "60"},
          {"name": "较差", "min": "0"}]


def scheme(owner, code: str = "township-2025") -> Scheme:
    return Scheme.objects.get_or_create(code=code, defaults={
        "name": "2025年度乡镇（街道）综合考核", "year": 2025, "target_kinds": ["township"], "owner": owner,
        "grades": GRADES})[0]


def detail(*, late: bool = False, exam: str | None = "84.00", uploader: str = "王五") -> dict:
    values = [{"period": f"2025-{m:02d}", "value": str(8000 + m * 100), "job": 12, "job_file": "2025年1月指标.xlsx",
               "uploaded_by": uploader, "uploaded_at": "2025-02-08T10:00:00+08:00", "late": late and m == 12}
              for m in range(1, 13)]
    return {
        "parts": {"daily": "87.12", "exam": exam, "daily_weight": "90", "exam_weight": "10"},
        "indicators": [
            {"code": "ZB0101", "name": "固定资产投资完成额", "department": "县发展和改革局", "measure_unit": "万元",
             "direction": "higher", "weight": "60", "effective_weight": "60", "aggregate": "sum", "method": "ratio",
             "params": {"target": "100000"}, "missing_policy": "zero", "values": values, "value": "97500.1",
             "months": 12, "score": "97.5001", "points": "58.50006", "missing": "", "used_year": None,
             "explanation": "100×min(97500.1÷100000, 1) = 97.50"},
            {"code": "ZB0202", "name": "安全生产事故起数", "department": "县应急管理局", "measure_unit": "起",
             "direction": "lower", "weight": "40", "effective_weight": "40", "aggregate": "sum", "method": "target",
             "params": {"target": "0"}, "missing_policy": "zero", "values": [], "value": None, "months": 0,
             "score": None, "points": "0", "missing": "zero", "used_year": None, "explanation": "缺报，计0分"},
        ],
        "spot_checks": [{"id": 3, "date": "2025-11-20", "scene": "便民服务中心窗口办理", "paper": "民生卷",
                         "grades": {"开拓创新度": "好", "部门协同度": "较好", "群众满意度": "一般"},
                         "score": "84.00"}] if exam is not None else [],
        "adjustments": [{"id": 5, "kind": "bonus", "item": "省级以上表彰", "points": "2", "reason": "获评省级文明乡镇",
                         "evidence": True}],
        "trend": {"index": "-0.8123", "growth": {"ZB0101": "-3.10"}, "coaching": True,
                  "reason": "主要经济指标三年趋势低于门槛"},
    }


def make_run(county, *, published: bool = True, number: int = 1, appeal_days: int = 10) -> Run:
    """A succeeded run of 甲镇 (rank 1, 良好, coaching) and 乙镇 (rank 2, 较差 by a veto, no spot check)."""
    now = timezone.now()
    run = Run.objects.create(
        scheme=scheme(county["root"]), number=number, status=Run.Status.SUCCEEDED, finished_at=now,
        published_at=now if published else None,
        appeal_until=timezone.localdate() + dt.timedelta(days=appeal_days) if published else None)
    RunLine.objects.create(
        run=run, unit=county["town_a"], daily=Decimal("87.12"), exam=Decimal("84.00"), bonus=Decimal("2"),
        deductions=Decimal("0"), total=Decimal("88.81"), rank=1, grade="良好", coaching=True,
        coaching_reason="主要经济指标三年趋势低于门槛", trend_index=Decimal("-0.8123"), flags=["ZB0202 缺报计0分"],
        detail=detail(late=True))
    RunLine.objects.create(
        run=run, unit=county["town_b"], daily=Decimal("70.50"), exam=None, bonus=Decimal("0"),
        deductions=Decimal("3"), total=Decimal("67.50"), rank=2, grade="较差",
        veto=[{"reason": "发生较大安全生产责任事故"}], flags=["未开展期末考试", "ZB0202 缺报计0分"],
        detail=detail(exam=None, uploader="赵六"))
    return run
