"""一事一码 pages. Thin: parse, call one ``access`` function and one service, render.

Signed in: the visits list (the 督查室's 待签发 queue with single and bulk issuing; xlsx), scheduling
a visit, a visit's page with its code, QR and result, the printable code sheet, the cap page with
every unit's counts, a unit's own calendar (本单位检查) with the unfiled-visit report, and the
evaluations' aggregates. Public (no sign-in, rate-limited, nothing but the typed code's answer):
the verification page, the page a QR code opens, and the anonymous evaluation.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.views_clues import qr_svg
from qingzhuang.lib import paging, tables
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import queries as org_queries
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.supervision import access, caps, codes, queries_visits, verify, windows, years
from qingzhuang.supervision.models import Evaluation, PlanItem, VisitStatus, WindowKind
from qingzhuang.supervision.services import visits as services

PAGE_SIZE = 30
RATED_COOKIE = "qz_sv_rated"
RATED_SALT = "qingzhuang.supervision.rated"


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    found = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"general": exc.messages}
    if "__all__" in found:
        found["general"] = found.pop("__all__")
    return found


def _year(request) -> int:
    """The ``year`` asked for, else this year, or the latest year with visits while this year has none."""
    return years.page_year(request, queries_visits.default_year)


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: "日期格式应为YYYY-MM-DD"}) from None


def _require_office(user) -> None:
    if not access.is_office(user):
        raise PermissionDenied("只有县督查室可以查看和办理")


def verify_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("supervision:verify_code", args=[code]))


def _xlsx(name: str, headers: list[str], rows) -> FileResponse:
    buffer = io.BytesIO()
    tables.write_xlsx(buffer, headers, rows, sheet_title=name)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{name}_{timezone.localdate():%Y%m%d}.xlsx")


# --- lists, scheduling, issuing ---------------------------------------------------------------

@login_required
@require_GET
def visit_list(request):
    user = request.user
    if not (access.sees_all_visits(user) or access.can_schedule(user) or access.is_grassroots_user(user)):
        raise PermissionDenied("没有查看督查检查的权限")
    status = request.GET.get("status", "")
    status = status if status in VisitStatus.values else ""
    unit = None
    if chosen := request.GET.get("unit", "").strip():
        unit = access.filter_unit(user, chosen)
        if unit is None:
            raise Http404(org_access.UNIT_NOT_FOUND)
    year = _year(request) if request.GET.get("year") else None
    rows = queries_visits.filter_visits(access.visible_visits(user), status=status, unit=unit, year=year)
    if request.GET.get("format") == "xlsx":
        return _xlsx("督查检查", ["检查日期", "被检查单位", "牵头部门", "检查组", "检查事项", "状态", "计数周期", "检查码"], (
            [v.date.isoformat(), v.unit.name, v.lead.name, v.team, "、".join(i.title for i in v.items.all()),
             v.get_status_display(), v.cap_period, codes.grouped(v.code) if v.code else ""]
            for v in rows.prefetch_related("items")))
    context = {"statuses": VisitStatus.choices, "status": status, "unit": unit, "year": year or "",
               "office": access.is_office(user), "can_schedule": access.can_schedule(user),
               "rows": [], "pager": None, "page_error": "",
               "waiting": access.visible_visits(user).filter(status=VisitStatus.SCHEDULED).count()}
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=rows.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"] = exc.message
        return render(request, "supervision/visits/list.html", context, status=400)
    context["pager"] = pager
    context["rows"] = list(rows.prefetch_related("items")[pager.offset:pager.offset + PAGE_SIZE])
    return render(request, "supervision/visits/list.html", context)


@login_required
@require_GET
def visit_units(request):
    """The unit picker's options: grassroots units a visit may go to, or (``for=department``)
    county departments, for the unfiled-visit report."""
    q = request.GET.get("q", "")[:100]
    if request.GET.get("for") == "department":
        units = Unit.objects.filter(is_active=True).exclude(kind__in=GRASSROOTS_KINDS).exclude(parent__isnull=True)
    else:
        units = access.visit_target_units(request.user)
    found = org_queries.pick_units(units, q, limit=org_queries.PICK_LIMIT + 1)
    return render(request, "orgs/_unit_options.html", {"units": found[:org_queries.PICK_LIMIT],
                                                       "more": len(found) > org_queries.PICK_LIMIT})


def _schedulable_items(user):
    items = PlanItem.objects.filter(admission=Admission.APPROVED, window_end__gte=timezone.localdate())
    if not access.is_office(user):
        items = items.filter(owner_id=user.unit_id)
    return items.select_related("owner").order_by("window_start", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request):
    """A department schedules a visit of one or more of its approved items (windows overlapping)."""
    user = request.user
    if not access.can_schedule(user):
        raise PermissionDenied("没有安排督查检查的权限")
    items = _schedulable_items(user)
    values = {"items": [], "unit": None, "date": "", "team": "", "beyond_reason": "", "reinspect_reason": ""}
    errors: dict = {}
    if request.method == "POST":
        chosen = [x for x in request.POST.getlist("items") if x.isdigit()]
        values.update({k: request.POST.get(k, "").strip()[:2000] for k in ("date", "team", "beyond_reason",
                                                                           "reinspect_reason")})
        values["items"] = [int(x) for x in chosen]
        try:
            picked = list(items.filter(pk__in=values["items"]))
            code = request.POST.get("unit", "").strip()
            values["unit"] = access.visit_target_units(user).filter(code=code).first()
            if values["unit"] is None:
                raise ValidationError({"unit": "请选择被检查的乡镇（街道）、村（社区）"})
            with transaction.atomic():
                visit = services.visit_create(
                    actor=user, items=picked, unit=values["unit"], date=_date(values["date"], "date"),
                    team=values["team"], beyond_reason=values["beyond_reason"],
                    reinspect_reason=values["reinspect_reason"], request=request)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已安排检查，等待督查室签发检查码")
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(request, "supervision/visits/new.html", {"items": items, "values": values, "errors": errors},
                  status=400 if errors else 200)


def _detail_context(request, visit, errors=None) -> dict:
    user = request.user
    today = timezone.localdate()
    result = getattr(visit, "result", None) if access.sees_result(user, visit) else None
    return {
        "visit": visit, "items": list(visit.items.order_by("window_start", "pk")), "result": result,
        "code": codes.grouped(visit.code) if visit.code else "",
        "qr": qr_svg(verify_url(request, visit.code), scale=5) if visit.code else "",
        "answer": verify.answer(visit, today) if visit.code else None,
        "can_issue": access.is_office(user) and visit.status == VisitStatus.SCHEDULED,
        "can_cancel": visit.status in (VisitStatus.SCHEDULED, VisitStatus.ISSUED) and visit.date >= today and (
            access.is_office(user) or (user.has_perm(access.SCHEDULE_PERMISSION) and user.unit_id == visit.lead_id)),
        "can_record": (access.can_record_result(user, visit) and visit.status == VisitStatus.ISSUED
                       and visit.date <= today and result is None),
        "errors": errors or {}, "values": request.POST,
    }


@login_required
@require_GET
def visit_detail(request, pk: int):
    visit = access.get_visit_or_404(request.user, pk)
    return render(request, "supervision/visits/detail.html", _detail_context(request, visit))


@login_required
@require_GET
def visit_print(request, pk: int):
    """The printable code sheet (A5/A4): unit, date, team, items, what may be asked, code, QR."""
    visit = access.get_visit_or_404(request.user, pk)
    if not visit.code:
        raise Http404("这次检查还没有检查码")
    context = _detail_context(request, visit)
    context["qr"] = qr_svg(verify_url(request, visit.code), scale=8)
    return render(request, "supervision/visits/print.html", context)


def _detail_error(request, visit, exc: ValidationError):
    return render(request, "supervision/visits/detail.html", _detail_context(request, visit, _errors(exc)), status=400)


@login_required
@require_POST
def visit_issue(request, pk: int):
    visit = access.get_visit_or_404(request.user, pk)
    _require_office(request.user)
    try:
        services.visit_issue(actor=request.user, visit=visit, request=request)
    except ValidationError as exc:
        return _detail_error(request, visit, exc)
    messages.success(request, "已签发检查码")
    return redirect("supervision:visit_detail", pk=visit.pk)


@login_required
@require_POST
def visit_issue_bulk(request):
    """Issue the chosen scheduled visits one by one; each refusal is shown with its message."""
    _require_office(request.user)
    ids = [int(x) for x in request.POST.getlist("visits") if x.isdigit()][:200]
    done, refused = 0, []
    for visit in access.visible_visits(request.user).filter(pk__in=ids, status=VisitStatus.SCHEDULED):
        try:
            services.visit_issue(actor=request.user, visit=visit, request=request)
            done += 1
        except ValidationError as exc:
            refused.append(f"{visit.unit.name} {visit.date:%Y-%m-%d}：{'；'.join(exc.messages)}")
    if done:
        messages.success(request, f"已签发 {done} 个检查码")
    for line in refused:
        messages.error(request, line)
    if not done and not refused:
        messages.warning(request, "请先勾选待签发的检查")
    return redirect(f"{reverse('supervision:visit_list')}?status=scheduled")


@login_required
@require_POST
def visit_cancel(request, pk: int):
    visit = access.get_visit_or_404(request.user, pk)
    try:
        with transaction.atomic():
            services.visit_cancel(actor=request.user, visit=visit, reason=request.POST.get("reason", ""),
                                  request=request)
    except ValidationError as exc:
        return _detail_error(request, visit, exc)
    messages.success(request, "已取消这次检查")
    return redirect("supervision:visit_detail", pk=visit.pk)


@login_required
@require_POST
def visit_result(request, pk: int):
    visit = access.get_visit_or_404(request.user, pk)
    try:
        with transaction.atomic():
            services.result_record(actor=request.user, visit=visit, findings=request.POST.get("findings", ""),
                                   conclusion=request.POST.get("conclusion", ""),
                                   score=request.POST.get("score", "").strip() or None, request=request)
    except ValidationError as exc:
        return _detail_error(request, visit, exc)
    messages.success(request, "已记录检查结果，各部门互认")
    return redirect("supervision:visit_detail", pk=visit.pk)


# --- caps and counts --------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def cap_page(request):
    """The 督查室 sets the year's cap and sees every grassroots unit's counts per period."""
    user = request.user
    _require_office(user)
    year = _year(request)
    errors: dict = {}
    if request.method == "POST":
        try:
            with transaction.atomic():
                services.cap_set(actor=user, year=request.POST.get("year", year), period=request.POST.get("period", ""),
                                 limit=request.POST.get("limit", ""), request=request)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已保存频次上限")
            return redirect(f"{reverse('supervision:cap_page')}?year={request.POST.get('year', year)}")
    unit = None
    units = access.unit_counts_scope(user)
    if chosen := request.GET.get("unit", "").strip():
        unit = units.filter(code=chosen).first() or Unit.objects.filter(code=chosen).first()
        if unit is None:
            raise Http404(org_access.UNIT_NOT_FOUND)
        units = units.filter(path__startswith=unit.path)
    sort = request.GET.get("sort", "name")
    rows = queries_visits.unit_rows(units, year, sort=sort)
    context = {"year": year, "cap": caps.cap_for(year), "periods": [windows.words(p) for p in queries_visits.periods_of(year)], "sort": sort, "unit": unit, "errors": errors,
        "period_choices": WindowKind.choices, "values": request.POST, "rows": [], "pager": None, "page_error": ""}
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=len(rows), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"] = exc.message
        return render(request, "supervision/visits/caps.html", context, status=400)
    context.update({"pager": pager, "rows": rows[pager.offset:pager.offset + PAGE_SIZE]})
    return render(request, "supervision/visits/caps.html", context, status=400 if errors else 200)


def _own_unit(user) -> Unit:
    if not access.is_grassroots_user(user):
        raise PermissionDenied("本单位检查只对乡镇（街道）、村（社区）的干部开放")
    return user.unit


@login_required
@require_GET
def unit_page(request):
    """本单位检查: the unit's visits by month, used against the cap per period, and the unfiled report.
    ``?unit=CODE``: the same calendar of another grassroots unit the user sees (the 督查室 opens it
    from the 检查频次 page), without the report form; a unit out of sight answers 404."""
    code = request.GET.get("unit", "").strip()
    if code:
        unit = access.get_calendar_unit_or_404(request.user, code)
        own = unit.pk == request.user.unit_id and access.is_grassroots_user(request.user)
        return render(request, "supervision/visits/unit.html", {**_unit_context(request, unit), "own": own})
    unit = _own_unit(request.user)
    return render(request, "supervision/visits/unit.html", {**_unit_context(request, unit), "own": True})


def _unit_context(request, unit, errors=None) -> dict:
    year = _year(request)
    return {"unit": unit, "year": year, "calendar": queries_visits.calendar(unit, year), "errors": errors or {},
            "values": request.POST, "today": timezone.localdate(), "department": None}


@login_required
@require_POST
def unit_unfiled(request):
    """检查组未出示检查码: the unit's cadre reports a visit that came without a code."""
    user = request.user
    if not user.has_perm(services.REPORT_UNFILED_PERMISSION):
        raise PermissionDenied(services.UNFILED_DENIED)
    unit = _own_unit(user)
    try:
        code = request.POST.get("department", "").strip()
        department = Unit.objects.filter(code=code, is_active=True).exclude(kind__in=GRASSROOTS_KINDS).first()
        with transaction.atomic():
            services.unfiled_report(actor=user, unit=unit, department=department,
                                    date=_date(request.POST.get("date", ""), "date"),
                                    matter=request.POST.get("matter", ""), note=request.POST.get("note", ""),
                                    request=request)
    except ValidationError as exc:
        return render(request, "supervision/visits/unit.html", {**_unit_context(request, unit, _errors(exc)), "own": True},
                      status=400)
    messages.success(request, "已登记未亮码检查，督查室将核查")
    return redirect("supervision:unit_page")


