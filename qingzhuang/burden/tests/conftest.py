import pytest

from conftest import make_user
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER, SUPERVISION
from qingzhuang.orgs.services import unit_create


@pytest.fixture
def placing(county):
    """A county department's reporter, a township's and two villages' cadres, the county 督查室.

    Demands here have a stand-in source (a unit): this app knows nothing of what places demands."""
    from django.db import transaction

    with transaction.atomic():
        civil = unit_create(actor=None, code="429901900201", name="县民政局", kind="department", parent=county["root"])
    return {
        "civil": civil,
        "rep": make_user("civilrep", civil, REPORTER),
        "town_a_rep": make_user("towna", county["town_a"], REPORTER, GRASSROOTS),
        "cun": make_user("cun", county["village_a"], GRASSROOTS),
        "cun_b": make_user("cunb", county["village_b"], GRASSROOTS),
        "ducha": make_user("ducha", county["office"], SUPERVISION),
    }


# ---------------------------------------------------------------------------------------------
# Registries (会议登记, 工作群, 政务应用)


@pytest.fixture
def registries(county):
    """The county 减负监测员, a department's reporter (县统计局), a township cadre (甲镇) and a sibling
    township's reporter (乙镇), and a cadre of 县统计局 who owns groups."""
    from qingzhuang.orgs.models import Person
    from qingzhuang.orgs.roles import MONITOR

    return {
        "monitor": make_user("jianfu", county["root"], MONITOR),
        "rep": make_user("statsrep", county["stats"], REPORTER),
        "cadre": make_user("towncadre", county["town_a"], GRASSROOTS),
        "sibling": make_user("siblingrep", county["town_b"], REPORTER, GRASSROOTS),
        "owner": Person.objects.create(name="王五", unit=county["stats"], title="股长"),
    }

# 码上减负 clues: their county and a clean cache (rate-limit counters) for every test.
from qingzhuang.burden.tests.clue_world import clean_clue_cache, clue_county  # noqa: E402,F401
