"""Out-of-range paging is a 400 with a Chinese message on every paged API list, never a 500.

``offset``, ``after`` or ``limit`` of 2⁶³ or more made SQLite fail ("datatype mismatch"); the lists
now refuse them through ``orgs.api_paging`` (the dataset page: ``ledger.tests.test_views_dataset``)."""

from __future__ import annotations

import pytest

from qingzhuang.ledger.builtins import ensure_builtin_catalog

BIG = 2**63
MAX = 2**63 - 1

# (URL, the largest limit it takes)
OFFSET_LISTS = [
    ("/api/v1/units", 1000),
    ("/api/v1/people", 1000),
    ("/api/v1/ledger/burden", 1000),
    ("/api/v1/ledger/demands", 1000),
    ("/api/v1/ledger/reports", 1000),
    ("/api/v1/ledger/requests", 1000),
    ("/api/v1/assistant/policies", 500),
    ("/api/v1/assistant/search", 50),
]
RECORDS = "/api/v1/ledger/datasets/population/records"


def offset_message(low=0):
    return f"起始位置 offset 应为 {low} 到 {MAX} 之间的整数"


def limit_message(high):
    return f"每页条数 limit 应为 1 到 {high} 之间的整数"


@pytest.fixture
def api(verified_client, users):
    ensure_builtin_catalog()
    return verified_client(users["member"])


@pytest.mark.parametrize(("url", "max_limit"), OFFSET_LISTS)
def test_in_range_paging_works(api, url, max_limit):
    assert api.get(url, {"limit": max_limit, "offset": MAX, "q": "会议"}).status_code == 200
    assert api.get(url, {"limit": 1, "offset": 0, "q": "会议"}).status_code == 200


@pytest.mark.parametrize(("url", "max_limit"), OFFSET_LISTS)
@pytest.mark.parametrize("offset", [BIG, 2**64, 10**30, -1])
def test_offset_out_of_range_is_400(api, url, max_limit, offset):
    response = api.get(url, {"offset": offset, "q": "会议"})
    assert response.status_code == 400
    assert response.json() == {"detail": offset_message(), "errors": {"offset": [offset_message()]}}


@pytest.mark.parametrize(("url", "max_limit"), OFFSET_LISTS)
@pytest.mark.parametrize("limit", ["big", "over", 0, -5])
def test_limit_out_of_range_is_400(api, url, max_limit, limit):
    limit = {"big": BIG, "over": max_limit + 1}.get(limit, limit)
    response = api.get(url, {"limit": limit, "q": "会议"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"limit": [limit_message(max_limit)]}


def test_records_in_range_paging_works(api):
    assert api.get(RECORDS, {"after": MAX, "limit": 500}).json()["items"] == []
    assert api.get(RECORDS, {"after": 0, "limit": 1}).status_code == 200


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"after": BIG}, "after", f"翻页位置 after 应为 0 到 {MAX} 之间的整数"),
    ({"after": -1}, "after", f"翻页位置 after 应为 0 到 {MAX} 之间的整数"),
    ({"limit": BIG}, "limit", "每页条数 limit 应为 1 到 500 之间的整数"),
    ({"limit": 0}, "limit", "每页条数 limit 应为 1 到 500 之间的整数"),
])
def test_records_out_of_range_is_400(api, params, field, message):
    response = api.get(RECORDS, params)
    assert (response.status_code, response.json()) == (400, {"detail": message, "errors": {field: [message]}})


def test_no_list_uses_the_unbounded_pagination():
    # Every @paginate goes through orgs.api_paging.Paging, the one place that bounds the values.
    from pathlib import Path

    import qingzhuang

    root = Path(qingzhuang.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "@paginate(LimitOffsetPagination" in p.read_text(encoding="utf-8")]
    assert offenders == []
