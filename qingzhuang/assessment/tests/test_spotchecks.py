"""期末考试 services: recording a spot check, its checks and messages, photos by magic bytes, the exam score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingzhuang.assessment.models import SpotCheck, SpotCheckPhoto
from qingzhuang.assessment.services import spotchecks
from qingzhuang.assessment.services.spotchecks import exam_score, spotcheck_add, spotcheck_delete
from qingzhuang.assessment.tests import spot_world
from qingzhuang.assessment.tests.spot_world import DAY, GIF, GOOD, JPEG, PNG, WEBP, photo
from qingzhuang.burden.models import Demand
from qingzhuang.orgs.models import AuditLog

pytestmark = pytest.mark.django_db
# Fixtures of the spot check tests.
office, scheme, _private_media_root = spot_world.office, spot_world.scheme, spot_world._private_media_root


def add(actor, scheme, unit, **overrides):
    fields = {"checked_on": DAY, "scene": "便民服务中心窗口办件", "paper": "livelihood", "grades": dict(GOOD),
              "notes": "窗口排队较长", "photos": ()}
    fields.update(overrides)
    return spotcheck_add(actor=actor, scheme=scheme, unit=unit, **fields)


def messages_of(exc) -> dict:
    return exc.value.message_dict


def test_add_records_the_check_with_photos_and_audit(office, scheme, county):
    check = add(office, scheme, county["town_a"], photos=[photo("现场1.jpg"), photo("a.png", PNG, "image/png"),
                                                            photo("b.webp", WEBP, "image/webp")])
    check.refresh_from_db()
    assert (check.unit, check.checked_on, check.paper, check.assessor) == (county["town_a"], DAY, "livelihood", office)
    assert check.grades == GOOD
    names = [(p.original_name, p.image.name.rsplit(".", 1)[1]) for p in check.photos.all()]
    assert names == [("现场1.jpg", "jpg"), ("a.png", "png"), ("b.webp", "webp")]
    assert check.photos.first().image.read() == JPEG
    row = AuditLog.objects.get(action="assessment.spotcheck.add")
    assert row.actor == office and row.object_id == str(check.pk)
    assert row.after["photos"] == 3 and row.after["grades"] == GOOD


def test_the_assessed_unit_is_not_told(office, scheme, county):
    add(office, scheme, county["town_a"])
    assert Demand.objects.count() == 0


def test_exam_score_is_the_weighted_grade_values(scheme):
    assert exam_score(scheme, GOOD) == Decimal("78")
    assert exam_score(scheme, {"开拓创新度": "很差", "部门协同度": "很差", "群众满意度": "较差"}) == Decimal("28")
    assert exam_score(scheme, {c: "好" for c in scheme.exam_criteria}) == Decimal("100")


def test_only_the_office_adds(users, scheme, county):
    for who in ("member", "leader", "reporter"):
        with pytest.raises(PermissionDenied, match="只有考核办可以管理考核方案和成绩"):
            add(users[who], scheme, county["town_a"])
    assert SpotCheck.objects.count() == 0


def test_locked_scheme_refuses(office, scheme, county):
    scheme.locked_at = timezone.now()
    scheme.save()
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"])
    assert exc.value.messages == ["方案已锁定（已有发布的成绩），不能再添加或删除关键事项记录"]


@pytest.mark.parametrize(("unit_key", "message"), [
    ("village_a", "“甲村”不是本方案的考核对象（乡镇、街道）"),
    ("stats", "“县统计局”不是本方案的考核对象（乡镇、街道）"),
    (None, "请选择被考核单位"),
])
def test_unit_must_be_a_target(office, scheme, county, unit_key, message):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county[unit_key] if unit_key else None)
    assert messages_of(exc) == {"unit": [message]}


def test_inactive_unit_refused(office, scheme, county):
    county["town_b"].is_active = False
    county["town_b"].save()
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_b"])
    assert messages_of(exc) == {"unit": ["“乙镇”已停用，不能作为被考核单位"]}


@pytest.mark.parametrize(("day", "message"), [
    (dt.date(2024, 12, 31), "检查日期应在2025年内"),
    (dt.date(2025, 7, 1), "检查日期不能晚于今天"),
    (None, "请填写检查日期"),
])
def test_date_within_year_and_not_future(office, scheme, county, day, message):
    with mock.patch.object(spotchecks.timezone, "localdate", return_value=dt.date(2025, 6, 30)), \
            pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], checked_on=day)
    assert messages_of(exc) == {"checked_on": [message]}


@pytest.mark.parametrize(("scene", "message"), [
    ("  ", "请填写检查场景"), ("场" * 201, "检查场景不能超过200个字")])
def test_scene_required_and_short(office, scheme, county, scene, message):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], scene=scene)
    assert messages_of(exc) == {"scene": [message]}


def test_scene_of_200_characters_is_fine(office, scheme, county):
    assert add(office, scheme, county["town_a"], scene="场" * 200).scene == "场" * 200


@pytest.mark.parametrize("paper", ["", "民生卷", "other"])
def test_paper_is_one_of_two(office, scheme, county, paper):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], paper=paper)
    assert messages_of(exc) == {"paper": ["试卷应为民生卷或民企卷"]}


def test_enterprise_paper(office, scheme, county):
    assert add(office, scheme, county["town_a"], paper="enterprise").get_paper_display() == "民企卷"


@pytest.mark.parametrize(("grades", "message"), [
    ({"开拓创新度": "好", "部门协同度": "好"}, ["请为“群众满意度”选择评价等次"]),
    ({**GOOD, "部门协同度": "优秀"}, ["“部门协同度”的评价应为：好、较好、一般、较差、很差"]),
    ({**GOOD, "工作作风": "好"}, ["“工作作风”不是本方案的评价维度"]),
    ({}, ["请为“开拓创新度”选择评价等次", "请为“部门协同度”选择评价等次", "请为“群众满意度”选择评价等次"]),
])
def test_one_grade_per_criterion(office, scheme, county, grades, message):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], grades=grades)
    assert messages_of(exc) == {"grades": message}


def test_photos_are_checked_by_magic_bytes_not_name(office, scheme, county):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], photos=[photo("现场.jpg", GIF), photo("ok.jpg")])
    assert messages_of(exc) == {"photos": ["“现场.jpg”不是JPEG、PNG或WebP格式的照片"]}
    assert SpotCheck.objects.count() == 0 and SpotCheckPhoto.objects.count() == 0


def test_a_jpeg_named_otherwise_is_accepted(office, scheme, county):
    check = add(office, scheme, county["town_a"], photos=[photo("scan.txt", JPEG, "text/plain")])
    assert check.photos.get().image.name.endswith(".jpg")


def test_at_most_nine_photos(office, scheme, county):
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], photos=[photo(f"{i}.jpg") for i in range(10)])
    assert messages_of(exc) == {"photos": ["照片最多9张，本次选择了10张"]}
    assert add(office, scheme, county["town_a"], photos=[photo(f"{i}.jpg") for i in range(9)]).photos.count() == 9


def test_photo_over_10_mb_refused(office, scheme, county):
    big = photo("大.jpg", JPEG + b"\x00" * (10 * 1024 * 1024 + 1 - len(JPEG)))
    with pytest.raises(ValidationError) as exc:
        add(office, scheme, county["town_a"], photos=[big])
    assert messages_of(exc) == {"photos": ["照片“大.jpg”超过10MB"]}


def test_delete_removes_record_and_is_audited(office, scheme, county):
    check = add(office, scheme, county["town_a"], photos=[photo("a.jpg")])
    spotcheck_delete(actor=office, spot_check=check)
    assert SpotCheck.objects.count() == 0 and SpotCheckPhoto.objects.count() == 0
    row = AuditLog.objects.get(action="assessment.spotcheck.delete")
    assert row.before["scene"] == "便民服务中心窗口办件"


def test_delete_refused_when_locked_or_not_office(users, office, scheme, county):
    check = add(office, scheme, county["town_a"])
    with pytest.raises(PermissionDenied):
        spotcheck_delete(actor=users["member"], spot_check=check)
    scheme.locked_at = timezone.now()
    scheme.save()
    with pytest.raises(ValidationError) as exc:
        spotcheck_delete(actor=office, spot_check=check)
    assert exc.value.messages == ["方案已锁定（已有发布的成绩），不能再添加或删除关键事项记录"]
    assert SpotCheck.objects.count() == 1
