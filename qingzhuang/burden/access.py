"""Who sees which demands and whose burden ledger. Every demand query and page scopes through here.

- Demands: a user sees the demands on units of their scope (``orgs.access``), and those their own
  unit placed; county-wide users and the county 督查室 see every one (``sees_all_demands``).
- The burden ledger: the grassroots units of the same scope.
- Filling: the ``burden.fill_demand`` permission and the
  demand's unit inside one's scope.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.burden.models import Demand
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit

FILL_PERMISSION = "burden.fill_demand"


def sees_all_demands(user) -> bool:
    """County-wide users and the county 督查室 see every demand (``orgs.access.oversees_county``)."""
    return org_access.oversees_county(user)


def can_view_overview(user) -> bool:
    """The county overview and the rule alerts are county-wide: for those who see every demand."""
    return sees_all_demands(user)


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
    """A grassroots unit (乡镇（街道）、村（社区）、网格) of ``user``'s burden scope; 404 otherwise."""
    try:
        return burden_scope(user).filter(kind__in=GRASSROOTS_KINDS).select_related("parent").get(code=code)
    except Unit.DoesNotExist:
        raise Http404("未找到该单位") from None


# ---------------------------------------------------------------------------------------------
# Registries: meetings, work groups, government apps.
#
# Reading: those who see every demand (``sees_all_demands``) see every entry; anyone else sees
# the entries their scope issued (the organiser or owner unit lies in it) and those that reach a
# unit of their scope (a target). Writing: the registry's permission (reporters, the 督查室, the
# 减负监测员) and either the entry's own unit (a department registers its own) or oversight of
# the county (the county 督查室 and monitor register and correct any unit's).

REGISTRY_NOT_FOUND = {"meeting": "未找到该会议", "group": "未找到该工作群", "app": "未找到该政务应用"}
REGISTRY_PERMISSIONS = {"meeting": "burden.manage_meetings", "group": "burden.manage_groups",
                        "app": "burden.manage_apps"}


def _registry_model(kind: str):
    from qingzhuang.burden.models import GovApp, Meeting, WorkGroup

    return {"meeting": (Meeting, "organiser"), "group": (WorkGroup, "owner_unit"), "app": (GovApp, "owner_unit")}[kind]


def visible_registry(user, kind: str) -> QuerySet:
    """Entries of one registry (``meeting``, ``group``, ``app``) that ``user`` may read."""
    model, unit_field = _registry_model(kind)
    qs = model.objects.select_related(unit_field)
    if sees_all_demands(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reached = model.objects.filter(org_access.unit_q(user, "targets")).values("pk")
    return qs.filter(org_access.unit_q(user, unit_field) | Q(pk__in=reached))


def get_registry_or_404(user, kind: str, pk):
    try:
        return visible_registry(user, kind).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(REGISTRY_NOT_FOUND[kind]) from None


def may_register(user, kind: str) -> bool:
    """Whether ``user`` may register entries of the registry at all."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REGISTRY_PERMISSIONS[kind]))


def may_register_for(user, kind: str, unit: Unit) -> bool:
    """Whether ``user`` may register or correct an entry of ``unit`` (its organiser or owner)."""
    if user is None:
        return True
    return may_register(user, kind) and (sees_all_demands(user) or unit.pk == user.unit_id)


def registry_units(user, kind: str) -> QuerySet[Unit]:
    """The units ``user`` may register entries for (the form's choices)."""
    if not may_register(user, kind):
        return Unit.objects.none()
    if sees_all_demands(user):
        return Unit.objects.filter(is_active=True)
    return Unit.objects.filter(pk=user.unit_id, is_active=True)

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

# The document registry (发文登记) and 一网协同 circulation.

MANAGE_DOCUMENTS = "burden.manage_documents"
JUDGE_DOCUMENTS = "burden.judge_documents"
SEND_CIRCULATION = "burden.send_circulation"
DOCUMENT_NOT_FOUND = "未找到该发文"
CIRCULATION_NOT_FOUND = "未找到该文件或通知"


def manages_all_documents(user) -> bool:
    """The county's 督查室 and 减负监测员 register and correct any unit's documents."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(JUDGE_DOCUMENTS)
                and org_access.oversees_county(user))


def can_register_for(user, issuer: Unit) -> bool:
    """Whether ``user`` may register (or correct) documents issued by ``issuer``: a department's
    reporter for its own unit, the county's 督查室 and monitors for any unit."""
    if user is None:
        return True
    if not (getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_DOCUMENTS)):
        return False
    return manages_all_documents(user) or user.unit_id == issuer.pk


def visible_documents(user):
    """County-wide users and the county 督查室 see every document; others those issued by a unit of
    their scope or reaching one."""
    from qingzhuang.burden.models import Document

    qs = Document.objects.select_related("issuer")
    if sees_all_demands(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    reaching = Document.target_units.through.objects.filter(org_access.unit_q(user, "unit")).values("document_id")
    return qs.filter(org_access.unit_q(user, "issuer") | Q(pk__in=reaching))


def get_document_or_404(user, pk):
    from qingzhuang.burden.models import Document

    try:
        return visible_documents(user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(DOCUMENT_NOT_FOUND) from None


def document_issuers(user) -> QuerySet[Unit]:
    """The units ``user`` may register documents for (non-grassroots units)."""
    from qingzhuang.orgs.models import GRASSROOTS_KINDS

    if manages_all_documents(user):
        return Unit.objects.exclude(kind__in=GRASSROOTS_KINDS).filter(is_active=True).order_by("path")
    if getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_DOCUMENTS) and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id).exclude(kind__in=GRASSROOTS_KINDS)
    return Unit.objects.none()


def visible_circulations(user):
    """What a user sees of 一网协同: those who oversee the county see every circulation; others
    what a unit of their scope sent or received (a township also sees what its villages received,
    read only)."""
    from qingzhuang.burden.models import Circulation, CirculationReceipt

    qs = Circulation.objects.select_related("sender", "sent_by", "document")
    if sees_all_demands(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    received = CirculationReceipt.objects.filter(org_access.unit_q(user, "unit")).values("circulation_id")
    return qs.filter(org_access.unit_q(user, "sender") | Q(pk__in=received))


def get_circulation_or_404(user, pk):
    from qingzhuang.burden.models import Circulation

    try:
        return visible_circulations(user).get(pk=pk)
    except (Circulation.DoesNotExist, ValueError, TypeError):
        raise Http404(CIRCULATION_NOT_FOUND) from None


def is_circulation_sender(user, circulation) -> bool:
    """The sending unit's users with the permission to send: they see receipts and may remind."""
    return bool(getattr(user, "is_authenticated", False) and user.unit_id == circulation.sender_id
                and user.has_perm(SEND_CIRCULATION))


def sees_receipts(user, circulation) -> bool:
    """Who read and who did not: the sender's users and those who oversee the county."""
    return is_circulation_sender(user, circulation) or sees_all_demands(user)
