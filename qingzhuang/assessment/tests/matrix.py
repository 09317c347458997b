"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module adds its objects (of 甲镇, or of the county office) and URL targets here.
"""

from qingzhuang.assessment.tests import matrix_pages


def objects(ctx) -> dict:
    result: dict = {}
    result.update(matrix_pages.objects(ctx))
    return result


def targets(ctx) -> dict:
    result: dict = {}
    result.update(matrix_pages.targets(ctx))
    return result
