"""The annual plan of 督查检查考核: items that departments propose and the 督查室 admits, the year's
total against last year's (只减不增), one-off items outside the plan (一事一报) and merge proposals
(一支队伍一次完成)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qingzhuang.burden.admission import AdmissionFields


class ItemKind(models.TextChoices):
    SUPERVISE = "supervise", "督查"
    INSPECT = "inspect", "检查"
    ASSESS = "assess", "考核"


class WindowKind(models.TextChoices):
    MONTH = "month", "月"
    QUARTER = "quarter", "季度"


class Method(models.TextChoices):
    ONSITE = "onsite", "实地督查检查"
    FOUR_NOTS = "four_nots", "四不两直"
    DESK = "desk", "书面调阅（系统内查数）"
    ONLINE = "online", "线上核查"
    TALK = "talk", "座谈走访"


class PlanYear(models.Model):
    """A year's plan as a whole: when the year's approved total exceeds last year's, the written
    explanation the 督查室 recorded before approving beyond it (只减不增)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    explanation = models.TextField("超过上年总数的说明", blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="说明人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField("说明时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度督查检查计划"
        verbose_name_plural = "年度督查检查计划"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度督查检查考核计划"


class PlanItem(AdmissionFields):
    """One 督查/检查/考核 item. ``in_plan`` items form the annual plan; an item outside it (一事一报)
    carries its reason and needs its own approval. Targets are units (``target_units``) and/or unit
    kinds (``target_kinds``: every active unit of those kinds). ``matter`` names the matter checked
    (安全生产, 耕地保护 …): the same owner's items on one matter in one window are 拆分执行, and a
    second department's visit on a matter already recorded in the window must explain (结果互认)."""

    DEFINE_PERMISSION = "supervision.propose_item"
    APPROVE_PERMISSION = "supervision.approve_item"

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("名称", max_length=200)
    basis = models.CharField("依据", max_length=300)
    kind = models.CharField("类别", max_length=16, choices=ItemKind.choices)
    matter = models.CharField("检查事项", max_length=50)
    target_kinds = models.JSONField("对象类型", default=list, blank=True)  # orgs.UnitKind values
    window_kind = models.CharField("时间窗口", max_length=8, choices=WindowKind.choices)
    window = models.CharField("窗口", max_length=8)  # "2025-06" or "2025-Q2"
    window_start = models.DateField("窗口开始")
    window_end = models.DateField("窗口结束")
    method = models.CharField("方式", max_length=16, choices=Method.choices, default=Method.ONSITE)
    materials = models.TextField("要求提供的材料", blank=True, default="")  # none by default
    in_plan = models.BooleanField("列入年度计划", default=True)
    oneoff_reason = models.TextField("计划外事由（一事一报）", blank=True)

    class Meta:
        verbose_name = "督查检查事项"
        verbose_name_plural = "督查检查事项"
        ordering = ["-year", "window_start", "id"]
        permissions = [
            ("propose_item", "提出督查检查考核事项"),
            ("approve_item", "审批督查检查计划、签发检查码"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.window}）"


class MergeStatus(models.TextChoices):
    PROPOSED = "proposed", "待决定"
    ACCEPTED = "accepted", "已合并"
    REJECTED = "rejected", "不合并"


class MergeProposal(models.Model):
    """Items whose targets and windows overlap, proposed as joint visits: one team, one date,
    several items, one code per common unit. Accepting creates the joint visits; the visits it saves
    (items − 1 per common unit) are burden removed."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    items = models.ManyToManyField(PlanItem, verbose_name="合并事项", related_name="merge_proposals")
    units = models.ManyToManyField("orgs.Unit", verbose_name="共同对象", related_name="+")
    window_start = models.DateField("共同窗口开始")
    window_end = models.DateField("共同窗口结束")
    key = models.CharField("事项组合", max_length=200, unique=True)  # sorted item ids, "12,15,31"
    status = models.CharField("状态", max_length=12, choices=MergeStatus.choices, default=MergeStatus.PROPOSED)
    lead = models.ForeignKey("orgs.Unit", verbose_name="牵头部门", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    team = models.CharField("联合检查组", max_length=200, blank=True)
    visit_date = models.DateField("检查日期", null=True, blank=True)
    visits_saved = models.PositiveIntegerField("减少进门次数", default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    note = models.CharField("意见", max_length=500, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "合并检查建议"
        verbose_name_plural = "合并检查建议"
        ordering = ["-year", "window_start", "id"]

    def __str__(self) -> str:
        return f"合并检查建议 {self.key}"
