"""The ledger's import and export API (mounted at /api/v1/ledger/): imports run as background jobs."""

from __future__ import annotations

import tempfile
from typing import Literal

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status, UploadedFile

from qingzhuang.jobs.schemas import JobOut
from qingzhuang.ledger import access, exports, imports
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.api import SPREADSHEET_DOWNLOAD
from qingzhuang.orgs.api_errors import ErrorOut, ProblemOut

router = Router(tags=["一套表"])


class ImportJobOut(JobOut):
    """An import job: the life cycle of every job (``jobs.schemas.JobOut``) and the import's own fields."""

    id: int
    dataset: str
    dataset_name: str
    file: str
    period: str
    dry_run: bool
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error_count: int
    errors: list[ProblemOut]
    uploaded_by: str | None




def _job(request, job):
    job.refresh_from_db()  # the immediate task backend may already have run it
    return imports.job_json(job, user=request.auth)


@router.post("/datasets/{code}/import", response={202: ImportJobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="导入数据集（后台任务；全部成功或全部不导入；dry_run 只预检）")
def import_dataset(request, code: str, file: File[UploadedFile], period: Form[str] = "",
                   dry_run: Form[bool] = False):
    dataset = access.get_dataset_or_404(request.auth, code)
    job = imports.job_create(actor=request.auth, dataset=dataset, upload=file, period=period,
                             dry_run=dry_run, request=request)
    return Status(202, _job(request, job))


@router.get("/jobs/{int:job_id}", response={200: ImportJobOut, 404: ErrorOut}, summary="导入任务的状态、进度、统计和问题")
def get_job(request, job_id: int):
    return imports.job_json(access.get_job_or_404(request.auth, job_id), user=request.auth)


@router.post("/jobs/{int:job_id}/retry", response={202: ImportJobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="用同一文件重新导入（dry_run 可改为正式导入）")
def retry_job(request, job_id: int, dry_run: Form[bool | None] = None):
    job = access.get_job_or_404(request.auth, job_id)
    new = imports.job_retry(actor=request.auth, job=job, dry_run=dry_run, request=request)
    return Status(202, _job(request, new))


@router.get("/datasets/{code}/export", response={200: None, 404: ErrorOut}, openapi_extra=SPREADSHEET_DOWNLOAD,
            summary="导出数据集（xlsx 或 csv，限本人范围；无权限者身份证号、手机号脱敏）")
def export_dataset(request, code: str, fmt: Literal["xlsx", "csv"] = Query("xlsx", alias="format"),
                   unit: str = "", q: str = ""):
    dataset = access.get_dataset_or_404(request.auth, code)
    unit_obj = org_access.get_unit_or_404(request.auth, code=unit) if unit else None
    out = tempfile.TemporaryFile()
    exports.export_dataset(user=request.auth, dataset=dataset, target=out, fmt=fmt, unit=unit_obj, q=q,
                           request=request)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{dataset.code}-{timezone.localdate():%Y%m%d}.{fmt}")
