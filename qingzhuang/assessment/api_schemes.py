"""API of schemes (under /api/v1/assessment/schemes): list, the file document, import (a JSON
document or a file), export, copy, and the bonus, deduction and veto records. The assessment
office only: everyone else gets 403; an unknown scheme 404; a refused write 400 with Chinese
messages by key path (e.g. ``indicators[3].weight``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qingzhuang.assessment import access, schemefile
from qingzhuang.assessment.models import Scheme
from qingzhuang.assessment.services import schemes as services
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit

router = Router(tags=["无感考核：考核方案"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
SCHEME_DOWNLOAD = {"responses": {200: {"description": "方案文件（YAML 或 JSON）", "content": {
    media_type: {"schema": {"type": "string"}} for media_type in ("application/yaml", "application/json")}}}}


class SchemeOut(Schema):
    id: int
    code: str
    name: str
    year: int
    target_kinds: list[str] = Field(..., description="单位类型（乡镇、街道、部门、村、社区）")
    indicators: int
    locked: bool
    locked_at: dt.datetime | None


class DocumentIn(Schema):
    document: dict[str, Any] = Field(..., description="方案文件的内容（与 YAML 文件同一结构）")


class ImportedOut(Schema):
    ok: bool
    code: str
    indicators: int
    created: bool


class CopyIn(Schema):
    code: str
    year: int


class AdjustmentIn(Schema):
    unit: str = Field(..., description="被考核单位代码")
    kind: str = Field(..., description="bonus 加分 / deduction 扣分 / veto 一票否决")
    item: str = Field("", description="加减分项名称；一票否决留空")
    points: str = Field("", description="分值，不超过该项上限")
    reason: str


class AdjustmentOut(Schema):
    id: int
    unit: str
    unit_name: str
    kind: str
    kind_label: str
    item: str
    points: str
    reason: str
    evidence_name: str
    recorded_at: dt.datetime


def _scheme_out(scheme: Scheme) -> dict:
    return {"id": scheme.pk, "code": scheme.code, "name": scheme.name, "year": scheme.year,
            "target_kinds": [schemefile.KIND_LABELS.get(k, k) for k in scheme.target_kinds],
            "indicators": scheme.indicators.count(), "locked": scheme.is_locked, "locked_at": scheme.locked_at}


def _adjustment_out(a) -> dict:
    return {"id": a.pk, "unit": a.unit.code, "unit_name": a.unit.name, "kind": a.kind,
            "kind_label": a.get_kind_display(), "item": a.item.name if a.item else "",
            "points": schemefile._decimal_text(a.points), "reason": a.reason, "evidence_name": a.evidence_name,
            "recorded_at": a.recorded_at}


def _scheme(request, code: str) -> Scheme:
    access.require_manage(request.auth)
    return access.get_scheme_or_404(request.auth, code=code)


def _imported(result) -> Status:
    if not result.ok:
        errors: dict[str, list[str]] = {}
        for problem in result.errors:
            errors.setdefault(problem.column or "__all__", []).append(problem.message)
        raise ValidationError(errors)
    scheme = result.scheme
    return Status(201, {"ok": True, "code": scheme.code, "indicators": scheme.indicators.count(),
                        "created": bool(result.created)})


@router.get("", response={200: list[SchemeOut], 400: ErrorOut, 403: ErrorOut}, summary="考核方案清单")
@paginate(Paging)
def list_schemes(request):
    access.require_manage(request.auth)
    return Mapped(access.visible_schemes(request.auth), _scheme_out)


@router.post("/import", response={201: ImportedOut, 400: ErrorOut, 403: ErrorOut},
             summary="导入方案（JSON 文档；同代码的未锁定方案被替换；全部通过才写入）")
def import_document(request, payload: DocumentIn):
    access.require_manage(request.auth)
    text = schemefile.dump(payload.document, "json")
    return _imported(services.scheme_import(actor=request.auth, text=text, filename="scheme.json"))


@router.post("/upload", response={201: ImportedOut, 400: ErrorOut, 403: ErrorOut},
             summary="上传方案文件（.yaml、.yml 或 .json）")
def upload_file(request, file: File[UploadedFile]):
    access.require_manage(request.auth)
    raw = file.read(schemefile.MAX_BYTES + 1)
    return _imported(services.scheme_import(actor=request.auth, text=raw, filename=file.name or ""))


@router.get("/{code}", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut},
            summary="方案文件的内容（与 YAML 文件同一结构）")
def get_scheme(request, code: str):
    return schemefile.plain(schemefile.document_of(_scheme(request, code)))


@router.get("/{code}/export", response={200: None, 403: ErrorOut, 404: ErrorOut}, openapi_extra=SCHEME_DOWNLOAD,
            summary="导出方案文件（YAML 或 JSON）")
def export_scheme(request, code: str, fmt: Literal["yaml", "json"] = Query("yaml", alias="format")):
    scheme = _scheme(request, code)
    content_type = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(schemefile.dump(schemefile.document_of(scheme), fmt).encode("utf-8"),
                            content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}.{fmt}"'
    return response


@router.post("/{code}/copy", response={201: SchemeOut, **ERRORS}, summary="复制为新方案（下一年度）")
def copy_scheme(request, code: str, payload: CopyIn):
    scheme = _scheme(request, code)
    copy = services.scheme_copy(actor=request.auth, scheme=scheme, code=payload.code, year=payload.year)
    return Status(201, _scheme_out(copy))


@router.get("/{code}/adjustments", response={200: list[AdjustmentOut], **ERRORS}, summary="加减分和一票否决记录")
@paginate(Paging)
def list_adjustments(request, code: str):
    scheme = _scheme(request, code)
    return Mapped(access.visible_adjustments(request.auth).filter(scheme=scheme)
                  .select_related("unit", "item").order_by("unit__path", "kind", "pk"), _adjustment_out)


@router.post("/{code}/adjustments", response={201: AdjustmentOut, **ERRORS}, summary="登记加分、扣分或一票否决")
def add_adjustment(request, code: str, payload: AdjustmentIn):
    scheme = _scheme(request, code)
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": [f"没有单位 {payload.unit}"]})
    item = None
    if payload.item:
        item = scheme.items.filter(kind=payload.kind, name=payload.item).first()
        if item is None:
            raise ValidationError({"item": [f"本方案没有加减分项 {payload.item}"]})
    adjustment = services.adjustment_add(actor=request.auth, scheme=scheme, unit=unit, kind=payload.kind,
                                         item=item, points=payload.points or None, reason=payload.reason)
    return Status(201, _adjustment_out(adjustment))
