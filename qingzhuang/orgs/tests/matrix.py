"""The org pages' targets of the permission matrix (tests/test_permission_matrix.py)."""


def targets(ctx) -> dict:
    village = ctx["county"]["village_a"].code
    person = ctx["people"]["a"].pk
    return {
        "unit_detail": {"code": village},
        "unit_children": {"code": village},
        "unit_edit": {"code": village},
        "person_detail": {"pk": person},
        "person_edit": {"pk": person},
        "person_reveal": {"pk": person},
        "api:get_unit": {"code": village},
        "api:get_person": {"pk": person},
    }
