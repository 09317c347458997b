"""Several requests racing for a unit's last slot: exactly one wins, the others get the cap message,
with real threads on the configured database (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from qingzhuang.burden.models import Demand
from qingzhuang.supervision.models import CapSlot, Visit, VisitStatus
from qingzhuang.supervision.services.visits import visit_create, visit_issue
from qingzhuang.supervision.tests.visit_world import live_item

RACERS = 6


@pytest.mark.django_db(transaction=True)
def test_racing_for_the_last_slot_exactly_one_wins(sv, county):
    today = timezone.localdate()
    visits = [visit_create(actor=sv["stats_reporter"], unit=county["town_a"], date=today, team=f"第{n}组",
                           items=[live_item(county["stats"], title=f"检查{n}", matter=f"事项{n}")])
              for n in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(visit):
        try:
            barrier.wait()
            try:
                visit_issue(actor=sv["office"], visit=visit)
                outcome = "won"
            except ValidationError as exc:
                outcome = exc.messages[0]
            except Exception as exc:  # noqa: BLE001 - the test reports any other failure
                outcome = f"error: {exc!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(v,)) for v in visits]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("won") == 1, outcomes
    refusals = [o for o in outcomes if o != "won"]
    assert len(refusals) == RACERS - 1
    assert all(o.startswith("甲镇在") and "达到频次上限（每个单位每季度最多 1 次）" in o for o in refusals), refusals
    assert Visit.objects.filter(status=VisitStatus.ISSUED).count() == 1
    assert CapSlot.objects.get(unit=county["town_a"]).used == 1
    assert Demand.objects.count() == 1
