"""Writes of the document registry (发文登记): register, correct, judge, explain, import.

A document reaching grassroots units asks each of them once through the burden seam
(``demand_place``, kind 文件, counted in the month it was issued, asked by its issuer). The ask
costs the kind's weight in person-hours, plus ``MATERIALS_EXTRA_HOURS`` when the document demands
reports or materials back. Correcting a document later places only the units added; a unit
already asked cannot be removed (its ask is counted), and the asks already placed keep their
month and hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import Demand, DemandKind, Document, DocumentExplanation, DocumentKind
from qingzhuang.burden.models.documents import MAX_CHARS
from qingzhuang.burden.registry_import import RegistrySpec
from qingzhuang.burden.services import clean_targets, demand_place, weights
from qingzhuang.lib import docnumbers
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit

# A document that demands reports or materials back costs each asked unit this much more work.
MATERIALS_EXTRA_HOURS = Decimal(2)
MAX_DOCUMENT_CHARS = 1_000_000

M_PERMISSION = "没有登记发文的权限"
M_OWN_UNIT = "只能登记本单位的发文"
M_JUDGE = "只有减负监测员或督查室可以判定“可用通知代替”"
M_ISSUER_KIND = "发文单位应为县直部门或县委、县政府等县级单位"
M_NUMBER = "文号应形如 青农发〔2025〕12号（机关代字、年份、序号）"
M_TITLE = "请填写标题"
M_KIND = "文件类型应为 综合性 或 专项"
M_CHARS = f"正文字数应为 1 到 {MAX_DOCUMENT_CHARS} 之间的整数"
M_DATE = "请填写印发日期"
M_SYSTEM_TARGETS = "以系统身份登记时不能下发到基层单位，请以登记人的账号操作（命令行用 --as 指定）"
M_EXPLAIN_TEXT = "请填写书面说明（最多 2000 字）"


@dataclass
class DocumentData:
    """What a form, the API or an import row gives for one document."""

    issuer: Unit
    number: str
    title: str
    issued_on: dt.date | None
    kind: str
    chars: int | None
    demands_materials: bool = False
    target_units: list[Unit] = field(default_factory=list)
    # The monitor's judgement; None keeps what the document has (False for a new one).
    notice_would_do: bool | None = None


def rule_flags(document: Document, *, reaches_grassroots: bool) -> list[str]:
    """The rules one document breaks by itself (``DOCUMENT_RULES`` codes, in that order)."""
    found = []
    if document.kind == DocumentKind.SPECIAL and document.chars > MAX_CHARS[DocumentKind.SPECIAL]:
        found.append("document.special_too_long")
    if document.kind == DocumentKind.COMPREHENSIVE and document.chars > MAX_CHARS[DocumentKind.COMPREHENSIVE]:
        found.append("document.comprehensive_too_long")
    if document.demands_materials and reaches_grassroots:
        found.append("document.materials")
    if document.notice_would_do:
        found.append("document.notice")
    return found


def normalize_number(text: str) -> str | None:
    """The canonical 文号, or None when ``text`` holds none (the agency code is required)."""
    text = (text or "").strip()
    match = docnumbers.find_doc_number(text.translate(docnumbers._HALF_WIDTH), agency_required=True)
    return docnumbers.format_doc_number(match) if match else None


def _validate(data: DocumentData, *, instance: Document | None = None) -> dict:
    """The cleaned values of ``data``; ValidationError by field on anything wrong."""
    errors: dict[str, str] = {}
    if data.issuer is None or data.issuer.kind in GRASSROOTS_KINDS or not data.issuer.is_active:
        errors["issuer"] = M_ISSUER_KIND
    number = normalize_number(data.number)
    if number is None:
        errors["number"] = M_NUMBER
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = M_TITLE if not title else "标题最多 200 个字"
    if data.issued_on is None:
        errors["issued_on"] = M_DATE
    elif number is not None and int(number.split("〔")[1][:4]) != data.issued_on.year:
        errors["number"] = (f"文号中的年份（{number.split('〔')[1][:4]}）与印发日期的年份"
                            f"（{data.issued_on.year}）不一致")
    if data.kind not in DocumentKind.values:
        errors["kind"] = M_KIND
    if data.chars is None or not 1 <= data.chars <= MAX_DOCUMENT_CHARS:
        errors["chars"] = M_CHARS
    try:
        targets = clean_targets(data.target_units)
    except ValidationError as error:
        errors["target_units"] = error.message_dict["target_units"][0]
        targets = []
    if "issuer" not in errors and number is not None:
        taken = Document.objects.filter(issuer=data.issuer, number=number)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            errors["number"] = f"{data.issuer.name}的文号 {number} 已经登记过"
    if errors:
        raise ValidationError(errors)
    return {"issuer": data.issuer, "number": number, "title": title, "issued_on": data.issued_on,
            "kind": data.kind, "chars": data.chars, "demands_materials": bool(data.demands_materials),
            "targets": targets}


def _check_judgement(actor, value: bool | None, current: bool) -> bool:
    if value is None or value == current:
        return current
    if actor is not None and not access.manages_all_documents(actor):
        raise PermissionDenied(M_JUDGE)
    return bool(value)


def demand_hours(document: Document) -> Decimal | None:
    """Person-hours of one unit's ask: the kind's weight (None), or more when materials are demanded."""
    if document.demands_materials:
        return weights()[DemandKind.DOCUMENT] + MATERIALS_EXTRA_HOURS
    return None


def _place(actor, document: Document, units: list[Unit], request=None) -> list[Demand]:
    if not units:
        return []
    if actor is None:
        raise ValidationError({"target_units": M_SYSTEM_TARGETS})
    return demand_place(actor=actor, source=document, kind=DemandKind.DOCUMENT, units=units,
                        title=f"{document.number} {document.title}", placed_by=document.issuer,
                        month=document.issued_on.strftime("%Y-%m"), hours=demand_hours(document), request=request)


def _snapshot(document: Document) -> dict:
    return {"issuer": document.issuer.code, "number": document.number, "title": document.title,
            "issued_on": document.issued_on.isoformat(), "kind": document.kind, "chars": document.chars,
            "demands_materials": document.demands_materials, "notice_would_do": document.notice_would_do,
            "targets": sorted(document.target_units.values_list("code", flat=True)), "flags": document.flags}


def _require_register(actor, issuer: Unit) -> None:
    if actor is not None and not actor.has_perm(access.MANAGE_DOCUMENTS):
        raise PermissionDenied(M_PERMISSION)
    if not access.can_register_for(actor, issuer):
        raise PermissionDenied(M_OWN_UNIT)


def create(*, actor, data: DocumentData, check_permission: bool = True, request=None) -> Document:
    """Register one document inside the caller's transaction (the form's, an import's, a circulation's)."""
    if check_permission:
        if data.issuer is not None:
            _require_register(actor, data.issuer)
        elif actor is not None and not actor.has_perm(access.MANAGE_DOCUMENTS):
            raise PermissionDenied(M_PERMISSION)
    values = _validate(data)
    targets = values.pop("targets")
    notice = _check_judgement(actor, data.notice_would_do, False)
    document = Document(**values, notice_would_do=notice, created_by=actor)
    document.flags = rule_flags(document, reaches_grassroots=bool(targets))
    document.save()
    document.target_units.set(targets)
    _place(actor, document, targets, request)
    audit.record(actor=actor, action="document.create", obj=document, unit=document.issuer,
                 after=_snapshot(document), request=request)
    return document


@transaction.atomic
def document_create(*, actor, data: DocumentData, request=None) -> Document:
    """Register a document: a department's reporter for its own unit, the 督查室 or a monitor for any."""
    return create(actor=actor, data=data, request=request)


