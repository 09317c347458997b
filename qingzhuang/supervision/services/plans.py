"""Writes of the annual plan of 督查检查考核 and of merged visits (一支队伍一次完成).

Departments propose items (``item_create``, ``item_update``, ``item_submit``); the 督查室 admits
them (``item_review``, through ``burden.admission``). The year's total of approved items (in the
plan and one-offs alike) only goes down: approving beyond last year's total is refused until the
督查室 has recorded the year's written explanation (``plan_year_explain``). Each approval looks for
approved items whose windows overlap and whose targets share grassroots units (``merges_find``);
the 督查室 accepts such a proposal (one joint visit, and one code, per common unit: ``merge_accept``)
or rejects it (``merge_reject``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden import admission
from qingzhuang.burden.admission import Admission
from qingzhuang.burden.services import clean_targets
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind
from qingzhuang.supervision import access, windows
from qingzhuang.supervision.models import ItemKind, MergeProposal, MergeStatus, Method, PlanItem, PlanYear
from qingzhuang.supervision.services.visits import visit_create, visit_issue
from qingzhuang.supervision.years import FIRST_YEAR, LAST_YEAR

# Unit kinds an item may target as a whole ("every township", …).
TARGET_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.VILLAGE, UnitKind.COMMUNITY)
MAX_EXPLANATION = 2000

M_PROPOSE = "只有部门填报员可以提出本部门的督查检查考核事项"
M_OWN = "只能修改、提交本部门提出的事项"
M_EDITABLE = "只有草稿或被驳回的事项可以修改"
M_APPROVE = "只有督查室可以审批督查检查计划"
M_EXPLAIN = "只有督查室可以填写年度计划说明"
M_MERGE = "只有督查室可以决定合并检查"
M_TITLE = "请填写名称（最多 200 字）"
M_BASIS = "请填写依据（文件、规定或会议决定，最多 300 字）"
M_KIND = "类别应为 督查、检查 或 考核"
M_MATTER = "请填写检查事项（如 安全生产，最多 50 字）"
M_TARGET_KINDS = "对象类型只能是 乡镇、街道、村、社区"
M_TARGETS = "请选择检查对象：具体单位或单位类型"
M_WINDOW = "时间窗口应为月份（如 2025-06）或季度（如 2025-Q2）"
M_WINDOW_YEAR = f"时间窗口的年份应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间"
M_METHOD = "请选择检查方式"
M_ONEOFF = "计划外事项须写明事由（一事一报）"
M_YEAR = f"年份应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的整数"
M_EXPLANATION = f"请填写书面说明（最多 {MAX_EXPLANATION} 字）"
M_DECIDED = "这条合并建议已经决定过，不能再改"
M_LEAD = "牵头部门应为合并事项的提出部门之一"
M_REJECT = "请写明不合并的理由"
NO_MATERIALS = "不要求基层提供材料"


@dataclass
class ItemData:
    """What a form or the API gives for one item."""

    title: str
    basis: str
    kind: str
    matter: str
    window: str
    method: str = Method.ONSITE
    materials: str = ""
    target_units: list[Unit] = field(default_factory=list)
    target_kinds: list[str] = field(default_factory=list)
    in_plan: bool = True
    oneoff_reason: str = ""
    purpose: str = ""


def _check_year(year) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": M_YEAR})
    return year


def _validate(data: ItemData) -> dict:
    errors: dict[str, str] = {}
    title, basis, matter = ((v or "").strip() for v in (data.title, data.basis, data.matter))
    if not title or len(title) > 200:
        errors["title"] = M_TITLE
    if not basis or len(basis) > 300:
        errors["basis"] = M_BASIS
    if data.kind not in ItemKind.values:
        errors["kind"] = M_KIND
    if not matter or len(matter) > 50:
        errors["matter"] = M_MATTER
    kinds = list(dict.fromkeys(data.target_kinds or []))
    if any(k not in TARGET_KINDS for k in kinds):
        errors["target_kinds"] = M_TARGET_KINDS
    try:
        units = clean_targets(data.target_units or [])
    except ValidationError as error:
        errors["target_units"] = error.message_dict["target_units"][0]
        units = []
    if not units and not kinds and "target_units" not in errors and "target_kinds" not in errors:
        errors["target_units"] = M_TARGETS
    window = (data.window or "").strip()
    try:
        start, end = windows.bounds(window)
    except ValueError:
        errors["window"] = M_WINDOW
        start = end = None
    else:
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            errors["window"] = M_WINDOW_YEAR
    if data.method not in Method.values:
        errors["method"] = M_METHOD
    reason = (data.oneoff_reason or "").strip()
    if not data.in_plan and not reason:
        errors["oneoff_reason"] = M_ONEOFF
    if errors:
        raise ValidationError(errors)
    return {
        "title": title, "basis": basis, "kind": data.kind, "matter": matter, "target_kinds": kinds,
        "window": window, "window_kind": windows.kind_of(window), "window_start": start, "window_end": end,
        "year": start.year, "method": data.method, "materials": (data.materials or "").strip(),
        "in_plan": bool(data.in_plan), "oneoff_reason": reason if not data.in_plan else "",
        "purpose": (data.purpose or "").strip(), "units": units,
    }


def item_snapshot(item: PlanItem) -> dict:
    return {
        "title": item.title, "basis": item.basis, "kind": item.kind, "matter": item.matter,
        "window": item.window, "method": item.method, "materials": item.materials, "in_plan": item.in_plan,
        "oneoff_reason": item.oneoff_reason, "target_kinds": item.target_kinds,
        "target_units": sorted(item.target_units.values_list("code", flat=True)) if item.pk else [],
        "admission": item.admission,
    }


@transaction.atomic
def item_create(*, actor, data: ItemData, request=None) -> PlanItem:
    """A department's draft item (its reporter's own department is the owner)."""
    owner = access.proposing_unit(actor)
    if owner is None:
        raise PermissionDenied(M_PROPOSE)
    values = _validate(data)
    units = values.pop("units")
    item = PlanItem.objects.create(owner=owner, created_by=actor, **values)
    item.target_units.set(units)
    audit.record(actor=actor, action="plan_item.create", obj=item, unit=owner, after=item_snapshot(item),
                 request=request)
    return item


def _lock(item: PlanItem) -> PlanItem:
    return PlanItem.objects.select_for_update(of=("self",)).select_related("owner").get(pk=item.pk)


@transaction.atomic
def item_update(*, actor, item: PlanItem, data: ItemData, request=None) -> PlanItem:
    """Change a draft or rejected item of one's own department."""
    item = _lock(item)
    if not admission.can_manage(actor, item) or access.proposing_unit(actor) is None:
        raise PermissionDenied(M_OWN)
    if not item.is_editable:
        raise ValidationError(M_EDITABLE)
    before = item_snapshot(item)
    values = _validate(data)
    units = values.pop("units")
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    item.target_units.set(units)
    audit.record(actor=actor, action="plan_item.update", obj=item, unit=item.owner, before=before,
                 after=item_snapshot(item), request=request)
    return item


