"""demand_place, the only writer of demands; demand_fill; resolve_targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from conftest import make_user
from qingzhuang.burden import services
from qingzhuang.burden.models import Demand, DemandKind, DemandStatus
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.roles import MONITOR


def place(actor, source, units, **kwargs):
    with transaction.atomic():
        return services.demand_place(actor=actor, source=source, kind=kwargs.pop("kind", DemandKind.MEETING),
                                     units=units, title=kwargs.pop("title", "防汛调度会"), **kwargs)


def test_demand_place_writes_every_unit_and_audits(county, placing):
    demands = place(placing["rep"], placing["civil"], [county["village_a"], county["village_b"]],
                    fields=["参会人员"], round="2025-06")
    assert [d.unit for d in demands] == [county["village_a"], county["village_b"]]
    demand = Demand.objects.get(unit=county["village_a"])
    assert (demand.kind, demand.source, demand.placed_by, demand.title, demand.round, demand.fields, demand.status) == (
        DemandKind.MEETING, placing["civil"], placing["civil"], "防汛调度会", "2025-06", ["参会人员"],
        DemandStatus.PENDING)
    assert len(demand.month) == 7 and demand.label == "会议：防汛调度会"
    entry = AuditLog.objects.get(action="demand.place")
    assert entry.actor == placing["rep"] and entry.object_type == "orgs.unit"
    assert entry.after["units"] == ["429901001201", "429901002201"] and entry.after["kind"] == "meeting"


@pytest.mark.django_db(transaction=True)
def test_demand_place_refuses_outside_a_transaction(county, placing):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.demand_place(actor=placing["rep"], source=placing["civil"], kind=DemandKind.MEETING,
                              units=[county["village_a"]], title="会")
    assert not Demand.objects.exists()


def test_demand_place_refuses_non_grassroots_inactive_and_out_of_reach_units(county, placing):
    with pytest.raises(ValidationError) as exc:
        place(placing["rep"], placing["civil"], [county["village_a"], county["stats"]])
    assert exc.value.message_dict == {"target_units": ["填报单位只能是乡镇（街道）、村（社区）或网格：县统计局（429901900101）"]}
    # A township asks its own subtree only.
    with pytest.raises(ValidationError) as exc:
        place(placing["town_a_rep"], county["town_a"], [county["village_a"], county["village_b"]])
    assert exc.value.message_dict == {"target_units": ["这些单位不在本单位可以下发的范围内：429901002201"]}
    county["village_b"].is_active = False
    county["village_b"].save()
    with pytest.raises(ValidationError) as exc:
        place(placing["rep"], placing["civil"], [county["village_b"]])
    assert exc.value.message_dict == {"target_units": ["这些单位已停用，不能作为填报单位：429901002201"]}
    assert not Demand.objects.exists() and not AuditLog.objects.filter(action="demand.place").exists()


def test_demand_place_asks_a_unit_once_per_round(county, placing):
    place(placing["rep"], placing["civil"], [county["village_a"]], round="2025-06")
    with pytest.raises(ValidationError) as exc:
        place(placing["rep"], placing["civil"], [county["village_b"], county["village_a"]], round="2025-06")
    assert exc.value.message_dict == {"round": ["第“2025-06”期已经下发过：甲村"]}
    place(placing["rep"], placing["civil"], [county["village_a"]], round="2025-07")
    assert Demand.objects.count() == 2


def test_demand_fill_by_the_asked_unit_only(county, placing):
    demand = place(placing["rep"], placing["civil"], [county["village_a"]], fields=["参会人员"])[0]
    with pytest.raises(PermissionDenied):
        services.demand_fill(actor=placing["cun_b"], demand=demand, data={"参会人员": "王一"})
    with pytest.raises(ValidationError) as exc:
        services.demand_fill(actor=placing["cun"], demand=demand, data={})
    assert exc.value.message_dict == {"data": ["请填写：参会人员"]}
    services.demand_fill(actor=placing["cun"], demand=demand, data={"参会人员": "王一"}, note="已到")
    demand.refresh_from_db()
    assert (demand.status, demand.data, demand.note, demand.filled_by) == (
        DemandStatus.FILLED, {"参会人员": "王一"}, "已到", placing["cun"])
    assert AuditLog.objects.get(action="demand.fill").unit == county["village_a"]
    with pytest.raises(ValidationError, match="该任务已经填报"):
        services.demand_fill(actor=placing["cun"], demand=demand, data={"参会人员": "王一"})


def test_resolve_targets_good_codes(county, placing):
    county_wide = services.resolve_targets(actor=placing["rep"], under="429901000000",
                                           codes=["429901001501", "429901001201"])
    assert county_wide == [county["village_a"], county["village_b"], county["grid_a"]]
    assert services.resolve_targets(actor=placing["town_a_rep"], under="429901001000") == [county["village_a"]]
    assert services.resolve_targets(actor=placing["rep"], codes=[" ", ""]) == []


@pytest.mark.parametrize(("who", "kwargs", "message"), [
    ("rep", {"codes": ["999", "429901001201", "888"]}, "没有这些单位代码：999、888"),
    ("rep", {"under": "999"}, "没有这些单位代码：999"),
    ("rep", {"under": "429901001201"}, "填报单位范围只能选择全县或某个乡镇（街道）：429901001201"),
    ("rep", {"codes": ["429901900101"]}, "填报单位只能是乡镇（街道）、村（社区）或网格：县统计局（429901900101）"),
    ("town_a_rep", {"codes": ["429901002201"]}, "这些单位不在本单位可以下发的范围内：429901002201"),
    ("town_a_rep", {"under": "429901000000"}, "这些单位不在本单位可以下发的范围内：429901000000"),
])
def test_resolve_targets_bad_codes(county, placing, who, kwargs, message):
    with pytest.raises(ValidationError) as exc:
        services.resolve_targets(actor=placing[who], **kwargs)
    assert exc.value.message_dict == {"target_units": [message]}


def test_resolve_targets_refuses_an_inactive_unit(county, placing):
    county["grid_a"].is_active = False
    county["grid_a"].save()
    with pytest.raises(ValidationError) as exc:
        services.resolve_targets(actor=placing["rep"], codes=["429901001501"])
    assert exc.value.message_dict == {"target_units": ["这些单位已停用，不能作为填报单位：429901001501"]}


def test_a_demand_counts_in_its_sources_month_with_the_kinds_hours(county, placing):
    demands = place(placing["rep"], placing["civil"], [county["village_a"]], month="2024-03")
    demand = Demand.objects.get(pk=demands[0].pk)
    assert (demand.month, demand.hours, demand.hours_fixed, demand.status) == (
        "2024-03", Decimal("3.00"), False, DemandStatus.COUNTED)
    own = place(placing["rep"], placing["civil"], [county["village_b"]], hours=Decimal("4.5"), round="2")
    assert (own[0].hours, own[0].hours_fixed) == (Decimal("4.5"), True)
    assert AuditLog.objects.filter(action="demand.place").first().after["hours"] == "4.5"


@pytest.mark.parametrize("month", ["2024-13", "24-03", "2024-3", "2024-03-01"])
def test_a_malformed_month_is_refused(county, placing, month):
    with pytest.raises(ValueError, match="month must look like 2025-06"):
        place(placing["rep"], placing["civil"], [county["village_a"]], month=month)
    assert not Demand.objects.exists()


def test_a_counted_demand_cannot_be_filled(county, placing):
    demand = place(placing["rep"], placing["civil"], [county["village_a"]])[0]
    with pytest.raises(ValidationError, match="该任务无需在平台填报"):
        services.demand_fill(actor=placing["cun"], demand=demand, data={})


def test_setting_a_weight_re_estimates_the_kinds_demands_but_not_their_own_estimates(county, placing):
    by_weight = place(placing["rep"], placing["civil"], [county["village_a"]])[0]
    own = place(placing["rep"], placing["civil"], [county["village_b"]], hours=Decimal("7"), round="2")[0]
    report = place(placing["rep"], placing["civil"], [county["village_b"]], kind=DemandKind.REPORT, round="3")[0]
    monitor = make_user("jianfu", county["root"], MONITOR)
    with transaction.atomic():
        services.weight_set(actor=monitor, kind=DemandKind.MEETING, hours="2.25", note="会议半天计")
    hours = dict(Demand.objects.values_list("pk", "hours"))
    assert (hours[by_weight.pk], hours[own.pk], hours[report.pk]) == (Decimal("2.25"), Decimal("7"), Decimal("2"))
    assert services.weights()[DemandKind.MEETING] == Decimal("2.25")
    entry = AuditLog.objects.get(action="burden.weight")
    assert (entry.before, entry.after) == ({"hours": "3"}, {"hours": "2.25", "note": "会议半天计", "demands": 1})


@pytest.mark.parametrize("hours", ["-1", "1000", "1.234", "abc", "NaN", ""])
def test_a_bad_weight_is_refused(county, placing, hours):
    monitor = make_user("jianfu", county["root"], MONITOR)
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        services.weight_set(actor=monitor, kind=DemandKind.MEETING, hours=hours)
    assert caught.value.message_dict == {"hours": [services.HOURS_MESSAGE]}
    assert services.HOURS_MESSAGE == "估算工时应为 0 到 999 之间的数，最多两位小数"
    assert not AuditLog.objects.filter(action="burden.weight").exists()


def test_only_monitors_and_the_supervision_office_set_weights(county, placing):
    with pytest.raises(PermissionDenied, match="只有减负监测员或督查室可以修改估算工时"), transaction.atomic():
        services.weight_set(actor=placing["rep"], kind=DemandKind.MEETING, hours="1")
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        services.weight_set(actor=placing["ducha"], kind="party", hours="1")
    assert caught.value.message_dict == {"kind": ["没有这种任务类型：party"]}
