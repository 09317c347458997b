"""Who sees which demands and whose burden ledger. Every demand query and page scopes through here.

- Demands: a user sees the demands on units of their scope (``orgs.access``), and those their own
  unit placed; county-wide users and the county 督查室 see every one (``sees_all_demands``).
- The burden ledger: the grassroots units of the same scope.
- Filling: the ``burden.fill_demand`` permission and the
  demand's unit inside one's scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.burden.models import Demand
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit

FILL_PERMISSION = "burden.fill_demand"


def sees_all_demands(user) -> bool:
    """County-wide users and the county 督查室 see every demand (``orgs.access.oversees_county``)."""
    return org_access.oversees_county(user)


def visible_demands(user) -> QuerySet[Demand]:
    """Demands on units of one's scope, and those one's unit placed."""
    qs = Demand.objects.select_related("unit", "placed_by")
    if sees_all_demands(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    own = Q(placed_by_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return qs.filter(org_access.unit_q(user, "unit") | own)


def get_demand_or_404(user, pk: int) -> Demand:
    try:
        return visible_demands(user).get(pk=pk)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该填报任务") from None


def can_fill_demand(user, demand: Demand) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(FILL_PERMISSION)
                and org_access.can_see_unit(user, demand.unit))


def burden_scope(user) -> QuerySet[Unit]:
    """The units whose burden ledger ``user`` reads."""
    return Unit.objects.all() if sees_all_demands(user) else org_access.visible_units(user)


def get_burden_unit_or_404(user, code: str) -> Unit:
    try:
        return burden_scope(user).select_related("parent").get(code=code)
    except Unit.DoesNotExist:
        raise Http404("未找到该单位") from None


# ---------------------------------------------------------------------------------------------
# 码上减负 clues. Monitors and the 督查室 (``burden.triage_clue``) see every clue when they oversee
# the county, else the clues about units of their scope; the users of a responsible unit
# (``burden.rectify_clue``) see the clues assigned to units of their scope and rectify those of
# their own unit. A reporter follows their named clues on 我的线索, not here.

TRIAGE_CLUE = "burden.triage_clue"
RECTIFY_CLUE = "burden.rectify_clue"
CLUE_NOT_FOUND = "未找到该线索"


def visible_clues(user):
    from qingzhuang.burden.models import Clue

    qs = Clue.objects.select_related("placed_by", "suffered_by", "responsible")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.has_perm(TRIAGE_CLUE) and org_access.oversees_county(user):
        return qs
    scope = Q(pk__in=[])
    if user.has_perm(TRIAGE_CLUE):
        scope |= (org_access.unit_q(user, "responsible") | org_access.unit_q(user, "placed_by")
                  | org_access.unit_q(user, "suffered_by"))
    if user.has_perm(RECTIFY_CLUE):
        scope |= org_access.unit_q(user, "responsible")
    return qs.filter(scope)


def get_clue_or_404(user, pk):
    from qingzhuang.burden.models import Clue

    try:
        return visible_clues(user).get(pk=pk)
    except (Clue.DoesNotExist, ValueError, TypeError):
        raise Http404(CLUE_NOT_FOUND) from None


def can_triage_clue(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(TRIAGE_CLUE))


def can_rectify_clue(user, clue) -> bool:
    """The users of the clue's responsible unit itself, with the permission."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(RECTIFY_CLUE)
                and clue.responsible_id and user.unit_id == clue.responsible_id)


def sees_clue_reporter(user) -> bool:
    """Who reported a named clue: only those who triage clues, never the responsible unit."""
    return can_triage_clue(user)


def my_clues(user):
    from qingzhuang.burden.models import Clue

    if not getattr(user, "is_authenticated", False):
        return Clue.objects.none()
    return Clue.objects.filter(reporter=user)
