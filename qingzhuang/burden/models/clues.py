"""码上减负: clue reports about formalism burdens, their triage, rectification and result.

A clue is a complaint about demands, not a demand: nothing here places one. An anonymous clue
keeps nothing that could identify its reporter: no account, no address, no browser, no session;
its evidence files are stored under random names without their metadata (``lib.uploads``). The
reporter follows it by a receipt code, of which only a hash is stored.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from qingzhuang.orgs.models import Unit


class ClueCategory(models.TextChoices):
    MULTI_REPORTING = "multi_reporting", "多头填报"
    DUPLICATE_REPORTS = "duplicate_reports", "重复报表"
    EXCESSIVE_TRACES = "excessive_traces", "过度留痕"
    FORCED_CHECK_IN = "forced_check_in", "强制打卡"
    TOO_MANY_INSPECTIONS = "too_many_inspections", "督查过多"
    TOO_MANY_MEETINGS = "too_many_meetings", "会议过多"
    TOO_MANY_DOCUMENTS = "too_many_documents", "文件过多"
    OTHER = "other", "其他"


class ClueStatus(models.TextChoices):
    PENDING = "pending", "待受理"
    ACCEPTED = "accepted", "已受理（整改中）"
    RECTIFIED = "rectified", "已整改（待核实）"
    CLOSED = "closed", "已办结"
    DISMISSED = "dismissed", "不予受理"


class ClueResult(models.TextChoices):
    CONFIRMED = "confirmed", "属实已整改"
    PARTLY = "partly", "部分属实"
    UNFOUNDED = "unfounded", "不属实"


class ClueAction(models.TextChoices):
    SUBMIT = "submit", "提交线索"
    ACCEPT = "accept", "受理并交办"
    DISMISS = "dismiss", "不予受理"
    RECTIFY = "rectify", "报送整改情况"
    RETURN = "return", "退回继续整改"
    CLOSE = "close", "办结"


class Clue(models.Model):
    # sha256 of the receipt code (the code itself is shown once and never stored).
    receipt_hash = models.CharField("回执码摘要", max_length=64, unique=True, editable=False)
    category = models.CharField("问题类型", max_length=32, choices=ClueCategory.choices)
    description = models.TextField("问题描述")
    placed_by = models.ForeignKey(Unit, verbose_name="施加负担的单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="clues_placed")
    suffered_by = models.ForeignKey(Unit, verbose_name="承受负担的基层单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="clues_suffered")
    # Only when the reporter chose to report in their name; an anonymous clue has none.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反映人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="clues")
    status = models.CharField("状态", max_length=16, choices=ClueStatus.choices, default=ClueStatus.PENDING,
                              db_index=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    responsible = models.ForeignKey(Unit, verbose_name="责任单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="clues_responsible")
    deadline = models.DateField("整改期限", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    rectified_at = models.DateTimeField("整改报送时间", null=True, blank=True)
    # The latest rectification came after the deadline (逾期整改).
    rectified_late = models.BooleanField("逾期整改", default=False)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.CharField("核实结果", max_length=16, choices=ClueResult.choices, blank=True)
    # Published to the reporter: why it was not accepted, or the result of its handling.
    public_reply = models.TextField("答复（向反映人公开）", blank=True)

    class Meta:
        verbose_name = "减负线索"
        verbose_name_plural = "减负线索"
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("triage_clue", "受理、交办、办结减负线索"),
            ("rectify_clue", "报送本单位减负线索的整改情况"),
        ]

    def __str__(self) -> str:
        return f"减负线索 {self.pk}（{self.get_category_display()}）"

    @property
    def number(self) -> str:
        """The clue's number for staff: year and id (the receipt code is the reporter's)."""
        return f"JF{timezone.localtime(self.submitted_at):%Y}-{self.pk:05d}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """逾期: still being rectified after its deadline, or its rectification came late. The
        deadline day itself is in time."""
        if self.rectified_late:
            return True
        today = today or timezone.localdate()
        return self.status == ClueStatus.ACCEPTED and self.deadline is not None and self.deadline < today


class ClueEvent(models.Model):
    """One step of a clue's handling, in order: who (staff only) did what, when, and what they
    wrote. ``note`` is internal; ``public`` is what the reporter may read on the tracking page."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16, choices=ClueAction.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="办理单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    note = models.TextField("内部说明", blank=True)
    public = models.TextField("公开答复", blank=True)
    status = models.CharField("办理后状态", max_length=16, choices=ClueStatus.choices)
    deadline = models.DateField("整改期限", null=True, blank=True)
    late = models.BooleanField("逾期", default=False)

    class Meta:
        verbose_name = "线索办理记录"
        verbose_name_plural = "线索办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


def _evidence_path(instance, filename: str) -> str:
    # The name was made random by the service; only the month of the upload is added.
    return f"burden/clues/{timezone.localtime():%Y/%m}/{filename}"


class ClueFile(models.Model):
    """Evidence: of the report (``event`` is its submission) or of a rectification. Stored under a
    random name; the uploader's file name is not kept."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(ClueEvent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=_evidence_path)
    kind = models.CharField("类型", max_length=8)  # lib.uploads kinds: jpeg, png, webp, pdf
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "线索佐证材料"
        verbose_name_plural = "线索佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"佐证材料 {self.pk}"

    @property
    def is_photo(self) -> bool:
        return self.kind in ("jpeg", "png", "webp")
