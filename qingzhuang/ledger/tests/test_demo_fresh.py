"""The demo county's 一套表 (``ledger.demo``): the checks that seed an empty database themselves
(``test_demo.py`` shares one seeded county between its tests)."""

import os

import pytest
from django.db import connection, transaction

from qingzhuang.demo import seed as demo
from qingzhuang.ledger import demo as ledger_demo
from qingzhuang.ledger.models import IndicatorValue, Record
from qingzhuang.orgs.models import Unit


def snapshot() -> tuple[list, list]:
    """Seed an empty database, read the ledger back, and roll the seed back again."""
    with transaction.atomic():
        demo.seed("small")
        rows = list(Record.objects.order_by("id").values_list("dataset__code", "unit__code", "key", "data"))
        indicators = list(IndicatorValue.objects.order_by("indicator__code", "unit__code", "period")
                          .values_list("indicator__code", "indicator__name", "unit__code", "period", "value"))
        transaction.set_rollback(True)
    assert not Unit.objects.exists() and not Record.objects.exists()
    return rows, indicators


@pytest.fixture(scope="module")
def first(django_db_setup, django_db_blocker):
    """A snapshot of a first seed, taken once for this module's tests."""
    saved = os.environ.pop(demo.PASSWORD_ENV, None)
    try:
        with django_db_blocker.unblock():
            return snapshot()
    finally:
        if saved is not None:
            os.environ[demo.PASSWORD_ENV] = saved


def test_deterministic(db, monkeypatch, first):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    assert first == snapshot()
    assert len(first[0]) == 400 and len(first[1]) == 384


def test_the_record_tables_indexes_survive_the_bulk_load(db, monkeypatch):
    def indexes():
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Record._meta.db_table)
        return {name for name, info in found.items() if info["index"] or info["unique"]}

    before = indexes()
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    demo.seed("small")
    assert indexes() == before and "record_dataset_unit_idx" in before


def test_the_history_leaves_the_indicator_years_values_alone(db, monkeypatch, first):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    with_history = [row for row in first[1] if row[3] in ledger_demo.PERIODS]
    monkeypatch.setattr(ledger_demo, "HISTORY_INDICATORS", ())
    without = snapshot()[1]
    assert with_history == without and len(without) == 240
