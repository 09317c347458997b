"""干部名录: search by 姓名 (characters, full pinyin, initials), 职务, phone tail or a whole ID number;
the unit picker; numbered pages."""

import pytest
from django.urls import reverse

from qingzhuang.orgs.models import Person, Unit

PEOPLE = reverse("orgs:person_list")
PICK = reverse("orgs:unit_pick")


def names(response) -> list[str]:
    return [p.name for p in response.context["rows"]]


@pytest.mark.parametrize("q", ["zhangsan", "Zhang San", "zhang", "zs", "ZS", "张三", "张", "书记"])
def test_search_finds_by_name_pinyin_initials_or_title(verified_client, users, people, q):
    assert names(verified_client(users["member"]).get(PEOPLE, {"q": q})) == ["张三"]


@pytest.mark.parametrize("q", ["lisi", "ls", "李四"])
def test_search_never_finds_another_units_people(verified_client, users, people, q):
    # 李四 is 乙村's: 甲镇's member finds nobody, 乙镇's member finds him.
    assert names(verified_client(users["member"]).get(PEOPLE, {"q": q})) == []
    assert names(verified_client(users["outsider"]).get(PEOPLE, {"q": q})) == ["李四"]


def test_initials_match_from_the_start(verified_client, users, people):
    # "s" is the start of no reading's initials of 张三 (zs): no hit by initials.
    assert names(verified_client(users["member"]).get(PEOPLE, {"q": "s"})) == ["张三"]  # by full pinyin (san)
    assert names(verified_client(users["member"]).get(PEOPLE, {"q": "sz"})) == []


def test_polyphonic_surname_either_reading(verified_client, users, county):
    Person.objects.create(name="单立新", unit=county["village_a"])
    client = verified_client(users["member"])
    assert names(client.get(PEOPLE, {"q": "shanlixin"})) == ["单立新"]
    assert names(client.get(PEOPLE, {"q": "danlixin"})) == ["单立新"]
    assert names(client.get(PEOPLE, {"q": "slx"})) == ["单立新"]


def test_phone_tail_and_whole_numbers_match_but_stay_masked(verified_client, users, people):
    client = verified_client(users["leader"])
    assert names(client.get(PEOPLE, {"q": "5678"})) == ["张三"]
    assert names(client.get(PEOPLE, {"q": "13812345678"})) == ["张三"]
    response = client.get(PEOPLE, {"q": "11010519491231002x"})
    assert names(response) == ["张三"]
    body = response.content.decode()
    assert "1101**********002X" in body and "11010519491231002X" not in body and "13812345678" not in body


@pytest.mark.parametrize("q", ["45678", "1381234", "110105", "1101051949123"])
def test_part_of_a_masked_number_matches_nothing(verified_client, users, people, q):
    # More than the 4 digits a list shows would let a search recover masked digits one by one.
    assert names(verified_client(users["leader"]).get(PEOPLE, {"q": q})) == []


def test_keys_are_kept_on_save_and_on_bulk_writes(county):
    person = Person.objects.create(name="王芳", unit=county["village_a"])
    assert (person.name_pinyin, person.name_initials) == ("wangfang", "wf")
    person.name = "汪洋"
    person.save(update_fields=["name"])
    person.refresh_from_db()
    assert (person.name_pinyin, person.name_initials) == ("wangyang", "wy")
    [bulk] = Person.objects.bulk_create([Person(name="曾丽", unit=county["village_a"])])
    assert Person.objects.values_list("name_pinyin", "name_initials").get(pk=bulk.pk) == ("cengli zengli", "cl zl")
    bulk.name = "刘强"
    Person.objects.bulk_update([bulk], ["name"])
    assert Person.objects.values_list("name_pinyin", "name_initials").get(pk=bulk.pk) == ("liuqiang", "lq")
    assert Unit.objects.values_list("name_pinyin", "name_initials").get(pk=county["village_a"].pk) == ("jiacun", "jc")


def test_people_import_fills_the_keys(users, county, tmp_path):
    from qingzhuang.orgs.imports import people_import
    from qingzhuang.orgs.tests.transfer_files import people_csv

    result = people_import(actor=users["sysadmin"], path=people_csv(tmp_path, ["赵敏", county["village_a"].code,
                                                                              "村委委员", "", ""]))
    assert result.ok, result.errors
    assert Person.objects.values_list("name_pinyin", "name_initials").get(name="赵敏") == ("zhaomin", "zm")


