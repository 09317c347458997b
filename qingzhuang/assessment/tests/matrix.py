"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module adds its objects (of 甲镇, or of the county office) and URL targets here.
"""


from qingzhuang.assessment.tests import matrix_runs


def objects(ctx) -> dict:
    return {
        **matrix_runs.objects(ctx),
    }


def targets(ctx) -> dict:
    return {
        **matrix_runs.targets(ctx),
    }
