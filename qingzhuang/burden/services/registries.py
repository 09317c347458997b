"""Writes of the registries: meetings (会议登记), work groups (工作群) and government apps (政务应用).

Every write is a keyword-only service that checks the actor's permission and scope itself
(``access.may_register_for``; an entry out of the actor's scope is the same 404 as a missing one),
validates, saves, recomputes the entry's own rule flags, places the demands its targets receive
through ``demand_place`` and writes its audit row, all in one transaction.

Demands (documented in docs/burden.md):

- a meeting asks each attending grassroots unit once: kind 会议, month = the meeting's month,
  placed by the organiser, person-hours = the meeting's length in hours × the number of required
  levels that are grassroots levels (乡镇（街道）or 村（社区）, at least 1), plus 1 hour of travel;
- a work group asks each member grassroots unit once: kind 工作群, month = the month it was set
  up, placed by the owner unit, person-hours = the kind's weight;
- an app with forced check-in or forced photo uploads asks each grassroots unit that uses it
  once: kind 打卡/留痕, month = the month it was registered, placed by the owner unit,
  person-hours = the kind's weight.

A correction places demands only on targets not asked yet (the seam refuses a second ask), and
refuses to drop a target already asked; demands keep the month and hours they were placed with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import (
    APP_FEATURES,
    GRASSROOTS_LEVELS,
    LEVEL_TIERS,
    AppStatus,
    AppUser,
    AttendLevel,
    Demand,
    DemandKind,
    GovApp,
    GroupPlatform,
    Meeting,
    MeetingKind,
    WorkGroup,
)
from qingzhuang.burden.services import clean_targets, demand_place
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Person, Unit

FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_MINUTES = 1440
LONG_REPORT_MINUTES = 60
TRAVEL_HOURS = Decimal(1)
MAX_MEMBERS = 100_000

# Messages shared by the pages, the API and the imports.
NO_PERMISSION = {"meeting": "没有登记会议的权限", "group": "没有登记工作群的权限", "app": "没有登记政务应用的权限"}
OWN_UNIT_ONLY = {"meeting": "只能登记本单位召开的会议", "group": "只能登记本单位建立的工作群",
                 "app": "只能登记本单位主管的政务应用"}
COUNTY_UNIT_MESSAGE = "召开单位应为县级单位（县委、县政府、部门等），不能是乡镇（街道）、村（社区）或网格"
DROP_MESSAGE = "已向这些单位下发，不能移除"


# ---------------------------------------------------------------------------------------------
# Shared


def _require_register(actor, kind: str) -> None:
    if actor is not None and not access.may_register(actor, kind):
        raise PermissionDenied(NO_PERMISSION[kind])


def _require_unit(actor, kind: str, unit: Unit) -> None:
    if not access.may_register_for(actor, kind, unit):
        raise PermissionDenied(OWN_UNIT_ONLY[kind])


def _require_visible(actor, kind: str, entry) -> None:
    if actor is not None and not access.visible_registry(actor, kind).filter(pk=entry.pk).exists():
        raise Http404(access.REGISTRY_NOT_FOUND[kind])


def _date_error(value: dt.date | None, label: str, *, required: bool = True, not_after_today: bool = True) -> str:
    if value is None:
        return f"请填写{label}" if required else ""
    if not FIRST_DATE <= value <= LAST_DATE:
        return f"{label}应在 {FIRST_DATE.year} 年到 {LAST_DATE.year} 年之间"
    if not_after_today and value > timezone.localdate():
        return f"{label}不能晚于今天"
    return ""


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _asked_units(entry) -> dict[int, str]:
    """Units already asked for ``entry`` (id → name)."""
    rows = Demand.objects.filter(source_type=ContentType.objects.get_for_model(entry), source_id=entry.pk)
    return dict(rows.values_list("unit_id", "unit__name"))


def _check_drops(entry, targets: list[Unit]) -> None:
    asked = _asked_units(entry)
    kept = {u.pk for u in targets}
    if dropped := [name for pk, name in asked.items() if pk not in kept]:
        raise ValidationError({"target_units": f"{DROP_MESSAGE}：{'、'.join(sorted(dropped)[:10])}"})


def _place(*, actor, entry, kind: str, targets: list[Unit], title: str, placed_by: Unit, on: dt.date,
           hours: Decimal | None, request=None) -> int:
    """Ask each target not asked yet for ``entry``; returns how many were asked now."""
    asked = _asked_units(entry)
    new = [u for u in targets if u.pk not in asked]
    if not new:
        return 0
    demand_place(actor=actor, source=entry, kind=kind, units=new, title=title, placed_by=placed_by,
                 month=on.strftime("%Y-%m"), hours=hours, request=request)
    return len(new)


def _clean_targets(targets: Iterable[Unit], errors: dict) -> list[Unit]:
    try:
        return clean_targets(targets or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return []


# ---------------------------------------------------------------------------------------------
# Meetings


def layered(levels: Iterable[str]) -> bool:
    """层层陪会: the meeting requires both the 主要负责人 and the 分管负责人 of one tier (部门 or
    乡镇（街道）), or leaders of three or more of the tiers 县级, 部门, 乡镇（街道）, 村（社区）."""
    levels = set(levels)
    both = ({AttendLevel.DEPARTMENT_HEAD, AttendLevel.DEPARTMENT_DEPUTY} <= levels
            or {AttendLevel.TOWNSHIP_HEAD, AttendLevel.TOWNSHIP_DEPUTY} <= levels)
    tiers = {LEVEL_TIERS[level] for level in levels if level in LEVEL_TIERS}
    return both or len(tiers) >= 3


def meeting_flags(*, report_minutes: int, levels: Iterable[str]) -> list[str]:
    """The rules a meeting breaks by itself (a second 综合性 meeting is ``queries_registries``'s)."""
    flags = []
    if report_minutes > LONG_REPORT_MINUTES:
        flags.append("meeting.long_report")
    if layered(levels):
        flags.append("meeting.layered")
    return flags


def meeting_hours(*, minutes: int, levels: Iterable[str]) -> Decimal:
    """Person-hours one attending unit spends: hours × grassroots levels required (at least 1) + travel."""
    people = max(1, sum(1 for level in set(levels) if level in GRASSROOTS_LEVELS))
    return round_half_up(Decimal(minutes) / 60 * people + TRAVEL_HOURS, 2)


@dataclass
class MeetingData:
    organiser: Unit | None
    title: str
    held_on: dt.date | None
    minutes: int | None
    kind: str
    levels: list[str] = field(default_factory=list)
    report_minutes: int | None = 0
    system: str = ""
    targets: list[Unit] = field(default_factory=list)
    note: str = ""


def clean_meeting(actor, data: MeetingData) -> MeetingData:
    errors: dict[str, str] = {}
    if data.organiser is None:
        errors["organiser"] = "请选择召开单位"
    elif data.organiser.kind in GRASSROOTS_KINDS:
        errors["organiser"] = COUNTY_UNIT_MESSAGE
    data.title = _text(data.title, 200)
    if not data.title:
        errors["title"] = "请填写会议名称"
    if message := _date_error(data.held_on, "会议日期", not_after_today=False):
        errors["held_on"] = message
    if data.minutes is None or not 1 <= data.minutes <= MAX_MINUTES:
        errors["minutes"] = f"会议时长应为 1 到 {MAX_MINUTES} 之间的整数（分钟）"
    if data.kind not in MeetingKind.values:
        errors["kind"] = "请选择会议类型：" + "、".join(MeetingKind.labels)
    data.levels = list(dict.fromkeys(data.levels or []))
    if bad := [level for level in data.levels if level not in AttendLevel.values]:
        errors["levels"] = f"没有这些参会人员层级：{'、'.join(map(str, bad))}"
    data.report_minutes = 0 if data.report_minutes is None else data.report_minutes
    if data.report_minutes < 0 or (data.minutes and data.report_minutes > data.minutes):
        errors["report_minutes"] = "主报告时长应为 0 到会议时长之间的整数（分钟）"
    data.system = _text(data.system, 50) or (data.organiser.name[:50] if data.organiser else "")
    data.note = _text(data.note, 500)
    data.targets = _clean_targets(data.targets, errors)
    if errors:
        raise ValidationError(errors)
    _require_unit(actor, "meeting", data.organiser)
    return data


def _apply_meeting(meeting: Meeting, data: MeetingData) -> None:
    for name in ("organiser", "title", "held_on", "minutes", "kind", "levels", "report_minutes", "system", "note"):
        setattr(meeting, name, getattr(data, name))
    meeting.flags = meeting_flags(report_minutes=meeting.report_minutes, levels=meeting.levels)
    meeting.flagged = bool(meeting.flags)


def _meeting_demands(actor, meeting: Meeting, targets: list[Unit], request) -> int:
    return _place(actor=actor, entry=meeting, kind=DemandKind.MEETING, targets=targets,
                  title=f"会议：{meeting.title}", placed_by=meeting.organiser, on=meeting.held_on,
                  hours=meeting_hours(minutes=meeting.minutes, levels=meeting.levels), request=request)


@transaction.atomic
def meeting_create(*, actor, data: MeetingData, request=None) -> Meeting:
    """Register a meeting and ask each attending grassroots unit once (kind 会议)."""
    _require_register(actor, "meeting")
    data = clean_meeting(actor, data)
    meeting = Meeting(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _apply_meeting(meeting, data)
    meeting.save()
    meeting.targets.set(data.targets)
    asked = _meeting_demands(actor, meeting, data.targets, request)
    audit.record(actor=actor, action="meeting.create", obj=meeting, unit=meeting.organiser,
                 after={**meeting.audit_dict(), "targets": [u.code for u in data.targets], "asked": asked},
                 request=request)
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, data: MeetingData, request=None) -> Meeting:
    """Correct a meeting; new targets are asked, targets already asked cannot be dropped."""
    _require_register(actor, "meeting")
    _require_visible(actor, "meeting", meeting)
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=meeting.pk)
    _require_unit(actor, "meeting", meeting.organiser)
    before = {**meeting.audit_dict(), "targets": sorted(meeting.targets.values_list("code", flat=True))}
    data = clean_meeting(actor, data)
    _check_drops(meeting, data.targets)
    _apply_meeting(meeting, data)
    meeting.save()
    meeting.targets.set(data.targets)
    asked = _meeting_demands(actor, meeting, data.targets, request)
    audit.record(actor=actor, action="meeting.update", obj=meeting, unit=meeting.organiser, before=before,
                 after={**meeting.audit_dict(), "targets": sorted(u.code for u in data.targets), "asked": asked},
                 request=request)
    return meeting


