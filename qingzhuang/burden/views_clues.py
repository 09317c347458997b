"""码上减负 pages. Thin: parse, call one ``access`` function and one service, render.

Public (no sign-in): the report page with its QR code, the receipt-code tracking page and the
list of unit names they search. Both public forms are rate-limited (``burden.clue_rate``) by a
salted hash of the address, and keep nothing else of the caller. Signed in: the monitors' list,
a clue's detail and its triage, rectification, return and close forms, the evidence files, the
reporter's 我的线索 and the printable poster.
"""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden import access, clue_rate, queries_clues
from qingzhuang.burden.models import ClueCategory, ClueResult, ClueStatus
from qingzhuang.burden.services import clues as services
from qingzhuang.lib import paging, uploads
from qingzhuang.orgs import access as org_access

PAGE_SIZE = 30
NOT_FOUND = "未找到该回执码"


def qr_svg(data: str, *, scale: int = 4) -> str:
    """A QR code of ``data`` as inline SVG (no script, no external image: the CSP allows it)."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale, omitsize=True))  # noqa: S308 (segno's own SVG)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those of no field under "general" (templates cannot read "__all__")."""
    found = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"general": exc.messages}
    if "__all__" in found:
        found["general"] = found.pop("__all__")
    return found


def _report_context(request, values: dict, errors: dict) -> dict:
    url = request.build_absolute_uri(reverse("burden:clue_report"))
    return {"categories": ClueCategory.choices, "values": values, "errors": errors, "qr": qr_svg(url),
            "report_url": url, "max_files": services.MAX_FILES, "signed_in": request.user.is_authenticated,
            "max_mb": services.MAX_FILE_BYTES // (1024 * 1024)}


@require_http_methods(["GET", "POST"])
def clue_report(request):
    """码上减负: anyone reports a burden; a signed-in cadre may do it in their name."""
    values = {"category": "", "description": "", "placed_by": "", "placed_by_name": "", "suffered_by": "",
              "suffered_by_name": "", "named": False}
    if request.method == "GET":
        return render(request, "burden/clues/report.html", _report_context(request, values, {}))
    address = clue_rate.caller(request)
    values.update({key: request.POST.get(key, "").strip()[:2000] for key in
                   ("category", "description", "placed_by", "placed_by_name", "suffered_by", "suffered_by_name")})
    values["named"] = request.user.is_authenticated and request.POST.get("named") == "1"
    if clue_rate.exhausted(clue_rate.SUBMIT, address):
        errors = {"general": [clue_rate.message(clue_rate.SUBMIT)]}
        return render(request, "burden/clues/report.html", _report_context(request, values, errors), status=429)
    try:
        placed_by = services.unit_by_id(values["placed_by"], field="placed_by")
        suffered_by = services.unit_by_id(values["suffered_by"], field="suffered_by")
        clue, code = services.clue_submit(
            actor=request.user if values["named"] else None, category=values["category"],
            description=values["description"], placed_by=placed_by, suffered_by=suffered_by,
            files=request.FILES.getlist("files"), anonymous=not values["named"],
            request=request if values["named"] else None)
    except ValidationError as exc:
        return render(request, "burden/clues/report.html", _report_context(request, values, _errors(exc)),
                      status=400)
    clue_rate.hit(clue_rate.SUBMIT, address)
    track = request.build_absolute_uri(reverse("burden:clue_track"))
    # The code goes into the QR code after "#": a fragment never reaches the server or its logs.
    response = render(request, "burden/clues/receipt.html", {
        "code": code, "qr": qr_svg(f"{track}#{code}"), "named": clue.reporter_id is not None})
    response["Cache-Control"] = "no-store"  # the code is shown once: no cache keeps it
    return response


@require_http_methods(["GET", "POST"])
def clue_track(request):
    """The reporter types the receipt code and reads the status, the timeline and the result."""
    context = {"code": "", "clue": None, "steps": [], "error": ""}
    if request.method == "GET":
        return render(request, "burden/clues/track.html", context)
    address = clue_rate.caller(request)
    if clue_rate.exhausted(clue_rate.LOOKUP, address):
        context["error"] = clue_rate.message(clue_rate.LOOKUP)
        return render(request, "burden/clues/track.html", context, status=429)
    clue_rate.hit(clue_rate.LOOKUP, address)
    clue = services.find_by_receipt(request.POST.get("code", ""))
    if clue is None:
        context["error"] = NOT_FOUND
        return render(request, "burden/clues/track.html", context, status=404)
    context.update({"clue": clue, "steps": queries_clues.public_timeline(clue)})
    response = render(request, "burden/clues/track.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def clue_units(request):
    """The public page's unit search: names of active units (and the name of the unit above)."""
    return render(request, "burden/clues/_unit_options.html", {
        "units": queries_clues.public_units(next(
            (v for k, v in request.GET.items() if k == "q" or k.endswith("_name")), ""))})


@login_required
@require_GET
def clue_poster(request):
    """A printable poster with the report page's QR code, for village and township offices."""
    if not access.can_triage_clue(request.user):
        raise PermissionDenied(services.TRIAGE_DENIED)
    url = request.build_absolute_uri(reverse("burden:clue_report"))
    return render(request, "burden/clues/poster.html", {"qr": qr_svg(url, scale=10), "report_url": url})


def _require_clue_reader(user) -> None:
    if not (access.can_triage_clue(user) or user.has_perm(access.RECTIFY_CLUE)):
        raise PermissionDenied("没有查看减负线索的权限")


@login_required
@require_GET
def clue_list(request):
    _require_clue_reader(request.user)
    clues = access.visible_clues(request.user)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in ClueStatus.values else ""
    category = request.GET.get("category", "")
    category = category if category in ClueCategory.values else ""
    # The unit filter searches the same list of unit names as the public page (ids); the clues
    # themselves stay those the user may see.
    unit = None
    if chosen := request.GET.get("unit", "").strip():
        try:
            unit = services.unit_by_id(chosen, field="unit")
        except ValidationError:
            raise Http404(org_access.UNIT_NOT_FOUND) from None
    overdue = request.GET.get("overdue") == "1"
    counts = queries_clues.status_counts(clues, today)
    rows = queries_clues.filter_clues(clues, status=status, category=category, unit=unit, overdue=overdue,
                                      today=today)
    context = {"statuses": ClueStatus.choices, "categories": ClueCategory.choices, "status": status,
               "category": category, "unit": unit, "overdue": overdue, "counts": counts, "today": today,
               "status_tabs": [(value, label, counts[value]) for value, label in ClueStatus.choices],
               "rows": [], "pager": None, "page_error": "", "can_triage": access.can_triage_clue(request.user)}
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=rows.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"] = exc.message
        return render(request, "burden/clues/list.html", context, status=400)
    context["pager"] = pager
    context["rows"] = list(rows[pager.offset:pager.offset + PAGE_SIZE])
    return render(request, "burden/clues/list.html", context)


def _detail_context(request, clue, errors: dict | None = None, form: str = "") -> dict:
    user = request.user
    may_triage = access.can_triage_clue(user)
    return {
        "clue": clue, "events": list(clue.events.select_related("actor", "unit").prefetch_related("files")),
        "files": [f for f in clue.files.select_related("event") if f.event.action == "submit"],
        "today": timezone.localdate(), "overdue": clue.is_overdue(),
        "sees_reporter": access.sees_clue_reporter(user),
        "can_accept": may_triage and clue.status == ClueStatus.PENDING,
        "can_close": may_triage and clue.status == ClueStatus.RECTIFIED,
        "can_rectify": access.can_rectify_clue(user, clue) and clue.status == ClueStatus.ACCEPTED,
        "results": ClueResult.choices, "errors": errors or {}, "form": form, "values": request.POST,
        "max_files": services.MAX_FILES, "max_mb": services.MAX_FILE_BYTES // (1024 * 1024),
    }


@login_required
@require_GET
def clue_detail(request, pk: int):
    clue = access.get_clue_or_404(request.user, pk)
    return render(request, "burden/clues/detail.html", _detail_context(request, clue))


def _date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [f"日期格式应为YYYY-MM-DD：{value[:20]}"]}) from None


