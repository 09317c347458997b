"""检查码 (一事一码): 130 random bits from ``secrets``, written as 26 characters of Crockford's
base 32 (digits and capitals without I, L, O, U), shown in groups of four for typing on a phone.

Typed codes are normalised the Crockford way: case and separators (spaces, hyphens) are ignored and
the look-alikes O→0, I/L→1 are read as digits, so a code read aloud or retyped still matches.
Anything else is not a code. The code is random, not derived from the visit, so knowing one code
says nothing about any other (there is nothing to enumerate: 2^130 possibilities).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS = 130
LENGTH = 26  # 130 bits / 5 bits per character
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_]+")
_VALID = re.compile(rf"\A[{ALPHABET}]{{{LENGTH}}}\Z")


def new_code() -> str:
    """A fresh random code of 26 characters."""
    number = secrets.randbits(BITS)
    chars = []
    for _ in range(LENGTH):
        number, rest = divmod(number, 32)
        chars.append(ALPHABET[rest])
    return "".join(chars)


def normalise(text: str) -> str | None:
    """The canonical code of what someone typed or scanned, or None when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    cleaned = _SEPARATORS.sub("", text.strip().upper()).translate(_LOOKALIKES)
    return cleaned if _VALID.match(cleaned) else None


def grouped(code: str) -> str:
    """The code in groups of four for reading and typing: "7K3M-Q9XD-…"."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