# ---------------------------------------------------------------------------------------------
# Work groups


def group_flags(*, owner: Person | None) -> list[str]:
    """The rules a group breaks by itself (past its task end and still open is ``queries_registries``'s)."""
    return [] if owner is not None else ["group.no_owner"]


@dataclass
class GroupData:
    name: str
    owner_unit: Unit | None
    platform: str
    created_on: dt.date | None
    owner: Person | None = None
    purpose: str = ""
    member_count: int | None = 0
    task_ends_on: dt.date | None = None
    targets: list[Unit] = field(default_factory=list)


def clean_group(actor, data: GroupData) -> GroupData:
    errors: dict[str, str] = {}
    data.name = _text(data.name, 100)
    if not data.name:
        errors["name"] = "请填写群名称"
    if data.owner_unit is None:
        errors["owner_unit"] = "请选择建群单位"
    elif data.owner is not None and not data.owner.unit.path.startswith(data.owner_unit.path):
        errors["owner"] = f"群主应为{data.owner_unit.name}（含下属单位）的干部"
    if data.platform not in GroupPlatform.values:
        errors["platform"] = "请选择平台：" + "、".join(GroupPlatform.labels)
    data.purpose = _text(data.purpose, 500)
    data.member_count = 0 if data.member_count is None else data.member_count
    if not 0 <= data.member_count <= MAX_MEMBERS:
        errors["member_count"] = f"群成员数应为 0 到 {MAX_MEMBERS} 之间的整数"
    if message := _date_error(data.created_on, "建群日期"):
        errors["created_on"] = message
    if message := _date_error(data.task_ends_on, "任务结束日期", required=False, not_after_today=False):
        errors["task_ends_on"] = message
    elif data.task_ends_on and data.created_on and data.task_ends_on < data.created_on:
        errors["task_ends_on"] = "任务结束日期不能早于建群日期"
    data.targets = _clean_targets(data.targets, errors)
    if errors:
        raise ValidationError(errors)
    _require_unit(actor, "group", data.owner_unit)
    return data


