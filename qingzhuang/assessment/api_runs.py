"""The API of scorecard runs (/api/v1/assessment/runs/) and appeals (/api/v1/assessment/appeals/).

Scope is ``assessment.access``'s: the office sees every run; everyone else only published runs and
the lines of their own scope's units.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from qingzhuang.assessment import access
from qingzhuang.assessment.models import Appeal, AppealStatus, Run, RunLine
from qingzhuang.assessment.services import appeals as appeal_services
from qingzhuang.assessment.services import runs as run_services
from qingzhuang.jobs import lifecycle
from qingzhuang.jobs.schemas import JobOut, job_json
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import check_paging

router = Router(tags=["无感考核"])
appeals_router = Router(tags=["无感考核"])

READ_ONE = {404: ErrorOut}
PAGED = {400: ErrorOut}
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RunOut(Schema):
    id: int
    scheme: str
    scheme_name: str
    year: int
    number: int
    kind: str
    kind_label: str
    note: str
    based_on: int | None = Field(description="对比批次的 id")
    created_by: str | None
    published: bool
    published_at: str | None
    appeal_until: str | None
    overrides: dict[str, Any]
    job: JobOut


class RunIn(Schema):
    scheme: str = Field(description="考核方案代码")
    kind: Literal["official", "whatif"] = "official"
    note: str = ""
    based_on: int | None = Field(None, description="对比批次的 id（同一方案）")
    overrides: dict[str, Any] | None = Field(None, description='模拟测算的调整：{"weights": {指标代码: 权重}, '
                                                              '"params": {指标代码: {参数: 值}}}')


class PublishIn(Schema):
    appeal_days: int = Field(15, description="申诉期（天），1 到 90")


class LineOut(Schema):
    id: int
    run: int
    unit: str
    unit_name: str
    daily: str
    exam: str | None
    bonus: str
    deductions: str
    total: str
    rank: int
    grade: str
    veto: list[str]
    coaching: bool
    coaching_reason: str
    trend_index: str | None
    flags: list[str]


class LineDetailOut(LineOut):
    detail: dict[str, Any] = Field(description="计算明细：各部分、每个指标的月度数值及来源、期末考试记录、加减分、附加题")


class DiffOut(Schema):
    unit: str
    unit_name: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    old_line: int | None
    new_line: int | None
    indicators: list[dict[str, Any]]
    other: list[str]


class AppealOut(Schema):
    id: int
    line: int
    run: int
    unit: str
    unit_name: str
    indicator_code: str
    reason: str
    filed_by: str | None
    filed_at: str
    status: str
    status_label: str
    answer: str
    answered_at: str | None


class AppealIn(Schema):
    line: int = Field(description="成绩单（RunLine）的 id")
    indicator_code: str = Field("", description="申诉的指标代码，空为整张成绩单")
    reason: str


class AnswerIn(Schema):
    status: Literal["upheld", "rejected"]
    answer: str


def _name(user) -> str | None:
    return str(user) if user is not None else None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def run_out(run: Run) -> dict:
    return {
        "id": run.pk, "scheme": run.scheme.code, "scheme_name": run.scheme.name, "year": run.scheme.year,
        "number": run.number, "kind": run.kind, "kind_label": run.get_kind_display(), "note": run.note,
        "based_on": run.based_on_id, "created_by": _name(run.created_by), "published": run.is_published,
        "published_at": _iso(run.published_at), "appeal_until": _iso(run.appeal_until),
        "overrides": (run.inputs or {}).get("overrides") or {}, "job": job_json(run),
    }


def line_out(line: RunLine, *, detail: bool = False) -> dict:
    body = {
        **run_services.line_json(line), "id": line.pk, "run": line.run_id, "coaching_reason": line.coaching_reason,
        "trend_index": None if line.trend_index is None else str(line.trend_index),
    }
    if detail:
        body["detail"] = line.detail or {}
    return body


def appeal_out(appeal: Appeal) -> dict:
    return {
        "id": appeal.pk, "line": appeal.line_id, "run": appeal.line.run_id, "unit": appeal.line.unit.code,
        "unit_name": appeal.line.unit.name, "indicator_code": appeal.indicator_code, "reason": appeal.reason,
        "filed_by": _name(appeal.filed_by), "filed_at": appeal.filed_at.isoformat(), "status": appeal.status,
        "status_label": appeal.get_status_display(), "answer": appeal.answer, "answered_at": _iso(appeal.answered_at),
    }


def _runs(user):
    return access.visible_runs(user).select_related("scheme", "created_by")


@router.get("", response={200: list[RunOut], **PAGED}, summary="成绩计算批次（考核办看全部，其他人看已发布的）")
def list_runs(request, scheme: str = "", limit: int = 50, offset: int = 0):
    check_paging(limit=limit, offset=offset, max_limit=500)
    lifecycle.mark_if_stale(access.visible_runs(request.auth).filter(status=Run.Status.RUNNING))
    runs = _runs(request.auth).order_by("-created_at", "-pk")
    if scheme:
        runs = runs.filter(scheme__code=scheme)
    return [run_out(r) for r in runs[offset:offset + limit]]


@router.get("/{int:run_id}", response={200: RunOut, **READ_ONE}, summary="一个批次：状态、进度、发布和申诉期")
def get_run(request, run_id: int):
    run = lifecycle.mark_if_stale(access.get_run_or_404(request.auth, run_id))
    return run_out(_runs(request.auth).get(pk=run.pk))


@router.post("", response={201: RunOut, **WRITE}, summary="计算成绩：新的正式计算或模拟测算批次，后台计算")
def start_run(request, body: RunIn):
    access.require_manage(request.auth)
    scheme = access.get_scheme_or_404(request.auth, code=body.scheme)
    based_on = access.get_run_or_404(request.auth, body.based_on) if body.based_on is not None else None
    run = run_services.run_start(actor=request.auth, scheme=scheme, kind=body.kind, note=body.note,
                                 based_on=based_on, overrides=body.overrides, request=request)
    return Status(201, run_out(_runs(request.auth).get(pk=run.pk)))


@router.post("/{int:run_id}/publish", response={200: RunOut, **WRITE}, summary="发布批次（锁定考核方案，开始申诉期）")
def publish_run(request, run_id: int, body: PublishIn):
    access.require_manage(request.auth)
    run = access.get_run_or_404(request.auth, run_id)
    run_services.run_publish(actor=request.auth, run=run, appeal_days=body.appeal_days, request=request)
    return run_out(_runs(request.auth).get(pk=run.pk))


@router.get("/{int:run_id}/lines", response={200: list[LineOut], **PAGED, **READ_ONE},
            summary="一个批次的成绩单（按名次；本人可见的单位）")
def list_lines(request, run_id: int, limit: int = 100, offset: int = 0):
    check_paging(limit=limit, offset=offset, max_limit=1000)
    run = access.get_run_or_404(request.auth, run_id)
    lines = (access.visible_lines(request.auth).filter(run=run).select_related("unit")
             .order_by("rank", "unit__code"))
    return [line_out(line) for line in lines[offset:offset + limit]]


@router.get("/lines/{int:line_id}", response={200: LineDetailOut, **READ_ONE},
            summary="一个单位的成绩单和计算明细（每个数值的来源）")
def get_line(request, line_id: int):
    return line_out(access.get_line_or_404(request.auth, line_id), detail=True)


@router.get("/{int:run_id}/diff", response={200: list[DiffOut], **READ_ONE},
            summary="两个批次的差异：总分、名次或等次变化的单位，变化的指标和原因（against 默认为对比批次）")
def diff_runs(request, run_id: int, against: int | None = None):
    new = access.get_run_or_404(request.auth, run_id)
    against = against if against is not None else new.based_on_id
    if against is None:
        raise Http404(access.RUN_NOT_FOUND)
    old = access.get_run_or_404(request.auth, against)
    result = run_services.run_diff(old, new)
    if not access.can_view_all(request.auth):
        units = set(access.visible_lines(request.auth).filter(run__in=[old, new])
                    .values_list("unit__code", flat=True))
        result = [d for d in result if d["unit"] in units]
    return result


def _appeals(user):
    return access.visible_appeals(user).select_related("line", "line__unit", "filed_by")


@appeals_router.get("", response={200: list[AppealOut], **PAGED}, summary="成绩申诉（考核办看全部，单位看本单位的）")
def list_appeals(request, status: Literal["", "open", "upheld", "rejected"] = "", limit: int = 50,
                 offset: int = 0):
    check_paging(limit=limit, offset=offset, max_limit=500)
    appeals = _appeals(request.auth).order_by("-filed_at", "-pk")
    if status:
        appeals = appeals.filter(status=status)
    return [appeal_out(a) for a in appeals[offset:offset + limit]]


@appeals_router.post("", response={201: AppealOut, **WRITE}, summary="对本单位已发布的成绩单提出申诉（申诉期内）")
def file_appeal(request, body: AppealIn):
    line = access.get_line_or_404(request.auth, body.line)
    appeal = appeal_services.appeal_file(actor=request.auth, line=line, indicator_code=body.indicator_code,
                                         reason=body.reason, request=request)
    return Status(201, appeal_out(_appeals(request.auth).get(pk=appeal.pk)))


@appeals_router.post("/{int:appeal_id}/answer", response={200: AppealOut, **WRITE}, summary="答复申诉（考核办）")
def answer_appeal(request, appeal_id: int, body: AnswerIn):
    access.require_manage(request.auth)
    appeal = access.get_appeal_or_404(request.auth, appeal_id)
    appeal = appeal_services.appeal_answer(actor=request.auth, appeal=appeal, status=AppealStatus(body.status),
                                           answer=body.answer, request=request)
    return appeal_out(_appeals(request.auth).get(pk=appeal.pk))

