"""Report definition, admission (准入), the register and sending: each service works, each refusal is exact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.burden import access as burden_access
from qingzhuang.burden import services as burden_services
from qingzhuang.burden.models import Demand, DemandStatus
from qingzhuang.ledger import access, services
from qingzhuang.ledger.models import Admission, RegisterStatus, Report
from qingzhuang.ledger.services import ReportDefinition
from qingzhuang.ledger.tests.report_world import build, make_report
from qingzhuang.orgs.models import AuditLog


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


@pytest.fixture
def asking(world):
    """A report that also asks 甲村 and 乙村 for two fields the ledger does not hold."""
    return make_report(world.civil_rep, world.catalog["population"], name="困难群众走访月报",
                       manual_fields=["走访次数", "帮扶措施"],
                       target_units=[world.county["village_a"], world.county["village_b"]])


def approved(world, report):
    services.report_submit(actor=world.civil_rep, report=report)
    return services.report_review(actor=world.ducha, report=report, approve=True)


def messages(exc) -> dict | list:
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else exc.value.messages


# -- definition


def test_create_saves_a_draft_owned_by_the_definers_department_and_audits(world, asking):
    assert (asking.owner, asking.created_by, asking.admission) == (world.civil, world.civil_rep, Admission.DRAFT)
    assert asking.register_status == RegisterStatus.KEEP
    assert list(asking.target_units.order_by("code")) == [world.county["village_a"], world.county["village_b"]]
    entry = AuditLog.objects.get(action="report.create")
    assert entry.actor == world.civil_rep and entry.after["manual_fields"] == ["走访次数", "帮扶措施"]
    assert entry.after["target_units"] == 2


def test_create_needs_the_define_permission(world):
    with pytest.raises(PermissionDenied):
        make_report(world.cun, world.catalog["population"])
    assert not Report.objects.exists()


@pytest.mark.parametrize(("fields", "errors"), [
    ({"name": " "}, {"name": ["请填写报表名称"]}),
    ({"columns": ["nope"], "aggregate": "list"}, {"columns": ["数据集“人口基础信息”没有这些字段：nope"]}),
    ({"aggregate": "list"}, {"columns": ["明细报表至少选择一个字段"]}),
    ({"aggregate": "list", "columns": ["name"], "group_unit": "village"},
     {"aggregate": ["明细报表不分组；要分组汇总请选择计数、求和或平均值"]}),
    ({"aggregate": "sum", "measure": "name"}, {"measure": ["求和或平均值需要选择一个数值字段"]}),
    ({"group_period": "month"}, {"period_element": ["按期间分组或限定期间时，请选择一个日期或期间字段"]}),
    ({"period_element": "birth_date", "period_from": "2025-13"}, {"period_from": ["期间格式应为 YYYY-MM，例如 2025-06"]}),
    ({"filters": [{"element": "nope", "op": "eq", "value": "x"}]},
     {"filters": ["第1个筛选条件：数据集中没有字段“nope”"]}),
    ({"filters": [{"element": "name", "op": "like", "value": "x"}]}, {"filters": ["第1个筛选条件：比较方式无效"]}),
    ({"filters": [{"element": "name", "op": "eq", "value": " "}]}, {"filters": ["第1个筛选条件：请填写比较的值"]}),
    ({"group_unit": "province"}, {"group_unit": ["单位分组方式无效"]}),
])
def test_create_rejects_bad_definitions(world, fields, errors):
    fields.setdefault("name", "报表")
    with pytest.raises(ValidationError) as exc:
        services.report_create(actor=world.office_rep,
                              definition=ReportDefinition(dataset=world.catalog["population"], **fields))
    assert exc.value.message_dict == errors


def test_numeric_filter_value_must_be_a_number(world):
    with pytest.raises(ValidationError) as exc:
        make_report(world.office_rep, world.catalog["housing"],
                    filters=[{"element": "floor_area", "op": "gte", "value": "很大"}])
    assert exc.value.message_dict == {"filters": ["第1个筛选条件：“很大”不是数字"]}


def test_targets_must_be_grassroots_units(world):
    with pytest.raises(ValidationError) as exc:
        make_report(world.office_rep, world.catalog["population"], target_units=[world.county["stats"]])
    assert exc.value.message_dict == {"target_units": ["填报单位只能是乡镇（街道）、村（社区）或网格：县统计局"]}


def test_update_by_the_owner_department(world, asking):
    services.report_update(actor=world.civil_rep2, report=asking,
                          definition=ReportDefinition(name="改名", dataset=world.catalog["population"]))
    asking.refresh_from_db()
    assert asking.name == "改名" and asking.manual_fields == [] and not asking.target_units.exists()
    assert AuditLog.objects.get(action="report.update").before["name"] == "困难群众走访月报"


def test_update_by_another_department_is_refused(world, asking):
    with pytest.raises(PermissionDenied):
        services.report_update(actor=world.stats_rep, report=asking,
                              definition=ReportDefinition(name="改名", dataset=world.catalog["population"]))


def test_update_after_submission_is_refused(world, asking):
    services.report_submit(actor=world.civil_rep, report=asking)
    with pytest.raises(ValidationError) as exc:
        services.report_update(actor=world.civil_rep, report=asking,
                              definition=ReportDefinition(name="改名", dataset=world.catalog["population"]))
    assert exc.value.messages == ["已提交审批或已批准的报表不能修改"]


# -- admission


def test_submit_then_approve(world, asking):
    services.report_submit(actor=world.civil_rep, report=asking)
    asking.refresh_from_db()
    assert asking.admission == Admission.PENDING and asking.submitted_at
    services.report_review(actor=world.ducha, report=asking, approve=True, note="同意")
    asking.refresh_from_db()
    assert (asking.admission, asking.reviewed_by, asking.review_note) == (Admission.APPROVED, world.ducha, "同意")
    assert list(AuditLog.objects.filter(object_type="ledger.report", object_id=str(asking.pk)).order_by("id")
                .values_list("action", flat=True)) == [
        "report.create", "report.submit", "report.approve"]


def test_reject_needs_a_reason_and_can_be_resubmitted(world, asking):
    services.report_submit(actor=world.civil_rep, report=asking)
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=world.ducha, report=asking, approve=False, note="")
    assert exc.value.message_dict == {"note": ["驳回时请写明理由"]}
    services.report_review(actor=world.ducha, report=asking, approve=False, note="与一套表重复")
    asking.refresh_from_db()
    assert asking.admission == Admission.REJECTED
    services.report_submit(actor=world.civil_rep, report=asking)
    asking.refresh_from_db()
    assert asking.admission == Admission.PENDING


def test_only_the_supervision_office_approves(world, asking):
    services.report_submit(actor=world.civil_rep, report=asking)
    for actor in (world.civil_rep, world.stats_rep, world.cun):
        with pytest.raises(PermissionDenied):
            services.report_review(actor=actor, report=asking, approve=True)
    asking.refresh_from_db()
    assert asking.admission == Admission.PENDING


def test_only_pending_reports_are_reviewed(world, asking):
    with pytest.raises(ValidationError) as exc:
        services.report_review(actor=world.ducha, report=asking, approve=True)
    assert exc.value.messages == ["只有待审批的报表可以审批"]


def test_submit_twice_is_refused(world, asking):
    services.report_submit(actor=world.civil_rep, report=asking)
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=world.civil_rep, report=asking)
    assert exc.value.messages == ["只有草稿或被驳回的报表可以提交审批"]


def test_another_department_cannot_submit(world, asking):
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=world.stats_rep, report=asking)


# -- the register


def test_register_status_is_set_by_the_supervision_office_with_a_reason(world, asking):
    services.report_set_register(actor=world.ducha, report=asking, status="optimise", reason="合并到月报")
    asking.refresh_from_db()
    assert (asking.register_status, asking.register_reason) == (RegisterStatus.OPTIMISE, "合并到月报")
    assert AuditLog.objects.get(action="report.register").after == {"register_status": "optimise",
                                                                    "reason": "合并到月报"}


def test_register_refusals(world, asking):
    with pytest.raises(PermissionDenied):
        services.report_set_register(actor=world.civil_rep, report=asking, status="stop", reason="x")
    with pytest.raises(ValidationError) as exc:
        services.report_set_register(actor=world.ducha, report=asking, status="stop", reason=" ")
    assert exc.value.message_dict == {"reason": ["请写明处理理由"]}
    with pytest.raises(ValidationError) as exc:
        services.report_set_register(actor=world.ducha, report=asking, status="gone", reason="x")
    assert exc.value.message_dict == {"status": ["清单状态无效"]}


# -- sending


def test_an_unapproved_report_cannot_be_sent(world, asking):
    for state in (Admission.DRAFT, Admission.PENDING, Admission.REJECTED):
        Report.objects.filter(pk=asking.pk).update(admission=state)
        with pytest.raises(ValidationError) as exc:
            services.report_send(actor=world.civil_rep, report=asking, round="2025-06")
        assert exc.value.messages == ["该报表未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。"]
    assert not Demand.objects.exists()


def test_an_approved_report_is_sent_once_per_round(world, asking):
    approved(world, asking)
    demands = services.report_send(actor=world.civil_rep, report=asking, round="2025-06", due_date=dt.date(2025, 7, 5))
    assert sorted(d.unit.code for d in demands) == ["429901001201", "429901002201"]
    demand = Demand.objects.get(unit=world.county["village_a"])
    assert (demand.fields, demand.status, demand.due_date, demand.round) == (
        ["走访次数", "帮扶措施"], DemandStatus.PENDING, dt.date(2025, 7, 5), "2025-06")
    assert AuditLog.objects.get(action="report.send").after["units"] == 2
    with pytest.raises(ValidationError) as exc:
        services.report_send(actor=world.civil_rep, report=asking, round="2025-06")
    assert exc.value.message_dict == {"round": ["第“2025-06”期已经下发过"]}
    services.report_send(actor=world.civil_rep, report=asking, round="2025-07")
    assert Demand.objects.count() == 4


def test_a_stopped_report_cannot_be_sent(world, asking):
    approved(world, asking)
    services.report_set_register(actor=world.ducha, report=asking, status="stop", reason="未经批准一律停止填报")
    with pytest.raises(ValidationError) as exc:
        services.report_send(actor=world.civil_rep, report=asking, round="2025-06")
    assert exc.value.messages == [services.STOP_MESSAGE]


def test_a_ledger_only_report_is_never_sent(world):
    report = make_report(world.civil_rep, world.catalog["population"], target_units=[world.county["village_a"]])
    approved(world, report)
    with pytest.raises(ValidationError) as exc:
        services.report_send(actor=world.civil_rep, report=report, round="2025-06")
    assert exc.value.messages == ["该报表完全由一套表生成，无需向基层下发。"]


def test_sending_needs_a_round_and_targets(world):
    report = make_report(world.civil_rep, world.catalog["population"], manual_fields=["走访次数"])
    approved(world, report)
    with pytest.raises(ValidationError) as exc:
        services.report_send(actor=world.civil_rep, report=report, round=" ")
    assert exc.value.message_dict == {"round": ["请填写填报期次，例如 2025-06"]}
    with pytest.raises(ValidationError) as exc:
        services.report_send(actor=world.civil_rep, report=report, round="2025-06")
    assert exc.value.message_dict == {"target_units": ["请先选择填报单位"]}


def test_another_department_cannot_send(world, asking):
    approved(world, asking)
    with pytest.raises(PermissionDenied):
        services.report_send(actor=world.stats_rep, report=asking, round="2025-06")


# -- filling a demand


@pytest.fixture
def demand(world, asking):
    approved(world, asking)
    services.report_send(actor=world.civil_rep, report=asking, round="2025-06")
    return Demand.objects.get(unit=world.county["village_a"])


def test_the_demanded_unit_fills(world, asking, demand):
    burden_services.demand_fill(actor=world.cun, demand=demand, data={"走访次数": "12", "帮扶措施": "送米送油"}, note="按时")
    demand.refresh_from_db()
    assert (demand.status, demand.filled_by, demand.data) == (
        DemandStatus.FILLED, world.cun, {"走访次数": "12", "帮扶措施": "送米送油"})
    asking.refresh_from_db()
    assert asking.last_filled_at == demand.filled_at
    assert AuditLog.objects.get(action="demand.fill").unit == world.county["village_a"]


def test_a_demand_is_filled_once_and_completely(world, demand):
    with pytest.raises(ValidationError) as exc:
        burden_services.demand_fill(actor=world.cun, demand=demand, data={"走访次数": "12"})
    assert exc.value.message_dict == {"data": ["请填写：帮扶措施"]}
    burden_services.demand_fill(actor=world.cun, demand=demand, data={"走访次数": "1", "帮扶措施": "x"})
    with pytest.raises(ValidationError) as exc:
        burden_services.demand_fill(actor=world.cun, demand=demand, data={"走访次数": "1", "帮扶措施": "x"})
    assert exc.value.messages == ["该任务已经填报"]


def test_another_unit_cannot_fill(world, demand):
    with pytest.raises(PermissionDenied):
        burden_services.demand_fill(actor=world.cun_b, demand=demand, data={"走访次数": "1", "帮扶措施": "x"})
    with pytest.raises(PermissionDenied):  # the department that asked is not the one that fills
        burden_services.demand_fill(actor=world.civil_rep, demand=demand, data={"走访次数": "1", "帮扶措施": "x"})


def test_a_stopped_report_cannot_be_filled_by_units(world, asking, demand):
    services.report_set_register(actor=world.ducha, report=asking, status="stop", reason="停止")
    with pytest.raises(ValidationError) as exc:
        burden_services.demand_fill(actor=world.cun, demand=demand, data={"走访次数": "1", "帮扶措施": "x"})
    assert exc.value.messages == [services.STOP_MESSAGE]
    demand.refresh_from_db()
    assert demand.status == DemandStatus.PENDING


# -- scoping


def test_visibility_of_reports(world, users, asking):
    assert list(access.visible_reports(world.civil_rep2)) == [asking]  # same department
    assert list(access.visible_reports(world.stats_rep)) == []  # another department
    assert list(access.visible_reports(world.cun)) == []  # a village sees demands, not reports
    assert list(access.visible_reports(world.ducha)) == [asking]  # 督查室 of the county party office
    assert list(access.visible_reports(users["leader"])) == [asking]  # a county-level account


def test_a_supervision_role_in_a_township_does_not_see_all(world, county, asking):
    from conftest import make_user

    township_ducha = make_user("townducha", county["town_b"], "督查室")
    assert not access.sees_all_requests(township_ducha)
    assert list(access.visible_reports(township_ducha)) == []


def test_visibility_of_demands(world, demand):
    assert list(burden_access.visible_demands(world.cun)) == [demand]
    assert list(burden_access.visible_demands(world.cun_b)) == [Demand.objects.get(unit=world.county["village_b"])]
    assert burden_access.visible_demands(world.civil_rep).count() == 2  # the department that asked
    assert burden_access.visible_demands(world.stats_rep).count() == 0
