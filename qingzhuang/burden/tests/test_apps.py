"""政务应用: a flag per forbidden feature while in use, rectification, the check-in demands and the counters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.models import Demand, GovApp
from qingzhuang.burden.services import registries as services


def data(unit, **kwargs) -> services.AppData:
    values = {"name": "平安巡查", "owner_unit": unit, "registered_on": dt.date(2024, 9, 1), "users": ["village"]}
    return services.AppData(**{**values, **kwargs})


def test_each_forbidden_feature_in_use_is_flagged(county, registries):
    app = services.app_create(actor=registries["monitor"], data=data(
        county["stats"], forced_check_in=True, rankings=True, online_time=True, forced_photos=True))
    assert app.flags == ["app.forced_check_in", "app.rankings", "app.online_time", "app.forced_photos"]
    assert [(name, figure) for _, name, figure in rq.app_problems(app)] == [
        ("政务应用强制打卡", "“平安巡查”强制打卡"), ("政务应用排名通报", "“平安巡查”排名通报"),
        ("政务应用在线时长考核", "“平安巡查”在线时长考核"), ("政务应用强制拍照上传", "“平安巡查”强制拍照上传")]
    clean = services.app_create(actor=registries["monitor"], data=data(county["stats"], name="村务通"))
    assert (clean.flags, clean.flagged) == ([], False)
    assert rq.apps_flagged() == 1


def test_rectified_apps_are_no_longer_flagged_and_need_a_note_and_a_date(county, registries):
    actor = registries["monitor"]
    app = services.app_create(actor=actor, data=data(county["stats"], rankings=True))
    with pytest.raises(ValidationError) as caught:
        services.app_update(actor=actor, app=app, data=data(county["stats"], rankings=True, status="rectified"))
    assert caught.value.message_dict == {"rectification": ["已整改或已停用的应用请填写整改情况"],
                                         "rectified_on": ["请填写整改（停用）日期"]}
    with pytest.raises(ValidationError) as caught:
        services.app_update(actor=actor, app=app, data=data(county["stats"], rankings=True, status="rectified",
                                                            rectification="取消排名", rectified_on=dt.date(2024, 8, 1)))
    assert caught.value.message_dict == {"rectified_on": ["整改（停用）日期不能早于登记日期"]}
    app = services.app_update(actor=actor, app=app, data=data(
        county["stats"], rankings=True, status="rectified", rectification="取消排名", rectified_on=dt.date(2025, 3, 1)))
    assert (app.flags, app.flagged, rq.apps_flagged()) == ([], False, 0)
    # Still a warning in the years it was in use with the feature.
    assert [(a.rule, a.level, a.message) for a in rq.alerts(year=2025)] == [
        ("app.rankings", "warning", "“平安巡查”排名通报（2025-03-01 已整改）")]
    assert [(a.rule, a.level) for a in rq.alerts(year=2024)] == [("app.rankings", "danger")]


def test_forced_check_in_asks_each_unit_using_it(county, registries):
    app = services.app_create(actor=registries["monitor"], data=data(
        county["stats"], forced_photos=True, targets=[county["village_a"], county["village_b"]]))
    demands = Demand.objects.filter(source_id=app.pk, kind="check_in").order_by("unit__path")
    assert [(d.unit.name, d.placed_by, d.month, d.hours) for d in demands] == [
        ("甲村", county["stats"], "2024-09", Decimal("0.50")), ("乙村", county["stats"], "2024-09", Decimal("0.50"))]
    plain = services.app_create(actor=registries["monitor"], data=data(
        county["stats"], name="村务通", rankings=True, targets=[county["village_a"]]))
    assert not Demand.objects.filter(source_id=plain.pk, kind="check_in").exists()


def test_who_may_register(county, registries):
    assert services.app_create(actor=registries["rep"], data=data(county["stats"])).created_by == registries["rep"]
    with pytest.raises(PermissionDenied, match="只能登记本单位主管的政务应用"):
        services.app_create(actor=registries["rep"], data=data(county["office"]))
    with pytest.raises(PermissionDenied, match="没有登记政务应用的权限"):
        services.app_create(actor=registries["cadre"], data=data(county["town_a"]))
    assert GovApp.objects.count() == 1


def test_app_count_of_a_year(county, registries):
    actor = registries["monitor"]
    services.app_create(actor=actor, data=data(county["stats"], registered_on=dt.date(2024, 2, 1)))
    services.app_create(actor=actor, data=data(county["stats"], registered_on=dt.date(2025, 2, 1)))
    services.app_create(actor=actor, data=data(county["stats"], registered_on=dt.date(2023, 2, 1), status="stopped",
                                               rectification="停用", rectified_on=dt.date(2024, 12, 31)))
    assert [rq.app_count(year=y) for y in (2023, 2024, 2025)] == [1, 2, 2]
