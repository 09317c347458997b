"""码上减负 targets of the permission matrix: a clue about 甲村一网格 (its description names it, so a
leak would show), assigned to 甲镇, with an evidence row. The public pages are in ``PUBLIC``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

PUBLIC = {"burden:clue_report", "burden:clue_track", "burden:clue_units"}


def objects(ctx) -> dict:
    from qingzhuang.burden.models import Clue, ClueEvent, ClueFile
    from qingzhuang.burden.services.clues import new_receipt_code, receipt_hash

    county = ctx["county"]
    with transaction.atomic():
        clue = Clue.objects.create(receipt_hash=receipt_hash(new_receipt_code()), category="forced_check_in",
                                   description="甲村一网格每天被要求打卡，张三反映", placed_by=county["town_a"],
                                   suffered_by=county["grid_a"], responsible=county["town_a"], status="accepted",
                                   deadline=dt.date(2025, 6, 30))
        event = ClueEvent.objects.create(clue=clue, action="submit", status="pending")
        # A row only: the matrix writes no file.
        evidence = ClueFile.objects.create(clue=clue, event=event, file="burden/clues/matrix.png", kind="png", size=1)
    return {"clue": clue, "clue_file": evidence}


def targets(ctx) -> dict:
    clue, evidence = ctx["clue"].pk, ctx["clue_file"].pk
    one = {"pk": clue}
    return {
        "burden:clue_detail": one, "burden:clue_accept": one, "burden:clue_dismiss": one,
        "burden:clue_rectify": one, "burden:clue_return": one, "burden:clue_close": one,
        "burden:clue_file": {"pk": clue, "file": evidence},
        "api:get_clue": {"clue_id": clue}, "api:accept_clue": {"clue_id": clue},
        "api:dismiss_clue": {"clue_id": clue}, "api:rectify_clue": {"clue_id": clue},
        "api:return_clue": {"clue_id": clue}, "api:close_clue": {"clue_id": clue},
    }
