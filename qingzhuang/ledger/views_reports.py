"""Pages of reports and data requests: the register, admission, filling, sending and 找数据 (the
burden ledger's pages are ``burden.views``). Views are thin: forms parse, each action is one ``services`` call (which checks
permission and scope itself), ``access`` scopes what is shown, ``queries`` reads."""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.models import DemandStatus
from qingzhuang.burden.services import resolve_targets
from qingzhuang.ledger import access, filling, matching, queries, services
from qingzhuang.ledger.models import (
    Admission,
    Aggregate,
    DataElement,
    Dataset,
    FilterOp,
    PeriodGrain,
    RegisterStatus,
    UnitLevel,
)
from qingzhuang.orgs.models import Unit, UnitKind

PAGE_SIZE = 50
FILTER_ROWS = 3


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


# Service error keys shown on another field of the form.
FIELD_ALIASES = {"target_units": "target_codes"}


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            name = FIELD_ALIASES.get(name, name) if name not in form.fields else name
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _message_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _refuse(request, detail: str, pk: int, message: str):
    messages.error(request, message)
    return redirect(detail, pk=pk)


def _act(request, detail: str, pk: int, success, action):
    """An action button: one service call, its refusals or ``success`` as messages (``success`` may
    be a function of the service's result), then back to the detail page."""
    try:
        result = action()
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(detail, pk=pk)


# ---------------------------------------------------------------------------------------------
# Forms


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget (the templates render widgets as they are)."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class TargetsMixin(forms.Form):
    """Target units: all villages and communities under a unit, plus any listed unit codes."""

    target_under = forms.ChoiceField(label="填报单位范围", required=False,
                                     help_text="选择乡镇（街道）即向其下全部村（社区）索要；选择全县即全县所有村（社区）。")
    target_codes = forms.CharField(label="另加单位代码", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="逐个列出单位代码，用逗号、空格或换行分隔。")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        parents = access.target_parents(actor, placing_only=True)
        self.fields["target_under"].choices = [("", "—")] + [
            (u.code, "全县所有村（社区）" if u.kind == UnitKind.COUNTY else f"{u.name}的全部村（社区）")
            for u in parents
        ]

    def clean_target_codes(self) -> list[str]:
        text = self.cleaned_data.get("target_codes", "")
        return [c for c in matching.SEPARATORS.split(text) if c]

    def target_units(self) -> list[Unit]:
        return resolve_targets(actor=self.actor, codes=self.cleaned_data.get("target_codes") or [],
                               under=self.cleaned_data.get("target_under") or "")

    @staticmethod
    def initial_targets(units) -> dict:
        return {"target_codes": "\n".join(u.code for u in units)}


