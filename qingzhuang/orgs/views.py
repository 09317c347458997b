from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from qingzhuang.lib import paging
from qingzhuang.orgs import access, queries, services
from qingzhuang.orgs.audit import action_labels
from qingzhuang.orgs.models import UnitKind

PAGE_SIZE = 50


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def unit_tree(request):
    """The org tree: the scope's roots expanded one level, deeper levels loaded on demand."""
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    searching = bool(q or kind)
    if searching:
        rows = list(queries.search_units(request.user, q, kind)[:200])
    else:
        rows = queries.unit_tree_roots(request.user)
    context = {"rows": rows, "q": q, "kind": kind, "kinds": UnitKind.choices, "searching": searching}
    template = "orgs/_unit_rows.html" if request.headers.get("HX-Request") else "orgs/unit_tree.html"
    return render(request, template, context)


@login_required
@require_GET
def unit_children(request, code: str):
    unit = access.get_unit_or_404(request.user, code=code)
    return render(request, "orgs/_unit_rows.html", {"rows": queries.unit_children(request.user, unit)})


@login_required
@require_GET
def unit_detail(request, code: str):
    unit = access.get_unit_or_404(request.user, code=code)
    children = access.visible_units(request.user).filter(parent=unit).order_by("code")
    people = queries.search_people(request.user, unit=unit).filter(unit=unit)[:100]
    ancestors = [a for a in access.visible_units(request.user).filter(
        code__in=[c for c in unit.path.strip("/").split("/")[:-1]]).order_by("depth")]
    return render(request, "orgs/unit_detail.html", {"unit": unit, "children": children, "people": people,
                                                      "ancestors": ancestors})


@login_required
@require_GET
def unit_pick(request):
    """The unit picker's options: units in the user's scope by name, pinyin, initials or code."""
    units = queries.pick_units(access.visible_units(request.user), request.GET.get("q", "")[:100],
                               limit=queries.PICK_LIMIT + 1)
    return render(request, "orgs/_unit_options.html", {
        "units": units[: queries.PICK_LIMIT], "more": len(units) > queries.PICK_LIMIT})


@login_required
@require_GET
def person_list(request):
    q = request.GET.get("q", "").strip()[:100]
    unit = None
    if request.GET.get("unit"):
        unit = access.get_unit_or_404(request.user, code=request.GET["unit"])
    people = queries.search_people(request.user, q, unit)
    context = {"q": q, "unit": unit, "show_personal": access.can_view_personal_data(request.user),
               "rows": [], "pager": None, "page_error": ""}
    status = 200
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=people.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        context["page_error"], status = exc.message, 400
    else:
        context["pager"] = pager
        context["rows"] = list(people[pager.offset: pager.offset + PAGE_SIZE])
    template = "orgs/_person_rows.html" if request.headers.get("HX-Request") else "orgs/person_list.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def person_detail(request, pk: int):
    person = access.get_person_or_404(request.user, pk)
    return render(request, "orgs/person_detail.html", {
        "person": person, "revealed": False, "can_reveal": access.can_view_personal_data(request.user)})


@login_required
@permission_required("orgs.view_personal_data", raise_exception=True)
@require_POST
def person_reveal(request, pk: int):
    person = access.get_person_or_404(request.user, pk)
    services.person_reveal(actor=request.user, person=person, request=request)
    return render(request, "orgs/person_detail.html", {"person": person, "revealed": True, "can_reveal": True})


@login_required
@permission_required("orgs.view_audit", raise_exception=True)
@require_GET
def audit_list(request):
    params = {
        "q": request.GET.get("q", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "date_from": _parse_date(request.GET.get("date_from", "")),
        "date_to": _parse_date(request.GET.get("date_to", "")),
    }
    page = Paginator(queries.search_audit(request.user, **params), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/audit_list.html", {
        "page": page, "params": params, "action_choices": sorted(action_labels().items())})
