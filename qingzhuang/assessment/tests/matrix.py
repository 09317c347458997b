"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module adds its objects (of 甲镇, or of the county office) and URL targets here.
"""


from qingzhuang.assessment.tests import matrix_schemes


def objects(ctx) -> dict:
    return {
        **matrix_schemes.objects(ctx),
    }


def targets(ctx) -> dict:
    return {
        **matrix_schemes.targets(ctx),
    }
