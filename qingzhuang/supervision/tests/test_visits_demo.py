"""The 一事一码 demo step on top of a few issued visits (the plans step is not needed)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import transaction

from qingzhuang.supervision.demo_visits import seed_step, summary
from qingzhuang.supervision.models import Visit, VisitResult, VisitStatus
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item


def test_demo_step_adds_results_and_an_unfiled_visit(sv, county, users, monkeypatch):
    from django.utils import timezone

    from qingzhuang.supervision import demo_visits

    # The live world's visits are around the real today; the demo's today is its own.
    monkeypatch.setattr(demo_visits, "AS_OF", timezone.localdate())
    past = issued_visit(sv, county)
    Visit.objects.filter(pk=past.pk).update(date=past.date - dt.timedelta(days=1))
    issued_visit(sv, county, unit=county["town_b"], item=live_item(sv["agri"], title="耕地检查", matter="耕地保护"),
                 actor=sv["agri_reporter"])
    with transaction.atomic():
        counts = seed_step(SimpleNamespace())
    assert counts["supervision_results"] == 1 and VisitResult.objects.count() == 1
    assert counts["supervision_unfiled"] == 1 and Visit.objects.filter(status=VisitStatus.UNFILED).count() == 1
    assert counts["supervision_cancelled"] == 1
    assert "督查检查结果 1 条" in summary(SimpleNamespace(counts=counts))


def test_demo_step_without_visits(db):
    with transaction.atomic():
        counts = seed_step(SimpleNamespace())
    assert counts["supervision_results"] == 0


def test_the_small_demo_county_gets_the_visits_step(db):
    import os

    from qingzhuang.burden.models import Demand
    from qingzhuang.demo import seed as demo

    saved = os.environ.pop(demo.PASSWORD_ENV, None)
    try:
        result = demo.seed("small")
    finally:
        if saved is not None:
            os.environ[demo.PASSWORD_ENV] = saved
    unfiled = Visit.objects.get(status=VisitStatus.UNFILED)
    assert Demand.objects.filter(source_id=unfiled.pk, kind="inspection", placed_by=unfiled.lead).exists()
    assert any(line.startswith("督查检查结果") for line in demo.summaries(result))
