"""Visits: scheduling a visit of approved items to one grassroots unit, and issuing its code
within the unit's cap (race-safe). Issuing places the visit in the burden ledger (督查检查) through
``burden.services.demand_place``: the only way a visit becomes a demand."""

from __future__ import annotations

import datetime as dt
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.models import DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.supervision import caps, codes, windows
from qingzhuang.supervision.models import (
    CapRule,
    Evaluation,
    MergeProposal,
    PlanItem,
    Visit,
    VisitResult,
    VisitStatus,
    WindowKind,
)

SCHEDULE_PERMISSION = "supervision.propose_item"
ISSUE_PERMISSION = "supervision.approve_item"
LOCK_RETRIES = 40
RESULT_PERMISSION = "supervision.record_result"
# A grassroots cadre reports a visit that came without a code: the permission to fill the demands
# placed on one's own unit (乡镇村干部).
REPORT_UNFILED_PERMISSION = "burden.fill_demand"
# Visits that stand on a unit's calendar: they took a slot and a code.
COUNTED = (VisitStatus.ISSUED, VisitStatus.DONE)


def in_targets(item: PlanItem, unit: Unit) -> bool:
    """Whether ``unit`` is one of the item's targets: listed, or of a listed kind."""
    return unit.kind in (item.target_kinds or []) or item.target_units.filter(pk=unit.pk).exists()


def common_window(items: list[PlanItem]) -> tuple[dt.date, dt.date]:
    return max(i.window_start for i in items), min(i.window_end for i in items)


def earlier_on_matter(items: list[PlanItem], unit: Unit, start: dt.date, end: dt.date) -> Visit | None:
    """结果互认: the latest visit to ``unit`` on one of the items' matters, issued or with a recorded
    result, whose items' windows overlap [start, end]; None when there is none."""
    matters = {i.matter for i in items}
    return (Visit.objects.filter(unit=unit, status__in=COUNTED, items__matter__in=matters,
                                 items__window_start__lte=end, items__window_end__gte=start)
            .select_related("lead", "result").order_by("-date", "-pk").first())


def reinspect_warning(earlier: Visit, unit: Unit) -> str:
    result = getattr(earlier, "result", None)
    conclusion = f"结论：{result.conclusion}" if result else "结果尚未记录"
    matters = "、".join(sorted(set(earlier.items.values_list("matter", flat=True))))
    return (f"{earlier.lead.name}已于 {earlier.date:%Y-%m-%d} 对{unit.name}检查“{matters}”（{conclusion}），"
            f"结果各部门互认；如确需再次检查，请写明理由")


def visit_audit(visit: Visit) -> dict:
    return {
        "unit": visit.unit.code, "lead": visit.lead.code, "date": visit.date.isoformat(),
        "items": sorted(visit.items.values_list("pk", flat=True)) if visit.pk else [],
        "status": visit.status, "team": visit.team, "cap_period": visit.cap_period,
        "merge": visit.merge_id, "beyond_reason": visit.beyond_reason, "reinspect_reason": visit.reinspect_reason,
    }


