"""The org pages' targets of the permission matrix (tests/test_permission_matrix.py)."""


def targets(ctx) -> dict:
    village = ctx["county"]["village_a"].code
    person = ctx["people"]["a"].pk
    return {
        "orgs:unit_detail": {"code": village},
        "orgs:unit_children": {"code": village},
        "orgs:unit_edit": {"code": village},
        "orgs:person_detail": {"pk": person},
        "orgs:person_edit": {"pk": person},
        "orgs:person_reveal": {"pk": person},
        "orgs:import_template": {"kind": "people"},
        "api:get_unit": {"code": village},
        "api:get_person": {"pk": person},
    }
