"""一事一码 over the API, under /api/v1/supervision/visits: visits (list, detail, schedule, issue,
cancel, result), caps (get, set), each unit's counts, the evaluations' aggregates, and the public
``POST /verify`` (no sign-in, rate-limited per caller: the same answer as the page and the
``verify_code`` command). Units are named by their codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.burden.admission import Admission
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.supervision import access, caps, codes, queries_visits, verify
from qingzhuang.supervision.models import Evaluation, PlanItem, VisitStatus
from qingzhuang.supervision.services import visits as services

router = Router(tags=["一事一码"])
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
STATUSES = "、".join(f"{value}（{label}）" for value, label in VisitStatus.choices)


class VisitItemOut(Schema):
    title: str
    kind: str
    matter: str
    basis: str
    method: str
    materials: str


class VisitWindowOut(Schema):
    start: str | None
    end: str


class VisitCapOut(Schema):
    period: str
    limit: int
    used: int


class VisitVerifyOut(Schema):
    valid: bool
    status: str
    reason: str
    may_refuse: bool
    code: str | None
    unit: str | None
    items: list[VisitItemOut]
    window: VisitWindowOut | None
    date: str | None
    team: str | None
    lead: str | None
    cap: VisitCapOut | None


class VisitVerifyIn(Schema):
    code: str = Field(..., max_length=100, description="检查码（可带空格或短横线，不分大小写）")


class VisitResultOut(Schema):
    findings: str
    conclusion: str
    score: Decimal | None
    recorded_at: dt.datetime


class VisitOut(Schema):
    id: int
    unit: str
    unit_name: str
    lead: str
    lead_name: str
    date: dt.date
    valid_until: dt.date
    team: str
    status: str
    status_name: str
    cap_period: str
    code: str | None = Field(None, description="检查码（分组书写）；签发后才有")
    items: list[str]
    result: VisitResultOut | None


class VisitScheduleIn(Schema):
    items: list[int] = Field(..., description="已批准事项的 id（时间窗口须重叠）")
    unit: str = Field(..., description="被检查的乡镇（街道）、村（社区）单位代码")
    date: dt.date
    team: str = Field("", max_length=200)
    beyond_reason: str = Field("", description="超出事项检查对象时的理由（扩大范围）")
    reinspect_reason: str = Field("", description="同一事项在重叠窗口内已检查过时的理由（结果互认）")


class VisitCancelIn(Schema):
    reason: str = Field("", max_length=500)


class VisitResultIn(Schema):
    findings: str
    conclusion: str
    score: Decimal | None = Field(None, description="评分，0 到 100")


class VisitCapRuleOut(Schema):
    year: int
    period: str
    limit: int
    words: str


class VisitCapIn(Schema):
    year: int
    period: str = Field(..., description="month（月）或 quarter（季度）")
    limit: int = Field(..., description="每个单位每周期最多检查次数，至少 1")


class VisitUnitCountOut(Schema):
    unit: str
    unit_name: str
    periods: dict[str, int]
    total: int
    unfiled: int
    limit: int


class VisitAggregateOut(Schema):
    department: str | None
    department_name: str | None
    count: int
    shown: bool
    note: str
    average: Decimal | None
    burden_free_percent: Decimal | None
    comments: list[str]


def _year(year: int | None) -> int:
    if year is None:
        return timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应为 2000 到 2100 之间"})
    return year


def _visit_out(visit, user) -> dict:
    result = getattr(visit, "result", None) if access.sees_result(user, visit) else None
    return {
        "id": visit.pk, "unit": visit.unit.code, "unit_name": visit.unit.name, "lead": visit.lead.code,
        "lead_name": visit.lead.name, "date": visit.date, "valid_until": visit.valid_until, "team": visit.team,
        "status": visit.status, "status_name": visit.get_status_display(), "cap_period": visit.cap_period,
        "code": codes.grouped(visit.code) if visit.code else None,
        "items": [i.title for i in visit.items.all()],
        "result": {"findings": result.findings, "conclusion": result.conclusion, "score": result.score,
                   "recorded_at": result.recorded_at} if result else None,
    }


@router.post("/verify", auth=None, response={200: VisitVerifyOut, 429: ErrorOut}, summary="核验检查码（公开，无需登录）")
def verify_public(request, payload: VisitVerifyIn):
    if not verify.allow(request.META.get("REMOTE_ADDR", ""), kind="api"):
        return Status(429, {"detail": verify.rate_message()})
    with transaction.atomic():
        return verify.verify(payload.code, channel="api", caller=request.META.get("REMOTE_ADDR", ""))


@router.get("", response={200: list[VisitOut], 400: ErrorOut}, summary="督查检查列表（本人可见范围）")
@paginate(Paging)
def list_visits(request, status: str = Query("", description=f"状态：{STATUSES}"),
                unit: str = Query("", description="被检查单位代码（含下级）"),
                year: int | None = Query(None, description="年度")):
    user = request.auth
    if status and status not in VisitStatus.values:
        raise ValidationError({"status": f"status 应为：{'、'.join(VisitStatus.values)}"})
    chosen = None
    if unit:
        chosen = access.filter_unit(user, unit)
        if chosen is None:
            raise ValidationError({"unit": "没有这个单位代码"})
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应为 2000 到 2100 之间"})
    rows = queries_visits.filter_visits(access.visible_visits(user), status=status, unit=chosen, year=year)
    return Mapped(rows.prefetch_related("items"), lambda v: _visit_out(v, user))


@router.post("", response={201: VisitOut, **WRITE}, summary="安排检查（等待督查室签发）")
def schedule_visit(request, payload: VisitScheduleIn):
    user = request.auth
    if not access.can_schedule(user):
        raise PermissionDenied("没有安排督查检查的权限")
    unit = access.visit_target_units(user).filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": "请选择被检查的乡镇（街道）、村（社区）"})
    items = list(PlanItem.objects.filter(pk__in=payload.items[:50], admission=Admission.APPROVED))
    if len(items) != len(set(payload.items[:50])):
        raise ValidationError({"items": "有事项不存在或未经批准"})
    with transaction.atomic():
        visit = services.visit_create(actor=user, items=items, unit=unit, date=payload.date, team=payload.team,
                                      beyond_reason=payload.beyond_reason,
                                      reinspect_reason=payload.reinspect_reason, request=request)
    return Status(201, _visit_out(visit, user))


@router.get("/caps", response={200: VisitCapRuleOut, 400: ErrorOut}, summary="某年的检查频次上限")
def get_cap(request, year: int | None = Query(None, description="年度（默认今年）")):
    year = _year(year)
    cap = caps.cap_for(year)
    return {"year": year, "period": cap.period, "limit": cap.limit, "words": cap.words}


@router.put("/caps", response={200: VisitCapRuleOut, **WRITE}, summary="设置检查频次上限（督查室）")
def set_cap(request, payload: VisitCapIn):
    with transaction.atomic():
        rule = services.cap_set(actor=request.auth, year=payload.year, period=payload.period, limit=payload.limit,
                                request=request)
    cap = caps.cap_for(rule.year)
    return {"year": rule.year, "period": cap.period, "limit": cap.limit, "words": cap.words}


@router.get("/counts", response={200: list[VisitUnitCountOut], 400: ErrorOut}, summary="各基层单位检查次数（本人可见范围）")
@paginate(Paging)
def unit_counts(request, year: int | None = Query(None, description="年度（默认今年）")):
    year = _year(year)
    periods = queries_visits.periods_of(year)
    limit = caps.cap_for(year).limit
    rows = queries_visits.unit_rows(access.unit_counts_scope(request.auth), year)
    return [{"unit": r["unit"].code, "unit_name": r["unit"].name, "periods": dict(zip(periods, r["periods"], strict=True)),
             "total": r["total"], "unfiled": r["unfiled"], "limit": limit} for r in rows]


@router.get("/evaluations", response={200: list[VisitAggregateOut], 400: ErrorOut, 403: ErrorOut},
            summary="匿名评价汇总：督查室看各部门，部门只看本部门（不足3条不显示）")
def evaluations(request, year: int | None = Query(None, description="年度（默认今年）")):
    user = request.auth
    year = _year(year)
    if access.is_office(user):
        return [{"department": r["department"].code, "department_name": r["department"].name,
                 **{k: r[k] for k in ("count", "shown", "note", "average", "burden_free_percent", "comments")}}
                for r in queries_visits.department_rows(year)]
    if not (user.unit_id and user.has_perm(access.SCHEDULE_PERMISSION)):
        raise PermissionDenied("只有督查室和开展检查的部门可以查看评价汇总")
    own = queries_visits.aggregate(Evaluation.objects.filter(visit__lead_id=user.unit_id, visit__date__year=year),
                                   with_comments=True)
    return [{"department": user.unit.code, "department_name": user.unit.name, **own}]


@router.get("/{visit_id}", response={200: VisitOut, 404: ErrorOut}, summary="检查详情（含检查码和结果）")
def get_visit(request, visit_id: int):
    return _visit_out(access.get_visit_or_404(request.auth, visit_id), request.auth)


@router.post("/{visit_id}/issue", response={200: VisitOut, **WRITE}, summary="签发检查码（督查室）")
def issue_visit(request, visit_id: int):
    visit = access.get_visit_or_404(request.auth, visit_id)
    if not access.is_office(request.auth):
        raise PermissionDenied("只有县督查室可以签发检查码")
    return _visit_out(services.visit_issue(actor=request.auth, visit=visit, request=request), request.auth)


@router.post("/{visit_id}/cancel", response={200: VisitOut, **WRITE}, summary="取消检查（退回频次名额）")
def cancel_visit(request, visit_id: int, payload: VisitCancelIn):
    visit = access.get_visit_or_404(request.auth, visit_id)
    with transaction.atomic():
        visit = services.visit_cancel(actor=request.auth, visit=visit, reason=payload.reason, request=request)
    return _visit_out(visit, request.auth)


@router.post("/{visit_id}/result", response={201: VisitOut, **WRITE}, summary="记录检查结果（只记录一次）")
def record_result(request, visit_id: int, payload: VisitResultIn):
    visit = access.get_visit_or_404(request.auth, visit_id)
    with transaction.atomic():
        services.result_record(actor=request.auth, visit=visit, findings=payload.findings,
                               conclusion=payload.conclusion, score=payload.score, request=request)
    visit = access.get_visit_or_404(request.auth, visit_id)
    return Status(201, _visit_out(visit, request.auth))

