"""The demo county's document registry and 一网协同 (``burden.demo_documents``), small scale."""

import os
from collections import Counter

import pytest
from django.db import transaction

from qingzhuang.accounts.models import User
from qingzhuang.burden import queries_documents
from qingzhuang.burden.models import Circulation, CirculationReceipt, CirculationReminder, Demand, Document
from qingzhuang.demo import seed as demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo county, seeded once for this module's tests and rolled back after them."""
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


def test_nothing_dated_after_2025(seeded):
    assert not Document.objects.filter(issued_on__year__gt=2025).exists()
    assert not Document.objects.filter(created_at__year__gt=2025).exists()
    assert not Circulation.objects.filter(sent_at__year__gt=2025).exists()
    assert not CirculationReceipt.objects.filter(read_at__year__gt=2025).exists()
    assert not Demand.objects.filter(kind="document", created_at__year__gt=2025).exists()
    assert not Demand.objects.filter(kind="document", month__gt="2025-12").exists()
