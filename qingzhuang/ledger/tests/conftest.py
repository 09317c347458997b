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


@pytest.fixture
def ledger_users(catalog, county):
    """Importers: the owner office's clerk, a cadre of 甲村, and a reporter of 县教育局 (a department)."""
    from django.db import transaction

    from conftest import make_user
    from qingzhuang.orgs.services import unit_create

    with transaction.atomic():
        education = unit_create(actor=None, code="429901900201", name="县教育局", kind="department",
                                parent=county["root"])
        farming = unit_create(actor=None, code="429901900301", name="县农业农村局", kind="department",
                              parent=county["root"])
    return {
        "clerk": make_user("office_clerk", county["office"], "部门填报员"),
        "cadre_a": make_user("cadre_a", county["village_a"], "乡镇村干部"),
        "teacher": make_user("edu_reporter", education, "部门填报员"),
        "education": education,
        "farming": farming,
    }


@pytest.fixture
def indicators(ledger_users):
    """Two indicators: one reported by 县教育局, one by 县农业农村局."""
    from qingzhuang.ledger.models import Indicator

    return {
        "enrol": Indicator.objects.create(code="enrol_rate", name="义务教育入学率", owner=ledger_users["education"],
                                          measure_unit="%"),
        "grain": Indicator.objects.create(code="grain_output", name="粮食产量", owner=ledger_users["farming"],
                                          measure_unit="吨"),
    }


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path_factory):
    """Uploaded import files go to a temporary MEDIA_ROOT, never into the project's var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
