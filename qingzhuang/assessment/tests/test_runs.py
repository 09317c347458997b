"""Runs: computing with sources, numbering, frozen inputs, diffs, publishing, what-if, failures, inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qingzhuang.assessment import inputs
from qingzhuang.assessment.models import Adjustment, Run, Scheme, SpotCheck
from qingzhuang.assessment.services.runs import run_delete, run_diff, run_publish, run_start
from qingzhuang.assessment.tests.runs_world import at, compute, publish, world_fixture  # noqa: F401
from qingzhuang.ledger.models import ImportJob, IndicatorValue
from qingzhuang.orgs.models import AuditLog


def _lines(run: Run) -> dict:
    return {line.unit.name: line for line in run.lines.select_related("unit")}


def _summary(run: Run) -> dict:
    return {name: (str(line.daily), line.exam, str(line.total), line.rank, line.grade)
            for name, line in _lines(run).items()}


def test_a_run_scores_every_unit_and_keeps_each_values_source(world, users, django_capture_on_commit_callbacks):
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    assert (run.status, run.number, run.kind) == ("succeeded", 1, "official")
    assert (run.progress_done, run.progress_total, run.message) == (2, 2, "已完成：2 个单位")
    assert _summary(run) == {"甲镇": ("94.00", None, "94.00", 2, "良好"), "乙镇": ("98.00", None, "98.00", 1, "优秀")}
    line = _lines(run)["甲镇"]
    assert line.detail["parts"] == {"daily": "94.00", "exam": None, "daily_weight": "100", "exam_weight": "0"}
    gdp = line.detail["indicators"][0]
    assert {k: gdp[k] for k in ("code", "name", "department", "measure_unit", "direction", "weight", "aggregate",
                                "method", "missing_policy", "value", "months", "missing", "used_year")} == {
        "code": "ZB0101", "name": "固定资产投资完成额", "department": "县统计局", "measure_unit": "万元",
        "direction": "higher", "weight": "60", "aggregate": "sum", "method": "ratio", "missing_policy": "zero",
        "value": "90", "months": 3, "missing": "", "used_year": 2025}
    assert gdp["values"][0] == {"period": "2025-01", "value": "30", "job": world["job"].pk,
                                "job_file": "2025年一季度指标.xlsx", "uploaded_by": "reporter",
                                "uploaded_at": "2025-04-10T10:00:00+08:00", "late": True}
    # Uploaded on 10 April: January and February were due by the 15th of February and March.
    assert [v["late"] for v in gdp["values"]] == [True, True, False]
    assert line.flags == ["未开展期末考试，期末权重并入平时成绩",
                          "固定资产投资完成额（ZB0101）有2个月的数据逾期报送：2025-01、2025-02",
                          "安全事故起数（ZB0601）有2个月的数据逾期报送：2025-01、2025-02"]
    assert (line.detail["spot_checks"], line.detail["adjustments"], line.detail["trend"]) == ([], [], None)
    assert run.inputs["scheme"]["code"] == "township-2025"
    assert run.inputs["scheme"]["indicators"][0]["weight"] == "60"
    assert AuditLog.objects.filter(action="assessment.run.start", object_id=str(run.pk)).count() == 1


def test_spot_checks_bonus_and_veto_enter_the_line(world, users, county, django_capture_on_commit_callbacks):
    scheme = world["scheme"]
    SpotCheck.objects.create(scheme=scheme, unit=county["town_a"], checked_on=dt.date(2025, 11, 20), scene="便民服务中心",
                             paper="livelihood", grades={"开拓创新度": "好", "部门协同度": "较好", "群众满意度": "一般"})
    Adjustment.objects.create(scheme=scheme, unit=county["town_b"], kind="veto", reason="发生重大安全生产事故")
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=scheme)
    lines = _lines(run)
    # 期末 = (30·100 + 30·80 + 40·60) / 100 = 78; total = 90·94/100 + 10·78/100 = 84.60 + 7.80 = 92.40.
    assert (lines["甲镇"].exam, lines["甲镇"].total) == (Decimal("78.00"), Decimal("92.40"))
    assert lines["甲镇"].detail["spot_checks"][0]["paper"] == "民生卷"
    assert lines["甲镇"].detail["spot_checks"][0]["score"] == "78.00"
    assert lines["甲镇"].detail["parts"]["daily_weight"] == "90"
    assert (lines["乙镇"].grade, lines["乙镇"].veto) == ("较差", ["发生重大安全生产事故"])
    assert lines["乙镇"].detail["adjustments"][0]["kind"] == "veto"


def test_runs_are_numbered_per_scheme(world, users, django_capture_on_commit_callbacks):
    first = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    second = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"],
                     note="重算", based_on=first)
    assert (first.number, second.number, second.based_on_id, second.note) == (1, 2, first.pk, "重算")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"note": "长" * 201}, "说明不能超过200字"),
    ({"kind": "draft"}, "类别应为正式计算或模拟测算"),
    ({"overrides": {"weights": {"ZB0101": 50}}}, "只有模拟测算可以调整权重和参数"),
    ({"kind": "whatif", "overrides": {"weights": {"ZB9999": 50}}}, "方案中没有指标 ZB9999"),
    ({"kind": "whatif", "overrides": {"weights": {"ZB0101": 70}}}, "调整后指标权重之和应为 100，现为 110"),
    ({"kind": "whatif", "overrides": {"cap": 1}}, "模拟测算的调整只能包含权重（weights）和参数（params）"),
])
def test_run_start_refuses_bad_input(world, users, kwargs, message):
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        run_start(actor=users["assessment"], scheme=world["scheme"], **kwargs)
    assert exc.value.messages == [message]
    assert not Run.objects.exists()


def test_run_start_refuses_a_run_of_another_scheme_as_its_base(world, users, county, django_capture_on_commit_callbacks):
    other = Scheme.objects.create(code="other-2025", name="其他", year=2025, target_kinds=["township"],
                                  owner=county["root"])
    first = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        run_start(actor=users["assessment"], scheme=other, based_on=first)
    assert exc.value.messages == ["对比批次应属于同一考核方案"]


@pytest.mark.parametrize("who", ["member", "leader", "reporter"])
def test_only_the_office_starts_runs(world, users, who):
    with pytest.raises(PermissionDenied), transaction.atomic():
        run_start(actor=users[who], scheme=world["scheme"])


def test_a_run_without_units_fails_with_a_chinese_message(world, users, django_capture_on_commit_callbacks):
    Scheme.objects.filter(pk=world["scheme"].pk).update(target_kinds=["street"])
    world["scheme"].refresh_from_db()
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    assert (run.status, run.message) == ("failed", "成绩计算失败：该考核方案没有可考核的单位")
    assert not run.lines.exists()


def test_inputs_are_frozen_and_a_rerun_after_a_late_correction_shows_who_moved_and_why(
        world, users, county, django_capture_on_commit_callbacks):
    first = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    publish(first)
    correction = ImportJob.objects.create(dataset=world["dataset"], uploaded_by=users["reporter"], file="y.xlsx",
                                          original_name="更正.xlsx", status="succeeded")
    ImportJob.objects.filter(pk=correction.pk).update(finished_at=at("2026-01-20T09:00:00"))
    IndicatorValue.objects.filter(unit=county["town_a"], indicator=world["gdp"], period="2025-03").update(
        value=Decimal("50"), job=correction)

    assert _summary(Run.objects.get(pk=first.pk))["甲镇"] == ("94.00", None, "94.00", 2, "良好")
    assert _lines(first)["甲镇"].detail["indicators"][0]["values"][2]["value"] == "30"

    second = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"],
                     based_on=first, note="3月数据更正后重算")
    # 甲镇: 30+30+50 = 110 → 100; 平时 = 60 + 40 = 100.00, now first.
    assert _summary(second) == {"甲镇": ("100.00", None, "100.00", 1, "优秀"), "乙镇": ("98.00", None, "98.00", 2, "优秀")}
    diff = run_diff(first, second)
    assert [(d["unit_name"], d["old"]["rank"], d["new"]["rank"]) for d in diff] == [("甲镇", 2, 1), ("乙镇", 1, 2)]
    town_a = diff[0]
    assert (town_a["old"]["total"], town_a["new"]["total"], town_a["old"]["grade"], town_a["new"]["grade"]) == (
        "94.00", "100.00", "良好", "优秀")
    assert [(i["code"], i["old_value"], i["new_value"]) for i in town_a["indicators"]] == [("ZB0101", "90", "110")]
    assert town_a["indicators"][0]["reasons"] == ["2025-03 数值由 30 改为 50（2026-01-20 reporter、更正.xlsx），逾期报送"]
    assert (diff[1]["indicators"], diff[1]["other"]) == ([], [])


def test_publishing_locks_the_scheme_and_opens_the_appeal_window(world, users, django_capture_on_commit_callbacks):
    from django.utils import timezone

    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    run_publish(actor=users["assessment"], run=run, appeal_days=10)
    run.refresh_from_db()
    world["scheme"].refresh_from_db()
    assert run.is_published and run.published_by == users["assessment"]
    assert run.appeal_until == timezone.localdate() + dt.timedelta(days=10)
    assert world["scheme"].is_locked
    assert AuditLog.objects.filter(action="assessment.run.publish", object_id=str(run.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        run_publish(actor=users["assessment"], run=run)
    assert exc.value.messages == ["该批次已经发布，不能重复发布"]
    with pytest.raises(ValidationError) as exc:
        run_delete(actor=users["assessment"], run=run)
    assert exc.value.messages == ["已发布的批次不能删除"]


@pytest.mark.parametrize("days", [0, 91, "abc"])
def test_publish_refuses_a_bad_appeal_window(world, users, days, django_capture_on_commit_callbacks):
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    with pytest.raises(ValidationError) as exc:
        run_publish(actor=users["assessment"], run=run, appeal_days=days)
    assert exc.value.messages == ["申诉期应为 1 到 90 天"]


def test_publish_refuses_a_failed_run_and_other_roles(world, users):
    with transaction.atomic():
        run = run_start(actor=users["assessment"], scheme=world["scheme"], enqueue=False)
    Run.objects.filter(pk=run.pk).update(status="failed")
    with pytest.raises(ValidationError) as exc:
        run_publish(actor=users["assessment"], run=run)
    assert exc.value.messages == ["只有计算完成的批次才能发布"]
    with pytest.raises(PermissionDenied):
        run_publish(actor=users["member"], run=run)


def test_a_what_if_never_publishes_and_never_touches_the_published_run(world, users, django_capture_on_commit_callbacks):
    official = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    publish(official)
    whatif = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"],
                     kind="whatif", based_on=official, overrides={"weights": {"ZB0101": 40, "ZB0601": 60}})
    # 甲镇 40·90/100 + 60·100/100 = 96.00; 乙镇 40 + 60·95/100 = 97.00.
    assert _summary(whatif) == {"甲镇": ("96.00", None, "96.00", 2, "优秀"), "乙镇": ("97.00", None, "97.00", 1, "优秀")}
    assert whatif.inputs["overrides"] == {"weights": {"ZB0101": "40", "ZB0601": "60"}}
    assert _summary(official)["甲镇"] == ("94.00", None, "94.00", 2, "良好")
    with pytest.raises(ValidationError) as exc:
        run_publish(actor=users["assessment"], run=whatif)
    assert exc.value.messages == ["模拟测算的结果不能发布"]


def test_a_finished_unpublished_run_can_be_deleted(world, users, django_capture_on_commit_callbacks):
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    run_delete(actor=users["assessment"], run=run)
    assert not Run.objects.filter(pk=run.pk).exists()
    assert AuditLog.objects.filter(action="assessment.run.delete", object_id=str(run.pk)).count() == 1


def test_a_queued_run_cannot_be_deleted(world, users):
    with transaction.atomic():
        run = run_start(actor=users["assessment"], scheme=world["scheme"], enqueue=False)
    with pytest.raises(ValidationError) as exc:
        run_delete(actor=users["assessment"], run=run)
    assert exc.value.messages == ["该批次正在计算，不能删除"]


def test_late_is_after_the_deadline_day_of_the_next_month(settings):
    assert inputs.is_late("2025-01", at("2025-02-15T23:59:00")) is False
    assert inputs.is_late("2025-01", at("2025-02-16T00:01:00")) is True
    assert inputs.is_late("2025-12", at("2026-01-15T12:00:00")) is False
    settings.QZ_ASSESSMENT_DEADLINE_DAY = 10
    assert inputs.is_late("2025-01", at("2025-02-11T08:00:00")) is True


def test_inputs_read_the_values_in_one_query(world, django_assert_num_queries):
    scheme = Scheme.objects.get(pk=world["scheme"].pk)
    # the scheme's owner, units, indicator rows of the scheme, indicators, the import jobs, the values,
    # spot checks, adjustments: never one per unit or per value
    with django_assert_num_queries(8):
        data = inputs.load(scheme)
    assert [u.name for u in data.units] == ["甲镇", "乙镇"]
    assert sorted(data.values[data.units[1].pk]["ZB0101"].items()) == [("2025-01", Decimal("50.0000")),
                                                                       ("2025-02", Decimal("60.0000"))]


def test_the_trend_sends_a_declining_unit_to_coaching_without_touching_its_score(
        world, users, county, django_capture_on_commit_callbacks):
    from qingzhuang.ledger.models import Indicator

    revenue = Indicator.objects.create(code="ZB0401", name="一般公共预算收入", owner=county["stats"])
    for unit, yearly in (("town_a", (10, 9, 8)), ("town_b", (10, 11, 12))):
        for year, value in zip((2023, 2024, 2025), yearly, strict=True):
            for month in range(1, 13):
                IndicatorValue.objects.create(unit=county[unit], indicator=revenue, period=f"{year}-{month:02d}",
                                              value=value)
    Scheme.objects.filter(pk=world["scheme"].pk).update(
        trend={"indicators": {"ZB0401": "1"}, "threshold": "-0.5", "years": 3})
    world["scheme"].refresh_from_db()
    run = compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])
    lines = _lines(run)
    assert (lines["甲镇"].coaching, lines["乙镇"].coaching) == (True, False)
    assert (lines["甲镇"].trend_index, lines["乙镇"].trend_index) == (Decimal("-1.0000"), Decimal("1.0000"))
    assert "一般公共预算收入" in lines["甲镇"].coaching_reason
    trend = lines["甲镇"].detail["trend"]
    assert (trend["index"], trend["coaching"], list(trend["growth"])) == ("-1.0000", True, ["ZB0401"])
    # The 附加题 never changes a score.
    assert lines["甲镇"].total == Decimal("94.00")


def test_a_value_written_by_another_kind_of_job_still_names_its_upload(world, users, county):
    from qingzhuang.ledger.models import Dataset, ImportJob

    other = ImportJob.objects.create(dataset=Dataset.objects.get(code="population"), uploaded_by=users["reporter"],
                                     file="y.xlsx", original_name="补录.xlsx", status="succeeded")
    IndicatorValue.objects.filter(unit=county["town_b"], indicator=world["gdp"], period="2025-02").update(job=other)
    data = inputs.load(Scheme.objects.get(pk=world["scheme"].pk))
    source = data.sources[county["town_b"].pk]["ZB0101"]["2025-02"]
    assert (source.job, source.job_file) == (other.pk, "补录.xlsx")
    assert data.sources[county["town_b"].pk]["ZB0101"]["2025-01"].job_file == "2025年一季度指标.xlsx"
