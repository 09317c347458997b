"""成绩单 pages: the runs (start, progress, publish), the diff of two runs, appeals (file, answer).

The office sees every run of every scheme; everyone else the published runs that concern them.
The table of a run and a unit's line are the run detail pages (``runs/<pk>/``, ``lines/<pk>/``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from qingzhuang.assessment import access, completeness
from qingzhuang.assessment.models import AppealStatus, Run, RunKind, Scheme
from qingzhuang.assessment.services import appeals as appeal_services
from qingzhuang.assessment.services import runs as run_services
from qingzhuang.jobs import lifecycle
from qingzhuang.lib import paging

PAGE_SIZE = 30


def run_path(pk: int) -> str:
    """The run detail page (built by path: the page belongs to the scorecard table)."""
    return f"/assessment/runs/{pk}/"


def line_path(pk: int) -> str:
    return f"/assessment/lines/{pk}/"


class StartForm(forms.Form):
    scheme = forms.ModelChoiceField(label="考核方案", queryset=Scheme.objects.none(), empty_label=None,
                                    widget=forms.Select(attrs={"class": "form-select"}),
                                    error_messages={"required": "请选择考核方案", "invalid_choice": "请选择考核方案"})
    kind = forms.ChoiceField(label="类别", choices=RunKind.choices, initial=RunKind.OFFICIAL,
                             widget=forms.Select(attrs={"class": "form-select"}),
                             error_messages={"invalid_choice": "类别应为正式计算或模拟测算"})
    note = forms.CharField(label="说明", required=False, max_length=run_services.NOTE_MAX,
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "例如：12月数据更正后重算"}),
                           error_messages={"max_length": f"说明不能超过{run_services.NOTE_MAX}字"})
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)
    adjust = forms.CharField(
        label="模拟测算的调整", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 2,
                                     "placeholder": "每行一项，例如：ZB0101 权重 12　或　ZB0101 target 90000"}),
        error_messages={"max_length": "调整内容不能超过2000字"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = access.visible_schemes(user).order_by("-year", "code")

    def clean_adjust(self) -> dict | None:
        return parse_adjustments(self.cleaned_data.get("adjust") or "")


def parse_adjustments(text: str) -> dict | None:
    """A what-if's changes typed one per line — ``ZB0101 权重 12`` or ``ZB0101 target 90000`` — as the
    run's overrides ``{"weights": {code: w}, "params": {code: {name: value}}}``; None when empty."""
    overrides: dict = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.replace("：", " ").replace(":", " ").replace("=", " ").split()
        if len(parts) != 3:
            raise forms.ValidationError(f"第{number}行应为“指标代码 权重 数值”或“指标代码 参数名 数值”：{line}")
        code, name, value = parts
        if name in ("权重", "weight"):
            overrides.setdefault("weights", {})[code] = value
        else:
            overrides.setdefault("params", {}).setdefault(code, {})[name] = value
    return overrides or None


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label="结论", choices=[(AppealStatus.UPHELD, "已采纳"), (AppealStatus.REJECTED, "不予采纳")],
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                               error_messages={"required": "请选择答复结论：已采纳或不予采纳",
                                               "invalid_choice": "请选择答复结论：已采纳或不予采纳"})
    answer = forms.CharField(label="答复", widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
                             error_messages={"required": "请填写答复内容"})


def _error(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _act(request, action, success, to: str = "assessment:run_list"):
    """Run one service call; its refusal (or ``success(result)``) as the message; back to ``to``."""
    try:
        result = action()
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, success(result))
    return redirect(to)


def _page(request, rows):
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=rows.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        return None, [], exc.message
    return pager, list(rows[pager.offset:pager.offset + PAGE_SIZE]), ""


# The newest schemes checked for values still missing on the run list.
GAP_SCHEMES = 5


@login_required
@require_GET
def run_list(request):
    user = request.user
    manage = access.can_manage(user)
    if manage:
        lifecycle.mark_if_stale(Run.objects.filter(status=Run.Status.RUNNING))
    runs = access.visible_runs(user).select_related("scheme", "created_by", "based_on").order_by(
        "-created_at", "-pk")
    pager, rows, page_error = _page(request, runs)
    own_lines = {}
    if not access.can_view_all(user):
        for line in access.visible_lines(user).filter(run__in=[r.pk for r in rows]).select_related("unit"):
            own_lines.setdefault(line.run_id, []).append(line)
    items = [{"run": r, "url": run_path(r.pk), "lines": [(line, line_path(line.pk)) for line in own_lines.get(r.pk, [])]}
             for r in rows]
    waiting = any(not r.is_finished for r in rows)
    # Scorecards come once the data is in: the office sees which schemes still miss values.
    gaps = []
    if manage:
        for scheme in access.visible_schemes(user).select_related("owner").order_by("-year", "code")[:GAP_SCHEMES]:
            missing = completeness.completeness(scheme).missing
            if missing:
                gaps.append((scheme, missing))
    context = {"items": items, "pager": pager, "page_error": page_error, "can_manage": manage, "gaps": gaps,
               "form": StartForm(user=user) if manage else None, "waiting": waiting}
    return render(request, "assessment/run_list.html", context, status=400 if page_error else 200)