def _act(request, pk: int, form: str, run, done: str):
    clue = access.get_clue_or_404(request.user, pk)
    try:
        run(clue)
    except ValidationError as exc:
        return render(request, "burden/clues/detail.html", _detail_context(request, clue, _errors(exc), form),
                      status=400)
    messages.success(request, done)
    return redirect("burden:clue_detail", pk=clue.pk)


@login_required
@require_POST
def clue_accept(request, pk: int):
    post = request.POST

    def run(clue):
        responsible = services.unit_by_id(post.get("responsible", ""), field="responsible")
        services.clue_accept(actor=request.user, clue=clue, responsible=responsible,
                             deadline=_date(post.get("deadline", ""), "deadline"), note=post.get("note", ""),
                             request=request)

    return _act(request, pk, "accept", run, "已受理并交办责任单位。")


@login_required
@require_POST
def clue_dismiss(request, pk: int):
    return _act(request, pk, "dismiss", lambda clue: services.clue_dismiss(
        actor=request.user, clue=clue, reason=request.POST.get("reason", ""), request=request), "已不予受理。")


@login_required
@require_POST
def clue_rectify(request, pk: int):
    return _act(request, pk, "rectify", lambda clue: services.clue_rectify(
        actor=request.user, clue=clue, text=request.POST.get("text", ""), files=request.FILES.getlist("files"),
        request=request), "已报送整改情况，待减负监测员核实。")


@login_required
@require_POST
def clue_return(request, pk: int):
    return _act(request, pk, "return", lambda clue: services.clue_return(
        actor=request.user, clue=clue, note=request.POST.get("note", ""),
        deadline=_date(request.POST.get("deadline", ""), "deadline"), request=request), "已退回责任单位继续整改。")


@login_required
@require_POST
def clue_close(request, pk: int):
    return _act(request, pk, "close", lambda clue: services.clue_close(
        actor=request.user, clue=clue, result=request.POST.get("result", ""), reply=request.POST.get("reply", ""),
        request=request), "已办结。")


@login_required
@require_GET
def clue_file(request, pk: int, file: int):
    clue = access.get_clue_or_404(request.user, pk)
    return evidence_response(clue.files.filter(pk=file).first())


def evidence_response(found) -> FileResponse:
    """An evidence file (a ``FileField`` ``file`` with its ``lib.uploads`` ``kind``) for download under a
    neutral name, never cached or sniffed; 404 when it is missing (also from storage). The caller
    found it through its own access rule."""
    if found is None:
        raise Http404("未找到该文件")
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("未找到该文件") from None
    response = FileResponse(handle, content_type=uploads.CONTENT_TYPES.get(found.kind, "application/octet-stream"),
                            filename=f"佐证材料-{found.pk}.{uploads.EXTENSIONS.get(found.kind, 'bin')}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def clue_mine(request):
    """我的线索: the clues one reported in one's name, with their status and the published reply."""
    clues = access.my_clues(request.user).prefetch_related("events")
    rows = [{"clue": clue, "steps": queries_clues.public_timeline(clue)} for clue in clues[:200]]
    return render(request, "burden/clues/mine.html", {"rows": rows})
