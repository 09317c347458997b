"""The weights page: person-hours per kind, readable by all who read the ledger, edited by the
减负监测员 and the 督查室; saving re-estimates the asks whose hours came from the weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from qingzhuang.burden.models import BurdenWeight, Demand
from qingzhuang.burden.services import HOURS_MESSAGE
from qingzhuang.burden.tests.ledger_world import world  # noqa: F401
from qingzhuang.orgs.models import AuditLog

URL = reverse("burden:weights")


def test_everyone_reads_the_weights(client, world):  # noqa: F811
    client.force_login(world["cun"])
    response = client.get(URL)
    assert response.status_code == 200 and response.context["manages"] is False
    rows = {row.kind: row for row in response.context["rows"]}
    assert (rows["report"].hours, rows["report"].estimated, rows["report"].fixed) == (Decimal("2"), 0, 1)
    assert (rows["meeting"].hours, rows["meeting"].estimated) == (Decimal("3"), 4)
    page = response.content.decode()
    assert "只有减负监测员和督查室可以修改" in page and 'name="hours"' not in page


@pytest.mark.parametrize("role", ["monitor", "supervision"])
def test_a_manager_saves_and_the_non_fixed_asks_are_re_estimated(client, world, users, role):  # noqa: F811
    client.force_login(users[role])
    assert 'name="hours"' in client.get(URL).content.decode()
    response = client.post(URL, {"kind": "report", "hours": "3.25", "note": "两人半天"})
    assert response.status_code == 302 and response["Location"] == URL
    assert BurdenWeight.objects.get(kind="report").hours == Decimal("3.25")
    # The only report here had its hours from its source: it keeps them.
    assert [str(d.hours) for d in Demand.objects.filter(kind="report")] == ["2.50"]
    client.post(URL, {"kind": "meeting", "hours": "4"})
    assert sorted({str(d.hours) for d in Demand.objects.filter(kind="meeting")}) == ["4.00"]
    entry = AuditLog.objects.filter(action="burden.weight").latest("id")
    assert (entry.actor, entry.before, entry.after) == (
        users[role], {"hours": "3"}, {"hours": "4", "note": "", "demands": 4})
    page = client.get(URL).content.decode()
    assert "两人半天" in page and "（默认 3）" in page


@pytest.mark.parametrize("role", ["member", "leader", "reporter", "assessment"])
def test_other_roles_may_not_save(client, world, users, role):  # noqa: F811
    client.force_login(users[role])
    assert client.post(URL, {"kind": "meeting", "hours": "4"}).status_code == 403
    assert not BurdenWeight.objects.exists() and not AuditLog.objects.filter(action="burden.weight").exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", "1000", "1.234", "NaN", "Infinity"])
def test_bad_hours_give_the_exact_message_and_change_nothing(client, world, users, value):  # noqa: F811
    client.force_login(users["monitor"])
    response = client.post(URL, {"kind": "meeting", "hours": value})
    assert response.status_code == 400
    assert (response.context["error_kind"], response.context["error"]) == ("meeting", HOURS_MESSAGE)
    assert f'data-testid="weight-error">{HOURS_MESSAGE}<' in response.content.decode()
    assert not BurdenWeight.objects.exists()
    assert sorted({str(d.hours) for d in Demand.objects.filter(kind="meeting")}) == ["3.00"]


def test_an_unknown_kind_is_refused(client, world, users):  # noqa: F811
    client.force_login(users["monitor"])
    response = client.post(URL, {"kind": "tea", "hours": "1"})
    assert (response.status_code, response.context["error"]) == (400, "没有这种任务类型：tea")