@transaction.atomic
def visit_create(*, actor, items: list[PlanItem], unit: Unit, date: dt.date, team: str = "",
                 lead: Unit | None = None, merge: MergeProposal | None = None, beyond_reason: str = "",
                 reinspect_reason: str = "", request=None) -> Visit:
    """Schedule one visit of ``items`` (approved, of one year) to ``unit`` on ``date`` (inside every
    item's window). The lead is the actor's department (``lead`` for a joint visit of a merge, the
    督查室 deciding). A unit outside an item's targets needs ``beyond_reason`` (扩大范围, flagged).
    The code is issued separately (``visit_issue``)."""
    items = list(dict.fromkeys(items))
    if not actor.has_perm(SCHEDULE_PERMISSION) and not actor.has_perm(ISSUE_PERMISSION):
        raise PermissionDenied("没有安排督查检查的权限")
    if not items:
        raise ValidationError({"items": "请选择检查事项"})
    if not_approved := [i.title for i in items if i.admission != Admission.APPROVED]:
        raise ValidationError({"items": f"事项未经批准，不能安排检查：{'、'.join(not_approved)}"})
    if merge is None and not actor.has_perm(ISSUE_PERMISSION):
        if foreign := [i.title for i in items if i.owner_id != actor.unit_id]:
            raise PermissionDenied(f"只能安排本部门的事项：{'、'.join(foreign)}")
    if unit.kind not in GRASSROOTS_KINDS or not unit.is_active:
        raise ValidationError({"unit": f"{unit.name}不是在用的乡镇（街道）、村（社区）"})
    start, end = common_window(items)
    if start > end:
        raise ValidationError({"items": "所选事项的时间窗口没有重叠，不能一次完成"})
    if not start <= date <= end:
        raise ValidationError({"date": f"检查日期应在 {start:%Y-%m-%d} 到 {end:%Y-%m-%d} 之间"})
    beyond_reason = (beyond_reason or "").strip()
    if (beyond := [i.title for i in items if not in_targets(i, unit)]) and not beyond_reason:
        raise ValidationError({"beyond_reason": f"{unit.name}不在这些事项的检查对象内（扩大范围），"
                                                f"请写明理由：{'、'.join(beyond)}"})
    reinspect_reason = (reinspect_reason or "").strip()
    if not reinspect_reason and (earlier := earlier_on_matter(items, unit, start, end)):
        raise ValidationError({"reinspect_reason": reinspect_warning(earlier, unit)})
    lead = lead or (items[0].owner if merge is None and actor.has_perm(ISSUE_PERMISSION) else actor.unit)
    visit = Visit.objects.create(
        unit=unit, lead=lead, merge=merge, team=(team or "").strip()[:200], date=date, valid_until=end,
        beyond_reason=beyond_reason if beyond else "", reinspect_reason=reinspect_reason,
        created_by=actor if getattr(actor, "pk", None) else None)
    visit.items.set(items)
    audit.record(actor=actor, action="visit.schedule", obj=visit, unit=unit, after=visit_audit(visit),
                 request=request)
    return visit


def visit_issue(*, actor, visit: Visit, request=None) -> Visit:
    """Issue the visit's code: take a slot of the unit's cap for the visit's period (refused with
    the cap in words when none is left, also under a race), give it a fresh code and place it in
    the burden ledger. Atomic: a refusal or an error writes nothing and takes no slot."""
    if actor is not None and not (actor.has_perm(ISSUE_PERMISSION) and org_access.oversees_county(actor)):
        raise PermissionDenied("只有县督查室可以签发检查码")
    collisions = 0
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return _issue(actor=actor, visit_id=visit.pk, request=request)
        except IntegrityError:
            # A fresh code colliding with another is astronomically rare; draw again.
            collisions += 1
            if collisions >= 3:
                break
        except OperationalError as exc:
            # SQLite serialises writers: past its busy timeout (or at once, for a shared-cache
            # database) a racing writer fails with "database is locked". The transaction rolled
            # back whole, so try again; the cap decides once the winner has committed.
            if "locked" not in str(exc) or attempt == LOCK_RETRIES or transaction.get_connection().in_atomic_block:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise RuntimeError("could not draw a unique code")


@transaction.atomic
def _issue(*, actor, visit_id: int, request=None) -> Visit:
    visit = Visit.objects.select_for_update(of=("self",)).select_related("unit", "lead").get(pk=visit_id)
    if visit.status != VisitStatus.SCHEDULED:
        raise ValidationError(f"这次检查{visit.get_status_display()}，不能再签发检查码")
    cap = caps.cap_for(visit.date.year)
    period = windows.period_for(visit.date, cap.period)
    if not caps.take_slot(visit.unit, period, cap.limit):
        raise ValidationError({"date": f"{visit.unit.name}在{period}已有 {caps.used(visit.unit, period)} 次检查，"
                                       f"达到频次上限（{cap.words}），不能再签发检查码；请与已安排的检查合并或改期"})
    before = visit_audit(visit)
    visit.code = codes.new_code()
    visit.cap_period = period
    visit.status = VisitStatus.ISSUED
    visit.issued_at = timezone.now()
    visit.issued_by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():  # a code collision rolls back to here, then the caller retries
        visit.save()
    items = list(visit.items.order_by("pk"))
    demand_place(actor=actor, source=visit, kind=DemandKind.INSPECTION, units=[visit.unit],
                 title="、".join(i.title for i in items)[:200] or "督查检查", placed_by=visit.lead,
                 month=visit.date.strftime("%Y-%m"), request=request)
    audit.record(actor=actor, action="visit.issue", obj=visit, unit=visit.unit, before=before,
                 after=visit_audit(visit), request=request)
    return visit


