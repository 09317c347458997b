"""Admission (准入): 草稿 → 待审批 → 已批准 / 驳回, and the register statuses of what was admitted.

Any kind of request placed on grassroots units (a report, a data request, tomorrow an inspection
plan or a meeting) inherits ``AdmissionFields`` and goes through ``submit`` and ``review``. A
model says which permissions define and approve it (``DEFINE_PERMISSION``, ``APPROVE_PERMISSION``)
and names itself in messages by its ``verbose_name`` (报表, 数据需求). The caller opens the
transaction and locks the row; these steps validate, save and audit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from qingzhuang.orgs import audit


class Admission(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "驳回"


class RegisterStatus(models.TextChoices):
    KEEP = "keep", "保留"
    STOP = "stop", "停用"
    OPTIMISE = "optimise", "优化"
    INTEGRATE = "integrate", "接入"


class AdmissionFields(models.Model):
    """What every admitted request shares: owner, author, targets, admission and its review."""

    # Permissions (``app_label.codename``) of who defines such a request and who admits it.
    DEFINE_PERMISSION = ""
    APPROVE_PERMISSION = ""

    owner = models.ForeignKey("orgs.Unit", verbose_name="提出部门", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField("用途", blank=True)
    target_units = models.ManyToManyField("orgs.Unit", verbose_name="填报单位", blank=True, related_name="+")
    admission = models.CharField("准入状态", max_length=16, choices=Admission.choices, default=Admission.DRAFT)
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审批时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField("审批意见", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_approved(self) -> bool:
        return self.admission == Admission.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.admission in (Admission.DRAFT, Admission.REJECTED)


def noun(obj) -> str:
    return obj._meta.verbose_name


def can_define(user, model) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.unit_id
                and user.has_perm(model.DEFINE_PERMISSION))


def can_manage(user, obj: AdmissionFields) -> bool:
    """The defining department maintains, submits and sends its own requests."""
    return can_define(user, type(obj)) and obj.owner_id == user.unit_id


def can_approve(user, model) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(model.APPROVE_PERMISSION))


def require_manager(actor, obj: AdmissionFields) -> None:
    if not can_manage(actor, obj):
        raise PermissionDenied(f"只有提出{noun(obj)}的部门可以这样做")


def require_approver(actor, model) -> None:
    if not can_approve(actor, model):
        raise PermissionDenied("只有督查室可以进行准入审批")


def refusal(obj: AdmissionFields) -> str:
    """Why nothing may be asked of any unit for ``obj`` ("" once the 督查室 has admitted it)."""
    if obj.admission != Admission.APPROVED:
        return f"该{noun(obj)}未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。"
    return ""


def ensure_sendable(obj: AdmissionFields) -> None:
    """Nothing is asked of any unit before the 督查室 has admitted it."""
    if message := refusal(obj):
        raise ValidationError(message)


def submit(*, actor, obj: AdmissionFields, action: str, request=None):
    require_manager(actor, obj)
    if not obj.is_editable:
        raise ValidationError(f"只有草稿或被驳回的{noun(obj)}可以提交审批")
    before = {"admission": obj.admission}
    obj.admission = Admission.PENDING
    obj.submitted_at = timezone.now()
    obj.save(update_fields=["admission", "submitted_at", "updated_at"])
    audit.record(actor=actor, action=action, obj=obj, unit=obj.owner, before=before,
                 after={"admission": obj.admission}, request=request)
    return obj


def review(*, actor, obj: AdmissionFields, approve: bool, note: str, action_prefix: str, request=None):
    require_approver(actor, type(obj))
    if obj.admission != Admission.PENDING:
        raise ValidationError(f"只有待审批的{noun(obj)}可以审批")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "驳回时请写明理由"})
    before = {"admission": obj.admission}
    obj.admission = Admission.APPROVED if approve else Admission.REJECTED
    obj.reviewed_at, obj.reviewed_by, obj.review_note = timezone.now(), actor, note[:500]
    obj.save(update_fields=["admission", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    audit.record(actor=actor, action=f"{action_prefix}.{'approve' if approve else 'reject'}", obj=obj,
                 unit=obj.owner, before=before, after={"admission": obj.admission, "note": obj.review_note},
                 request=request)
    return obj
