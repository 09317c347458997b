"""The assistant's API (mounted at /api/v1/assistant/): the policy library, search and ask."""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from qingzhuang.assistant import access, answers, search, services, summaries, summary_sources
from qingzhuang.assistant.models import Level
from qingzhuang.assistant.views_summary import DOCX_TYPE, docx_filename
from qingzhuang.jobs import lifecycle
from qingzhuang.jobs.schemas import JobOut, job_json
from qingzhuang.orgs.api_errors import ErrorOut, error_body
from qingzhuang.orgs.api_paging import check_paging

router = Router(tags=["AI社工"])


class DocumentOut(Schema):
    id: int
    title: str
    issuer: str
    doc_number: str
    issued_on: date | None
    level: str
    tags: list[str]
    format: str
    original_name: str
    status: str
    status_label: str
    message: str
    passages: int
    unit: str | None
    indexing: JobOut


class AddOut(Schema):
    created: bool
    message: str
    document: DocumentOut | None


class HitOut(Schema):
    n: int
    passage_id: int
    document_id: int
    document: str
    issuer: str
    doc_number: str
    issued_on: date | None
    level: str
    heading: str
    passage: str
    score: float


class SearchOut(Schema):
    query: str
    terms: list[str]
    total: int
    exact_document: str
    exact_article: str
    hits: list[HitOut]


class AskIn(Schema):
    question: str


class CitationOut(Schema):
    n: int
    document: str
    heading: str
    passage: str
    score: float
    document_id: int
    passage_id: int
    doc_number: str


class AskOut(Schema):
    question: str
    answer: str
    citations: list[CitationOut]
    generated_by: str
    notices: list[str]


def _document(doc) -> dict:
    return {
        "id": doc.pk, "title": doc.title, "issuer": doc.issuer, "doc_number": doc.doc_number,
        "issued_on": doc.issued_on, "level": doc.level, "tags": doc.tags, "format": doc.format,
        "original_name": doc.original_name, "status": doc.status, "status_label": doc.get_status_display(),
        "message": doc.message, "passages": doc.passage_count, "unit": doc.unit.name if doc.unit_id else None,
        "indexing": job_json(doc),
    }


@router.get("/policies", response={200: list[DocumentOut], 400: ErrorOut}, summary="政策库中本人可见的文件")
def list_policies(request, q: str = "", limit: int = 50, offset: int = 0):
    check_paging(limit=limit, offset=offset, max_limit=500)
    lifecycle.mark_if_stale(access.visible_documents(request.auth))
    documents = access.visible_documents(request.auth).select_related("unit").order_by("-created_at", "-id")
    if q:
        documents = documents.filter(title__contains=q) | documents.filter(doc_number__contains=q)
    return [_document(d) for d in documents[offset:offset + limit]]


@router.get("/policies/{int:document_id}", response={200: DocumentOut, 404: ErrorOut}, summary="一个政策文件的信息和索引状态")
def get_policy(request, document_id: int):
    return _document(lifecycle.mark_if_stale(access.get_document_or_404(request.auth, document_id)))


@router.post("/policies", response={201: AddOut, 200: AddOut, 400: ErrorOut, 403: ErrorOut},
             summary="上传政策文件（docx、pdf、txt、md、html），后台建立索引")
def add_policy(request, file: File[UploadedFile]):
    if not services.can_manage(request.auth):
        return Status(403, {"detail": services.PERMISSION_MESSAGE})
    limit = settings.QZ_POLICY_MAX_BYTES
    if file.size > limit:
        return Status(400, {"detail": f"文件超过{limit // (1024 * 1024)}MB"})
    result = services.policy_add_upload(actor=request.auth, upload=file, request=request)
    if result.document is None:
        return Status(400, {"detail": result.message})
    result.document.refresh_from_db()
    body = {"created": result.created, "message": result.message, "document": _document(result.document)}
    return Status(201 if result.created else 200, body)


