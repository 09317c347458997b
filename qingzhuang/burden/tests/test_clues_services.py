"""码上减负 services: submission, triage, rectification, return and close; each refusal with its
exact message, 403 for a wrong role and 404 for another unit's clue; the overdue boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingzhuang.burden import queries_clues
from qingzhuang.burden.models import Clue, ClueEvent, ClueFile, ClueStatus
from qingzhuang.burden.services import clues as services
from qingzhuang.burden.tests.clue_world import (
    accepted,
    on_day,
    png,
    rectified,
    submit,
    text_chunk,
    upload,
)
from qingzhuang.orgs.models import AuditLog


def clue_writes() -> int:
    return Clue.objects.count() + ClueEvent.objects.count() + AuditLog.objects.filter(action__startswith="clue.").count()


def test_anonymous_submission_keeps_nobody(clue_county):
    clue, code = submit(clue_county, files=[upload(content=png(text_chunk("GPS", "30.1,114.2")))])
    assert clue.status == ClueStatus.PENDING and clue.reporter is None
    assert len(services.normalize_code(code)) == 20 and code.count("-") == 4
    assert clue.receipt_hash == services.receipt_hash(code) and code.replace("-", "") not in clue.receipt_hash
    assert services.find_by_receipt(code.lower()) == clue
    event = clue.events.get()
    assert (event.action, event.actor, event.status) == ("submit", None, "pending")
    stored = ClueFile.objects.get()
    assert stored.kind == "png" and stored.file.name.startswith("burden/clues/")
    assert "现场照片" not in stored.file.name
    with stored.file.open("rb") as handle:
        content = handle.read()
    assert b"tEXt" not in content and b"30.1,114.2" not in content and content == png()
    log = AuditLog.objects.get(action="clue.submit")
    assert (log.actor, log.actor_name, log.ip) == (None, "系统", None)
    assert log.after == {"category": "multi_reporting", "placed_by": "429901900101", "suffered_by": "429901001201",
                         "files": 1, "anonymous": True}


def test_named_submission_by_a_cadre(clue_county):
    clue, _ = submit(clue_county, actor=clue_county["cun"], anonymous=False)
    assert clue.reporter == clue_county["cun"]
    assert clue.events.get().actor == clue_county["cun"]
    assert AuditLog.objects.get(action="clue.submit").actor == clue_county["cun"]


def test_signed_in_cadre_may_stay_anonymous(clue_county):
    clue, _ = submit(clue_county, actor=clue_county["cun"], anonymous=True)
    assert clue.reporter is None and clue.events.get().actor is None
    assert AuditLog.objects.get(action="clue.submit").actor is None


@pytest.mark.parametrize(("fields", "errors"), [
    ({"category": ""}, {"category": ["请选择问题类型"]}),
    ({"category": "gossip"}, {"category": ["问题类型应为：多头填报、重复报表、过度留痕、强制打卡、督查过多、会议过多、文件过多、其他"]}),
    ({"description": "  "}, {"description": ["请描述遇到的问题"]}),
    ({"description": "多" * 2001}, {"description": ["不能超过2000个字（现有2001个字）"]}),
    ({"placed_by": None, "suffered_by": None}, {"placed_by": ["请至少选择一个单位：施加负担的单位或承受负担的基层单位"]}),
    ({"suffered_by": "stats"}, {"suffered_by": ["承受负担的单位应为乡镇（街道）、村（社区）或网格：县统计局"]}),
    ({"files": "six"}, {"files": ["文件最多5个，本次选择了6个"]}),
    ({"files": "html"}, {"files": ["文件“照片.jpg”不是JPEG、PNG、WebP、PDF格式"]}),
    ({"files": "empty-ish"}, {"files": ["文件“a.pdf”不是JPEG、PNG、WebP、PDF格式"]}),
])
def test_submission_refused(clue_county, fields, errors):
    fields = dict(fields)
    if fields.get("suffered_by") == "stats":
        fields["suffered_by"] = clue_county["stats"]
    files = fields.pop("files", None)
    if files == "six":
        fields["files"] = [upload(f"{i}.png") for i in range(6)]
    elif files == "html":
        fields["files"] = [upload("照片.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")]
    elif files == "empty-ish":
        fields["files"] = [upload("a.pdf", b"", "application/pdf")]
    with pytest.raises(ValidationError) as caught:
        submit(clue_county, **fields)
    assert caught.value.message_dict == errors
    assert clue_writes() == 0 and ClueFile.objects.count() == 0


def test_too_large_file_refused(clue_county, monkeypatch):
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        submit(clue_county, files=[upload("大图.png", png() + b"\x00" * 1024 * 1024)])
    assert caught.value.message_dict == {"files": ["文件“大图.png”超过1MB"]}
    assert clue_writes() == 0


def test_inactive_unit_refused(clue_county):
    clue_county["stats"].is_active = False
    clue_county["stats"].save()
    with pytest.raises(ValidationError) as caught:
        submit(clue_county)
    assert caught.value.message_dict == {"placed_by": ["该单位已停用：县统计局"]}
    assert clue_writes() == 0


def test_accept_assigns_unit_and_deadline(clue_county):
    clue, _ = submit(clue_county)
    deadline = timezone.localdate() + dt.timedelta(days=15)
    clue = services.clue_accept(actor=clue_county["monitor"], clue=clue, responsible=clue_county["town_a"], deadline=deadline,
                                note="请核实")
    assert (clue.status, clue.responsible, clue.deadline) == (ClueStatus.ACCEPTED, clue_county["town_a"], deadline)
    event = clue.events.last()
    assert (event.action, event.actor, event.unit, event.note, event.deadline) == (
        "accept", clue_county["monitor"], clue_county["root"], "请核实", deadline)
    log = AuditLog.objects.get(action="clue.accept")
    assert log.after == {"status": "accepted", "responsible": "429901001000", "deadline": deadline.isoformat()}


def test_county_supervision_office_may_triage(clue_county):
    clue, _ = submit(clue_county)
    services.clue_dismiss(actor=clue_county["ducha"], clue=clue, reason="不属于形式主义问题")
    clue.refresh_from_db()
    assert (clue.status, clue.public_reply) == (ClueStatus.DISMISSED, "不属于形式主义问题")


@pytest.mark.parametrize(("responsible", "deadline", "errors"), [
    (None, 5, {"responsible": ["请选择责任单位"]}),
    ("town_a", None, {"deadline": ["请填写整改期限"]}),
    ("town_a", -1, {"deadline": ["整改期限不能早于今天：{yesterday}"]}),
])
def test_accept_refused(clue_county, responsible, deadline, errors):
    clue, _ = submit(clue_county)
    today = timezone.localdate()
    day = None if deadline is None else today + dt.timedelta(days=deadline)
    with pytest.raises(ValidationError) as caught:
        services.clue_accept(actor=clue_county["monitor"], clue=clue, responsible=clue_county.get(responsible), deadline=day)
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert caught.value.message_dict == {k: [m.format(yesterday=yesterday) for m in v] for k, v in errors.items()}
    clue.refresh_from_db()
    assert clue.status == ClueStatus.PENDING and not AuditLog.objects.filter(action="clue.accept").exists()


def test_accept_twice_refused(clue_county):
    clue, _ = accepted(clue_county)
    with pytest.raises(ValidationError) as caught:
        services.clue_accept(actor=clue_county["monitor"], clue=clue, responsible=clue_county["town_a"],
                             deadline=timezone.localdate())
    assert caught.value.messages == ["只有待受理的线索可以受理（当前状态：已受理（整改中））"]


def test_triage_wrong_role_403_other_unit_404(clue_county):
    clue, _ = accepted(clue_county)
    other, _ = submit(clue_county)
    # The responsible unit's cadre sees the clue but may not triage.
    with pytest.raises(PermissionDenied) as denied:
        services.clue_dismiss(actor=clue_county["town_a_user"], clue=other, reason="x")
    assert str(denied.value) == "只有减负监测员或督查室可以受理、交办和办结线索"
    # A township monitor of 乙镇 does not see 甲镇's clue.
    with pytest.raises(Http404):
        services.clue_accept(actor=clue_county["monitor_b"], clue=other, responsible=clue_county["town_a"],
                             deadline=timezone.localdate())
    with pytest.raises(Http404):
        services.clue_dismiss(actor=clue_county["monitor_b"], clue=other, reason="x")
    assert other.events.count() == 1


def test_dismiss_needs_reason(clue_county):
    clue, _ = submit(clue_county)
    with pytest.raises(ValidationError) as caught:
        services.clue_dismiss(actor=clue_county["monitor"], clue=clue, reason=" ")
    assert caught.value.message_dict == {"reason": ["请填写不予受理的理由（将告知反映人）"]}


def test_rectify_by_responsible_unit(clue_county):
    clue, _ = accepted(clue_county)
    clue = services.clue_rectify(actor=clue_county["town_a_user"], clue=clue, text="已取消重复报表",
                                 files=[upload("整改.png")])
    assert (clue.status, clue.rectified_late) == (ClueStatus.RECTIFIED, False)
    event = clue.events.last()
    assert (event.action, event.actor, event.note, event.files.count()) == ("rectify", clue_county["town_a_user"],
                                                                           "已取消重复报表", 1)
    assert AuditLog.objects.get(action="clue.rectify").after == {"status": "rectified", "late": False, "files": 1}


def test_rectify_wrong_role_403_other_unit_404(clue_county):
    clue, _ = accepted(clue_county)
    with pytest.raises(PermissionDenied) as denied:
        services.clue_rectify(actor=clue_county["monitor"], clue=clue, text="x")
    assert str(denied.value) == "只有责任单位可以报送整改情况"
    with pytest.raises(Http404):
        services.clue_rectify(actor=clue_county["town_b_user"], clue=clue, text="x")
    with pytest.raises(ValidationError) as caught:
        services.clue_rectify(actor=clue_county["town_a_user"], clue=clue, text="")
    assert caught.value.message_dict == {"text": ["请填写整改情况"]}
    clue.refresh_from_db()
    assert clue.status == ClueStatus.ACCEPTED and not AuditLog.objects.filter(action="clue.rectify").exists()


def test_overdue_at_the_deadline_boundary(clue_county):
    deadline = timezone.localdate() + dt.timedelta(days=3)
    clue, _ = accepted(clue_county, deadline=deadline)
    assert not clue.is_overdue(deadline) and clue.is_overdue(deadline + dt.timedelta(days=1))
    ids = lambda day: list(queries_clues.filter_clues(Clue.objects.all(), overdue=True, today=day)  # noqa: E731
                           .values_list("pk", flat=True))
    assert ids(deadline) == [] and ids(deadline + dt.timedelta(days=1)) == [clue.pk]
    with on_day(deadline):
        in_time = services.clue_rectify(actor=clue_county["town_a_user"], clue=clue, text="按期整改")
    assert in_time.rectified_late is False
    late_clue, _ = accepted(clue_county, deadline=deadline)
    with on_day(deadline + dt.timedelta(days=1)):
        late = services.clue_rectify(actor=clue_county["town_a_user"], clue=late_clue, text="逾期整改")
    assert late.rectified_late is True and late.is_overdue(deadline) is True
    assert late.events.last().late is True


def test_return_then_close(clue_county):
    clue, code = rectified(clue_county)
    new_deadline = timezone.localdate() + dt.timedelta(days=20)
    clue = services.clue_return(actor=clue_county["monitor"], clue=clue, note="材料不全", deadline=new_deadline)
    assert (clue.status, clue.deadline) == (ClueStatus.ACCEPTED, new_deadline)
    clue = services.clue_rectify(actor=clue_county["town_a_user"], clue=clue, text="已补充")
    clue = services.clue_close(actor=clue_county["monitor"], clue=clue, result="partly", reply="部分属实，已调整")
    assert (clue.status, clue.result, clue.public_reply) == (ClueStatus.CLOSED, "partly", "部分属实，已调整")
    assert list(clue.events.values_list("action", flat=True)) == [
        "submit", "accept", "rectify", "return", "rectify", "close"]
    assert AuditLog.objects.get(action="clue.close").after == {"status": "closed", "result": "partly"}


def test_close_refusals(clue_county):
    clue, _ = rectified(clue_county)
    with pytest.raises(PermissionDenied):
        services.clue_close(actor=clue_county["town_a_user"], clue=clue, result="confirmed", reply="x")
    with pytest.raises(Http404):
        services.clue_close(actor=clue_county["monitor_b"], clue=clue, result="confirmed", reply="x")
    with pytest.raises(ValidationError) as caught:
        services.clue_close(actor=clue_county["monitor"], clue=clue, result="maybe", reply="")
    assert caught.value.message_dict == {"result": ["核实结果应为：属实已整改、部分属实、不属实"],
                                         "reply": ["请填写办结意见（将告知反映人）"]}
    with pytest.raises(ValidationError) as caught:
        services.clue_return(actor=clue_county["monitor"], clue=clue, note="")
    assert caught.value.message_dict == {"note": ["请填写退回理由"]}
    clue.refresh_from_db()
    assert clue.status == ClueStatus.RECTIFIED


def test_close_before_rectification_refused(clue_county):
    clue, _ = accepted(clue_county)
    with pytest.raises(ValidationError) as caught:
        services.clue_close(actor=clue_county["monitor"], clue=clue, result="confirmed", reply="好")
    assert caught.value.messages == ["只有已整改待核实的线索可以办结（当前状态：已受理（整改中））"]


def test_public_timeline_hides_notes_and_people(clue_county):
    clue, _ = rectified(clue_county)
    clue = services.clue_close(actor=clue_county["monitor"], clue=clue, result="confirmed", reply="已整改到位")
    steps = queries_clues.public_timeline(clue)
    assert [s.label for s in steps] == ["已提交，待受理", "已受理，已交责任单位整改", "责任单位已报送整改情况，待核实",
                                        "已办结：属实已整改"]
    assert steps[-1].text == "已整改到位"
    texts = " ".join(s.label + s.text for s in steps)
    assert "已取消重复报表" not in texts and "甲镇" not in texts and "jianfu" not in texts


def test_todos(clue_county):
    accepted(clue_county)
    accepted(clue_county, responsible=clue_county["stats"], deadline=timezone.localdate())
    submit(clue_county)
    labels = lambda user: [(t.label, t.count) for t in queries_clues.todos(user)]  # noqa: E731
    assert labels(clue_county["monitor"]) == [("条减负线索待受理", 1)]
    assert labels(clue_county["town_a_user"]) == [("条减负线索待整改", 1)]
    assert labels(clue_county["stats_rep"]) == [("条减负线索待整改", 1)]
    assert labels(clue_county["town_b_user"]) == []
    with on_day(timezone.localdate() + dt.timedelta(days=1)):
        assert labels(clue_county["stats_rep"]) == [("条减负线索整改已逾期", 1)]


def test_submission_rolls_back_whole(clue_county, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr(services.audit, "record", boom)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.clue_submit(actor=None, category="other", description="x", suffered_by=clue_county["village_a"])
    assert Clue.objects.count() == 0 and ClueEvent.objects.count() == 0
