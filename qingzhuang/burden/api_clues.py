"""码上减负 clues over the API, under /api/v1/burden/clues: for signed-in users (session or token).

Anonymous reports and the receipt look-up stay on the public pages (rate-limited there). Units are
named by their codes. Evidence files are uploaded on the pages; the API lists them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.burden import access, queries_clues
from qingzhuang.burden.models import Clue, ClueCategory, ClueResult, ClueStatus
from qingzhuang.burden.services import clues as services
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging

router = Router(tags=["码上减负"])
WRITE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}

CATEGORIES = "、".join(f"{value}（{label}）" for value, label in ClueCategory.choices)
STATUSES = "、".join(f"{value}（{label}）" for value, label in ClueStatus.choices)
RESULTS = "、".join(f"{value}（{label}）" for value, label in ClueResult.choices)


class ClueFileOut(Schema):
    id: int
    kind: str
    size: int
    url: str


class ClueEventOut(Schema):
    action: str
    action_name: str
    at: dt.datetime
    actor: str | None
    unit_name: str | None
    note: str
    public: str
    deadline: dt.date | None
    late: bool
    files: list[ClueFileOut]


class ClueOut(Schema):
    id: int
    number: str
    category: str
    category_name: str
    description: str
    placed_by: str | None
    placed_by_name: str | None
    suffered_by: str | None
    suffered_by_name: str | None
    anonymous: bool
    status: str
    status_name: str
    submitted_at: dt.datetime
    responsible: str | None
    responsible_name: str | None
    deadline: dt.date | None
    overdue: bool
    result: str
    public_reply: str
    files: list[ClueFileOut]


class ClueDetailOut(ClueOut):
    events: list[ClueEventOut]


class ClueSubmitIn(Schema):
    category: str = Field(..., description=f"问题类型：{CATEGORIES}")
    description: str = Field(..., description="问题描述，最多 2000 字")
    placed_by: str = Field("", description="施加负担的单位代码（与 suffered_by 至少填一个）")
    suffered_by: str = Field("", description="承受负担的基层单位代码（乡镇、街道、村、社区或网格）")
    anonymous: bool = Field(True, description="匿名反映：不记录反映人；false 时为实名，可在“我的线索”查看")


class ClueSubmitOut(Schema):
    id: int
    receipt_code: str = Field(..., description="回执码：只返回这一次，凭它在查询页查看办理进度")
    status: str


class ClueAcceptIn(Schema):
    responsible: str = Field(..., description="责任单位代码")
    deadline: dt.date = Field(..., description="整改期限（不早于今天）")
    note: str = Field("", description="交办说明（内部）")


class ClueDismissIn(Schema):
    reason: str = Field(..., description="不予受理的理由（告知反映人）")


class ClueRectifyIn(Schema):
    text: str = Field(..., description="整改情况")


class ClueReturnIn(Schema):
    note: str = Field(..., description="退回理由")
    deadline: dt.date | None = Field(None, description="新的整改期限（可选，不早于今天）")


class ClueCloseIn(Schema):
    result: str = Field(..., description=f"核实结果：{RESULTS}")
    reply: str = Field(..., description="办结意见（告知反映人）")


def _file_out(clue: Clue, stored) -> dict:
    return {"id": stored.pk, "kind": stored.kind, "size": stored.size,
            "url": reverse("burden:clue_file", args=[clue.pk, stored.pk])}


def _clue_out(clue: Clue, today: dt.date | None = None) -> dict:
    return {
        "id": clue.pk, "number": clue.number, "category": clue.category,
        "category_name": clue.get_category_display(), "description": clue.description,
        "placed_by": clue.placed_by.code if clue.placed_by else None,
        "placed_by_name": clue.placed_by.name if clue.placed_by else None,
        "suffered_by": clue.suffered_by.code if clue.suffered_by else None,
        "suffered_by_name": clue.suffered_by.name if clue.suffered_by else None,
        "anonymous": clue.reporter_id is None, "status": clue.status, "status_name": clue.get_status_display(),
        "submitted_at": clue.submitted_at,
        "responsible": clue.responsible.code if clue.responsible else None,
        "responsible_name": clue.responsible.name if clue.responsible else None,
        "deadline": clue.deadline, "overdue": clue.is_overdue(today), "result": clue.result,
        "public_reply": clue.public_reply,
        "files": [_file_out(clue, f) for f in clue.files.all() if f.event.action == "submit"],
    }


def _detail_out(clue: Clue) -> dict:
    events = clue.events.select_related("actor", "unit").prefetch_related("files")
    return {**_clue_out(clue), "events": [{
        "action": e.action, "action_name": e.get_action_display(), "at": e.at,
        "actor": (e.actor.display_name or e.actor.username) if e.actor else None,
        "unit_name": e.unit.name if e.unit else None, "note": e.note, "public": e.public,
        "deadline": e.deadline, "late": e.late, "files": [_file_out(clue, f) for f in e.files.all()],
    } for e in events]}


def _choice(value: str, allowed, name: str) -> str:
    if value and value not in allowed:
        raise ValidationError({name: f"{name} 应为：{'、'.join(allowed)}"})
    return value


@router.get("", response={200: list[ClueOut], 400: ErrorOut}, summary="减负线索列表（本人可见范围）")
@paginate(Paging)
def list_clues(request, status: str = Query("", description=f"状态：{STATUSES}"),
               category: str = Query("", description=f"问题类型：{CATEGORIES}"),
               unit: str = Query("", description="单位代码：施加、承受负担或责任单位在其下的线索"),
               overdue: bool = Query(False, description="只看逾期")):
    today = timezone.localdate()
    clues = access.visible_clues(request.auth).prefetch_related("files__event")
    chosen = services.unit_by_code(unit, field="unit") if unit else None
    clues = queries_clues.filter_clues(clues, status=_choice(status, ClueStatus.values, "status"),
                                       category=_choice(category, ClueCategory.values, "category"),
                                       unit=chosen, overdue=overdue, today=today)
    return Mapped(clues, lambda clue: _clue_out(clue, today))


@router.post("", response={201: ClueSubmitOut, 400: ErrorOut}, summary="反映问题（码上减负）")
def submit_clue(request, payload: ClueSubmitIn):
    placed_by = services.unit_by_code(payload.placed_by, field="placed_by")
    suffered_by = services.unit_by_code(payload.suffered_by, field="suffered_by")
    clue, code = services.clue_submit(
        actor=request.auth, category=payload.category, description=payload.description, placed_by=placed_by,
        suffered_by=suffered_by, anonymous=payload.anonymous, request=None if payload.anonymous else request)
    return Status(201, {"id": clue.pk, "receipt_code": code, "status": clue.status})


@router.get("/{clue_id}", response={200: ClueDetailOut, 404: ErrorOut}, summary="线索详情与办理过程")
def get_clue(request, clue_id: int):
    return _detail_out(access.get_clue_or_404(request.auth, clue_id))


@router.post("/{clue_id}/accept", response={200: ClueDetailOut, **WRITE}, summary="受理并交办责任单位")
def accept_clue(request, clue_id: int, payload: ClueAcceptIn):
    clue = access.get_clue_or_404(request.auth, clue_id)
    clue = services.clue_accept(actor=request.auth, clue=clue,
                         responsible=services.unit_by_code(payload.responsible, field="responsible"),
                         deadline=payload.deadline, note=payload.note, request=request)
    return _detail_out(clue)


@router.post("/{clue_id}/dismiss", response={200: ClueDetailOut, **WRITE}, summary="不予受理")
def dismiss_clue(request, clue_id: int, payload: ClueDismissIn):
    clue = access.get_clue_or_404(request.auth, clue_id)
    clue = services.clue_dismiss(actor=request.auth, clue=clue, reason=payload.reason, request=request)
    return _detail_out(clue)


@router.post("/{clue_id}/rectify", response={200: ClueDetailOut, **WRITE}, summary="责任单位报送整改情况")
def rectify_clue(request, clue_id: int, payload: ClueRectifyIn):
    clue = access.get_clue_or_404(request.auth, clue_id)
    clue = services.clue_rectify(actor=request.auth, clue=clue, text=payload.text, request=request)
    return _detail_out(clue)


@router.post("/{clue_id}/return", response={200: ClueDetailOut, **WRITE}, summary="退回继续整改")
def return_clue(request, clue_id: int, payload: ClueReturnIn):
    clue = access.get_clue_or_404(request.auth, clue_id)
    clue = services.clue_return(actor=request.auth, clue=clue, note=payload.note, deadline=payload.deadline,
                         request=request)
    return _detail_out(clue)


@router.post("/{clue_id}/close", response={200: ClueDetailOut, **WRITE}, summary="核实办结")
def close_clue(request, clue_id: int, payload: ClueCloseIn):
    clue = access.get_clue_or_404(request.auth, clue_id)
    clue = services.clue_close(actor=request.auth, clue=clue, result=payload.result, reply=payload.reply, request=request)
    return _detail_out(clue)
