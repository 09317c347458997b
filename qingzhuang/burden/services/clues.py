"""码上减负: every write of a clue — submission, triage (accept and assign, or dismiss),
rectification, return and close. A clue is a complaint about demands: nothing here places one.

Anonymity: an anonymous submission (no actor, or a signed-in cadre who chose it) stores no
account, address, browser or session: the clue has no reporter, its submission event no actor, and
its audit row is written with ``actor=None`` and ``request=None`` (so no IP either). Evidence is
kept under a random name, photos without their metadata (``lib.uploads``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from qingzhuang.burden import access
from qingzhuang.burden.models import (
    Clue,
    ClueAction,
    ClueCategory,
    ClueEvent,
    ClueFile,
    ClueResult,
    ClueStatus,
)
from qingzhuang.lib import uploads
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
DESCRIPTION_MAX = 2000
TEXT_MAX = 2000
REPLY_MAX = 1000

# The receipt code: 20 characters of an alphabet without 0/O and 1/I/L (about 99 random bits), shown in
# groups of four. Only its sha256 is stored.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 20

TRIAGE_DENIED = "只有减负监测员或督查室可以受理、交办和办结线索"
RECTIFY_DENIED = "只有责任单位可以报送整改情况"


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    """What the reporter typed, as the code is hashed: letters and digits, upper case."""
    return "".join(c for c in (text or "").upper() if c.isascii() and c.isalnum())[:64]


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def find_by_receipt(code: str) -> Clue | None:
    """The clue of a receipt code, or None: a wrong code and an unknown one are the same."""
    if len(normalize_code(code)) != CODE_LENGTH:
        return None
    return Clue.objects.filter(receipt_hash=receipt_hash(code)).first()


def _unit_by(value, *, field: str, by: str) -> Unit | None:
    value = str(value or "").strip()
    if not value:
        return None
    if by == "pk" and not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise ValidationError({field: f"未找到该单位：{value[:50]}"})
    try:
        return Unit.objects.get(**{by: value})
    except (Unit.DoesNotExist, ValueError, OverflowError):
        raise ValidationError({field: f"未找到该单位：{value[:50]}"}) from None


def unit_by_id(value, *, field: str) -> Unit | None:
    """A unit chosen on the public page (its list carries ids, never anything else)."""
    return _unit_by(value, field=field, by="pk")


def unit_by_code(value, *, field: str) -> Unit | None:
    return _unit_by(value, field=field, by="code")


def _save_files(clue: Clue, event: ClueEvent, read: list[tuple[str, bytes]]) -> None:
    for kind, content in read:
        stored = ClueFile(clue=clue, event=event, kind=kind, size=len(content))
        stored.file.save(f"{uuid.uuid4().hex}.{uploads.EXTENSIONS[kind]}", ContentFile(content), save=False)
        stored.save()


def _read_files(files, errors: dict) -> list[tuple[str, bytes]]:
    read, problems = uploads.read_files(files, max_files=MAX_FILES, max_bytes=MAX_FILE_BYTES)
    if problems:
        errors["files"] = problems
    return read


def _text(value: str, *, field: str, required: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [required]
    elif len(value) > limit:
        errors[field] = [f"不能超过{limit}个字（现有{len(value)}个字）"]
    return value


@transaction.atomic
def clue_submit(*, actor, category: str, description: str, placed_by: Unit | None = None,
                suffered_by: Unit | None = None, files=(), anonymous: bool = True,
                request=None) -> tuple[Clue, str]:
    """Report a clue; returns it and its receipt code (shown once, never stored). Anyone may: with
    no ``actor`` or ``anonymous`` it is anonymous and nothing links it to anyone; else it is in the
    actor's name (their 我的线索). At least one unit: the one that placed the burden and/or the
    grassroots unit that suffers it, each active."""
    named = not anonymous and getattr(actor, "is_authenticated", False)
    errors: dict[str, list[str]] = {}
    if not category:
        errors["category"] = ["请选择问题类型"]
    elif category not in ClueCategory.values:
        errors["category"] = [f"问题类型应为：{'、'.join(ClueCategory.labels)}"]
    description = _text(description, field="description", required="请描述遇到的问题",
                        limit=DESCRIPTION_MAX, errors=errors)
    if placed_by is None and suffered_by is None:
        errors["placed_by"] = ["请至少选择一个单位：施加负担的单位或承受负担的基层单位"]
    for field, unit in (("placed_by", placed_by), ("suffered_by", suffered_by)):
        if unit is not None and not unit.is_active:
            errors[field] = [f"该单位已停用：{unit.name}"]
    if suffered_by is not None and suffered_by.kind not in GRASSROOTS_KINDS and "suffered_by" not in errors:
        errors["suffered_by"] = [f"承受负担的单位应为乡镇（街道）、村（社区）或网格：{suffered_by.name}"]
    read = _read_files(files, errors)
    if errors:
        raise ValidationError(errors)
    code = new_receipt_code()
    clue = Clue.objects.create(receipt_hash=receipt_hash(code), category=category, description=description,
                               placed_by=placed_by, suffered_by=suffered_by,
                               reporter=actor if named else None, submitted_at=timezone.now())
    event = ClueEvent.objects.create(clue=clue, action=ClueAction.SUBMIT, at=clue.submitted_at,
                                     actor=actor if named else None, status=ClueStatus.PENDING)
    _save_files(clue, event, read)
    audit.record(actor=actor if named else None, action="clue.submit", obj=clue, unit=None,
                 after={"category": category, "placed_by": placed_by.code if placed_by else None,
                        "suffered_by": suffered_by.code if suffered_by else None, "files": len(read),
                        "anonymous": not named},
                 request=request if named else None)
    return clue, code


def _lock(actor, clue: Clue) -> Clue:
    """The clue, locked for the write, when ``actor`` may see it (else the 404 of a missing one)."""
    if actor is not None and not access.visible_clues(actor).filter(pk=clue.pk).exists():
        raise Http404(access.CLUE_NOT_FOUND)
    return Clue.objects.select_for_update(of=("self",)).select_related("responsible").get(pk=clue.pk)


def _require_triage(actor) -> None:
    if actor is not None and not access.can_triage_clue(actor):
        raise PermissionDenied(TRIAGE_DENIED)


def _require_status(clue: Clue, status: str, message: str) -> None:
    if clue.status != status:
        raise ValidationError(f"{message}（当前状态：{clue.get_status_display()}）")


def _event(clue: Clue, action: str, actor, *, note: str = "", public: str = "", late: bool = False,
           request=None) -> ClueEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return ClueEvent.objects.create(clue=clue, action=action, at=timezone.now(), actor=user,
                                    unit=user.unit if user else None, note=note, public=public,
                                    status=clue.status, deadline=clue.deadline, late=late)


def _check_deadline(deadline: dt.date | None, errors: dict, *, required: bool) -> None:
    if deadline is None:
        if required:
            errors["deadline"] = ["请填写整改期限"]
    elif deadline < timezone.localdate():
        errors["deadline"] = [f"整改期限不能早于今天：{deadline.isoformat()}"]


@transaction.atomic
def clue_accept(*, actor, clue: Clue, responsible: Unit | None, deadline: dt.date | None, note: str = "",
                request=None) -> Clue:
    """受理: assign a responsible unit (active) and a rectification deadline (today or later)."""
    _require_triage(actor)
    clue = _lock(actor, clue)
    _require_status(clue, ClueStatus.PENDING, "只有待受理的线索可以受理")
    errors: dict[str, list[str]] = {}
    if responsible is None:
        errors["responsible"] = ["请选择责任单位"]
    elif not responsible.is_active:
        errors["responsible"] = [f"该单位已停用：{responsible.name}"]
    _check_deadline(deadline, errors, required=True)
    note = (note or "").strip()
    if len(note) > TEXT_MAX:
        errors["note"] = [f"不能超过{TEXT_MAX}个字（现有{len(note)}个字）"]
    if errors:
        raise ValidationError(errors)
    clue.status, clue.responsible, clue.deadline = ClueStatus.ACCEPTED, responsible, deadline
    clue.accepted_at = timezone.now()
    clue.save(update_fields=["status", "responsible", "deadline", "accepted_at"])
    _event(clue, ClueAction.ACCEPT, actor, note=note)
    audit.record(actor=actor, action="clue.accept", obj=clue, unit=responsible, before={"status": "pending"},
                 after={"status": clue.status, "responsible": responsible.code, "deadline": deadline.isoformat()},
                 request=request)
    return clue


@transaction.atomic
def clue_dismiss(*, actor, clue: Clue, reason: str, request=None) -> Clue:
    """不予受理, with the reason the reporter reads."""
    _require_triage(actor)
    clue = _lock(actor, clue)
    _require_status(clue, ClueStatus.PENDING, "只有待受理的线索可以不予受理")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, field="reason", required="请填写不予受理的理由（将告知反映人）", limit=REPLY_MAX,
                   errors=errors)
    if errors:
        raise ValidationError(errors)
    clue.status, clue.public_reply, clue.closed_at = ClueStatus.DISMISSED, reason, timezone.now()
    clue.save(update_fields=["status", "public_reply", "closed_at"])
    _event(clue, ClueAction.DISMISS, actor, public=reason)
    audit.record(actor=actor, action="clue.dismiss", obj=clue, unit=None, before={"status": "pending"},
                 after={"status": clue.status, "reason": reason}, request=request)
    return clue


@transaction.atomic
def clue_rectify(*, actor, clue: Clue, text: str, files=(), request=None) -> Clue:
    """The responsible unit reports its rectification (with evidence); after the deadline day it is
    flagged 逾期."""
    clue = _lock(actor, clue)
    if actor is not None and not access.can_rectify_clue(actor, clue):
        raise PermissionDenied(RECTIFY_DENIED)
    _require_status(clue, ClueStatus.ACCEPTED, "只有整改中的线索可以报送整改情况")
    errors: dict[str, list[str]] = {}
    text = _text(text, field="text", required="请填写整改情况", limit=TEXT_MAX, errors=errors)
    read = _read_files(files, errors)
    if errors:
        raise ValidationError(errors)
    late = clue.deadline is not None and timezone.localdate() > clue.deadline
    clue.status, clue.rectified_at, clue.rectified_late = ClueStatus.RECTIFIED, timezone.now(), late
    clue.save(update_fields=["status", "rectified_at", "rectified_late"])
    event = _event(clue, ClueAction.RECTIFY, actor, note=text, late=late)
    _save_files(clue, event, read)
    audit.record(actor=actor, action="clue.rectify", obj=clue, unit=clue.responsible,
                 before={"status": "accepted"},
                 after={"status": clue.status, "late": late, "files": len(read)}, request=request)
    return clue


@transaction.atomic
def clue_return(*, actor, clue: Clue, note: str, deadline: dt.date | None = None, request=None) -> Clue:
    """Back to the responsible unit for more rectification, optionally with a new deadline."""
    _require_triage(actor)
    clue = _lock(actor, clue)
    _require_status(clue, ClueStatus.RECTIFIED, "只有已整改待核实的线索可以退回")
    errors: dict[str, list[str]] = {}
    note = _text(note, field="note", required="请填写退回理由", limit=TEXT_MAX, errors=errors)
    _check_deadline(deadline, errors, required=False)
    if errors:
        raise ValidationError(errors)
    before = {"status": clue.status, "deadline": clue.deadline.isoformat() if clue.deadline else None}
    clue.status, clue.rectified_late = ClueStatus.ACCEPTED, False
    if deadline is not None:
        clue.deadline = deadline
    clue.save(update_fields=["status", "rectified_late", "deadline"])
    _event(clue, ClueAction.RETURN, actor, note=note)
    audit.record(actor=actor, action="clue.return", obj=clue, unit=clue.responsible, before=before,
                 after={"status": clue.status, "deadline": clue.deadline.isoformat() if clue.deadline else None},
                 request=request)
    return clue


@transaction.atomic
def clue_close(*, actor, clue: Clue, result: str, reply: str, request=None) -> Clue:
    """办结: the verified result and the reply the reporter reads."""
    _require_triage(actor)
    clue = _lock(actor, clue)
    _require_status(clue, ClueStatus.RECTIFIED, "只有已整改待核实的线索可以办结")
    errors: dict[str, list[str]] = {}
    if not result:
        errors["result"] = ["请选择核实结果"]
    elif result not in ClueResult.values:
        errors["result"] = [f"核实结果应为：{'、'.join(ClueResult.labels)}"]
    reply = _text(reply, field="reply", required="请填写办结意见（将告知反映人）", limit=REPLY_MAX, errors=errors)
    if errors:
        raise ValidationError(errors)
    clue.status, clue.result, clue.public_reply, clue.closed_at = ClueStatus.CLOSED, result, reply, timezone.now()
    clue.save(update_fields=["status", "result", "public_reply", "closed_at"])
    _event(clue, ClueAction.CLOSE, actor, public=reply)
    audit.record(actor=actor, action="clue.close", obj=clue, unit=clue.responsible, before={"status": "rectified"},
                 after={"status": clue.status, "result": result}, request=request)
    return clue
