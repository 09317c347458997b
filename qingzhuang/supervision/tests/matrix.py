"""The supervision app's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the app keeps its objects (of 甲镇) and URL targets in its own ``matrix_<part>.py``
and is listed in ``PARTS``; this merges them. ``PUBLIC`` names the pages anyone may open.
"""

from __future__ import annotations

from qingzhuang.supervision.tests import matrix_plans

PUBLIC: set = set()

PARTS: tuple = (
    matrix_plans,
)


def objects(ctx) -> dict:
    found: dict = {}
    for part in PARTS:
        found.update(part.objects(ctx))
    return found


def targets(ctx) -> dict:
    found: dict = {}
    for part in PARTS:
        found.update(part.targets(ctx))
    return found