@login_required
@require_POST
def run_start(request):
    access.require_manage(request.user)
    form = StartForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("assessment:run_list")
    based_on = None
    if form.cleaned_data.get("based_on"):
        based_on = access.get_run_or_404(request.user, form.cleaned_data["based_on"])
    return _act(request, lambda: run_services.run_start(
        actor=request.user, scheme=form.cleaned_data["scheme"], kind=form.cleaned_data["kind"],
        note=form.cleaned_data["note"], based_on=based_on, overrides=form.cleaned_data["adjust"], request=request),
        lambda run: f"已开始计算 {run.scheme.name} 第{run.number}批次")


@login_required
@require_POST
def run_publish(request, pk: int):
    access.require_manage(request.user)
    run = access.get_run_or_404(request.user, pk)
    return _act(request, lambda: run_services.run_publish(
        actor=request.user, run=run, appeal_days=request.POST.get("appeal_days", ""), request=request),
        lambda _: f"已发布第{run.number}批次，考核方案已锁定")


@login_required
@require_POST
def run_delete(request, pk: int):
    access.require_manage(request.user)
    run = access.get_run_or_404(request.user, pk)
    return _act(request, lambda: run_services.run_delete(actor=request.user, run=run, request=request),
                lambda _: f"已删除第{run.number}批次")


@login_required
@require_GET
def run_diff(request, pk: int):
    new = access.get_run_or_404(request.user, pk)
    against = request.GET.get("against") or new.based_on_id
    if not against:
        raise Http404(access.RUN_NOT_FOUND)
    old = access.get_run_or_404(request.user, against)
    if old.scheme_id != new.scheme_id:
        raise Http404(access.RUN_NOT_FOUND)
    rows = run_services.run_diff(old, new)
    if not access.can_view_all(request.user):
        units = set(access.visible_lines(request.user).filter(run__in=[old, new])
                    .values_list("unit__code", flat=True))
        rows = [r for r in rows if r["unit"] in units]
    for row in rows:
        row["old_url"] = line_path(row["old_line"]) if row["old_line"] else ""
        row["new_url"] = line_path(row["new_line"]) if row["new_line"] else ""
    return render(request, "assessment/run_diff.html", {
        "old": old, "new": new, "rows": rows, "old_url": run_path(old.pk), "new_url": run_path(new.pk)})


@login_required
@require_GET
def appeal_list(request):
    user = request.user
    appeals = access.visible_appeals(user).select_related("line", "line__unit", "line__run", "line__run__scheme",
                                                           "filed_by", "answered_by")
    status = request.GET.get("status", "")
    if status in AppealStatus.values:
        appeals = appeals.filter(status=status)
    pager, rows, page_error = _page(request, appeals.order_by("-filed_at", "-pk"))
    manage = access.can_manage(user)
    items = [{"appeal": a, "line_url": line_path(a.line_id),
              "form": AnswerForm(prefix=f"a{a.pk}") if manage and a.status == AppealStatus.OPEN else None}
             for a in rows]
    return render(request, "assessment/appeal_list.html", {
        "items": items, "pager": pager, "page_error": page_error, "can_manage": manage, "status": status,
        "statuses": AppealStatus.choices}, status=400 if page_error else 200)


@login_required
@require_POST
def appeal_answer(request, pk: int):
    access.require_manage(request.user)
    appeal = access.get_appeal_or_404(request.user, pk)
    form = AnswerForm(request.POST, prefix=f"a{appeal.pk}")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("assessment:appeal_list")
    return _act(request, lambda: appeal_services.appeal_answer(
        actor=request.user, appeal=appeal, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"],
        request=request), lambda _: "已答复申诉", to="assessment:appeal_list")


@login_required
@require_POST
def appeal_file(request, pk: int):
    line = access.get_line_or_404(request.user, pk)
    if not access.can_appeal(request.user, line):
        raise PermissionDenied(appeal_services.APPEAL_DENIED)
    try:
        appeal_services.appeal_file(actor=request.user, line=line,
                                    indicator_code=request.POST.get("indicator_code", ""),
                                    reason=request.POST.get("reason", ""), request=request)
    except ValidationError as exc:
        _error(request, exc)
        return redirect(request.POST.get("next") if _safe_next(request) else "assessment:appeal_list")
    messages.success(request, "已提交申诉，考核办答复后可在“成绩申诉”中查看")
    return redirect("assessment:appeal_list")


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                            require_https=request.is_secure())
