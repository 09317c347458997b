import pytest

from qingzhuang.ledger.models import Dataset
from qingzhuang.ledger.tests.view_helpers import change_person, id_number, make_job, make_people, make_person

ZHANG = "11010519491231002X"
API = "/api/v1/ledger"


@pytest.fixture
def zhang(catalog, county, users):
    record = make_person(catalog["population"], county["village_a"], name="张三", number=ZHANG, phone="13812345678")
    job = make_job(catalog["population"], users["member"], status="succeeded")
    return change_person(record, job, users["member"], phone="13800001111")


def test_anonymous_gets_401(client, catalog):
    for path in ("/datasets", "/elements", "/datasets/population", "/datasets/population/records"):
        assert client.get(API + path).status_code == 401


def test_dataset_catalog(verified_client, users, catalog):
    Dataset.objects.filter(code="population").update(record_count=5)
    data = verified_client(users["member"]).get(f"{API}/datasets").json()
    assert [d["code"] for d in data] == ["population", "housing", "events", "indicator_values", "legal_entities"]
    population = data[0]
    assert (population["name"], population["category_label"], population["owner_name"], population["record_count"],
            population["freshness"], population["n_columns"]) == ("人口基础信息", "人", "县委办公室", 5, "empty", 10)
    # The same search as the data map.
    found = verified_client(users["member"]).get(f"{API}/datasets", {"q": "哪里有身份证号？"}).json()
    assert [d["code"] for d in found] == ["population", "housing"]


def test_dataset_columns(verified_client, users, catalog):
    data = verified_client(users["member"]).get(f"{API}/datasets/population").json()
    assert data["columns"][1] == {"name": "公民身份号码", "element": "id_number", "element_name": "公民身份号码",
                                  "value_type": "id_number", "required": True, "is_key": True}
    assert verified_client(users["member"]).get(f"{API}/datasets/nothing").status_code == 404


def test_elements(verified_client, users, catalog):
    data = verified_client(users["leader"]).get(f"{API}/elements", {"q": "手机号"}).json()
    assert [(e["code"], e["datasets"]) for e in data] == [("phone", ["legal_entities", "population"])]


def test_records_scoped_masked_and_keyset_paged(verified_client, users, county, catalog, zhang):
    make_people(catalog["population"], county["village_a"], 4, start=10)
    make_people(catalog["population"], county["village_b"], 3, start=20)
    client = verified_client(users["member"])
    first = client.get(f"{API}/datasets/population/records", {"limit": 3}).json()
    assert len(first["items"]) == 3 and first["total"] is None
    item = first["items"][0]
    assert item["key"] == "1101**********002X"
    assert item["data"]["id_number"] == "1101**********002X" and item["data"]["phone"] == "138****1111"
    assert item["unit_code"] == "429901001201" and item["data"]["name"] == "张三"
    second = client.get(f"{API}/datasets/population/records", {"limit": 3, "after": first["next_after"]}).json()
    assert len(second["items"]) == 2 and second["next_after"] is None
    # 乙村's records are not there.
    assert {i["unit_code"] for i in first["items"] + second["items"]} == {"429901001201"}
    assert ZHANG not in str(first)


def test_records_unit_filter_counts(verified_client, users, county, catalog, zhang):
    make_people(catalog["population"], county["grid_a"], 2, start=10)
    data = verified_client(users["leader"]).get(f"{API}/datasets/population/records",
                                                {"unit": county["grid_a"].code}).json()
    assert (len(data["items"]), data["total"], data["total_capped"]) == (2, 2, False)
    # A unit outside the scope is missing.
    response = verified_client(users["outsider"]).get(f"{API}/datasets/population/records",
                                                      {"unit": county["grid_a"].code})
    assert response.status_code == 404


def test_record_with_history(verified_client, users, zhang):
    data = verified_client(users["member"]).get(f"{API}/datasets/population/records/{zhang.pk}").json()
    assert data["data"]["id_number"] == "1101**********002X"
    assert [(h["version"], h["actor"]) for h in data["history"]] == [(2, "member"), (1, "—")]
    assert data["history"][0]["changes"] == [{"name": "联系电话", "before": "138****5678", "after": "138****1111"}]
    assert ZHANG not in str(data)


def test_record_of_other_unit_is_404(verified_client, users, county, catalog, zhang):
    other = make_person(catalog["population"], county["village_b"], name="李四", number=id_number(5))
    client = verified_client(users["member"])
    assert client.get(f"{API}/datasets/population/records/{other.pk}").status_code == 404
    assert client.get(f"{API}/datasets/population/records/{other.pk + 100}").status_code == 404
    assert client.get(f"{API}/datasets/indicator_values/records/{zhang.pk}").status_code == 404
