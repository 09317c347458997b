"""Writes of 一网协同: send a document or a notice once, mark it read, remind those who have not.

Sending places one ask (kind 文件) on each grassroots recipient in the same transaction, counted
in the month it was sent and asked by the sending unit, so it counts in the burden ledger:

- a 文件 is registered in the document registry when it is sent (or an existing registered
  document of the sender is linked): the document is the source of the asks and its targets are
  the grassroots recipients, so a document sent by circulation counts once per unit, in the
  registry's yearly counts too;
- a 通知 counts as a circulation only: the circulation is the source of the asks.

Each recipient unit gets a receipt; the first of its users who opens the circulation marks it
read. The sender may remind the units that have not read it, at most once a day.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import (
    Circulation,
    CirculationKind,
    CirculationReceipt,
    CirculationReminder,
    DemandKind,
    Document,
)
from qingzhuang.burden.services import demand_place
from qingzhuang.burden.services import documents as document_services
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # Word 97–2003, Excel 97–2003, PowerPoint 97–2003, WPS
_ZIP = (b"PK\x03\x04",)  # docx, xlsx, pptx, OFD
# Extension → the first bytes a real file of that type starts with.
ATTACHMENT_TYPES = {
    ".pdf": (b"%PDF-",), ".ofd": _ZIP,
    ".doc": _OLE, ".xls": _OLE, ".ppt": _OLE, ".wps": _OLE, ".et": _OLE,
    ".docx": _ZIP, ".xlsx": _ZIP, ".pptx": _ZIP,
}
M_ATTACHMENT_TYPE = "附件应为 PDF、OFD、Word、Excel、PowerPoint 或 WPS 文件"
M_ATTACHMENT_SIZE = "附件不能超过 20 MB"
M_ATTACHMENT_CONTENT = "附件的内容与扩展名不符"
M_PERMISSION = "没有在一网协同发送文件和通知的权限"
M_NO_UNIT = "账号未关联单位，不能发送"
M_NO_RECIPIENTS = "请选择收文单位"
M_OWN_UNIT = "不能发给本单位"
M_OUTSIDE = "这些单位不在本单位可以发送的范围内"
M_INACTIVE = "这些单位已停用"
M_GRASSROOTS_DOCUMENT = "乡镇（街道）、村（社区）只能发送通知；文件由县级单位发送并登记"
M_LINKED = "只能关联本单位登记的发文"
M_REMIND_SENDER = "只有发送单位可以催阅"
M_REMIND_TODAY = "今天已经催阅过，每天最多催阅一次"
M_ALL_READ = "所有收文单位都已阅读，无需催阅"
_SPACE_RE = re.compile(r"\s+")


@dataclass
class CirculationData:
    title: str
    body: str
    kind: str
    recipients: list[Unit] = field(default_factory=list)
    attachment: object = None  # an uploaded file
    # A 文件: an already registered document of the sender, or the 文号 and type to register it.
    document: Document | None = None
    number: str = ""
    document_kind: str = ""
    demands_materials: bool = False


def body_chars(body: str) -> int:
    """The 正文字数 of a body: its characters without white space."""
    return len(_SPACE_RE.sub("", body or ""))


def check_attachment(upload) -> str:
    """The attachment's extension when its name, size and first bytes agree; ValidationError else."""
    name = getattr(upload, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError({"attachment": M_ATTACHMENT_TYPE})
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": M_ATTACHMENT_SIZE})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ATTACHMENT_TYPES[extension]):
        raise ValidationError({"attachment": M_ATTACHMENT_CONTENT})
    return extension


def resolve_recipients(*, actor, codes=(), shortcut: str = "") -> list[Unit]:
    """Recipient units from codes and a shortcut: "townships" (every township and street of the
    county) or the code of the county or a township ("all villages and communities under it")."""
    units: list[Unit] = []
    shortcut = (shortcut or "").strip()
    if shortcut == "townships":
        units += list(Unit.objects.filter(kind__in=(UnitKind.TOWNSHIP, UnitKind.STREET), is_active=True)
                      .order_by("path"))
    elif shortcut:
        parent = Unit.objects.filter(code=shortcut, is_active=True).first()
        if parent is None or parent.kind not in (UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET):
            raise ValidationError({"recipients": f"没有这个收文单位范围：{shortcut}"})
        units += list(Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY), is_active=True,
                                          path__startswith=parent.path).order_by("path"))
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if missing := [c for c in codes if c not in found]:
        raise ValidationError({"recipients": f"没有这些单位代码：{'、'.join(missing[:10])}"})
    return list(dict.fromkeys(units + [found[c] for c in codes]))


def _check_recipients(actor, units: list[Unit]) -> None:
    if not units:
        raise ValidationError({"recipients": M_NO_RECIPIENTS})
    if actor.unit_id in {u.pk for u in units}:
        raise ValidationError({"recipients": M_OWN_UNIT})
    if inactive := [u.name for u in units if not u.is_active]:
        raise ValidationError({"recipients": f"{M_INACTIVE}：{'、'.join(inactive[:10])}"})
    reach = org_access.placing_paths(actor)
    if outside := [u.name for u in units if not any(u.path.startswith(p) for p in reach)]:
        raise ValidationError({"recipients": f"{M_OUTSIDE}：{'、'.join(outside[:10])}"})


