"""一事一码 pages: the public verification (no leak, rate limit, rating), the office's issue queue,
a visit's code page, caps and counts, 本单位检查, evaluations."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from qingzhuang.supervision import codes
from qingzhuang.supervision.models import Evaluation, Verification, Visit, VisitStatus
from qingzhuang.supervision.services.visits import visit_create
from qingzhuang.supervision.tests.visit_world import issued_visit, live_item


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_public_page_verifies_a_typed_code_and_shows_only_its_unit(client, sv, county):
    visit = issued_visit(sv, county)
    other = issued_visit(sv, county, unit=county["town_b"], team="乙镇检查组")
    response = client.post(reverse("supervision:verify_form"), {"code": codes.grouped(visit.code).lower()}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "可以配合" in body and "甲镇" in body
    assert "乙镇" not in body and other.code not in body
    assert f"/visits/{visit.pk}/" not in body and not re.search(r'name="(visit|id)"', body)
    assert response["Cache-Control"] == "no-store"


def test_public_page_for_an_unknown_code_is_always_the_same(client, sv, county):
    issued_visit(sv, county)
    bodies = set()
    for typed in ("", "ABC", codes.new_code(), "0" * 26):
        body = client.post(reverse("supervision:verify_form"), {"code": typed}).content.decode()
        bodies.add(re.search(r'data-testid="verify-result".*?</main>', body, re.S).group(0))
        assert "可不予配合" in body and "甲镇" not in body
    assert len(bodies) == 1
    response = client.get(reverse("supervision:verify_code", args=[codes.new_code()]))
    assert response.status_code == 200 and "甲镇" not in response.content.decode()
    assert Verification.objects.filter(visit=None).count() == 5


@override_settings(QZ_VERIFY_RATE="2/600")
def test_public_page_is_rate_limited(client, sv, county):
    for _ in range(2):
        assert client.post(reverse("supervision:verify_form"), {"code": "x"}).status_code == 200
    response = client.post(reverse("supervision:verify_form"), {"code": "x"})
    assert response.status_code == 429 and "核验过于频繁，请10分钟后再试" in response.content.decode()


def test_anonymous_rating_once_per_browser(client, sv, county):
    visit = issued_visit(sv, county)
    url = reverse("supervision:evaluate", args=[visit.code])
    assert "匿名评价这次检查" in client.get(reverse("supervision:verify_code", args=[visit.code])).content.decode()
    assert client.post(url, {"rating": "4", "burden_free": "1", "comment": "好"}).status_code == 302
    response = client.post(url, {"rating": "4", "burden_free": "1"})
    assert response.status_code == 400 and "本浏览器已评价过这次检查" in response.content.decode()
    assert Evaluation.objects.count() == 1
    bad = client.post(reverse("supervision:evaluate", args=[codes.new_code()]), {"rating": "4", "burden_free": "1"})
    assert bad.status_code == 404


def test_office_issues_from_the_queue_and_a_refusal_shows_the_cap_message(client, sv, county):
    item = live_item(county["stats"], title="统计执法检查", matter="统计执法")
    today = timezone.localdate()
    first = visit_create(actor=sv["stats_reporter"], items=[item], unit=county["town_a"], date=today)
    other = live_item(sv["agri"], title="耕地检查", matter="耕地保护")
    second = visit_create(actor=sv["agri_reporter"], items=[other], unit=county["town_a"], date=today)
    client.force_login(sv["office"])
    page = client.get(reverse("supervision:visit_list"), {"status": "scheduled"}).content.decode()
    assert "待签发 2 次检查" in page
    response = client.post(reverse("supervision:visit_issue_bulk"), {"visits": [first.pk, second.pk]}, follow=True)
    body = response.content.decode()
    assert "已签发 1 个检查码" in body and "达到频次上限（每个单位每季度最多 1 次）" in body
    assert Visit.objects.filter(status=VisitStatus.ISSUED).count() == 1


def test_visit_page_shows_grouped_code_and_qr_and_print_sheet(client, sv, county):
    visit = issued_visit(sv, county)
    client.force_login(sv["stats_reporter"])
    body = client.get(reverse("supervision:visit_detail", args=[visit.pk])).content.decode()
    assert codes.grouped(visit.code) in body and "<svg" in body
    sheet = client.get(reverse("supervision:visit_print", args=[visit.pk])).content.decode()
    assert "扫码核验" in sheet and "甲镇" in sheet and "不要求提供材料" in sheet and "@page" in sheet


def test_another_units_visit_is_404_and_a_wrong_role_403(client, sv, county, users):
    visit = issued_visit(sv, county)
    client.force_login(users["outsider"])
    assert client.get(reverse("supervision:visit_detail", args=[visit.pk])).status_code == 404
    assert client.post(reverse("supervision:visit_issue", args=[visit.pk])).status_code == 404
    client.force_login(sv["stats_reporter"])
    assert client.get(reverse("supervision:cap_page")).status_code == 403
    assert client.post(reverse("supervision:visit_issue", args=[visit.pk])).status_code == 403


def test_schedule_page_warns_about_reinspection(client, sv, county):
    visit = issued_visit(sv, county)
    again = live_item(county["stats"], title="统计复查", matter="统计执法")
    client.force_login(sv["stats_reporter"])
    response = client.post(reverse("supervision:visit_new"), {"items": [again.pk], "unit": county["town_a"].code,
                                                              "date": visit.date.isoformat()})
    assert response.status_code == 400
    assert "结果各部门互认；如确需再次检查，请写明理由" in response.content.decode()


def test_caps_page_sets_the_cap_and_lists_counts(client, sv, county):
    issued_visit(sv, county)
    client.force_login(sv["office"])
    year = timezone.localdate().year
    response = client.post(reverse("supervision:cap_page") + f"?year={year}", {"year": year, "period": "quarter",
                                                                               "limit": "2"}, follow=True)
    body = response.content.decode()
    assert "每个单位每季度最多 2 次" in body and "甲镇" in body and "1 / 2" in body
    bad = client.post(reverse("supervision:cap_page"), {"year": year, "period": "quarter", "limit": "0"})
    assert bad.status_code == 400 and "上限应为 1 到 99 之间的整数" in bad.content.decode()


def test_unit_page_shows_own_counts_and_takes_an_unfiled_report(client, sv, county, users):
    issued_visit(sv, county)
    client.force_login(users["member"])
    body = client.get(reverse("supervision:unit_page")).content.decode()
    assert "1 / 1 次" in body and "县统计局" in body
    response = client.post(reverse("supervision:unit_unfiled"), {
        "department": county["stats"].code, "date": timezone.localdate().isoformat(), "matter": "台账检查"})
    assert response.status_code == 302
    assert Visit.objects.filter(status=VisitStatus.UNFILED, unit=county["town_a"]).count() == 1
    client.force_login(sv["stats_reporter"])
    assert client.get(reverse("supervision:unit_page")).status_code == 403


def test_evaluations_shown_to_the_department_only_from_three(client, sv, county):
    visit = issued_visit(sv, county)
    client.force_login(sv["stats_reporter"])
    for n in range(2):
        Evaluation.objects.create(visit=visit, rating=4, burden_free=True, comment=f"意见{n}", on=visit.date)
    body = client.get(reverse("supervision:evaluation_page")).content.decode()
    assert "评价不足3条，暂不显示" in body and "意见0" not in body
    Evaluation.objects.create(visit=visit, rating=5, burden_free=False, on=visit.date)
    body = client.get(reverse("supervision:evaluation_page")).content.decode()
    assert "平均评分 4.3 星" in body and "66.7%" in body and "意见0" in body and "甲镇" not in body
    client.force_login(sv["office"])
    body = client.get(reverse("supervision:evaluation_page")).content.decode()
    assert "县统计局" in body and "chart-evaluations" in body
    xlsx = client.get(reverse("supervision:evaluation_page"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_visit_list_exports_xlsx_without_formulas(client, sv, county):
    issued_visit(sv, county, team="=HYPERLINK(\"x\")")
    client.force_login(sv["office"])
    response = client.get(reverse("supervision:visit_list"), {"format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    teams = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert teams and not str(teams[0]).startswith("=")


def test_a_department_filters_its_visits_by_the_visited_unit(client, sv, county):
    issued_visit(sv, county)
    client.force_login(sv["stats_reporter"])
    body = client.get(reverse("supervision:visit_list"), {"unit": county["town_a"].code}).content.decode()
    assert "甲镇" in body and "共 1 次检查" in body
    assert client.get(reverse("supervision:visit_list"), {"unit": "nope"}).status_code == 404


def test_the_office_opens_a_units_calendar_without_the_report_form(sv, county, client):
    client.force_login(sv["office"])
    page = client.get(f"/supervision/unit/?unit={county['town_a'].code}&year=2025")
    text = page.content.decode()
    assert page.status_code == 200 and "检查日历 · 甲镇 · 2025年" in text and 'data-testid="unfiled-form"' not in text


def test_a_sibling_townships_calendar_is_not_found(sv, county, client, users):
    client.force_login(users["outsider"])
    assert client.get(f"/supervision/unit/?unit={county['town_a'].code}").status_code == 404
    assert client.get("/supervision/unit/?unit=nosuchunit").status_code == 404
