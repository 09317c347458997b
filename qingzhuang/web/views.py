from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qingzhuang import registry
from qingzhuang.orgs import access
from qingzhuang.orgs.models import UnitKind
from qingzhuang.orgs.roles import AUDITOR, GRASSROOTS, ROLES, SYSADMIN, user_roles


@login_required
@require_GET
def home(request):
    user = request.user
    roles = user_roles(user)
    units = access.visible_units(user)
    kind_labels = dict(UnitKind.choices)
    by_kind = [
        {"kind": kind_labels.get(row["kind"], row["kind"]), "n": row["n"]}
        for row in units.values("kind").annotate(n=Count("id")).order_by("kind")
    ]
    charts = [chart for provider in registry.chart_providers() for chart in provider(user)]
    context = {
        "todos": [todo for provider in registry.todo_providers() for todo in provider(user)],
        # Each module's charts for this user: the option goes to the page with json_script and is
        # drawn by static/qz/charts.js; a chart with ``empty`` set shows that sentence instead.
        "charts": [{"chart": chart, "data_id": f"{chart.key}-data",
                    "spec": {"option": chart.option, "unit": chart.unit}} for chart in charts],
        "draws_charts": any(not chart.empty for chart in charts),
        "roles": roles,
        "role_descriptions": [r for r in ROLES if r.name in roles],
        "unit": user.unit,
        "unit_count": units.count(),
        "people_count": access.visible_people(user).count(),
        "units_by_kind": by_kind,
        "is_sysadmin": SYSADMIN in roles,
        "is_auditor": AUDITOR in roles,
        "is_grassroots": GRASSROOTS in roles,
    }
    if AUDITOR in roles:
        context["security_events"] = access.visible_audit(user).filter(
            action__in=["auth.login_failed", "auth.locked_out", "person.reveal"]
        )[:10]
    if GRASSROOTS in roles and user.unit_id:
        context["child_units"] = units.filter(parent_id=user.unit_id).annotate(n_people=Count("people"))[:50]
    return render(request, "web/home.html", context)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "web/403.html", status=403)
