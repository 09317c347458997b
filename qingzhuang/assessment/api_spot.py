"""期末考试 (spot checks) and 数据完整度 over the API: the assessment office's only (404 to anyone else).

``POST /spot-checks`` takes JSON, or multipart/form-data with the same fields (``grades`` as JSON
text) and up to nine ``photos``.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.assessment import access, completeness
from qingzhuang.assessment.models import Paper, SpotCheck
from qingzhuang.assessment.services import spotchecks
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit

spot_router = Router(tags=["无感考核"])
completeness_router = Router(tags=["无感考核"])

PAPER_BY_NAME = {label: value for value, label in Paper.choices}


class SpotPhotoOut(Schema):
    id: int
    name: str
    url: str


class SpotCheckRecordOut(Schema):
    id: int
    scheme: str
    unit: str
    unit_name: str
    checked_on: dt.date
    scene: str
    paper: str
    paper_name: str
    grades: dict[str, str]
    score: str
    notes: str
    assessor: str | None
    created_at: dt.datetime
    photos: list[SpotPhotoOut]


FIELDS = {
    "scheme": {"type": "string", "description": "考核方案代码"},
    "unit": {"type": "string", "description": "被考核单位代码"},
    "checked_on": {"type": "string", "format": "date", "description": "检查日期"},
    "scene": {"type": "string", "maxLength": 200, "description": "检查场景"},
    "paper": {"type": "string", "description": "试卷：livelihood（民生卷）或 enterprise（民企卷）"},
    "notes": {"type": "string", "description": "记录"},
}
REQUIRED = ["scheme", "unit", "checked_on", "scene", "paper", "grades"]
ADD_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": REQUIRED, "properties": {
        **FIELDS, "grades": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "各评价维度的等次，如 {\"开拓创新度\": \"好\"}"}}}},
    "multipart/form-data": {"schema": {"type": "object", "required": REQUIRED, "properties": {
        **FIELDS, "grades": {"type": "string", "description": "各评价维度的等次（JSON 文本）"},
        "photos": {"type": "array", "items": {"type": "string", "format": "binary"},
                   "description": "现场照片：JPEG、PNG 或 WebP，最多9张，每张不超过10MB"}}}},
}}}


def _office(user) -> None:
    if not access.can_manage(user):
        raise Http404(access.SPOTCHECK_NOT_FOUND)


def _check_out(check: SpotCheck) -> dict:
    return {
        "id": check.pk, "scheme": check.scheme.code, "unit": check.unit.code, "unit_name": check.unit.name,
        "checked_on": check.checked_on, "scene": check.scene, "paper": check.paper,
        "paper_name": check.get_paper_display(), "grades": check.grades,
        "score": str(spotchecks.exam_score(check.scheme, check.grades)), "notes": check.notes,
        "assessor": check.assessor.get_username() if check.assessor else None, "created_at": check.created_at,
        "photos": [{"id": p.pk, "name": p.original_name,
                    "url": reverse("assessment:spotcheck_photo", args=[check.pk, p.pk])}
                   for p in check.photos.all()],
    }


@spot_router.get("", response={200: list[SpotCheckRecordOut], 400: ErrorOut, 404: ErrorOut},
                 summary="期末考试：关键事项记录（仅考核办；可按方案、试卷、单位筛选）")
@paginate(Paging)
def list_spot_checks(request, scheme: str = "", paper: str = "", unit: str = ""):
    _office(request.auth)
    checks = (access.visible_spot_checks(request.auth).select_related("scheme", "unit", "assessor")
              .prefetch_related("photos"))
    if scheme:
        checks = checks.filter(scheme__code=scheme)
    if paper:
        checks = checks.filter(paper=PAPER_BY_NAME.get(paper, paper))
    if unit:
        checks = checks.filter(unit__code=unit)
    return Mapped(checks.order_by("-checked_on", "-pk"), _check_out)


@spot_router.get("/{int:check_id}", response={200: SpotCheckRecordOut, 404: ErrorOut}, summary="一条关键事项记录")
def get_spot_check(request, check_id: int):
    _office(request.auth)
    return _check_out(access.get_spot_check_or_404(request.auth, check_id))


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: [f"{name} 应为文本"]})
    return value


def _body(request) -> tuple[dict, list]:
    if (request.content_type or "").startswith("multipart/form-data"):
        data = {key: request.POST.get(key) for key in request.POST}
        raw = data.get("grades") or "{}"
        try:
            data["grades"] = json.loads(raw)
        except ValueError:
            raise ValidationError({"grades": ["grades 应为 JSON 对象，如 {\"开拓创新度\": \"好\"}"]}) from None
        return data, request.FILES.getlist("photos")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError("请求体应为 JSON 对象") from None
    if not isinstance(data, dict):
        raise ValidationError("请求体应为 JSON 对象")
    return data, []


@spot_router.post("", response={201: SpotCheckRecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
                  openapi_extra=ADD_BODY, summary="填写关键事项记录表（JSON，或 multipart 附现场照片）")
def add_spot_check(request):
    _office(request.auth)
    data, photos = _body(request)
    scheme = access.get_scheme_or_404(request.auth, code=_text(data.get("scheme"), "scheme"))
    unit_code = _text(data.get("unit"), "unit")
    unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
    if unit_code and unit is None:
        raise ValidationError({"unit": [f"没有代码为“{unit_code[:32]}”的单位"]})
    day = _text(data.get("checked_on"), "checked_on")
    try:
        checked_on = dt.date.fromisoformat(day) if day else None
    except ValueError:
        raise ValidationError({"checked_on": ["检查日期格式应为YYYY-MM-DD"]}) from None
    grades = data.get("grades") or {}
    if not isinstance(grades, dict) or not all(isinstance(v, str) for v in grades.values()):
        raise ValidationError({"grades": ["grades 应为 JSON 对象，如 {\"开拓创新度\": \"好\"}"]})
    paper = _text(data.get("paper"), "paper")
    check = spotchecks.spotcheck_add(
        actor=request.auth, scheme=scheme, unit=unit, checked_on=checked_on, scene=_text(data.get("scene"), "scene"),
        paper=PAPER_BY_NAME.get(paper, paper), grades=grades, notes=_text(data.get("notes"), "notes"),
        photos=photos, request=request)
    return Status(201, _check_out(check))


@spot_router.delete("/{int:check_id}", response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
                    summary="删除关键事项记录（方案锁定后不能删除）")
def delete_spot_check(request, check_id: int):
    _office(request.auth)
    check = access.get_spot_check_or_404(request.auth, check_id)
    spotchecks.spotcheck_delete(actor=request.auth, spot_check=check, request=request)
    return Status(204, None)


class CompletenessCellOut(Schema):
    period: str
    expected: int
    reported: int
    missing: int
    late: int
    due: bool


class CompletenessDepartmentOut(Schema):
    department: str
    department_name: str
    indicators: list[str]
    expected: int
    reported: int
    missing: int
    late: int
    months: list[CompletenessCellOut]


class CompletenessOut(Schema):
    scheme: str
    year: int
    units: int
    deadline_day: int
    missing: int
    late: int
    departments: list[CompletenessDepartmentOut]


def _cell(c: completeness.Cell) -> dict:
    return {"period": c.period, "expected": c.expected, "reported": c.reported, "missing": c.missing,
            "late": c.late, "due": c.due}


@completeness_router.get("/{scheme_code}", response={200: CompletenessOut, 404: ErrorOut},
                         summary="数据完整度：各部门各月已报、应报、缺报、迟报（仅考核办）")
def get_completeness(request, scheme_code: str):
    if not access.can_manage(request.auth):
        raise Http404(access.SCHEME_NOT_FOUND)
    scheme = access.get_scheme_or_404(request.auth, code=scheme_code)
    table = completeness.completeness(scheme)
    return {
        "scheme": scheme.code, "year": scheme.year, "units": table.units, "deadline_day": table.deadline_day,
        "missing": table.missing, "late": table.late,
        "departments": [{
            "department": r.department.code, "department_name": r.department.name,
            "indicators": [i.code for i in r.indicators], "expected": r.expected, "reported": r.reported,
            "missing": r.missing, "late": r.late, "months": [_cell(c) for c in r.cells]} for r in table.rows],
    }