@transaction.atomic
def item_submit(*, actor, item: PlanItem, request=None) -> PlanItem:
    """Submit a draft (or a rejected item, corrected) to the 督查室."""
    item = _lock(item)
    if not admission.can_manage(actor, item) or access.proposing_unit(actor) is None:
        raise PermissionDenied(M_OWN)
    return admission.submit(actor=actor, obj=item, action="plan_item.submit", request=request)


# -- the year's total (只减不增) -----------------------------------------------------------------


@dataclass(frozen=True)
class YearTotals:
    year: int
    total: int  # approved items of the year, in the plan and one-offs
    in_plan: int
    oneoff: int
    pending: int
    last_year: int  # approved items of the year before
    explanation: str
    explained_at: dt.datetime | None

    @property
    def over(self) -> bool:
        return self.last_year > 0 and self.total > self.last_year

    @property
    def change(self) -> str:
        """"−26.7%" against last year, or "—" without last year."""
        if not self.last_year:
            return "—"
        value = (self.total - self.last_year) * 100 / self.last_year
        return f"{value:+.1f}%".replace("-", "−")


def approved_count(year: int) -> int:
    return PlanItem.objects.filter(year=year, admission=Admission.APPROVED).count()


def year_totals(year: int) -> YearTotals:
    items = PlanItem.objects.filter(year=year)
    approved = items.filter(admission=Admission.APPROVED)
    plan_year = PlanYear.objects.filter(year=year).first()
    return YearTotals(
        year=year, total=approved.count(), in_plan=approved.filter(in_plan=True).count(),
        oneoff=approved.filter(in_plan=False).count(), pending=items.filter(admission=Admission.PENDING).count(),
        last_year=approved_count(year - 1), explanation=plan_year.explanation if plan_year else "",
        explained_at=plan_year.explained_at if plan_year else None)


