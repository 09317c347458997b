"""The scheme API: list, document, import (JSON and file), export, copy, adjustments; 400/403/404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.models import Scheme
from qingzhuang.assessment.tests.scheme_world import EXAMPLE, make_indicators, small

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment/schemes"


@pytest.fixture
def office(client, users, county):
    make_indicators(county)
    client.force_login(users["assessment"])
    return client


def _import(client, document):
    return client.post(f"{API}/import", {"document": schemefile.plain(document)}, content_type="application/json")


def test_import_get_list_export_copy(office):
    response = _import(office, small())
    assert response.status_code == 201
    assert response.json() == {"ok": True, "code": "township-2025", "indicators": 2, "created": True}
    body = office.get(f"{API}/township-2025").json()
    assert body == schemefile.plain(small())
    listing = office.get(API).json()
    assert [(s["code"], s["indicators"], s["target_kinds"]) for s in listing["items"]] == [
        ("township-2025", 2, ["乡镇", "街道"])]
    text = office.get(f"{API}/township-2025/export?format=yaml").content.decode()
    assert text.startswith("code: township-2025\n")
    response = office.post(f"{API}/township-2025/copy", {"code": "township-2026", "year": 2026},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["name"] == "2026年度乡镇（街道）综合考核"


def test_upload_file(office):
    response = office.post(f"{API}/upload", {"file": SimpleUploadedFile("t.yaml", EXAMPLE.read_bytes())})
    assert response.status_code == 201 and response.json()["indicators"] == 21


def test_import_problems_are_400(office):
    document = small()
    document["indicators"][0]["weight"] = 59.5
    response = _import(office, document)
    assert response.status_code == 400
    assert response.json()["errors"] == {"indicators": ["指标权重合计应为 100，现为 99.5"]}
    assert not Scheme.objects.exists()


def test_copy_refused_is_400(office):
    _import(office, small())
    response = office.post(f"{API}/township-2025/copy", {"code": "township-2025", "year": 2026},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"code": ["方案代码 township-2025 已被其他方案使用"]}


def test_unknown_scheme_is_404(office):
    assert office.get(f"{API}/nothing").status_code == 404
    assert office.get(f"{API}/nothing/adjustments").status_code == 404


def test_adjustments(office, county):
    _import(office, small())
    url = f"{API}/township-2025/adjustments"
    response = office.post(url, {"unit": county["town_a"].code, "kind": "bonus", "item": "省级以上表彰",
                                 "points": "2", "reason": "表彰"}, content_type="application/json")
    assert response.status_code == 201
    assert (response.json()["unit_name"], response.json()["points"]) == ("甲镇", "2")
    assert [a["reason"] for a in office.get(url).json()["items"]] == ["表彰"]
    response = office.post(url, {"unit": county["town_a"].code, "kind": "bonus", "item": "没有",
                                 "points": "2", "reason": "表彰"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"] == {"item": ["本方案没有加减分项 没有"]}


@pytest.mark.parametrize("role", ["member", "leader", "reporter"])
def test_others_are_refused(client, users, county, role):
    make_indicators(county)
    client.force_login(users["assessment"])
    _import(client, small())
    client.force_login(users[role])
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/township-2025").status_code == 403
    assert _import(client, small(year=2026)).status_code == 403
    assert Scheme.objects.get().year == 2025
