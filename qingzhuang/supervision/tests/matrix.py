"""The supervision app's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the app keeps its objects (of 甲镇) and URL targets in its own ``matrix_<part>.py``
and is listed in ``PARTS``; this merges them. ``PUBLIC`` names the pages anyone may open.
"""

from __future__ import annotations

from qingzhuang.supervision.tests import matrix_tasks

PUBLIC: set = set()

PARTS: tuple = (
    matrix_tasks,  # 工作问效
)


def objects(ctx) -> dict:
    found: dict = {}
    for part in PARTS:
        found.update(part.objects(ctx))
    for part in PARTS:
        PUBLIC.update(getattr(part, "PUBLIC", ()))
    return found


def targets(ctx) -> dict:
    found: dict = {}
    for part in PARTS:
        found.update(part.targets(ctx))
    return found
