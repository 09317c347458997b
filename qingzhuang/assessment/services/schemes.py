"""Writes of schemes and of the records behind bonus, deductions and vetoes.

Every service checks that the actor is the assessment office (``access.require_manage``),
validates, saves and writes its audit row in one transaction. A scheme goes through the one
validation of its file shape (``schemefile.validate``) however it is written: an imported file,
the editor, the API. A scheme with a published run is locked (``scheme_lock``): it is copied to
a new scheme instead of changed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.assessment import access, schemefile
from qingzhuang.assessment.models import (
    Adjustment,
    AdjustmentKind,
    ItemKind,
    Scheme,
    SchemeIndicator,
    SchemeItem,
)
from qingzhuang.lib.results import ImportResult
from qingzhuang.lib.tables import Problem
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Extension → the first bytes a real file of that type starts with.
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}

M_EVIDENCE_SIZE = "佐证材料不能超过 10 MB"
M_EVIDENCE_TYPE = "佐证材料应为 PDF、JPG、PNG、Word（docx）或 Excel（xlsx）文件"
M_EVIDENCE_CONTENT = "佐证材料的内容与扩展名不符"
M_REASON = "请填写事由"
M_KIND = "类别应为 加分、扣分 或 一票否决"
M_VETO_ITEM = "一票否决不对应加减分项，不要选择加减分项"
M_COPY_YEAR = f"考核年度应为 {schemefile.YEAR_MIN} 到 {schemefile.YEAR_MAX} 之间的整数"


def locked_message(scheme: Scheme) -> str:
    return f"方案 {scheme.code} 已有发布的成绩，已锁定，不能修改；请复制为新方案"


def _owner(actor) -> Unit:
    unit = getattr(actor, "unit", None)
    if unit is not None:
        return unit
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def _summary(scheme: Scheme) -> dict:
    return {"code": scheme.code, "name": scheme.name, "year": scheme.year,
            "indicators": scheme.indicators.count()}


def _apply(scheme: Scheme, data: schemefile.SchemeData) -> list[Problem]:
    """Write ``data`` into ``scheme`` (saved) and its rows. Problems when an item in use would go."""
    scheme.code = data.code
    scheme.name = data.name
    scheme.year = data.year
    scheme.target_kinds = data.target_kinds
    scheme.daily_weight = data.daily_weight
    scheme.exam_weight = data.exam_weight
    scheme.exam_criteria = {name: schemefile._decimal_text(value) for name, value in data.exam_criteria.items()}
    scheme.exam_grades = {name: schemefile._decimal_text(value) for name, value in data.exam_grades.items()}
    scheme.grades = [{"name": name, "min": schemefile._decimal_text(low)} for name, low in data.grades]
    scheme.trend = {} if not data.trend else {
        "indicators": {code: schemefile._decimal_text(weight) for code, weight in data.trend["indicators"].items()},
        "threshold": schemefile._decimal_text(data.trend["threshold"]),
        "years": 3,
    }
    scheme.save()

    from qingzhuang.ledger.models import Indicator

    indicators = Indicator.objects.in_bulk([row.code for row in data.indicators], field_name="code")
    scheme.indicators.all().delete()
    SchemeIndicator.objects.bulk_create([
        SchemeIndicator(scheme=scheme, position=position, indicator=indicators[row.code], weight=row.weight,
                        aggregate=row.aggregate, method=row.method, params=row.params, missing=row.missing)
        for position, row in enumerate(data.indicators, start=1)
    ])

    problems: list[Problem] = []
    existing = {(item.kind, item.name): item for item in scheme.items.all()}
    wanted = [(ItemKind.BONUS, name, cap, position) for position, (name, cap) in enumerate(data.bonus, start=1)]
    wanted += [(ItemKind.DEDUCTION, name, cap, position)
               for position, (name, cap) in enumerate(data.deductions, start=1)]
    keep = set()
    for kind, name, cap, position in wanted:
        item = existing.get((kind, name))
        if item is None:
            SchemeItem.objects.create(scheme=scheme, kind=kind, name=name, max_points=cap, position=position)
        else:
            item.max_points, item.position = cap, position
            item.save(update_fields=["max_points", "position"])
            keep.add(item.pk)
    for (kind, name), item in existing.items():
        if item.pk in keep:
            continue
        if item.adjustments.exists():
            column = "bonus" if kind == ItemKind.BONUS else "deductions"
            problems.append(Problem(row=0, column=column, value=name, code="item_in_use",
                                    message=f"{ItemKind(kind).label} {name} 已有登记的记录，不能删除"))
        else:
            item.delete()
    return problems


def _validate(document_or_text, *, filename: str, parsed: bool) -> tuple[schemefile.SchemeData | None, list]:
    if parsed:
        return schemefile.validate(document_or_text)
    return schemefile.read(document_or_text, filename)


def _save(*, actor, data: schemefile.SchemeData, scheme: Scheme | None, action: str) -> tuple[Scheme | None, list]:
    """Create or replace a scheme from validated data, inside the caller's transaction."""
    clash = Scheme.objects.filter(code=data.code).exclude(pk=getattr(scheme, "pk", None)).first()
    if scheme is None and clash is not None:
        scheme, clash = clash, None
    if clash is not None:
        return None, [Problem(row=0, column="code", value=data.code, code="duplicate_code",
                              message=f"方案代码 {data.code} 已被其他方案使用")]
    if scheme is not None and scheme.is_locked:
        return None, [Problem(row=0, column="code", value=scheme.code, code="locked", message=locked_message(scheme))]
    before = schemefile.plain(schemefile.document_of(scheme)) if scheme is not None else None
    if scheme is None:
        scheme = Scheme(owner=_owner(actor), created_by=actor if getattr(actor, "pk", None) else None)
    problems = _apply(scheme, data)
    if problems:
        return None, problems
    audit.record(actor=actor, action=action, obj=scheme, before=before and {"code": before["code"]},
                 after=_summary(scheme))
    return scheme, []


