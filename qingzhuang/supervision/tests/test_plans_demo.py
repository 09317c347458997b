"""The demo county's plans at small scale: the total goes down, merges accepted and one rejected,
visits issued within the caps and counted in the burden ledger."""

from __future__ import annotations

import pytest
from django.db.models import Count

from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.admission import Admission
from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.demo import seed as demo
from qingzhuang.supervision.models import (
    CapRule,
    CapSlot,
    MergeProposal,
    MergeStatus,
    PlanItem,
    Visit,
    VisitStatus,
)
from qingzhuang.supervision.services import plans

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(small_demo):
    return small_demo


def test_the_plan_shrinks_and_merges_cut_visits(seeded):
    last, this = plans.year_totals(2024), plans.year_totals(2025)
    assert this.total < last.total and last.total >= 10 and this.oneoff == 1 and last.oneoff == 1
    assert PlanItem.objects.filter(year=2025, admission=Admission.PENDING).count() == 2
    assert PlanItem.objects.filter(year=2025, admission=Admission.REJECTED).count() == 1
    assert set(CapRule.objects.values_list("year", "period", "limit")) == {(2024, "month", 1), (2025, "quarter", 1)}
    statuses = dict(MergeProposal.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses.get(MergeStatus.ACCEPTED, 0) >= 2 and statuses.get(MergeStatus.REJECTED, 0) >= 1
    assert any(r.label == "合并检查减少进门" and r.count > 0 for r in burden_queries.removed_burden(year=2025))
    issued = Visit.objects.filter(status=VisitStatus.ISSUED)
    assert issued.filter(merge__isnull=False).exists() and issued.filter(merge__isnull=True).exists()
    # Every visit issued (done or cancelled since) or reported as unfiled is one inspection demand.
    placed = Visit.objects.exclude(status=VisitStatus.SCHEDULED)
    assert Demand.objects.filter(kind=DemandKind.INSPECTION).count() == placed.count()
    assert not CapSlot.objects.filter(used__gt=1).exists()
    assert "督查检查计划：2024年" in demo.summaries(seeded)[-1] or any(
        "督查检查计划" in line for line in demo.summaries(seeded))
