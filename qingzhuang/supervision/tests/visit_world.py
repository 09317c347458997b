"""Helpers of the visits tests: items whose window is the current quarter, and an issued visit."""

from __future__ import annotations

from django.utils import timezone

from qingzhuang.supervision import windows
from qingzhuang.supervision.services.visits import visit_create, visit_issue
from qingzhuang.supervision.tests.conftest import make_item


def this_quarter() -> str:
    return windows.period_for(timezone.localdate(), "quarter")


def live_item(owner, **extra):
    """An approved item of ``owner`` on townships in the current quarter."""
    return make_item(owner=owner, window=this_quarter(), **extra)


def issued_visit(sv, county, *, unit=None, item=None, actor=None, day=None, team="统计执法检查组"):
    """A visit of 统计局 (or ``item``'s owner) to 甲镇 today, issued by the 督查室."""
    item = item or live_item(county["stats"], title="统计执法检查", matter="统计执法")
    visit = visit_create(actor=actor or sv["stats_reporter"], items=[item], unit=unit or county["town_a"],
                         date=day or timezone.localdate(), team=team)
    return visit_issue(actor=sv["office"], visit=visit)
