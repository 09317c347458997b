"""The registries over the API: /api/v1/burden/meetings, /api/v1/burden/groups, /api/v1/burden/apps.

Units are given by code (the organiser or owner unit; ``targets`` are grassroots unit codes and
``under`` a county or township whose villages and communities all attend). Every write is one
service call, which checks permission and scope itself; an entry out of the caller's scope is a
404 like a missing one. Each list pages with ``limit`` and ``offset``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from qingzhuang.burden import access, queries
from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.imports_registries import SPECS
from qingzhuang.burden.models import APP_FEATURES, GovApp, Meeting, WorkGroup
from qingzhuang.burden.registry_import import registry_import_upload
from qingzhuang.burden.services import registries as services
from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api import ImportOut
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging
from qingzhuang.orgs.models import Person, Unit

meetings_router = Router(tags=["减负监测：会议登记"])
groups_router = Router(tags=["减负监测：工作群"])
apps_router = Router(tags=["减负监测：政务应用"])

LIST = {200: None, 400: ErrorOut}
ONE = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
IMPORT = {200: ImportOut, 400: ImportOut, 403: ErrorOut}


class RuleFlagOut(Schema):
    rule: str
    name: str
    figure: str


def _flags(problems) -> list[dict]:
    return [{"rule": code, "name": name, "figure": figure} for code, name, figure in problems]


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=(code or "").strip(), is_active=True).first()
    if unit is None:
        raise ValidationError({field: f"没有这个单位：{code}"})
    return unit


def _targets(request, codes: list[str], under: str) -> list[Unit]:
    return resolve_targets(actor=request.auth, codes=codes, under=under)


def _codes(entry) -> list[str]:
    return list(entry.targets.order_by("path").values_list("code", flat=True))


def _import(request, kind: str, file: UploadedFile, dry_run: bool):
    result = registry_import_upload(SPECS[kind], actor=request.auth, upload=file, dry_run=dry_run, request=request)
    return Status(200 if result.ok else 400, result.to_json())


# ---------------------------------------------------------------------------------------------
# Meetings


class MeetingOut(Schema):
    id: int
    organiser: str
    organiser_name: str
    system: str
    title: str
    held_on: dt.date
    minutes: int
    kind: str
    levels: list[str]
    report_minutes: int
    note: str
    targets: list[str]
    flags: list[RuleFlagOut]


class MeetingIn(Schema):
    organiser: str
    title: str
    held_on: dt.date
    minutes: int
    kind: str
    levels: list[str] = []
    report_minutes: int = 0
    system: str = ""
    targets: list[str] = []
    under: str = ""
    note: str = ""


def _meeting_out(meeting: Meeting, order=None) -> dict:
    order = rq.comprehensive_order(ids=[meeting.pk]) if order is None else order
    return {"id": meeting.pk, "organiser": meeting.organiser.code, "organiser_name": meeting.organiser.name,
            "system": meeting.system, "title": meeting.title, "held_on": meeting.held_on, "minutes": meeting.minutes,
            "kind": meeting.kind, "levels": meeting.levels, "report_minutes": meeting.report_minutes,
            "note": meeting.note, "targets": _codes(meeting), "flags": _flags(rq.meeting_problems(meeting, order))}


def _meeting_data(request, payload: MeetingIn) -> services.MeetingData:
    return services.MeetingData(
        organiser=_unit(payload.organiser, "organiser"), title=payload.title, held_on=payload.held_on,
        minutes=payload.minutes, kind=payload.kind, levels=payload.levels, report_minutes=payload.report_minutes,
        system=payload.system, targets=_targets(request, payload.targets, payload.under), note=payload.note)


@meetings_router.get("", response={200: list[MeetingOut], 400: ErrorOut}, summary="会议登记（本人范围内；可按年份、是否有问题筛选）")
@paginate(Paging)
def list_meetings(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION),
                  flagged: bool = False):
    year = queries.year_or_current(year)
    qs = access.visible_registry(request.auth, "meeting").filter(held_on__year=year).order_by("-held_on", "-id")
    if flagged:
        qs = qs.filter(rq.flagged_meetings_q(year=year))
    order = rq.comprehensive_order(year=year)
    return Mapped(qs, lambda m: _meeting_out(m, order))


@meetings_router.post("/import", response=IMPORT, summary="导入会议登记（全部成功或全部不导入；dry_run 只预检）")
def import_meetings(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import(request, "meeting", file, dry_run)


@meetings_router.post("", response={200: MeetingOut, 400: ErrorOut, 403: ErrorOut}, summary="登记会议")
def create_meeting(request, payload: MeetingIn):
    meeting = services.meeting_create(actor=request.auth, data=_meeting_data(request, payload), request=request)
    return _meeting_out(meeting)


@meetings_router.get("/{meeting_id}", response={200: MeetingOut, 404: ErrorOut}, summary="会议详情")
def get_meeting(request, meeting_id: int):
    return _meeting_out(access.get_registry_or_404(request.auth, "meeting", meeting_id))


@meetings_router.put("/{meeting_id}", response={200: MeetingOut, **ONE}, summary="更正会议")
def update_meeting(request, meeting_id: int, payload: MeetingIn):
    meeting = access.get_registry_or_404(request.auth, "meeting", meeting_id)
    meeting = services.meeting_update(actor=request.auth, meeting=meeting, data=_meeting_data(request, payload),
                                      request=request)
    return _meeting_out(meeting)


# ---------------------------------------------------------------------------------------------
# Work groups


class WorkGroupOut(Schema):
    id: int
    name: str
    owner_unit: str
    owner_unit_name: str
    owner_id: int | None
    owner_name: str | None
    platform: str
    purpose: str
    member_count: int
    created_on: dt.date
    task_ends_on: dt.date | None
    closed_on: dt.date | None
    close_reason: str
    targets: list[str]
    flags: list[RuleFlagOut]


class WorkGroupIn(Schema):
    name: str
    owner_unit: str
    platform: str
    created_on: dt.date
    owner_id: int | None = None
    purpose: str = ""
    member_count: int = 0
    task_ends_on: dt.date | None = None
    targets: list[str] = []
    under: str = ""


class GroupCloseIn(Schema):
    reason: str
    closed_on: dt.date | None = None


class GroupsCloseIn(Schema):
    ids: list[int]
    reason: str
    closed_on: dt.date | None = None


def _group_out(group: WorkGroup) -> dict:
    return {"id": group.pk, "name": group.name, "owner_unit": group.owner_unit.code,
            "owner_unit_name": group.owner_unit.name, "owner_id": group.owner_id,
            "owner_name": group.owner.name if group.owner_id else None, "platform": group.platform,
            "purpose": group.purpose, "member_count": group.member_count, "created_on": group.created_on,
            "task_ends_on": group.task_ends_on, "closed_on": group.closed_on, "close_reason": group.close_reason,
            "targets": _codes(group), "flags": _flags(rq.group_problems(group))}


def _group_data(request, payload: WorkGroupIn) -> services.GroupData:
    owner = None
    if payload.owner_id is not None:
        # The service keeps the owner inside the owner unit (the caller's own, or any for those
        # who oversee the county), so naming a cadre elsewhere is refused there.
        owner = Person.objects.filter(pk=payload.owner_id, is_active=True).select_related("unit").first()
        if owner is None:
            raise ValidationError({"owner_id": f"没有这位在岗干部：{payload.owner_id}"})
    return services.GroupData(
        name=payload.name, owner_unit=_unit(payload.owner_unit, "owner_unit"), platform=payload.platform,
        created_on=payload.created_on, owner=owner, purpose=payload.purpose, member_count=payload.member_count,
        task_ends_on=payload.task_ends_on, targets=_targets(request, payload.targets, payload.under))


@groups_router.get("", response={200: list[WorkGroupOut], 400: ErrorOut}, summary="工作群（本人范围内当年存续过的；可筛选未解散、有问题的）")
@paginate(Paging)
def list_groups(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION),
                open_only: bool = False, flagged: bool = False):
    year = queries.year_or_current(year)
    qs = (access.visible_registry(request.auth, "group").filter(pk__in=rq.groups_open_in(year).values("pk"))
          .select_related("owner").order_by("-created_on", "-id"))
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    if flagged:
        qs = qs.filter(rq.flagged_groups_q())
    return Mapped(qs, _group_out)


@groups_router.post("/import", response=IMPORT, summary="导入工作群（全部成功或全部不导入；dry_run 只预检）")
def import_groups(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import(request, "group", file, dry_run)


@groups_router.post("/close", response={200: list[WorkGroupOut], **ONE}, summary="批量解散工作群（全部成功或全部不解散）")
def close_groups(request, payload: GroupsCloseIn):
    if len(payload.ids) > 1000:
        raise ValidationError({"ids": "一次最多解散 1000 个工作群"})
    groups = [access.get_registry_or_404(request.auth, "group", pk) for pk in dict.fromkeys(payload.ids)]
    closed = services.group_close_many(actor=request.auth, groups=groups, reason=payload.reason,
                                       closed_on=payload.closed_on, request=request)
    return [_group_out(g) for g in closed]


@groups_router.post("", response={200: WorkGroupOut, 400: ErrorOut, 403: ErrorOut}, summary="登记工作群")
def create_group(request, payload: WorkGroupIn):
    return _group_out(services.group_create(actor=request.auth, data=_group_data(request, payload), request=request))


@groups_router.get("/{group_id}", response={200: WorkGroupOut, 404: ErrorOut}, summary="工作群详情")
def get_group(request, group_id: int):
    return _group_out(access.get_registry_or_404(request.auth, "group", group_id))


@groups_router.put("/{group_id}", response={200: WorkGroupOut, **ONE}, summary="更正工作群（已解散的不能修改）")
def update_group(request, group_id: int, payload: WorkGroupIn):
    group = access.get_registry_or_404(request.auth, "group", group_id)
    group = services.group_update(actor=request.auth, group=group, data=_group_data(request, payload),
                                  request=request)
    return _group_out(group)


@groups_router.post("/{group_id}/close", response={200: WorkGroupOut, **ONE}, summary="解散工作群（不能重复解散）")
def close_group(request, group_id: int, payload: GroupCloseIn):
    group = access.get_registry_or_404(request.auth, "group", group_id)
    group = services.group_close(actor=request.auth, group=group, reason=payload.reason, closed_on=payload.closed_on,
                                 request=request)
    return _group_out(group)


# ---------------------------------------------------------------------------------------------
# Apps


class GovAppOut(Schema):
    id: int
    name: str
    owner_unit: str
    owner_unit_name: str
    users: list[str]
    forced_check_in: bool
    rankings: bool
    online_time: bool
    forced_photos: bool
    description: str
    registered_on: dt.date
    status: str
    rectification: str
    rectified_on: dt.date | None
    targets: list[str]
    flags: list[RuleFlagOut]


class GovAppIn(Schema):
    name: str
    owner_unit: str
    registered_on: dt.date
    users: list[str] = []
    forced_check_in: bool = False
    rankings: bool = False
    online_time: bool = False
    forced_photos: bool = False
    description: str = ""
    targets: list[str] = []
    under: str = ""
    status: str = "in_use"
    rectification: str = ""
    rectified_on: dt.date | None = None


def _app_out(app: GovApp) -> dict:
    return {"id": app.pk, "name": app.name, "owner_unit": app.owner_unit.code, "owner_unit_name": app.owner_unit.name,
            "users": app.users, **{name: getattr(app, name) for name, _, _ in APP_FEATURES},
            "description": app.description, "registered_on": app.registered_on, "status": app.status,
            "rectification": app.rectification, "rectified_on": app.rectified_on, "targets": _codes(app),
            "flags": _flags(rq.app_problems(app))}


def _app_data(request, payload: GovAppIn) -> services.AppData:
    return services.AppData(
        name=payload.name, owner_unit=_unit(payload.owner_unit, "owner_unit"), registered_on=payload.registered_on,
        users=payload.users, forced_check_in=payload.forced_check_in, rankings=payload.rankings,
        online_time=payload.online_time, forced_photos=payload.forced_photos, description=payload.description,
        targets=_targets(request, payload.targets, payload.under), status=payload.status,
        rectification=payload.rectification, rectified_on=payload.rectified_on)


@apps_router.get("", response={200: list[GovAppOut], 400: ErrorOut}, summary="政务应用（本人范围内；可筛选有问题的）")
@paginate(Paging)
def list_apps(request, flagged: bool = False):
    qs = access.visible_registry(request.auth, "app").order_by("-registered_on", "-id")
    if flagged:
        qs = qs.filter(flagged=True)
    return Mapped(qs, _app_out)


@apps_router.post("/import", response=IMPORT, summary="导入政务应用（全部成功或全部不导入；dry_run 只预检）")
def import_apps(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    return _import(request, "app", file, dry_run)


@apps_router.post("", response={200: GovAppOut, 400: ErrorOut, 403: ErrorOut}, summary="登记政务应用")
def create_app(request, payload: GovAppIn):
    return _app_out(services.app_create(actor=request.auth, data=_app_data(request, payload), request=request))


@apps_router.get("/{app_id}", response={200: GovAppOut, 404: ErrorOut}, summary="政务应用详情")
def get_app(request, app_id: int):
    return _app_out(access.get_registry_or_404(request.auth, "app", app_id))


@apps_router.put("/{app_id}", response={200: GovAppOut, **ONE}, summary="更正政务应用或登记整改")
def update_app(request, app_id: int, payload: GovAppIn):
    app = access.get_registry_or_404(request.auth, "app", app_id)
    return _app_out(services.app_update(actor=request.auth, app=app, data=_app_data(request, payload),
                                        request=request))
