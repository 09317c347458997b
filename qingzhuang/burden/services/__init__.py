"""The only writes of demands: placing them on units, filling them, and resolving target codes.

``demand_place`` runs inside the transaction of whatever places the demands (a report's sending,
a data request's sending, an inspection plan …) and refuses to run outside one, like
``orgs.audit.record``: the source's own change and its demands commit or roll back together.

``demand_fill`` is generic: the fill itself (who, what, when) is the same whatever asked. The
source keeps its own say through two optional methods, looked up on the source object so this
app never imports the modules above it:

- ``source.demand_fill_refusal() -> str``: why the demand may no longer be filled ("" if it may),
  e.g. a report stopped in the register, or a request no longer admitted;
- ``source.demand_filled(demand)``: told after a fill, e.g. a report's "last filled" time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import DEFAULT_HOURS, BurdenWeight, Demand, DemandKind, DemandStatus
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind

# "All villages and communities under …": the county or a township (street).
TARGET_PARENT_KINDS = (UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET)
TARGET_UNDER_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
GRASSROOTS_MESSAGE = "填报单位只能是乡镇（街道）、村（社区）或网格"
OUTSIDE_MESSAGE = "这些单位不在本单位可以下发的范围内"
INACTIVE_MESSAGE = "这些单位已停用，不能作为填报单位"


def _refuse(message: str, bad: Iterable[str], key: str = "target_units"):
    raise ValidationError({key: f"{message}：{'、'.join(list(bad)[:10])}"})


def _named(units: Iterable[Unit]) -> list[str]:
    return [f"{u.name}（{u.code}）" for u in units]


def _check_targets(actor, units: list[Unit]) -> None:
    """Active grassroots units inside the actor's reach (``orgs.access.placing_paths``)."""
    if wrong := [u for u in units if u.kind not in GRASSROOTS_KINDS]:
        _refuse(GRASSROOTS_MESSAGE, _named(wrong))
    if inactive := [u.code for u in units if not u.is_active]:
        _refuse(INACTIVE_MESSAGE, inactive)
    reach = org_access.placing_paths(actor)
    if outside := [u.code for u in units if not any(u.path.startswith(p) for p in reach)]:
        _refuse(OUTSIDE_MESSAGE, outside)


def resolve_targets(*, actor, codes: Iterable[str] = (), under: str = "") -> list[Unit]:
    """The one way unit codes become target units, for the pages and the API alike.

    ``under`` (optional) is the county or a township (street): every active village and community
    below it. ``codes`` are further units, each an active grassroots unit (乡镇（街道）、村（社区）、
    网格). Every unit lies inside the actor's reach (``orgs.access.placing_paths``). Errors name
    the bad codes, under the key ``target_units``. Returns the units without duplicates, in order.
    """
    reach = org_access.placing_paths(actor)
    units: list[Unit] = []
    under = (under or "").strip()
    if under:
        parent = Unit.objects.filter(code=under).first()
        if parent is None:
            _refuse("没有这些单位代码", [under])
        if parent.kind not in TARGET_PARENT_KINDS or not parent.is_active:
            _refuse("填报单位范围只能选择全县或某个乡镇（街道）", [under])
        if not any(parent.path.startswith(p) for p in reach):
            _refuse(OUTSIDE_MESSAGE, [under])
        units += list(Unit.objects.filter(kind__in=TARGET_UNDER_KINDS, is_active=True,
                                          path__startswith=parent.path).order_by("path"))
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if missing := [c for c in codes if c not in found]:
        _refuse("没有这些单位代码", missing)
    listed = [found[c] for c in codes]
    _check_targets(actor, listed)
    return list(dict.fromkeys(units + listed))


def clean_targets(units: Iterable[Unit]) -> list[Unit]:
    """Targets chosen as units (a definition): grassroots kinds only, without duplicates."""
    units = list(dict.fromkeys(units))
    wrong = [u.name for u in units if u.kind not in GRASSROOTS_KINDS]
    if wrong:
        raise ValidationError({"target_units": f"{GRASSROOTS_MESSAGE}：{'、'.join(wrong[:5])}"})
    return units


