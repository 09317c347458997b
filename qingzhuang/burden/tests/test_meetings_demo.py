"""The demo county's meetings, work groups and apps (``burden.demo_registries``), small scale."""

import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max

from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.models import Demand, GovApp, Meeting, WorkGroup
from qingzhuang.demo import seed as demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo county, seeded once for this module (rolled back after it)."""
    saved = os.environ.pop(demo.PASSWORD_ENV, None)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo.seed("small")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
    if saved is not None:
        os.environ[demo.PASSWORD_ENV] = saved


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
