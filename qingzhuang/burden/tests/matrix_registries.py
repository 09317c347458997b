"""Registries' targets of the permission matrix: a meeting, a work group and an app that reach 甲村一网格
(and name it, so a leak would show), the group owned by 张三 of 甲村."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.burden.services import registries as services

    county, people = ctx["county"], ctx["people"]
    with transaction.atomic():
        meeting = services.meeting_create(actor=None, data=services.MeetingData(
            organiser=county["stats"], title="甲村一网格现场会", held_on=dt.date(2025, 3, 1), minutes=60, kind="special"))
        meeting.targets.set([county["grid_a"]])
        group = services.group_create(actor=None, data=services.GroupData(
            name="甲村一网格工作群", owner_unit=county["town_a"], platform="wechat", created_on=dt.date(2024, 3, 1),
            owner=people["a"]))
        group.targets.set([county["grid_a"]])
        app = services.app_create(actor=None, data=services.AppData(
            name="甲村一网格打卡", owner_unit=county["town_a"], registered_on=dt.date(2024, 3, 1), forced_check_in=True))
        app.targets.set([county["grid_a"]])
    return {"registry_meeting": meeting, "registry_group": group, "registry_app": app}


def targets(ctx) -> dict:
    meeting, group, app = ctx["registry_meeting"].pk, ctx["registry_group"].pk, ctx["registry_app"].pk
    return {
        "burden:meeting_detail": {"pk": meeting},
        "burden:meeting_edit": {"pk": meeting},
        "burden:group_detail": {"pk": group},
        "burden:group_edit": {"pk": group},
        "burden:group_close": {"pk": group},
        "burden:app_detail": {"pk": app},
        "burden:app_edit": {"pk": app},
        "api:get_meeting": {"meeting_id": meeting},
        "api:update_meeting": {"meeting_id": meeting},
        "api:get_group": {"group_id": group},
        "api:update_group": {"group_id": group},
        "api:close_group": {"group_id": group},
        "api:get_app": {"app_id": app},
        "api:update_app": {"app_id": app},
    }