def demand_place(*, actor, source: models.Model, kind: str, units: Iterable[Unit], title: str,
                 fields: Iterable[str] = (), placed_by: Unit | None = None, round: str = "",
                 due_date: dt.date | None = None, month: str | None = None, hours: Decimal | None = None,
                 request=None) -> list[Demand]:
    """Ask each of ``units`` once (for this ``round``) on behalf of ``source``; the only writer of
    demands. Call it inside the transaction of the write that places them. ``placed_by`` is the
    asking unit (the actor's unit by default). ``month`` ("2025-06") is the month the ask counts
    in: the source's own date (a meeting's day) when it has one, else this month. ``hours`` is the
    source's own estimate of the person-hours one unit spends on it; without it the kind's weight
    (``weights()``) applies. Asks with ``fields`` wait to be filled (待填报); asks without are
    counted only (无需填报). Refuses non-grassroots, inactive or out-of-reach units and a unit
    already asked for this source and round; writes one audit row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("demand_place must run inside the transaction of what places the demands")
    if kind not in DemandKind.values:
        raise ValueError(f"unknown demand kind {kind!r}")
    if source is None or source.pk is None:
        raise ValueError("a demand needs a saved source")
    units = list(dict.fromkeys(units))
    if not units:
        raise ValidationError({"target_units": "请先选择填报单位"})
    _check_targets(actor, units)
    if placed_by is None:
        if not getattr(actor, "unit_id", None):
            raise PermissionDenied("账号未关联单位，不能向基层下发")
        placed_by = actor.unit
    source_type = ContentType.objects.get_for_model(source)
    round = (round or "").strip()[:20]
    asked = Demand.objects.filter(source_type=source_type, source_id=source.pk, round=round, unit__in=units)
    if asked_names := list(asked.order_by("unit__path").values_list("unit__name", flat=True)):
        _refuse(f"第“{round}”期已经下发过" if round else "已经向这些单位下发过", asked_names, key="round")
    fields = list(fields)
    if month is None:
        month = timezone.localdate().strftime("%Y-%m")
    elif not MONTH_RE.fullmatch(month):
        raise ValueError(f"month must look like 2025-06, not {month!r}")
    fixed = hours is not None
    hours = Decimal(hours) if fixed else weights()[kind]
    if hours < 0:
        raise ValueError("hours must not be negative")
    status = DemandStatus.PENDING if fields else DemandStatus.COUNTED
    demands = Demand.objects.bulk_create(
        Demand(kind=kind, source_type=source_type, source_id=source.pk, unit=u, placed_by=placed_by,
               title=str(title)[:200], month=month, round=round, fields=fields, due_date=due_date,
               status=status, hours=hours, hours_fixed=fixed)
        for u in units
    )
    audit.record(actor=actor, action="demand.place", obj=source, unit=placed_by,
                 after={"kind": kind, "round": round, "units": [u.code for u in units], "fields": fields,
                        "month": month, "hours": str(hours),
                        "due_date": due_date.isoformat() if due_date else None}, request=request)
    return demands


MONTH_RE = re.compile(r"(19|20|21)\d\d-(0[1-9]|1[0-2])")


def weights() -> dict[str, Decimal]:
    """Person-hours per ask of each kind: the county's own (``BurdenWeight``) over the defaults."""
    own = dict(BurdenWeight.objects.values_list("kind", "hours"))
    return {kind: own.get(kind, DEFAULT_HOURS[kind]) for kind in DemandKind.values}


WEIGHT_PERMISSION = "burden.manage_weights"
HOURS_MESSAGE = "估算工时应为 0 到 999 之间的数，最多两位小数"


@transaction.atomic
def weight_set(*, actor, kind: str, hours, note: str = "", request=None) -> BurdenWeight:
    """Set the person-hours of one kind of ask; every ask of that kind whose hours came from the
    weight (not from its source) is re-estimated, so years stay comparable."""
    if not (actor is None or actor.has_perm(WEIGHT_PERMISSION)):
        raise PermissionDenied("只有减负监测员或督查室可以修改估算工时")
    if kind not in DemandKind.values:
        raise ValidationError({"kind": f"没有这种任务类型：{kind}"})
    try:
        value = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": HOURS_MESSAGE}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(999) or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"hours": HOURS_MESSAGE})
    before = weights()[kind]
    weight, _ = BurdenWeight.objects.update_or_create(kind=kind, defaults={"hours": value, "note": (note or "").strip()[:200]})
    changed = Demand.objects.filter(kind=kind, hours_fixed=False).update(hours=value)
    audit.record(actor=actor, action="burden.weight", obj=weight, unit=None,
                 before={"hours": str(before)}, after={"hours": str(value), "note": weight.note, "demands": changed},
                 request=request)
    return weight


def fill_refusal(demand: Demand) -> str:
    """Why the source no longer lets this demand be filled ("" if it does)."""
    refusal = getattr(demand.source, "demand_fill_refusal", None)
    return refusal() if refusal else ""


@transaction.atomic
def demand_fill(*, actor, demand: Demand, data: dict[str, str], note: str = "", request=None) -> Demand:
    """The asked unit fills every requested field once."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("unit").get(pk=demand.pk)
    if not access.can_fill_demand(actor, demand):
        raise PermissionDenied("只有被要求填报的单位可以填报")
    if refusal := fill_refusal(demand):
        raise ValidationError(refusal)
    if demand.status == DemandStatus.FILLED:
        raise ValidationError("该任务已经填报")
    if demand.status == DemandStatus.COUNTED:
        raise ValidationError("该任务无需在平台填报")
    values = {f: str(data.get(f, "")).strip()[:2000] for f in demand.fields}
    missing = [f for f, v in values.items() if not v]
    if missing:
        raise ValidationError({"data": f"请填写：{'、'.join(missing)}"})
    demand.data, demand.note = values, (note or "").strip()[:500]
    demand.status, demand.filled_at, demand.filled_by = DemandStatus.FILLED, timezone.now(), actor
    demand.save()
    if filled := getattr(demand.source, "demand_filled", None):
        filled(demand)
    audit.record(actor=actor, action="demand.fill", obj=demand, unit=demand.unit,
                 after={"source": str(demand.source), "round": demand.round, "fields": demand.fields},
                 request=request)
    return demand
