"""The annual plan of 督查检查考核 and merge proposals (/api/v1/supervision/plans).

Thin: schemas parse, ``services.plans`` writes (its ValidationError, PermissionDenied and Http404
become 400, 403 and 404 through the API's handlers), ``access`` and ``queries_plans`` read.
Targets are unit codes; a window is a month "2025-06" or a quarter "2025-Q2".
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api import SPREADSHEET_DOWNLOAD
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit
from qingzhuang.supervision import access, queries_plans
from qingzhuang.supervision.models import MergeProposal, PlanItem
from qingzhuang.supervision.services import plans as services

router = Router(tags=["督查检查计划"])
WRITE = {400: ErrorOut, 403: ErrorOut}
WRITE_ONE = {**WRITE, 404: ErrorOut}
YEAR_DESCRIPTION = f"年度，{services.FIRST_YEAR} 到 {services.LAST_YEAR}"


class PlanItemOut(Schema):
    id: int
    year: int
    title: str
    basis: str
    kind: str
    kind_name: str
    matter: str
    owner_code: str
    owner_name: str
    target_units: list[str]
    target_kinds: list[str]
    window: str
    window_start: dt.date
    window_end: dt.date
    method: str
    method_name: str
    materials: str
    in_plan: bool
    oneoff_reason: str
    admission: str
    admission_name: str
    review_note: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None


class PlanItemIn(Schema):
    title: str = Field(..., description="名称")
    basis: str = Field(..., description="依据")
    kind: str = Field(..., description="supervise（督查）、inspect（检查）或 assess（考核）")
    matter: str = Field(..., description="检查事项，如 安全生产")
    window: str = Field(..., description="时间窗口：月份 2025-06 或季度 2025-Q2")
    method: str = Field("onsite", description="onsite、four_nots（四不两直）、desk、online 或 talk")
    materials: str = Field("", description="要求基层提供的材料；空即不要求（默认）")
    target_units: list[str] = Field([], description="检查对象：乡镇（街道）、村（社区）的单位代码")
    target_under: str = Field("", description="某乡镇（街道）或全县的单位代码：其下全部村（社区）")
    target_kinds: list[str] = Field([], description="检查对象类型：township、street、village、community")
    in_plan: bool = Field(True, description="列入年度计划；false 即计划外（一事一报）")
    oneoff_reason: str = Field("", description="计划外事由（计划外时必填）")


class PlanItemReviewIn(Schema):
    approve: bool
    note: str = Field("", description="审批意见；驳回时必填")


class PlanYearOut(Schema):
    year: int
    total: int
    in_plan: int
    oneoff: int
    pending: int
    last_year: int
    over: bool
    explanation: str
    explained_at: dt.datetime | None


class PlanYearExplanationIn(Schema):
    explanation: str


class MergeProposalOut(Schema):
    id: int
    year: int
    status: str
    status_name: str
    items: list[int]
    units: list[str]
    window_start: dt.date
    window_end: dt.date
    visits_saved: int
    lead_code: str | None
    team: str
    visit_date: dt.date | None
    note: str
    visits: int


class MergeAcceptIn(Schema):
    lead: str = Field(..., description="牵头部门的单位代码（合并事项的提出部门之一）")
    date: dt.date = Field(..., description="检查日期，在共同时间窗口内")
    team: str = Field("", description="联合检查组名称；空即“牵头部门＋牵头联合检查组”")


class MergeRejectIn(Schema):
    note: str = Field(..., description="不合并的理由")


class MergeFindIn(Schema):
    year: int


def _item_out(item: PlanItem) -> dict:
    return {
        "id": item.pk, "year": item.year, "title": item.title, "basis": item.basis, "kind": item.kind,
        "kind_name": item.get_kind_display(), "matter": item.matter, "owner_code": item.owner.code,
        "owner_name": item.owner.name,
        "target_units": list(item.target_units.order_by("path").values_list("code", flat=True)),
        "target_kinds": list(item.target_kinds or []), "window": item.window, "window_start": item.window_start,
        "window_end": item.window_end, "method": item.method, "method_name": item.get_method_display(),
        "materials": item.materials, "in_plan": item.in_plan, "oneoff_reason": item.oneoff_reason,
        "admission": item.admission, "admission_name": item.get_admission_display(),
        "review_note": item.review_note, "submitted_at": item.submitted_at, "reviewed_at": item.reviewed_at,
    }


def _merge_out(proposal: MergeProposal) -> dict:
    return {
        "id": proposal.pk, "year": proposal.year, "status": proposal.status,
        "status_name": proposal.get_status_display(),
        "items": sorted(i.pk for i in proposal.items.all()),
        "units": sorted(u.code for u in proposal.units.all()),
        "window_start": proposal.window_start, "window_end": proposal.window_end,
        "visits_saved": proposal.visits_saved, "lead_code": proposal.lead.code if proposal.lead else None,
        "team": proposal.team, "visit_date": proposal.visit_date, "note": proposal.note,
        "visits": proposal.visits.count(),
    }


def _year(year: int | None) -> int | None:
    if year is not None and not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise ValidationError({"year": services.M_YEAR})
    return year


def _data(request, payload: PlanItemIn) -> services.ItemData:
    units = resolve_targets(actor=request.auth, codes=payload.target_units, under=payload.target_under)
    return services.ItemData(
        title=payload.title, basis=payload.basis, kind=payload.kind, matter=payload.matter, window=payload.window,
        method=payload.method, materials=payload.materials, target_units=units, target_kinds=payload.target_kinds,
        in_plan=payload.in_plan, oneoff_reason=payload.oneoff_reason)


def _require_proposer(request) -> None:
    if access.proposing_unit(request.auth) is None:
        raise PermissionDenied(services.M_PROPOSE)


@router.get("/items", response={200: list[PlanItemOut], 400: ErrorOut}, summary="督查检查考核事项（限本人范围）")
@paginate(Paging)
def list_plan_items(request, year: int | None = Query(None, description=YEAR_DESCRIPTION + "；不填为全部"),
               owner: str = Query("", description="提出部门的单位代码"),
               kind: str = Query("", description="supervise、inspect 或 assess"),
               window: str = Query("", description="时间窗口，如 2025-Q2"),
               status: str = Query("", description="draft、pending、approved 或 rejected")):
    year = _year(year)
    unit = Unit.objects.filter(code=owner).first() if owner else None
    if owner and unit is None:
        return Mapped(PlanItem.objects.none(), _item_out)
    qs = queries_plans.items_list(request.auth, year=year, owner=unit, kind=kind, window=window, status=status)
    return Mapped(qs.prefetch_related("target_units"), _item_out)


@router.post("/items", response={201: PlanItemOut, **WRITE}, summary="提出本部门的督查检查考核事项（草稿）")
def create_plan_item(request, payload: PlanItemIn):
    _require_proposer(request)
    item = services.item_create(actor=request.auth, data=_data(request, payload), request=request)
    return Status(201, _item_out(item))


@router.get("/items/{item_id}", response={200: PlanItemOut, 404: ErrorOut}, summary="一个督查检查考核事项")
def get_plan_item(request, item_id: int):
    return _item_out(access.get_item_or_404(request.auth, item_id))


@router.put("/items/{item_id}", response={200: PlanItemOut, **WRITE_ONE}, summary="修改草稿或被驳回的事项")
def update_plan_item(request, item_id: int, payload: PlanItemIn):
    item = access.get_item_or_404(request.auth, item_id)
    item = services.item_update(actor=request.auth, item=item, data=_data(request, payload), request=request)
    return _item_out(item)


@router.post("/items/{item_id}/submit", response={200: PlanItemOut, **WRITE_ONE}, summary="提交督查室审批")
def submit_plan_item(request, item_id: int):
    item = access.get_item_or_404(request.auth, item_id)
    return _item_out(services.item_submit(actor=request.auth, item=item, request=request))


@router.post("/items/{item_id}/review", response={200: PlanItemOut, **WRITE_ONE},
             summary="督查室批准或驳回（超过上年总数须先书面说明）")
def review_plan_item(request, item_id: int, payload: PlanItemReviewIn):
    item = access.get_item_or_404(request.auth, item_id)
    item = services.item_review(actor=request.auth, item=item, approve=payload.approve, note=payload.note,
                                request=request)
    item.refresh_from_db()
    return _item_out(item)


def _year_out(year: int) -> dict:
    totals = services.year_totals(year)
    return {"year": year, "total": totals.total, "in_plan": totals.in_plan, "oneoff": totals.oneoff,
            "pending": totals.pending, "last_year": totals.last_year, "over": totals.over,
            "explanation": totals.explanation, "explained_at": totals.explained_at}


def _require_sees_all(request) -> None:
    if not access.sees_all_items(request.auth):
        raise PermissionDenied("只有督查室、领导和减负监测员可以查看全县的督查检查计划总数")


@router.get("/years/{year}", response={200: PlanYearOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="年度总数与上年比较（只减不增）")
def get_plan_year(request, year: int):
    _require_sees_all(request)
    return _year_out(_year(year))


@router.post("/years/{year}/explanation", response={200: PlanYearOut, **WRITE_ONE},
             summary="督查室填写年度总数超过上年的书面说明")
def explain_plan_year(request, year: int, payload: PlanYearExplanationIn):
    services.plan_year_explain(actor=request.auth, year=_year(year), text=payload.explanation, request=request)
    return _year_out(year)


@router.get("/export", response={200: None, 400: ErrorOut}, openapi_extra=SPREADSHEET_DOWNLOAD,
            summary="导出年度计划（xlsx，限本人范围）")
def export_plan(request, year: int | None = Query(None, description=YEAR_DESCRIPTION + "；不填为当前计划年度")):
    year = _year(year) or queries_plans.default_year()
    qs = queries_plans.items_list(request.auth, year=year)
    return FileResponse(queries_plans.export_xlsx(qs, year=year), as_attachment=True,
                        filename=f"{year}年督查检查考核计划.xlsx")


@router.get("/merges", response={200: list[MergeProposalOut], 400: ErrorOut, 403: ErrorOut}, summary="合并检查建议")
@paginate(Paging)
def list_merges(request, year: int | None = Query(None, description=YEAR_DESCRIPTION + "；不填为全部"),
                status: str = Query("", description="proposed、accepted 或 rejected")):
    _require_sees_all(request)
    return Mapped(queries_plans.merges_list(request.auth, year=_year(year), status=status), _merge_out)


@router.post("/merges/find", response={200: list[MergeProposalOut], **WRITE}, summary="重新查找可合并的事项")
def find_merges(request, payload: MergeFindIn):
    found = services.merges_find(year=_year(payload.year), actor=request.auth, request=request)
    return [_merge_out(p) for p in found]


@router.get("/merges/{merge_id}", response={200: MergeProposalOut, 403: ErrorOut, 404: ErrorOut}, summary="一条合并检查建议")
def get_merge(request, merge_id: int):
    _require_sees_all(request)
    return _merge_out(access.get_merge_or_404(request.auth, merge_id))


@router.post("/merges/{merge_id}/accept", response={200: MergeProposalOut, **WRITE_ONE},
             summary="采纳：每个共同对象一次联合检查，各签发一个检查码")
def accept_merge(request, merge_id: int, payload: MergeAcceptIn):
    if not access.runs_plan(request.auth):
        raise PermissionDenied(services.M_MERGE)
    proposal = access.get_merge_or_404(request.auth, merge_id)
    lead = Unit.objects.filter(code=payload.lead).first()
    proposal = services.merge_accept(actor=request.auth, proposal=proposal, lead=lead, date=payload.date,
                                     team=payload.team, request=request)
    return _merge_out(proposal)


@router.post("/merges/{merge_id}/reject", response={200: MergeProposalOut, **WRITE_ONE}, summary="不合并（须写明理由）")
def reject_merge(request, merge_id: int, payload: MergeRejectIn):
    if not access.runs_plan(request.auth):
        raise PermissionDenied(services.M_MERGE)
    proposal = access.get_merge_or_404(request.auth, merge_id)
    proposal = services.merge_reject(actor=request.auth, proposal=proposal, reason=payload.note, request=request)
    return _merge_out(proposal)
