"""The spreadsheets of the meetings, work groups and apps registries (``registry_import.RegistrySpec``).

A file lands whole or not at all: every row is read and checked first (units by code or exact
name, dates, numbers, choices by their Chinese label), then each row is written through its
registry's create service (which checks scope, validates and places the demands) inside the
import's transaction; a refusal of any row names its row and column and nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qingzhuang.burden import access
from qingzhuang.burden.models import AppStatus, AppUser, AttendLevel, GroupPlatform, MeetingKind
from qingzhuang.burden.registry_import import ParseContext, RegistrySpec
from qingzhuang.burden.services import registries as services
from qingzhuang.lib.tables import Row
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Person, UnitKind

COUNTY_KINDS = tuple(k for k in UnitKind.values if k not in GRASSROOTS_KINDS)
TARGET_KINDS = tuple(sorted(GRASSROOTS_KINDS))


def _labels(choices) -> str:
    return "、".join(label for _, label in choices)


def _owned(ctx: ParseContext, row: Row, column: str, kind: str, unit) -> None:
    if unit is not None and ctx.actor is not None and not access.may_register_for(ctx.actor, kind, unit):
        ctx.problem(row, column, "forbidden_unit", services.OWN_UNIT_ONLY[kind])


def _write(kind: str, columns: dict[str, str], create, after=None):
    """A ``write`` that creates every entry through ``create(actor, values, request)`` and turns a
    refusal into a problem of its row (and column, from the service's field)."""

    def write(*, actor, entries, request) -> int:
        for number, values in entries:
            try:
                entry = create(actor, values, request)
                if after is not None:
                    after(actor, entry, values, request)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    raise ValidationError({f"row {number}:{columns.get(name, '')}".rstrip(":"): messages
                                           for name, messages in error.message_dict.items()}) from None
                raise ValidationError({f"row {number}": error.messages}) from None
            except (PermissionDenied, Http404) as error:
                raise ValidationError({f"row {number}": [str(error) or services.NO_PERMISSION[kind]]}) from None
        return len(entries)

    return write


# ---------------------------------------------------------------------------------------------
# Meetings

MEETING_COLUMNS = {
    "召开单位": ("主办单位", "单位"), "所属系统": ("系统",), "会议名称": ("名称", "会议"), "会议日期": ("日期",),
    "会议时长（分钟）": ("会议时长", "时长"), "会议类型": ("类型",), "要求参会人员": ("参会人员", "参会范围"),
    "主报告时长（分钟）": ("主报告时长",), "参会基层单位": ("参会单位",), "备注": (),
}
MEETING_FIELDS = {"organiser": "召开单位", "system": "所属系统", "title": "会议名称", "held_on": "会议日期",
                  "minutes": "会议时长（分钟）", "kind": "会议类型", "levels": "要求参会人员",
                  "report_minutes": "主报告时长（分钟）", "target_units": "参会基层单位", "note": "备注"}


def _parse_meeting(row: Row, ctx: ParseContext) -> dict | None:
    values = {
        "organiser": ctx.unit(row, "召开单位", kinds=COUNTY_KINDS),
        "system": ctx.text(row, "所属系统", max_length=50),
        "title": ctx.text(row, "会议名称", required=True),
        "held_on": ctx.date(row, "会议日期"),
        "minutes": ctx.integer(row, "会议时长（分钟）", minimum=1, maximum=services.MAX_MINUTES),
        "kind": ctx.choice(row, "会议类型", MeetingKind.choices),
        "levels": ctx.choices(row, "要求参会人员", AttendLevel.choices),
        "report_minutes": ctx.integer(row, "主报告时长（分钟）", required=False, maximum=services.MAX_MINUTES),
        "targets": ctx.units(row, "参会基层单位", kinds=TARGET_KINDS),
        "note": ctx.text(row, "备注", max_length=500),
    }
    _owned(ctx, row, "召开单位", "meeting", values["organiser"])
    if values["minutes"] and values["report_minutes"] and values["report_minutes"] > values["minutes"]:
        ctx.problem(row, "主报告时长（分钟）", "too_long", "主报告时长不能超过会议时长")
    return values


def _create_meeting(actor, values, request):
    return services.meeting_create(actor=actor, request=request, data=services.MeetingData(
        organiser=values["organiser"], title=values["title"], held_on=values["held_on"], minutes=values["minutes"],
        kind=values["kind"], levels=values["levels"] or [], report_minutes=values["report_minutes"] or 0,
        system=values["system"], targets=values["targets"] or [], note=values["note"]))


MEETINGS = RegistrySpec(
    kind="meetings", label="会议登记", columns=MEETING_COLUMNS,
    required=("召开单位", "会议名称", "会议日期", "会议时长（分钟）", "会议类型"),
    parse=_parse_meeting, write=_write("meeting", MEETING_FIELDS, _create_meeting),
    permission="burden.manage_meetings", action="meeting.import",
    notes={
        "召开单位": "必填。县级单位的单位代码或名称（县委、县政府、部门等）。",
        "所属系统": "选填。如组织、宣传、政法、农业农村、教育；不填为召开单位名称。同一系统一年只应召开一次综合性会议。",
        "会议日期": "必填。如 2025-03-18。",
        "会议时长（分钟）": "必填。1 到 1440 的整数。",
        "会议类型": f"必填。可填：{_labels(MeetingKind.choices)}。",
        "要求参会人员": f"选填，多个用顿号分隔。可填：{_labels(AttendLevel.choices)}。",
        "主报告时长（分钟）": "选填。超过 60 分钟会被标记“主报告超过1小时”。",
        "参会基层单位": "选填。乡镇（街道）、村（社区）或网格的代码或名称，多个用顿号分隔；每个单位计一次会议任务。",
    },
)


# ---------------------------------------------------------------------------------------------
# Work groups

GROUP_COLUMNS = {
    "群名称": ("名称", "工作群"), "建群单位": ("单位",), "群主": (), "平台": (), "建群事由": ("事由", "用途"),
    "群成员数": ("成员数",), "入群基层单位": ("基层单位",), "建群日期": (), "任务结束日期": (),
    "解散日期": (), "解散原因": (),
}
GROUP_FIELDS = {"name": "群名称", "owner_unit": "建群单位", "owner": "群主", "platform": "平台", "purpose": "建群事由",
                "member_count": "群成员数", "target_units": "入群基层单位", "created_on": "建群日期",
                "task_ends_on": "任务结束日期", "closed_on": "解散日期", "reason": "解散原因", "groups": "解散日期"}


def _owner(row: Row, ctx: ParseContext, unit) -> Person | None:
    name = row["群主"]
    if not name or unit is None:
        return None
    people = list(Person.objects.filter(name=name, is_active=True, unit__path__startswith=unit.path)
                  .select_related("unit")[:3])
    if not people:
        ctx.problem(row, "群主", "unknown_person", f"{unit.name}（含下属单位）没有叫“{name}”的在岗干部")
        return None
    if len(people) > 1:
        ctx.problem(row, "群主", "ambiguous_person", f"{unit.name}（含下属单位）有多位干部叫“{name}”，请在页面上登记")
        return None
    return people[0]


def _parse_group(row: Row, ctx: ParseContext) -> dict | None:
    unit = ctx.unit(row, "建群单位")
    values = {
        "name": ctx.text(row, "群名称", required=True, max_length=100),
        "owner_unit": unit,
        "owner": _owner(row, ctx, unit),
        "platform": ctx.choice(row, "平台", GroupPlatform.choices),
        "purpose": ctx.text(row, "建群事由", max_length=500),
        "member_count": ctx.integer(row, "群成员数", required=False, maximum=services.MAX_MEMBERS),
        "targets": ctx.units(row, "入群基层单位", kinds=TARGET_KINDS),
        "created_on": ctx.date(row, "建群日期"),
        "task_ends_on": ctx.date(row, "任务结束日期", required=False),
        "closed_on": ctx.date(row, "解散日期", required=False),
        "reason": ctx.text(row, "解散原因", max_length=200),
    }
    _owned(ctx, row, "建群单位", "group", unit)
    if values["closed_on"] and not values["reason"]:
        ctx.problem(row, "解散原因", "required", "填写了解散日期时，“解散原因”不能为空")
    return values


def _create_group(actor, values, request):
    return services.group_create(actor=actor, request=request, data=services.GroupData(
        name=values["name"], owner_unit=values["owner_unit"], platform=values["platform"],
        created_on=values["created_on"], owner=values["owner"], purpose=values["purpose"],
        member_count=values["member_count"] or 0, task_ends_on=values["task_ends_on"],
        targets=values["targets"] or []))


def _close_group(actor, group, values, request) -> None:
    if values["closed_on"]:
        services.group_close(actor=actor, group=group, reason=values["reason"], closed_on=values["closed_on"],
                             request=request)


GROUPS = RegistrySpec(
    kind="groups", label="工作群登记", columns=GROUP_COLUMNS, required=("群名称", "建群单位", "平台", "建群日期"),
    parse=_parse_group, write=_write("group", GROUP_FIELDS, _create_group, _close_group),
    permission="burden.manage_groups", action="group.import",
    notes={
        "建群单位": "必填。单位代码或名称。",
        "群主": "选填。建群单位（含下属单位）在岗干部的姓名；没有群主会被标记“工作群无群主”。",
        "平台": f"必填。可填：{_labels(GroupPlatform.choices)}。",
        "入群基层单位": "选填。乡镇（街道）、村（社区）或网格的代码或名称，多个用顿号分隔；每个单位计一次工作群任务。",
        "建群日期": "必填。如 2024-03-18，不能晚于今天。",
        "任务结束日期": "选填。任务结束后次日起仍未解散会被标记。",
        "解散日期": "选填。已解散的群填写，同时填写解散原因。",
    },
)


# ---------------------------------------------------------------------------------------------
# Apps

APP_COLUMNS = {
    "应用名称": ("名称",), "主管单位": ("单位",), "使用对象": (), "强制打卡": (), "排名通报": (),
    "在线时长考核": (), "强制拍照上传": (), "功能说明": ("说明",), "登记日期": (), "使用的基层单位": ("基层单位",),
    "状态": (), "整改情况": (), "整改日期": ("整改（停用）日期", "停用日期"),
}
APP_FIELDS = {"name": "应用名称", "owner_unit": "主管单位", "users": "使用对象", "description": "功能说明",
              "registered_on": "登记日期", "target_units": "使用的基层单位", "status": "状态",
              "rectification": "整改情况", "rectified_on": "整改日期"}


def _parse_app(row: Row, ctx: ParseContext) -> dict | None:
    unit = ctx.unit(row, "主管单位")
    values = {
        "name": ctx.text(row, "应用名称", required=True, max_length=100),
        "owner_unit": unit,
        "users": ctx.choices(row, "使用对象", AppUser.choices),
        **{name: ctx.boolean(row, column) for name, column in
           (("forced_check_in", "强制打卡"), ("rankings", "排名通报"), ("online_time", "在线时长考核"),
            ("forced_photos", "强制拍照上传"))},
        "description": ctx.text(row, "功能说明", max_length=1000),
        "registered_on": ctx.date(row, "登记日期"),
        "targets": ctx.units(row, "使用的基层单位", kinds=TARGET_KINDS),
        "status": ctx.choice(row, "状态", AppStatus.choices, required=False) or AppStatus.IN_USE,
        "rectification": ctx.text(row, "整改情况", max_length=500),
        "rectified_on": ctx.date(row, "整改日期", required=False),
    }
    _owned(ctx, row, "主管单位", "app", unit)
    return values


def _create_app(actor, values, request):
    return services.app_create(actor=actor, request=request, data=services.AppData(
        name=values["name"], owner_unit=values["owner_unit"], registered_on=values["registered_on"],
        users=values["users"] or [], forced_check_in=bool(values["forced_check_in"]),
        rankings=bool(values["rankings"]), online_time=bool(values["online_time"]),
        forced_photos=bool(values["forced_photos"]), description=values["description"],
        targets=values["targets"] or [], status=values["status"], rectification=values["rectification"],
        rectified_on=values["rectified_on"]))


APPS = RegistrySpec(
    kind="apps", label="政务应用登记", columns=APP_COLUMNS, required=("应用名称", "主管单位", "登记日期"),
    parse=_parse_app, write=_write("app", APP_FIELDS, _create_app),
    permission="burden.manage_apps", action="app.import",
    notes={
        "主管单位": "必填。单位代码或名称。",
        "使用对象": f"选填，多个用顿号分隔。可填：{_labels(AppUser.choices)}。",
        "强制打卡": "填“是”或“否”（空为否）。在用的应用有此功能会被标记。",
        "排名通报": "填“是”或“否”（空为否）。",
        "在线时长考核": "填“是”或“否”（空为否）。",
        "强制拍照上传": "填“是”或“否”（空为否）。",
        "登记日期": "必填。如 2025-03-18，不能晚于今天。",
        "使用的基层单位": "选填。有强制打卡或强制拍照上传时，每个单位计一次打卡/留痕任务。",
        "状态": f"选填，空为在用。可填：{_labels(AppStatus.choices)}；已整改或已停用须填写整改情况和整改日期。",
    },
)

SPECS = {"meeting": MEETINGS, "group": GROUPS, "app": APPS}
