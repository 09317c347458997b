"""The supervision tests' small world on top of the shared county: a department reporter (统计局),
a second department (县农业农村局) with its own reporter, the 督查室, and approved plan items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from conftest import make_user
from qingzhuang.burden.admission import Admission
from qingzhuang.orgs.services import unit_create
from qingzhuang.supervision import windows
from qingzhuang.supervision.models import PlanItem


def make_item(*, owner, title="安全生产检查", matter="安全生产", window="2025-Q2", kind="inspect",
              target_kinds=("township",), targets=(), admission=Admission.APPROVED, in_plan=True, **extra) -> PlanItem:
    start, end = windows.bounds(window)
    item = PlanItem.objects.create(
        owner=owner, year=start.year, title=title, basis="《安全生产法》", kind=kind, matter=matter,
        target_kinds=list(target_kinds), window_kind=windows.kind_of(window), window=window,
        window_start=start, window_end=end, admission=admission, in_plan=in_plan, **extra)
    item.target_units.set(targets)
    return item


@pytest.fixture
def sv(county, users):
    """Departments, their reporters and the 督查室 user (at the county office), plus two approved
    items: 统计局's 统计执法检查 and 农业农村局's 耕地保护检查, both on townships in 2025-Q2."""
    with transaction.atomic():
        agri = unit_create(actor=None, code="429901900201", name="县农业农村局", kind="department",
                           parent=county["root"])
    world = {
        "agri": agri,
        "stats_reporter": make_user("stats_reporter", county["stats"], "部门填报员"),
        "agri_reporter": make_user("agri_reporter", agri, "部门填报员"),
        "office": make_user("office", county["office"], "督查室"),
    }
    world["stats_item"] = make_item(owner=county["stats"], title="统计执法检查", matter="统计执法")
    world["agri_item"] = make_item(owner=agri, title="耕地保护检查", matter="耕地保护")
    world["day"] = dt.date(2025, 5, 20)
    return world

# 工作问效: the ``tw`` fixture.
from qingzhuang.supervision.tests.task_world import tw  # noqa: E402, F401
