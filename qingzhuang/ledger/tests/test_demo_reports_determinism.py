"""The demo county's reports, data requests, sendings and fills are the same on every run (its own
module: the other tests of ``ledger.demo_reports`` share one seeded county)."""

from django.db import transaction

from qingzhuang.burden.models import Demand
from qingzhuang.demo import seed as demo
from qingzhuang.ledger.models import DataRequest, Report


def snapshot():
    return (
        sorted(Report.objects.values_list("name", "owner__code", "admission", "register_status")),
        sorted(DataRequest.objects.values_list("title", "admission", "held_count", "remaining_count", "not_asked")),
        sorted(Demand.objects.values_list("kind", "title", "unit__code", "round", "month", "status")),
    )


class _Rollback(Exception):
    pass


def fresh_snapshot():
    try:
        with transaction.atomic():
            result = demo.seed("small")
            taken = (result.counts, snapshot())
            raise _Rollback
    except _Rollback:
        pass
    assert not Report.objects.exists()
    return taken


def test_deterministic(db, monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    assert fresh_snapshot() == fresh_snapshot()
