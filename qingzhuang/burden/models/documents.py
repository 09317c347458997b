"""The document registry (发文登记) and 一网协同 circulation.

A ``Document`` is one document a county unit issued: its 文号, kind (综合性/专项), length, whether
it demands materials back, the monitor's judgement that a notice would have done, and the
grassroots units it reaches (each reached unit is asked once through the burden seam). The rules
of 《整治形式主义为基层减负若干规定》 that one row decides are kept on the row (``flags``), so
lists filter "有问题的" fast; the yearly count rule (more documents than last year without a
written ``DocumentExplanation``) depends on other rows and is computed in ``queries_documents``.

A ``Circulation`` sends a document or a notice once to the units that need it; each recipient
unit has a ``CirculationReceipt`` (read by the first of its users who opens it) and the sender
may remind the units that have not read it (``CirculationReminder``, at most once a day).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DocumentKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合性"
    SPECIAL = "special", "专项"


# The longest 正文 of each kind (characters), from the 2024 rules.
MAX_CHARS = {DocumentKind.SPECIAL: 4000, DocumentKind.COMPREHENSIVE: 5000}

# Rule codes kept on a document (``Document.flags``) → (Chinese name, level of the alert).
DOCUMENT_RULES = {
    "document.special_too_long": ("专项文件超过4000字", "danger"),
    "document.comprehensive_too_long": ("综合性文件超过5000字", "danger"),
    "document.materials": ("文件要求基层报送材料", "warning"),
    "document.notice": ("可用通知代替", "warning"),
}
# The yearly rule, computed over the rows of two years.
OVER_LAST_YEAR = "document.over_last_year"
OVER_LAST_YEAR_NAME = "发文数量超过上年且未说明"


class Document(models.Model):
    """One document issued by a county unit (发文登记)."""

    issuer = models.ForeignKey("orgs.Unit", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("文号", max_length=60)  # canonical: 青农发〔2025〕12号
    title = models.CharField("标题", max_length=200)
    issued_on = models.DateField("印发日期")
    kind = models.CharField("文件类型", max_length=16, choices=DocumentKind.choices)
    chars = models.PositiveIntegerField("正文字数")
    demands_materials = models.BooleanField("要求报送材料", default=False)
    # The 减负监测员's or 督查室's judgement: a notice would have done.
    notice_would_do = models.BooleanField("可用通知代替", default=False)
    target_units = models.ManyToManyField("orgs.Unit", verbose_name="下发基层单位", blank=True, related_name="+")
    flags = models.JSONField("问题", default=list, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "发文"
        verbose_name_plural = "发文登记"
        ordering = ["-issued_on", "-id"]
        permissions = [("manage_documents", "登记发文"), ("judge_documents", "判定发文可用通知代替")]
        constraints = [models.UniqueConstraint(fields=["issuer", "number"], name="burden_document_unique_number")]
        indexes = [models.Index(fields=["issuer", "issued_on"], name="burden_document_issuer_idx"),
                   models.Index(fields=["issued_on"], name="burden_document_issued_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def flag_names(self) -> list[str]:
        return [DOCUMENT_RULES[code][0] for code in self.flags if code in DOCUMENT_RULES]


class DocumentExplanation(models.Model):
    """An issuer's written explanation of why it issued more documents in ``year`` than the year before."""

    issuer = models.ForeignKey("orgs.Unit", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("书面说明")
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="说明人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField("说明时间")

    class Meta:
        verbose_name = "发文数量说明"
        verbose_name_plural = "发文数量说明"
        ordering = ["-year", "issuer__path"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="burden_explanation_unique")]

    def __str__(self) -> str:
        return f"{self.year}年发文数量说明"


class CirculationKind(models.TextChoices):
    DOCUMENT = "document", "文件"
    NOTICE = "notice", "通知"


class Circulation(models.Model):
    """One sending of a document or a notice to several units (一网协同)."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    kind = models.CharField("类型", max_length=16, choices=CirculationKind.choices)
    sender = models.ForeignKey("orgs.Unit", verbose_name="发送单位", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发送人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("发送时间")
    # A 文件 is registered (发文登记) when it is sent; a 通知 is not.
    document = models.ForeignKey(Document, verbose_name="登记的发文", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="circulations")
    attachment = models.FileField("附件", upload_to="burden/circulations/%Y/%m/", blank=True)
    attachment_name = models.CharField("附件文件名", max_length=255, blank=True)

    class Meta:
        verbose_name = "协同发文"
        verbose_name_plural = "一网协同"
        ordering = ["-sent_at", "-id"]
        permissions = [("send_circulation", "一网协同发送文件和通知")]
        indexes = [models.Index(fields=["sender", "sent_at"], name="burden_circ_sender_idx"),
                   models.Index(fields=["sent_at"], name="burden_circ_sent_idx")]

    def __str__(self) -> str:
        return self.title


class CirculationReceipt(models.Model):
    """One recipient unit of a circulation; read when the first of its users opens it."""

    circulation = models.ForeignKey(Circulation, verbose_name="协同发文", on_delete=models.CASCADE,
                                    related_name="receipts")
    unit = models.ForeignKey("orgs.Unit", verbose_name="收文单位", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="阅读人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "收文回执"
        verbose_name_plural = "收文回执"
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["circulation", "unit"], name="burden_receipt_unique")]
        indexes = [models.Index(fields=["unit", "read_at"], name="burden_receipt_unit_idx")]

    def __str__(self) -> str:
        return f"{self.circulation}：{self.unit}"


class CirculationReminder(models.Model):
    """A 催阅 of the units that had not read a circulation (at most one per circulation a day)."""

    circulation = models.ForeignKey(Circulation, verbose_name="协同发文", on_delete=models.CASCADE,
                                    related_name="reminders")
    on = models.DateField("催阅日期")
    sent_at = models.DateTimeField("催阅时间")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催阅人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField("orgs.Unit", verbose_name="催阅单位", related_name="+")

    class Meta:
        verbose_name = "催阅"
        verbose_name_plural = "催阅"
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["circulation", "on"], name="burden_reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.circulation} 催阅（{self.on}）"