# --- evaluations --------------------------------------------------------------------------------

@login_required
@require_GET
def evaluation_page(request):
    """A department sees its own aggregate (only from 3 evaluations on); the 督查室 every department's."""
    user = request.user
    year = _year(request)
    if access.is_office(user):
        rows = queries_visits.department_rows(year)
        if request.GET.get("format") == "xlsx":
            return _xlsx("匿名评价汇总", ["牵头部门", "评价数（条）", "平均评分（星）", "未要求准备材料、未陪同迎检（%）"], (
                [r["department"].name, r["count"], r["average"] if r["shown"] else r["note"],
                 r["burden_free_percent"] if r["shown"] else ""] for r in rows))
        chart = {"option": queries_visits.department_chart(rows), "unit": ""}
        return render(request, "supervision/visits/evaluations.html", {
            "year": year, "office": True, "rows": rows, "chart": chart,
            "has_chart": any(r["shown"] for r in rows)})
    if not (user.unit_id and user.has_perm(access.SCHEDULE_PERMISSION)):
        raise PermissionDenied("只有督查室和开展检查的部门可以查看评价汇总")
    own = queries_visits.aggregate(Evaluation.objects.filter(visit__lead_id=user.unit_id, visit__date__year=year),
                                   with_comments=True)
    return render(request, "supervision/visits/evaluations.html", {"year": year, "office": False, "own": own})