CANCEL_DENIED = "只有督查室或牵头部门可以取消这次检查"


@transaction.atomic
def visit_cancel(*, actor, visit: Visit, reason: str = "", request=None) -> Visit:
    """Cancel a visit before its date (scheduled or issued). An issued visit gives its cap slot
    back (``caps.give_back``); its code then verifies as cancelled. The burden ledger's entry stays:
    the unit was told."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("unit", "lead").get(pk=visit.pk)
    if actor is not None and not (actor.has_perm(ISSUE_PERMISSION)
                                  or (actor.has_perm(SCHEDULE_PERMISSION) and actor.unit_id == visit.lead_id)):
        raise PermissionDenied(CANCEL_DENIED)
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.ISSUED):
        raise ValidationError(f"这次检查{visit.get_status_display()}，不能取消")
    if visit.date < timezone.localdate():
        raise ValidationError("检查日期已过，不能取消；请记录检查结果")
    before = visit_audit(visit)
    if visit.status == VisitStatus.ISSUED and visit.cap_period:
        caps.give_back(visit.unit, visit.cap_period)
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    audit.record(actor=actor, action="visit.cancel", obj=visit, unit=visit.unit, before=before,
                 after={**visit_audit(visit), "reason": (reason or "").strip()[:500]}, request=request)
    return visit


RESULT_DENIED = "只有牵头部门可以记录检查结果"


@transaction.atomic
def result_record(*, actor, visit: Visit, findings: str, conclusion: str, score=None, request=None) -> VisitResult:
    """Record the visit's findings, conclusion and (optional) score once, by the lead department
    (结果互认: every department interested in the unit reads it; there is no second result). The
    visit becomes done."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("unit", "lead").get(pk=visit.pk)
    if actor is not None and not (actor.has_perm(RESULT_PERMISSION) and actor.unit_id == visit.lead_id):
        raise PermissionDenied(RESULT_DENIED)
    if VisitResult.objects.filter(visit=visit).exists():
        raise ValidationError("这次检查的结果已经记录，结果只记录一次、各部门互认，不能重复记录")
    if visit.status != VisitStatus.ISSUED:
        raise ValidationError(f"这次检查{visit.get_status_display()}，不能记录结果")
    if visit.date > timezone.localdate():
        raise ValidationError({"findings": f"检查日期（{visit.date:%Y-%m-%d}）还没到，不能记录结果"})
    findings, conclusion = (findings or "").strip(), (conclusion or "").strip()
    errors = {}
    if not findings:
        errors["findings"] = "请填写发现的问题（没有问题请写“未发现问题”）"
    if not conclusion:
        errors["conclusion"] = "请填写检查结论"
    elif len(conclusion) > 200:
        errors["conclusion"] = "检查结论不超过 200 字"
    if score not in (None, ""):
        try:
            score = Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            score = None
            errors["score"] = "评分应为 0 到 100 之间的数"
        else:
            if not Decimal(0) <= score <= Decimal(100):
                errors["score"] = "评分应为 0 到 100 之间的数"
    else:
        score = None
    if errors:
        raise ValidationError(errors)
    result = VisitResult.objects.create(visit=visit, findings=findings[:5000], conclusion=conclusion, score=score,
                                        recorded_by=actor if getattr(actor, "pk", None) else None)
    visit.status = VisitStatus.DONE
    visit.save(update_fields=["status"])
    audit.record(actor=actor, action="visit.result", obj=visit, unit=visit.unit,
                 after={"conclusion": conclusion, "score": str(score) if score is not None else None},
                 request=request)
    return result


def may_evaluate(visit: Visit, today: dt.date | None = None) -> bool:
    """A visit is rated on its code page from its date on, once it was issued."""
    today = today or timezone.localdate()
    return visit.status in COUNTED and visit.date <= today


