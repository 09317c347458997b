from __future__ import annotations

import tempfile
from typing import Annotated, Literal

from django.http import FileResponse, Http404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints, WithJsonSchema

from qingzhuang.orgs import access, imports, queries, services
from qingzhuang.orgs.api_errors import ErrorOut, ProblemOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.roles import user_roles

router = Router(tags=["组织与人员"])

# The {code} of /units/{code}: a unit code, never one of the fixed paths beside it.
UnitCode = Annotated[str, StringConstraints(pattern=services.UNIT_CODE_PATTERN), WithJsonSchema({
    "type": "string", "pattern": services.UNIT_CODE_PATTERN, "not": {"enum": list(services.RESERVED_UNIT_CODES)},
    "description": "单位代码：字母、数字和连字符，最长32位（export、import 是保留的接口地址）"})]


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    parent_code: str | None = Field(None, alias="parent.code")
    depth: int
    is_active: bool


class MeOut(Schema):
    username: str
    display_name: str
    unit_code: str | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return {"username": user.username, "display_name": user.display_name,
            "unit_code": user.unit.code if user.unit_id else None, "roles": user_roles(user)}


@router.get("/units", response={200: list[UnitOut], 400: ErrorOut}, summary="单位列表（限本人范围）")
@paginate(Paging)
def list_units(request, q: str = "", kind: str = ""):
    return queries.search_units(request.auth, q, kind)


class ImportOut(Schema):
    ok: bool
    kind: str
    dry_run: bool
    total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ProblemOut]


IMPORT_RESPONSES = {200: ImportOut, 400: ImportOut, 403: ErrorOut}

# A spreadsheet download: the 200 is the file (xlsx or csv, as ``format`` asks), documented as such
# through ``openapi_extra`` since the endpoint answers a FileResponse, not a schema.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPREADSHEET_DOWNLOAD = {"responses": {200: {"description": "xlsx 或 csv 文件", "content": {
    media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in (XLSX_TYPE, "text/csv")}}}}


def _import(request, kind: str, file: UploadedFile, dry_run: bool):
    result = imports.import_upload(kind, actor=request.auth, upload=file, dry_run=dry_run, request=request)
    return Status(200 if result.ok else 400, result.to_json())


def _export(request, kind: str, fmt: str):
    out = tempfile.TemporaryFile()
    if kind == "units":
        imports.units_export(user=request.auth, path=out, fmt=fmt)
    else:
        imports.people_export(user=request.auth, path=out, fmt=fmt, request=request)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}")


# Fixed paths are registered before /units/{code}, which would otherwise match them.
@router.post("/units/import", response=IMPORT_RESPONSES,
             summary="导入组织架构（全部成功或全部不导入；dry_run 只预检）")
def import_units(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import(request, "units", file, dry_run)


@router.get("/units/export", response={200: None}, openapi_extra=SPREADSHEET_DOWNLOAD, summary="导出组织架构（xlsx 或 csv，限本人范围）")
def export_units(request, fmt: Literal["xlsx", "csv"] = Query("xlsx", alias="format")):
    return _export(request, "units", fmt)


@router.get("/units/{code}", response={200: UnitOut, 404: ErrorOut}, summary="单位详情")
def get_unit(request, code: UnitCode):
    return access.get_unit_or_404(request.auth, code=code)


class PersonRow(Schema):
    id: int
    name: str
    unit_code: str
    unit_name: str
    title: str
    phone: str
    id_number: str
    is_active: bool


def _row(user, person) -> PersonRow:
    show = access.can_view_personal_data(user)
    return PersonRow(
        id=person.id, name=person.name, unit_code=person.unit.code, unit_name=person.unit.name,
        title=person.title, phone=person.phone if show else person.masked_phone,
        id_number=person.id_number if show else person.masked_id_number, is_active=person.is_active,
    )


@router.get("/people", response={200: list[PersonRow], 400: ErrorOut, 404: ErrorOut}, summary="干部列表（身份证号、手机号按权限脱敏）")
@paginate(Paging)
def list_people(request, q: str = "", unit: str = ""):
    unit_obj = access.get_unit_or_404(request.auth, code=unit) if unit else None
    people = queries.search_people(request.auth, q, unit_obj)
    return _MaskedPeople(request.auth, people)


@router.post("/people/import", response=IMPORT_RESPONSES,
             summary="导入干部名录（全部成功或全部不导入；dry_run 只预检）")
def import_people(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import(request, "people", file, dry_run)


@router.get("/people/export", response={200: None}, openapi_extra=SPREADSHEET_DOWNLOAD, summary="导出干部名录（xlsx 或 csv；无权限者手机号、身份证号脱敏）")
def export_people(request, fmt: Literal["xlsx", "csv"] = Query("xlsx", alias="format")):
    return _export(request, "people", fmt)


@router.get("/people/{int:pk}", response={200: PersonRow, 404: ErrorOut}, summary="干部详情")
def get_person(request, pk: int):
    return _row(request.auth, access.get_person_or_404(request.auth, pk))


class _MaskedPeople:
    """A lazily sliced queryset wrapper that masks each row for the paginator."""

    def __init__(self, user, qs):
        self.user, self.qs = user, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [_row(self.user, p) for p in self.qs[item]]
        raise Http404
