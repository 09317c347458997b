"""The cap on visits per visited unit (频次上限): the year's ``CapRule`` or ``QZ_VISIT_CAP``
("1/quarter" by default: one comprehensive visit per quarter, as in 嘉鱼), and the race-safe
taking of a slot when a code is issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from qingzhuang.orgs.models import Unit
from qingzhuang.supervision import windows
from qingzhuang.supervision.models import CapRule, CapSlot

PERIOD_WORDS = {"month": "月", "quarter": "季度"}


@dataclass(frozen=True)
class Cap:
    period: str  # "month" or "quarter"
    limit: int

    @property
    def words(self) -> str:
        return f"每个单位每{PERIOD_WORDS[self.period]}最多 {self.limit} 次"


def default_cap() -> Cap:
    text = str(getattr(settings, "QZ_VISIT_CAP", "1/quarter"))
    limit, _, period = text.partition("/")
    if period not in PERIOD_WORDS or not limit.isdigit() or int(limit) < 1:
        raise ValueError(f"QZ_VISIT_CAP must look like 1/quarter or 2/month, not {text!r}")
    return Cap(period=period, limit=int(limit))


def cap_for(year: int) -> Cap:
    rule = CapRule.objects.filter(year=year).first()
    return Cap(period=rule.period, limit=rule.limit) if rule else default_cap()


def period_of(day: dt.date) -> str:
    """The cap period ("2025-Q2" or "2025-06") a visit on ``day`` counts in."""
    return windows.period_for(day, cap_for(day.year).period)


def used(unit: Unit, period: str) -> int:
    return CapSlot.objects.filter(unit=unit, period=period).values_list("used", flat=True).first() or 0


def take_slot(unit: Unit, period: str, limit: int) -> bool:
    """Take one of ``unit``'s ``limit`` slots in ``period``: True when taken, False when all are
    used. One conditional UPDATE (``used < limit``) decides when the period's row exists; the
    period's first slot is the row's INSERT, which the unique constraint lets only one caller
    make. So racing callers cannot both take the last slot. Call inside the issuing transaction:
    a rollback gives the slot back."""
    if limit < 1:
        return False
    if CapSlot.objects.filter(unit=unit, period=period, used__lt=limit).update(used=F("used") + 1) == 1:
        return True
    try:
        with transaction.atomic():
            CapSlot.objects.create(unit=unit, period=period, used=1)
        return True
    except IntegrityError:  # the row exists: full, or another caller created it just now
        return CapSlot.objects.filter(unit=unit, period=period, used__lt=limit).update(used=F("used") + 1) == 1


def give_back(unit: Unit, period: str) -> None:
    """Return a slot (a cancelled visit)."""
    CapSlot.objects.filter(unit=unit, period=period, used__gt=0).update(used=F("used") - 1)
