"""Pages of the 一套表: the data map, datasets and their records, imports and their jobs."""

from __future__ import annotations

import tempfile
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.ledger import access, exports, imports, masking, queries, services
from qingzhuang.ledger.forms import ImportForm, RecordFilterForm
from qingzhuang.ledger.models import Dataset, Storage
from qingzhuang.lib import paging, tables
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import queries as org_queries

MAX_SHOWN_ERRORS = 200


def _is_htmx(request) -> bool:
    # A history restore after a cache miss asks for the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _records_dataset_or_404(user, code: str) -> Dataset:
    dataset = access.get_dataset_or_404(user, code)
    if dataset.storage != Storage.RECORDS:
        raise Http404("该数据集没有单条记录页")
    return dataset


@login_required
@require_GET
def data_map(request):
    q = request.GET.get("q", "").strip()[:100]
    context = {
        "q": q,
        "groups": queries.data_map(request.user, q),
        "elements": queries.catalog_elements(request.user, q),
    }
    template = "ledger/_data_map_results.html" if _is_htmx(request) else "ledger/data_map.html"
    return render(request, template, context)


@login_required
@require_GET
def dataset_detail(request, code: str):
    user = request.user
    dataset = access.get_dataset_or_404(user, code)
    params = RecordFilterForm(request.GET).values()
    whole = access.has_whole_dataset(user, dataset)
    unit = None
    filter_error = ""
    status = 200
    try:
        unit = queries.resolve_unit(user, dataset, params["unit"], whole=whole)
    except Http404:
        filter_error = "未找到该单位，或该单位不在您的查看范围内。"
    columns = queries.columns_of(dataset)
    exact = queries.exact_key_search(user, columns)
    page = None
    if not filter_error:
        try:
            page = queries.numbered_page(user, dataset, unit=unit, q=params["q"], page=request.GET.get("page"),
                                         exact=exact, whole=whole)
        except paging.PageOutOfRange as exc:
            # A page past the end (or not a number) is refused before it reaches the database.
            filter_error, status = exc.message, 400
        except queries.NameSearchTooBroad as exc:
            filter_error = str(exc)
        else:
            if dataset.storage == Storage.RECORDS:
                _record_cells(page.rows, columns, dataset)
    # What the user reads of the dataset: all of it, or their scope's part (a village's count). An
    # unfiltered page of records has just counted exactly that.
    if page is not None and unit is None and not params["q"] and dataset.storage == Storage.RECORDS:
        readable = (page.pager.total, whole or org_access.is_county_wide(user))
    else:
        readable = queries.readable_count(user, dataset, whole=whole)
    is_indicators = dataset.storage == Storage.INDICATORS
    context = {
        "dataset": dataset, "columns": columns, "page": page, "params": params, "unit": unit,
        "filter_error": filter_error, "freshness": queries.freshness(dataset),
        "is_indicators": is_indicators, "exact_key": exact,
        "whole_dataset": readable[1], "readable_count": readable[0],
        "name_search": bool(queries.name_elements(dataset)) if not is_indicators else False,
        "indicators": list(access.readable_indicators(user).select_related("owner")) if is_indicators else [],
        "can_import": access.can_import(user, dataset),
        "export_query": urlencode({"unit": params["unit"], "q": params["q"]}),
    }
    template = "ledger/_dataset_records.html" if _is_htmx(request) else "ledger/dataset_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def dataset_units(request, code: str):
    """The unit picker's options on a dataset page: the units it may be filtered by
    (``access.filter_units``), by name, pinyin, initials or code."""
    dataset = access.get_dataset_or_404(request.user, code)
    units = org_queries.pick_units(access.filter_units(request.user, dataset), request.GET.get("q", "")[:100],
                                   limit=org_queries.PICK_LIMIT + 1)
    return render(request, "orgs/_unit_options.html", {
        "units": units[: org_queries.PICK_LIMIT], "more": len(units) > org_queries.PICK_LIMIT})


def _record_cells(rows, columns, dataset: Dataset) -> None:
    """The cells of each row as one escaped string: 50 rows × 10 columns of template nodes, and a
    ``{% url %}`` per row, cost more than all of the page's queries."""
    link = reverse("ledger:record_detail", args=[dataset.code, 0])[: -len("0/")]  # …/records/<pk>/
    for row in rows:
        cells = "".join(f'<td class="text-nowrap">{escape(v)}</td>'
                        for v in queries.display_values(columns, row.data, reveal=False))
        row.cells = mark_safe(  # noqa: S308 (every value is escaped above)
            f'<td class="text-nowrap">{escape(row.unit_name)}</td>{cells}'
            f'<td class="text-nowrap"><a href="{link}{row.id}/">查看</a></td>')