def _reload(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=document.pk)


def add_targets(*, actor, document: Document, units: list[Unit], request=None) -> list[Unit]:
    """Add grassroots units to a document's targets and ask only the new ones (inside a transaction)."""
    current = set(document.target_units.all())
    new = [u for u in clean_targets(units) if u not in current]
    if new:
        document.target_units.add(*new)
        _place(actor, document, new, request)
        flags = rule_flags(document, reaches_grassroots=True)
        if flags != document.flags:
            document.flags = flags
            document.save(update_fields=["flags", "updated_at"])
    return new


@transaction.atomic
def document_update(*, actor, document: Document, data: DocumentData, request=None) -> Document:
    """Correct a document. Units added are asked; units already asked stay (they are counted)."""
    if actor is not None:
        access.get_document_or_404(actor, document.pk)
    document = _reload(document)
    _require_register(actor, document.issuer)
    if data.issuer is not None and data.issuer != document.issuer:
        _require_register(actor, data.issuer)
    values = _validate(data, instance=document)
    targets = values.pop("targets")
    before = _snapshot(document)
    asked = set(Demand.objects.filter(source_type__model="document", source_type__app_label="burden",
                                      source_id=document.pk).values_list("unit_id", flat=True))
    if removed := [u for u in document.target_units.all() if u.pk in asked and u not in targets]:
        raise ValidationError({"target_units": "已经下发到这些单位，不能移除：" + "、".join(u.name for u in removed)})
    if asked and values["issuer"] != document.issuer:
        raise ValidationError({"issuer": "已经向基层下发，不能更改发文单位"})
    notice = _check_judgement(actor, data.notice_would_do, document.notice_would_do)
    for name, value in values.items():
        setattr(document, name, value)
    document.notice_would_do = notice
    document.flags = rule_flags(document, reaches_grassroots=bool(targets))
    document.save()
    current = set(document.target_units.all())
    if dropped := [u for u in current if u not in targets]:
        document.target_units.remove(*dropped)
    new = [u for u in targets if u not in current]
    if new:
        document.target_units.add(*new)
        _place(actor, document, new, request)
    audit.record(actor=actor, action="document.update", obj=document, unit=document.issuer, before=before,
                 after=_snapshot(document), request=request)
    return document


