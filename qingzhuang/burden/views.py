"""Pages of the burden ledger (减负台账: the scope view, one unit, the department league table,
the weights) and of the demands placed on one's unit. Thin: forms
parse, ``services`` write, ``access`` and ``queries`` read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qingzhuang.burden import access, queries, services
from qingzhuang.burden import queries_ledger as ledger
from qingzhuang.burden.models import DemandKind, DemandStatus
from qingzhuang.lib import paging
from qingzhuang.lib.periods import months_of_year

PAGE_SIZE = 50


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return queries.default_year()
    return year if queries.FIRST_YEAR <= year <= queries.LAST_YEAR else queries.default_year()


def _is_htmx(request) -> bool:
    # A history restore after a cache miss asks for the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _years() -> range:
    return range(queries.current_year(), queries.current_year() - 5, -1)


@login_required
@require_GET
def burden(request):
    """Every grassroots unit of the user's scope: asks and person-hours this year, the year
    before, the change and the top placing unit; county sums and burden removed for the county."""
    year, q = _year(request), request.GET.get("q", "").strip()[:50]
    today, sort = timezone.localdate(), ledger.sort_key(request.GET.get("sort"))
    rows = ledger.scope_rows(request.user, year=year, today=today, q=q, sort=sort)
    error, status, shown, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=len(rows), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        shown = rows[pager.offset: pager.offset + pager.per_page]
        ledger.add_top_placers(shown, year=year)
    sees_all = access.sees_all_demands(request.user)
    context = {
        "rows": shown, "pager": pager, "error": error, "year": year, "q": q, "sort": sort, "sees_all": sees_all,
        "compare": ledger.compare_months(year, today), "current": year == today.year,
        "years": _years(),
    }
    if _is_htmx(request):
        return render(request, "burden/_scope_table.html", context, status=status)
    if sees_all:
        context["sums"] = ledger.scope_sums(request.user, year=year, today=today)
        context["removed"] = queries.removed_burden(year=year)
    return render(request, "burden/burden.html", context, status=status)


@login_required
@require_GET
def placers(request):
    """The department league table: units ranked by the asks they placed on the scope's
    grassroots units in the year, with the year before and the change."""
    year, today = _year(request), timezone.localdate()
    return render(request, "burden/placers.html", {
        "rows": ledger.placer_rows(request.user, year=year, today=today), "year": year, "years": _years(),
        "sees_all": access.sees_all_demands(request.user),
        "compare": ledger.compare_months(year, today), "current": year == today.year,
    })


@login_required
@require_GET
def burden_unit(request, code: str):
    """One township or village: a year by month and kind, this year against the last, who asks the
    most, its sub-units, and every entry (paged, by kind and month)."""
    unit = access.get_burden_unit_or_404(request.user, code)
    year, today = _year(request), timezone.localdate()
    kind = request.GET.get("kind", "")
    kind = kind if kind in DemandKind.values else ""
    month = request.GET.get("month", "")
    month = month if month in months_of_year(year) else ""
    entries = ledger.unit_entries(unit, year=year, kind=kind, month=month)
    error, status, shown, pager = "", 200, [], None
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=entries.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        error, status = exc.message, 400
    else:
        shown = list(entries[pager.offset: pager.offset + pager.per_page])
    context = {"unit": unit, "year": year, "entries": shown, "pager": pager, "error": error, "kind": kind,
               "month": month, "kinds": DemandKind.choices,
               "months": [(m, label) for m, label in zip(months_of_year(year), queries.MONTH_LABELS, strict=True)]}
    if _is_htmx(request):
        return render(request, "burden/_entries.html", context, status=status)
    context.update(ledger.unit_ledger(unit, year=year, today=today), years=_years())
    chart = context["chart"]
    context["chart_spec"] = {"option": chart.option, "unit": chart.unit}
    return render(request, "burden/unit.html", context, status=status)


class WeightForm(forms.Form):
    kind = forms.ChoiceField(choices=DemandKind.choices, error_messages={"invalid_choice": "没有这种任务类型：%(value)s"})
    # Not required here: the service refuses a blank value with its own message.
    hours = forms.CharField(label="每项估算工时（人·小时）", max_length=20, required=False)
    note = forms.CharField(label="估算依据", max_length=200, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def weights(request):
    """The person-hours one ask of each kind is estimated to cost; managers edit them here."""
    manages = request.user.has_perm(services.WEIGHT_PERMISSION)
    error_kind, error = "", ""
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("只有减负监测员或督查室可以修改估算工时")
        form = WeightForm(request.POST)
        if not form.is_valid():
            error_kind = request.POST.get("kind", "") if "kind" not in form.errors else ""
            error = "；".join(e for field_errors in form.errors.values() for e in field_errors)
        else:
            kind = form.cleaned_data["kind"]
            try:
                services.weight_set(actor=request.user, kind=kind, hours=form.cleaned_data["hours"],
                                    note=form.cleaned_data["note"], request=request)
            except ValidationError as exc:
                error_kind, error = kind, "；".join(exc.messages)
            else:
                messages.success(request, f"已保存“{dict(DemandKind.choices)[kind]}”的估算工时，这类任务已按新工时重新估算。")
                return redirect("burden:weights")
    return render(request, "burden/weights.html", {
        "rows": ledger.weight_rows(), "manages": manages, "error_kind": error_kind, "error": error,
        "posted": request.POST,
    }, status=400 if error else 200)


@login_required
@require_GET
def demand_list(request):
    """What was asked of my unit and its subtree: the grassroots cadre's to-do list."""
    status = request.GET.get("status", DemandStatus.PENDING)
    qs = access.visible_demands(request.user).order_by("due_date", "-created_at")
    if status in DemandStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "burden/demands.html", {"page": page, "status": status,
                                                   "statuses": DemandStatus.choices})


class DemandFillForm(forms.Form):
    note = forms.CharField(label="备注", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, demand, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_names = []
        for i, name in enumerate(demand.fields):
            key = f"field_{i}"
            self.fields[key] = forms.CharField(label=name, required=False, max_length=2000)
            self.field_names.append((key, name))
        self.order_fields([k for k, _ in self.field_names] + ["note"])
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("class", "form-control")

    def data_values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(key, "") for key, name in self.field_names}


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def demand_detail(request, pk: int):
    demand = access.get_demand_or_404(request.user, pk)
    may_fill = access.can_fill_demand(request.user, demand)
    form = DemandFillForm(request.POST or None, demand=demand)
    if request.method == "POST":
        if not may_fill:
            raise PermissionDenied("只有被要求填报的单位可以填报")
        if form.is_valid():
            try:
                services.demand_fill(actor=request.user, demand=demand, data=form.data_values(),
                                     note=form.cleaned_data["note"], request=request)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "已填报。")
                return redirect("burden:demand_detail", pk=demand.pk)
    return render(request, "burden/demand.html", {
        "demand": demand, "form": form, "can_fill": may_fill and demand.status == DemandStatus.PENDING,
        "overdue": demand.status == DemandStatus.PENDING and demand.due_date
        and demand.due_date < timezone.localdate(),
        "refusal": services.fill_refusal(demand),
    })