def _record_page(request, dataset: Dataset, record, *, revealed: bool):
    columns = queries.columns_of(dataset)
    values = queries.display_values(columns, record.data, reveal=revealed)
    has_personal = any(c.element.value_type in masking.PERSONAL_TYPES and record.data.get(c.element.code)
                       for c in columns)
    return render(request, "ledger/record_detail.html", {
        "dataset": dataset, "record": record, "fields": list(zip(columns, values, strict=True)),
        "history": queries.record_history(record, reveal=revealed),
        "revealed": revealed, "can_reveal": has_personal and masking.can_see_personal(request.user),
    })


@login_required
@require_GET
def record_detail(request, code: str, pk: int):
    dataset = _records_dataset_or_404(request.user, code)
    return _record_page(request, dataset, access.get_record_or_404(request.user, dataset, pk), revealed=False)


@login_required
@permission_required("orgs.view_personal_data", raise_exception=True)
@require_POST
def record_reveal(request, code: str, pk: int):
    dataset = _records_dataset_or_404(request.user, code)
    record = access.get_record_or_404(request.user, dataset, pk)
    services.record_reveal(actor=request.user, dataset=dataset, record=record, request=request)
    return _record_page(request, dataset, record, revealed=True)


@login_required
@require_GET
def dataset_export(request, code: str):
    dataset = access.get_dataset_or_404(request.user, code)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("不支持的导出格式")
    params = RecordFilterForm(request.GET).values()
    unit = queries.resolve_unit(request.user, dataset, params["unit"])
    out = tempfile.TemporaryFile()
    exports.export_dataset(user=request.user, dataset=dataset, target=out, fmt=fmt, unit=unit, q=params["q"],
                   request=request)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{dataset.name}_{timezone.localdate():%Y%m%d}.{fmt}")


@login_required
@require_http_methods(["GET", "POST"])
def dataset_import(request, code: str):
    dataset = access.get_dataset_or_404(request.user, code)
    if not access.can_import(request.user, dataset):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, dataset=dataset)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.job_create(actor=request.user, dataset=dataset, upload=form.cleaned_data["file"],
                             period=form.cleaned_data.get("period", ""),
                             dry_run=request.POST.get("action") != "import", request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("ledger:job_detail", pk=job.pk)
    return render(request, "ledger/import.html", {
        "dataset": dataset, "form": form, "columns": queries.columns_of(dataset),
        "jobs": queries.recent_jobs(request.user, dataset),
    })


LEDGER_TEMPLATE_NOTES = (
    "第一行为表头；空行、合计和小计行自动跳过。",
    "公民身份号码、统一社会信用代码等列请保持文本格式，否则 Excel 会丢失末尾几位。",
    "导入“全部成功或全部不导入”：只要有一行有问题，就不会写入任何数据。建议先点“预检”。",
)


@login_required
@require_GET
def dataset_import_template(request, code: str):
    """A blank xlsx template of the dataset's import: the headers and each column's notes."""
    dataset = access.get_dataset_or_404(request.user, code)
    if not access.can_import(request.user, dataset):
        raise PermissionDenied
    buffer = tables.template_xlsx(queries.template_columns(dataset), notes=LEDGER_TEMPLATE_NOTES)
    return FileResponse(buffer, as_attachment=True, filename=f"{dataset.name}_导入模板.xlsx")


def _job_errors(user, job) -> list[dict]:
    """The job's problems; personal values masked for viewers other than the uploader."""
    return imports.job_json(job, user=user)["errors"]


def _job_context(user, job) -> dict:
    errors = _job_errors(user, job) if job.is_finished else []
    return {"job": job, "errors": errors, "shown_errors": errors[:MAX_SHOWN_ERRORS],
            "failed": job.is_failed, "can_confirm": job.dry_run and job.is_succeeded}


@login_required
@require_GET
def job_detail(request, pk: int):
    job = access.get_job_or_404(request.user, pk)
    return render(request, "ledger/job_detail.html", _job_context(request.user, job))


@login_required
@require_GET
def job_progress(request, pk: int):
    """The status partial that the job page polls until the job has finished."""
    job = access.get_job_or_404(request.user, pk)
    return render(request, "ledger/_job_status.html", _job_context(request.user, job))


@login_required
@require_GET
def job_errors(request, pk: int):
    job = access.get_job_or_404(request.user, pk)
    buffer = tables.problems_xlsx(_job_errors(request.user, job))
    return FileResponse(buffer, as_attachment=True, filename=f"{job.dataset.name}_导入问题清单_{job.pk}.xlsx")


@login_required
@require_POST
def job_retry(request, pk: int):
    """Run a failed job again, or import for real the file of a dry run that passed."""
    job = access.get_job_or_404(request.user, pk)
    if not access.can_import(request.user, job.dataset):
        raise PermissionDenied
    confirm = request.POST.get("confirm") == "import" and job.dry_run and job.is_succeeded
    if not job.is_failed and not confirm:
        return redirect("ledger:job_detail", pk=job.pk)
    try:
        job = imports.job_retry(actor=request.user, job=job, dry_run=False if confirm else None, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("ledger:job_detail", pk=job.pk)