@transaction.atomic
def document_judge(*, actor, document: Document, notice_would_do: bool, request=None) -> Document:
    """The monitor's (or 督查室's) judgement: a notice would have done instead of this document."""
    if actor is not None:
        access.get_document_or_404(actor, document.pk)
        if not access.manages_all_documents(actor):
            raise PermissionDenied(M_JUDGE)
    document = _reload(document)
    before = document.notice_would_do
    document.notice_would_do = bool(notice_would_do)
    document.flags = rule_flags(document, reaches_grassroots=document.target_units.exists())
    document.save(update_fields=["notice_would_do", "flags", "updated_at"])
    audit.record(actor=actor, action="document.judge", obj=document, unit=document.issuer,
                 before={"notice_would_do": before}, after={"notice_would_do": document.notice_would_do},
                 request=request)
    return document


@transaction.atomic
def document_explain(*, actor, issuer: Unit, year: int, text: str, request=None) -> DocumentExplanation:
    """The issuer's written explanation of issuing more documents in ``year`` than the year before
    (one per issuer and year; writing again replaces the text)."""
    if actor is not None:
        if not actor.has_perm(access.MANAGE_DOCUMENTS):
            raise PermissionDenied(M_PERMISSION)
        if not access.can_register_for(actor, issuer):
            raise PermissionDenied("只能说明本单位的发文数量")
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise ValidationError({"text": M_EXPLAIN_TEXT})
    if issuer.kind in GRASSROOTS_KINDS:
        raise ValidationError({"issuer": M_ISSUER_KIND})
    existing = DocumentExplanation.objects.select_for_update().filter(issuer=issuer, year=year).first()
    before = {"text": existing.text} if existing else None
    explanation, _ = DocumentExplanation.objects.update_or_create(
        issuer=issuer, year=year, defaults={"text": text, "explained_by": actor, "explained_at": timezone.now()})
    audit.record(actor=actor, action="document.explain", obj=explanation, unit=issuer, before=before,
                 after={"year": year, "text": text}, request=request)
    return explanation


# ---------------------------------------------------------------------------------------------
# Import (all or nothing, through ``registry_import``)

COLUMNS = {
    "发文单位": ("单位", "发文机关"),
    "文号": ("发文字号",),
    "标题": ("文件标题", "文件名称"),
    "印发日期": ("发文日期", "日期"),
    "文件类型": ("类型",),
    "正文字数": ("字数",),
    "要求报送材料": ("要求基层报送材料",),
    "下发单位": ("下发基层单位", "主送单位"),
}
REQUIRED = ("发文单位", "文号", "标题", "印发日期", "文件类型", "正文字数")
NOTES = {
    "发文单位": "单位代码或全称，须为县直单位",
    "文号": "如 青农发〔2025〕12号",
    "印发日期": "如 2025-03-18",
    "文件类型": "综合性 或 专项",
    "正文字数": "整数",
    "要求报送材料": "是 或 否（空为否）",
    "下发单位": "文件下发到的乡镇（街道）、村（社区）或网格，代码或全称，用顿号分隔；不下发基层的留空",
}
# The field of a service error → the column it came from.
FIELD_COLUMNS = {"issuer": "发文单位", "number": "文号", "title": "标题", "issued_on": "印发日期",
                 "kind": "文件类型", "chars": "正文字数", "target_units": "下发单位"}


def _parse(row, ctx) -> dict:
    values = {
        "issuer": ctx.unit(row, "发文单位"),
        "number": ctx.text(row, "文号", required=True, max_length=60),
        "title": ctx.text(row, "标题", required=True, max_length=200),
        "issued_on": ctx.date(row, "印发日期"),
        "kind": ctx.choice(row, "文件类型", DocumentKind.choices),
        "chars": ctx.integer(row, "正文字数", minimum=1, maximum=MAX_DOCUMENT_CHARS),
        "demands_materials": ctx.boolean(row, "要求报送材料"),
        "target_units": ctx.units(row, "下发单位", kinds=GRASSROOTS_KINDS),
    }
    if values["number"] and normalize_number(values["number"]) is None:
        ctx.problem(row, "文号", "invalid_number", M_NUMBER)
    return values


def _write(*, actor, entries, request) -> int:
    seen: dict[tuple[int, str], int] = {}
    for number, values in entries:
        key = (values["issuer"].pk, normalize_number(values["number"]))
        if key in seen:
            raise ValidationError({f"row {number}:文号": f"与第 {seen[key]} 行的文号重复"})
        seen[key] = number
        data = DocumentData(**values)
        try:
            create(actor=actor, data=data, request=request)
        except PermissionDenied as error:
            raise ValidationError({f"row {number}:发文单位": str(error)}) from None
        except ValidationError as error:
            raise ValidationError({f"row {number}:{FIELD_COLUMNS.get(name, '')}".rstrip(":"): messages
                                   for name, messages in error.message_dict.items()}) from None
    return len(entries)


SPEC = RegistrySpec(kind="documents", label="发文登记", columns=COLUMNS, required=REQUIRED, parse=_parse,
                    write=_write, permission=access.MANAGE_DOCUMENTS, action="document.import", notes=NOTES)
