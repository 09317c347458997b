"""Visits on grassroots units: one code per visit (一事一码), the cap counters that make issuing
race-safe, results recorded once (结果互认), anonymous evaluations and the verification log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qingzhuang.supervision.models.plans import MergeProposal, PlanItem, WindowKind


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待签发"  # planned, no code yet
    ISSUED = "issued", "已签发检查码"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"
    UNFILED = "unfiled", "未亮码检查"  # reported by the visited unit: came without a code


class Visit(models.Model):
    """One visit of one team to one grassroots unit on one date, covering one or more items.

    ``code`` is the visit's 检查码: 130 random bits written as 26 Crockford base-32 characters
    (``codes.new_code``), unique, empty until issued. ``cap_period`` is the month or quarter the
    visit counts in against the unit's cap ("2025-Q2"). ``beyond_reason`` is set when the unit is
    outside the items' targets (扩大范围). A visit the unit reports as unfiled has no items' code
    and ``reported_*`` fields instead."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="被检查单位", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("orgs.Unit", verbose_name="牵头部门", on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(PlanItem, verbose_name="检查事项", blank=True, related_name="visits")
    merge = models.ForeignKey(MergeProposal, verbose_name="合并检查", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="visits")
    team = models.CharField("检查组", max_length=200, blank=True)
    date = models.DateField("检查日期")
    valid_until = models.DateField("检查码有效期至")
    cap_period = models.CharField("计数周期", max_length=8, blank=True)
    status = models.CharField("状态", max_length=12, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    code = models.CharField("检查码", max_length=32, blank=True, default="", db_index=True)
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    beyond_reason = models.TextField("超出计划对象的说明", blank=True)
    reinspect_reason = models.TextField("重复检查的说明", blank=True)
    reported_note = models.TextField("未亮码情况", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "督查检查"
        verbose_name_plural = "督查检查"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="supervision_visit_code_unique"),
        ]
        permissions = [("record_result", "记录督查检查结果")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.date:%Y-%m-%d} 督查检查"


class CapRule(models.Model):
    """The county's cap for a year: at most ``limit`` visits per visited unit per month or
    quarter, all departments together. Without a row, ``QZ_VISIT_CAP`` applies (default "1/quarter",
    as in 嘉鱼: one comprehensive visit per quarter)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    period = models.CharField("周期", max_length=8, choices=WindowKind.choices, default=WindowKind.QUARTER)
    limit = models.PositiveSmallIntegerField("每个单位最多进门次数", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "频次上限"
        verbose_name_plural = "频次上限"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年 每个单位每{self.get_period_display()}最多 {self.limit} 次"


class CapSlot(models.Model):
    """How many codes were issued for ``unit`` in ``period``: issuing takes a slot with one
    conditional UPDATE (``used < limit``), so of several requests racing for the last slot exactly
    one changes the row, on SQLite and on PostgreSQL."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="supervision_capslot_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}: {self.used}"


class VisitResult(models.Model):
    """Findings and score of a visit, recorded once (结果互认): every department interested in the
    same unit sees it; there is no second result for a visit."""

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="result")
    findings = models.TextField("发现问题")
    conclusion = models.CharField("结论", max_length=200)
    score = models.DecimalField("评分", max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "督查检查结果"
        verbose_name_plural = "督查检查结果"

    def __str__(self) -> str:
        return f"{self.visit} 结果"


class Evaluation(models.Model):
    """An anonymous rating of a visit, given on the code page. Nothing about who rated is kept:
    no user, no address, no time finer than the day."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="evaluations")
    rating = models.PositiveSmallIntegerField("总体评价")  # 1..5
    burden_free = models.BooleanField("未要求准备材料、未陪同迎检")
    comment = models.TextField("意见建议", blank=True)
    on = models.DateField("日期")

    class Meta:
        verbose_name = "匿名评价"
        verbose_name_plural = "匿名评价"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.visit_id} 评价 {self.rating}"


class VerifyResult(models.TextChoices):
    VALID = "valid", "有效"
    UNKNOWN = "unknown", "无此检查码"
    NOT_ISSUED = "not_issued", "未签发"
    NOT_YET = "not_yet", "未到检查时间"
    EXPIRED = "expired", "已过期"
    CANCELLED = "cancelled", "已取消"
    DONE = "done", "已完成"
    OVER_CAP = "over_cap", "超过频次上限"
    OUT_OF_PLAN = "out_of_plan", "不在计划内"


class Verification(models.Model):
    """Every verification of a code (public page, command, API): the visit when the code matched,
    the answer given, the channel and a salted hash of the caller (never the address)."""

    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="verifications")
    result = models.CharField("结果", max_length=16, choices=VerifyResult.choices)
    channel = models.CharField("渠道", max_length=8)  # page, cli, api
    caller = models.CharField("来源", max_length=32, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "核验记录"
        verbose_name_plural = "核验记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"核验 {self.get_result_display()} {self.at:%Y-%m-%d %H:%M}"
