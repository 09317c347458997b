"""Admission (准入) of reports and data requests: submitting to the 督查室 and its review.

Shared by ``services.reports`` and ``services.data_requests``; the caller locks the row and
opens the transaction. Messages name the kind of object (``verbose_name``: 报表, 数据需求).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingzhuang.ledger import access
from qingzhuang.ledger.models import Admission, DataRequest, Report
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind

# "All villages and communities under …": the county or a township (street).
TARGET_PARENT_KINDS = (UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET)
TARGET_UNDER_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


def _noun(obj) -> str:
    return obj._meta.verbose_name


def require_manager(actor, obj) -> None:
    if not access.can_manage(actor, obj):
        raise PermissionDenied(f"只有提出{_noun(obj)}的部门可以这样做")


def require_approver(actor) -> None:
    if not access.can_approve(actor):
        raise PermissionDenied("只有督查室可以进行准入审批")


def ensure_sendable(obj: Report | DataRequest) -> None:
    """Nothing is asked of any unit before the 督查室 has admitted it."""
    if obj.admission != Admission.APPROVED:
        raise ValidationError(f"该{_noun(obj)}未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。")


def submit(*, actor, obj, action: str, request=None):
    require_manager(actor, obj)
    if not obj.is_editable:
        raise ValidationError(f"只有草稿或被驳回的{_noun(obj)}可以提交审批")
    before = {"admission": obj.admission}
    obj.admission = Admission.PENDING
    obj.submitted_at = timezone.now()
    obj.save(update_fields=["admission", "submitted_at", "updated_at"])
    audit.record(actor=actor, action=action, obj=obj, unit=obj.owner, before=before,
                 after={"admission": obj.admission}, request=request)
    return obj


def review(*, actor, obj, approve: bool, note: str, action_prefix: str, request=None):
    require_approver(actor)
    if obj.admission != Admission.PENDING:
        raise ValidationError(f"只有待审批的{_noun(obj)}可以审批")
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


def clean_targets(units: Iterable[Unit]) -> list[Unit]:
    units = list(dict.fromkeys(units))
    wrong = [u.name for u in units if u.kind not in GRASSROOTS_KINDS]
    if wrong:
        raise ValidationError({"target_units": f"填报单位只能是乡镇（街道）、村（社区）或网格：{'、'.join(wrong[:5])}"})
    return units


def resolve_targets(*, actor, codes: Iterable[str] = (), under: str = "") -> list[Unit]:
    """The one way unit codes become target units, for the pages and the API alike.

    ``under`` (optional) is the county or a township (street): every active village and community
    below it. ``codes`` are further units, each an active grassroots unit (乡镇（街道）、村（社区）、
    网格). Every unit must lie inside the actor's reach (``orgs.access.placing_paths``). Errors name
    the bad codes, under the key ``target_units``. Returns the units without duplicates, in order.
    """
    reach = org_access.placing_paths(actor)

    def within(unit: Unit) -> bool:
        return any(unit.path.startswith(p) for p in reach)

    def refuse(message: str, bad: Iterable[str]):
        raise ValidationError({"target_units": f"{message}：{'、'.join(list(bad)[:10])}"})

    units: list[Unit] = []
    under = (under or "").strip()
    if under:
        parent = Unit.objects.filter(code=under).first()
        if parent is None:
            refuse("没有这些单位代码", [under])
        if parent.kind not in TARGET_PARENT_KINDS or not parent.is_active:
            refuse("填报单位范围只能选择全县或某个乡镇（街道）", [under])
        if not within(parent):
            refuse("这些单位不在本单位可以下发的范围内", [under])
        units += list(Unit.objects.filter(kind__in=TARGET_UNDER_KINDS, is_active=True,
                                          path__startswith=parent.path).order_by("path"))
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if missing := [c for c in codes if c not in found]:
        refuse("没有这些单位代码", missing)
    listed = [found[c] for c in codes]
    if inactive := [u.code for u in listed if not u.is_active]:
        refuse("这些单位已停用，不能作为填报单位", inactive)
    if wrong := [u for u in listed if u.kind not in GRASSROOTS_KINDS]:
        refuse("填报单位只能是乡镇（街道）、村（社区）或网格", (f"{u.name}（{u.code}）" for u in wrong))
    if outside := [u.code for u in listed if not within(u)]:
        refuse("这些单位不在本单位可以下发的范围内", outside)
    return list(dict.fromkeys(units + listed))
