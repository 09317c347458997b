"""Appeals: an assessed unit appeals a line of a published run within its window; the office answers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingzhuang.assessment import access
from qingzhuang.assessment.models import Appeal, AppealStatus, RunLine
from qingzhuang.orgs import audit

REASON_MAX = 1000
ANSWER_MAX = 2000
APPEAL_DENIED = "只有被考核单位可以对本单位的成绩提出申诉"


@transaction.atomic
def appeal_file(*, actor, line: RunLine, indicator_code: str = "", reason: str, request=None) -> Appeal:
    """File an appeal against ``line`` (or one of its indicators) before the run's appeal deadline."""
    if not access.visible_lines(actor).filter(pk=line.pk).exists():
        raise Http404(access.LINE_NOT_FOUND)
    if not access.can_appeal(actor, line):
        raise PermissionDenied(APPEAL_DENIED)
    run = line.run
    today = timezone.localdate()
    if run.appeal_until is not None and today > run.appeal_until:
        raise ValidationError(f"申诉期已于 {run.appeal_until:%Y-%m-%d} 结束")
    indicator_code = (indicator_code or "").strip()
    codes = {i.get("code") for i in (line.detail or {}).get("indicators", [])}
    if indicator_code and indicator_code not in codes:
        raise ValidationError({"indicator_code": f"该成绩单中没有指标 {indicator_code}"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写申诉理由"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"申诉理由不能超过{REASON_MAX}字"})
    appeal = Appeal.objects.create(line=line, indicator_code=indicator_code, reason=reason,
                                   filed_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="assessment.appeal.file", obj=appeal, unit=line.unit, request=request,
                 after={"run": run.pk, "unit": line.unit.code, "indicator": indicator_code, "reason": reason})
    return appeal


@transaction.atomic
def appeal_answer(*, actor, appeal: Appeal, status: str, answer: str, request=None) -> Appeal:
    """The office's answer: 已采纳 or 不予采纳, with its reasons."""
    access.require_manage(actor)
    appeal = Appeal.objects.select_for_update().select_related("line", "line__unit").get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError("该申诉已经答复")
    if status not in (AppealStatus.UPHELD, AppealStatus.REJECTED):
        raise ValidationError({"status": "请选择答复结论：已采纳或不予采纳"})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "请填写答复内容"})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": f"答复内容不能超过{ANSWER_MAX}字"})
    appeal.status = status
    appeal.answer = answer
    appeal.answered_by = actor if getattr(actor, "is_authenticated", False) else None
    appeal.answered_at = timezone.now()
    appeal.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit.record(actor=actor, action="assessment.appeal.answer", obj=appeal, unit=appeal.line.unit,
                 request=request, after={"status": status, "answer": answer})
    return appeal
