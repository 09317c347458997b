"""一事一码 verification: the answer, its refusals, codes that cannot be guessed, the log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden.admission import Admission
from qingzhuang.supervision import codes
from qingzhuang.supervision.models import CapRule, PlanItem, Verification, Visit, VisitStatus
from qingzhuang.supervision.services.visits import visit_cancel
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item
from qingzhuang.supervision.verify import unknown_answer, verify

KEYS = {"valid", "status", "reason", "may_refuse", "code", "unit", "items", "window", "date", "team", "lead", "cap"}


def _verify(code, **kw):
    with transaction.atomic():
        return verify(code, channel=kw.pop("channel", "page"), **kw)


def test_a_fresh_code_is_valid_and_says_what_may_be_asked(sv, county):
    visit = issued_visit(sv, county)
    result = _verify(codes.grouped(visit.code).lower(), caller="10.0.0.1")
    assert set(result) == KEYS
    assert (result["valid"], result["status"], result["may_refuse"]) == (True, "valid", False)
    assert result["unit"] == "甲镇" and result["lead"] == "县统计局" and result["team"] == "统计执法检查组"
    assert result["items"] == [{"title": "统计执法检查", "kind": "检查", "matter": "统计执法", "basis": "《安全生产法》",
                                "method": "实地督查检查", "materials": "不要求提供材料"}]
    assert result["cap"] == {"period": visit.cap_period, "limit": 1, "used": 1}
    assert result["code"] == codes.grouped(visit.code)
    logged = Verification.objects.get()
    assert (logged.visit, logged.result, logged.channel) == (visit, "valid", "page")
    assert logged.caller and "10.0.0.1" not in logged.caller


@pytest.mark.parametrize("text", ["", "ABCD", "U" * 26, None, "0" * 26, "x" * 500])
def test_an_unknown_code_answers_the_same_whatever_was_typed(sv, county, text):
    issued_visit(sv, county)
    assert _verify(text) == unknown_answer()
    assert unknown_answer()["reason"] == "没有这个检查码：检查组未出示经督查室签发的检查码，可不予配合"
    assert Verification.objects.get().visit is None


def test_random_codes_are_never_found(sv, county):
    issued_visit(sv, county)
    for _ in range(200):
        assert _verify(codes.new_code())["status"] == "unknown"


def test_an_expired_code_may_be_refused(sv, county):
    visit = issued_visit(sv, county)
    Visit.objects.filter(pk=visit.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    result = _verify(visit.code)
    assert (result["valid"], result["status"], result["may_refuse"]) == (False, "expired", True)
    assert result["reason"] == f"检查码已过期（有效期至 {timezone.localdate() - dt.timedelta(days=1):%Y-%m-%d}），可不予配合"


def test_a_cancelled_code_may_be_refused(sv, county):
    visit = issued_visit(sv, county, day=timezone.localdate())
    with transaction.atomic():
        visit_cancel(actor=sv["office"], visit=visit)
    assert _verify(visit.code)["reason"] == "这次检查已取消，可不予配合"


def test_an_item_no_longer_approved_is_out_of_plan(sv, county):
    visit = issued_visit(sv, county)
    PlanItem.objects.filter(visits=visit).update(admission=Admission.REJECTED)
    result = _verify(visit.code)
    assert (result["status"], result["reason"]) == ("out_of_plan", "检查事项未列入年度计划或未经批准（计划外检查），可不予配合")


def test_a_visit_beyond_a_lowered_cap_may_be_refused(sv, county):
    first = issued_visit(sv, county)
    CapRule.objects.create(year=first.date.year, period="quarter", limit=2)
    second = issued_visit(sv, county, item=live_item(county["stats"], title="安全检查", matter="安全生产"), team="第二组")
    CapRule.objects.filter(year=first.date.year).update(limit=1)
    assert _verify(first.code)["valid"] is True
    result = _verify(second.code)
    assert result["status"] == "over_cap" and result["reason"].endswith("超出上限，可不予配合")
    assert result["cap"]["used"] == 2


def test_command_prints_the_same_answer_as_json_and_exits_by_validity(sv, county, capsys):
    visit = issued_visit(sv, county)
    call_command("verify_code", visit.code, "--json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) == KEYS and out["valid"] is True and out["unit"] == "甲镇"
    with pytest.raises(SystemExit) as caught:
        call_command("verify_code", "NOT-A-CODE", "--json")
    assert caught.value.code == 1
    assert json.loads(capsys.readouterr().out) == unknown_answer()
    with pytest.raises(SystemExit):
        call_command("verify_code", codes.new_code())
    assert "可不予配合" in capsys.readouterr().out
    assert set(Verification.objects.values_list("channel", flat=True)) == {"cli"}


def test_a_scheduled_visit_has_no_code_to_find(sv, county):
    issued_visit(sv, county)
    Visit.objects.update(status=VisitStatus.SCHEDULED)
    assert _verify("")["status"] == "unknown"
