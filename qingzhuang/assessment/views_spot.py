"""期末考试 (spot checks) and 数据完整度 pages: the assessment office's only.

Every page answers 404 to anyone else (a township never learns that a record exists).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.assessment import access, completeness
from qingzhuang.assessment.models import Paper, Scheme
from qingzhuang.assessment.services import reminders, spotchecks
from qingzhuang.lib import paging, periods
from qingzhuang.orgs import queries as org_queries
from qingzhuang.orgs.models import Unit

PAGE_SIZE = 30


def office_only(view):
    """Signed in and the assessment office, else 404 (forbidden and missing answer the same)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_manage(request.user):
            raise Http404(access.SPOTCHECK_NOT_FOUND)
        return view(request, *args, **kwargs)

    return wrapped


def _scheme_from(request, *, param: str = "scheme", default_open: bool = True) -> Scheme | None:
    code = (request.POST.get(param) or request.GET.get(param) or "").strip()
    if code:
        return access.get_scheme_or_404(request.user, code=code)
    schemes = access.visible_schemes(request.user)
    if default_open:
        return schemes.filter(locked_at__isnull=True).first() or schemes.first()
    return None


def _unit_from(request, scheme: Scheme | None = None) -> Unit | None:
    code = (request.POST.get("unit") or request.GET.get("unit") or "").strip()
    if not code:
        return None
    units = Unit.objects.all()
    if scheme is not None:
        units = units.filter(kind__in=list(scheme.target_kinds or []))
    unit = units.filter(code=code).first()
    if unit is None:
        raise Http404("未找到该单位")
    return unit


# ---------------------------------------------------------------------------------------------
# 期末考试


@office_only
@require_GET
def spotcheck_list(request):
    schemes = list(access.visible_schemes(request.user))
    code = request.GET.get("scheme", "").strip()
    scheme = access.get_scheme_or_404(request.user, code=code) if code else None
    paper = request.GET.get("paper", "")
    paper = paper if paper in Paper.values else ""
    unit = _unit_from(request)
    checks = access.visible_spot_checks(request.user).select_related("scheme", "unit", "assessor")
    if scheme:
        checks = checks.filter(scheme=scheme)
    if paper:
        checks = checks.filter(paper=paper)
    if unit:
        checks = checks.filter(unit=unit)
    context = {"schemes": schemes, "scheme": scheme, "paper": paper, "unit": unit, "papers": Paper.choices,
               "rows": [], "pager": None, "page_error": ""}
    status = 200
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=checks.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"], status = exc.message, 400
    else:
        context["pager"] = pager
        rows = list(checks[pager.offset: pager.offset + PAGE_SIZE])
        for row in rows:
            row.score = spotchecks.exam_score(row.scheme, row.grades)
        context["rows"] = rows
    context["per_unit"] = (checks.order_by().values("unit__code", "unit__name")
                           .annotate(livelihood=Count("id", filter=Q(paper=Paper.LIVELIHOOD)),
                                     enterprise=Count("id", filter=Q(paper=Paper.ENTERPRISE)))
                           .order_by("unit__code"))
    return render(request, "assessment/spotcheck_list.html", context, status=status)


@office_only
@require_GET
def spotcheck_units(request):
    """The unit picker's options: active units of the target kinds of the scheme named (or of any scheme)."""
    code = request.GET.get("scheme", "").strip()
    if code:
        kinds = list(access.get_scheme_or_404(request.user, code=code).target_kinds or [])
    else:
        kinds = sorted({k for s in access.visible_schemes(request.user) for k in (s.target_kinds or [])})
    units = org_queries.pick_units(Unit.objects.filter(is_active=True, kind__in=kinds),
                                   request.GET.get("q", "")[:100], limit=org_queries.PICK_LIMIT + 1)
    return render(request, "orgs/_unit_options.html", {
        "units": units[: org_queries.PICK_LIMIT], "more": len(units) > org_queries.PICK_LIMIT})


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


