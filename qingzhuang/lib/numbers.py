"""Rounding as people and statistics offices do it: half away from zero (pure)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal | int | str | float, places: int = 0) -> Decimal:
    """``value`` rounded to ``places`` decimal places, halves away from zero.

    2.5 → 3, 2.345 → 2.35 (two places), -2.5 → -3. Python's ``round`` and Decimal's default
    round halves to even (2.5 → 2), which is not what a report reader expects. A float is taken
    by its shortest text (2.675 → 2.68, not the binary 2.67499…).
    """
    if not isinstance(value, Decimal):
        value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
