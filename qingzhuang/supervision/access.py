"""Who sees what of the supervision app: every ``visible_*`` and ``get_*_or_404``, built on
``orgs.access`` predicates. Something outside the user's scope answers like something missing (404).
Each part keeps its functions in its own section."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.burden.admission import Admission
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit

# --- plans ------------------------------------------------------------------------------------

PROPOSE_ITEM = "supervision.propose_item"
APPROVE_ITEM = "supervision.approve_item"
ITEM_NOT_FOUND = "没有这个督查检查事项，或不在您的查看范围内"
MERGE_NOT_FOUND = "没有这条合并检查建议，或不在您的查看范围内"


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_items(user) -> bool:
    """The county's 督查室, leaders and monitors (county-wide users) see every plan item."""
    return _authenticated(user) and org_access.oversees_county(user)


def runs_plan(user) -> bool:
    """The county's 督查室: approves items, records the year's explanation, decides merges."""
    return _authenticated(user) and user.has_perm(APPROVE_ITEM) and org_access.oversees_county(user)


def proposing_unit(user) -> Unit | None:
    """The department ``user`` proposes items for: their own unit, when it is not a grassroots unit
    and they hold the permission to propose."""
    if not _authenticated(user) or not user.unit_id or not user.has_perm(PROPOSE_ITEM):
        return None
    unit = Unit.objects.filter(pk=user.unit_id).exclude(kind__in=GRASSROOTS_KINDS).first()
    return unit


def _targeting_ids(user) -> list[int]:
    """Approved items that target a unit of the user's scope: listed, or of its unit's kind."""
    from qingzhuang.supervision.models import PlanItem

    listed = PlanItem.target_units.through.objects.filter(org_access.unit_q(user, "unit")).values_list(
        "planitem_id", flat=True)
    ids = set(PlanItem.objects.filter(admission=Admission.APPROVED, pk__in=listed).values_list("pk", flat=True))
    kind = Unit.objects.filter(pk=user.unit_id).values_list("kind", flat=True).first() if user.unit_id else None
    if kind in GRASSROOTS_KINDS:
        for pk, kinds in PlanItem.objects.filter(admission=Admission.APPROVED).values_list("pk", "target_kinds"):
            if kind in (kinds or []):
                ids.add(pk)
    return sorted(ids)


def visible_items(user) -> QuerySet:
    """Every item for those who see all; a department its own items; a grassroots user the approved
    items that target their unit (or a unit below it)."""
    from qingzhuang.supervision.models import PlanItem

    qs = PlanItem.objects.select_related("owner")
    if not _authenticated(user):
        return qs.none()
    if sees_all_items(user):
        return qs
    mine = Q(owner_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return qs.filter(mine | Q(pk__in=_targeting_ids(user)))


def get_item_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import PlanItem

    try:
        return visible_items(user).get(pk=pk)
    except (PlanItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(ITEM_NOT_FOUND) from None


def can_edit_item(user, item) -> bool:
    unit = proposing_unit(user)
    return unit is not None and item.owner_id == unit.pk and item.is_editable


def visible_merges(user) -> QuerySet:
    """Merge proposals are the 督查室's (and county-wide users') to see."""
    from qingzhuang.supervision.models import MergeProposal

    if not sees_all_items(user):
        return MergeProposal.objects.none()
    return MergeProposal.objects.select_related("lead")


def get_merge_or_404(user, pk) -> object:
    from qingzhuang.supervision.models import MergeProposal

    try:
        return visible_merges(user).get(pk=pk)
    except (MergeProposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(MERGE_NOT_FOUND) from None
