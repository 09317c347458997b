from decimal import Decimal

import pytest
from django.urls import reverse

from qingzhuang.ledger.models import Dataset, Indicator, IndicatorValue
from qingzhuang.ledger.tests.view_helpers import id_number, make_people, make_person

ZHANG = "11010519491231002X"


@pytest.fixture
def population(catalog, county):
    dataset = catalog["population"]
    make_person(dataset, county["village_a"], name="张三", number=ZHANG, phone="13812345678")
    make_person(dataset, county["village_b"], name="李四", number=id_number(900), phone="13987654321")
    return dataset


def url(code="population", **params):
    return reverse("ledger:dataset_detail", args=[code])


def test_anonymous_redirected_to_login(client, population):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_unknown_dataset_is_404(verified_client, users, catalog):
    assert verified_client(users["member"]).get(url("no-such-dataset")).status_code == 404


def test_dataset_page_shows_columns_and_scoped_masked_records(verified_client, users, population):
    response = verified_client(users["member"]).get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert [c.name for c in response.context["columns"]][:3] == ["姓名", "公民身份号码", "性别"]
    # 甲镇's member sees 甲村's record, masked, and nothing of 乙村.
    assert "张三" in body and "1101**********002X" in body and "138****5678" in body
    assert ZHANG not in body and "13812345678" not in body
    assert "李四" not in body
    assert "县委办公室" in body
    # Scoped readers see their own scope's count, never the whole dataset's.
    assert response.context["page"].pager.total == 1
    assert 'data-testid="record-count">本单位范围 1 条' in body


def test_owner_unit_reads_whole_dataset_with_cached_count(verified_client, users, county, population):
    from conftest import make_user

    Dataset.objects.filter(pk=population.pk).update(record_count=2)
    office = make_user("office_clerk", county["office"], "部门填报员")
    response = verified_client(office).get(url())
    assert [r.data["name"] for r in response.context["page"].rows] == ["张三", "李四"]
    assert response.context["page"].pager.total == 2
    assert "共 2 条，第 1 / 1 页" in response.content.decode()


def test_sibling_sees_only_own_records(verified_client, users, population):
    body = verified_client(users["outsider"]).get(url()).content.decode()
    assert "李四" in body and "张三" not in body


def test_masked_even_for_users_with_personal_data_permission_in_the_list(verified_client, users, population):
    # The list never shows full numbers; a permitted user reveals one record (audited).
    assert users["member"].has_perm("orgs.view_personal_data")
    body = verified_client(users["member"]).get(url()).content.decode()
    assert ZHANG not in body


def test_numbered_pages(verified_client, users, county, catalog):
    records = make_people(catalog["population"], county["village_a"], 120)
    client = verified_client(users["member"])
    response = client.get(url())
    first = response.context["page"]
    assert [r.id for r in first.rows] == [r.pk for r in records[:50]]
    assert (first.pager.total, first.pager.number, first.pager.pages) == (120, 1, 3)
    body = response.content.decode()
    assert "本单位范围 120 条，显示第 1–50 条" in body and "共 120 条，第 1 / 3 页" in body
    assert 'href="?page=2"' in body and 'href="?page=3"' in body
    third = client.get(url(), {"page": "3"}).context["page"]
    assert [r.id for r in third.rows] == [r.pk for r in records[100:]]


def test_numbered_pages_go_unit_by_unit_in_tree_order(verified_client, users, county, catalog):
    # 甲村一网格's rows come after 甲村's own, whatever their ids; a page may span both.
    grid = make_people(catalog["population"], county["grid_a"], 30)
    village = make_people(catalog["population"], county["village_a"], 40, start=100)
    rows = verified_client(users["member"]).get(url(), {"page": 1}).context["page"].rows
    assert [r.id for r in rows] == [r.pk for r in village] + [r.pk for r in grid[:10]]
    rows = verified_client(users["member"]).get(url(), {"page": 2}).context["page"].rows
    assert [r.id for r in rows] == [r.pk for r in grid[10:]]


def test_unit_filter_counts_subtree(verified_client, users, county, catalog):
    make_people(catalog["population"], county["village_a"], 3)
    make_people(catalog["population"], county["grid_a"], 2, start=10)
    make_people(catalog["population"], county["village_b"], 4, start=20)
    client = verified_client(users["leader"])
    response = client.get(url(), {"unit": county["village_a"].code})
    page = response.context["page"]
    assert (len(page.rows), page.pager.total) == (5, 5)
    assert "符合条件 5 条 · 甲村及下级单位" in response.content.decode()
    assert client.get(url(), {"unit": county["grid_a"].code}).context["page"].pager.total == 2


def test_unit_filter_outside_scope_says_so(verified_client, users, county, population):
    response = verified_client(users["member"]).get(url(), {"unit": county["village_b"].code})
    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert "未找到该单位，或该单位不在您的查看范围内。" in body and "李四" not in body


def test_key_prefix_search_for_permitted_user(verified_client, users, population):
    response = verified_client(users["member"]).get(url(), {"q": "110105"})
    assert [r.data["name"] for r in response.context["page"].rows] == ["张三"]


def test_key_search_is_exact_for_users_who_see_masked_ids(verified_client, users, population):
    # A prefix search would let them recover masked numbers digit by digit.
    client = verified_client(users["leader"])
    assert client.get(url(), {"q": "110105"}).context["page"].rows == []
    assert [r.data["name"] for r in client.get(url(), {"q": ZHANG}).context["page"].rows] == ["张三"]


