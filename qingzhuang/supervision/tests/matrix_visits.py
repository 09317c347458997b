"""一事一码 targets of the permission matrix: an issued visit of 县统计局 to 甲村一网格 (its team and
result name 甲村一网格 and 张三, so a leak would show), with a recorded result and an evaluation.
The verification pages are public (``PUBLIC``): they answer only for the code typed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

PUBLIC = {"supervision:verify_form", "supervision:verify_code", "supervision:evaluate", "api:verify_public"}


def objects(ctx) -> dict:
    from qingzhuang.burden.admission import Admission
    from qingzhuang.supervision import codes, windows
    from qingzhuang.supervision.models import Evaluation, PlanItem, Visit, VisitResult, VisitStatus

    county = ctx["county"]
    start, end = windows.bounds("2025-Q2")
    with transaction.atomic():
        item = PlanItem.objects.create(owner=county["stats"], year=2025, title="统计执法检查", basis="《统计法》",
                                       kind="inspect", matter="统计执法", target_kinds=["grid"], window_kind="quarter",
                                       window="2025-Q2", window_start=start, window_end=end,
                                       admission=Admission.APPROVED)
        visit = Visit.objects.create(unit=county["grid_a"], lead=county["stats"], team="甲村一网格检查组（张三陪同）",
                                     date=dt.date(2025, 5, 20), valid_until=end, status=VisitStatus.DONE,
                                     code=codes.new_code(), cap_period="2025-Q2")
        visit.items.set([item])
        VisitResult.objects.create(visit=visit, findings="甲村一网格台账不全，张三说明", conclusion="基本合格")
        Evaluation.objects.create(visit=visit, rating=4, burden_free=True, comment="甲村一网格", on=dt.date(2025, 5, 21))
    return {"visit": visit}


def targets(ctx) -> dict:
    visit = ctx["visit"]
    one = {"pk": visit.pk}
    return {
        "supervision:visit_detail": one, "supervision:visit_print": one, "supervision:visit_issue": one,
        "supervision:visit_cancel": one, "supervision:visit_result": one,
        "supervision:verify_code": {"code": visit.code}, "supervision:evaluate": {"code": visit.code},
        "api:get_visit": {"visit_id": visit.pk}, "api:issue_visit": {"visit_id": visit.pk},
        "api:cancel_visit": {"visit_id": visit.pk}, "api:record_result": {"visit_id": visit.pk},
    }
