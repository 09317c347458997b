from qingzhuang.accounts.services import token_create


def bearer(user):
    from django.db import transaction

    with transaction.atomic():
        _, raw = token_create(actor=user, user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_public(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/units" in response.json()["paths"]


def test_units_need_auth(client, county):
    assert client.get("/api/v1/units").status_code == 401


def test_units_with_token_scoped(client, users, county):
    response = client.get("/api/v1/units", **bearer(users["member"]))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert [u["code"] for u in data["items"]] == ["429901001000", "429901001201", "429901001501"]
    assert data["items"][1]["kind_label"] == "村"
    assert data["items"][1]["parent_code"] == "429901001000"


def test_unit_of_sibling_is_404(client, users, county):
    headers = bearer(users["outsider"])
    assert client.get("/api/v1/units/429901001000", **headers).status_code == 404
    assert client.get("/api/v1/units/000000000000", **headers).status_code == 404


def test_people_masked_without_permission(client, users, people):
    response = client.get("/api/v1/people", **bearer(users["leader"]))
    rows = {p["name"]: p for p in response.json()["items"]}
    assert rows["张三"]["phone"] == "138****5678"
    assert rows["张三"]["id_number"] == "1101**********002X"


def test_people_full_with_permission(client, users, people):
    response = client.get("/api/v1/people", **bearer(users["member"]))
    rows = response.json()["items"]
    assert [(p["name"], p["phone"], p["id_number"]) for p in rows] == [("张三", "13812345678", "11010519491231002X")]


def test_person_of_sibling_is_404(client, users, people):
    assert client.get(f"/api/v1/people/{people['a'].pk}", **bearer(users["outsider"])).status_code == 404


def test_session_auth_works(client, users, county):
    client.force_login(users["member"])
    assert client.get("/api/v1/me").json() == {
        "username": "member", "display_name": "member", "unit_code": "429901001000", "roles": ["乡镇村干部"]}


def test_bad_token_is_401(client, county):
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer qz_nope").status_code == 401
