"""会议登记: the rules (each threshold both sides), the demands a meeting places, who may register
and see, and the yearly counters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qingzhuang.burden import access
from qingzhuang.burden import queries_registries as rq
from qingzhuang.burden.models import AttendLevel, Demand, Meeting
from qingzhuang.burden.services import registries as services
from qingzhuang.orgs.models import AuditLog

L = AttendLevel


def meeting(actor, organiser, *, title="安全生产工作推进会", on=dt.date(2025, 3, 18), minutes=90, kind="special",
            levels=(), report=30, system="", targets=()):
    return services.meeting_create(actor=actor, data=services.MeetingData(
        organiser=organiser, title=title, held_on=on, minutes=minutes, kind=kind, levels=list(levels),
        report_minutes=report, system=system, targets=list(targets)))


def codes(m: Meeting) -> list[str]:
    return [code for code, _, _ in rq.meeting_problems(m, rq.comprehensive_order(ids=[m.pk]))]


def test_a_main_report_of_60_minutes_is_fine_61_is_flagged(county, registries):
    ok = meeting(registries["monitor"], county["stats"], report=60)
    long = meeting(registries["monitor"], county["stats"], report=61)
    assert (ok.flags, ok.flagged) == ([], False)
    assert (long.flags, long.flagged) == (["meeting.long_report"], True)
    assert rq.meeting_problems(long, {}) == [("meeting.long_report", "主报告超过1小时", "主报告 61 分钟，超过 60 分钟")]


def test_the_second_comprehensive_meeting_of_a_system_in_a_year_is_flagged(county, registries):
    m = registries["monitor"]
    first = meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2025, 2, 1))
    other_system = meeting(m, county["office"], kind="comprehensive", system="党委办公", on=dt.date(2025, 3, 1))
    other_year = meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2024, 12, 31))
    special = meeting(m, county["stats"], kind="special", system="统计", on=dt.date(2025, 4, 1))
    second = meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2025, 6, 1))
    # Same day as the second: the later registration counts after it (date, then id).
    third = meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2025, 6, 1))
    assert [codes(x) for x in (first, other_system, other_year, special)] == [[], [], [], []]
    assert codes(second) == codes(third) == ["meeting.second_comprehensive"]
    assert rq.comprehensive_order(year=2025) == {second.pk: (2, first.pk), third.pk: (3, first.pk)}
    assert rq.meeting_problems(second, rq.comprehensive_order(year=2025))[0][2] == "“统计”系统2025年第2次综合性会议"
    assert rq.second_comprehensive_ids(year=2024) == set()


def test_the_system_defaults_to_the_organiser_name(county, registries):
    assert meeting(registries["monitor"], county["stats"]).system == "县统计局"


@pytest.mark.parametrize(("levels", "flagged"), [
    ((L.TOWNSHIP_HEAD, L.TOWNSHIP_DEPUTY), True),  # 主要 and 分管 of one tier
    ((L.DEPARTMENT_HEAD, L.DEPARTMENT_DEPUTY), True),
    ((L.COUNTY_LEADER, L.DEPARTMENT_HEAD, L.VILLAGE_HEAD), True),  # three tiers
    ((L.COUNTY_LEADER, L.TOWNSHIP_DEPUTY, L.VILLAGE_OTHER), True),
    ((L.TOWNSHIP_HEAD, L.VILLAGE_HEAD), False),  # two tiers, one level each
    ((L.COUNTY_LEADER, L.DEPARTMENT_HEAD), False),
    ((L.VILLAGE_HEAD, L.VILLAGE_OTHER), False),  # the village tier has no 主要/分管 pair
    ((), False),
])
def test_layered_attendance(county, registries, levels, flagged):
    m = meeting(registries["monitor"], county["stats"], levels=levels)
    assert ("meeting.layered" in m.flags) is flagged


def test_a_meeting_asks_each_attending_grassroots_unit_once(county, registries):
    m = meeting(registries["monitor"], county["stats"], minutes=90, on=dt.date(2025, 3, 18),
                levels=(L.DEPARTMENT_HEAD, L.TOWNSHIP_DEPUTY, L.VILLAGE_HEAD),
                targets=(county["town_a"], county["village_a"]))
    demands = Demand.objects.filter(source_id=m.pk, kind="meeting").order_by("unit__path")
    # 1.5 h × 2 grassroots levels + 1 h travel.
    assert [(d.unit, d.placed_by, d.month, d.hours, d.hours_fixed, d.status) for d in demands] == [
        (county["town_a"], county["stats"], "2025-03", Decimal("4.00"), True, "counted"),
        (county["village_a"], county["stats"], "2025-03", Decimal("4.00"), True, "counted"),
    ]
    assert demands[0].title == "会议：安全生产工作推进会"
    # No grassroots level required: one person still comes.
    assert services.meeting_hours(minutes=60, levels=[L.DEPARTMENT_HEAD]) == Decimal("2.00")


def test_a_correction_asks_only_new_targets_and_keeps_those_asked(county, registries):
    actor = registries["monitor"]
    m = meeting(actor, county["stats"], targets=(county["village_a"],))
    data = services.MeetingData(organiser=county["stats"], title="改名的会", held_on=dt.date(2025, 3, 18), minutes=90,
                                kind="special", targets=[county["village_a"], county["village_b"]])
    services.meeting_update(actor=actor, meeting=m, data=data)
    assert sorted(Demand.objects.filter(source_id=m.pk, kind="meeting").values_list("unit__name", flat=True)) == [
        "乙村", "甲村"]
    data.targets = [county["village_b"]]
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(actor=actor, meeting=m, data=data)
    assert caught.value.message_dict == {"target_units": ["已向这些单位下发，不能移除：甲村"]}
    assert AuditLog.objects.filter(action="meeting.update").count() == 1


def test_bad_input_is_refused_by_field(county, registries):
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(actor=registries["monitor"], data=services.MeetingData(
            organiser=county["town_a"], title=" ", held_on=None, minutes=0, kind="chat", levels=["boss"],
            report_minutes=5, targets=[county["stats"]]))
    assert caught.value.message_dict == {
        "organiser": [services.COUNTY_UNIT_MESSAGE],
        "title": ["请填写会议名称"],
        "held_on": ["请填写会议日期"],
        "minutes": ["会议时长应为 1 到 1440 之间的整数（分钟）"],
        "kind": ["请选择会议类型：综合性、专项、视频会议、其他"],
        "levels": ["没有这些参会人员层级：boss"],
        "target_units": ["填报单位只能是乡镇（街道）、村（社区）或网格：县统计局"],
    }
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError) as caught:
        meeting(registries["monitor"], county["stats"], minutes=30, report=31)
    assert caught.value.message_dict == {"report_minutes": ["主报告时长应为 0 到会议时长之间的整数（分钟）"]}


def test_who_may_register(county, registries):
    rep = registries["rep"]
    assert meeting(rep, county["stats"]).created_by == rep
    with pytest.raises(PermissionDenied, match="只能登记本单位召开的会议"):
        meeting(rep, county["office"])
    with pytest.raises(PermissionDenied, match="没有登记会议的权限"):
        meeting(registries["cadre"], county["stats"])
    assert Meeting.objects.count() == 1


def test_scope_a_township_sees_meetings_reaching_it(county, registries):
    m = meeting(registries["monitor"], county["stats"], targets=(county["grid_a"],))
    assert access.get_registry_or_404(registries["cadre"], "meeting", m.pk) == m
    with pytest.raises(Http404):
        access.get_registry_or_404(registries["sibling"], "meeting", m.pk)
    # Correcting another's entry: out of scope is 404, in scope but not one's own is 403.
    data = services.MeetingData(organiser=county["stats"], title="x", held_on=dt.date(2025, 1, 2), minutes=30,
                                kind="special")
    with pytest.raises(Http404):
        services.meeting_update(actor=registries["sibling"], meeting=m, data=data)
    with pytest.raises(PermissionDenied):
        services.meeting_update(actor=registries["cadre"], meeting=m, data=data)


def test_yearly_counters(county, registries):
    m = registries["monitor"]
    meeting(m, county["stats"], on=dt.date(2025, 1, 1))
    meeting(m, county["stats"], on=dt.date(2025, 12, 31))
    meeting(m, county["office"], on=dt.date(2025, 5, 5))
    meeting(m, county["office"], on=dt.date(2024, 12, 31))
    assert rq.meeting_count(year=2025) == 3
    assert rq.meeting_count(year=2024) == 1
    assert rq.meeting_counts_by_organiser(year=2025) == {county["stats"].pk: 2, county["office"].pk: 1}


def test_alerts_name_each_breach(county, registries):
    m = registries["monitor"]
    meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2025, 1, 5))
    second = meeting(m, county["stats"], kind="comprehensive", system="统计", on=dt.date(2025, 8, 5), report=75,
                     levels=(L.TOWNSHIP_HEAD, L.TOWNSHIP_DEPUTY))
    found = [(a.rule, a.rule_name, a.message, a.unit_name, a.on, a.url) for a in rq.alerts(year=2025)]
    url = f"/burden/meetings/{second.pk}/"
    assert found == [
        ("meeting.second_comprehensive", "同一系统一年召开第二次综合性会议", "“统计”系统2025年第2次综合性会议", "县统计局",
         dt.date(2025, 8, 5), url),
        ("meeting.long_report", "主报告超过1小时", "主报告 75 分钟，超过 60 分钟", "县统计局", dt.date(2025, 8, 5), url),
        ("meeting.layered", "层层陪会", "要求参会：乡镇（街道）主要负责人、乡镇（街道）分管负责人", "县统计局",
         dt.date(2025, 8, 5), url),
    ]
    assert rq.alerts(year=2024) == []
