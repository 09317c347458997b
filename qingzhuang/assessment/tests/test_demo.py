"""The demo year of the assessment (``assessment.demo``), built by ``seed_demo --scale small`` (see
``test_demo_year.py`` for the step over the seed scale's indicator database)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from qingzhuang.assessment import demo as assessment_demo
from qingzhuang.assessment.models import Appeal, Run, RunLine, Scheme, SpotCheck
from qingzhuang.assessment.services.runs import run_diff
from qingzhuang.ledger.models import ImportJob, IndicatorValue
from qingzhuang.orgs.models import AuditLog, Unit

NO_EXAM = "未开展期末考试，期末权重并入平时成绩"
LINE_KEYS = {"unit", "unit_name", "daily", "exam", "bonus", "deductions", "total", "rank", "grade", "veto",
             "coaching", "flags"}


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo county, seeded once for this module inside a transaction rolled back after it."""
    from django.conf import settings as django_settings

    from qingzhuang.demo import seed as demo

    saved_media = django_settings.MEDIA_ROOT
    django_settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo.seed("small", password="Qz-demo-2026!")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            django_settings.MEDIA_ROOT = saved_media


def runs() -> tuple[Run, Run]:
    first, second = Run.objects.filter(scheme__code="township-2025").order_by("number")
    return first, second


# ---- the small county


@pytest.mark.django_db
def test_counts_and_summary(small_demo):
    from qingzhuang.demo import seed as demo

    counts = {k: v for k, v in small_demo.counts.items() if k.startswith("assessment_")}
    assert counts == {"assessment_schemes": 1, "assessment_indicators": 6, "assessment_adjustments": 0,
                      "assessment_spot_checks": 5, "assessment_runs": 2, "assessment_appeals": 1}
    assert ("无感考核：2025年度方案 6 个指标，期末考试抽查 5 次，加减分和一票否决 0 项；第1批次成绩已发布，"
            "申诉 1 件（已采纳），更正数据后的第2批次待发布。") in demo.summaries(small_demo)


@pytest.mark.django_db
def test_scheme_has_the_indicators_the_ledger_holds(small_demo):
    scheme = Scheme.objects.get(code="township-2025")
    rows = list(scheme.indicators.select_related("indicator").values_list("indicator__code", "weight", "method"))
    # The small county's three departments report 10 of the 50 indicators: the example's 6 of them,
    # their weights (6, 4, 4, 5, 4, 4) apportioned to 100.
    assert rows == [("ZB0401", Decimal(22), "efficacy"), ("ZB0403", Decimal(15), "baseline"),
                    ("ZB1001", Decimal(15), "ratio"), ("ZB1002", Decimal(18), "minmax"),
                    ("ZB1501", Decimal(15), "ratio"), ("ZB1503", Decimal(15), "target")]
    assert len({method for _, _, method in rows}) >= 5
    assert scheme.trend == {"indicators": {"ZB0401": "15", "ZB1501": "10", "ZB1502": "10"}, "threshold": "-0.6",
                            "years": 3}
    assert scheme.is_locked
    assert AuditLog.objects.get(action="assessment.scheme.import").actor.username == "kaohe"


def test_example_file_is_imported_unchanged_when_the_ledger_holds_everything():
    codes = {"ZB0101", "ZB0103", "ZB0104", "ZB0201", "ZB0202", "ZB0203", "ZB0401", "ZB0403", "ZB0501", "ZB0503",
             "ZB0601", "ZB0701", "ZB0703", "ZB0801", "ZB0903", "ZB1001", "ZB1002", "ZB1101", "ZB1102", "ZB1202",
             "ZB1401", "ZB1501", "ZB1502", "ZB1503"}
    assert assessment_demo.scheme_text(codes) == assessment_demo.EXAMPLE.read_bytes()
    # A formula naming an indicator the ledger lacks goes with it.
    assert b"ZB1202" not in assessment_demo.scheme_text(codes - {"ZB1202"})


def test_apportion():
    assert assessment_demo.apportion(100, [Decimal(6), Decimal(4), Decimal(4), Decimal(5), Decimal(4), Decimal(4)]) \
        == [22, 15, 15, 18, 15, 15]
    assert assessment_demo.apportion(100, [Decimal(1), Decimal(1), Decimal(1)]) == [34, 33, 33]


@pytest.mark.django_db
def test_spot_checks_in_both_papers(small_demo):
    checks = list(SpotCheck.objects.select_related("unit", "assessor").order_by("unit__code", "checked_on"))
    assert len(checks) == 5
    assert {c.paper for c in checks} == {"livelihood", "enterprise"}
    for unit in Unit.objects.filter(kind__in=["township", "street"]):
        assert {c.paper for c in checks if c.unit == unit} == {"livelihood", "enterprise"}, unit.name
    assert all(dt.date(2025, 11, 3) <= c.checked_on <= dt.date(2025, 12, 19) for c in checks)
    assert all(c.checked_on.weekday() < 5 for c in checks)
    assert {c.assessor.username for c in checks} == {"kaohe"}
    assert all(c.scene and c.notes and set(c.grades) == {"开拓创新度", "部门协同度", "群众满意度"} for c in checks)
    assert len({tuple(c.grades.values()) for c in checks}) >= 3  # grades vary


