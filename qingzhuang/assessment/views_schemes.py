"""Pages of schemes (考核方案): list, detail, upload, editor, copy, delete, download, and the bonus,
deduction and veto records of a scheme. The assessment office only; each action is one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.assessment import access, schemefile
from qingzhuang.assessment.forms_schemes import (
    AdjustmentForm,
    CopyForm,
    HeaderForm,
    IndicatorForm,
    IndicatorFormSet,
    UploadForm,
    document_from,
)
from qingzhuang.assessment.models import Scheme
from qingzhuang.assessment.schemes import describe
from qingzhuang.assessment.services import schemes as services
from qingzhuang.lib import tables
from qingzhuang.orgs.models import Unit

ERRORS_SESSION_KEY = "assessment_scheme_errors"
MAX_SHOWN_ERRORS = 200


def _office(request) -> None:
    access.require_manage(request.user)


def _scheme(request, pk: int) -> Scheme:
    _office(request)
    return access.get_scheme_or_404(request.user, pk=pk)


def _kinds(scheme: Scheme) -> str:
    return "、".join(schemefile.KIND_LABELS.get(kind, kind) for kind in scheme.target_kinds)


@login_required
@require_GET
def scheme_list(request):
    _office(request)
    schemes = (access.visible_schemes(request.user)
               .annotate(n_indicators=Count("indicators", distinct=True), n_runs=Count("runs", distinct=True)))
    for scheme in schemes:
        scheme.kinds_label = _kinds(scheme)
    return render(request, "assessment/scheme_list.html", {"schemes": schemes})


@login_required
@require_GET
def scheme_detail(request, pk: int):
    scheme = _scheme(request, pk)
    rows = list(scheme.indicators.select_related("indicator", "indicator__owner").order_by("position", "pk"))
    for row in rows:
        row.description = describe(row)
    from qingzhuang.ledger.models import Indicator

    trend = scheme.trend or {}
    names = dict(Indicator.objects.filter(code__in=list(trend.get("indicators") or {})).values_list("code", "name"))
    context = {
        "scheme": scheme, "rows": rows, "kinds": _kinds(scheme),
        "weight_total": sum(row.weight for row in rows),
        "bonus": scheme.items.filter(kind="bonus"), "deductions": scheme.items.filter(kind="deduction"),
        "trend_rows": [(code, names.get(code, ""), weight) for code, weight in (trend.get("indicators") or {}).items()],
        "trend_threshold": trend.get("threshold"), "runs": scheme.runs.count(),
        "copy_form": CopyForm(initial={"code": _next_code(scheme), "year": scheme.year + 1}),
    }
    return render(request, "assessment/scheme_detail.html", context)


def _next_code(scheme: Scheme) -> str:
    old, new = str(scheme.year), str(scheme.year + 1)
    return scheme.code.replace(old, new) if old in scheme.code else f"{scheme.code}-{new}"


@login_required
@require_http_methods(["GET", "POST"])
def scheme_upload(request):
    _office(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(schemefile.MAX_BYTES + 1)
        result = services.scheme_import(actor=request.user, text=raw, filename=upload.name)
        if result.ok:
            verb = "已替换" if result.updated else "已导入"
            messages.success(request, f"{verb}考核方案 {result.scheme.name}（{result.scheme.code}）")
            return redirect("assessment:scheme_detail", pk=result.scheme.pk)
        request.session[ERRORS_SESSION_KEY] = [p.to_dict() for p in result.errors[:1000]]
    context = {"form": form, "result": result, "shown_errors": result.errors[:MAX_SHOWN_ERRORS] if result else []}
    return render(request, "assessment/scheme_upload.html", context)


@login_required
@require_GET
def scheme_upload_errors(request):
    _office(request)
    kept = request.session.get(ERRORS_SESSION_KEY)
    if not kept:
        raise Http404("没有可下载的问题清单")
    return FileResponse(tables.problems_xlsx(kept), as_attachment=True, filename="考核方案_问题清单.xlsx")


@login_required
@require_GET
def scheme_export(request, pk: int):
    scheme = _scheme(request, pk)
    fmt = request.GET.get("format", "yaml")
    if fmt not in ("yaml", "json"):
        raise Http404("不支持的导出格式")
    text = schemefile.dump(schemefile.document_of(scheme), fmt)
    content_type = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(text.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scheme.code}.{fmt}"'
    return response


def _indicator_choices():
    from qingzhuang.ledger.models import Indicator

    return [(i.code, f"{i.code} {i.name}（{i.owner.name}）") for i in Indicator.objects.select_related("owner")]


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk: int):
    scheme = _scheme(request, pk)
    if scheme.is_locked:
        messages.error(request, services.locked_message(scheme))
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    choices = _indicator_choices()
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        header = HeaderForm(request.POST)
        rows = IndicatorFormSet(request.POST, prefix="rows", form_kwargs={"indicator_choices": choices})
        if header.is_valid() and rows.is_valid():
            try:
                services.scheme_update(actor=request.user, scheme=scheme, document=document_from(header, rows))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    problems = [(path, message) for path, errors in error.message_dict.items()
                                for message in errors]
                else:
                    problems = [("", message) for message in error.messages]
            else:
                messages.success(request, "考核方案已保存")
                return redirect("assessment:scheme_detail", pk=scheme.pk)
    else:
        document = schemefile.document_of(scheme)
        header = HeaderForm(initial=HeaderForm.initial_of(document))
        rows = IndicatorFormSet(prefix="rows", form_kwargs={"indicator_choices": choices},
                                initial=[IndicatorForm.initial_of(row) for row in document["indicators"]])
    return render(request, "assessment/scheme_edit.html",
                  {"scheme": scheme, "header": header, "rows": rows, "problems": problems})


@login_required
@require_POST
def scheme_copy(request, pk: int):
    scheme = _scheme(request, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    try:
        copy = services.scheme_copy(actor=request.user, scheme=scheme, code=form.cleaned_data["code"].strip(),
                                    year=form.cleaned_data["year"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, f"已复制为 {copy.name}（{copy.code}）")
    return redirect("assessment:scheme_detail", pk=copy.pk)


@login_required
@require_POST
def scheme_delete(request, pk: int):
    scheme = _scheme(request, pk)
    try:
        services.scheme_delete(actor=request.user, scheme=scheme)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    messages.success(request, f"已删除考核方案 {scheme.name}")
    return redirect("assessment:scheme_list")


# -- bonus, deductions and vetoes


def target_units(scheme: Scheme):
    return Unit.objects.filter(kind__in=scheme.target_kinds).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_list(request, pk: int):
    scheme = _scheme(request, pk)
    units = list(target_units(scheme))
    items = list(scheme.items.order_by("kind", "position"))
    form = AdjustmentForm(request.POST or None, request.FILES or None, units=units, items=items)
    if request.method == "POST" and not scheme.is_locked and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if str(u.pk) == data["unit"])
        item = next((i for i in items if str(i.pk) == data["item"]), None)
        try:
            services.adjustment_add(actor=request.user, scheme=scheme, unit=unit, kind=data["kind"], item=item,
                                    points=data["points"] or None, reason=data["reason"],
                                    evidence=data["evidence"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, "已登记")
            return redirect("assessment:adjustment_list", pk=scheme.pk)
    adjustments = (access.visible_adjustments(request.user).filter(scheme=scheme)
                   .select_related("unit", "item", "recorded_by").order_by("unit__path", "kind", "pk"))
    return render(request, "assessment/scheme_adjustments.html",
                  {"scheme": scheme, "form": form, "adjustments": adjustments})


@login_required
@require_POST
def adjustment_delete(request, pk: int, adjustment_id: int):
    scheme = _scheme(request, pk)
    adjustment = access.get_adjustment_or_404(request.user, adjustment_id)
    if adjustment.scheme_id != scheme.pk:
        raise Http404(access.ADJUSTMENT_NOT_FOUND)
    try:
        services.adjustment_delete(actor=request.user, adjustment=adjustment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已删除该记录")
    return redirect("assessment:adjustment_list", pk=scheme.pk)


@login_required
@require_GET
def adjustment_evidence(request, pk: int, adjustment_id: int):
    scheme = _scheme(request, pk)
    adjustment = access.get_adjustment_or_404(request.user, adjustment_id)
    if adjustment.scheme_id != scheme.pk or not adjustment.evidence:
        raise Http404(access.ADJUSTMENT_NOT_FOUND)
    return FileResponse(adjustment.evidence.open("rb"), as_attachment=True,
                        filename=adjustment.evidence_name or "佐证材料")
