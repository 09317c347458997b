"""The document registry (/api/v1/burden/documents) and 一网协同 (/api/v1/burden/circulations).

Thin: schemas parse, ``services.documents`` / ``services.circulation`` write (their
ValidationError, PermissionDenied and Http404 become 400, 403 and 404 through the API's handlers),
``access`` and ``queries_documents`` read. Targets and recipients are unit codes.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qingzhuang.burden import access, queries, queries_documents
from qingzhuang.burden.models import Circulation, Document
from qingzhuang.burden.registry_import import registry_import_upload
from qingzhuang.burden.services import circulation as circulation_services
from qingzhuang.burden.services import documents as services
from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api import ImportOut
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Unit

documents_router = Router(tags=["发文登记"])
circulations_router = Router(tags=["一网协同"])
WRITE = {400: ErrorOut, 403: ErrorOut}
WRITE_ONE = {**WRITE, 404: ErrorOut}


class RegisteredDocumentOut(Schema):
    id: int
    issuer_code: str
    issuer_name: str
    number: str
    title: str
    issued_on: dt.date
    kind: str
    chars: int
    demands_materials: bool
    notice_would_do: bool
    target_units: list[str]
    flags: list[str]
    flag_names: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class RegisteredDocumentIn(Schema):
    issuer: str = Field(..., description="发文单位代码（县级单位）")
    number: str = Field(..., description="文号，如 青农发〔2025〕12号")
    title: str
    issued_on: dt.date
    kind: str = Field(..., description="comprehensive（综合性）或 special（专项）")
    chars: int = Field(..., description="正文字数")
    demands_materials: bool = False
    target_units: list[str] = Field([], description="下发的乡镇（街道）、村（社区）或网格的单位代码")
    target_under: str = Field("", description="某乡镇（街道）或全县的单位代码：其下全部村（社区）都下发")
    notice_would_do: bool | None = Field(None, description="可用通知代替（仅减负监测员、督查室可改）；不填为不变")


class DocumentExplanationIn(Schema):
    issuer: str = Field(..., description="发文单位代码")
    year: int
    text: str


class DocumentExplanationOut(Schema):
    issuer_code: str
    year: int
    count: int
    last_year: int
    text: str
    explained_at: dt.datetime | None


class DocumentCountsOut(Schema):
    year: int
    documents: int
    circulations: int
    by_issuer: dict[str, int]


class DocumentAlertOut(Schema):
    rule: str
    rule_name: str
    subject: str
    message: str
    unit_name: str
    url: str
    on: dt.date | None
    level: str


def _document_out(document: Document) -> dict:
    return {
        "id": document.pk, "issuer_code": document.issuer.code, "issuer_name": document.issuer.name,
        "number": document.number, "title": document.title, "issued_on": document.issued_on,
        "kind": document.kind, "chars": document.chars, "demands_materials": document.demands_materials,
        "notice_would_do": document.notice_would_do,
        "target_units": list(document.target_units.order_by("path").values_list("code", flat=True)),
        "flags": document.flags, "flag_names": document.flag_names,
        "created_at": document.created_at, "updated_at": document.updated_at,
    }


def _issuer(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def _data(request, payload: RegisteredDocumentIn) -> services.DocumentData:
    issuer = _issuer(payload.issuer)
    if issuer is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"issuer": f"没有这个单位代码：{payload.issuer}"})
    targets = resolve_targets(actor=request.auth, codes=payload.target_units, under=payload.target_under)
    return services.DocumentData(issuer=issuer, number=payload.number, title=payload.title,
                                 issued_on=payload.issued_on, kind=payload.kind, chars=payload.chars,
                                 demands_materials=payload.demands_materials, target_units=targets,
                                 notice_would_do=payload.notice_would_do)


@documents_router.get("", response={200: list[RegisteredDocumentOut], 400: ErrorOut}, summary="发文登记列表（限本人范围）")
@paginate(Paging)
def list_documents(request, year: int | None = Query(None, description="印发年份；不填为全部"),
                   issuer: str = Query("", description="发文单位代码"), kind: str = "",
                   flagged: bool = Query(False, description="只列有问题的")):
    if year is not None:
        year = queries.year_or_current(year)
    unit = _issuer(issuer) if issuer else None
    if issuer and unit is None:
        return Mapped(Document.objects.none(), _document_out)
    qs = queries_documents.documents_list(request.auth, year=year, issuer=unit, kind=kind, flagged=flagged)
    return Mapped(qs, _document_out)


@documents_router.post("", response={201: RegisteredDocumentOut, **WRITE}, summary="登记发文（向基层下发的同时计入减负台账）")
def create_document(request, payload: RegisteredDocumentIn):
    document = services.document_create(actor=request.auth, data=_data(request, payload), request=request)
    return Status(201, _document_out(document))


@documents_router.post("/import", response={200: ImportOut, 400: ImportOut, 403: ErrorOut},
                       summary="导入发文登记（xlsx、xls 或 csv；全部成功或全部不导入；dry_run 只预检）")
def import_documents(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    result = registry_import_upload(services.SPEC, actor=request.auth, upload=file, dry_run=dry_run, request=request)
    return Status(200 if result.ok else 400, result.to_json())


@documents_router.get("/counts", response={200: DocumentCountsOut, 400: ErrorOut, 403: ErrorOut},
                      summary="全县发文和一网协同的年度数量（限看全县的用户）")
def document_counts(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION)):
    from django.core.exceptions import PermissionDenied

    if not access.sees_all_demands(request.auth):
        raise PermissionDenied("只有看全县的用户可以查看全县发文数量")
    year = queries.year_or_current(year)
    codes = dict(Unit.objects.values_list("pk", "code"))
    return {"year": year, "documents": queries_documents.document_count(year=year),
            "circulations": queries_documents.circulation_count(year=year),
            "by_issuer": {codes[pk]: n for pk, n in queries_documents.document_counts_by_issuer(year=year).items()}}


@documents_router.get("/alerts", response={200: list[DocumentAlertOut], 400: ErrorOut, 403: ErrorOut},
                      summary="发文登记的规则提醒（限看全县的用户）")
def document_alerts(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION)):
    from django.core.exceptions import PermissionDenied

    if not access.sees_all_demands(request.auth):
        raise PermissionDenied("只有看全县的用户可以查看全县的规则提醒")
    return queries_documents.alerts(year=queries.year_or_current(year))


@documents_router.post("/explanations", response={200: DocumentExplanationOut, **WRITE_ONE},
                       summary="书面说明本单位年度发文数量超过上年的原因")
def explain_document_count(request, payload: DocumentExplanationIn):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    issuer = _issuer(payload.issuer)
    if issuer is None or not (access.sees_all_demands(request.auth)
                              or access.document_issuers(request.auth).filter(pk=issuer.pk).exists()):
        raise Http404("未找到该单位")
    if not queries.FIRST_YEAR <= payload.year <= queries.LAST_YEAR:
        raise ValidationError({"year": queries.YEAR_MESSAGE})
    explanation = services.document_explain(actor=request.auth, issuer=issuer, year=payload.year,
                                            text=payload.text, request=request)
    row = queries_documents.issuer_year(issuer, year=payload.year)
    return {"issuer_code": issuer.code, "year": payload.year, "count": row.count, "last_year": row.last_year,
            "text": explanation.text, "explained_at": explanation.explained_at}


@documents_router.get("/{document_id}", response={200: RegisteredDocumentOut, 404: ErrorOut}, summary="一条发文登记")
def get_document(request, document_id: int):
    return _document_out(access.get_document_or_404(request.auth, document_id))


@documents_router.put("/{document_id}", response={200: RegisteredDocumentOut, **WRITE_ONE},
                      summary="修改发文登记（新增的下发单位计入减负台账，已下发的不能移除）")
def update_document(request, document_id: int, payload: RegisteredDocumentIn):
    document = access.get_document_or_404(request.auth, document_id)
    document = services.document_update(actor=request.auth, document=document, data=_data(request, payload),
                                        request=request)
    return _document_out(document)


# ---------------------------------------------------------------------------------------------
# 一网协同


class CirculationReceiptOut(Schema):
    unit_code: str
    unit_name: str
    read_at: dt.datetime | None
    read_by: str | None


class CirculationOut(Schema):
    id: int
    title: str
    kind: str
    sender_code: str
    sender_name: str
    sent_at: dt.datetime
    document_id: int | None
    has_attachment: bool
    recipients: int
    read: int


class CirculationDetailOut(CirculationOut):
    body: str
    receipts: list[CirculationReceiptOut] | None = Field(None, description="回执（发送单位和看全县的用户可见）")


class CirculationIn(Schema):
    title: str
    body: str
    kind: str = Field(..., description="document（文件）或 notice（通知）")
    recipients: list[str] = Field([], description="收文单位代码（任意单位）")
    shortcut: str = Field("", description="townships（全部乡镇、街道），或全县、某乡镇的代码（其下全部村、社区）")
    document_id: int | None = Field(None, description="文件：关联本单位已登记的发文")
    number: str = Field("", description="文件：文号（不关联已登记发文时必填）")
    document_kind: str = Field("", description="文件：comprehensive（综合性）或 special（专项）")
    demands_materials: bool = False


class CirculationStatsOut(Schema):
    year: int
    sent: int
    sent_last_year: int
    receipts: int
    read: int
    read_percent: float | None


class CirculationReminderOut(Schema):
    on: dt.date
    sent_at: dt.datetime
    units: list[str]


def _circulation_out(circulation: Circulation, *, detail: bool = False, user=None) -> dict:
    receipts = list(circulation.receipts.select_related("unit", "read_by").order_by("unit__path"))
    out = {
        "id": circulation.pk, "title": circulation.title, "kind": circulation.kind,
        "sender_code": circulation.sender.code, "sender_name": circulation.sender.name,
        "sent_at": circulation.sent_at, "document_id": circulation.document_id,
        "has_attachment": bool(circulation.attachment), "recipients": len(receipts),
        "read": sum(1 for r in receipts if r.read_at),
    }
    if detail:
        out["body"] = circulation.body
        out["receipts"] = [
            {"unit_code": r.unit.code, "unit_name": r.unit.name, "read_at": r.read_at,
             "read_by": r.read_by.display_name if r.read_by else None} for r in receipts
        ] if access.sees_receipts(user, circulation) else None
    return out


@circulations_router.get("", response={200: list[CirculationOut], 400: ErrorOut},
                         summary="一网协同：收文（inbox，未读在前）、发文（sent）或全部（all，限看全县的用户）")
@paginate(Paging)
def list_circulations(request, box: str = Query("inbox", description="inbox、sent 或 all")):
    from django.core.exceptions import ValidationError

    if box not in ("inbox", "sent", "all") or (box == "all" and not access.sees_all_demands(request.auth)):
        raise ValidationError({"box": "box 应为 inbox、sent；看全县的用户还可以用 all"})
    qs = {"inbox": queries_documents.inbox, "sent": queries_documents.sent,
          "all": queries_documents.all_circulations}[box](request.auth)
    return Mapped(qs, _circulation_out)


@circulations_router.post("", response={201: CirculationDetailOut, **WRITE_ONE},
                          summary="发送文件或通知（附件请在页面上传；document_id 不在本人范围时 404）")
def send_circulation(request, payload: CirculationIn):
    document = None
    if payload.document_id is not None:
        document = access.get_document_or_404(request.auth, payload.document_id)
    recipients = circulation_services.resolve_recipients(actor=request.auth, codes=payload.recipients,
                                                         shortcut=payload.shortcut)
    data = circulation_services.CirculationData(
        title=payload.title, body=payload.body, kind=payload.kind, recipients=recipients, document=document,
        number=payload.number, document_kind=payload.document_kind, demands_materials=payload.demands_materials)
    circulation = circulation_services.circulation_send(actor=request.auth, data=data, request=request)
    return Status(201, _circulation_out(circulation, detail=True, user=request.auth))


@circulations_router.get("/stats", response={200: CirculationStatsOut, 400: ErrorOut},
                         summary="一网协同统计：今年与去年发送数量、阅读率（本单位，看全县的用户为全县）")
def circulation_stats(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION)):
    found = queries_documents.circulation_stats(request.auth, year=queries.year_or_current(year))
    return {"year": found.year, "sent": found.sent, "sent_last_year": found.sent_last_year,
            "receipts": found.receipts, "read": found.read,
            "read_percent": float(found.read_percent) if found.read_percent is not None else None}


@circulations_router.get("/{circulation_id}", response={200: CirculationDetailOut, 404: ErrorOut},
                         summary="一份文件或通知（不标记已读；标记已读请用 read）")
def get_circulation(request, circulation_id: int):
    circulation = access.get_circulation_or_404(request.auth, circulation_id)
    return _circulation_out(circulation, detail=True, user=request.auth)


@circulations_router.post("/{circulation_id}/read", response={200: CirculationDetailOut, 404: ErrorOut},
                          summary="本单位阅读（收文单位的第一位阅读者标记已读）")
def read_circulation(request, circulation_id: int):
    circulation = access.get_circulation_or_404(request.auth, circulation_id)
    circulation_services.circulation_open(actor=request.auth, circulation=circulation, request=request)
    return _circulation_out(circulation, detail=True, user=request.auth)


@circulations_router.post("/{circulation_id}/remind", response={201: CirculationReminderOut, **WRITE_ONE},
                          summary="催阅未读单位（每天最多一次）")
def remind_circulation(request, circulation_id: int):
    circulation = access.get_circulation_or_404(request.auth, circulation_id)
    reminder = circulation_services.circulation_remind(actor=request.auth, circulation=circulation, request=request)
    return Status(201, {"on": reminder.on, "sent_at": reminder.sent_at,
                        "units": list(reminder.units.order_by("path").values_list("code", flat=True))})
