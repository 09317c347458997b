"""The rate limits of the public 码上减负 pages: a short-lived counter in Django's cache per
caller, keyed by a salted hash of the caller's address (never the address itself), expiring with
its window. Nothing else about the caller is kept anywhere.

``QZ_CLUE_RATE`` (submissions) and ``QZ_CLUE_LOOKUP_RATE`` (receipt look-ups) are "N/seconds".
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

SUBMIT, LOOKUP = "submit", "lookup"
DEFAULTS = {SUBMIT: "5/600", LOOKUP: "20/600"}
SETTINGS = {SUBMIT: "QZ_CLUE_RATE", LOOKUP: "QZ_CLUE_LOOKUP_RATE"}


def rate(kind: str) -> tuple[int, int]:
    """(how many, per how many seconds) for ``kind``."""
    text = str(getattr(settings, SETTINGS[kind], DEFAULTS[kind]))
    count, _, seconds = text.partition("/")
    return int(count), int(seconds)


def message(kind: str) -> str:
    _, seconds = rate(kind)
    wait = f"{max(1, seconds // 60)}分钟" if seconds >= 60 else f"{seconds}秒"
    doing = "提交" if kind == SUBMIT else "查询"
    return f"{doing}过于频繁，请{wait}后再试"


def _key(kind: str, address: str) -> str:
    digest = salted_hmac("qingzhuang.burden.clue_rate", address or "-", algorithm="sha256").hexdigest()
    return f"qz:clue-rate:{kind}:{digest[:32]}"


def caller(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def exhausted(kind: str, address: str) -> bool:
    """Whether the caller has used up ``kind`` in the current window."""
    limit, _ = rate(kind)
    return (cache.get(_key(kind, address)) or 0) >= limit


def hit(kind: str, address: str) -> None:
    """Count one use; the counter expires with its window (started by the first use)."""
    _, seconds = rate(kind)
    key = _key(kind, address)
    if not cache.add(key, 1, timeout=seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=seconds)
