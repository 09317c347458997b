"""The supervision app's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the app keeps its objects (of 甲镇) and URL targets in its own ``matrix_<part>.py``
and is listed in ``PARTS``; this merges them. ``PUBLIC`` names the pages anyone may open.
"""

from __future__ import annotations

from qingzhuang.supervision.tests import matrix_plans, matrix_tasks, matrix_violations, matrix_visits

PARTS: tuple = (
    matrix_plans,  # the annual plan and merges
    matrix_tasks,  # 工作问效
    matrix_violations,
    matrix_visits,  # 一事一码: visits, codes, caps, results, evaluations
)

PUBLIC: set = {name for part in PARTS for name in getattr(part, "PUBLIC", ())}


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
