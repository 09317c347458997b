"""Reads of the annual plan and merges: the filtered list of a year's items, the xlsx export, and
the visits avoided by merging as burden removed (``burden.queries.register_removed``)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import Count, QuerySet

from qingzhuang.burden.admission import Admission
from qingzhuang.burden.models import DemandKind
from qingzhuang.burden.queries import Removed
from qingzhuang.burden.services import weights
from qingzhuang.lib import tables
from qingzhuang.orgs.models import UnitKind
from qingzhuang.supervision import access, windows, years
from qingzhuang.supervision.models import MergeProposal, MergeStatus, PlanItem
from qingzhuang.supervision.services.plans import NO_MATERIALS

KIND_NAMES = dict(UnitKind.choices)


def default_year() -> int:
    """The year the plan pages open on: this year, or the latest year with items while this year
    has none yet."""
    return years.default_year(PlanItem.objects.all(), "year")


def items_list(user, *, year: int | None = None, owner=None, kind: str = "", window: str = "",
               status: str = "") -> QuerySet:
    """The items ``user`` sees, filtered (each filter optional)."""
    qs = access.visible_items(user)
    if year is not None:
        qs = qs.filter(year=year)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if kind:
        qs = qs.filter(kind=kind)
    if window:
        qs = qs.filter(window=window)
    if status:
        qs = qs.filter(admission=status)
    return qs.annotate(n_visits=Count("visits", distinct=True)).order_by("window_start", "owner__path", "pk")


def targets_words(item: PlanItem) -> str:
    """"全部乡镇、甲村" — the item's targets in words."""
    parts = [f"全部{KIND_NAMES.get(k, k)}" for k in item.target_kinds or []]
    parts += [u.name for u in item.target_units.all()]
    return "、".join(parts) or "—"


def materials_words(item: PlanItem) -> str:
    return item.materials or NO_MATERIALS


EXPORT_HEADERS = ("名称", "提出部门", "类别", "检查事项", "依据", "检查对象", "时间窗口", "方式",
                  "要求提供的材料", "计划内外", "计划外事由", "状态", "已安排检查（次）")


def export_xlsx(qs: QuerySet, *, year: int | None) -> io.BytesIO:
    """The items as one sheet (cells a spreadsheet would run are written as text)."""
    rows = ([i.title, i.owner.name, i.get_kind_display(), i.matter, i.basis, targets_words(i), windows.words(i.window),
             i.get_method_display(), materials_words(i), "计划内" if i.in_plan else "计划外（一事一报）", i.oneoff_reason,
             i.get_admission_display(), i.n_visits]
            for i in qs.prefetch_related("target_units"))
    buffer = io.BytesIO()
    tables.write_xlsx(buffer, EXPORT_HEADERS, rows, sheet_title=f"{year}年督查检查计划" if year else "督查检查计划")
    buffer.seek(0)
    return buffer


def review_queue(user) -> QuerySet:
    return access.visible_items(user).filter(admission=Admission.PENDING).order_by("submitted_at", "pk")


def merges_list(user, *, year: int | None = None, status: str = "") -> QuerySet:
    qs = access.visible_merges(user)
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("items__owner", "units").order_by("status", "window_start", "pk")


def visits_saved(*, year: int) -> int:
    """Visits avoided in ``year`` by accepted merges whose common window starts in it."""
    return sum(MergeProposal.objects.filter(status=MergeStatus.ACCEPTED, window_start__year=year)
               .values_list("visits_saved", flat=True))


def merges_removed(*, year: int) -> list[Removed]:
    """Burden removed by merging (``burden.queries.removed_burden``): the visits avoided, each worth
    the inspection weight in person-hours."""
    count = visits_saved(year=year)
    if not count:
        return []
    weight = weights()[DemandKind.INSPECTION]
    return [Removed(label="合并检查减少进门", count=count, hours=Decimal(count) * weight, unit="次",
                    note=(f"{year}年督查室采纳的合并检查建议中，几个事项由一个检查组一次完成，少进基层单位的门"
                          f"（（合并事项数 − 1）× 共同检查对象数）；每次按督查检查 {weight} 人·小时折算。"))]


def todos(user) -> list:
    """Workbench to-dos of the plan: items waiting for approval and merges to decide (the 督查室);
    rejected items to correct (the department)."""
    from django.urls import reverse

    from qingzhuang.registry import Todo

    found = []
    if access.runs_plan(user):
        if pending := access.visible_items(user).filter(admission=Admission.PENDING).count():
            found.append(Todo("项督查检查事项待审批", pending, reverse("supervision:review_queue"), tone="warning"))
        if proposed := access.visible_merges(user).filter(status=MergeStatus.PROPOSED).count():
            found.append(Todo("条合并检查建议待决定", proposed, reverse("supervision:merge_list") + "?status=proposed"))
    unit = access.proposing_unit(user)
    if unit is not None and (rejected := PlanItem.objects.filter(owner=unit, admission=Admission.REJECTED).count()):
        found.append(Todo("项督查检查事项被驳回待修改", rejected, reverse("supervision:plan_list") + "?status=rejected",
                          tone="danger"))
    return found
