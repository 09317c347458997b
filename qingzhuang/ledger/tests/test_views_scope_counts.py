"""Each reader sees the count of what they may read (a village its own rows, not the county's), the
dataset page's unit picker offers only units the page may be filtered by, and the 指标数据库 page
lists exactly the indicators its reader may read (``access.visible_indicator_values``)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from qingzhuang.ledger.models import Dataset, Indicator, IndicatorValue
from qingzhuang.ledger.tests.view_helpers import make_people


def page(code="population"):
    return reverse("ledger:dataset_detail", args=[code])


@pytest.fixture
def counted(catalog, county):
    make_people(catalog["population"], county["village_a"], 3)
    make_people(catalog["population"], county["village_b"], 2, start=10)
    Dataset.objects.filter(code="population").update(record_count=720_000)


def test_village_cadre_sees_the_villages_count_not_the_countys(verified_client, county, counted):
    client = verified_client(make_user("cun", county["village_a"], "乡镇村干部"))
    body = client.get(page()).content.decode()
    assert 'data-testid="record-count">本单位范围 3 条' in body
    assert "720000" not in body
    body = client.get(reverse("ledger:data_map")).content.decode()
    assert 'data-testid="count-population">本单位范围 3 条' in body
    assert 'data-testid="count-housing">本单位范围 0 条' in body


def test_county_wide_reader_sees_the_whole_count(verified_client, users, counted):
    body = verified_client(users["leader"]).get(reverse("ledger:data_map")).content.decode()
    assert 'data-testid="count-population">共 720000 条' in body


# ---- the dataset page's unit picker


def picked(response) -> list[str]:
    return [u.name for u in response.context["units"]]


def test_picker_of_a_scoped_reader_offers_only_their_units(verified_client, users, catalog, county):
    client = verified_client(users["member"])
    url = reverse("ledger:dataset_units", args=["population"])
    assert picked(client.get(url, {"q": "cun"})) == ["甲村", "甲村一网格"]
    assert picked(client.get(url, {"q": "yicun"})) == []


def test_picker_of_a_whole_dataset_reader_offers_every_unit(verified_client, catalog, county):
    client = verified_client(make_user("office_clerk", county["office"], "部门填报员"))
    assert picked(client.get(reverse("ledger:dataset_units", args=["population"]), {"q": "yicun"})) == ["乙村"]


def test_picker_of_an_unknown_dataset_is_404(verified_client, users, catalog):
    assert verified_client(users["member"]).get(reverse("ledger:dataset_units", args=["nope"])).status_code == 404


# ---- the 指标数据库 page


@pytest.fixture
def indicator_db(catalog, county):
    """县委办公室 hosts the indicator database; 县统计局 reports 粮食产量, 县委办公室 报送 信访件数."""
    Dataset.objects.filter(code="indicator_values").update(owner=county["office"])
    grain = Indicator.objects.create(code="grain", name="粮食产量", owner=county["stats"], measure_unit="吨")
    letters = Indicator.objects.create(code="letters", name="信访件数", owner=county["office"], measure_unit="件")
    for indicator in (grain, letters):
        for town, value in (("town_a", 10), ("town_b", 20)):
            IndicatorValue.objects.create(unit=county[town], indicator=indicator, period="2025-11",
                                          value=Decimal(value))
    return {"grain": grain, "letters": letters}


def indicator_page(client, **params):
    response = client.get(page("indicator_values"), params)
    rows = [(r.unit_code, r.data["indicator"]) for r in response.context["page"].rows]
    return response, rows, [i.code for i in response.context["indicators"]]


def test_department_reporter_reads_its_own_indicators_for_every_unit(verified_client, county, indicator_db):
    response, rows, codes = indicator_page(verified_client(make_user("tongji", county["stats"], "部门填报员")))
    assert codes == ["grain"]
    assert rows == [("429901001000", "grain"), ("429901002000", "grain")]
    body = response.content.decode()
    assert 'data-testid="record-count">本单位可查看 2 条' in body and "您可查看的指标" in body


def test_department_reporter_may_filter_by_any_unit_for_its_indicators(verified_client, county, indicator_db):
    client = verified_client(make_user("tongji", county["stats"], "部门填报员"))
    _, rows, _ = indicator_page(client, unit=county["town_b"].code)
    assert rows == [("429901002000", "grain")]
    url = reverse("ledger:dataset_units", args=["indicator_values"])
    assert picked(client.get(url, {"q": "yizhen"})) == ["乙镇"]


def test_township_reads_every_indicator_of_its_own_units(verified_client, users, indicator_db):
    _, rows, codes = indicator_page(verified_client(users["member"]))
    assert codes == ["grain", "letters"]
    assert rows == [("429901001000", "grain"), ("429901001000", "letters")]


def test_owner_of_the_indicator_database_reads_everything(verified_client, county, indicator_db):
    response, rows, codes = indicator_page(verified_client(make_user("office_clerk", county["office"], "部门填报员")))
    assert codes == ["grain", "letters"] and len(rows) == 4
    assert 'data-testid="record-count">共 ' in response.content.decode()


def test_indicator_page_search_by_indicator_name(verified_client, users, indicator_db):
    _, rows, _ = indicator_page(verified_client(users["leader"]), q="粮食")
    assert rows == [("429901001000", "grain"), ("429901002000", "grain")]


def test_name_search_over_a_whole_large_dataset_asks_for_a_unit_first(verified_client, users, county, counted):
    client = verified_client(users["leader"])  # county-wide; the dataset counts 720,000 rows
    response = client.get(page(), {"q": "居民"})
    assert response.status_code == 200 and response.context["page"] is None
    assert "全县数据量大，按姓名查找请先选择乡镇（街道）或村（社区），或输入完整的证件号码。" in response.content.decode()
    response = client.get(page(), {"q": "居民", "unit": county["village_a"].code})
    assert [r.data["name"] for r in response.context["page"].rows] == ["居民0", "居民1", "居民2"]


def test_deep_page_of_every_row_in_id_order(verified_client, county, catalog):
    records = make_people(catalog["population"], county["village_b"], 70)
    records[:0] = make_people(catalog["population"], county["village_a"], 40, start=100)  # older ids
    Dataset.objects.filter(code="population").update(record_count=110)
    client = verified_client(make_user("office_clerk", county["office"], "部门填报员"))
    response = client.get(page(), {"page": "3"})
    assert [r.id for r in response.context["page"].rows] == sorted(r.pk for r in records)[100:]
    assert "共 110 条，第 3 / 3 页" in response.content.decode()
