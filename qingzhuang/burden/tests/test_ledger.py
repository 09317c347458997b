"""The burden ledger: what each grassroots unit was asked in a year, whatever asked it; its pages."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden import access, queries, services
from qingzhuang.burden.models import Demand, DemandKind


@pytest.fixture
def asked(county, placing):
    """甲村: a meeting twice (two rounds) and a document; 乙村: the meeting once."""
    a, b = county["village_a"], county["village_b"]
    with transaction.atomic():
        for round_ in ("1", "2"):
            services.demand_place(actor=placing["rep"], source=placing["civil"], kind=DemandKind.MEETING,
                                  units=[a, b] if round_ == "1" else [a], title="防汛调度会", round=round_)
        services.demand_place(actor=placing["rep"], source=county["stats"], kind=DemandKind.DOCUMENT,
                              units=[a], title="关于报送材料的通知", fields=["材料"], placed_by=placing["civil"])
    return placing


def counts(units):
    return {u.name: (u.n_submissions, u.n_pending) for u in units}


def test_counts_per_unit_and_year(asked, county):
    year = timezone.localdate().year
    assert counts(queries.burden_units(asked["ducha"], year=year)) == {
        "甲村": (3, 1), "乙村": (1, 0), "甲镇": (0, 0), "乙镇": (0, 0), "甲村一网格": (0, 0)}
    # The year is the demand's month, not when the row was written.
    Demand.objects.filter(round="2").update(month=f"{year - 1}-12")
    assert counts(queries.burden_units(asked["ducha"], year=year))["甲村"] == (2, 1)
    assert counts(queries.burden_units(asked["ducha"], year=year - 1))["甲村"] == (1, 0)
    kpis = queries.county_kpis(year=year)
    assert (kpis["submissions"], kpis["grassroots_units"], str(kpis["submissions_per_unit"])) == (3, 5, "0.60")


def test_default_year_is_this_year_or_the_latest_year_with_demands(db, asked, client):
    year = timezone.localdate().year
    assert queries.default_year() == year
    Demand.objects.update(month=f"{year - 2}-06")
    assert queries.default_year() == year - 2  # nothing this year yet: the latest year with demands
    client.force_login(asked["ducha"])
    page = client.get(reverse("burden:burden"))
    assert page.context["year"] == year - 2 and page.context["sums"].count == 4
    assert client.get(reverse("burden:burden") + f"?year={year}").context["sums"].count == 0
    Demand.objects.all().delete()
    assert queries.default_year() == year


def test_a_unit_sees_its_own_subtree(asked, county, users):
    year = timezone.localdate().year
    assert list(counts(queries.burden_units(asked["cun"], year=year))) == ["甲村", "甲村一网格"]
    assert set(counts(queries.burden_units(users["member"], year=year))) == {"甲镇", "甲村", "甲村一网格"}
    # Demands: one's units', and those one's unit placed.
    assert access.visible_demands(asked["cun_b"]).count() == 1
    assert access.visible_demands(asked["rep"]).count() == 4


def test_burden_pages(client, asked, county):
    client.force_login(asked["cun"])
    page = client.get(reverse("burden:burden")).content.decode()
    assert "甲村" in page and "乙村" not in page and 'data-testid="county-sums"' not in page
    page = client.get(reverse("burden:burden_unit", kwargs={"code": "429901001201"})).content.decode()
    assert 'data-testid="unit-count">3 项<' in page and "防汛调度会（1）" in page and "关于报送材料的通知" in page


def test_another_townships_burden_page_is_404(client, asked, county):
    client.force_login(asked["cun"])
    assert client.get(reverse("burden:burden_unit", kwargs={"code": "429901002201"})).status_code == 404
    assert client.get(reverse("burden:burden_unit", kwargs={"code": "429901002000"})).status_code == 404
    demand = Demand.objects.get(unit=county["village_b"])
    assert client.get(reverse("burden:demand_detail", kwargs={"pk": demand.pk})).status_code == 404


def test_the_burden_pages_live_under_burden_and_old_paths_redirect(asked, client):
    assert reverse("burden:burden") == "/burden/"
    assert reverse("burden:burden_unit", kwargs={"code": "x"}) == "/burden/units/x/"
    assert reverse("burden:demand_list") == "/burden/demands/"
    moved = client.get("/ledger/burden/demands/?status=pending")
    assert (moved.status_code, moved["Location"]) == (301, "/burden/demands/?status=pending")
    assert client.get("/ledger/burden/")["Location"] == "/burden/"
    assert client.get("/ledger/burden/429901001201/?year=2025")["Location"] == "/burden/units/429901001201/?year=2025"
