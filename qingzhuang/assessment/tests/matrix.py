"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module keeps its objects (of 甲镇, or of the county office) and URL targets in
its own ``matrix_<part>.py``; this merges them.
"""

from qingzhuang.assessment.tests import matrix_pages, matrix_runs, matrix_schemes, matrix_spot

PARTS = (matrix_schemes, matrix_spot, matrix_runs, matrix_pages)


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
