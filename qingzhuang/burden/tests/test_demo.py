"""The demo county's burden monitoring at small scale, seeded once: documents and circulation
(``burden.demo_documents``), meetings, work groups and apps (``burden.demo_registries``), and the
burden ledger of a village hand-counted from the sources that placed its demands."""

import json
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Max

from qingzhuang.accounts.models import User
from qingzhuang.burden import queries_documents
from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.models import (
    Circulation,
    CirculationReceipt,
    CirculationReminder,
    Demand,
    Document,
    GovApp,
    Meeting,
    WorkGroup,
)
from qingzhuang.orgs.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(small_demo):
    """The small demo county, seeded once for this module (rolled back after it)."""
    return small_demo


def test_meetings_fall_by_about_thirty_per_cent_with_breaches_of_each_rule(seeded):
    assert (rq.meeting_count(year=2024), rq.meeting_count(year=2025)) == (20, 14)
    for year in (2024, 2025):
        rules = {a.rule for a in rq.alerts(year=year) if a.rule.startswith("meeting.")}
        assert rules == {"meeting.second_comprehensive", "meeting.long_report", "meeting.layered"}
    meetings = ContentType.objects.get_for_model(Meeting)
    assert Demand.objects.filter(source_type=meetings, kind="meeting").exists()


def test_groups_piled_up_then_were_dissolved(seeded):
    assert WorkGroup.objects.filter(created_on__year__lte=2024).count() == 30
    assert rq.groups_closed(year=2025) == 21
    assert WorkGroup.objects.filter(owner__isnull=True, closed_on__isnull=True).count() == 3
    overdue = [a for a in rq.alerts(year=2025) if a.rule == "group.not_dissolved"]
    assert len(overdue) >= 3  # the three left open on purpose, and any other past its end


def test_apps_some_flagged_some_rectified(seeded):
    assert (GovApp.objects.count(), rq.apps_flagged(), GovApp.objects.filter(status="rectified").count()) == (6, 2, 1)
    assert Demand.objects.filter(kind="check_in").exists()


def test_nothing_is_dated_after_2025(seeded):
    assert Demand.objects.aggregate(m=Max("month"))["m"] <= "2025-12"
    for model in (Meeting, WorkGroup, GovApp):
        assert model.objects.aggregate(m=Max("created_at"))["m"].year <= 2025
        assert model.objects.aggregate(m=Max("updated_at"))["m"].year <= 2025
    assert WorkGroup.objects.aggregate(m=Max("closed_on"))["m"].year == 2025


def test_the_summary_line(seeded):
    from qingzhuang.burden.demo_registries import summary

    assert summary(seeded) == ("减负监测：会议 2024 年 20 次 → 2025 年 14 次；工作群 33 个，2025 年解散 21 个；"
                               "政务应用 6 个（在用有问题 2 个）")


def test_thirty_percent_fewer_documents_with_breaches(seeded):
    assert (queries_documents.document_count(year=2024), queries_documents.document_count(year=2025)) == (30, 21)
    rules = Counter(alert.rule for alert in queries_documents.alerts(year=2025))
    assert rules["document.over_last_year"] == 1  # the other issuer above last year explained in writing
    assert rules["document.comprehensive_too_long"] == 1
    assert rules["document.special_too_long"] >= 2 and rules["document.materials"] >= 1 and rules["document.notice"] == 2
    over = [row for row in queries_documents.issuer_years(year=2025) if row.over]
    assert len(over) == 2 and sum(1 for row in over if row.explanation) == 1
    reaching = Document.objects.filter(target_units__isnull=False).distinct()
    assert reaching.exists()
    assert Demand.objects.filter(kind="document", source_type__model="document").count() == sum(
        d.target_units.count() for d in reaching)


def test_circulations_read_unread_and_reminded(seeded):
    assert queries_documents.circulation_count(year=2025) == 9
    receipts = CirculationReceipt.objects.filter(circulation__sent_at__year=2025)
    read = receipts.filter(read_at__isnull=False).count()
    assert 0.6 < read / receipts.count() < 0.95
    assert CirculationReminder.objects.count() == 1
    for username in ("cun", "xiangzhen"):
        user = User.objects.get(username=username)
        inbox = list(queries_documents.inbox(user))
        assert inbox[0].unread and inbox[0].sender.name == "县委办公室"
        assert queries_documents.todos(user)


def test_no_document_or_circulation_dated_after_2025(seeded):
    assert not Document.objects.filter(issued_on__year__gt=2025).exists()
    assert not Document.objects.filter(created_at__year__gt=2025).exists()
    assert not Circulation.objects.filter(sent_at__year__gt=2025).exists()
    assert not CirculationReceipt.objects.filter(read_at__year__gt=2025).exists()
    assert not Demand.objects.filter(kind="document", created_at__year__gt=2025).exists()
    assert not Demand.objects.filter(kind="document", month__gt="2025-12").exists()


def test_a_villages_ledger_is_what_each_source_asked_of_it(seeded):
    """甲村's 2025 ledger (the `cun` account's village), counted again from each source by hand: the
    registries' own target lists, the notices' receipts, and the reports' and data requests' placements."""
    village = User.objects.get(username="cun").unit
    out = StringIO()
    call_command("burden_ledger", "--unit", village.code, "--year", "2025", "--json", stdout=out)
    [row] = json.loads(out.getvalue())
    kinds = {item["kind"]: item["count"] for item in row["kinds"]}
    by_source = {
        "meeting": Meeting.objects.filter(targets=village, held_on__year=2025).count(),
        "work_group": WorkGroup.objects.filter(targets=village, created_on__year=2025).count(),
        "document": Document.objects.filter(target_units=village, issued_on__year=2025).count()
        + CirculationReceipt.objects.filter(unit=village, circulation__kind="notice",
                                            circulation__sent_at__year=2025).count(),
    }
    # Reports and data requests have no list of their own: each sending is one placement (audited).
    placed = Counter()
    for after in AuditLog.objects.filter(action="demand.place").values_list("after", flat=True):
        if after["month"].startswith("2025-") and village.code in after["units"]:
            placed[after["kind"]] += 1
    for kind in ("report", "data_request"):
        by_source[kind] = placed[kind]
    assert {kind: kinds.get(kind, 0) for kind in by_source} == by_source
    assert kinds == {kind: n for kind, n in placed.items()}  # nothing counted but what was placed
    assert row["count"] == sum(kinds.values()) and sum(by_source.values()) > 0
    assert Decimal(row["hours"]) == sum(Demand.objects.filter(unit=village, month__startswith="2025-")
                                        .values_list("hours", flat=True))
