"""The annual plan's targets of the permission matrix: a 县统计局 item on 甲村一网格 (named after
it, approved, so grassroots users of 甲镇 see it) and a merge proposal of it and a second item on
the same unit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.burden.admission import Admission
    from qingzhuang.supervision.models import MergeProposal, PlanItem

    county = ctx["county"]
    grid = county["grid_a"]
    with transaction.atomic():
        items = []
        for n in (1, 2):
            item = PlanItem.objects.create(
                owner=county["stats"], year=2025, title=f"甲村一网格统计检查{n}", basis="《统计法》", kind="inspect",
                matter=f"统计{n}", window_kind="quarter", window="2025-Q2", window_start=dt.date(2025, 4, 1),
                window_end=dt.date(2025, 6, 30), admission=Admission.APPROVED)
            item.target_units.set([grid])
            items.append(item)
        proposal = MergeProposal.objects.create(year=2025, key=",".join(str(i.pk) for i in items),
                                                window_start=dt.date(2025, 4, 1), window_end=dt.date(2025, 6, 30),
                                                visits_saved=1)
        proposal.items.set(items)
        proposal.units.set([grid])
    return {"plan_item": items[0], "merge_proposal": proposal}


def targets(ctx) -> dict:
    item, merge = ctx["plan_item"].pk, ctx["merge_proposal"].pk
    return {
        "supervision:plan_explain": {"year": 2025},
        "supervision:item_detail": {"pk": item},
        "supervision:item_edit": {"pk": item},
        "supervision:item_submit": {"pk": item},
        "supervision:item_review": {"pk": item},
        "supervision:merge_detail": {"pk": merge},
        "supervision:merge_accept": {"pk": merge},
        "supervision:merge_reject": {"pk": merge},
        "api:get_plan_item": {"item_id": item},
        "api:update_plan_item": {"item_id": item},
        "api:submit_plan_item": {"item_id": item},
        "api:review_plan_item": {"item_id": item},
        "api:get_plan_year": {"year": 2025},
        "api:explain_plan_year": {"year": 2025},
        "api:get_merge": {"merge_id": merge},
        "api:accept_merge": {"merge_id": merge},
        "api:reject_merge": {"merge_id": merge},
    }