@pytest.mark.django_db
def test_run_one_is_published_with_a_line_per_township_and_street(small_demo):
    first, _ = runs()
    assert (first.number, first.kind, first.status) == (1, "official", "succeeded")
    assert first.published_at is not None and first.published_by.username == "kaohe"
    assert first.appeal_until >= timezone.localdate() + dt.timedelta(days=14)
    units = set(Unit.objects.filter(kind__in=["township", "street"]).values_list("name", flat=True))
    assert units == {"城关街道", "石桥镇"}
    assert set(first.lines.values_list("unit__name", flat=True)) == units
    assert sorted(first.lines.values_list("rank", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_every_value_of_run_one_traces_to_its_upload(small_demo):
    first, _ = runs()
    jobs = {job.pk: job for job in ImportJob.objects.filter(dataset__code="indicator_values")}
    seen = 0
    for line in first.lines.all():
        for indicator in line.detail["indicators"]:
            assert indicator["values"], indicator["code"]
            for value in indicator["values"]:
                job = jobs[value["job"]]
                assert value["job_file"] == job.original_name
                assert value["uploaded_by"] == (job.uploaded_by.display_name if job.uploaded_by else "")
                seen += 1
    # 6 indicators × 12 months × 2 units, plus last year's ZB0401 (scored year on year).
    assert seen == 6 * 12 * 2 + 12 * 2


@pytest.mark.django_db
def test_appeal_correction_and_rerun(small_demo):
    first, second = runs()
    township = Unit.objects.get(name="石桥镇")
    appeal = Appeal.objects.select_related("line", "filed_by", "answered_by").get()
    assert appeal.line.run == first and appeal.line.unit == township
    assert (appeal.indicator_code, appeal.status) == ("ZB1501", "upheld")
    assert (appeal.filed_by.username, appeal.answered_by.username) == ("xiangzhen", "kaohe")
    assert "第2批次" in appeal.answer

    job = ImportJob.objects.get(uploaded_by__username="tianbao", original_name__contains="更正")
    assert job.original_name == "县统计局2025年11月社会消费品零售总额（更正）.csv"
    assert (job.status, job.period, job.updated) == ("succeeded", "2025-11", 1)
    value = IndicatorValue.objects.get(unit=township, indicator__code="ZB1501", period="2025-11")
    assert value.job == job

    assert (second.number, second.kind, second.based_on, second.published_at) == (2, "official", first, None)
    assert second.note == "采纳石桥镇申诉，更正后重新计算"
    old_line, new_line = (RunLine.objects.get(run=r, unit=township) for r in (first, second))

    def november(line):
        item = next(i for i in line.detail["indicators"] if i["code"] == "ZB1501")
        return next(v for v in item["values"] if v["period"] == "2025-11")

    assert november(new_line)["value"] == f"{value.value.normalize():f}"
    assert (november(new_line)["job"], november(new_line)["late"]) == (job.pk, True)
    assert november(old_line)["job"] != job.pk  # run 1 keeps what it read
    assert Decimal(november(new_line)["value"]) == (Decimal(november(old_line)["value"]) * Decimal("1.18")).quantize(
        Decimal("0.1"))

    diff = run_diff(first, second)
    assert [d["unit_name"] for d in diff] == ["石桥镇"]
    assert [i["code"] for i in diff[0]["indicators"]] == ["ZB1501"]
    reason = diff[0]["indicators"][0]["reasons"][0]
    assert reason.startswith(f"2025-11 数值由 {november(old_line)['value']} 改为 {november(new_line)['value']}")
    assert reason.endswith("县统计局2025年11月社会消费品零售总额（更正）.csv），逾期报送")
    assert Decimal(diff[0]["new"]["total"]) > Decimal(diff[0]["old"]["total"])


@pytest.mark.django_db
def test_compute_scores_prints_run_one(small_demo):
    out = StringIO()
    call_command("compute_scores", "township-2025", "--run", "1", "--json", stdout=out)
    lines = json.loads(out.getvalue())
    assert [set(line) for line in lines] == [LINE_KEYS, LINE_KEYS]
    first, _ = runs()
    expected = {line.unit.code: str(line.total) for line in first.lines.select_related("unit")}
    assert {line["unit"]: line["total"] for line in lines} == expected
    assert Run.objects.filter(scheme__code="township-2025").count() == 2  # --run computes nothing
