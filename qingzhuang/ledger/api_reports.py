"""API of reports, data requests, 找数据 and the burden ledger (under /api/v1/ledger/).

Scoping is the pages': another department's report or request answers 404. A refused write
answers 403 (wrong role) or 400 with Chinese messages (e.g. sending what is not admitted).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.services import resolve_targets
from qingzhuang.ledger import access, matching, queries, services
from qingzhuang.ledger.models import Aggregate, Dataset
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut, error_status
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit

router = Router(tags=["报表准入与找数据"])


class FilterIn(Schema):
    element: str
    op: str = "eq"
    value: str


class TargetsIn(Schema):
    target_units: list[str] = Field(default_factory=list, description="填报单位代码")
    target_under: str = Field("", description="某单位代码：其下全部村（社区）都是填报单位")


class ReportIn(TargetsIn):
    name: str
    dataset: str = Field(..., description="数据集代码，例如 population")
    purpose: str = ""
    columns: list[str] = Field(default_factory=list, description="明细字段（数据元素代码）")
    filters: list[FilterIn] = Field(default_factory=list)
    group_unit: str = Field("", description="township 或 village")
    group_period: str = Field("", description="month、quarter 或 year")
    period_element: str = ""
    period_from: str = ""
    period_to: str = ""
    group_elements: list[str] = Field(default_factory=list)
    aggregate: str = Aggregate.COUNT
    measure: str = ""
    manual_fields: list[str] = Field(default_factory=list, description="一套表中没有、需基层填报的字段")


class ReportOut(Schema):
    id: int
    name: str
    purpose: str
    owner_code: str
    owner_name: str
    dataset: str
    columns: list[str]
    filters: list[dict]
    group_unit: str
    group_period: str
    period_element: str
    period_from: str
    period_to: str
    group_elements: list[str]
    aggregate: str
    measure: str
    manual_fields: list[str]
    target_units: list[str]
    admission: str
    admission_label: str
    register_status: str
    register_label: str
    register_reason: str
    last_filled_at: dt.datetime | None
    fill_count: int
    created_at: dt.datetime


class ReviewIn(Schema):
    approve: bool
    note: str = ""


class RegisterIn(Schema):
    status: str = Field(..., description="keep 保留 / stop 停用 / optimise 优化 / integrate 接入")
    reason: str


class SendIn(Schema):
    round: str = Field(..., description="填报期次，例如 2025-06")
    due_date: dt.date | None = None


class ReportTableOut(Schema):
    headers: list[str]
    rows: list[list]
    total: list | None
    matched: int
    detail: bool
    truncated: bool


class SentOut(Schema):
    demands: int


class RequestIn(TargetsIn):
    title: str
    fields_text: str = Field(..., description="所需字段，例如 身份证号、户籍地址、是否低保、手机号")
    purpose: str = ""
    period: str = ""
    due_date: dt.date | None = None


class RequestFieldOut(Schema):
    id: int
    field: str
    element: str | None
    element_code: str | None
    dataset: str | None
    held: bool = Field(..., description="由一套表提供：已有（同一数据项），或相近且已确认")
    score: float
    outcome: str = Field(..., description="exact 已有（同一数据项） / related 相近（需确认） / none 未找到")
    outcome_label: str
    reason: str = Field(..., description="匹配依据，例如 同义词：身份证号、代码表含“残疾人”")
    confirmed: bool = Field(..., description="相近字段已确认由一套表提供")


class ConfirmIn(Schema):
    confirmed: bool = Field(True, description="true 确认相近字段由一套表提供；false 撤销确认")


class RequestOut(Schema):
    id: int
    title: str
    purpose: str
    owner_code: str
    owner_name: str
    fields_text: str
    period: str
    due_date: dt.date | None
    target_units: list[str]
    fields: list[RequestFieldOut]
    held_count: int
    remaining_count: int
    not_asked: int
    admission: str
    admission_label: str
    review_note: str
    sent_at: dt.datetime | None
    created_at: dt.datetime


class FindDatasetOut(Schema):
    code: str
    name: str
    owner: str
    owner_code: str
    update_period: str
    last_updated: str | None
    records: int
    freshness: str


class FindFieldOut(Schema):
    field: str
    matched: bool = Field(..., description="一套表已有同一数据项（outcome 为 exact）")
    outcome: str = Field(..., description="exact 已有（同一数据项） / related 相近（需确认） / none 未找到")
    outcome_label: str = Field(..., description="结果的中文说法")
    basis: str = Field(..., description=(
        "匹配依据：exact 时为 name、synonym、column 或 code；related 时为 similar_name（名称相近）、"
        "near_field（目录登记的相近字段）或 code_list（代码表含此值）；none 时为空或元素的依据"))
    reason: str = Field(..., description="匹配依据的中文说明，例如 代码表含“残疾人”")
    element: str | None
    element_code: str | None
    label: str = Field(..., description="匹配到的名称、同义词、列名、相近字段或代码值")
    score: float = Field(..., description="匹配度：exact 为 1.0，related 至多 0.9")
    datasets: list[FindDatasetOut]


class FindOut(Schema):
    fields: list[FindFieldOut]
    held: int = Field(..., description="已有（同一数据项）的字段数")
    related: int = Field(..., description="相近（需确认）的字段数")
    unmatched: int = Field(..., description="未找到的字段数")
    remaining: int = Field(..., description="需基层填报的字段数（相近和未找到）")
    target_units: int
    not_asked: int = Field(..., description="可少向基层要的数据项：已有字段数 × 村（社区）数")


class KpiOut(Schema):
    year: int
    reports: int
    active_reports: int
    stopped_reports: int
    submissions: int
    grassroots_units: int
    submissions_per_unit: str
    duplicate_fields: list[str]
    not_asked: int


RESPONSES_WRITE = {400: ErrorOut, 403: ErrorOut}
# A write on one object: also 404 when it is missing or out of the caller's scope.
RESPONSES_WRITE_ONE = {**RESPONSES_WRITE, 404: ErrorOut}


_error = error_status


def _targets(request, payload: TargetsIn) -> list[Unit]:
    return resolve_targets(actor=request.auth, codes=payload.target_units, under=payload.target_under)


def _report_out(report) -> dict:
    return {
        "id": report.pk, "name": report.name, "purpose": report.purpose, "owner_code": report.owner.code,
        "owner_name": report.owner.name, "dataset": report.dataset.code, "columns": report.columns,
        "filters": report.filters, "group_unit": report.group_unit, "group_period": report.group_period,
        "period_element": report.period_element, "period_from": report.period_from, "period_to": report.period_to,
        "group_elements": report.group_elements, "aggregate": report.aggregate, "measure": report.measure,
        "manual_fields": report.manual_fields,
        "target_units": list(report.target_units.order_by("path").values_list("code", flat=True)),
        "admission": report.admission, "admission_label": report.get_admission_display(),
        "register_status": report.register_status, "register_label": report.get_register_status_display(),
        "register_reason": report.register_reason, "last_filled_at": report.last_filled_at,
        "fill_count": report.fill_count, "created_at": report.created_at,
    }


def _report_definition(request, payload: ReportIn) -> services.ReportDefinition:
    dataset = Dataset.objects.filter(code=payload.dataset).first()
    if dataset is None:
        raise ValidationError({"dataset": f"没有数据集 {payload.dataset}"})
    data = payload.dict(exclude={"dataset", "target_units", "target_under", "filters"})
    return services.ReportDefinition(**data, dataset=dataset, filters=[f.dict() for f in payload.filters],
                                    target_units=_targets(request, payload))


# -- reports


@router.get("/reports", response={200: list[ReportOut], 400: ErrorOut}, summary="报表清单（本部门的报表；督查室和县级用户看全部）")
@paginate(Paging)
def list_reports(request):
    return Mapped(access.visible_reports(request.auth), _report_out)


@router.post("/reports", response={201: ReportOut, **RESPONSES_WRITE}, summary="定义报表（草稿）")
def create_report(request, payload: ReportIn):
    try:
        report = services.report_create(actor=request.auth, definition=_report_definition(request, payload), request=request)
    except (ValidationError, PermissionDenied) as exc:
        return _error(exc)
    return Status(201, _report_out(report))


@router.get("/reports/{report_id}", response={200: ReportOut, 404: ErrorOut}, summary="报表详情")
def get_report(request, report_id: int):
    return _report_out(access.get_report_or_404(request.auth, report_id))


def _report_action(request, report_id: int, action):
    report = access.get_report_or_404(request.auth, report_id)
    try:
        result = action(report)
    except (ValidationError, PermissionDenied) as exc:
        return _error(exc)
    return Status(200, result)


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **RESPONSES_WRITE_ONE}, summary="提交准入审批")
def submit_report(request, report_id: int):
    return _report_action(request, report_id, lambda r: _report_out(
        services.report_submit(actor=request.auth, report=r, request=request)))


@router.post("/reports/{report_id}/review", response={200: ReportOut, **RESPONSES_WRITE_ONE},
             summary="准入审批：批准或驳回（督查室）")
def review_report(request, report_id: int, payload: ReviewIn):
    return _report_action(request, report_id, lambda r: _report_out(services.report_review(
        actor=request.auth, report=r, approve=payload.approve, note=payload.note, request=request)))


@router.post("/reports/{report_id}/register", response={200: ReportOut, **RESPONSES_WRITE_ONE},
             summary="报表清单处理：保留、停用、优化、接入（督查室）")
def register_report(request, report_id: int, payload: RegisterIn):
    return _report_action(request, report_id, lambda r: _report_out(services.report_set_register(
        actor=request.auth, report=r, status=payload.status, reason=payload.reason, request=request)))


@router.post("/reports/{report_id}/fill", response={200: ReportTableOut, **RESPONSES_WRITE_ONE},
             summary="从一套表生成报表（不向任何单位索要）")
def fill_report(request, report_id: int, limit: int = 1000):
    limit = max(1, min(limit, 10_000))
    return _report_action(request, report_id, lambda r: services.report_fill(
        actor=request.auth, report=r, limit=limit, request=request).to_json())


@router.post("/reports/{report_id}/send", response={200: SentOut, **RESPONSES_WRITE_ONE},
             summary="向填报单位下发一期（须已批准准入）")
def send_report(request, report_id: int, payload: SendIn):
    return _report_action(request, report_id, lambda r: {"demands": len(services.report_send(
        actor=request.auth, report=r, round=payload.round, due_date=payload.due_date, request=request))})


# -- data requests


def _request_out(data_request) -> dict:
    return {
        "id": data_request.pk, "title": data_request.title, "purpose": data_request.purpose,
        "owner_code": data_request.owner.code, "owner_name": data_request.owner.name,
        "fields_text": data_request.fields_text, "period": data_request.period, "due_date": data_request.due_date,
        "target_units": list(data_request.target_units.order_by("path").values_list("code", flat=True)),
        "fields": [{"id": f.pk, "field": f.text, "element": f.element.name if f.element else None,
                    "element_code": f.element.code if f.element else None,
                    "dataset": f.dataset.code if f.dataset else None, "held": f.held, "score": float(f.score),
                    "outcome": f.outcome, "outcome_label": f.outcome_label, "reason": f.reason,
                    "confirmed": f.confirmed}
                   for f in data_request.fields.select_related("element", "dataset")],
        "held_count": data_request.held_count, "remaining_count": data_request.remaining_count,
        "not_asked": data_request.not_asked, "admission": data_request.admission,
        "admission_label": data_request.get_admission_display(), "review_note": data_request.review_note,
        "sent_at": data_request.sent_at, "created_at": data_request.created_at,
    }


def _request_definition(request, payload: RequestIn) -> services.RequestDefinition:
    return services.RequestDefinition(
        title=payload.title, fields_text=payload.fields_text, purpose=payload.purpose, period=payload.period,
        due_date=payload.due_date, target_units=_targets(request, payload))


@router.get("/requests", response={200: list[RequestOut], 400: ErrorOut}, summary="数据需求（本部门的；督查室和县级用户看全部）")
@paginate(Paging)
def list_data_requests(request):
    return Mapped(access.visible_requests(request.auth), _request_out)


@router.post("/requests", response={201: RequestOut, **RESPONSES_WRITE},
             summary="提出数据需求（先匹配一套表，已有字段不再向基层索要）")
def create_data_request(request, payload: RequestIn):
    try:
        data_request = services.request_create(actor=request.auth, definition=_request_definition(request, payload),
                                               request=request)
    except (ValidationError, PermissionDenied) as exc:
        return _error(exc)
    return Status(201, _request_out(data_request))


@router.get("/requests/{request_id}", response={200: RequestOut, 404: ErrorOut}, summary="数据需求详情")
def get_data_request(request, request_id: int):
    return _request_out(access.get_request_or_404(request.auth, request_id))


def _request_action(request, request_id: int, action):
    data_request = access.get_request_or_404(request.auth, request_id)
    try:
        result = action(data_request)
    except (ValidationError, PermissionDenied) as exc:
        return _error(exc)
    return Status(200, result)


@router.post("/requests/{request_id}/submit", response={200: RequestOut, **RESPONSES_WRITE_ONE},
             summary="提交准入审批")
def submit_data_request(request, request_id: int):
    return _request_action(request, request_id, lambda r: _request_out(
        services.request_submit(actor=request.auth, data_request=r, request=request)))


@router.post("/requests/{request_id}/review", response={200: RequestOut, **RESPONSES_WRITE_ONE},
             summary="准入审批（督查室）；批准时把一套表已有字段所在数据集共享给提出部门")
def review_data_request(request, request_id: int, payload: ReviewIn):
    return _request_action(request, request_id, lambda r: _request_out(services.request_review(
        actor=request.auth, data_request=r, approve=payload.approve, note=payload.note, request=request)))


@router.post("/requests/{request_id}/send", response={200: SentOut, **RESPONSES_WRITE_ONE},
             summary="向填报单位下发一套表中没有的字段（须已批准准入）")
def send_data_request(request, request_id: int):
    return _request_action(request, request_id, lambda r: {"demands": len(services.request_send(
        actor=request.auth, data_request=r, request=request))})


@router.post("/requests/{request_id}/fields/{field_id}/confirm", response={200: RequestOut, **RESPONSES_WRITE_ONE},
             summary="确认（或撤销）相近字段由一套表提供：草稿时由提出部门，待审批时由督查室")
def confirm_data_request_field(request, request_id: int, field_id: int, payload: ConfirmIn):
    def confirm(data_request):
        services.request_field_confirm(actor=request.auth, data_request=data_request, field_id=field_id,
                                       confirm=payload.confirmed, request=request)
        data_request.refresh_from_db()
        return _request_out(data_request)

    return _request_action(request, request_id, confirm)


# -- 找数据, burden, demands


@router.get("/find", response={200: FindOut, 404: ErrorOut}, summary="向系统找数据：每个字段是已有（同一数据项）、相近（需确认）还是未找到，及其数据集、责任单位和更新情况")
def find_data_fields(request, q: str = "", under: str = ""):
    # A unit outside the caller's scope reads like a missing one: 404, as everywhere else.
    unit = access.get_target_parent_or_404(request.auth, under.strip()[:32]) if under.strip() else None
    targets = matching.targets_under(unit) if unit else matching.default_targets(request.auth)
    return matching.find_result(q[:2000], target_units=targets.count())


@router.get("/burden/summary", response={200: KpiOut, 400: ErrorOut, 403: ErrorOut},
            summary="全县一套表指标（督查室和县级用户）")
def burden_summary(request, year: int | None = Query(None, description=burden_queries.YEAR_DESCRIPTION)):
    if not access.sees_all_requests(request.auth):
        return Status(403, {"detail": "只有督查室和县级用户可以查看全县指标"})
    k = queries.county_kpis(year=burden_queries.year_or_current(year))
    return Status(200, {
        "year": k["year"], "reports": k["reports"]["total"], "active_reports": k["reports"]["active"],
        "stopped_reports": k["reports"]["stopped"], "submissions": k["submissions"],
        "grassroots_units": k["grassroots_units"], "submissions_per_unit": str(k["submissions_per_unit"]),
        "duplicate_fields": [d.label for d in k["duplicates"]], "not_asked": k["not_asked"],
    })
