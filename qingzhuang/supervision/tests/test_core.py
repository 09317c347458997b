"""The core of 一事一码: codes, scheduling a visit and issuing its code within the cap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.orgs.models import AuditLog
from qingzhuang.supervision import codes
from qingzhuang.supervision.models import CapSlot, Visit, VisitStatus
from qingzhuang.supervision.services.visits import visit_create, visit_issue


def test_codes_are_random_base32_and_typing_is_forgiving():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    code = made.pop()
    assert len(code) == 26 and set(code) <= set(codes.ALPHABET)
    typed = codes.grouped(code).lower().replace("0", "o").replace("1", "l")
    assert codes.normalise(typed) == code
    assert codes.normalise(" " + codes.grouped(code) + " ") == code


@pytest.mark.parametrize("text", ["", "ABC", "U" * 26, "0" * 27, "0" * 25, "0" * 200, None])
def test_codes_refuse_what_cannot_be_a_code(text):
    assert codes.normalise(text) is None


def _visit(sv, county, *, unit=None, day=None):
    return visit_create(actor=sv["stats_reporter"], items=[sv["stats_item"]], unit=unit or county["town_a"],
                        date=day or sv["day"], team="统计执法检查组")


def test_issuing_places_one_inspection_demand_and_takes_the_quarter_slot(sv, county):
    visit = visit_issue(actor=sv["office"], visit=_visit(sv, county))
    assert visit.status == VisitStatus.ISSUED and codes.normalise(visit.code) == visit.code
    assert visit.cap_period == "2025-Q2"
    demand = Demand.objects.get()
    assert (demand.kind, demand.unit, demand.placed_by, demand.month) == (
        DemandKind.INSPECTION, county["town_a"], county["stats"], "2025-05")
    assert CapSlot.objects.get(unit=county["town_a"], period="2025-Q2").used == 1
    assert AuditLog.objects.filter(action="visit.issue").count() == 1


def test_second_visit_in_the_quarter_is_refused_and_writes_nothing(sv, county):
    visit_issue(actor=sv["office"], visit=_visit(sv, county))
    second = visit_create(actor=sv["agri_reporter"], items=[sv["agri_item"]], unit=county["town_a"],
                          date=dt.date(2025, 6, 3))
    with pytest.raises(ValidationError) as caught:
        visit_issue(actor=sv["office"], visit=second)
    assert caught.value.message_dict["date"] == [
        "甲镇在2025-Q2已有 1 次检查，达到频次上限（每个单位每季度最多 1 次），不能再签发检查码；请与已安排的检查合并或改期"]
    second.refresh_from_db()
    assert (second.status, second.code) == (VisitStatus.SCHEDULED, "")
    assert Demand.objects.count() == 1
    assert CapSlot.objects.get(unit=county["town_a"], period="2025-Q2").used == 1


def test_only_the_office_issues_codes(sv, county):
    with pytest.raises(PermissionDenied):
        visit_issue(actor=sv["stats_reporter"], visit=_visit(sv, county))


def test_visit_outside_the_window_or_targets_is_refused(sv, county):
    with pytest.raises(ValidationError) as caught:
        _visit(sv, county, day=dt.date(2025, 7, 1))
    assert caught.value.message_dict["date"] == ["检查日期应在 2025-04-01 到 2025-06-30 之间"]
    with pytest.raises(ValidationError) as caught:
        _visit(sv, county, unit=county["village_a"])
    assert caught.value.message_dict["beyond_reason"] == [
        "甲村不在这些事项的检查对象内（扩大范围），请写明理由：统计执法检查"]
    assert not Visit.objects.exists()


def test_a_department_schedules_only_its_own_items(sv, county):
    with pytest.raises(PermissionDenied):
        visit_create(actor=sv["stats_reporter"], items=[sv["agri_item"]], unit=county["town_a"], date=sv["day"])