@router.get("/search", response={200: SearchOut, 400: ErrorOut}, summary="一键找政策（关键词、文号、第X条；可按机关、层级、日期筛选）")
def search_policies(request, q: str = "", issuer: str = "", level: str = "", date_from: date | None = None,
                    date_to: date | None = None, limit: int = 10, offset: int = 0):
    check_paging(limit=limit, offset=offset, max_limit=50)
    if level and level not in Level.values:
        return Status(400, {"detail": f"层级应为：{'、'.join(Level.values)}"})
    if date_from and date_to and date_from > date_to:
        return Status(400, {"detail": "截止日期不能早于起始日期"})
    result = search.search(request.auth, q[:200], issuer=issuer, level=level, date_from=date_from,
                           date_to=date_to, limit=limit, offset=offset)
    return {
        "query": result.query, "terms": result.terms, "total": result.total,
        "exact_document": result.exact_document, "exact_article": result.exact_article,
        "hits": [h.to_json() | {"n": offset + i} for i, h in enumerate(result.hits, start=1)],
    }


@router.post("/ask", response={200: AskOut, 400: ErrorOut}, summary="一问搜方案：只依据政策库作答，引用经服务器核验")
def ask(request, body: AskIn):
    question = body.question.strip()
    if not question:
        return Status(400, {"detail": "请输入问题"})
    if len(question) > 500:
        return Status(400, {"detail": "问题不能超过500个字"})
    return answers.ask(request.auth, question).to_json()


class SectionOut(Schema):
    heading: str
    paragraphs: list[str]


class SummaryTableOut(Schema):
    headers: list[str]
    rows: list[list[str]]
    total_rows: list[int]


class SummaryOut(Schema):
    title: str
    source: str
    generated_by: str
    length: str = Field(description="brief（一页简报）或 full（完整版）")
    empty: bool = Field(description="没有可总结的数据时为 true：message 是说明，sections 为空")
    message: str
    sections: list[SectionOut]
    notices: list[str]
    overview: SummaryTableOut | None = Field(description="每项一行：合计、环比、同比、最好和最差的单位")
    table: SummaryTableOut | None = Field(description="每个单位每项一行（Word 附表）")


@router.post("/summaries", response={200: SummaryOut, 400: ErrorOut, 404: ErrorOut},
             # With fmt=docx the 200 is the Word file instead of the JSON.
             openapi_extra={"responses": {200: {"content": {DOCX_TYPE: {"schema": {"type": "string",
                                                                                   "format": "binary"}}}}}},
             summary="一表做总结：从数据集、单位的指标或上传的表格计算数字并写出工作总结"
                     "（默认一页简报，length=full 为完整版；fmt=docx 下载 Word，明细为附表）")
def make_summary(request, source: Form[Literal["dataset", "indicators", "upload"]],
                 dataset: Form[str] = "", level: Form[Literal["", "township", "village"]] = "",
                 column: Form[str] = "", unit: Form[str] = "", period: Form[str] = "", title: Form[str] = "",
                 use_llm: Form[bool] = False, length: Form[Literal["brief", "full"]] = "brief",
                 fmt: Form[Literal["json", "docx"]] = "json", file: File[UploadedFile] = None):
    try:
        if source == "dataset":
            if not dataset:
                raise summary_sources.SummaryError("请选择数据集")
            figures = summary_sources.dataset_figures(request.auth, code=dataset, level=level, column=column)
        elif source == "indicators":
            if not unit or not period:
                raise summary_sources.SummaryError("请给出单位代码和月份（YYYY-MM）")
            figures = summary_sources.indicator_figures(request.auth, unit_code=unit, period=period)
        else:
            if file is None:
                raise summary_sources.SummaryError("请上传表格文件（xlsx、xls 或 csv）")
            figures = summary_sources.upload_figures(file, title=title, period=period)
    except summary_sources.SummaryError as exc:
        return Status(400, error_body("；".join(exc.messages), exc.messages))
    summary = summaries.make_summary(figures, use_llm=use_llm, length=length)
    if fmt == "docx":
        response = HttpResponse(summaries.summary_to_docx(summary), content_type=DOCX_TYPE)
        response["Content-Disposition"] = (f"attachment; filename=\"summary.docx\"; "
                                           f"filename*=UTF-8''{quote(docx_filename(summary.title))}")
        return response
    return {
        "title": summary.title, "source": summary.source_label, "generated_by": summary.generated_by,
        "length": summary.length, "empty": summary.empty, "message": summary.message,
        "sections": [{"heading": h, "paragraphs": list(p)} for h, p in summary.sections],
        "notices": summary.notices,
        "overview": summary.overview.to_dict() if summary.overview is not None else None,
        "table": summary.table.to_dict() if summary.table is not None else None,
    }

