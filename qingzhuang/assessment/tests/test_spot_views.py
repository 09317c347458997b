"""期末考试 pages and API: the office records and reads; a township (even the assessed one) gets 404."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from qingzhuang.accounts.services import token_create
from qingzhuang.assessment.models import SpotCheck
from qingzhuang.assessment.services.spotchecks import spotcheck_add
from qingzhuang.assessment.tests import spot_world
from qingzhuang.assessment.tests.spot_world import DAY, GIF, GOOD, JPEG, PNG, photo

pytestmark = pytest.mark.django_db
# Fixtures of the spot check tests.
office, scheme, _private_media_root = spot_world.office, spot_world.scheme, spot_world._private_media_root


@pytest.fixture
def check(office, scheme, county):
    return spotcheck_add(actor=office, scheme=scheme, unit=county["town_a"], checked_on=DAY, scene="甲镇便民服务中心",
                         paper="livelihood", grades=dict(GOOD), notes="排队较长", photos=[photo("现场.png", PNG)])


def form_data(scheme, county, **overrides):
    data = {"scheme": scheme.code, "unit": county["town_a"].code, "checked_on": "2025-06-03",
            "scene": "企业服务专员走访", "paper": "enterprise", "notes": "",
            "grade-0": "好", "grade-1": "好", "grade-2": "较好"}
    data.update(overrides)
    return data


def test_add_page_renders_for_a_phone(client, office, scheme):
    client.force_login(office)
    response = client.get(reverse("assessment:spotcheck_add"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'accept="image/*" capture="environment" multiple' in body
    assert body.count('class="btn-check" name="grade-') == 15
    assert body.count('class="btn-check" name="paper"') == 2
    assert f'{reverse("assessment:spotcheck_units")}?scheme={scheme.code}' in body


def test_add_page_saves_with_photos(client, office, scheme, county):
    client.force_login(office)
    data = form_data(scheme, county) | {"photos": [photo("a.jpg", JPEG), photo("b.png", PNG)]}
    response = client.post(reverse("assessment:spotcheck_add"), data)
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:spotcheck_detail",
                                                                            args=[check.pk])
    assert check.grades == {"开拓创新度": "好", "部门协同度": "好", "群众满意度": "较好"}
    assert (check.paper, check.photos.count()) == ("enterprise", 2)


def test_add_page_shows_exact_errors(client, office, scheme, county):
    client.force_login(office)
    data = form_data(scheme, county, **{"grade-2": "", "checked_on": "2025-13-01"})
    data["photos"] = [photo("假.jpg", GIF)]
    response = client.post(reverse("assessment:spotcheck_add"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "检查日期格式应为YYYY-MM-DD" in body
    data["checked_on"] = "2025-06-03"
    body = client.post(reverse("assessment:spotcheck_add"), data).content.decode()
    assert "请为“群众满意度”选择评价等次" in body and "“假.jpg”不是JPEG、PNG或WebP格式的照片" in body
    assert SpotCheck.objects.count() == 0


def test_add_page_refuses_a_unit_of_another_kind(client, office, scheme, county):
    client.force_login(office)
    response = client.post(reverse("assessment:spotcheck_add"), form_data(scheme, county, unit=county["stats"].code))
    assert response.status_code == 404


def test_list_shows_score_and_counts_per_paper(client, office, scheme, county, check):
    spotcheck_add(actor=office, scheme=scheme, unit=county["town_a"], checked_on=DAY, scene="企业座谈",
                  paper="enterprise", grades={c: "好" for c in GOOD}, notes="")
    client.force_login(office)
    response = client.get(reverse("assessment:spotcheck_list"), {"scheme": scheme.code})
    assert response.status_code == 200
    assert [r.score for r in response.context["rows"]] == [100, 78]
    assert list(response.context["per_unit"]) == [
        {"unit__code": county["town_a"].code, "unit__name": "甲镇", "livelihood": 1, "enterprise": 1}]
    filtered = client.get(reverse("assessment:spotcheck_list"), {"paper": "enterprise", "unit": county["town_a"].code})
    assert [r.scene for r in filtered.context["rows"]] == ["企业座谈"]
    assert client.get(reverse("assessment:spotcheck_list"), {"page": "9"}).status_code == 400


def test_detail_and_photo_for_the_office(client, office, check):
    client.force_login(office)
    response = client.get(reverse("assessment:spotcheck_detail", args=[check.pk]))
    assert response.status_code == 200 and response.context["score"] == 78
    photo_row = check.photos.get()
    response = client.get(reverse("assessment:spotcheck_photo", args=[check.pk, photo_row.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_unit_options_only_of_target_kinds(client, office, scheme):
    client.force_login(office)
    body = client.get(reverse("assessment:spotcheck_units"), {"scheme": scheme.code}).content.decode()
    assert "甲镇" in body and "乙镇" in body and "县统计局" not in body and "甲村" not in body


def test_delete_page(client, office, check):
    client.force_login(office)
    response = client.post(reverse("assessment:spotcheck_delete", args=[check.pk]))
    assert response.status_code == 302 and not SpotCheck.objects.exists()


@pytest.mark.parametrize("who", ["member", "outsider", "leader", "reporter", "grassroots"])
def test_everyone_else_gets_404_on_every_spot_check_url(client, users, check, who):
    client.force_login(users[who])
    photo_pk = check.photos.get().pk
    for method, url in [
        ("get", reverse("assessment:spotcheck_list")),
        ("get", reverse("assessment:spotcheck_add")),
        ("post", reverse("assessment:spotcheck_add")),
        ("get", reverse("assessment:spotcheck_units")),
        ("get", reverse("assessment:spotcheck_detail", args=[check.pk])),
        ("post", reverse("assessment:spotcheck_delete", args=[check.pk])),
        ("get", reverse("assessment:spotcheck_photo", args=[check.pk, photo_pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404, (who, url)
    assert SpotCheck.objects.count() == 1


def test_the_assessed_unit_has_no_todo_about_it(client, users, check):
    client.force_login(users["member"])
    body = client.get(reverse("web:home")).content.decode()
    assert "甲镇便民服务中心" not in body and "关键事项" not in body


# ---------------------------------------------------------------------------------------------
# API


def token_client(user) -> tuple[Client, dict]:
    with transaction.atomic():
        _token, secret = token_create(actor=user, user=user, name="脚本")
    return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


API = "/api/v1/assessment/spot-checks"


def test_api_add_by_json_and_read(office, scheme, county):
    client, auth = token_client(office)
    body = {"scheme": scheme.code, "unit": county["town_a"].code, "checked_on": "2025-06-03", "scene": "项目工地",
            "paper": "民企卷", "grades": GOOD}
    response = client.post(API, json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["paper"], out["paper_name"], out["score"], out["unit_name"]) == ("enterprise", "民企卷", "78", "甲镇")
    listed = client.get(API, {"paper": "enterprise"}, **auth).json()
    assert [c["id"] for c in listed["items"]] == [out["id"]] and listed["count"] == 1
    assert client.get(f"{API}/{out['id']}", **auth).json()["scene"] == "项目工地"


def test_api_add_multipart_with_photos(office, scheme, county):
    client, auth = token_client(office)
    data = {"scheme": scheme.code, "unit": county["town_a"].code, "checked_on": "2025-06-03", "scene": "走访",
            "paper": "livelihood", "grades": json.dumps(GOOD), "photos": [photo("1.jpg"), photo("2.png", PNG)]}
    response = client.post(API, data, **auth)
    assert response.status_code == 201, response.content
    assert [p["name"] for p in response.json()["photos"]] == ["1.jpg", "2.png"]


def test_api_add_errors_are_400_with_exact_messages(office, scheme, county):
    client, auth = token_client(office)
    body = {"scheme": scheme.code, "unit": county["village_a"].code, "checked_on": "2025-06-03", "scene": "",
            "paper": "x", "grades": {"开拓创新度": "好"}}
    response = client.post(API, json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "unit": ["“甲村”不是本方案的考核对象（乡镇、街道）"], "scene": ["请填写检查场景"], "paper": ["试卷应为民生卷或民企卷"],
        "grades": ["请为“部门协同度”选择评价等次", "请为“群众满意度”选择评价等次"]}
    photos = {"scheme": scheme.code, "unit": county["town_a"].code, "checked_on": "2025-06-03", "scene": "走访",
              "paper": "livelihood", "grades": json.dumps(GOOD), "photos": [photo("x.jpg", GIF)]}
    response = client.post(API, photos, **auth)
    assert response.status_code == 400
    assert response.json()["errors"] == {"photos": ["“x.jpg”不是JPEG、PNG或WebP格式的照片"]}
    response = client.post(API, b"[1]", content_type="application/json", **auth)
    assert response.status_code == 400 and response.json()["detail"] == "请求体应为 JSON 对象"
    missing = client.post(API, json.dumps(body | {"scheme": "nope"}), content_type="application/json", **auth)
    assert missing.status_code == 404


def test_api_delete(office, check):
    client, auth = token_client(office)
    assert client.delete(f"{API}/{check.pk}", **auth).status_code == 204
    assert client.delete(f"{API}/{check.pk}", **auth).status_code == 404


def test_api_township_gets_404(users, check, scheme, county):
    client, auth = token_client(users["member"])
    assert client.get(API, **auth).status_code == 404
    assert client.get(f"{API}/{check.pk}", **auth).status_code == 404
    assert client.delete(f"{API}/{check.pk}", **auth).status_code == 404
    body = {"scheme": scheme.code, "unit": county["town_a"].code, "checked_on": "2025-06-03", "scene": "x",
            "paper": "livelihood", "grades": GOOD}
    assert client.post(API, json.dumps(body), content_type="application/json", **auth).status_code == 404
    assert SpotCheck.objects.count() == 1
