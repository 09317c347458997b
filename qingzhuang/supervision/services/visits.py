"""Visits: scheduling a visit of approved items to one grassroots unit, and issuing its code
within the unit's cap (race-safe). Issuing places the visit in the burden ledger (督查检查) through
``burden.services.demand_place``: the only way a visit becomes a demand."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.models import DemandKind
from qingzhuang.burden.services import demand_place
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.supervision import caps, codes
from qingzhuang.supervision.models import MergeProposal, PlanItem, Visit, VisitStatus

SCHEDULE_PERMISSION = "supervision.propose_item"
ISSUE_PERMISSION = "supervision.approve_item"


def in_targets(item: PlanItem, unit: Unit) -> bool:
    """Whether ``unit`` is one of the item's targets: listed, or of a listed kind."""
    return unit.kind in (item.target_kinds or []) or item.target_units.filter(pk=unit.pk).exists()


def common_window(items: list[PlanItem]) -> tuple[dt.date, dt.date]:
    return max(i.window_start for i in items), min(i.window_end for i in items)


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
    lead = lead or (items[0].owner if merge is None and actor.has_perm(ISSUE_PERMISSION) else actor.unit)
    visit = Visit.objects.create(
        unit=unit, lead=lead, merge=merge, team=(team or "").strip()[:200], date=date, valid_until=end,
        beyond_reason=beyond_reason if beyond else "", reinspect_reason=(reinspect_reason or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None)
    visit.items.set(items)
    audit.record(actor=actor, action="visit.schedule", obj=visit, unit=unit, after=visit_audit(visit),
                 request=request)
    return visit


def visit_issue(*, actor, visit: Visit, request=None) -> Visit:
    """Issue the visit's code: take a slot of the unit's cap for the visit's period (refused with
    the cap in words when none is left, also under a race), give it a fresh code and place it in
    the burden ledger. Atomic: a refusal or an error writes nothing and takes no slot."""
    if actor is not None and not actor.has_perm(ISSUE_PERMISSION):
        raise PermissionDenied("只有督查室可以签发检查码")
    for _ in range(3):  # a fresh code colliding with another is astronomically rare; try again
        try:
            return _issue(actor=actor, visit_id=visit.pk, request=request)
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique code")


@transaction.atomic
def _issue(*, actor, visit_id: int, request=None) -> Visit:
    visit = Visit.objects.select_for_update(of=("self",)).select_related("unit", "lead").get(pk=visit_id)
    if visit.status != VisitStatus.SCHEDULED:
        raise ValidationError(f"这次检查{visit.get_status_display()}，不能再签发检查码")
    cap = caps.cap_for(visit.date.year)
    period = caps.period_of(visit.date)
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
