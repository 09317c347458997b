"""Pages of the registries: 会议登记, 工作群 and 政务应用. Thin: forms parse, one service call writes
(it checks permission and scope itself), ``access`` scopes what is shown, ``queries_registries``
reads the rules that depend on other rows or on the day."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden import access, queries
from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.imports_registries import SPECS
from qingzhuang.burden.models import (
    APP_FEATURES,
    AppStatus,
    AppUser,
    AttendLevel,
    Demand,
    GovApp,
    GroupPlatform,
    Meeting,
    MeetingKind,
    WorkGroup,
)
from qingzhuang.burden.registry_import import registry_import_upload, template
from qingzhuang.burden.services import registries as services
from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib import paging, tables
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Person, Unit, UnitKind

PAGE_SIZE = 30
ERRORS_SESSION_KEY = "qz_registry_import_errors"
MAX_SHOWN_ERRORS = 500
MAX_KEPT_ERRORS = 5_000
TITLES = {"meeting": "会议登记", "group": "工作群", "app": "政务应用"}
LIST_URLS = {"meeting": "burden:meeting_list", "group": "burden:group_list", "app": "burden:app_list"}
IMPORT_URLS = {"meeting": "burden:meeting_import", "group": "burden:group_import", "app": "burden:app_import"}
TEMPLATE_URLS = {"meeting": "burden:meeting_template", "group": "burden:group_template", "app": "burden:app_template"}


# ---------------------------------------------------------------------------------------------
# Shared


def _style(form: forms.Form) -> None:
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


# Service error keys shown on another field of the form.
FIELD_ALIASES = {"target_units": "target_codes"}


def _errors_to_form(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            name = FIELD_ALIASES.get(name, name)
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return queries.default_year()
    return year if queries.FIRST_YEAR <= year <= queries.LAST_YEAR else queries.default_year()


def _years():
    return range(queries.current_year(), queries.current_year() - 5, -1)


def _filter_unit(request) -> Unit | None:
    code = request.GET.get("unit", "").strip()
    if not code:
        return None
    return Unit.objects.filter(code=code).first()


def _paged(request, qs, context: dict) -> int:
    """Put one page of ``qs`` into ``context`` (``rows``, ``pager``); the status to answer."""
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=qs.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context.update(rows=[], pager=None, page_error=exc.message)
        return 400
    context.update(rows=list(qs[pager.offset: pager.offset + PAGE_SIZE]), pager=pager, page_error="")
    return 200


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _xlsx(name: str, headers: list[str], rows) -> FileResponse:
    buffer = io.BytesIO()
    tables.write_xlsx(buffer, headers, rows, sheet_title=name)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{name}_{timezone.localdate():%Y%m%d}.xlsx")


def _demands_of(entry) -> dict:
    rows = Demand.objects.filter(source_type=ContentType.objects.get_for_model(entry), source_id=entry.pk)
    return rows.aggregate(n=Count("id"), hours=Sum("hours"))


def _problems_text(problems) -> str:
    return "；".join(f"{name}（{figure}）" for _, name, figure in problems)


class TargetsForm(forms.Form):
    """Target grassroots units: all villages and communities under a unit, plus listed unit codes."""

    target_under = forms.ChoiceField(label="基层单位范围", required=False,
                                     help_text="选择乡镇（街道）即其下全部村（社区）；选择全县即全县所有村（社区）。")
    target_codes = forms.CharField(label="另加单位代码", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="乡镇（街道）、村（社区）或网格的单位代码，用逗号、空格或换行分隔。")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        parents = Unit.objects.filter(kind__in=(UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET),
                                      is_active=True).order_by("path")
        reach = access.org_access.placing_paths(actor)
        self.fields["target_under"].choices = [("", "—")] + [
            (u.code, "全县所有村（社区）" if u.kind == UnitKind.COUNTY else f"{u.name}的全部村（社区）")
            for u in parents if any(u.path.startswith(p) for p in reach)
        ]

    def clean_target_codes(self) -> list[str]:
        text = self.cleaned_data.get("target_codes", "")
        for mark in "、，,；;\n\r\t":
            text = text.replace(mark, " ")
        return [c for c in text.split(" ") if c]

    def target_units(self) -> list[Unit]:
        return resolve_targets(actor=self.actor, codes=self.cleaned_data.get("target_codes") or [],
                               under=self.cleaned_data.get("target_under") or "")

    @staticmethod
    def initial_targets(entry) -> dict:
        return {"target_codes": "\n".join(entry.targets.order_by("path").values_list("code", flat=True))}


def _unit_choices(user, kind: str, *, county_only: bool = False):
    units = access.registry_units(user, kind)
    if county_only:
        units = units.exclude(kind__in=GRASSROOTS_KINDS)
    return units.order_by("path")


def _save(request, form, build, save, success: str, detail: str):
    """Validate ``form``, build the service's data, call ``save(data)``; on success go to the detail page."""
    if not form.is_valid():
        return None
    try:
        data = build(form)
        entry = save(data)
    except ValidationError as error:
        _errors_to_form(form, error)
        return None
    messages.success(request, success)
    return redirect(detail, pk=entry.pk)


