"""Verifying a 检查码 (一事一码): the one answer the public page, the API and ``verify_code`` give.

``verify(code_text, channel=..., caller=...)`` normalises what was typed or scanned, finds the
issued visit with that code and says whether the visited unit should cooperate:

- valid — the visit was issued, today lies between the day of issue and ``valid_until`` (the end
  of the items' common window), every item is approved (in the plan, or an approved one-off), and
  the visit is within the unit's cap (counting the period's issued visits in order of issue);
- anything else — ``may_refuse`` is true and the reason ends "，可不予配合".

An unknown or malformed code answers one fixed document (status "unknown", unit null, items []),
whatever was typed: nothing about any unit, no id, no hint of a near match. Every call writes a
``Verification`` row: the visit when the code matched, the answer, the channel and a salted hash of
the caller (never the address). The public channels are rate-limited per caller with a cache
counter (``QZ_VERIFY_RATE``, "30/600" by default: 30 verifications per 10 minutes).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from qingzhuang.burden.admission import Admission
from qingzhuang.supervision import caps, codes, windows
from qingzhuang.supervision.models import Verification, VerifyResult, Visit, VisitStatus

REFUSE = "，可不予配合"
NO_MATERIALS = "不要求提供材料"
CHANNELS = ("page", "api", "cli")

REASONS = {
    VerifyResult.VALID: "检查码有效：已列入年度计划、经督查室签发，未超过本单位的检查频次上限，请配合检查",
    VerifyResult.UNKNOWN: "没有这个检查码：检查组未出示经督查室签发的检查码" + REFUSE,
    VerifyResult.NOT_ISSUED: "这次检查尚未签发检查码" + REFUSE,
    VerifyResult.EXPIRED: "检查码已过期（有效期至 {until}）" + REFUSE,
    VerifyResult.CANCELLED: "这次检查已取消" + REFUSE,
    VerifyResult.DONE: "这次检查已结束，结果已记录，不需要再次迎检" + REFUSE,
    VerifyResult.OVER_CAP: "本单位在{period}的检查已达到频次上限（{words}），这次检查超出上限" + REFUSE,
    VerifyResult.OUT_OF_PLAN: "检查事项未列入年度计划或未经批准（计划外检查）" + REFUSE,
}


def unknown_answer() -> dict:
    """The one answer for every code that matches no issued visit."""
    return {"valid": False, "status": VerifyResult.UNKNOWN.value, "reason": REASONS[VerifyResult.UNKNOWN],
            "may_refuse": True, "code": None, "unit": None, "items": [], "window": None, "date": None,
            "team": None, "lead": None, "cap": None}


def _item(item) -> dict:
    return {"title": item.title, "kind": item.get_kind_display(), "matter": item.matter, "basis": item.basis,
            "method": item.get_method_display(), "materials": item.materials.strip() or NO_MATERIALS}


def cap_rank(visit: Visit) -> tuple[str, int, int, caps.Cap]:
    """(period, the visit's place among the unit's issued visits of that period in order of issue,
    how many there are, the cap) under the cap that applies now."""
    cap = caps.cap_for(visit.date.year)
    period = windows.period_for(visit.date, cap.period)
    start, end = windows.bounds(period)
    ids = list(Visit.objects.filter(unit_id=visit.unit_id, status__in=(VisitStatus.ISSUED, VisitStatus.DONE),
                                    date__gte=start, date__lte=end).order_by("issued_at", "pk")
               .values_list("pk", flat=True))
    place = ids.index(visit.pk) + 1 if visit.pk in ids else len(ids) + 1
    return period, place, len(ids), cap


def status_of(visit: Visit, items: list, today: dt.date, rank=None) -> tuple[str, dict]:
    """The verification status of a found visit and the words for its reason (``rank``: its
    ``cap_rank``, when the caller has it already)."""
    if visit.status == VisitStatus.CANCELLED:
        return VerifyResult.CANCELLED, {}
    if visit.status == VisitStatus.DONE:
        return VerifyResult.DONE, {}
    if visit.status != VisitStatus.ISSUED:
        return VerifyResult.NOT_ISSUED, {}
    if today > visit.valid_until:
        return VerifyResult.EXPIRED, {"until": f"{visit.valid_until:%Y-%m-%d}"}
    if not items or any(i.admission != Admission.APPROVED for i in items):
        return VerifyResult.OUT_OF_PLAN, {}
    period, place, _, cap = rank or cap_rank(visit)
    if place > cap.limit:
        return VerifyResult.OVER_CAP, {"period": windows.words(period), "words": cap.words}
    return VerifyResult.VALID, {}


def answer(visit: Visit, today: dt.date | None = None) -> dict:
    """The answer for a found visit (no log, no rate limit)."""
    today = today or timezone.localdate()
    items = list(visit.items.order_by("window_start", "pk"))
    rank = cap_rank(visit)
    status, words = status_of(visit, items, today, rank)
    period, _, counted, cap = rank
    start = max((i.window_start for i in items), default=None)
    return {
        "valid": status == VerifyResult.VALID, "status": str(status), "reason": REASONS[status].format(**words),
        "may_refuse": status != VerifyResult.VALID, "code": codes.grouped(visit.code),
        "unit": visit.unit.name, "items": [_item(i) for i in items],
        "window": {"start": start.isoformat() if start else None, "end": visit.valid_until.isoformat()},
        "date": visit.date.isoformat(), "team": visit.team, "lead": visit.lead.name,
        "cap": {"period": period, "limit": cap.limit, "used": counted},
    }


def find(code_text) -> Visit | None:
    """The visit with this code (issued once: cancelled and done visits keep theirs), or None."""
    code = codes.normalise(code_text)
    if code is None:
        return None
    return Visit.objects.select_related("unit", "lead").filter(code=code).first()


def caller_hash(address: str) -> str:
    """A salted hash of the caller's address: the same caller gives the same value, the address
    cannot be read back."""
    if not address:
        return ""
    return salted_hmac("qingzhuang.supervision.verify", address, algorithm="sha256").hexdigest()[:32]


def verify(code_text, *, channel: str, caller: str = "") -> dict:
    """The answer for ``code_text`` (see the module's docstring), logged as one ``Verification``.
    ``caller`` is the caller's address (hashed before it is stored) or "" for the command line."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    visit = find(code_text)
    result = unknown_answer() if visit is None else answer(visit)
    Verification.objects.create(visit=visit, result=result["status"], channel=channel, caller=caller_hash(caller))
    return result


# --- the rate limit of the public channels ---------------------------------------------------

def rate() -> tuple[int, int]:
    """(how many, per how many seconds) from ``QZ_VERIFY_RATE`` ("30/600")."""
    text = str(getattr(settings, "QZ_VERIFY_RATE", "30/600"))
    count, _, seconds = text.partition("/")
    return int(count), int(seconds)


def rate_message() -> str:
    _, seconds = rate()
    wait = f"{max(1, seconds // 60)}分钟" if seconds >= 60 else f"{seconds}秒"
    return f"核验过于频繁，请{wait}后再试"


def _key(kind: str, address: str) -> str:
    return f"qz:verify-rate:{kind}:{caller_hash(address or '-')}"


def allow(address: str, kind: str = "verify") -> bool:
    """Count one use by ``address`` and say whether it is within the rate (the counter expires with
    its window, started by the first use)."""
    limit, seconds = rate()
    key = _key(kind, address)
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        count = 1
    return count <= limit
