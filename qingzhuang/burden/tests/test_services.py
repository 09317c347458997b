"""demand_place, the only writer of demands; demand_fill; resolve_targets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qingzhuang.burden import services
from qingzhuang.burden.models import Demand, DemandKind, DemandStatus
from qingzhuang.orgs.models import AuditLog


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
