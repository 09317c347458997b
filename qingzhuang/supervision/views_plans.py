"""Pages of the annual plan (年度计划, items, 审批) and of merge proposals (合并建议). Thin: forms
parse, ``services.plans`` writes, ``access`` and ``queries_plans`` read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib import paging
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit, UnitKind
from qingzhuang.supervision import access, queries_plans, windows, years
from qingzhuang.supervision.models import ItemKind, MergeStatus, Method, PlanItem
from qingzhuang.supervision.services import plans as services

PAGE_SIZE = 50
SEPARATORS = "、，,；;\n\r\t "
TARGET_KIND_CHOICES = [(k.value, k.label) for k in services.TARGET_KINDS]


def _codes(text: str) -> list[str]:
    for mark in SEPARATORS:
        text = text.replace(mark, " ")
    return [c for c in text.split(" ") if c]


def _errors_to_form(form: forms.Form, error: ValidationError, aliases: dict | None = None) -> None:
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _year(request) -> int:
    return years.page_year(request, queries_plans.default_year)


def _page(request, qs):
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=qs.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        return None, [], str(exc), 400
    return pager, list(qs[pager.offset: pager.offset + PAGE_SIZE]), "", 200


def _require_runs_plan(user) -> None:
    if not access.runs_plan(user):
        raise PermissionDenied(services.M_APPROVE)


# -- the year's plan -----------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ItemKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in Admission.values else ""
    window = request.GET.get("window", "").strip()
    try:
        windows.bounds(window)
    except ValueError:
        window = ""
    owner = None
    if code := request.GET.get("unit", "").strip():
        owner = Unit.objects.filter(code=code).filter(org_access.unit_q(request.user)).first() \
            if not access.sees_all_items(request.user) else Unit.objects.filter(code=code).first()
    qs = queries_plans.items_list(request.user, year=year, owner=owner, kind=kind, window=window, status=status)
    if request.GET.get("export") == "xlsx":
        return FileResponse(queries_plans.export_xlsx(qs, year=year), as_attachment=True,
                            filename=f"{year}年督查检查考核计划.xlsx")
    pager, rows, page_error, code_status = _page(request, qs.prefetch_related("target_units"))
    for row in rows:
        row.targets_words = queries_plans.targets_words(row)
    sees_all = access.sees_all_items(request.user)
    context = {
        "rows": rows, "pager": pager, "page_error": page_error, "year": year, "kind": kind, "status": status,
        "window": window, "owner": owner, "kinds": ItemKind.choices, "statuses": Admission.choices,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "windows": _windows(year), "totals": services.year_totals(year) if sees_all else None,
        "runs_plan": access.runs_plan(request.user), "sees_all": sees_all,
        "can_propose": access.proposing_unit(request.user) is not None,
        "explain_form": ExplanationForm(initial={"explanation": services.year_totals(year).explanation})
        if access.runs_plan(request.user) else None,
    }
    return render(request, "supervision/plan_list.html", context, status=code_status)


def _windows(year: int) -> list[tuple[str, str]]:
    found = [(f"{year}-Q{q}", windows.words(f"{year}-Q{q}")) for q in range(1, 5)]
    return found + [(f"{year}-{m:02d}", windows.words(f"{year}-{m:02d}")) for m in range(1, 13)]


class ExplanationForm(forms.Form):
    explanation = forms.CharField(label="超过上年总数的书面说明", max_length=services.MAX_EXPLANATION,
                                  widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


@login_required
@require_POST
def plan_explain(request, year: int):
    _require_runs_plan(request.user)
    try:
        services.plan_year_explain(actor=request.user, year=year, text=request.POST.get("explanation", ""),
                                   request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已记录{year}年超过上年总数的书面说明。")
    return redirect(f"{_plan_url()}?year={year}")


def _plan_url() -> str:
    from django.urls import reverse

    return reverse("supervision:plan_list")


# -- items ---------------------------------------------------------------------------------------


class ItemForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=ItemKind.choices)
    matter = forms.CharField(label="检查事项", max_length=50, help_text="如 安全生产、耕地保护；同一事项不要拆成几项。")
    basis = forms.CharField(label="依据", max_length=300, help_text="文件、规定或会议决定。")
    window = forms.CharField(label="时间窗口", max_length=8, help_text="月份如 2025-06，或季度如 2025-Q2。")
    method = forms.ChoiceField(label="方式", choices=Method.choices)
    target_kinds = forms.MultipleChoiceField(label="检查对象类型", choices=TARGET_KIND_CHOICES, required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="勾选即检查该类型的全部单位。")
    target_under = forms.ChoiceField(label="某乡镇（街道）的全部村（社区）", required=False)
    target_codes = forms.CharField(label="另加检查对象单位代码", required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="乡镇（街道）、村（社区）的单位代码，用逗号、空格或换行分隔。")
    materials = forms.CharField(label="要求基层提供的材料", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="留空即不要求基层提供材料（默认）。")
    in_plan = forms.BooleanField(label="列入年度计划", required=False, initial=True,
                                 help_text="不勾选即计划外事项，须写明事由，单独审批（一事一报）。")
    oneoff_reason = forms.CharField(label="计划外事由（一事一报）", required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        reach = org_access.placing_paths(actor)
        parents = [u for u in Unit.objects.filter(kind__in=(UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET),
                                                  is_active=True).order_by("path")
                   if any(u.path.startswith(p) for p in reach)]
        self.fields["target_under"].choices = [("", "—")] + [
            (u.code, "全县所有村（社区）" if u.kind == UnitKind.COUNTY else f"{u.name}的全部村（社区）") for u in parents]
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def item_data(self) -> services.ItemData:
        d = self.cleaned_data
        units = resolve_targets(actor=self.actor, codes=_codes(d.get("target_codes") or ""),
                                under=d.get("target_under") or "")
        return services.ItemData(
            title=d["title"], basis=d["basis"], kind=d["kind"], matter=d["matter"], window=d["window"],
            method=d["method"], materials=d.get("materials") or "", target_units=units,
            target_kinds=list(d.get("target_kinds") or []), in_plan=bool(d.get("in_plan")),
            oneoff_reason=d.get("oneoff_reason") or "")

    @staticmethod
    def initial_for(item: PlanItem) -> dict:
        return {"title": item.title, "kind": item.kind, "matter": item.matter, "basis": item.basis,
                "window": item.window, "method": item.method, "target_kinds": item.target_kinds,
                "target_codes": "\n".join(item.target_units.order_by("path").values_list("code", flat=True)),
                "materials": item.materials, "in_plan": item.in_plan, "oneoff_reason": item.oneoff_reason}


ITEM_ALIASES = {"target_units": "target_codes"}


def _save_item(request, form, item=None):
    try:
        data = form.item_data()
        if item is None:
            return services.item_create(actor=request.user, data=data, request=request)
        return services.item_update(actor=request.user, item=item, data=data, request=request)
    except ValidationError as error:
        _errors_to_form(form, error, ITEM_ALIASES)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    if access.proposing_unit(request.user) is None:
        raise PermissionDenied(services.M_PROPOSE)
    year = timezone.localdate().year
    form = ItemForm(request.POST or None, actor=request.user,
                    initial={"window": f"{year}-Q{(timezone.localdate().month - 1) // 3 + 1}", "in_plan": True,
                             "target_kinds": [UnitKind.TOWNSHIP]})
    if request.method == "POST" and form.is_valid() and (item := _save_item(request, form)):
        messages.success(request, f"已保存草稿“{item.title}”，提交审批后由督查室审批。")
        return redirect("supervision:item_detail", pk=item.pk)
    return render(request, "supervision/plan_item_form.html", {"form": form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = access.get_item_or_404(request.user, pk)
    if not access.can_edit_item(request.user, item):
        raise PermissionDenied(services.M_OWN if item.is_editable else services.M_EDITABLE)
    form = ItemForm(request.POST or None, actor=request.user, initial=ItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid() and _save_item(request, form, item):
        messages.success(request, "已保存修改。")
        return redirect("supervision:item_detail", pk=item.pk)
    return render(request, "supervision/plan_item_form.html", {"form": form, "item": item})


def _item_visits(user, item):
    from qingzhuang.supervision.models import Visit

    qs = Visit.objects.filter(items=item).select_related("unit", "lead").order_by("date", "unit__path")
    if access.sees_all_items(user) or item.owner_id == user.unit_id:
        return qs
    return qs.filter(org_access.unit_q(user, "unit"))


@login_required
@require_GET
def item_detail(request, pk: int):
    item = access.get_item_or_404(request.user, pk)
    proposals = item.merge_proposals.all() if access.sees_all_items(request.user) else []
    return render(request, "supervision/plan_item_detail.html", {
        "item": item, "targets": queries_plans.targets_words(item), "materials": queries_plans.materials_words(item),
        "window_words": windows.words(item.window), "visits": _item_visits(request.user, item),
        "can_edit": access.can_edit_item(request.user, item),
        "can_review": access.runs_plan(request.user) and item.admission == Admission.PENDING,
        "proposals": proposals,
        "over_refusal": services.over_refusal(item.year) if item.admission == Admission.PENDING else "",
    })


@login_required
@require_POST
def item_submit(request, pk: int):
    item = access.get_item_or_404(request.user, pk)
    try:
        services.item_submit(actor=request.user, item=item, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已提交督查室审批。")
    return redirect("supervision:item_detail", pk=item.pk)


@login_required
@require_POST
def item_review(request, pk: int):
    item = access.get_item_or_404(request.user, pk)
    _require_runs_plan(request.user)
    approve = request.POST.get("decision") == "approve"
    try:
        services.item_review(actor=request.user, item=item, approve=approve, note=request.POST.get("note", ""),
                             request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已批准“{item.title}”。" if approve else f"已驳回“{item.title}”。")
        if request.POST.get("next") == "queue":
            return redirect("supervision:review_queue")
    return redirect("supervision:item_detail", pk=item.pk)


@login_required
@require_GET
def review_queue(request):
    _require_runs_plan(request.user)
    rows = list(queries_plans.review_queue(request.user).prefetch_related("target_units")[:200])
    for row in rows:
        row.targets_words = queries_plans.targets_words(row)
    years = sorted({r.year for r in rows})
    return render(request, "supervision/plan_review.html", {
        "rows": rows, "totals": [services.year_totals(y) for y in years]})


# -- merges --------------------------------------------------------------------------------------


def _require_sees_merges(user) -> None:
    if not access.sees_all_items(user):
        raise PermissionDenied("只有督查室、领导和减负监测员可以查看合并检查建议")


@login_required
@require_GET
def merge_list(request):
    _require_sees_merges(request.user)
    year = _year(request)
    status = request.GET.get("status", "")
    status = status if status in MergeStatus.values else ""
    rows = list(queries_plans.merges_list(request.user, year=year, status=status))
    return render(request, "supervision/merge_list.html", {
        "rows": rows, "year": year, "status": status, "statuses": MergeStatus.choices,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "saved": queries_plans.visits_saved(year=year), "runs_plan": access.runs_plan(request.user)})


@login_required
@require_POST
def merge_find(request):
    _require_runs_plan(request.user)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = queries_plans.default_year()
    try:
        found = services.merges_find(year=year, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"找到 {len(found)} 条新的合并检查建议。" if found else "没有新的合并检查建议。")
    return redirect(f"{_merge_url()}?year={year}")


def _merge_url() -> str:
    from django.urls import reverse

    return reverse("supervision:merge_list")


class AcceptForm(forms.Form):
    lead = forms.ModelChoiceField(label="牵头部门", queryset=Unit.objects.none(), empty_label=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    team = forms.CharField(label="联合检查组", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}),
                           help_text="留空即“牵头部门＋牵头联合检查组”。")
    date = forms.DateField(label="检查日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        owners = {i.owner_id for i in proposal.items.all()}
        self.fields["lead"].queryset = Unit.objects.filter(pk__in=owners).order_by("path")
        self.fields["lead"].label_from_instance = lambda unit: unit.name


def _merge_context(request, proposal, accept_form=None):
    items = list(proposal.items.select_related("owner").order_by("window_start", "pk"))
    return {"proposal": proposal, "items": items, "units": list(proposal.units.order_by("path")),
            "accept_form": accept_form or AcceptForm(proposal=proposal, initial={"date": proposal.window_start}),
            "visits": proposal.visits.select_related("unit").order_by("unit__path"),
            "runs_plan": access.runs_plan(request.user)}


@login_required
@require_GET
def merge_detail(request, pk: int):
    _require_sees_merges(request.user)
    proposal = access.get_merge_or_404(request.user, pk)
    return render(request, "supervision/merge_detail.html", _merge_context(request, proposal))


@login_required
@require_POST
def merge_accept(request, pk: int):
    _require_runs_plan(request.user)
    proposal = access.get_merge_or_404(request.user, pk)
    form = AcceptForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            services.merge_accept(actor=request.user, proposal=proposal, lead=form.cleaned_data["lead"],
                                  date=form.cleaned_data["date"], team=form.cleaned_data["team"], request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"已合并：向 {proposal.units.count()} 个单位各签发一个检查码。")
            return redirect("supervision:merge_detail", pk=proposal.pk)
    return render(request, "supervision/merge_detail.html", _merge_context(request, proposal, form), status=400)


@login_required
@require_POST
def merge_reject(request, pk: int):
    _require_runs_plan(request.user)
    proposal = access.get_merge_or_404(request.user, pk)
    try:
        services.merge_reject(actor=request.user, proposal=proposal, reason=request.POST.get("note", ""),
                              request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已决定不合并。")
    return redirect("supervision:merge_detail", pk=proposal.pk)
