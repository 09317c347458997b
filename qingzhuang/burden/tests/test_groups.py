"""工作群: no owner, past the task end (the end day vs the day after), dissolving (once, never
reopened, several all or none), the demands a group places and the yearly counters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.models import Demand, WorkGroup
from qingzhuang.burden.services import registries as services
from qingzhuang.orgs.models import AuditLog


def group(actor, unit, *, name="防汛值班群", owner=None, created=dt.date(2024, 5, 6), ends=None, targets=(),
          platform="wechat"):
    return services.group_create(actor=actor, data=services.GroupData(
        name=name, owner_unit=unit, platform=platform, created_on=created, owner=owner, task_ends_on=ends,
        targets=list(targets), member_count=40))


def test_a_group_without_an_owner_is_flagged(county, registries):
    without = group(registries["monitor"], county["stats"])
    with_owner = group(registries["monitor"], county["stats"], owner=registries["owner"])
    assert (without.flags, without.flagged) == (["group.no_owner"], True)
    assert (with_owner.flags, with_owner.flagged) == ([], False)
    assert rq.group_problems(without, dt.date(2025, 1, 1)) == [("group.no_owner", "工作群无群主", "没有登记群主")]


def test_open_on_the_task_end_day_is_fine_the_day_after_is_flagged(county, registries):
    g = group(registries["monitor"], county["stats"], owner=registries["owner"], ends=dt.date(2025, 6, 30))
    assert rq.group_problems(g, dt.date(2025, 6, 30)) == []
    assert rq.group_problems(g, dt.date(2025, 7, 1)) == [
        ("group.not_dissolved", "任务已结束但工作群未解散", "任务已于 2025-06-30 结束，截至 2025-07-01 仍未解散（1 天）")]
    assert not WorkGroup.objects.filter(rq.flagged_groups_q(dt.date(2025, 6, 30))).exists()
    assert list(WorkGroup.objects.filter(rq.flagged_groups_q(dt.date(2025, 7, 1)))) == [g]
    alert = rq.alerts(year=2025)[0]
    assert (alert.rule, alert.on, alert.unit_name) == ("group.not_dissolved", dt.date(2025, 7, 1), "县统计局")
    # Dissolved on its end day: nothing to flag afterwards.
    services.group_close(actor=registries["monitor"], group=g, reason="任务已完成", closed_on=dt.date(2025, 6, 30))
    g.refresh_from_db()
    assert rq.group_problems(g, dt.date(2025, 8, 1)) == []
    assert rq.alerts(year=2025) == []


def test_dissolving_is_recorded_once_and_never_undone(county, registries):
    monitor = registries["monitor"]
    g = group(monitor, county["stats"], owner=registries["owner"])
    services.group_close(actor=monitor, group=g, reason="任务已完成", closed_on=dt.date(2025, 3, 1))
    g.refresh_from_db()
    assert (g.closed_on, g.closed_by, g.close_reason) == (dt.date(2025, 3, 1), monitor, "任务已完成")
    entry = AuditLog.objects.get(action="group.close")
    assert (entry.before["closed_on"], entry.after["closed_on"]) == (None, "2025-03-01")
    with pytest.raises(ValidationError) as caught:
        services.group_close(actor=monitor, group=g, reason="再关一次")
    assert caught.value.message_dict == {"groups": ["“防汛值班群”已于 2025-03-01 解散，不能重复解散"]}
    with pytest.raises(ValidationError) as caught:
        services.group_update(actor=monitor, group=g, data=services.GroupData(
            name="重新开启", owner_unit=county["stats"], platform="wechat", created_on=dt.date(2024, 5, 6)))
    assert caught.value.messages == ["已解散的工作群不能修改"]
    assert AuditLog.objects.filter(action="group.close").count() == 1


def test_closing_needs_a_reason_and_a_date_after_set_up(county, registries):
    g = group(registries["monitor"], county["stats"], created=dt.date(2024, 5, 6))
    with pytest.raises(ValidationError) as caught:
        services.group_close(actor=registries["monitor"], group=g, reason=" ")
    assert caught.value.message_dict == {"reason": ["请填写解散原因"]}
    with pytest.raises(ValidationError) as caught:
        services.group_close(actor=registries["monitor"], group=g, reason="完成", closed_on=dt.date(2024, 5, 5))
    assert caught.value.message_dict == {"groups": ["“防汛值班群”的解散日期不能早于建群日期 2024-05-06"]}


def test_closing_several_is_all_or_nothing(county, registries):
    monitor = registries["monitor"]
    a, b, c = (group(monitor, county["stats"], name=n) for n in ("甲群", "乙群", "丙群"))
    services.group_close(actor=monitor, group=b, reason="完成", closed_on=dt.date(2025, 1, 2))
    with pytest.raises(ValidationError) as caught:
        services.group_close_many(actor=monitor, groups=[a, b, c], reason="清理")
    assert caught.value.messages == ["“乙群”已于 2025-01-02 解散，不能重复解散"]
    assert WorkGroup.objects.filter(closed_on__isnull=False).count() == 1
    closed = services.group_close_many(actor=monitor, groups=[a, c], reason="清理", closed_on=dt.date(2025, 2, 1))
    assert [g.name for g in closed] == ["甲群", "丙群"]
    assert AuditLog.objects.filter(action="group.close").count() == 3


def test_closing_anothers_group(county, registries):
    g = group(registries["monitor"], county["stats"], targets=(county["village_a"],))
    with pytest.raises(Http404):
        services.group_close(actor=registries["sibling"], group=g, reason="x")
    with pytest.raises(PermissionDenied, match="没有登记工作群的权限"):
        services.group_close(actor=registries["cadre"], group=g, reason="x")
    assert not WorkGroup.objects.filter(closed_on__isnull=False).exists()


def test_a_group_asks_each_member_unit_once(county, registries):
    g = group(registries["monitor"], county["stats"], created=dt.date(2024, 5, 6),
              targets=(county["village_a"], county["grid_a"]))
    demands = Demand.objects.filter(source_id=g.pk, kind="work_group").order_by("unit__path")
    assert [(d.unit.name, d.placed_by, d.month, d.hours, d.hours_fixed) for d in demands] == [
        ("甲村", county["stats"], "2024-05", Decimal("0.50"), False),
        ("甲村一网格", county["stats"], "2024-05", Decimal("0.50"), False),
    ]


def test_bad_input_is_refused_by_field(county, registries, people):
    with pytest.raises(ValidationError) as caught:
        services.group_create(actor=registries["monitor"], data=services.GroupData(
            name="", owner_unit=county["stats"], platform="wechat2", created_on=dt.date(2024, 5, 6),
            owner=people["a"], member_count=-1, task_ends_on=dt.date(2024, 5, 5)))
    assert caught.value.message_dict == {
        "name": ["请填写群名称"], "owner": ["群主应为县统计局（含下属单位）的干部"],
        "platform": ["请选择平台：微信、企业微信、钉钉、政务协同平台、QQ、其他"],
        "member_count": ["群成员数应为 0 到 100000 之间的整数"], "task_ends_on": ["任务结束日期不能早于建群日期"],
    }


def test_who_may_register(county, registries):
    assert group(registries["rep"], county["stats"]).created_by == registries["rep"]
    with pytest.raises(PermissionDenied, match="只能登记本单位建立的工作群"):
        group(registries["rep"], county["office"])
    with pytest.raises(PermissionDenied, match="没有登记工作群的权限"):
        group(registries["cadre"], county["town_a"])


def test_yearly_counters(county, registries):
    m = registries["monitor"]
    group(m, county["stats"], created=dt.date(2023, 3, 1))  # open through 2024 and 2025
    closed_2024 = group(m, county["stats"], created=dt.date(2023, 3, 1))
    closed_new_year = group(m, county["stats"], created=dt.date(2024, 3, 1))
    group(m, county["stats"], created=dt.date(2025, 3, 1))
    services.group_close(actor=m, group=closed_2024, reason="完成", closed_on=dt.date(2024, 12, 31))
    services.group_close(actor=m, group=closed_new_year, reason="完成", closed_on=dt.date(2025, 1, 1))
    assert [rq.group_count(year=y) for y in (2023, 2024, 2025)] == [2, 3, 3]
    assert [rq.groups_created(year=y) for y in (2023, 2024, 2025)] == [2, 1, 1]
    assert [rq.groups_closed(year=y) for y in (2024, 2025)] == [1, 1]
