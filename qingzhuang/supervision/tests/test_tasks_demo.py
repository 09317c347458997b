"""The demo county's 工作问效 at small scale (seeded once): tasks with nodes over 2025, reports with
evidence, returned and approved ones, yellow and red cards, a demand on each township task."""


import pytest
from django.contrib.contenttypes.models import ContentType

from qingzhuang.burden.models import Demand
from qingzhuang.supervision.models import Card, ProgressReport, ReportFile, Task

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(small_demo):
    return small_demo


def test_demo_tasks_cards_and_reports(seeded):
    assert Task.objects.count() == 12
    assert Card.objects.filter(kind="yellow").exists() and Card.objects.filter(kind="red").exists()
    assert set(Card.objects.values_list("issued_on__year", flat=True)) == {2025}
    assert ProgressReport.objects.filter(status="returned").exists()
    assert ProgressReport.objects.filter(status="approved").exists()
    assert ReportFile.objects.filter(kind="png").exists()
    townships = Task.objects.filter(assignee__kind="township")
    assert townships.exists()
    assert Demand.objects.filter(source_type=ContentType.objects.get_for_model(Task),
                                 source_id__in=townships.values("pk")).count() == townships.count()
    from qingzhuang.supervision.demo_tasks import summary

    assert summary(seeded).startswith("工作问效：任务 12 项")