def scheme_import(*, actor, text: bytes | str, filename: str = "") -> ImportResult:
    """Import a scheme file: create it, or replace the unlocked scheme of the same code.

    All or nothing: ``result.errors`` holds every problem and nothing is written; on success
    ``result.scheme`` is the scheme.
    """
    access.require_manage(actor)
    result = ImportResult(kind="scheme")
    data, problems = schemefile.read(text, filename)
    if problems:
        return result.reject(problems, rows=0)
    result.total = len(data.indicators)
    existed = Scheme.objects.filter(code=data.code).exists()
    try:
        with transaction.atomic():
            scheme, problems = _save(actor=actor, data=data, scheme=None, action="assessment.scheme.import")
            if problems:
                raise _Rollback
    except _Rollback:
        return result.reject(problems, rows=0)
    result.scheme = scheme
    if existed:
        result.updated = 1
    else:
        result.created = 1
    return result


class _Rollback(Exception):
    pass


def _raise(problems: list[Problem]) -> None:
    """Problems as one ValidationError: messages by key path ("__all__" for the file as a whole)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.column or "__all__", []).append(problem.message)
    raise ValidationError(errors)


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, document: dict) -> Scheme:
    """Save an edited scheme (the editor, the API) through the file validation.

    Raises ValidationError with the messages by key path (e.g. ``indicators[3].weight``).
    """
    access.require_manage(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_locked:
        raise ValidationError(locked_message(scheme))
    data, problems = schemefile.validate(document)
    if problems:
        _raise(problems)
    saved, problems = _save(actor=actor, data=data, scheme=scheme, action="assessment.scheme.update")
    if problems:
        transaction.set_rollback(True)
        _raise(problems)
    return saved


@transaction.atomic
def scheme_copy(*, actor, scheme: Scheme, code: str, year: int) -> Scheme:
    """Copy a scheme (indicators, items, grades, exam, trend; not runs or records) for another year."""
    access.require_manage(actor)
    errors: dict[str, str] = {}
    if not isinstance(code, str) or not schemefile.CODE_RE.match(code):
        errors["code"] = schemefile.M_CODE
    elif Scheme.objects.filter(code=code).exists():
        errors["code"] = f"方案代码 {code} 已被其他方案使用"
    if isinstance(year, bool) or not isinstance(year, int) or not schemefile.YEAR_MIN <= year <= schemefile.YEAR_MAX:
        errors["year"] = M_COPY_YEAR
    if errors:
        raise ValidationError(errors)
    name = scheme.name.replace(str(scheme.year), str(year)) if str(scheme.year) in scheme.name else scheme.name
    copy = Scheme.objects.create(
        code=code, name=name, year=year, target_kinds=list(scheme.target_kinds),
        daily_weight=scheme.daily_weight, exam_weight=scheme.exam_weight,
        exam_criteria=dict(scheme.exam_criteria), exam_grades=dict(scheme.exam_grades),
        grades=list(scheme.grades), trend=dict(scheme.trend), owner=_owner(actor) or scheme.owner,
        copied_from=scheme, created_by=actor if getattr(actor, "pk", None) else None,
    )
    SchemeIndicator.objects.bulk_create([
        SchemeIndicator(scheme=copy, position=row.position, indicator_id=row.indicator_id, weight=row.weight,
                        aggregate=row.aggregate, method=row.method, params=dict(row.params), missing=row.missing)
        for row in scheme.indicators.all()
    ])
    SchemeItem.objects.bulk_create([
        SchemeItem(scheme=copy, kind=item.kind, position=item.position, name=item.name, max_points=item.max_points)
        for item in scheme.items.all()
    ])
    audit.record(actor=actor, action="assessment.scheme.copy", obj=copy, before={"code": scheme.code},
                 after=_summary(copy))
    return copy


@transaction.atomic
def scheme_delete(*, actor, scheme: Scheme) -> None:
    """Delete a scheme that has no run and no recorded adjustment or spot check."""
    access.require_manage(actor)
    if scheme.runs.exists():
        raise ValidationError(f"方案 {scheme.code} 已有成绩计算批次，不能删除")
    if scheme.adjustments.exists() or scheme.spot_checks.exists():
        raise ValidationError(f"方案 {scheme.code} 已有加减分、一票否决或关键事项记录，不能删除；请先删除这些记录")
    before = _summary(scheme)
    audit.record(actor=actor, action="assessment.scheme.delete", obj=scheme, before=before)
    Scheme.objects.filter(pk=scheme.pk).delete()


def scheme_lock(*, scheme: Scheme) -> None:
    """Lock a scheme (called by publishing a run, inside its transaction). Idempotent."""
    now = timezone.now()
    if Scheme.objects.filter(pk=scheme.pk, locked_at__isnull=True).update(locked_at=now):
        scheme.locked_at = now


# -- bonus, deductions and vetoes


def _check_evidence(evidence) -> None:
    import os

    name = getattr(evidence, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in EVIDENCE_TYPES:
        raise ValidationError({"evidence": M_EVIDENCE_TYPE})
    if evidence.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": M_EVIDENCE_SIZE})
    evidence.seek(0)
    head = evidence.read(8)
    evidence.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[extension]):
        raise ValidationError({"evidence": M_EVIDENCE_CONTENT})


def _kind_labels(kinds: list[str]) -> str:
    return "、".join(schemefile.KIND_LABELS.get(kind, kind) for kind in kinds)


@transaction.atomic
def adjustment_add(*, actor, scheme: Scheme, unit: Unit, kind: str, item: SchemeItem | None = None,
                   points=None, reason: str = "", evidence=None) -> Adjustment:
    """Record a bonus or deduction (points within the item's cap) or a veto of a unit."""
    access.require_manage(actor)
    if scheme.is_locked:
        raise ValidationError(locked_message(scheme))
    errors: dict[str, str] = {}
    if kind not in AdjustmentKind.values:
        raise ValidationError({"kind": M_KIND})
    if unit.kind not in scheme.target_kinds:
        errors["unit"] = f"{unit.name}不是本方案的考核对象（考核对象：{_kind_labels(scheme.target_kinds)}）"
    value = Decimal(0)
    if kind == AdjustmentKind.VETO:
        if item is not None:
            errors["item"] = M_VETO_ITEM
    else:
        noun = "加分项" if kind == AdjustmentKind.BONUS else "扣分项"
        if item is None or item.scheme_id != scheme.pk or item.kind != kind:
            errors["item"] = f"请选择本方案的{noun}"
        else:
            try:
                value = Decimal(str(points)) if points is not None and not isinstance(points, bool) else None
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or value <= 0 or value > item.max_points \
                    or value != value.quantize(Decimal("0.01")):
                errors["points"] = (f"分值应大于 0 且不超过该项上限 {schemefile._decimal_text(item.max_points)} 分，"
                                    "最多 2 位小数")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = M_REASON
    if errors:
        raise ValidationError(errors)
    if evidence is not None:
        _check_evidence(evidence)
    adjustment = Adjustment(scheme=scheme, unit=unit, kind=kind, item=item, points=value, reason=reason,
                            recorded_by=actor if getattr(actor, "pk", None) else None)
    if evidence is not None:
        adjustment.evidence_name = os_basename(evidence.name)[:255]
        adjustment.evidence.save(adjustment.evidence_name, evidence, save=False)
    adjustment.save()
    audit.record(actor=actor, action="assessment.adjustment.add", obj=adjustment,
                 after={"scheme": scheme.code, "unit": unit.code, "kind": kind,
                        "item": item.name if item else "", "points": str(value), "reason": reason,
                        "evidence": adjustment.evidence_name})
    return adjustment


def os_basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


@transaction.atomic
def adjustment_delete(*, actor, adjustment: Adjustment) -> None:
    access.require_manage(actor)
    scheme = adjustment.scheme
    if scheme.is_locked:
        raise ValidationError(locked_message(scheme))
    before = {"scheme": scheme.code, "unit": adjustment.unit.code, "kind": adjustment.kind,
              "item": adjustment.item.name if adjustment.item else "", "points": str(adjustment.points),
              "reason": adjustment.reason}
    audit.record(actor=actor, action="assessment.adjustment.delete", obj=adjustment, before=before)
    if adjustment.evidence:
        adjustment.evidence.delete(save=False)
    adjustment.delete()
