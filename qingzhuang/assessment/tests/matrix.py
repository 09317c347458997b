"""The assessment's targets of the permission matrix (tests/test_permission_matrix.py).

Each part of the module adds its objects (of 甲镇, or of the county office) and URL targets here.
"""


def objects(ctx) -> dict:
    return {}


def targets(ctx) -> dict:
    return {}