# --- public: verification and evaluation ----------------------------------------------------

def _public(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" would make the form's Origin "null" (CSRF)
    response["X-Robots-Tag"] = "noindex"
    return response


def _rated(request) -> list[str]:
    try:
        return request.get_signed_cookie(RATED_COOKIE, salt=RATED_SALT, default="").split(",")
    except signing.BadSignature:
        return []


def _rating_key(code: str) -> str:
    return verify.caller_hash(code)[:12]


def _verify_context(request, code_text: str) -> dict:
    with transaction.atomic():
        result = verify.verify(code_text, channel="page", caller=request.META.get("REMOTE_ADDR", ""))
    context = {"result": result, "typed": "", "may_rate": False, "rated": False, "code_path": ""}
    if result["unit"] is not None:
        visit = verify.find(code_text)
        context["code_path"] = visit.code
        context["rated"] = _rating_key(visit.code) in _rated(request)
        context["may_rate"] = services.may_evaluate(visit) and not context["rated"]
    return context


@require_http_methods(["GET", "POST"])
def verify_form(request):
    """Type a code (or scan it: the QR opens ``verify_code``)."""
    if request.method == "GET":
        return _public(request, "supervision/verify.html", {"result": None, "typed": ""})
    if not verify.allow(request.META.get("REMOTE_ADDR", "")):
        return _public(request, "supervision/verify.html", {"result": None, "typed": "",
                                                             "error": verify.rate_message()}, status=429)
    code_text = request.POST.get("code", "")[:100]
    return _public(request, "supervision/verify.html", _verify_context(request, code_text))


@require_GET
def verify_code(request, code: str):
    if not verify.allow(request.META.get("REMOTE_ADDR", "")):
        return _public(request, "supervision/verify.html", {"result": None, "typed": "",
                                                             "error": verify.rate_message()}, status=429)
    return _public(request, "supervision/verify.html", _verify_context(request, code))


@require_POST
def evaluate(request, code: str):
    """The anonymous rating: no identity is kept; one per browser (signed cookie) and rate-limited."""
    if not verify.allow(request.META.get("REMOTE_ADDR", ""), kind="rate"):
        return _public(request, "supervision/verify.html", {"result": None, "typed": "",
                                                             "error": verify.rate_message()}, status=429)
    visit = verify.find(code)
    if visit is None or not visit.code:
        return _public(request, "supervision/verify.html", {"result": verify.unknown_answer(), "typed": ""},
                       status=404)
    key = _rating_key(visit.code)
    rated = _rated(request)
    if key in rated:
        context = _verify_context(request, code)
        context["rate_error"] = "本浏览器已评价过这次检查"
        return _public(request, "supervision/verify.html", context, status=400)
    try:
        with transaction.atomic():
            services.evaluation_submit(visit=visit, rating=request.POST.get("rating"),
                                       burden_free=request.POST.get("burden_free", ""),
                                       comment=request.POST.get("comment", "")[:2000])
    except ValidationError as exc:
        context = _verify_context(request, code)
        context.update({"rate_errors": _errors(exc), "values": request.POST})
        return _public(request, "supervision/verify.html", context, status=400)
    response = redirect("supervision:verify_code", code=visit.code)
    response.set_signed_cookie(RATED_COOKIE, ",".join([*rated[-50:], key]), salt=RATED_SALT,
                               max_age=400 * 24 * 3600, httponly=True, samesite="Lax",
                               secure=request.is_secure())
    messages.success(request, "感谢评价。评价匿名保存，检查部门看不到评价人")
    return response