@transaction.atomic
def circulation_send(*, actor, data: CirculationData, request=None) -> Circulation:
    """Send a document or a notice once to ``data.recipients``: receipts, asks on the grassroots
    recipients (and, for a 文件, its entry in the document registry) in one transaction."""
    if actor is None or not actor.has_perm(access.SEND_CIRCULATION):
        raise PermissionDenied(M_PERMISSION)
    if not actor.unit_id:
        raise PermissionDenied(M_NO_UNIT)
    sender = actor.unit
    errors: dict[str, str] = {}
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "请填写标题（最多 200 个字）"
    if not body:
        errors["body"] = "请填写正文"
    if data.kind not in CirculationKind.values:
        errors["kind"] = "类型应为 文件 或 通知"
    elif data.kind == CirculationKind.DOCUMENT and sender.kind in GRASSROOTS_KINDS:
        errors["kind"] = M_GRASSROOTS_DOCUMENT
    if errors:
        raise ValidationError(errors)
    recipients = list(dict.fromkeys(data.recipients))
    _check_recipients(actor, recipients)
    extension = check_attachment(data.attachment) if data.attachment is not None else ""
    now = timezone.now()
    grassroots = [u for u in recipients if u.kind in GRASSROOTS_KINDS]
    circulation = Circulation(title=title, body=body, kind=data.kind, sender=sender, sent_by=actor, sent_at=now)
    if data.attachment is not None:
        circulation.attachment_name = os.path.basename(data.attachment.name)[:255]
        circulation.attachment.save(f"{uuid.uuid4().hex}{extension}", data.attachment, save=False)
    if data.kind == CirculationKind.DOCUMENT:
        circulation.document = _document(actor, data, sender, title, body, grassroots, request)
    circulation.save()
    CirculationReceipt.objects.bulk_create(CirculationReceipt(circulation=circulation, unit=u) for u in recipients)
    if data.kind == CirculationKind.NOTICE and grassroots:
        demand_place(actor=actor, source=circulation, kind=DemandKind.DOCUMENT, units=grassroots, title=title,
                     placed_by=sender, month=timezone.localdate(now).strftime("%Y-%m"), request=request)
    audit.record(actor=actor, action="circulation.send", obj=circulation, unit=sender, after={
        "title": title, "kind": data.kind, "recipients": [u.code for u in recipients],
        "document": circulation.document.number if circulation.document else None,
        "attachment": circulation.attachment_name}, request=request)
    return circulation


def _document(actor, data: CirculationData, sender: Unit, title: str, body: str, grassroots: list[Unit],
              request) -> Document:
    """The registry entry of a 文件: the linked one (its targets grow by the grassroots recipients)
    or a new one registered now."""
    if data.document is not None:
        document = Document.objects.select_for_update(of=("self",)).get(pk=data.document.pk)
        if document.issuer_id != sender.pk:
            raise ValidationError({"document": M_LINKED})
        document_services.add_targets(actor=actor, document=document, units=grassroots, request=request)
        return document
    entry = document_services.DocumentData(
        issuer=sender, number=data.number, title=title, issued_on=timezone.localdate(), kind=data.document_kind,
        chars=body_chars(body), demands_materials=data.demands_materials, target_units=grassroots)
    try:
        return document_services.create(actor=actor, data=entry, check_permission=False, request=request)
    except ValidationError as error:
        names = {"kind": "document_kind", "chars": "body", "target_units": "recipients", "issuer": "kind",
                 "title": "title", "issued_on": "number"}
        raise ValidationError({names.get(k, k): v for k, v in error.message_dict.items()}) from None


@transaction.atomic
def circulation_open(*, actor, circulation: Circulation, request=None) -> bool:
    """Mark the circulation read for the actor's own unit when it is a recipient that had not read
    it yet (the first of its users to open it). Returns whether this opening marked it."""
    if actor is None or not getattr(actor, "unit_id", None):
        return False
    marked = (CirculationReceipt.objects
              .filter(circulation=circulation, unit_id=actor.unit_id, read_at__isnull=True)
              .update(read_at=timezone.now(), read_by=actor))
    if marked:
        audit.record(actor=actor, action="circulation.read", obj=circulation, unit=actor.unit,
                     after={"unit": actor.unit.code}, request=request)
    return bool(marked)


@transaction.atomic
def circulation_remind(*, actor, circulation: Circulation, request=None) -> CirculationReminder:
    """Remind the recipient units that have not read the circulation (催阅), once a day at most."""
    if actor is not None:
        access.get_circulation_or_404(actor, circulation.pk)
        if not access.is_circulation_sender(actor, circulation):
            raise PermissionDenied(M_REMIND_SENDER)
    circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
    unread = list(Unit.objects.filter(pk__in=circulation.receipts.filter(read_at__isnull=True).values("unit_id"))
                  .order_by("path"))
    if not unread:
        raise ValidationError(M_ALL_READ)
    now = timezone.now()
    today = timezone.localdate(now)
    if circulation.reminders.filter(on=today).exists():
        raise ValidationError(M_REMIND_TODAY)
    try:
        with transaction.atomic():
            reminder = CirculationReminder.objects.create(circulation=circulation, on=today, sent_at=now,
                                                          sent_by=actor)
    except IntegrityError:
        raise ValidationError(M_REMIND_TODAY) from None
    reminder.units.set(unread)
    audit.record(actor=actor, action="circulation.remind", obj=circulation, unit=circulation.sender,
                 after={"units": [u.code for u in unread], "on": today.isoformat()}, request=request)
    return reminder
