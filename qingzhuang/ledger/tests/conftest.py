import pytest

from qingzhuang.ledger.builtins import ensure_builtin_catalog
from qingzhuang.ledger.models import Dataset


@pytest.fixture
def catalog(db, county):
    """The built-in catalog, with the demo owners: population by 甲镇's parent county office."""
    ensure_builtin_catalog()
    Dataset.objects.filter(code__in=["population", "housing", "events"]).update(owner=county["office"])
    Dataset.objects.filter(code__in=["legal_entities", "indicator_values"]).update(owner=county["stats"])
    return {d.code: d for d in Dataset.objects.all()}
