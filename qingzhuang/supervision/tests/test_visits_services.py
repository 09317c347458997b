"""Cancel, results once (结果互认), reinspection, anonymous evaluation, unfiled visits, caps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.orgs.models import AuditLog
from qingzhuang.supervision import access
from qingzhuang.supervision.models import CapRule, CapSlot, Evaluation, Visit, VisitStatus
from qingzhuang.supervision.services import visits as services
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item


def _atomic(fn, **kw):
    with transaction.atomic():
        return fn(**kw)


def test_cancel_gives_the_slot_back_and_is_audited(sv, county):
    visit = issued_visit(sv, county)
    _atomic(services.visit_cancel, actor=sv["office"], visit=visit, reason="改期")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert CapSlot.objects.get(unit=county["town_a"]).used == 0
    assert AuditLog.objects.get(action="visit.cancel").after["reason"] == "改期"


def test_cancel_refusals(sv, county):
    visit = issued_visit(sv, county)
    with pytest.raises(PermissionDenied):
        _atomic(services.visit_cancel, actor=sv["agri_reporter"], visit=visit)
    Visit.objects.filter(pk=visit.pk).update(date=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        _atomic(services.visit_cancel, actor=sv["office"], visit=visit)
    assert caught.value.messages == ["检查日期已过，不能取消；请记录检查结果"]


def test_result_is_recorded_once_by_the_lead(sv, county):
    visit = issued_visit(sv, county)
    with pytest.raises(PermissionDenied):
        _atomic(services.result_record, actor=sv["agri_reporter"], visit=visit, findings="x", conclusion="合格")
    with pytest.raises(ValidationError) as caught:
        _atomic(services.result_record, actor=sv["stats_reporter"], visit=visit, findings="", conclusion="合格",
                score="101")
    assert caught.value.message_dict == {"findings": ["请填写发现的问题（没有问题请写“未发现问题”）"],
                                         "score": ["评分应为 0 到 100 之间的数"]}
    result = _atomic(services.result_record, actor=sv["stats_reporter"], visit=visit, findings="未发现问题",
                     conclusion="合格", score="92.5")
    assert str(result.score) == "92.50"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    with pytest.raises(ValidationError) as caught:
        _atomic(services.result_record, actor=sv["stats_reporter"], visit=visit, findings="再记", conclusion="合格")
    assert caught.value.messages == ["这次检查的结果已经记录，结果只记录一次、各部门互认，不能重复记录"]


def test_result_is_visible_to_departments_targeting_the_same_unit(sv, county, users):
    visit = issued_visit(sv, county)
    _atomic(services.result_record, actor=sv["stats_reporter"], visit=visit, findings="未发现问题", conclusion="合格")
    # 农业农村局's approved item targets townships this year: it sees the result; 乙镇's cadre does not.
    live_item(sv["agri"], title="耕地检查", matter="耕地保护")
    assert access.sees_result(sv["agri_reporter"], visit)
    assert not access.sees_result(users["outsider"], visit)
    assert access.sees_result(users["member"], visit)


def test_reinspecting_the_same_matter_needs_a_reason(sv, county):
    visit = issued_visit(sv, county)
    _atomic(services.result_record, actor=sv["stats_reporter"], visit=visit, findings="未发现问题", conclusion="合格")
    CapRule.objects.create(year=visit.date.year, period="quarter", limit=3)
    again = live_item(sv["agri"], title="统计数据质量检查", matter="统计执法")
    with pytest.raises(ValidationError) as caught:
        _atomic(services.visit_create, actor=sv["agri_reporter"], items=[again], unit=county["town_a"],
                date=visit.date)
    assert caught.value.message_dict["reinspect_reason"] == [
        f"县统计局已于 {visit.date:%Y-%m-%d} 对甲镇检查“统计执法”（结论：合格），结果各部门互认；如确需再次检查，请写明理由"]
    second = _atomic(services.visit_create, actor=sv["agri_reporter"], items=[again], unit=county["town_a"],
                     date=visit.date, reinspect_reason="上级交办专项核查")
    assert second.reinspect_reason == "上级交办专项核查"
    # Another unit has no earlier visit: no reason needed.
    _atomic(services.visit_create, actor=sv["agri_reporter"], items=[again], unit=county["town_b"], date=visit.date)


def test_evaluation_keeps_no_identity(sv, county):
    visit = issued_visit(sv, county)
    evaluation = _atomic(services.evaluation_submit, visit=visit, rating="5", burden_free="1", comment="很好")
    assert (evaluation.rating, evaluation.burden_free, evaluation.on) == (5, True, timezone.localdate())
    assert {f.name for f in Evaluation._meta.get_fields()} == {"id", "visit", "rating", "burden_free", "comment", "on"}
    with pytest.raises(ValidationError) as caught:
        _atomic(services.evaluation_submit, visit=visit, rating="9", burden_free="maybe")
    assert caught.value.message_dict == {"rating": ["请选择 1 到 5 星"],
                                         "burden_free": ["请选择是否要求准备材料或陪同迎检"]}
    Visit.objects.filter(pk=visit.pk).update(date=timezone.localdate() + dt.timedelta(days=1))
    visit.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        _atomic(services.evaluation_submit, visit=visit, rating=3, burden_free=True)
    assert caught.value.messages == ["检查结束后才能评价"]


def test_unfiled_visit_is_placed_in_the_burden_ledger(sv, county, users):
    today = timezone.localdate()
    visit = _atomic(services.unfiled_report, actor=users["member"], unit=county["town_a"], department=county["stats"],
                    date=today, matter="统计台账", note="未出示检查码")
    assert (visit.status, visit.code, visit.lead) == (VisitStatus.UNFILED, "", county["stats"])
    demand = Demand.objects.get()
    assert (demand.kind, demand.unit, demand.placed_by) == (DemandKind.INSPECTION, county["town_a"], county["stats"])
    assert AuditLog.objects.filter(action="visit.unfiled").count() == 1
    with pytest.raises(ValidationError) as caught:
        _atomic(services.unfiled_report, actor=users["member"], unit=county["town_a"], department=None,
                date=today + dt.timedelta(days=1), matter="")
    assert caught.value.message_dict == {"department": ["请选择来检查的县级部门"], "date": ["检查日期不能晚于今天"],
                                         "matter": ["请填写检查了什么"]}
    with pytest.raises(PermissionDenied):
        _atomic(services.unfiled_report, actor=sv["stats_reporter"], unit=county["town_a"],
                department=county["stats"], date=today, matter="x")


def test_cap_set_by_the_office_only(sv, county, users):
    rule = _atomic(services.cap_set, actor=sv["office"], year=2026, period="month", limit="2")
    assert (rule.period, rule.limit) == ("month", 2)
    assert AuditLog.objects.get(action="cap.set").after == {"year": 2026, "period": "month", "limit": 2}
    with pytest.raises(ValidationError) as caught:
        _atomic(services.cap_set, actor=sv["office"], year=2026, period="week", limit=0)
    assert caught.value.message_dict == {"period": ["周期应为“月”或“季度”"], "limit": ["上限应为 1 到 99 之间的整数"]}
    with pytest.raises(PermissionDenied):
        _atomic(services.cap_set, actor=sv["stats_reporter"], year=2026, period="month", limit=2)


def test_a_township_supervision_role_does_not_issue_codes(sv, county):
    from conftest import make_user
    from qingzhuang.supervision.services.visits import visit_create, visit_issue

    township_office = make_user("town_office", county["town_a"], "督查室")
    visit = visit_create(actor=sv["stats_reporter"], items=[live_item(county["stats"])], unit=county["town_a"],
                         date=timezone.localdate())
    with pytest.raises(PermissionDenied) as caught:
        visit_issue(actor=township_office, visit=visit)
    assert str(caught.value) == "只有县督查室可以签发检查码"
