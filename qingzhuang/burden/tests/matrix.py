"""The burden app's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the app keeps its objects (of 甲镇) and URL targets in its own ``matrix_<part>.py``
and is listed in ``PARTS``; this merges them. ``PUBLIC`` names the pages anyone may open.
"""

from __future__ import annotations

from qingzhuang.burden.tests import matrix_documents, matrix_registries

# The old /ledger/burden/… paths only redirect to /burden/… (which then asks to sign in).
PUBLIC = {"burden_legacy:moved_root", "burden_legacy:moved"}

# 码上减负 clues.
from qingzhuang.burden.tests import matrix_clues  # noqa: E402

PUBLIC |= matrix_clues.PUBLIC

PARTS: tuple = (
    matrix_registries,  # meetings, work groups, apps
    matrix_clues,
    matrix_documents,
)


def objects(ctx) -> dict:
    found: dict = {}
    for part in PARTS:
        found.update(part.objects(ctx))
    return found


def targets(ctx) -> dict:
    found: dict = {"burden_legacy:moved": {"rest": "demands/"}}
    # -- The burden ledger (减负台账): 甲村's ledger over the API.
    found["api:unit_ledger"] = {"code": ctx["county"]["village_a"].code}
    for part in PARTS:
        found.update(part.targets(ctx))
    return found