@transaction.atomic
def evaluation_submit(*, visit: Visit, rating, burden_free, comment: str = "") -> Evaluation:
    """An anonymous rating of ``visit`` (1–5 stars, whether it came without asking for materials or
    an escort, a comment). No actor and no audit row: nothing may tie a rating to whoever gave it;
    only the day is kept. The page limits one rating per browser and rate-limits callers."""
    if not may_evaluate(visit):
        raise ValidationError("检查结束后才能评价")
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = "请选择 1 到 5 星"
    if burden_free not in (True, False):
        burden_free = {"1": True, "yes": True, "true": True, "0": False, "no": False, "false": False}.get(
            str(burden_free).strip().lower())
        if burden_free is None:
            errors["burden_free"] = "请选择是否要求准备材料或陪同迎检"
    comment = (comment or "").strip()
    if len(comment) > 500:
        errors["comment"] = "意见建议不超过 500 字"
    if errors:
        raise ValidationError(errors)
    return Evaluation.objects.create(visit=visit, rating=rating, burden_free=burden_free, comment=comment,
                                     on=timezone.localdate())


UNFILED_DENIED = "只有乡镇（街道）、村（社区）的干部可以反映本单位的未亮码检查"


@transaction.atomic
def unfiled_report(*, actor, unit: Unit, department: Unit, date: dt.date, matter: str, note: str = "",
                   placer=None, request=None) -> Visit:
    """A grassroots cadre reports that a team of ``department`` came to ``unit`` on ``date`` without
    showing a code (检查组未出示检查码): a visit with status UNFILED and no code, counted in the unit's
    burden ledger as an inspection placed by the department. ``placer`` (the system's seeds only) is
    the cadre whose reach places the ledger entry when ``actor`` is None."""
    if actor is not None:
        if not (actor.has_perm(REPORT_UNFILED_PERMISSION) and actor.unit_id
                and actor.unit.kind in GRASSROOTS_KINDS):
            raise PermissionDenied(UNFILED_DENIED)
        org_access.require_unit(actor, unit)
    errors = {}
    if unit.kind not in GRASSROOTS_KINDS:
        errors["unit"] = f"{unit.name}不是乡镇（街道）、村（社区）"
    if department is None or department.kind in GRASSROOTS_KINDS:
        errors["department"] = "请选择来检查的县级部门"
    if date is None:
        errors["date"] = "请填写检查日期"
    elif date > timezone.localdate():
        errors["date"] = "检查日期不能晚于今天"
    matter = (matter or "").strip()
    if not matter:
        errors["matter"] = "请填写检查了什么"
    elif len(matter) > 200:
        errors["matter"] = "检查内容不超过 200 字"
    if errors:
        raise ValidationError(errors)
    note = (note or "").strip()[:2000]
    visit = Visit.objects.create(unit=unit, lead=department, team=matter, date=date, valid_until=date,
                                 status=VisitStatus.UNFILED, reported_note=note,
                                 created_by=actor if getattr(actor, "pk", None) else None)
    demand_place(actor=actor or placer, source=visit, kind=DemandKind.INSPECTION, units=[unit],
                 title=f"未亮码检查：{matter}"[:200], placed_by=department, month=date.strftime("%Y-%m"),
                 request=request)
    audit.record(actor=actor, action="visit.unfiled", obj=visit, unit=unit,
                 after={"unit": unit.code, "department": department.code, "date": date.isoformat(),
                        "matter": matter, "note": note}, request=request)
    return visit


CAP_DENIED = "只有督查室可以设置频次上限"


@transaction.atomic
def cap_set(*, actor, year: int, period: str, limit, request=None) -> CapRule:
    """Set the year's cap: at most ``limit`` (≥ 1) visits per visited unit per month or quarter, all
    departments together. Codes already issued stay; the next issue counts against the new cap."""
    if actor is not None and not (actor.has_perm(ISSUE_PERMISSION) and org_access.oversees_county(actor)):
        raise PermissionDenied(CAP_DENIED)
    errors = {}
    if period not in WindowKind.values:
        errors["period"] = "周期应为“月”或“季度”"
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= 99:
        errors["limit"] = "上限应为 1 到 99 之间的整数"
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors["year"] = "年度应为 2000 到 2100 之间"
    if errors:
        raise ValidationError(errors)
    rule = CapRule.objects.select_for_update().filter(year=year).first()
    before = {"period": rule.period, "limit": rule.limit} if rule else None
    rule = rule or CapRule(year=year)
    rule.period, rule.limit = period, limit
    rule.updated_by = actor if getattr(actor, "pk", None) else None
    rule.save()
    audit.record(actor=actor, action="cap.set", obj=rule, before=before,
                 after={"year": year, "period": period, "limit": limit}, request=request)
    return rule
