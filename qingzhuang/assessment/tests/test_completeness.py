"""数据完整度: counts per department and month (reported, missing, late) on a small fixture, the
reminder and its to-do for the department's reporters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from qingzhuang.accounts.services import token_create
from qingzhuang.assessment import completeness, todos
from qingzhuang.assessment.models import Reminder, SchemeIndicator
from qingzhuang.assessment.services.reminders import reminder_send
from qingzhuang.assessment.tests import spot_world
from qingzhuang.ledger.builtins import ensure_builtin_catalog
from qingzhuang.ledger.models import Dataset, ImportJob, Indicator, IndicatorValue
from qingzhuang.lib import periods
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.services import unit_create

pytestmark = pytest.mark.django_db
office, scheme = spot_world.office, spot_world.scheme


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world(county, scheme):
    """县统计局 reports GDP and 税收 (2 indicators), 县发改局 reports 项目 (1), for 甲镇 and 乙镇, every
    month of 2025 on the 10th of the next month, except: 乙镇's 税收 of February is missing, 甲镇's 项目 of
    March and April are missing; 甲镇's GDP of January came on 16 February (late), 甲镇's 税收 of January on
    15 February 23:59 (on time); 乙镇's GDP of January came by an import job finished on 10 February
    (on time, although the value row was touched later); 乙镇's 税收 of May by a job created on 20 June that
    never finished (late)."""
    with transaction.atomic():
        dev = unit_create(actor=None, code="429901900401", name="县发改局", kind="department", parent=county["root"])
    stats = county["stats"]
    gdp = Indicator.objects.create(code="gdp", name="地区生产总值", owner=stats)
    tax = Indicator.objects.create(code="tax", name="税收收入", owner=stats)
    project = Indicator.objects.create(code="project", name="重点项目投资", owner=dev)
    unused = Indicator.objects.create(code="unused", name="不考核的指标", owner=dev)
    for position, indicator in enumerate([gdp, tax, project]):
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, position=position, weight=Decimal("10"),
                                       method="ratio", params={"target": "1"})
    town_a, town_b = county["town_a"], county["town_b"]
    IndicatorValue.objects.bulk_create([
        IndicatorValue(unit=u, indicator=i, period=p, value=Decimal("1"))
        for i in (gdp, tax, project, unused) for u in (town_a, town_b, county["village_a"])
        for p in periods.months_of_year(2025)])
    IndicatorValue.objects.filter(unit=town_b, indicator=tax, period="2025-02").delete()
    IndicatorValue.objects.filter(unit=town_a, indicator=project, period__in=["2025-03", "2025-04"]).delete()
    for p in periods.months_of_year(2025):
        y, m = periods.parse_period(periods.shift_period(p, 1))
        IndicatorValue.objects.filter(period=p).update(updated_at=at(y, m, 10))
    IndicatorValue.objects.filter(unit=town_a, indicator=gdp, period="2025-01").update(updated_at=at(2025, 2, 16))
    IndicatorValue.objects.filter(unit=town_a, indicator=tax, period="2025-01").update(
        updated_at=at(2025, 2, 15, 23, 59))
    ensure_builtin_catalog()
    dataset = Dataset.objects.get(code="indicator_values")
    on_time = ImportJob.objects.create(dataset=dataset, file="x.csv", original_name="1月.csv", status="succeeded",
                                       finished_at=at(2025, 2, 10))
    IndicatorValue.objects.filter(unit=town_b, indicator=gdp, period="2025-01").update(
        job=on_time, updated_at=at(2025, 3, 1))
    stuck = ImportJob.objects.create(dataset=dataset, file="y.csv", original_name="5月.csv", status="failed")
    ImportJob.objects.filter(pk=stuck.pk).update(created_at=at(2025, 6, 20))
    IndicatorValue.objects.filter(unit=town_b, indicator=tax, period="2025-05").update(job=stuck)
    return {"dev": dev, "stats": stats, "gdp": gdp, "tax": tax, "project": project}


def cells(row) -> list[tuple[int, int, int, int]]:
    return [(c.month, c.reported, c.expected, c.late) for c in row.cells if c.reported != c.expected or c.late]


def test_counts_per_department_and_month(scheme, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        table = completeness.completeness(scheme)
        rows = {r.department.name: r for r in table.rows}
    assert table.units == 2 and table.deadline_day == 15
    stats, dev = rows["县统计局"], rows["县发改局"]
    assert [r.department.name for r in table.rows] == ["县统计局", "县发改局"]
    assert cells(stats) == [(1, 4, 4, 1), (2, 3, 4, 0), (5, 4, 4, 1)]
    assert (stats.expected, stats.reported, stats.missing, stats.late) == (48, 47, 1, 2)
    assert cells(dev) == [(3, 1, 2, 0), (4, 1, 2, 0)]
    assert (dev.expected, dev.reported, dev.missing, dev.late) == (24, 22, 2, 0)
    assert (table.missing, table.late) == (3, 2)
    assert stats.missing_months == ["2025-02"] and dev.missing_months == ["2025-03", "2025-04"]


def test_a_month_before_its_deadline_counts_no_missing(scheme, world):
    table = completeness.completeness(scheme, now=at(2025, 4, 16))
    dev = next(r for r in table.rows if r.department.name == "县发改局")
    assert [c.due for c in dev.cells[:4]] == [True, True, True, False]
    assert dev.missing == 1 and dev.cells[3].tone == "secondary" and dev.cells[2].tone == "danger"


def test_deadline_day_is_a_setting(scheme, world, settings):
    settings.QZ_ASSESSMENT_DEADLINE_DAY = 20
    stats = completeness.completeness(scheme).rows[0]
    assert stats.late == 0  # 16 February and 20 June are now on time
    assert completeness.deadline("2025-12") == at(2026, 1, 21)


def test_cell_detail_names_the_missing_and_the_late(scheme, world, county):
    detail = completeness.cell_detail(scheme, world["stats"], "2025-02")
    assert [(m.indicator.code, [u.name for u in m.units]) for m in detail.missing] == [("tax", ["乙镇"])]
    january = completeness.cell_detail(scheme, world["stats"], "2025-01")
    assert january.missing == [] and [(v.indicator.code, v.unit.name) for v in january.late] == [("gdp", "甲镇")]


def test_remind_a_department(office, scheme, world):
    reminder = reminder_send(actor=office, scheme=scheme, department=world["dev"])
    assert (reminder.months, reminder.missing, reminder.sent_by) == (["2025-03", "2025-04"], 2, office)
    assert reminder.message == "请尽快补报“2025年度乡镇（街道）综合考核”所用指标3月、4月的数据，共缺2项。"
    row = AuditLog.objects.get(action="assessment.remind")
    assert row.unit == world["dev"] and row.after["missing"] == 2


def test_remind_a_department_with_nothing_missing(office, scheme, world, county):
    IndicatorValue.objects.create(unit=county["town_b"], indicator=world["tax"], period="2025-02", value=1)
    with pytest.raises(Exception) as exc:
        reminder_send(actor=office, scheme=scheme, department=world["stats"])
    assert exc.value.messages == ["该部门数据已报齐，无需提醒"]
    with pytest.raises(Exception) as exc:
        reminder_send(actor=office, scheme=scheme, department=county["office"])
    assert exc.value.messages == ["该部门不报送本方案的考核指标"]
    assert not Reminder.objects.exists()


def test_only_the_office_reminds(users, scheme, world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reminder_send(actor=users["reporter"], scheme=scheme, department=world["dev"])


def test_reminder_is_a_todo_of_the_departments_reporters_until_reported(office, scheme, world, county, users):
    dev_reporter = make_user("dev_reporter", world["dev"], "部门填报员")
    stats_reporter = make_user("stats_reporter", world["stats"], "部门填报员")
    reminder = reminder_send(actor=office, scheme=scheme, department=world["dev"])
    found = todos.todos(dev_reporter)
    assert [(t.label, t.count, t.url) for t in found] == [
        ("项考核指标数据待补报（考核办提醒）", 2, reverse("ledger:dataset_import", args=["indicator_values"]))]
    for other in (stats_reporter, users["member"], users["reporter"], office):
        assert todos.todos(other) == []
    IndicatorValue.objects.create(unit=county["town_a"], indicator=world["project"], period="2025-03", value=1)
    assert todos.todos(dev_reporter)[0].count == 1
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    assert todos.todos(dev_reporter) == []
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    IndicatorValue.objects.create(unit=county["town_a"], indicator=world["project"], period="2025-04", value=1)
    assert todos.todos(dev_reporter) == []


def test_workbench_shows_the_reminder(client, office, scheme, world):
    dev_reporter = make_user("dev_reporter", world["dev"], "部门填报员")
    reminder_send(actor=office, scheme=scheme, department=world["dev"])
    client.force_login(dev_reporter)
    assert "待补报（考核办提醒）" in client.get(reverse("web:home")).content.decode()


def test_completeness_page_cell_and_remind(client, office, scheme, world):
    client.force_login(office)
    response = client.get(reverse("assessment:completeness"), {"scheme": scheme.code})
    body = response.content.decode()
    assert response.status_code == 200 and "3/4" in body and "1/2" in body and body.count("提醒报送") == 2
    cell = client.get(reverse("assessment:completeness_cell"),
                      {"scheme": scheme.code, "department": world["dev"].code, "period": "2025-03"})
    assert "重点项目投资（project）：甲镇" in cell.content.decode()
    assert client.get(reverse("assessment:completeness_cell"), {
        "scheme": scheme.code, "department": world["dev"].code, "period": "2024-03"}).status_code == 404
    response = client.post(reverse("assessment:completeness_remind"),
                           {"scheme": scheme.code, "department": world["dev"].code}, follow=True)
    assert "已提醒县发改局" in response.content.decode() and Reminder.objects.count() == 1


def test_remind_page_with_nothing_missing(client, office, scheme, world, county):
    IndicatorValue.objects.create(unit=county["town_b"], indicator=world["tax"], period="2025-02", value=1)
    client.force_login(office)
    response = client.post(reverse("assessment:completeness_remind"),
                           {"scheme": scheme.code, "department": world["stats"].code}, follow=True)
    assert "该部门数据已报齐，无需提醒" in response.content.decode() and not Reminder.objects.exists()
    assert client.post(reverse("assessment:completeness_remind"),
                       {"scheme": scheme.code, "department": county["town_a"].code}).status_code == 404


@pytest.mark.parametrize("who", ["member", "reporter", "leader"])
def test_completeness_is_the_offices_only(client, users, scheme, world, who):
    client.force_login(users[who])
    assert client.get(reverse("assessment:completeness")).status_code == 404
    assert client.get(reverse("assessment:completeness_cell"), {
        "scheme": scheme.code, "department": world["dev"].code, "period": "2025-03"}).status_code == 404
    assert client.post(reverse("assessment:completeness_remind"),
                       {"scheme": scheme.code, "department": world["dev"].code}).status_code == 404
    assert not Reminder.objects.exists()


def test_completeness_api(office, users, scheme, world):
    with transaction.atomic():
        _t, secret = token_create(actor=office, user=office, name="脚本")
        _t, member_secret = token_create(actor=users["member"], user=users["member"], name="脚本")
    client = Client()
    out = client.get(f"/api/v1/assessment/completeness/{scheme.code}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert (out["units"], out["missing"], out["late"]) == (2, 3, 2)
    stats = out["departments"][0]
    assert (stats["department_name"], stats["indicators"], stats["missing"]) == ("县统计局", ["gdp", "tax"], 1)
    assert stats["months"][1] == {"period": "2025-02", "expected": 4, "reported": 3, "missing": 1, "late": 0,
                                  "due": True}
    assert client.get("/api/v1/assessment/completeness/nope",
                      HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    assert client.get(f"/api/v1/assessment/completeness/{scheme.code}",
                      HTTP_AUTHORIZATION=f"Bearer {member_secret}").status_code == 404
