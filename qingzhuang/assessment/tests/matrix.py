"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module adds its objects (of 甲镇, or of the county office) and URL targets here.
"""

from qingzhuang.assessment.tests import matrix_spot


def objects(ctx) -> dict:
    found: dict = {}
    found.update(matrix_spot.objects(ctx))
    return found


def targets(ctx) -> dict:
    found: dict = {}
    found.update(matrix_spot.targets(ctx))
    return found
