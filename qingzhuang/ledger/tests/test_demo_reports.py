"""The demo county's reports, data requests, sendings and fills (``ledger.demo_reports``), small scale."""

from collections import Counter

import pytest
from django.urls import reverse

from qingzhuang.accounts.models import User
from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden.models import Demand, DemandKind, DemandStatus
from qingzhuang.demo import seed as demo
from qingzhuang.ledger import demo_reports
from qingzhuang.ledger.models import Admission, DataRequest, RegisterStatus, Report
from qingzhuang.orgs.models import AuditLog, UnitKind

THIS_YEAR, LAST_YEAR = demo_reports.THIS_YEAR, demo_reports.LAST_YEAR


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(small_demo):
    """The small demo county, seeded once for this module's tests (seeding is the slow part), inside a
    transaction that is rolled back after them; each test runs in a savepoint of its own within it."""
    return small_demo


# The ledger's own demands (the burden registries' demo steps place documents, meetings, groups …).
LEDGER_KINDS = (DemandKind.REPORT, DemandKind.DATA_REQUEST)


def in_year(year: int):
    start, end = burden_queries.year_bounds(year)
    return Demand.objects.filter(created_at__gte=start, created_at__lt=end, kind__in=LEDGER_KINDS)


def test_every_admission_and_register_status(seeded):
    assert set(Report.objects.values_list("admission", flat=True)) == set(Admission.values)
    assert set(Report.objects.values_list("register_status", flat=True)) == set(RegisterStatus.values)
    assert set(DataRequest.objects.values_list("admission", flat=True)) == set(Admission.values)
    # Register decisions and refusals come with the 督查室's reasons and notes.
    ducha = User.objects.get(username="ducha")
    assert not Report.objects.exclude(register_status=RegisterStatus.KEEP).filter(register_reason="").exists()
    rejected = Report.objects.filter(admission=Admission.REJECTED)
    assert rejected and all(r.review_note and r.reviewed_by == ducha for r in rejected)
    approved = Report.objects.filter(admission=Admission.APPROVED)
    assert all(r.reviewed_by == ducha and r.review_note for r in approved)
    # Reports are defined by several departments, with Chinese names.
    assert Report.objects.values("owner").distinct().count() >= 3
    assert Report.objects.filter(name__startswith="流动人口分村统计月报").exists()


def test_data_requests_with_held_and_remaining_fields(seeded):
    requests = list(DataRequest.objects.all())
    assert requests
    assert all(r.held_count > 0 and r.remaining_count > 0 and r.not_asked > 0 for r in requests)
    sent = [r for r in requests if r.sent_at]
    assert sent
    for r in sent:
        held = set(r.fields.filter(dataset__isnull=False).values_list("text", flat=True))
        for demand in r.demands.all():
            assert demand.fields and not held & set(demand.fields)


def test_demands_for_villages_filled_and_pending(seeded):
    demands = Demand.objects.filter(kind__in=LEDGER_KINDS).select_related("unit")
    assert {d.unit.kind for d in demands} <= {UnitKind.VILLAGE, UnitKind.COMMUNITY}
    assert {d.kind for d in demands} == {DemandKind.REPORT, DemandKind.DATA_REQUEST}
    statuses = Counter(demands.values_list("status", flat=True))
    assert statuses[DemandStatus.FILLED] > statuses[DemandStatus.PENDING] > 0
    filled = demands.filter(status=DemandStatus.FILLED).first()
    assert filled.filled_by and all(filled.data[f] for f in filled.fields)
    # Nothing is sent of a stopped or integrated report after the register was cleaned up.
    cleaned = Report.objects.filter(register_status__in=(RegisterStatus.STOP, RegisterStatus.INTEGRATE))
    assert not in_year(THIS_YEAR).filter(kind=DemandKind.REPORT, source_id__in=cleaned).exists()
    # Every demand went through demand_place and every fill through demand_fill (their audit rows).
    assert AuditLog.objects.filter(action="demand.fill").count() == statuses[DemandStatus.FILLED]
    assert AuditLog.objects.filter(action="demand.place").exists()


def test_last_year_heavier_than_this_year(seeded):
    counts = seeded.counts
    assert in_year(LAST_YEAR).count() == counts["demands_last_year"]
    assert in_year(THIS_YEAR).count() == counts["demands_this_year"]
    assert counts["demands_last_year"] > counts["demands_this_year"] > 0
    last = burden_queries.county_kpis(year=LAST_YEAR)
    this = burden_queries.county_kpis(year=THIS_YEAR)
    assert last["submissions"] > this["submissions"] > 0  # every kind of demand, and fewer
    reports_sent = {y: in_year(y).filter(kind=DemandKind.REPORT).values("source_id").distinct().count()
                    for y in (LAST_YEAR, THIS_YEAR)}
    assert reports_sent[LAST_YEAR] > reports_sent[THIS_YEAR] > 0
    assert "减负：" in "\n".join(demo.summaries(seeded))


def test_burden_page_shows_the_demo_year_by_default(seeded, client):
    client.force_login(User.objects.get(username="lingdao"))
    response = client.get(reverse("burden:burden"))
    assert response.status_code == 200
    assert response.context["year"] == THIS_YEAR
    sums = response.context["sums"]
    assert sums.count == Demand.objects.filter(month__startswith=f"{THIS_YEAR}-").count() > 0
    assert sums.change.percent < 0  # the county asks less of its villages than the year before
    assert any(row.totals.count > 0 for row in response.context["rows"])


def test_village_cadre_sees_pending_fills(seeded, client):
    cun = User.objects.get(username="cun")
    client.force_login(cun)
    response = client.get(reverse("burden:demand_list"))
    assert response.status_code == 200
    listed = list(response.context["page"])
    assert listed and all(d.status == DemandStatus.PENDING for d in listed)
    assert any(d.unit_id == cun.unit_id for d in listed)