@office_only
@require_http_methods(["GET", "POST"])
def spotcheck_add(request):
    scheme = _scheme_from(request)
    if scheme is None:
        return render(request, "assessment/spotcheck_form.html", {"scheme": None, "schemes": []})
    criteria = list((scheme.exam_criteria or {}).keys())
    values = {"checked_on": "", "scene": "", "paper": "", "notes": "", "grades": {}}
    errors: dict[str, list[str]] = {}
    unit = None
    if request.method == "POST":
        values = {"checked_on": request.POST.get("checked_on", ""), "scene": request.POST.get("scene", ""),
                  "paper": request.POST.get("paper", ""), "notes": request.POST.get("notes", ""),
                  "grades": {c: request.POST.get(f"grade-{i}", "") for i, c in enumerate(criteria)}}
        unit = _unit_from(request, scheme)
        checked_on = _parse_date(values["checked_on"])
        try:
            if values["checked_on"].strip() and checked_on is None:
                raise ValidationError({"checked_on": ["检查日期格式应为YYYY-MM-DD"]})
            check = spotchecks.spotcheck_add(
                actor=request.user, scheme=scheme, unit=unit, checked_on=checked_on, scene=values["scene"],
                paper=values["paper"], grades={c: g for c, g in values["grades"].items() if g},
                notes=values["notes"], photos=request.FILES.getlist("photos"), request=request)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, f"已保存{check.unit.name}的关键事项记录（{check.get_paper_display()}）。")
            return redirect("assessment:spotcheck_detail", pk=check.pk)
    grade_names = list((scheme.exam_grades or {}).keys())
    rows = [{"index": i, "name": c, "weight": scheme.exam_criteria[c], "chosen": values["grades"].get(c, "")}
            for i, c in enumerate(criteria)]
    return render(request, "assessment/spotcheck_form.html", {
        "scheme": scheme, "schemes": access.visible_schemes(request.user).filter(locked_at__isnull=True),
        "unit": unit, "values": values, "errors": errors, "criteria": rows, "grade_names": grade_names,
        "papers": Paper.choices, "today": timezone.localdate().isoformat(),
        "max_photos": spotchecks.MAX_PHOTOS}, status=400 if errors else 200)


@office_only
@require_GET
def spotcheck_detail(request, pk: int):
    check = access.get_spot_check_or_404(request.user, pk)
    grades = check.scheme.exam_grades or {}
    rows = [{"name": c, "weight": w, "grade": check.grades.get(c, ""), "value": grades.get(check.grades.get(c, ""))}
            for c, w in (check.scheme.exam_criteria or {}).items()]
    return render(request, "assessment/spotcheck_detail.html", {
        "check": check, "rows": rows, "score": spotchecks.exam_score(check.scheme, check.grades),
        "photos": list(check.photos.all())})


@office_only
@require_POST
def spotcheck_delete(request, pk: int):
    check = access.get_spot_check_or_404(request.user, pk)
    try:
        spotchecks.spotcheck_delete(actor=request.user, spot_check=check, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessment:spotcheck_detail", pk=pk)
    messages.success(request, "已删除该关键事项记录。")
    return redirect("assessment:spotcheck_list")


@office_only
@require_GET
def spotcheck_photo(request, pk: int, photo: int):
    check = access.get_spot_check_or_404(request.user, pk)
    found = check.photos.filter(pk=photo).first()
    if found is None:
        raise Http404("未找到该照片")
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("未找到该照片") from None
    kind = spotchecks.photo_kind(handle.read(16)) or ""
    handle.seek(0)
    content_type = spotchecks.PHOTO_TYPES.get(kind) or mimetypes.guess_type(found.image.name)[0]
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------
# 数据完整度


@office_only
@require_GET
def completeness_page(request):
    scheme = _scheme_from(request)
    table = completeness.completeness(scheme) if scheme else None
    recent = scheme.reminders.select_related("department", "sent_by")[:10] if scheme else []
    return render(request, "assessment/completeness.html", {
        "scheme": scheme, "schemes": access.visible_schemes(request.user), "table": table, "recent": recent,
        "months": range(1, 13)})


def _department(request, scheme: Scheme) -> Unit:
    code = (request.POST.get("department") or request.GET.get("department") or "").strip()
    owners = {i.owner.code: i.owner for i in completeness.scheme_indicators(scheme)}
    if code not in owners:
        raise Http404("未找到该部门")
    return owners[code]


@office_only
@require_GET
def completeness_cell(request):
    scheme = _scheme_from(request, default_open=False)
    if scheme is None:
        raise Http404(access.SCHEME_NOT_FOUND)
    department = _department(request, scheme)
    period = request.GET.get("period", "")
    if period not in periods.months_of_year(scheme.year):
        raise Http404("未找到该月份")
    detail = completeness.cell_detail(scheme, department, period)
    return render(request, "assessment/_completeness_cell.html", {"scheme": scheme, "detail": detail})


@office_only
@require_POST
def completeness_remind(request):
    scheme = _scheme_from(request, default_open=False)
    if scheme is None:
        raise Http404(access.SCHEME_NOT_FOUND)
    department = _department(request, scheme)
    try:
        reminder = reminders.reminder_send(actor=request.user, scheme=scheme, department=department,
                                           message=request.POST.get("message", ""), request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已提醒{department.name}：{reminder.message}")
    return redirect(f"{reverse('assessment:completeness')}?scheme={scheme.code}")
