"""Scheme pages as the assessment office, and refused to a township cadre and other roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.models import Adjustment, Scheme
from qingzhuang.assessment.services import schemes as services
from qingzhuang.assessment.tests.scheme_world import EXAMPLE, make_indicators, small

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(county, users):
    make_indicators(county)
    return services.scheme_import(actor=users["assessment"], text=EXAMPLE.read_bytes(), filename="a.yaml").scheme


@pytest.fixture
def office(verified_client, users):
    return verified_client(users["assessment"])


def test_list_and_detail(office, scheme):
    page = office.get(reverse("assessment:scheme_list")).content.decode()
    assert "2025年度乡镇（街道）综合考核" in page and "乡镇、街道" in page and "可编辑" in page
    page = office.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert "比例法：得分 = 100 × min(实际值 ÷ 目标值 110000, 1)" in page
    assert "达标法：不高于目标值 8 得 100 分，否则 0 分" in page
    assert "趋势指数低于 -0.6 的单位列入课后辅导名单" in page
    assert "权重合计 100" in page


def test_locked_scheme_is_read_only(office, scheme):
    services.scheme_lock(scheme=scheme)
    page = office.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'data-testid="locked-note"' in page and "/edit/" not in page
    response = office.get(reverse("assessment:scheme_edit", args=[scheme.pk]))
    assert response.status_code == 302


def test_upload_creates(office, county):
    make_indicators(county)
    upload = SimpleUploadedFile("township-2025.yaml", EXAMPLE.read_bytes())
    response = office.post(reverse("assessment:scheme_upload"), {"file": upload})
    scheme = Scheme.objects.get(code="township-2025")
    assert response.status_code == 302 and response.url == reverse("assessment:scheme_detail", args=[scheme.pk])


def test_upload_shows_problems(office, county):
    make_indicators(county)
    upload = SimpleUploadedFile("s.yaml", schemefile.dump(small(year=1990)).encode())
    page = office.post(reverse("assessment:scheme_upload"), {"file": upload}).content.decode()
    assert "导入未通过：1 个问题" in page and "考核年度应为 2000 到 2100 之间的整数" in page
    assert not Scheme.objects.exists()
    response = office.get(reverse("assessment:scheme_upload_errors"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_upload_refuses_another_extension(office, db):
    upload = SimpleUploadedFile("s.txt", b"code: x")
    page = office.post(reverse("assessment:scheme_upload"), {"file": upload}).content.decode()
    assert "请上传 .yaml、.yml 或 .json 文件" in page


def test_export(office, scheme):
    response = office.get(reverse("assessment:scheme_export", args=[scheme.pk]) + "?format=yaml")
    assert response.content.decode().startswith("code: township-2025\n")
    assert office.get(reverse("assessment:scheme_export", args=[scheme.pk]) + "?format=xml").status_code == 404


def _edit_post(document: dict) -> dict:
    from qingzhuang.assessment.forms_schemes import HeaderForm, IndicatorForm

    data = {key: value for key, value in HeaderForm.initial_of(document).items() if key != "target_kinds"}
    data["target_kinds"] = document["target_kinds"]
    rows = document["indicators"]
    data.update({"rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": str(len(rows)),
                 "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "200"})
    for index, row in enumerate(rows):
        for key, value in IndicatorForm.initial_of(row).items():
            data[f"rows-{index}-{key}"] = value
    return data


def test_editor_saves(office, scheme):
    page = office.get(reverse("assessment:scheme_edit", args=[scheme.pk])).content.decode()
    assert 'name="rows-0-weight"' in page
    data = _edit_post(schemefile.document_of(scheme))
    data["rows-0-weight"], data["rows-1-weight"] = "7.5", "5.5"
    response = office.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data)
    assert response.status_code == 302
    assert scheme.indicators.first().weight == Decimal("7.5")


def test_editor_shows_the_weight_sum_problem(office, scheme):
    data = _edit_post(schemefile.document_of(scheme))
    data["rows-0-weight"] = "7.5"
    page = office.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data).content.decode()
    assert "指标权重合计应为 100，现为 99.5" in page
    assert scheme.indicators.first().weight == Decimal(8)


def test_editor_refuses_a_bad_line(office, scheme):
    data = _edit_post(schemefile.document_of(scheme))
    data["bonus"] = "省级以上表彰"
    page = office.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data).content.decode()
    assert "加分项第 1 行应写作“名称：数值”" in page


def test_copy_and_delete(office, scheme):
    response = office.post(reverse("assessment:scheme_copy", args=[scheme.pk]), {"code": "township-2026",
                                                                                 "year": "2026"})
    copy = Scheme.objects.get(code="township-2026")
    assert response.url == reverse("assessment:scheme_detail", args=[copy.pk])
    response = office.post(reverse("assessment:scheme_delete", args=[copy.pk]))
    assert response.url == reverse("assessment:scheme_list")
    assert not Scheme.objects.filter(code="township-2026").exists()


def test_adjustments_page(office, scheme, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = scheme.items.get(name="省级以上表彰")
    url = reverse("assessment:adjustment_list", args=[scheme.pk])
    page = office.get(url).content.decode()
    assert "甲镇" in page and "甲村" not in page
    evidence = SimpleUploadedFile("表彰.pdf", b"%PDF-1.4 x")
    response = office.post(url, {"unit": county["town_a"].pk, "kind": "bonus", "item": item.pk, "points": "2",
                                 "reason": "获省级表彰", "evidence": evidence})
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert (adjustment.points, adjustment.evidence_name) == (Decimal(2), "表彰.pdf")
    download = office.get(reverse("assessment:adjustment_evidence", args=[scheme.pk, adjustment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = office.post(url, {"unit": county["town_a"].pk, "kind": "bonus", "item": item.pk, "points": "9",
                             "reason": "x"}).content.decode()
    assert "分值应大于 0 且不超过该项上限 3 分，最多 2 位小数" in page
    office.post(reverse("assessment:adjustment_delete", args=[scheme.pk, adjustment.pk]))
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize("role", ["member", "outsider", "leader", "reporter", "supervision"])
def test_pages_refused_to_others(verified_client, users, scheme, role):
    client = verified_client(users[role])
    for name, args in (("scheme_list", []), ("scheme_upload", []), ("scheme_detail", [scheme.pk]),
                       ("scheme_edit", [scheme.pk]), ("scheme_export", [scheme.pk]),
                       ("adjustment_list", [scheme.pk])):
        assert client.get(reverse(f"assessment:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("assessment:scheme_delete", args=[scheme.pk])).status_code == 403
    assert Scheme.objects.filter(pk=scheme.pk).exists()


def test_missing_scheme_is_404(office, db):
    assert office.get(reverse("assessment:scheme_detail", args=[999])).status_code == 404
