"""期末考试: writing the 关键事项记录表 (spot checks) and the exam score of a record.

A spot check is recorded by the assessment office in the field. The assessed unit is not told:
nothing here places a demand, sends a notice or makes a to-do for it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from qingzhuang.assessment import access
from qingzhuang.assessment.models import Paper, Scheme, SpotCheck, SpotCheckPhoto
from qingzhuang.lib import uploads
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit, UnitKind

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
SCENE_MAX = 200
NOTES_MAX = 5000

LOCKED = "方案已锁定（已有发布的成绩），不能再添加或删除关键事项记录"
# The photo types are judged by their bytes (``lib.uploads``), never by the file's name.
PHOTO_TYPES = {kind: uploads.CONTENT_TYPES[kind] for kind in uploads.PHOTO_KINDS}
PHOTO_EXTENSIONS = {kind: uploads.EXTENSIONS[kind] for kind in uploads.PHOTO_KINDS}
photo_kind = uploads.photo_kind


def exam_score(scheme: Scheme, grades: dict) -> Decimal:
    """Σ criterion weight × grade value / 100 of one record (unrounded; a missing grade counts 0)."""
    values = scheme.exam_grades or {}
    total = Decimal("0")
    for criterion, weight in (scheme.exam_criteria or {}).items():
        grade = (grades or {}).get(criterion)
        if grade in values:
            total += Decimal(str(weight)) * Decimal(str(values[grade]))
    return total / Decimal("100")


def kind_names(kinds) -> str:
    labels = dict(UnitKind.choices)
    return "、".join(labels.get(k, k) for k in kinds)


def _check_unit(scheme: Scheme, unit: Unit | None) -> list[str]:
    if unit is None:
        return ["请选择被考核单位"]
    if not unit.is_active:
        return [f"“{unit.name}”已停用，不能作为被考核单位"]
    if unit.kind not in (scheme.target_kinds or []):
        return [f"“{unit.name}”不是本方案的考核对象（{kind_names(scheme.target_kinds or [])}）"]
    return []


def _check_date(scheme: Scheme, checked_on: dt.date | None) -> list[str]:
    if checked_on is None:
        return ["请填写检查日期"]
    if checked_on.year != scheme.year:
        return [f"检查日期应在{scheme.year}年内"]
    if checked_on > timezone.localdate():
        return ["检查日期不能晚于今天"]
    return []


def _check_grades(scheme: Scheme, grades: dict | None) -> list[str]:
    grades = grades or {}
    criteria = list((scheme.exam_criteria or {}).keys())
    names = list((scheme.exam_grades or {}).keys())
    errors = [f"“{name}”不是本方案的评价维度" for name in grades if name not in criteria]
    for criterion in criteria:
        grade = grades.get(criterion)
        if not grade:
            errors.append(f"请为“{criterion}”选择评价等次")
        elif grade not in names:
            errors.append(f"“{criterion}”的评价应为：{'、'.join(names)}")
    return errors


def _read_photos(photos) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """(original name, kind, content) of each photo, and the problems."""
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        return [], [f"照片最多{MAX_PHOTOS}张，本次选择了{len(photos)}张"]
    read, errors = [], []
    for photo in photos:
        name = (getattr(photo, "name", "") or "照片")[-255:]
        size = getattr(photo, "size", None)
        if size is not None and size > MAX_PHOTO_BYTES:
            errors.append(f"照片“{name}”超过{MAX_PHOTO_BYTES // (1024 * 1024)}MB")
            continue
        photo.seek(0)
        content = photo.read(MAX_PHOTO_BYTES + 1)
        if len(content) > MAX_PHOTO_BYTES:
            errors.append(f"照片“{name}”超过{MAX_PHOTO_BYTES // (1024 * 1024)}MB")
            continue
        kind = photo_kind(content[:16])
        if kind is None:
            errors.append(f"“{name}”不是JPEG、PNG或WebP格式的照片")
            continue
        read.append((name, kind, content))
    return read, errors


@transaction.atomic
def spotcheck_add(*, actor, scheme: Scheme, unit: Unit | None, checked_on: dt.date | None, scene: str,
                  paper: str, grades: dict | None, notes: str = "", photos=(), request=None) -> SpotCheck:
    """Record a spot check (关键事项记录表) with its photos. Only the assessment office."""
    access.require_manage(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_locked:
        raise ValidationError(LOCKED)
    scene = (scene or "").strip()
    notes = (notes or "").strip()
    errors: dict[str, list[str]] = {}
    for field, problems in (
        ("unit", _check_unit(scheme, unit)),
        ("checked_on", _check_date(scheme, checked_on)),
        ("scene", ["请填写检查场景"] if not scene else
         [f"检查场景不能超过{SCENE_MAX}个字"] if len(scene) > SCENE_MAX else []),
        ("paper", [] if paper in Paper.values else ["试卷应为民生卷或民企卷"]),
        ("grades", _check_grades(scheme, grades)),
        ("notes", [f"记录不能超过{NOTES_MAX}个字"] if len(notes) > NOTES_MAX else []),
    ):
        if problems:
            errors[field] = problems
    read, photo_errors = _read_photos(photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if errors:
        raise ValidationError(errors)
    check = SpotCheck.objects.create(
        scheme=scheme, unit=unit, checked_on=checked_on, scene=scene, paper=paper,
        grades={criterion: grades[criterion] for criterion in scheme.exam_criteria}, notes=notes,
        assessor=actor if getattr(actor, "is_authenticated", False) else None)
    for name, kind, content in read:
        photo = SpotCheckPhoto(spot_check=check, original_name=name)
        photo.image.save(f"{uuid.uuid4().hex}.{PHOTO_EXTENSIONS[kind]}", ContentFile(content), save=False)
        photo.save()
    audit.record(actor=actor, action="assessment.spotcheck.add", obj=check, request=request, after={
        "scheme": scheme.code, "unit": unit.code, "checked_on": checked_on.isoformat(), "scene": scene,
        "paper": paper, "grades": check.grades, "photos": len(read)})
    return check


@transaction.atomic
def spotcheck_delete(*, actor, spot_check: SpotCheck, request=None) -> None:
    """Delete a record and its photo files, unless its scheme is locked. Only the assessment office."""
    access.require_manage(actor)
    scheme = Scheme.objects.select_for_update().get(pk=spot_check.scheme_id)
    if scheme.is_locked:
        raise ValidationError(LOCKED)
    before = {"scheme": scheme.code, "unit": spot_check.unit.code, "checked_on": spot_check.checked_on.isoformat(),
              "scene": spot_check.scene, "paper": spot_check.paper, "grades": spot_check.grades}
    files = [p.image for p in spot_check.photos.all()]
    audit.record(actor=actor, action="assessment.spotcheck.delete", obj=spot_check, request=request, before=before)
    spot_check.delete()
    for image in files:
        transaction.on_commit(lambda image=image: image.storage.delete(image.name))
