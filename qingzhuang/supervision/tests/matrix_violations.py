"""Violations' targets of the permission matrix: the page and the API take only a year; an
unfiled visit on 甲镇 (reported by 甲镇) makes the list non-empty, so a leak would show."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.supervision.models import Visit, VisitStatus

    county = ctx["county"]
    with transaction.atomic():
        visit = Visit.objects.create(unit=county["town_a"], lead=county["stats"], date=dt.date(2025, 5, 6),
                                     valid_until=dt.date(2025, 5, 6), status=VisitStatus.UNFILED,
                                     reported_note="甲镇统计台账检查，未出示检查码")
    return {"violation_visit": visit}


def targets(ctx) -> dict:
    return {}