def _register_or_403(request, kind: str) -> None:
    if not access.may_register(request.user, kind):
        raise PermissionDenied(services.NO_PERMISSION[kind])


def _edit_or_403(request, kind: str, unit: Unit) -> None:
    if not access.may_register_for(request.user, kind, unit):
        raise PermissionDenied(services.OWN_UNIT_ONLY[kind])


# ---------------------------------------------------------------------------------------------
# Meetings


class MeetingForm(TargetsForm):
    organiser = forms.ModelChoiceField(label="召开单位", queryset=Unit.objects.none(), empty_label="—")
    system = forms.CharField(label="所属系统", max_length=50, required=False,
                             help_text="如组织、宣传、政法、农业农村、教育；不填为召开单位名称。")
    title = forms.CharField(label="会议名称", max_length=200)
    held_on = forms.DateField(label="会议日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    minutes = forms.IntegerField(label="会议时长（分钟）", min_value=1, max_value=services.MAX_MINUTES)
    report_minutes = forms.IntegerField(label="主报告时长（分钟）", min_value=0, max_value=services.MAX_MINUTES,
                                        required=False, initial=0)
    levels = forms.MultipleChoiceField(label="要求参会人员", choices=AttendLevel.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["organiser", "system", "title", "held_on", "kind", "minutes", "report_minutes", "levels",
                   "target_under", "target_codes", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = _unit_choices(self.actor, "meeting", county_only=True)
        self.order_fields(self.field_order)
        _style(self)

    def meeting_data(self) -> services.MeetingData:
        d = self.cleaned_data
        return services.MeetingData(organiser=d["organiser"], title=d["title"], held_on=d["held_on"],
                                    minutes=d["minutes"], kind=d["kind"], levels=d["levels"],
                                    report_minutes=d["report_minutes"] or 0, system=d["system"],
                                    targets=self.target_units(), note=d["note"])


def _meeting_initial(meeting: Meeting) -> dict:
    return {"organiser": meeting.organiser_id, "system": meeting.system, "title": meeting.title,
            "held_on": meeting.held_on, "kind": meeting.kind, "minutes": meeting.minutes,
            "report_minutes": meeting.report_minutes, "levels": meeting.levels, "note": meeting.note,
            **TargetsForm.initial_targets(meeting)}


def _meetings(request, year: int):
    qs = access.visible_registry(request.user, "meeting").filter(held_on__year=year)
    unit, kind = _filter_unit(request), request.GET.get("kind", "")
    if unit:
        qs = qs.filter(organiser=unit)
    if kind in MeetingKind.values:
        qs = qs.filter(kind=kind)
    if q := request.GET.get("q", "").strip()[:50]:
        qs = qs.filter(Q(title__icontains=q) | Q(system__icontains=q))
    if request.GET.get("flagged") == "1":
        qs = qs.filter(rq.flagged_meetings_q(year=year))
    return qs.annotate(n_targets=Count("targets")).order_by("-held_on", "-id"), unit, kind


@login_required
@require_GET
def meeting_list(request):
    year = _year(request)
    qs, unit, kind = _meetings(request, year)
    order = rq.comprehensive_order(year=year)
    if request.GET.get("format") == "xlsx":
        return _xlsx("会议登记", ["会议日期", "召开单位", "所属系统", "会议名称", "会议类型", "会议时长（分钟）",
                              "主报告时长（分钟）", "要求参会人员", "参会基层单位数", "问题"],
                     ([m.held_on, m.organiser.name, m.system, m.title, m.get_kind_display(), m.minutes,
                       m.report_minutes, "、".join(rq.level_names(m.levels)), m.n_targets,
                       _problems_text(rq.meeting_problems(m, order))] for m in qs.iterator()))
    context = {"year": year, "years": _years(), "unit": unit, "kind": kind, "kinds": MeetingKind.choices,
               "q": request.GET.get("q", "").strip()[:50], "flagged": request.GET.get("flagged") == "1",
               "may_register": access.may_register(request.user, "meeting")}
    status = _paged(request, qs, context)
    for row in context["rows"]:
        row.problems = rq.meeting_problems(row, order)
    if _is_htmx(request):
        return render(request, "burden/registries/_meeting_rows.html", context, status=status)
    scoped = access.visible_registry(request.user, "meeting")
    context.update(
        n_year=scoped.filter(held_on__year=year).count(), n_last=scoped.filter(held_on__year=year - 1).count(),
        n_flagged=scoped.filter(held_on__year=year).filter(rq.flagged_meetings_q(year=year)).count(),
        chart=rq.meeting_chart(year=year, meetings=scoped))
    context["chart_spec"] = {"option": context["chart"].option, "unit": context["chart"].unit}
    return render(request, "burden/registries/meeting_list.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = access.get_registry_or_404(request.user, "meeting", pk)
    order = rq.comprehensive_order(ids=[meeting.pk])
    return render(request, "burden/registries/meeting_detail.html", {
        "meeting": meeting, "problems": rq.meeting_problems(meeting, order),
        "first": Meeting.objects.filter(pk=order[meeting.pk][1]).first() if meeting.pk in order else None,
        "levels": rq.level_names(meeting.levels), "targets": meeting.targets.order_by("path"),
        "demands": _demands_of(meeting), "hours": services.meeting_hours(minutes=meeting.minutes, levels=meeting.levels),
        "may_edit": access.may_register_for(request.user, "meeting", meeting.organiser)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    _register_or_403(request, "meeting")
    form = MeetingForm(request.POST or None, actor=request.user,
                       initial={"organiser": request.user.unit_id, "report_minutes": 0})
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.meeting_data(), lambda d: services.meeting_create(actor=request.user, data=d, request=request),
            "已登记会议。", "burden:meeting_detail")):
        return done
    return render(request, "burden/registries/form.html", {"form": form, "kind": "meeting", "title": "登记会议",
                                                            "back": "burden:meeting_list"},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = access.get_registry_or_404(request.user, "meeting", pk)
    _edit_or_403(request, "meeting", meeting.organiser)
    form = MeetingForm(request.POST or None, actor=request.user, initial=_meeting_initial(meeting))
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.meeting_data(),
            lambda d: services.meeting_update(actor=request.user, meeting=meeting, data=d, request=request),
            "已更正会议。", "burden:meeting_detail")):
        return done
    return render(request, "burden/registries/form.html", {"form": form, "kind": "meeting", "title": "更正会议",
                                                            "entry": meeting, "back": "burden:meeting_list"},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Work groups


class GroupForm(TargetsForm):
    name = forms.CharField(label="群名称", max_length=100)
    owner_unit = forms.CharField(label="建群单位", widget=forms.HiddenInput)
    owner_name = forms.CharField(label="群主姓名", max_length=50, required=False,
                                 help_text="建群单位（含下属单位）在岗干部的姓名；不填即登记为无群主。")
    platform = forms.ChoiceField(label="平台", choices=GroupPlatform.choices)
    purpose = forms.CharField(label="建群事由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    member_count = forms.IntegerField(label="群成员数", min_value=0, max_value=services.MAX_MEMBERS, initial=0)
    created_on = forms.DateField(label="建群日期", widget=forms.DateInput(attrs={"type": "date"}))
    task_ends_on = forms.DateField(label="任务结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["name", "owner_unit", "owner_name", "platform", "purpose", "member_count", "created_on",
                   "task_ends_on", "target_under", "target_codes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _style(self)

    def clean_owner_unit(self) -> Unit:
        code = self.cleaned_data["owner_unit"].strip()
        unit = access.org_access.visible_units(self.actor).filter(code=code, is_active=True).first()
        if unit is None:
            raise ValidationError("请选择建群单位")
        return unit

    def clean(self):
        data = super().clean()
        unit, name = data.get("owner_unit"), (data.get("owner_name") or "").strip()
        data["owner"] = None
        if unit is not None and name:
            people = list(Person.objects.filter(name=name, is_active=True, unit__path__startswith=unit.path)[:2])
            if not people:
                self.add_error("owner_name", f"{unit.name}（含下属单位）没有叫“{name}”的在岗干部")
            elif len(people) > 1:
                self.add_error("owner_name", f"{unit.name}（含下属单位）有多位干部叫“{name}”，请联系系统管理员区分")
            else:
                data["owner"] = people[0]
        return data

    def group_data(self) -> services.GroupData:
        d = self.cleaned_data
        return services.GroupData(name=d["name"], owner_unit=d["owner_unit"], platform=d["platform"],
                                  created_on=d["created_on"], owner=d["owner"], purpose=d["purpose"],
                                  member_count=d["member_count"], task_ends_on=d["task_ends_on"],
                                  targets=self.target_units())


def _group_initial(group: WorkGroup) -> dict:
    return {"name": group.name, "owner_unit": group.owner_unit.code, "owner_name": group.owner.name if group.owner else "",
            "platform": group.platform, "purpose": group.purpose, "member_count": group.member_count,
            "created_on": group.created_on, "task_ends_on": group.task_ends_on, **TargetsForm.initial_targets(group)}


GROUP_STATES = (("open", "未解散"), ("closed", "已解散"))


def _groups(request, year: int):
    qs = access.visible_registry(request.user, "group").filter(pk__in=rq.groups_open_in(year).values("pk"))
    unit, platform, state = _filter_unit(request), request.GET.get("platform", ""), request.GET.get("state", "")
    if unit:
        qs = qs.filter(owner_unit=unit)
    if platform in GroupPlatform.values:
        qs = qs.filter(platform=platform)
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if q := request.GET.get("q", "").strip()[:50]:
        qs = qs.filter(name__icontains=q)
    if request.GET.get("flagged") == "1":
        qs = qs.filter(rq.flagged_groups_q())
    return qs.select_related("owner").annotate(n_targets=Count("targets")).order_by("-created_on", "-id"), unit


@login_required
@require_GET
def group_list(request):
    year = _year(request)
    qs, unit = _groups(request, year)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return _xlsx("工作群", ["群名称", "建群单位", "群主", "平台", "建群事由", "群成员数", "入群基层单位数", "建群日期",
                              "任务结束日期", "解散日期", "解散原因", "问题"],
                     ([g.name, g.owner_unit.name, g.owner.name if g.owner else "", g.get_platform_display(),
                       g.purpose, g.member_count, g.n_targets, g.created_on, g.task_ends_on, g.closed_on,
                       g.close_reason, _problems_text(rq.group_problems(g, today))] for g in qs.iterator()))
    context = {"year": year, "years": _years(), "unit": unit, "platforms": GroupPlatform.choices,
               "platform": request.GET.get("platform", ""), "states": GROUP_STATES,
               "state": request.GET.get("state", ""), "q": request.GET.get("q", "").strip()[:50],
               "flagged": request.GET.get("flagged") == "1", "today": today,
               "may_register": access.may_register(request.user, "group")}
    status = _paged(request, qs, context)
    for row in context["rows"]:
        row.problems = rq.group_problems(row, today)
        row.may_close = not row.is_closed and access.may_register_for(request.user, "group", row.owner_unit)
    context["may_close"] = any(row.may_close for row in context["rows"])
    if _is_htmx(request):
        return render(request, "burden/registries/_group_rows.html", context, status=status)
    scoped = access.visible_registry(request.user, "group")
    context["summary"] = rq.group_summary(scoped, year=year)
    context["n_flagged"] = scoped.filter(rq.flagged_groups_q(), closed_on__isnull=True).count()
    return render(request, "burden/registries/group_list.html", context, status=status)


@login_required
@require_GET
def group_detail(request, pk: int):
    group = access.get_registry_or_404(request.user, "group", pk)
    may_edit = access.may_register_for(request.user, "group", group.owner_unit)
    return render(request, "burden/registries/group_detail.html", {
        "group": group, "problems": rq.group_problems(group), "targets": group.targets.order_by("path"),
        "demands": _demands_of(group), "may_edit": may_edit and not group.is_closed,
        "today": timezone.localdate().isoformat()})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    _register_or_403(request, "group")
    unit = request.user.unit if request.user.unit_id else None
    form = GroupForm(request.POST or None, actor=request.user, initial={"owner_unit": unit.code if unit else ""})
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.group_data(),
            lambda d: services.group_create(actor=request.user, data=d, request=request),
            "已登记工作群。", "burden:group_detail")):
        return done
    picked = form.cleaned_data.get("owner_unit") if form.is_bound and hasattr(form, "cleaned_data") else unit
    return render(request, "burden/registries/form.html", {
        "form": form, "kind": "group", "title": "登记工作群", "back": "burden:group_list",
        "picker_unit": picked if isinstance(picked, Unit) else unit}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    group = access.get_registry_or_404(request.user, "group", pk)
    _edit_or_403(request, "group", group.owner_unit)
    if group.is_closed:
        messages.error(request, services.CLOSED_MESSAGE)
        return redirect("burden:group_detail", pk=group.pk)
    form = GroupForm(request.POST or None, actor=request.user, initial=_group_initial(group))
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.group_data(),
            lambda d: services.group_update(actor=request.user, group=group, data=d, request=request),
            "已更正工作群。", "burden:group_detail")):
        return done
    picked = form.cleaned_data.get("owner_unit") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "burden/registries/form.html", {
        "form": form, "kind": "group", "title": "更正工作群", "entry": group, "back": "burden:group_list",
        "picker_unit": picked if isinstance(picked, Unit) else group.owner_unit}, status=400 if form.errors else 200)


def _close_date(request) -> dt.date | None:
    text = request.POST.get("closed_on", "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"closed_on": "解散日期格式应为 YYYY-MM-DD"}) from None


@login_required
@require_POST
def group_close(request, pk: int):
    group = access.get_registry_or_404(request.user, "group", pk)
    try:
        services.group_close(actor=request.user, group=group, reason=request.POST.get("reason", ""),
                             closed_on=_close_date(request), request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已解散“{group.name}”。")
    return redirect("burden:group_detail", pk=group.pk)


@login_required
@require_POST
def group_close_many(request):
    """Dissolve the groups ticked on the list, all or none."""
    _register_or_403(request, "group")
    ids = [i for i in request.POST.getlist("group") if i.isascii() and i.isdigit() and len(i) < 19]
    visible = list(access.visible_registry(request.user, "group").filter(pk__in=ids))
    back = request.POST.get("next", "")
    back = back if back.startswith("/burden/groups/") else None
    if len(visible) != len(set(ids)):
        raise Http404(access.REGISTRY_NOT_FOUND["group"])
    try:
        closed = services.group_close_many(actor=request.user, groups=visible, reason=request.POST.get("reason", ""),
                                           closed_on=_close_date(request), request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已解散 {len(closed)} 个工作群。")
    return redirect(back or "burden:group_list")


# ---------------------------------------------------------------------------------------------
# Apps


class AppForm(TargetsForm):
    name = forms.CharField(label="应用名称", max_length=100)
    owner_unit = forms.CharField(label="主管单位", widget=forms.HiddenInput)
    users = forms.MultipleChoiceField(label="使用对象", choices=AppUser.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    forced_check_in = forms.BooleanField(label="强制打卡", required=False)
    rankings = forms.BooleanField(label="排名通报", required=False)
    online_time = forms.BooleanField(label="在线时长考核", required=False)
    forced_photos = forms.BooleanField(label="强制拍照上传", required=False)
    description = forms.CharField(label="功能说明", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    registered_on = forms.DateField(label="登记日期", widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label="状态", choices=AppStatus.choices, initial=AppStatus.IN_USE)
    rectification = forms.CharField(label="整改情况", max_length=500, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    rectified_on = forms.DateField(label="整改（停用）日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["name", "owner_unit", "users", "forced_check_in", "rankings", "online_time", "forced_photos",
                   "description", "registered_on", "target_under", "target_codes", "status", "rectification",
                   "rectified_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _style(self)

    clean_owner_unit = GroupForm.clean_owner_unit

    def app_data(self) -> services.AppData:
        d = self.cleaned_data
        return services.AppData(
            name=d["name"], owner_unit=d["owner_unit"], registered_on=d["registered_on"], users=d["users"],
            forced_check_in=d["forced_check_in"], rankings=d["rankings"], online_time=d["online_time"],
            forced_photos=d["forced_photos"], description=d["description"], targets=self.target_units(),
            status=d["status"], rectification=d["rectification"], rectified_on=d["rectified_on"])


def _app_initial(app: GovApp) -> dict:
    return {"name": app.name, "owner_unit": app.owner_unit.code, "users": app.users,
            **{name: getattr(app, name) for name, _, _ in APP_FEATURES}, "description": app.description,
            "registered_on": app.registered_on, "status": app.status, "rectification": app.rectification,
            "rectified_on": app.rectified_on, **TargetsForm.initial_targets(app)}


@login_required
@require_GET
def app_list(request):
    qs = access.visible_registry(request.user, "app")
    year_text = request.GET.get("year", "")
    year = _year(request) if year_text else None
    if year:
        qs = qs.filter(pk__in=rq.apps_in_use_during(year).values("pk"))
    unit, status = _filter_unit(request), request.GET.get("status", "")
    if unit:
        qs = qs.filter(owner_unit=unit)
    if status in AppStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("flagged") == "1":
        qs = qs.filter(flagged=True)
    qs = qs.annotate(n_targets=Count("targets")).order_by("-registered_on", "-id")
    if request.GET.get("format") == "xlsx":
        labels = dict(AppUser.choices)
        return _xlsx("政务应用", ["应用名称", "主管单位", "使用对象", "强制打卡", "排名通报", "在线时长考核", "强制拍照上传",
                              "登记日期", "状态", "整改情况", "整改日期", "使用的基层单位数", "问题"],
                     ([a.name, a.owner_unit.name, "、".join(labels.get(u, u) for u in a.users),
                       *("是" if getattr(a, name) else "否" for name, _, _ in APP_FEATURES), a.registered_on,
                       a.get_status_display(), a.rectification, a.rectified_on, a.n_targets,
                       _problems_text(rq.app_problems(a))] for a in qs.iterator()))
    context = {"year": year, "years": _years(), "unit": unit, "status": status, "statuses": AppStatus.choices,
               "flagged": request.GET.get("flagged") == "1", "may_register": access.may_register(request.user, "app")}
    code = _paged(request, qs, context)
    for row in context["rows"]:
        row.problems = rq.app_problems(row)
    if _is_htmx(request):
        return render(request, "burden/registries/_app_rows.html", context, status=code)
    scoped = access.visible_registry(request.user, "app")
    context["counts"] = scoped.order_by().aggregate(
        total=Count("id"), flagged=Count("id", filter=Q(flagged=True)),
        rectified=Count("id", filter=Q(status=AppStatus.RECTIFIED)),
        stopped=Count("id", filter=Q(status=AppStatus.STOPPED)))
    return render(request, "burden/registries/app_list.html", context, status=code)


@login_required
@require_GET
def app_detail(request, pk: int):
    app = access.get_registry_or_404(request.user, "app", pk)
    labels = dict(AppUser.choices)
    return render(request, "burden/registries/app_detail.html", {
        "app": app, "problems": rq.app_problems(app), "users": [labels.get(u, u) for u in app.users],
        "features": [(label, getattr(app, name)) for name, _, label in APP_FEATURES],
        "targets": app.targets.order_by("path"), "demands": _demands_of(app),
        "may_edit": access.may_register_for(request.user, "app", app.owner_unit)})


@login_required
@require_http_methods(["GET", "POST"])
def app_create(request):
    _register_or_403(request, "app")
    unit = request.user.unit if request.user.unit_id else None
    form = AppForm(request.POST or None, actor=request.user, initial={"owner_unit": unit.code if unit else ""})
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.app_data(),
            lambda d: services.app_create(actor=request.user, data=d, request=request),
            "已登记政务应用。", "burden:app_detail")):
        return done
    picked = form.cleaned_data.get("owner_unit") if form.is_bound and hasattr(form, "cleaned_data") else unit
    return render(request, "burden/registries/form.html", {
        "form": form, "kind": "app", "title": "登记政务应用", "back": "burden:app_list",
        "picker_unit": picked if isinstance(picked, Unit) else unit}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def app_edit(request, pk: int):
    app = access.get_registry_or_404(request.user, "app", pk)
    _edit_or_403(request, "app", app.owner_unit)
    form = AppForm(request.POST or None, actor=request.user, initial=_app_initial(app))
    if request.method == "POST" and (done := _save(
            request, form, lambda f: f.app_data(),
            lambda d: services.app_update(actor=request.user, app=app, data=d, request=request),
            "已更正政务应用。", "burden:app_detail")):
        return done
    picked = form.cleaned_data.get("owner_unit") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "burden/registries/form.html", {
        "form": form, "kind": "app", "title": "更正政务应用", "entry": app, "back": "burden:app_list",
        "picker_unit": picked if isinstance(picked, Unit) else app.owner_unit}, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Imports


class ImportForm(forms.Form):
    file = forms.FileField(
        label="文件", validators=[FileExtensionValidator(["xlsx", "xls", "csv"], message="请上传 xlsx、xls 或 csv 文件")],
        error_messages={"required": "请选择要导入的文件"})


def _import_page(request, kind: str):
    _register_or_403(request, kind)
    spec = SPECS[kind]
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = registry_import_upload(spec, actor=request.user, upload=form.cleaned_data["file"],
                                        dry_run=request.POST.get("action") != "import", request=request)
        request.session[ERRORS_SESSION_KEY] = {"kind": kind,
                                               "errors": [p.to_dict() for p in result.errors[:MAX_KEPT_ERRORS]]}
    context = {"form": form, "result": result, "kind": kind, "spec": spec, "title": TITLES[kind],
               "list_url": LIST_URLS[kind], "template_url": TEMPLATE_URLS[kind],
               "columns": [(name, spec.notes.get(name, "")) for name in spec.columns],
               "shown_errors": result.errors[:MAX_SHOWN_ERRORS] if result else []}
    name = "burden/registries/_import_result.html" if request.headers.get("HX-Request") else "burden/registries/import.html"
    return render(request, name, context, status=400 if result and not result.ok else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_import(request):
    return _import_page(request, "meeting")


@login_required
@require_http_methods(["GET", "POST"])
def group_import(request):
    return _import_page(request, "group")


@login_required
@require_http_methods(["GET", "POST"])
def app_import(request):
    return _import_page(request, "app")


def _template(request, kind: str):
    _register_or_403(request, kind)
    return FileResponse(template(SPECS[kind]), as_attachment=True, filename=f"{SPECS[kind].label}_模板.xlsx")


@login_required
@require_GET
def meeting_template(request):
    return _template(request, "meeting")


@login_required
@require_GET
def group_template(request):
    return _template(request, "group")


@login_required
@require_GET
def app_template(request):
    return _template(request, "app")


@login_required
@require_GET
def registry_import_errors(request):
    """The problems of the last registry import on this session, as xlsx."""
    kept = request.session.get(ERRORS_SESSION_KEY)
    if not kept or kept.get("kind") not in SPECS:
        raise Http404("没有可下载的问题清单")
    _register_or_403(request, kept["kind"])
    return FileResponse(tables.problems_xlsx(kept["errors"]), as_attachment=True,
                        filename=f"{SPECS[kept['kind']].label}_问题清单.xlsx")