def _apply_group(group: WorkGroup, data: GroupData) -> None:
    for name in ("name", "owner_unit", "platform", "created_on", "owner", "purpose", "member_count", "task_ends_on"):
        setattr(group, name, getattr(data, name))
    group.flags = group_flags(owner=group.owner)
    group.flagged = bool(group.flags)


def _group_demands(actor, group: WorkGroup, targets: list[Unit], request) -> int:
    return _place(actor=actor, entry=group, kind=DemandKind.WORK_GROUP, targets=targets,
                  title=f"工作群：{group.name}", placed_by=group.owner_unit, on=group.created_on, hours=None,
                  request=request)


@transaction.atomic
def group_create(*, actor, data: GroupData, request=None) -> WorkGroup:
    """Register a work group and ask each member grassroots unit once (kind 工作群)."""
    _require_register(actor, "group")
    data = clean_group(actor, data)
    group = WorkGroup(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _apply_group(group, data)
    group.save()
    group.targets.set(data.targets)
    asked = _group_demands(actor, group, data.targets, request)
    audit.record(actor=actor, action="group.create", obj=group, unit=group.owner_unit,
                 after={**group.audit_dict(), "targets": [u.code for u in data.targets], "asked": asked},
                 request=request)
    return group


CLOSED_MESSAGE = "已解散的工作群不能修改"


@transaction.atomic
def group_update(*, actor, group: WorkGroup, data: GroupData, request=None) -> WorkGroup:
    """Correct an open work group (a dissolved one stays as it was)."""
    _require_register(actor, "group")
    _require_visible(actor, "group", group)
    group = WorkGroup.objects.select_for_update(of=("self",)).select_related("owner_unit", "owner").get(pk=group.pk)
    _require_unit(actor, "group", group.owner_unit)
    if group.is_closed:
        raise ValidationError(CLOSED_MESSAGE)
    before = {**group.audit_dict(), "targets": sorted(group.targets.values_list("code", flat=True))}
    data = clean_group(actor, data)
    _check_drops(group, data.targets)
    _apply_group(group, data)
    group.save()
    group.targets.set(data.targets)
    asked = _group_demands(actor, group, data.targets, request)
    audit.record(actor=actor, action="group.update", obj=group, unit=group.owner_unit, before=before,
                 after={**group.audit_dict(), "targets": sorted(u.code for u in data.targets), "asked": asked},
                 request=request)
    return group


def _close_errors(group: WorkGroup, closed_on: dt.date) -> str:
    if group.is_closed:
        return f"“{group.name}”已于 {group.closed_on:%Y-%m-%d} 解散，不能重复解散"
    if closed_on < group.created_on:
        return f"“{group.name}”的解散日期不能早于建群日期 {group.created_on:%Y-%m-%d}"
    return ""


@transaction.atomic
def group_close_many(*, actor, groups: Iterable[WorkGroup], reason: str, closed_on: dt.date | None = None,
                     request=None) -> list[WorkGroup]:
    """Dissolve (解散) work groups, all or none: any group out of scope, not the actor's to close,
    already dissolved or set up after ``closed_on`` and none is closed. One audit row per group.
    A dissolved group is never reopened."""
    _require_register(actor, "group")
    ids = list(dict.fromkeys(g.pk for g in groups))
    if not ids:
        raise ValidationError({"groups": "请选择要解散的工作群"})
    closed_on = closed_on or timezone.localdate()
    reason = _text(reason, 200)
    errors: dict[str, str] = {}
    if message := _date_error(closed_on, "解散日期"):
        errors["closed_on"] = message
    if not reason:
        errors["reason"] = "请填写解散原因"
    if errors:
        raise ValidationError(errors)
    if actor is not None:
        visible = set(access.visible_registry(actor, "group").filter(pk__in=ids).values_list("pk", flat=True))
        if len(visible) != len(ids):
            raise Http404(access.REGISTRY_NOT_FOUND["group"])
    locked = list(WorkGroup.objects.select_for_update(of=("self",)).select_related("owner_unit", "owner")
                  .filter(pk__in=ids).order_by("pk"))
    for group in locked:
        _require_unit(actor, "group", group.owner_unit)
    if problems := [m for m in (_close_errors(g, closed_on) for g in locked) if m]:
        raise ValidationError({"groups": problems})
    entries = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for group in locked:
        before = group.audit_dict()
        group.closed_on, group.closed_by, group.close_reason = closed_on, user, reason
        group.updated_at = timezone.now()
        entries.append(audit.build(actor=actor, action="group.close", obj=group, unit=group.owner_unit,
                                   before=before, after=group.audit_dict(), request=request))
    WorkGroup.objects.bulk_update(locked, ["closed_on", "closed_by", "close_reason", "updated_at"])
    audit.record_many(entries)
    return locked


def group_close(*, actor, group: WorkGroup, reason: str, closed_on: dt.date | None = None,
                request=None) -> WorkGroup:
    """Dissolve one work group (refused when it already was)."""
    return group_close_many(actor=actor, groups=[group], reason=reason, closed_on=closed_on, request=request)[0]


# ---------------------------------------------------------------------------------------------
# Government apps


def app_flags(app: GovApp) -> list[str]:
    """One flag per forbidden feature while the app is in use (在用)."""
    if app.status != AppStatus.IN_USE:
        return []
    return [code for name, code, _ in APP_FEATURES if getattr(app, name)]


def app_asks_check_in(app: GovApp) -> bool:
    return app.status == AppStatus.IN_USE and (app.forced_check_in or app.forced_photos)


@dataclass
class AppData:
    name: str
    owner_unit: Unit | None
    registered_on: dt.date | None
    users: list[str] = field(default_factory=list)
    forced_check_in: bool = False
    rankings: bool = False
    online_time: bool = False
    forced_photos: bool = False
    description: str = ""
    targets: list[Unit] = field(default_factory=list)
    status: str = AppStatus.IN_USE
    rectification: str = ""
    rectified_on: dt.date | None = None


def clean_app(actor, data: AppData) -> AppData:
    errors: dict[str, str] = {}
    data.name = _text(data.name, 100)
    if not data.name:
        errors["name"] = "请填写应用名称"
    if data.owner_unit is None:
        errors["owner_unit"] = "请选择主管单位"
    data.users = list(dict.fromkeys(data.users or []))
    if bad := [u for u in data.users if u not in AppUser.values]:
        errors["users"] = f"没有这些使用对象：{'、'.join(map(str, bad))}"
    if message := _date_error(data.registered_on, "登记日期"):
        errors["registered_on"] = message
    data.description = _text(data.description, 1000)
    data.rectification = _text(data.rectification, 500)
    if data.status not in AppStatus.values:
        errors["status"] = "请选择状态：" + "、".join(AppStatus.labels)
    elif data.status == AppStatus.IN_USE:
        data.rectified_on = None
    else:
        if not data.rectification:
            errors["rectification"] = "已整改或已停用的应用请填写整改情况"
        if message := _date_error(data.rectified_on, "整改（停用）日期"):
            errors["rectified_on"] = message
        elif data.registered_on and data.rectified_on < data.registered_on:
            errors["rectified_on"] = "整改（停用）日期不能早于登记日期"
    data.targets = _clean_targets(data.targets, errors)
    if errors:
        raise ValidationError(errors)
    _require_unit(actor, "app", data.owner_unit)
    return data


def _apply_app(app: GovApp, data: AppData) -> None:
    for name in ("name", "owner_unit", "registered_on", "users", "forced_check_in", "rankings", "online_time",
                 "forced_photos", "description", "status", "rectification", "rectified_on"):
        setattr(app, name, getattr(data, name))
    app.flags = app_flags(app)
    app.flagged = bool(app.flags)


def _app_demands(actor, app: GovApp, targets: list[Unit], request) -> int:
    if not app_asks_check_in(app):
        return 0
    return _place(actor=actor, entry=app, kind=DemandKind.CHECK_IN, targets=targets,
                  title=f"政务应用打卡/留痕：{app.name}", placed_by=app.owner_unit, on=app.registered_on, hours=None,
                  request=request)


@transaction.atomic
def app_create(*, actor, data: AppData, request=None) -> GovApp:
    """Register an app; one with forced check-in or photos asks each unit using it once (打卡/留痕)."""
    _require_register(actor, "app")
    data = clean_app(actor, data)
    app = GovApp(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _apply_app(app, data)
    app.save()
    app.targets.set(data.targets)
    asked = _app_demands(actor, app, data.targets, request)
    audit.record(actor=actor, action="app.create", obj=app, unit=app.owner_unit,
                 after={**app.audit_dict(), "targets": [u.code for u in data.targets], "asked": asked},
                 request=request)
    return app


@transaction.atomic
def app_update(*, actor, app: GovApp, data: AppData, request=None) -> GovApp:
    """Correct an app or record its rectification (已整改 / 已停用, with a note and a date)."""
    _require_register(actor, "app")
    _require_visible(actor, "app", app)
    app = GovApp.objects.select_for_update(of=("self",)).select_related("owner_unit").get(pk=app.pk)
    _require_unit(actor, "app", app.owner_unit)
    before = {**app.audit_dict(), "targets": sorted(app.targets.values_list("code", flat=True))}
    data = clean_app(actor, data)
    _check_drops(app, data.targets)
    _apply_app(app, data)
    app.save()
    app.targets.set(data.targets)
    asked = _app_demands(actor, app, data.targets, request)
    audit.record(actor=actor, action="app.update", obj=app, unit=app.owner_unit, before=before,
                 after={**app.audit_dict(), "targets": sorted(u.code for u in data.targets), "asked": asked},
                 request=request)
    return app
