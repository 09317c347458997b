"""The burden ledger: what was demanded of each grassroots unit this year, and the county KPIs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import access as burden_access
from qingzhuang.burden import queries as burden_queries
from qingzhuang.burden import services as burden_services
from qingzhuang.burden.models import Demand
from qingzhuang.ledger import access, queries, services
from qingzhuang.ledger.services import RequestDefinition
from qingzhuang.ledger.tests.report_world import build, make_report


@pytest.fixture
def world(catalog, county):
    w = build(county, catalog)
    a, b = county["village_a"], county["village_b"]
    w.monthly = make_report(w.civil_rep, catalog["population"], name="走访月报", columns=["name"], aggregate="list",
                            manual_fields=["走访次数"], target_units=[a, b])
    w.quarterly = make_report(w.stats_rep, catalog["population"], name="季报", columns=["name", "phone"],
                              aggregate="list", manual_fields=["身份证号"], target_units=[a])
    for report, owner in ((w.monthly, w.civil_rep), (w.quarterly, w.stats_rep)):
        services.report_submit(actor=owner, report=report)
        services.report_review(actor=w.ducha, report=report, approve=True)
    for round_ in ("2025-01", "2025-02", "2025-03"):
        services.report_send(actor=w.civil_rep, report=w.monthly, round=round_)
    services.report_send(actor=w.stats_rep, report=w.quarterly, round="2025Q1")
    w.request = services.request_create(actor=w.civil_rep, definition=RequestDefinition(
        title="养犬登记", fields_text="姓名、手机号、家中养狗数量", target_units=[a]))
    services.request_submit(actor=w.civil_rep, data_request=w.request)
    services.request_review(actor=w.ducha, data_request=w.request, approve=True)
    services.request_send(actor=w.civil_rep, data_request=w.request)
    return w


def counts(units):
    return {u.name: (u.n_reports, u.n_requests, u.n_submissions, u.n_pending) for u in units}


def test_counts_per_grassroots_unit(world):
    units = burden_queries.burden_units(world.ducha, year=timezone.localdate().year)
    # 甲村: 3 monthly + 1 quarterly + 1 request = 5 submissions from 2 reports and 1 request.
    assert counts(units) == {"甲村": (2, 1, 5, 5), "乙村": (1, 0, 3, 3), "甲镇": (0, 0, 0, 0),
                             "乙镇": (0, 0, 0, 0), "甲村一网格": (0, 0, 0, 0)}
    assert [u.name for u in units][:2] == ["甲村", "乙村"]  # the most burdened first


def test_only_this_years_demands_count(world):
    last_year = timezone.localdate().year - 1
    Demand.objects.filter(round="2025-01").update(month=f"{last_year}-06")
    units = counts(burden_queries.burden_units(world.ducha, year=timezone.localdate().year))
    assert units["甲村"] == (2, 1, 4, 4) and units["乙村"] == (1, 0, 2, 2)
    past = counts(burden_queries.burden_units(world.ducha, year=last_year))
    assert past["甲村"] == (1, 0, 1, 1)


def test_filled_demands_are_not_pending(world):
    demand = world.request.demands.get(unit=world.county["village_a"])
    burden_services.demand_fill(actor=world.cun, demand=demand, data={"家中养狗数量": "3"})
    assert counts(burden_queries.burden_units(world.ducha, year=timezone.localdate().year))["甲村"] == (2, 1, 5, 4)


def test_a_village_sees_itself_a_township_its_subtree(world, users):
    assert list(counts(burden_queries.burden_units(world.cun, year=timezone.localdate().year))) == ["甲村", "甲村一网格"]
    assert set(counts(burden_queries.burden_units(users["member"], year=timezone.localdate().year))) == {
        "甲镇", "甲村", "甲村一网格"}
    assert list(burden_queries.burden_units(world.civil_rep, year=timezone.localdate().year)) == []


def test_county_kpis(world):
    kpis = queries.county_kpis(year=timezone.localdate().year)
    assert kpis["reports"] == {"total": 2, "active": 2, "stopped": 0, "pending": 0}
    assert kpis["submissions"] == 8 and kpis["grassroots_units"] == 5
    assert kpis["submissions_per_unit"] == Decimal("1.60")
    # 姓名 is asked by both reports and the request; 身份证号 (a manual field of 季报) is an element.
    assert [(d.label, d.sources) for d in kpis["duplicates"]] == [
        ("姓名", ["报表：季报", "报表：走访月报", "数据需求：养犬登记"]),
        ("联系电话", ["报表：季报", "数据需求：养犬登记"]),
    ]
    assert kpis["duplicate_count"] == 2
    assert kpis["not_asked"] == 2  # 姓名 and 手机号 held, one village


def test_a_stopped_report_is_no_longer_active(world):
    services.report_set_register(actor=world.ducha, report=world.quarterly, status="stop", reason="停用")
    kpis = queries.county_kpis(year=timezone.localdate().year)
    assert kpis["reports"]["stopped"] == 1 and kpis["reports"]["active"] == 1
    assert [d.label for d in kpis["duplicates"]] == ["姓名"]


def test_burden_page_for_the_county(client, world):
    client.force_login(world.ducha)
    page = client.get(reverse("burden:burden")).content.decode()
    assert 'data-testid="county-sums"' in page
    # The fields the ledger held (姓名、手机号 of 3, one village) are the burden 找数据 removed, their
    # hours the data request's weight in proportion: 1.5 × 2 / 3.
    assert "找数据免填字段 2 项 ≈ 1.0 人·小时" in page
    assert page.index("甲村") < page.index("乙村")


def test_burden_page_for_a_village_has_no_county_figures(client, world):
    client.force_login(world.cun)
    page = client.get(reverse("burden:burden")).content.decode()
    assert "甲村" in page and "乙村" not in page and 'data-testid="county-sums"' not in page


def test_burden_unit_page(client, world):
    client.force_login(world.cun)
    page = client.get(reverse("burden:burden_unit", kwargs={"code": "429901001201"})).content.decode()
    # 4 report sendings (2 person-hours each) and 1 data request (1.5).
    assert 'data-testid="unit-count">5 项<' in page and 'data-testid="unit-hours">9.5 <' in page
    assert "养犬登记" in page


def test_burden_unit_outside_scope_is_404(client, world):
    client.force_login(world.cun)
    assert client.get(reverse("burden:burden_unit", kwargs={"code": "429901002201"})).status_code == 404
    assert client.get(reverse("burden:burden_unit", kwargs={"code": "nope"})).status_code == 404


def test_demand_list_and_fill_page(client, world):
    client.force_login(world.cun)
    page = client.get(reverse("burden:demand_list")).content.decode()
    assert page.count("报表：走访月报") == 3 and "数据需求：养犬登记" in page
    demand = world.request.demands.get()
    detail = reverse("burden:demand_detail", kwargs={"pk": demand.pk})
    page = client.get(detail).content.decode()
    assert "家中养狗数量" in page and "提交填报" in page
    page = client.post(detail, {"field_0": ""}).content.decode()
    assert "请填写：家中养狗数量" in page
    response = client.post(detail, {"field_0": "3", "note": "已核实"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.data == {"家中养狗数量": "3"} and demand.note == "已核实"


def test_demand_of_another_unit_is_404_and_the_asking_department_cannot_fill(client, world):
    demand = world.request.demands.get()
    detail = reverse("burden:demand_detail", kwargs={"pk": demand.pk})
    client.force_login(world.cun_b)
    assert client.get(detail).status_code == 404
    client.force_login(world.civil_rep)
    page = client.get(detail).content.decode()
    assert "提交填报" not in page
    assert client.post(detail, {"field_0": "3"}).status_code == 403


def test_the_burden_list_is_one_query(world, django_assert_num_queries):
    year = timezone.localdate().year
    burden_access.sees_all_demands(world.ducha)  # cached on the user for the request
    with django_assert_num_queries(1):  # units annotated with their demands' counts
        assert len(list(burden_queries.burden_units(world.ducha, year=year))) == 5


def test_the_register_is_one_query(world, django_assert_num_queries):
    access.sees_all_requests(world.ducha)
    with django_assert_num_queries(1):  # reports with owner and dataset, annotated with targets and demands
        rows = list(queries.register(world.ducha))
    assert [(r.name, r.n_targets, r.n_demands) for r in sorted(rows, key=lambda r: r.name)] == [
        ("季报", 1, 1), ("走访月报", 2, 6)]