def over_refusal(year: int, *, adding: int = 1) -> str:
    """Why approving ``adding`` more items of ``year`` is refused ("" when it is not): the year's
    total would exceed last year's (when last year had an approved plan) and the 督查室 has not
    recorded the year's written explanation."""
    last = approved_count(year - 1)
    after = approved_count(year) + adding
    if not last or after <= last:
        return ""
    plan_year = PlanYear.objects.filter(year=year).first()
    if plan_year and plan_year.explanation.strip():
        return ""
    return (f"批准后{year}年督查检查考核事项将为 {after} 项，超过{year - 1}年的 {last} 项（年度总数只减不增）；"
            f"须先由督查室在年度计划页填写书面说明")


@transaction.atomic
def item_review(*, actor, item: PlanItem, approve: bool, note: str = "", request=None) -> PlanItem:
    """The 督查室 approves a pending item into the plan (or as a one-off), or rejects it with a
    reason. An approval beyond last year's total needs the year's explanation; after an approval,
    merges of the year are looked for."""
    if not access.runs_plan(actor):
        raise PermissionDenied(M_APPROVE)
    # One approval at a time per year: the year's row is the lock.
    PlanYear.objects.get_or_create(year=item.year)
    PlanYear.objects.select_for_update().get(year=item.year)
    item = _lock(item)
    if approve and item.admission == Admission.PENDING and (message := over_refusal(item.year)):
        raise ValidationError(message)
    admission.review(actor=actor, obj=item, approve=approve, note=note, action_prefix="plan_item",
                     request=request)
    if approve:
        merges_find(year=item.year, actor=actor, request=request)
    return item


@transaction.atomic
def plan_year_explain(*, actor, year: int, text: str, request=None) -> PlanYear:
    """The 督查室's written explanation of a year whose total exceeds last year's."""
    if not access.runs_plan(actor):
        raise PermissionDenied(M_EXPLAIN)
    _check_year(year)
    text = (text or "").strip()
    if not text or len(text) > MAX_EXPLANATION:
        raise ValidationError({"explanation": M_EXPLANATION})
    plan_year, _ = PlanYear.objects.get_or_create(year=year)
    plan_year = PlanYear.objects.select_for_update().get(pk=plan_year.pk)
    before = {"explanation": plan_year.explanation}
    plan_year.explanation, plan_year.explained_by, plan_year.explained_at = text, actor, timezone.now()
    plan_year.save()
    audit.record(actor=actor, action="plan_year.explain", obj=plan_year, unit=actor.unit, before=before,
                 after={"explanation": text, "total": approved_count(year), "last_year": approved_count(year - 1)},
                 request=request)
    return plan_year


# -- merges (一支队伍一次完成) ------------------------------------------------------------------


def item_units(item: PlanItem, by_kind: dict[str, set[int]] | None = None) -> set[int]:
    """Ids of the active grassroots units an item targets: those listed and every unit of its kinds."""
    if by_kind is None:
        by_kind = units_by_kind()
    ids = set(item.target_units.filter(is_active=True, kind__in=GRASSROOTS_KINDS).values_list("pk", flat=True))
    for kind in item.target_kinds or []:
        ids |= by_kind.get(kind, set())
    return ids


def units_by_kind() -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for pk, kind in Unit.objects.filter(is_active=True, kind__in=TARGET_KINDS).values_list("pk", "kind"):
        found.setdefault(kind, set()).add(pk)
    return found


def merge_key(items) -> str:
    return ",".join(str(pk) for pk in sorted(i.pk for i in items))


