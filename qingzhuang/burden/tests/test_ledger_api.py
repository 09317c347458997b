"""/api/v1/burden/ledger, /ledger/{code} and /weights on hand-counted demands."""

from __future__ import annotations

from qingzhuang.burden.tests.ledger_world import YEAR, world  # noqa: F401
from qingzhuang.burden.tests.test_ledger_cli import TOWN, VILLAGE, VILLAGE_B

API = "/api/v1/burden"


def test_the_county_lists_every_unit_asked(client, world):  # noqa: F811
    client.force_login(world["ducha"])
    body = client.get(f"{API}/ledger", {"year": YEAR}).json()
    assert body == {"items": [TOWN, VILLAGE, VILLAGE_B], "count": 3}
    assert client.get(f"{API}/ledger", {"year": YEAR, "limit": 1, "offset": 1}).json()["items"] == [VILLAGE]
    assert client.get(f"{API}/ledger", {"year": YEAR, "unit": "429901002201"}).json()["items"] == [VILLAGE_B]


def test_a_village_sees_only_its_own_units(client, world):  # noqa: F811
    client.force_login(world["cun"])
    assert client.get(f"{API}/ledger", {"year": YEAR}).json() == {"items": [VILLAGE], "count": 1}
    for path, params in ((f"{API}/ledger", {"unit": "429901002201"}), (f"{API}/ledger/429901002201", {}),
                         (f"{API}/ledger/429901001000", {}), (f"{API}/ledger/nope", {})):
        response = client.get(path, params)
        assert (response.status_code, response.json()) == (404, {"detail": "Not Found"}), path


def test_one_unit_by_month_with_the_year_before(client, world):  # noqa: F811
    client.force_login(world["cun"])
    body = client.get(f"{API}/ledger/429901001201", {"year": YEAR}).json()
    assert {k: body[k] for k in TOWN} == VILLAGE
    assert len(body["months"]) == 12
    assert body["months"][0] == {"month": "2024-01", "count": 2, "hours": "6.00",
                                 "kinds": [{"kind": "meeting", "kind_name": "会议", "count": 2, "hours": "6.00"}]}
    assert body["months"][1] == {"month": "2024-02", "count": 0, "hours": "0.00", "kinds": []}
    assert body["compare"] == {"months": 12, "count": 4, "hours": "9.50", "last_count": 5, "last_hours": "7.00",
                               "change_percent": "-20.0",
                               "text": "2024年全年 4 项 9.5 人·小时，2023年同期 5 项 7.0 人·小时，下降 20.0%"}
    town = client.get(f"{API}/ledger/429901002201", {"year": YEAR})
    assert town.status_code == 404


def test_a_bad_year_or_paging_is_400(client, world):  # noqa: F811
    client.force_login(world["ducha"])
    response = client.get(f"{API}/ledger", {"year": 1999})
    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["年份 year 应为 2000 到 2100 之间的整数"]}
    assert client.get(f"{API}/ledger/429901001201", {"year": 3000}).status_code == 400
    assert client.get(f"{API}/ledger", {"limit": 0}).status_code == 400


def test_weights_read_by_all_set_by_managers(client, world, users):  # noqa: F811
    client.force_login(world["cun"])
    body = client.get(f"{API}/weights").json()
    assert [(w["kind"], w["hours"], w["estimated"], w["fixed"]) for w in body][:4] == [
        ("report", "2", 0, 1), ("data_request", "1.5", 0, 0), ("inspection", "8", 1, 0), ("meeting", "3", 4, 0)]
    response = client.put(f"{API}/weights", {"kind": "meeting", "hours": "4"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(users["monitor"])
    response = client.put(f"{API}/weights", {"kind": "meeting", "hours": "4", "note": "半天"},
                          content_type="application/json")
    assert response.status_code == 200
    meeting = next(w for w in response.json() if w["kind"] == "meeting")
    assert (meeting["hours"], meeting["default"], meeting["note"]) == ("4.00", "3", "半天")
    assert client.get(f"{API}/ledger/429901001201", {"year": YEAR}).json()["hours"] == "11.50"
    client.force_login(users["supervision"])
    response = client.post(f"{API}/weights", {"kind": "meeting", "hours": "1.234"}, content_type="application/json")
    assert (response.status_code, response.json()["errors"]) == (
        400, {"hours": ["估算工时应为 0 到 999 之间的数，最多两位小数"]})
    response = client.post(f"{API}/weights", {"kind": "tea", "hours": "1"}, content_type="application/json")
    assert (response.status_code, response.json()["errors"]) == (400, {"kind": ["没有这种任务类型：tea"]})
