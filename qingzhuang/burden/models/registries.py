"""Registries of what the county asks of grassroots units besides reports: meetings (会议登记),
work groups (工作群) and government apps (政务应用), each checked against the rules of
《整治形式主义为基层减负若干规定》.

Each entry keeps the codes of the rules it breaks on its own row (``flags``, recomputed by its
service on every save, and ``flagged`` for a fast filter); rules that depend on other rows (a
second 综合性 meeting of one system in a year) or on the day (a group past its task end) are
computed in ``queries_registries``. Entries reaching grassroots units place demands through the
burden seam (``services.demand_place``), whose rows point back here (``Demand.source``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MeetingKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合性"
    SPECIAL = "special", "专项"
    VIDEO = "video", "视频会议"
    OTHER = "other", "其他"


class AttendLevel(models.TextChoices):
    """Who a meeting requires to attend; each level belongs to one tier (``LEVEL_TIERS``)."""

    COUNTY_LEADER = "county_leader", "县级领导"
    DEPARTMENT_HEAD = "department_head", "部门主要负责人"
    DEPARTMENT_DEPUTY = "department_deputy", "部门分管负责人"
    TOWNSHIP_HEAD = "township_head", "乡镇（街道）主要负责人"
    TOWNSHIP_DEPUTY = "township_deputy", "乡镇（街道）分管负责人"
    VILLAGE_HEAD = "village_head", "村（社区）书记/主任"
    VILLAGE_OTHER = "village_other", "村（社区）其他干部"


# The tier of each level: 县级, 部门, 乡镇（街道）, 村（社区）.
LEVEL_TIERS = {
    AttendLevel.COUNTY_LEADER: "county",
    AttendLevel.DEPARTMENT_HEAD: "department", AttendLevel.DEPARTMENT_DEPUTY: "department",
    AttendLevel.TOWNSHIP_HEAD: "township", AttendLevel.TOWNSHIP_DEPUTY: "township",
    AttendLevel.VILLAGE_HEAD: "village", AttendLevel.VILLAGE_OTHER: "village",
}
# Levels that are grassroots cadres (a meeting's person-hours count them).
GRASSROOTS_LEVELS = (AttendLevel.TOWNSHIP_HEAD, AttendLevel.TOWNSHIP_DEPUTY, AttendLevel.VILLAGE_HEAD,
                     AttendLevel.VILLAGE_OTHER)


class Meeting(models.Model):
    """One meeting a county unit held (or holds), with who had to attend."""

    organiser = models.ForeignKey("orgs.Unit", verbose_name="召开单位", on_delete=models.PROTECT, related_name="+")
    # The line (系统) the organiser belongs to: 组织、宣传、政法、农业农村、教育 … (default: its name).
    system = models.CharField("所属系统", max_length=50)
    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("会议日期")
    minutes = models.PositiveIntegerField("会议时长（分钟）")
    kind = models.CharField("会议类型", max_length=16, choices=MeetingKind.choices)
    levels = models.JSONField("要求参会人员", default=list)
    report_minutes = models.PositiveIntegerField("主报告时长（分钟）", default=0)
    targets = models.ManyToManyField("orgs.Unit", verbose_name="参会基层单位", blank=True, related_name="+")
    note = models.CharField("备注", max_length=500, blank=True)
    flags = models.JSONField("问题", default=list)
    flagged = models.BooleanField("有问题", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "-id"]
        permissions = [("manage_meetings", "登记和更正会议")]
        indexes = [
            models.Index(fields=["held_on"], name="burden_meeting_held_idx"),
            models.Index(fields=["system", "kind", "held_on"], name="burden_meeting_system_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organiser.name} {self.title}" if self.organiser_id else self.title

    @property
    def unit(self):
        """The unit responsible (the audit log files the entry under it)."""
        return self.organiser

    def audit_dict(self) -> dict:
        return {
            "organiser": self.organiser.code, "system": self.system, "title": self.title,
            "held_on": self.held_on.isoformat(), "minutes": self.minutes, "kind": self.kind,
            "levels": list(self.levels), "report_minutes": self.report_minutes, "note": self.note,
            "flags": list(self.flags),
        }


class GroupPlatform(models.TextChoices):
    WECHAT = "wechat", "微信"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    GOV = "gov", "政务协同平台"
    QQ = "qq", "QQ"
    OTHER = "other", "其他"


class WorkGroup(models.Model):
    """A work group (工作群) a unit set up to reach cadres, until it is dissolved (关闭)."""

    name = models.CharField("群名称", max_length=100)
    owner = models.ForeignKey("orgs.Person", verbose_name="群主", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name="建群单位", on_delete=models.PROTECT, related_name="+")
    platform = models.CharField("平台", max_length=16, choices=GroupPlatform.choices)
    purpose = models.CharField("建群事由", max_length=500, blank=True)
    member_count = models.PositiveIntegerField("群成员数", default=0)
    targets = models.ManyToManyField("orgs.Unit", verbose_name="入群基层单位", blank=True, related_name="+")
    created_on = models.DateField("建群日期")
    task_ends_on = models.DateField("任务结束日期", null=True, blank=True)
    closed_on = models.DateField("解散日期", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="解散人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    close_reason = models.CharField("解散原因", max_length=200, blank=True)
    flags = models.JSONField("问题", default=list)
    flagged = models.BooleanField("有问题", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "工作群"
        verbose_name_plural = "工作群"
        ordering = ["-created_on", "-id"]
        permissions = [("manage_groups", "登记、更正和解散工作群")]
        indexes = [
            models.Index(fields=["created_on"], name="burden_group_created_idx"),
            models.Index(fields=["closed_on"], name="burden_group_closed_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self):
        return self.owner_unit

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def audit_dict(self) -> dict:
        return {
            "name": self.name, "owner": self.owner.name if self.owner_id else None,
            "owner_unit": self.owner_unit.code, "platform": self.platform, "purpose": self.purpose,
            "member_count": self.member_count, "created_on": self.created_on.isoformat(),
            "task_ends_on": self.task_ends_on.isoformat() if self.task_ends_on else None,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "close_reason": self.close_reason, "flags": list(self.flags),
        }


class AppUser(models.TextChoices):
    """Who must use an app."""

    DEPARTMENT = "department", "部门"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"
    GRID = "grid", "网格员"
    PUBLIC = "public", "群众"


class AppStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    RECTIFIED = "rectified", "已整改"
    STOPPED = "stopped", "已停用"


# The features the rules forbid in an app that is in use: (field, rule code, Chinese rule name).
APP_FEATURES = (
    ("forced_check_in", "app.forced_check_in", "政务应用强制打卡"),
    ("rankings", "app.rankings", "政务应用排名通报"),
    ("online_time", "app.online_time", "政务应用在线时长考核"),
    ("forced_photos", "app.forced_photos", "政务应用强制拍照上传"),
)


class GovApp(models.Model):
    """A government app (政务应用, 小程序, 公众号 …) grassroots cadres are asked to use."""

    name = models.CharField("应用名称", max_length=100)
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name="主管单位", on_delete=models.PROTECT, related_name="+")
    users = models.JSONField("使用对象", default=list)
    forced_check_in = models.BooleanField("强制打卡", default=False)
    rankings = models.BooleanField("排名通报", default=False)
    online_time = models.BooleanField("在线时长考核", default=False)
    forced_photos = models.BooleanField("强制拍照上传", default=False)
    description = models.CharField("功能说明", max_length=1000, blank=True)
    registered_on = models.DateField("登记日期")
    targets = models.ManyToManyField("orgs.Unit", verbose_name="使用的基层单位", blank=True, related_name="+")
    status = models.CharField("状态", max_length=16, choices=AppStatus.choices, default=AppStatus.IN_USE)
    rectification = models.CharField("整改情况", max_length=500, blank=True)
    rectified_on = models.DateField("整改（停用）日期", null=True, blank=True)
    flags = models.JSONField("问题", default=list)
    flagged = models.BooleanField("有问题", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "政务应用"
        verbose_name_plural = "政务应用"
        ordering = ["-registered_on", "-id"]
        permissions = [("manage_apps", "登记和更正政务应用")]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self):
        return self.owner_unit

    def audit_dict(self) -> dict:
        return {
            "name": self.name, "owner_unit": self.owner_unit.code, "users": list(self.users),
            **{name: getattr(self, name) for name, _, _ in APP_FEATURES},
            "description": self.description, "registered_on": self.registered_on.isoformat(),
            "status": self.status, "rectification": self.rectification,
            "rectified_on": self.rectified_on.isoformat() if self.rectified_on else None, "flags": list(self.flags),
        }


# Every rule code of the three registries and its Chinese name (alerts, badges, filters).
RULE_NAMES = {
    "meeting.second_comprehensive": "同一系统一年召开第二次综合性会议",
    "meeting.long_report": "主报告超过1小时",
    "meeting.layered": "层层陪会",
    "group.no_owner": "工作群无群主",
    "group.not_dissolved": "任务已结束但工作群未解散",
    **{code: name for _, code, name in APP_FEATURES},
}