def test_migration_fills_existing_rows(people):
    from importlib import import_module

    from django.apps import apps

    Person.objects.update(name_pinyin="", name_initials="")
    import_module("qingzhuang.orgs.migrations.0003_name_pinyin").fill_name_keys(apps, None)
    assert Person.objects.values_list("name_pinyin", "name_initials").get(pk=people["b"].pk) == ("lisi", "ls")


# ---- numbered pages


@pytest.fixture
def many(county, people):
    Person.objects.bulk_create([Person(name=f"干部{i:03d}", unit=county["village_a"]) for i in range(120)])


def test_numbered_pages_with_total(verified_client, users, many):
    client = verified_client(users["member"])
    response = client.get(PEOPLE, {"page": "2"})
    assert names(response) == [f"干部{i:03d}" for i in range(49, 99)]  # 张三 first (the older id)
    body = response.content.decode()
    assert "共 121 人，第 2 / 3 页" in body
    assert 'href="?page=1"' in body and 'href="?page=3"' in body and 'aria-current="page">2<' in body
    # The filters stay in the links.
    body = client.get(PEOPLE, {"q": "干部", "page": "1"}).content.decode()
    assert "共 120 人，第 1 / 3 页" in body and 'href="?q=%E5%B9%B2%E9%83%A8&amp;page=2"' in body


@pytest.mark.parametrize("page", ["0", "4", "x", str(2**63), str(10**30)])
def test_page_out_of_range_is_400_in_chinese(verified_client, users, many, page):
    client = verified_client(users["member"])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(PEOPLE, {"page": page}, **headers)
        assert response.status_code == 400
        assert "页码 page 应为 1 到 3 之间的整数" in response.content.decode()


# ---- the unit picker


def picked(response) -> list[str]:
    return [u.name for u in response.context["units"]]


def test_picker_offers_units_in_scope_by_name_pinyin_initials_or_code(verified_client, users, county):
    client = verified_client(users["member"])
    assert picked(client.get(PICK, {"q": "jiacun"})) == ["甲村", "甲村一网格"]
    assert picked(client.get(PICK, {"q": "jc"})) == ["甲村", "甲村一网格"]
    assert picked(client.get(PICK, {"q": "甲村"})) == ["甲村", "甲村一网格"]
    assert picked(client.get(PICK, {"q": "4299010012"})) == ["甲村"]
    # No query: the top of the scope, breadth first.
    assert picked(client.get(PICK)) == ["甲镇", "甲村", "甲村一网格"]
    body = client.get(PICK, {"q": "jiacun"}).content.decode()
    assert 'data-code="429901001201" data-name="甲村"' in body


@pytest.mark.parametrize("q", ["yizhen", "yc", "乙", "429901002", "qingshanxian", "tongjiju"])
def test_picker_never_offers_units_out_of_scope(verified_client, users, county, q):
    response = verified_client(users["member"]).get(PICK, {"q": q})
    assert picked(response) == []
    assert "没有找到匹配的单位" in response.content.decode()


def test_picker_says_when_it_shows_only_the_first(verified_client, users, county):
    from qingzhuang.orgs.queries import PICK_LIMIT

    Unit.objects.bulk_create([Unit(code=f"4299010012{i:02d}", name=f"新村{i}", kind="village",
                                   parent=county["town_a"], path=f"{county['town_a'].path}4299010012{i:02d}/",
                                   depth=2) for i in range(30, 30 + PICK_LIMIT + 1)])
    response = verified_client(users["member"]).get(PICK, {"q": "xincun"})
    assert len(response.context["units"]) == PICK_LIMIT
    assert f"只列出前 {PICK_LIMIT} 个，请输入更多字缩小范围" in response.content.decode()


def test_picker_needs_login(client, county):
    assert client.get(PICK, {"q": "jia"}).status_code == 302


def test_list_filtered_by_picked_unit_and_out_of_scope_unit_is_404(verified_client, users, people, county):
    client = verified_client(users["leader"])
    response = client.get(PEOPLE, {"unit": county["village_b"].code})
    assert names(response) == ["李四"]
    assert 'name="unit" value="429901002201"' in response.content.decode()
    assert verified_client(users["member"]).get(PEOPLE, {"unit": county["village_b"].code}).status_code == 404