class ReportForm(TargetsMixin):
    name = forms.CharField(label="报表名称", max_length=100)
    purpose = forms.CharField(label="用途", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    aggregate = forms.ChoiceField(label="统计方式", choices=Aggregate.choices, initial=Aggregate.COUNT)
    columns = forms.MultipleChoiceField(label="明细字段", required=False, widget=forms.CheckboxSelectMultiple,
                                        help_text="统计方式为“明细”时逐条列出这些字段。")
    group_unit = forms.ChoiceField(label="按单位分组", choices=UnitLevel.choices, required=False)
    group_period = forms.ChoiceField(label="按期间分组", choices=PeriodGrain.choices, required=False)
    group_elements = forms.MultipleChoiceField(label="按字段分组", required=False,
                                               widget=forms.CheckboxSelectMultiple)
    measure = forms.ChoiceField(label="求和或平均的字段", required=False)
    period_element = forms.ChoiceField(label="期间字段", required=False)
    period_from = forms.CharField(label="起始期间", required=False, max_length=7,
                                  widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"}))
    period_to = forms.CharField(label="截止期间", required=False, max_length=7,
                                widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"}))
    manual_fields = forms.CharField(
        label="需基层补充填报的字段", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="一套表中没有、必须由基层填报的字段，用顿号分隔；留空表示完全由一套表生成，不向基层索要。",
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        columns = list(filling.dataset_columns(dataset).values())
        all_choices = [(c.element.code, c.name) for c in columns]
        self.fields["columns"].choices = all_choices
        self.fields["group_elements"].choices = [
            (c.element.code, c.name) for c in columns if c.element.value_type in ("code", "codes", "indicator", "unit")
        ]
        self.fields["measure"].choices = [("", "—")] + [
            (c.element.code, c.name) for c in columns if c.element.value_type in filling.NUMERIC_TYPES
        ]
        self.fields["period_element"].choices = [("", "—")] + [
            (c.element.code, c.name) for c in columns if c.element.value_type in filling.PERIOD_TYPES
        ]
        self.filter_rows = []
        for i in range(1, FILTER_ROWS + 1):
            self.fields[f"filter_element_{i}"] = forms.ChoiceField(label=f"筛选字段{i}", required=False,
                                                                   choices=[("", "—")] + all_choices)
            self.fields[f"filter_op_{i}"] = forms.ChoiceField(label=f"比较方式{i}", required=False,
                                                              choices=FilterOp.choices)
            self.fields[f"filter_value_{i}"] = forms.CharField(label=f"值{i}", required=False, max_length=100)
            self.filter_rows.append((self[f"filter_element_{i}"], self[f"filter_op_{i}"], self[f"filter_value_{i}"]))
        _style(self)

    @staticmethod
    def initial_for(report) -> dict:
        initial = {
            "name": report.name, "purpose": report.purpose, "aggregate": report.aggregate,
            "columns": report.columns, "group_unit": report.group_unit, "group_period": report.group_period,
            "group_elements": report.group_elements, "measure": report.measure,
            "period_element": report.period_element, "period_from": report.period_from,
            "period_to": report.period_to, "manual_fields": "、".join(report.manual_fields),
            **TargetsMixin.initial_targets(report.target_units.order_by("path")),
        }
        for i, f in enumerate(report.filters[:FILTER_ROWS], start=1):
            initial.update({f"filter_element_{i}": f["element"], f"filter_op_{i}": f["op"],
                            f"filter_value_{i}": f["value"]})
        return initial

    def definition(self) -> services.ReportDefinition:
        data = self.cleaned_data
        return services.ReportDefinition(
            name=data["name"], dataset=self.dataset, purpose=data["purpose"], columns=data["columns"],
            filters=[{"element": data[f"filter_element_{i}"], "op": data[f"filter_op_{i}"],
                      "value": data[f"filter_value_{i}"]} for i in range(1, FILTER_ROWS + 1)],
            group_unit=data["group_unit"], group_period=data["group_period"],
            period_element=data["period_element"], period_from=data["period_from"], period_to=data["period_to"],
            group_elements=data["group_elements"], aggregate=data["aggregate"], measure=data["measure"],
            manual_fields=matching.split_fields(data["manual_fields"]), target_units=self.target_units(),
        )


class RequestForm(TargetsMixin):
    title = forms.CharField(label="需求名称", max_length=100)
    fields_text = forms.CharField(
        label="所需字段", widget=forms.Textarea(attrs={"rows": 3, "placeholder": "身份证号、户籍地址、是否低保、手机号"}),
        help_text="用顿号、逗号或换行分隔。系统会先在一套表中查找，已有的字段直接共享，不再向基层索要。",
    )
    purpose = forms.CharField(label="用途", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    period = forms.CharField(label="数据期间", required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": "例如 2025年6月"}))
    due_date = forms.DateField(label="填报截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    @staticmethod
    def initial_for(data_request) -> dict:
        return {"title": data_request.title, "fields_text": data_request.fields_text,
                "purpose": data_request.purpose, "period": data_request.period, "due_date": data_request.due_date,
                **TargetsMixin.initial_targets(data_request.target_units.order_by("path"))}

    def definition(self) -> services.RequestDefinition:
        data = self.cleaned_data
        return services.RequestDefinition(
            title=data["title"], fields_text=data["fields_text"], purpose=data["purpose"], period=data["period"],
            due_date=data["due_date"], target_units=self.target_units(),
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "驳回")])
    note = forms.CharField(required=False, max_length=500)


class RegisterForm(forms.Form):
    status = forms.ChoiceField(choices=RegisterStatus.choices)
    reason = forms.CharField(max_length=500, error_messages={"required": "请写明处理理由"})


class SendForm(forms.Form):
    round = forms.CharField(max_length=20, error_messages={"required": "请填写填报期次，例如 2025-06"})
    due_date = forms.DateField(required=False)


def _first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "提交的内容无效"


# ---------------------------------------------------------------------------------------------
# Reports


def _manageable_report_or_404(user, pk: int):
    report = access.get_report_or_404(user, pk)
    if not access.can_manage(user, report):
        raise PermissionDenied("只有提出报表的部门可以这样做")
    return report


@login_required
@require_GET
def report_list(request):
    """报表清单: every visible report with its admission, register status and burden."""
    qs = queries.register(request.user).order_by("-created_at", "-id")
    status, admission, q = (request.GET.get(k, "").strip()[:100] for k in ("status", "admission", "q"))
    if status in RegisterStatus.values:
        qs = qs.filter(register_status=status)
    if admission in Admission.values:
        qs = qs.filter(admission=admission)
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    column_cache: dict[int, dict] = {}
    for report in page:
        if report.dataset_id not in column_cache:
            column_cache[report.dataset_id] = filling.dataset_columns(report.dataset)
        report.field_names = queries.report_fields(report, column_cache[report.dataset_id])
    context = {
        "page": page, "status": status, "admission": admission, "q": q,
        "statuses": RegisterStatus.choices, "admissions": Admission.choices,
        "can_define": access.can_define(request.user), "sees_all": access.sees_all_requests(request.user),
        "kpis": queries.county_kpis(year=burden_queries.default_year()) if access.sees_all_requests(request.user)
        else None,
    }
    return render(request, "ledger/report_list.html", context)


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_http_methods(["GET", "POST"])
def report_create(request):
    if not request.user.unit_id:
        raise PermissionDenied("账号未关联单位")
    code = request.POST.get("dataset") or request.GET.get("dataset", "")
    dataset = Dataset.objects.filter(code=code).select_related("owner").first() if code else None
    if dataset is None:
        return render(request, "ledger/report_form.html", {
            "report": None, "dataset": None,
            "datasets": Dataset.objects.select_related("owner").order_by("category", "code")})
    form = ReportForm(request.POST or None, actor=request.user, dataset=dataset)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(actor=request.user, definition=form.definition(), request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已保存报表“{report.name}”（草稿）。提交督查室准入审批后才能向基层下发。")
            return redirect("ledger:report_detail", pk=report.pk)
    return render(request, "ledger/report_form.html", {"form": form, "report": None, "dataset": dataset})


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    report = _manageable_report_or_404(request.user, pk)
    form = ReportForm(request.POST or None, actor=request.user, dataset=report.dataset, initial=ReportForm.initial_for(report))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(actor=request.user, report=report, definition=form.definition(), request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("ledger:report_detail", pk=report.pk)
    return render(request, "ledger/report_form.html", {"form": form, "report": report, "dataset": report.dataset})


def _report_context(request, report, table=None) -> dict:
    user = request.user
    columns = filling.dataset_columns(report.dataset)
    names = {code: c.name for code, c in columns.items()}
    return {
        "report": report,
        "table": table,
        "column_names": [names.get(c, c) for c in report.columns],
        "group_names": [names.get(c, c) for c in report.group_elements],
        "measure_name": names.get(report.measure, ""),
        "period_name": names.get(report.period_element, ""),
        "filters": [{"name": names.get(f["element"], f["element"]), "op": FilterOp(f["op"]).label,
                     "value": f["value"]} for f in report.filters],
        "targets": report.target_units.order_by("path"),
        "demand_rounds": report.demands.values("round").annotate(
            n=Count("id"), filled=Count("id", filter=Q(status=DemandStatus.FILLED))
        ).order_by("-round"),
        "can_manage": access.can_manage(user, report),
        "can_approve": access.can_approve(user),
        "reads_whole": access.reads_whole_dataset(report),
        "register_statuses": RegisterStatus.choices,
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def report_detail(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    return render(request, "ledger/report_detail.html", _report_context(request, report))


@login_required
@require_POST
def report_fill(request, pk: int):
    """Fill the report from the ledger (no unit is asked) and show the table."""
    report = access.get_report_or_404(request.user, pk)
    try:
        table = services.report_fill(actor=request.user, report=report, request=request)
    except ValidationError as error:
        if _is_htmx(request):
            return render(request, "ledger/report_table.html", {"report": report, "fill_errors": error.messages})
        _message_errors(request, error)
        return redirect("ledger:report_detail", pk=report.pk)
    if _is_htmx(request):
        return render(request, "ledger/report_table.html", {"report": report, "table": table})
    return render(request, "ledger/report_detail.html", _report_context(request, report, table))


@login_required
@require_GET
def report_export(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    fmt = request.GET.get("format", "xlsx")
    out = tempfile.TemporaryFile()
    try:
        services.report_export(actor=request.user, report=report, target=out, fmt=fmt, request=request)
    except ValidationError as error:
        out.close()
        _message_errors(request, error)
        return redirect("ledger:report_detail", pk=report.pk)
    out.seek(0)
    return FileResponse(out, as_attachment=True,
                        filename=f"{report.name}-{timezone.localdate():%Y%m%d}.{fmt}")


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_POST
def report_submit(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    return _act(request, "ledger:report_detail", report.pk, "已提交督查室准入审批。",
                lambda: services.report_submit(actor=request.user, report=report, request=request))


@login_required
@permission_required("ledger.approve_report", raise_exception=True)
@require_POST
def report_review(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "ledger:report_detail", report.pk, "请选择批准或驳回")
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, "ledger:report_detail", report.pk, "已批准准入。" if approve else "已驳回。",
                lambda: services.report_review(actor=request.user, report=report, approve=approve,
                                               note=form.cleaned_data["note"], request=request))


@login_required
@permission_required("ledger.approve_report", raise_exception=True)
@require_POST
def report_register(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "ledger:report_detail", report.pk, _first_error(form))
    status = form.cleaned_data["status"]
    return _act(request, "ledger:report_detail", report.pk, f"报表清单状态已改为“{RegisterStatus(status).label}”。",
                lambda: services.report_set_register(actor=request.user, report=report, status=status,
                                                     reason=form.cleaned_data["reason"], request=request))


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_POST
def report_send(request, pk: int):
    report = access.get_report_or_404(request.user, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "ledger:report_detail", report.pk, _first_error(form))
    round_ = form.cleaned_data["round"]
    return _act(request, "ledger:report_detail", report.pk, lambda demands: f"已向 {len(demands)} 个单位下发第“{round_}”期。",
                lambda: services.report_send(actor=request.user, report=report, round=round_,
                                             due_date=form.cleaned_data["due_date"], request=request))


# ---------------------------------------------------------------------------------------------
# Data requests


def _manageable_request_or_404(user, pk: int):
    data_request = access.get_request_or_404(user, pk)
    if not access.can_manage(user, data_request):
        raise PermissionDenied("只有提出数据需求的部门可以这样做")
    return data_request


@login_required
@require_GET
def request_list(request):
    qs = access.visible_requests(request.user)
    admission, q = request.GET.get("admission", ""), request.GET.get("q", "").strip()[:100]
    if admission in Admission.values:
        qs = qs.filter(admission=admission)
    if q:
        qs = qs.filter(title__icontains=q)
    qs = qs.annotate(n_targets=Count("target_units", distinct=True)).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ledger/request_list.html", {
        "page": page, "admission": admission, "q": q, "admissions": Admission.choices,
        "can_define": access.can_define(request.user), "sees_all": access.sees_all_requests(request.user),
    })


def _request_form_page(request, form, data_request):
    preview = []
    text = form["fields_text"].value() or ""
    if text.strip():
        preview = matching.find_fields(text)
    return render(request, "ledger/request_form.html",
                  {"form": form, "data_request": data_request, "matches": preview})


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_create(request):
    if not request.user.unit_id:
        raise PermissionDenied("账号未关联单位")
    form = RequestForm(request.POST or None, actor=request.user, initial={"fields_text": request.GET.get("fields", "")[:2000]})
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.request_create(actor=request.user, definition=form.definition(),
                                                   request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已保存数据需求“{data_request.title}”（草稿）。")
            return redirect("ledger:request_detail", pk=data_request.pk)
    return _request_form_page(request, form, None)


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    data_request = _manageable_request_or_404(request.user, pk)
    form = RequestForm(request.POST or None, actor=request.user, initial=RequestForm.initial_for(data_request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(actor=request.user, data_request=data_request, definition=form.definition(),
                                    request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("ledger:request_detail", pk=data_request.pk)
    return _request_form_page(request, form, data_request)


@login_required
@require_GET
def request_detail(request, pk: int):
    data_request = access.get_request_or_404(request.user, pk)
    fields = list(data_request.fields.select_related("element", "dataset__owner", "confirmed_by"))
    demands = data_request.demands.select_related("unit").order_by("unit__path")
    can_manage, can_approve = access.can_manage(request.user, data_request), access.can_approve(request.user)
    return render(request, "ledger/request_detail.html", {
        "data_request": data_request, "fields": fields,
        "held": [f for f in fields if f.held], "remaining": [f for f in fields if not f.held],
        "unconfirmed": [f for f in fields if f.needs_confirmation],
        "targets": data_request.target_units.order_by("path"), "demands": demands,
        "can_manage": can_manage, "can_approve": can_approve,
        # Who may confirm related fields now (the service checks it again).
        "can_confirm": (data_request.is_editable and can_manage)
                       or (data_request.admission == Admission.PENDING and can_approve),
    })


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_POST
def request_submit(request, pk: int):
    data_request = access.get_request_or_404(request.user, pk)
    return _act(request, "ledger:request_detail", data_request.pk, "已提交督查室准入审批。",
                lambda: services.request_submit(actor=request.user, data_request=data_request, request=request))


@login_required
@permission_required("ledger.approve_report", raise_exception=True)
@require_POST
def request_review(request, pk: int):
    data_request = access.get_request_or_404(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "ledger:request_detail", data_request.pk, "请选择批准或驳回")
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, "ledger:request_detail", data_request.pk,
                "已批准准入，一套表已有的字段已共享给提出部门。" if approve else "已驳回。",
                lambda: services.request_review(actor=request.user, data_request=data_request, approve=approve,
                                                note=form.cleaned_data["note"], request=request))


@login_required
@require_POST
def request_field_confirm(request, pk: int, field_id: int):
    """Confirm (or withdraw) that the near element of a related field answers it (the service
    decides who may: the requesting department on a draft, the 督查室 while reviewing)."""
    data_request = access.get_request_or_404(request.user, pk)
    confirm = request.POST.get("decision") != "unconfirm"
    return _act(request, "ledger:request_detail", data_request.pk,
                lambda f: (f"已确认“{f.text}”由一套表的“{f.element.name}”提供，不再向基层索要。" if confirm
                           else f"已撤销确认，“{f.text}”仍需向基层索要。"),
                lambda: services.request_field_confirm(actor=request.user, data_request=data_request,
                                                       field_id=field_id, confirm=confirm, request=request))


@login_required
@permission_required("ledger.define_report", raise_exception=True)
@require_POST
def request_send(request, pk: int):
    data_request = access.get_request_or_404(request.user, pk)
    return _act(request, "ledger:request_detail", data_request.pk,
                lambda demands: f"已向 {len(demands)} 个单位下发，只索要一套表中没有的字段。",
                lambda: services.request_send(actor=request.user, data_request=data_request, request=request))


# ---------------------------------------------------------------------------------------------
# 找数据


def _find_targets(user, code: str):
    # A unit outside the user's scope reads like a missing one: 404, as on every other page.
    unit = access.get_target_parent_or_404(user, code) if code else None
    units = matching.targets_under(unit) if unit else matching.default_targets(user)
    return unit, units.count()


@login_required
@require_GET
def find_data(request):
    # The request form's live preview sends its own field names.
    q = (request.GET.get("q") or request.GET.get("fields_text") or "").strip()[:2000]
    under = request.GET.get("under") or request.GET.get("target_under") or ""
    unit, target_count = _find_targets(request.user, under.strip()[:32])
    matches = matching.find_fields(q) if q else []
    held = sum(1 for m in matches if m.held)
    related = sum(1 for m in matches if m.related)
    context = {
        "q": q, "matches": matches, "held": held, "related": related, "unmatched": len(matches) - held - related,
        "remaining": len(matches) - held,
        "target_unit": unit, "target_count": target_count,
        # Without a chosen unit a township asks its own villages, a county-level unit the county's.
        "scope_unit": request.user.unit if request.user.unit_id and request.user.unit.is_grassroots else None,
        "not_asked": matching.not_asked(matches, target_count),
        "parents": access.target_parents(request.user),
        "can_define": access.can_define(request.user),
        "elements": DataElement.objects.count(),
    }
    template = "ledger/find_results.html" if _is_htmx(request) else "ledger/find.html"
    return render(request, template, context)
