"""Demands: every ask placed on a grassroots unit, whatever placed it.

A ``Demand`` is one ask of one unit: a sending of a report, a data request's remaining fields,
and next an inspection, a meeting, a document, a work group, a check-in or a duty admission. Its
source is generic (``source_type`` + ``source_id``), so this app knows nothing of the modules
above it; ``kind`` says what it is, ``title`` keeps the source's name as it was when placed and
``placed_by`` the unit that asked. Demands are written only by ``services.demand_place`` (in the
transaction of whatever places them) and filled by ``services.demand_fill``. The per-unit burden
ledger counts them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models


class DemandKind(models.TextChoices):
    REPORT = "report", "报表"
    DATA_REQUEST = "data_request", "数据需求"
    INSPECTION = "inspection", "督查检查"
    MEETING = "meeting", "会议"
    DOCUMENT = "document", "文件"
    WORK_GROUP = "work_group", "工作群"
    CHECK_IN = "check_in", "打卡/留痕"
    DUTY_ADMISSION = "duty_admission", "职责准入"
    OTHER = "other", "其他"


class DemandStatus(models.TextChoices):
    PENDING = "pending", "待填报"
    FILLED = "filled", "已填报"
    # An ask with nothing to fill here (a meeting to attend, a document to carry out, a group to
    # join): it counts in the burden ledger, and there is no fill to do on this platform.
    COUNTED = "counted", "无需填报"


# Estimated person-hours one ask of each kind costs the asked unit, until a county sets its own
# (``BurdenWeight``; the 减负 office edits them on the weights page).
DEFAULT_HOURS = {
    "report": Decimal("2"), "data_request": Decimal("1.5"), "inspection": Decimal("8"), "meeting": Decimal("3"),
    "document": Decimal("1"), "work_group": Decimal("0.5"), "check_in": Decimal("0.5"),
    "duty_admission": Decimal("4"), "other": Decimal("1"),
}


class Demand(models.Model):
    """One ask placed on one unit."""

    kind = models.CharField("类型", max_length=20, choices=DemandKind.choices)
    source_type = models.ForeignKey("contenttypes.ContentType", verbose_name="来源类型", on_delete=models.PROTECT,
                                    related_name="+")
    source_id = models.PositiveBigIntegerField("来源编号")
    source = GenericForeignKey("source_type", "source_id")
    unit = models.ForeignKey("orgs.Unit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="demands")
    placed_by = models.ForeignKey("orgs.Unit", verbose_name="提出单位", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("内容", max_length=200)
    # The month the demand counts in ("2025-06"): the source's own date when it has one (a
    # meeting's day, a document's date), else the local month when it was placed. The ledger
    # counts years and months by it.
    month = models.CharField("所属月份", max_length=7)
    # The period a report sending is for ("2025-06"); blank when a source asks once.
    round = models.CharField("填报期次", max_length=20, blank=True)
    fields = models.JSONField("填报字段", default=list)
    status = models.CharField("状态", max_length=16, choices=DemandStatus.choices, default=DemandStatus.PENDING)
    # Estimated person-hours this ask costs the unit: the kind's weight (``BurdenWeight``) unless
    # the source gave its own estimate (``hours_fixed``, e.g. a meeting's length × people asked).
    hours = models.DecimalField("估算工时（人·小时）", max_digits=8, decimal_places=2, default=Decimal(0))
    hours_fixed = models.BooleanField("工时由来源估算", default=False)
    due_date = models.DateField("截止日期", null=True, blank=True)
    data = models.JSONField("填报内容", default=dict, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("下发时间", auto_now_add=True)
    filled_at = models.DateTimeField("填报时间", null=True, blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ["-created_at", "-id"]
        permissions = [("fill_demand", "填报派给本单位的任务")]
        constraints = [
            # One ask per source, unit and round (a source that asks once has a blank round).
            models.UniqueConstraint(fields=["source_type", "source_id", "unit", "round"],
                                    name="burden_demand_unique_round"),
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="burden_demand_source_idx"),
            # The burden ledger counts a unit's demands of one year (and of one month).
            models.Index(fields=["unit", "created_at"], name="burden_demand_unit_created_idx"),
            models.Index(fields=["unit", "month"], name="burden_demand_unit_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.round}）" if self.round else self.title

    @property
    def label(self) -> str:
        """"报表：走访月报" — what was asked, as lists show it."""
        return f"{self.get_kind_display()}：{self.title}"


class BurdenWeight(models.Model):
    """Estimated person-hours one ask of a kind costs the asked unit (one row per kind)."""

    kind = models.CharField("类型", max_length=20, choices=DemandKind.choices, unique=True)
    hours = models.DecimalField("每项估算工时（人·小时）", max_digits=6, decimal_places=2)
    note = models.CharField("估算依据", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "工时权重"
        verbose_name_plural = "工时权重"
        ordering = ["id"]
        permissions = [("manage_weights", "修改各类任务的估算工时")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.hours} 人·小时"