def test_htmx_filter_returns_rows_only(verified_client, users, population):
    response = verified_client(users["member"]).get(url(), {"q": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="records"' in body
    assert "format=csv&amp;unit=&amp;q=1" in body


def test_import_button_only_with_permission(verified_client, users, population):
    assert "/ledger/datasets/population/import/" in verified_client(users["member"]).get(url()).content.decode()
    assert "/ledger/datasets/population/import/" not in verified_client(users["leader"]).get(url()).content.decode()


def test_indicator_dataset_lists_values(verified_client, users, county, catalog):
    indicator = Indicator.objects.create(code="GDP01", name="地区生产总值", owner=county["stats"], measure_unit="万元")
    IndicatorValue.objects.create(unit=county["town_a"], indicator=indicator, period="2025-01", value=Decimal("12.5000"))
    IndicatorValue.objects.create(unit=county["town_b"], indicator=indicator, period="2025-01", value=Decimal("8"))
    response = verified_client(users["member"]).get(url("indicator_values"))
    body = response.content.decode()
    assert [r.data for r in response.context["page"].rows] == [
        {"unit_code": "429901001000", "indicator": "GDP01", "period": "2025-01", "value": "12.5"}]
    assert "地区生产总值" in body and "乙镇" not in body
    # Filter by indicator code prefix or period.
    assert len(verified_client(users["member"]).get(url("indicator_values"), {"q": "2024"}).context["page"].rows) == 0


def test_dataset_page_query_count(verified_client, users, county, catalog, django_assert_num_queries):
    make_people(catalog["population"], county["village_a"], 60)
    client = verified_client(users["member"])
    client.get(url())  # warm the content-type cache
    # 21 queries: 1 session, 2 user, 3-4 OTP device and sysadmin check (two-factor middleware),
    # 5 dataset with owner, 6 share check (whole dataset?), 7 columns with elements, 8-9 user and
    # group permissions (view_personal_data; cached for import_data), 10-11 the user's unit path and
    # grants (scope), 12 the ids of the units in scope in tree order, 13 share check again inside
    # access.visible_records, 14 the rows per unit (the total, one GROUP BY over the (dataset, unit,
    # id) index), 15 the page's 50 records of the one unit they lie in, with their units, 16-17
    # groups (navigation and the roles in the header), 18 the user's unit (header), 19-21 session
    # save (savepoint, update, release). The scope's count ("本单位范围") is the page's total.
    with django_assert_num_queries(21):
        response = client.get(url())
    assert len(response.context["page"].rows) == 50


def test_dataset_page_query_count_for_whole_dataset_reader(verified_client, county, catalog,
                                                          django_assert_num_queries):
    from conftest import make_user

    make_people(catalog["population"], county["village_a"], 60)
    client = verified_client(make_user("office_clerk", county["office"], "部门填报员"))
    client.get(url())
    # 15 queries: as above without 6 and 13 (the owner unit reads the whole dataset: no share
    # check), 10-12 (no scope to narrow) and 14, and the page is one query (the first 50 records by
    # id, with their units); the count shown is the dataset's cached record_count.
    with django_assert_num_queries(15):
        response = client.get(url())
    assert len(response.context["page"].rows) == 50


def export(client, **params):
    response = client.get(reverse("ledger:dataset_export", args=["population"]), params)
    ok_csv = response.status_code == 200 and params.get("format") == "csv"
    body = b"".join(response.streaming_content).decode("utf-8-sig") if ok_csv else ""
    return response, body


def test_export_csv_is_scoped_and_masked(verified_client, users, population):
    response, body = export(verified_client(users["leader"]), format="csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert body.splitlines()[0].startswith("姓名,公民身份号码,性别")
    assert "1101**********002X" in body and ZHANG not in body
    _, body = export(verified_client(users["outsider"]), format="csv")
    assert "李四" in body and "张三" not in body


def test_export_follows_unit_filter(verified_client, users, county, population):
    _, body = export(verified_client(users["leader"]), format="csv", unit=county["village_b"].code)
    assert "李四" in body and "张三" not in body


def test_export_xlsx(verified_client, users, population):
    response, _ = export(verified_client(users["member"]), format="xlsx")
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]


def test_export_bad_format_or_unit_is_404(verified_client, users, county, population):
    client = verified_client(users["member"])
    assert export(client, format="pdf")[0].status_code == 404
    assert export(client, format="csv", unit=county["village_b"].code)[0].status_code == 404


@pytest.mark.parametrize("page", ["0", "3", "-1", "x", "1.5", str(2**63), str(10**30)])
def test_page_out_of_range_is_400_with_a_chinese_message(verified_client, users, county, catalog, page):
    make_people(catalog["population"], county["village_a"], 60)
    client = verified_client(users["member"])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(url(), {"page": page}, **headers)
        assert response.status_code == 400
        assert "页码 page 应为 1 到 2 之间的整数" in response.content.decode()
        assert response.context["page"] is None


def test_name_search_by_chinese_characters(verified_client, users, population):
    client = verified_client(users["leader"])
    response = client.get(url(), {"q": "张"})
    assert [r.data["name"] for r in response.context["page"].rows] == ["张三"]
    assert "符合条件 1 条" in response.content.decode()
    # Within the scope only: 甲镇's member does not find 乙村's 李四.
    assert verified_client(users["member"]).get(url(), {"q": "李四"}).context["page"].rows == []
