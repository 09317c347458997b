"""API of the violations (违规检查): the same list as the 督查室's page, for county-wide users."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema

from qingzhuang.burden import queries as burden_queries
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.supervision import access, violations

router = Router(tags=["督查检查"])


class ViolationOut(Schema):
    rule: str
    rule_name: str
    subject: str
    message: str
    unit_name: str
    url: str
    on: dt.date | None
    level: str


class ViolationsOut(Schema):
    year: int
    total_this_year: int
    total_last_year: int
    counts: dict[str, int]
    items: list[ViolationOut]


@router.get("", response={200: ViolationsOut, 400: ErrorOut, 403: ErrorOut},
            summary="违规检查：无码检查、以考代督、拆分执行、扩大范围、年度总数超过上年（限看全县的用户）")
def list_violations(request, year: int | None = Query(None, description=burden_queries.YEAR_DESCRIPTION),
                    rule: str | None = Query(None, description="规则代码，如 supervision.split；不填为全部")):
    if not access.can_view_violations(request.auth):
        raise PermissionDenied("只有督查室、减负监测员和领导可以查看违规检查")
    year = burden_queries.year_or_current(year)
    if rule is not None and rule not in violations.RULES:
        raise ValidationError({"rule": f"没有规则 {rule}；可选：{'、'.join(violations.RULES)}"})
    found = violations.alerts(year=year)
    counts = {code: sum(1 for a in found if a.rule == code) for code in violations.RULES}
    items = [a for a in found if rule is None or a.rule == rule]
    return {"year": year, "total_this_year": violations.year_total(year),
            "total_last_year": violations.year_total(year - 1), "counts": counts, "items": items}
