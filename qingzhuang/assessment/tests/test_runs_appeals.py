"""Appeals (window, scope, answer), the scope of lines, and the compute_scores command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone

from qingzhuang.assessment import access
from qingzhuang.assessment.models import Run
from qingzhuang.assessment.services.appeals import appeal_answer, appeal_file
from qingzhuang.assessment.tests.runs_world import compute, publish, world_fixture  # noqa: F401
from qingzhuang.orgs.models import AuditLog


@pytest.fixture
def run(world, users, django_capture_on_commit_callbacks):
    return compute(django_capture_on_commit_callbacks, actor=users["assessment"], scheme=world["scheme"])


def _line(run, county, town="town_a"):
    return run.lines.select_related("run", "unit").get(unit=county[town])


def test_a_township_sees_only_its_own_published_lines(run, users, county):
    member = users["member"]
    assert not access.visible_lines(member).exists()
    assert not access.visible_runs(member).exists()
    publish(run)
    assert [line.unit.name for line in access.visible_lines(member).select_related("unit")] == ["甲镇"]
    assert list(access.visible_runs(member)) == [run]
    with pytest.raises(Http404):
        access.get_line_or_404(member, _line(run, county, "town_b").pk)
    assert access.visible_lines(users["leader"]).count() == 2


def test_a_township_appeals_its_own_line_within_the_window(run, users, county):
    publish(run)
    line = _line(run, county)
    appeal = appeal_file(actor=users["member"], line=line, indicator_code="ZB0101", reason="3月数据漏报，已补报")
    assert (appeal.status, appeal.indicator_code, appeal.filed_by) == ("open", "ZB0101", users["member"])
    entry = AuditLog.objects.get(action="assessment.appeal.file")
    assert (entry.unit, entry.after["reason"]) == (county["town_a"], "3月数据漏报，已补报")


def test_no_appeal_before_publication_or_on_another_units_line(run, users, county):
    with pytest.raises(Http404):
        appeal_file(actor=users["member"], line=_line(run, county), reason="理由")
    publish(run)
    with pytest.raises(Http404):
        appeal_file(actor=users["member"], line=_line(run, county, "town_b"), reason="理由")


def test_no_appeal_after_the_window(run, users, county):
    publish(run)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Run.objects.filter(pk=run.pk).update(appeal_until=yesterday)
    with pytest.raises(ValidationError) as exc:
        appeal_file(actor=users["member"], line=_line(run, county), reason="理由")
    assert exc.value.messages == [f"申诉期已于 {yesterday:%Y-%m-%d} 结束"]


@pytest.mark.parametrize(("code", "reason", "message"), [
    ("", "  ", "请填写申诉理由"),
    ("", "长" * 1001, "申诉理由不能超过1000字"),
    ("ZB9999", "理由", "该成绩单中没有指标 ZB9999"),
])
def test_appeal_refuses_bad_input(run, users, county, code, reason, message):
    publish(run)
    with pytest.raises(ValidationError) as exc:
        appeal_file(actor=users["member"], line=_line(run, county), indicator_code=code, reason=reason)
    assert exc.value.messages == [message]


def test_the_office_cannot_appeal(run, users, county):
    publish(run)
    with pytest.raises(PermissionDenied):
        appeal_file(actor=users["assessment"], line=_line(run, county), reason="理由")


def test_the_office_answers_an_appeal_once(run, users, county):
    publish(run)
    appeal = appeal_file(actor=users["member"], line=_line(run, county), reason="理由")
    answered = appeal_answer(actor=users["assessment"], appeal=appeal, status="rejected", answer="数据以统计局为准")
    assert (answered.status, answered.answer, answered.answered_by) == ("rejected", "数据以统计局为准", users["assessment"])
    assert AuditLog.objects.filter(action="assessment.appeal.answer").count() == 1
    with pytest.raises(ValidationError) as exc:
        appeal_answer(actor=users["assessment"], appeal=appeal, status="upheld", answer="改")
    assert exc.value.messages == ["该申诉已经答复"]


@pytest.mark.parametrize(("status", "answer", "message"), [
    ("upheld", " ", "请填写答复内容"),
    ("open", "答复", "请选择答复结论：已采纳或不予采纳"),
])
def test_answer_refuses_bad_input(run, users, county, status, answer, message):
    publish(run)
    appeal = appeal_file(actor=users["member"], line=_line(run, county), reason="理由")
    with pytest.raises(ValidationError) as exc:
        appeal_answer(actor=users["assessment"], appeal=appeal, status=status, answer=answer)
    assert exc.value.messages == [message]


def test_only_the_office_answers(run, users, county):
    publish(run)
    appeal = appeal_file(actor=users["member"], line=_line(run, county), reason="理由")
    with pytest.raises(PermissionDenied):
        appeal_answer(actor=users["member"], appeal=appeal, status="upheld", answer="好")


# ---------------------------------------------------------------- compute_scores


def _call(*args) -> str:
    out = StringIO()
    call_command("compute_scores", *args, stdout=out)
    return out.getvalue()


def test_compute_scores_prints_a_new_runs_json(world):
    result = json.loads(_call("township-2025", "--json"))
    assert result == [
        {"unit": "429901002000", "unit_name": "乙镇", "daily": "98.00", "exam": None, "bonus": "0.00",
         "deductions": "0.00", "total": "98.00", "rank": 1, "grade": "优秀", "veto": [], "coaching": False,
         "flags": ["ZB0101 本年度缺 1 个月的数据（其他单位已报）", "未开展期末考试，期末权重并入平时成绩",
                   "固定资产投资完成额（ZB0101）有2个月的数据逾期报送：2025-01、2025-02",
                   "安全事故起数（ZB0601）有2个月的数据逾期报送：2025-01、2025-02"]},
        {"unit": "429901001000", "unit_name": "甲镇", "daily": "94.00", "exam": None, "bonus": "0.00",
         "deductions": "0.00", "total": "94.00", "rank": 2, "grade": "良好", "veto": [], "coaching": False,
         "flags": ["未开展期末考试，期末权重并入平时成绩",
                   "固定资产投资完成额（ZB0101）有2个月的数据逾期报送：2025-01、2025-02",
                   "安全事故起数（ZB0601）有2个月的数据逾期报送：2025-01、2025-02"]},
    ]
    run = Run.objects.get()
    assert (run.number, run.kind, run.created_by, run.note) == (1, "official", None, "命令行计算")


def test_compute_scores_run_prints_that_run_without_computing(world):
    _call("township-2025", "--json")
    assert json.loads(_call("township-2025", "--run", "1", "--json"))[0]["unit_name"] == "乙镇"
    assert Run.objects.count() == 1


def test_compute_scores_plain_output_is_a_table(world):
    text = _call("township-2025")
    lines = text.splitlines()
    assert lines[0] == "2025年度乡镇综合考核（township-2025）第 1 批次，正式计算，2 个单位"
    assert lines[1] == "名次\t单位代码\t单位名称\t平时\t期末\t加分\t扣分\t总分\t等次\t辅导\t提示"
    assert lines[2].startswith("1\t429901002000\t乙镇\t98.00\t—\t0.00\t0.00\t98.00\t优秀\t\t")


@pytest.mark.parametrize(("args", "message"), [
    (("nope",), "未找到考核方案：nope"),
    (("township-2025", "--run", "7"), "考核方案 township-2025 没有第 7 批次"),
])
def test_compute_scores_refuses_unknown_schemes_and_runs(world, args, message):
    with pytest.raises(CommandError) as exc:
        _call(*args)
    assert str(exc.value) == message


def test_compute_scores_json_error_document(world):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("compute_scores", "nope", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"errors": [{"row": None, "column": None, "value": "nope",
                                                      "code": "scheme_not_found", "message": "未找到考核方案：nope"}]}