@transaction.atomic
def merges_find(*, year: int, actor=None, request=None) -> list[MergeProposal]:
    """Propose joint visits for the approved items of ``year``: items (of any departments) whose
    windows overlap and whose targets share active grassroots units are grouped, in the order of
    their windows, each joining the first group it still overlaps with (window and units). Items
    already in a proposal still to decide or accepted are left out. A group of two or more items
    not proposed before (``key``: its sorted item ids) becomes a proposal with the common units, the
    common window and ``visits_saved`` = (items − 1) × common units. Returns the new proposals."""
    if actor is not None and not access.runs_plan(actor):
        raise PermissionDenied(M_MERGE)
    _check_year(year)
    taken = set(MergeProposal.items.through.objects.filter(
        mergeproposal__status__in=(MergeStatus.PROPOSED, MergeStatus.ACCEPTED)).values_list("planitem_id", flat=True))
    items = [i for i in PlanItem.objects.filter(year=year, admission=Admission.APPROVED)
             .order_by("window_start", "window_end", "pk").prefetch_related("target_units") if i.pk not in taken]
    by_kind = units_by_kind()
    groups: list[dict] = []
    for item in items:
        units = item_units(item, by_kind)
        if not units:
            continue
        for group in groups:
            start, end = max(group["start"], item.window_start), min(group["end"], item.window_end)
            common = group["units"] & units
            if start <= end and common:
                group.update(start=start, end=end, units=common)
                group["items"].append(item)
                break
        else:
            groups.append({"items": [item], "start": item.window_start, "end": item.window_end, "units": units})
    made = []
    for group in groups:
        if len(group["items"]) < 2:
            continue
        key = merge_key(group["items"])
        if MergeProposal.objects.filter(key=key).exists():
            continue
        proposal = MergeProposal.objects.create(
            year=year, key=key, window_start=group["start"], window_end=group["end"],
            visits_saved=(len(group["items"]) - 1) * len(group["units"]))
        proposal.items.set(group["items"])
        proposal.units.set(sorted(group["units"]))
        audit.record(actor=actor, action="merge.propose", obj=proposal, unit=None,
                     after={"items": key, "units": len(group["units"]), "visits_saved": proposal.visits_saved},
                     request=request)
        made.append(proposal)
    return made


def merge_snapshot(proposal: MergeProposal) -> dict:
    return {"status": proposal.status, "lead": proposal.lead.code if proposal.lead else None,
            "team": proposal.team, "visit_date": proposal.visit_date.isoformat() if proposal.visit_date else None,
            "note": proposal.note}


def _lock_merge(proposal: MergeProposal) -> MergeProposal:
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MergeStatus.PROPOSED:
        raise ValidationError(M_DECIDED)
    return proposal


@transaction.atomic
def merge_accept(*, actor, proposal: MergeProposal, lead: Unit | None, date: dt.date | None, team: str = "",
                 request=None) -> MergeProposal:
    """Accept a proposal: one joint visit of all its items to each common unit on ``date`` (inside
    the common window) by one team led by ``lead`` (one of the items' departments), each visit's
    code issued at once. A unit whose cap is full refuses the whole acceptance (nothing is kept)."""
    if not access.runs_plan(actor):
        raise PermissionDenied(M_MERGE)
    proposal = _lock_merge(proposal)
    items = list(proposal.items.order_by("pk").select_related("owner"))
    errors = {}
    if lead is None or lead.pk not in {i.owner_id for i in items}:
        errors["lead"] = M_LEAD
    if date is None or not proposal.window_start <= date <= proposal.window_end:
        errors["date"] = f"检查日期应在 {proposal.window_start:%Y-%m-%d} 到 {proposal.window_end:%Y-%m-%d} 之间"
    if errors:
        raise ValidationError(errors)
    before = merge_snapshot(proposal)
    team = (team or "").strip()[:200] or f"{lead.name}牵头联合检查组"
    proposal.status, proposal.lead, proposal.team, proposal.visit_date = MergeStatus.ACCEPTED, lead, team, date
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save()
    for unit in proposal.units.order_by("path"):
        visit = visit_create(actor=actor, items=items, unit=unit, date=date, team=team, lead=lead, merge=proposal,
                             request=request)
        try:
            visit_issue(actor=actor, visit=visit, request=request)
        except ValidationError as error:
            raise ValidationError({"date": f"{unit.name}无法签发检查码，本次合并检查未执行："
                                           f"{'；'.join(error.messages)}"}) from None
    audit.record(actor=actor, action="merge.accept", obj=proposal, unit=lead, before=before,
                 after={**merge_snapshot(proposal), "visits": proposal.units.count()}, request=request)
    return proposal


@transaction.atomic
def merge_reject(*, actor, proposal: MergeProposal, reason: str, request=None) -> MergeProposal:
    """Reject a proposal with a reason; its items stay free for single visits."""
    if not access.runs_plan(actor):
        raise PermissionDenied(M_MERGE)
    proposal = _lock_merge(proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": M_REJECT})
    before = merge_snapshot(proposal)
    proposal.status, proposal.note = MergeStatus.REJECTED, reason[:500]
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save()
    audit.record(actor=actor, action="merge.reject", obj=proposal, unit=None, before=before,
                 after=merge_snapshot(proposal), request=request)
    return proposal
