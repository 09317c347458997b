"""Pages of the burden ledger (减负台账) and of the demands placed on one's unit. Thin: forms
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
from qingzhuang.burden.models import DemandStatus

PAGE_SIZE = 50


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return queries.default_year()
    return year if queries.FIRST_YEAR <= year <= queries.LAST_YEAR else queries.default_year()


@login_required
@require_GET
def burden(request):
    year, q = _year(request), request.GET.get("q", "").strip()[:50]
    page = Paginator(queries.burden_units(request.user, year=year, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    sees_all = access.sees_all_demands(request.user)
    return render(request, "burden/burden.html", {
        "page": page, "year": year, "q": q, "sees_all": sees_all,
        "kpis": queries.county_kpis(year=year) if sees_all else None,
        "years": range(queries.current_year(), queries.current_year() - 5, -1),
    })


@login_required
@require_GET
def burden_unit(request, code: str):
    unit = access.get_burden_unit_or_404(request.user, code)
    year = _year(request)
    demands = list(queries.unit_demands(unit, year=year))
    children = queries.burden_units(request.user, year=year).filter(parent=unit).order_by("path")
    return render(request, "burden/unit.html", {
        "unit": unit, "year": year, "demands": demands, "children": children, **queries.unit_counts(demands),
    })


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
