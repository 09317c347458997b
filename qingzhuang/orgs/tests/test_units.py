import pytest
from django.core.exceptions import ValidationError

from qingzhuang.orgs.models import AuditLog, Unit
from qingzhuang.orgs.services import unit_create, unit_update


@pytest.mark.django_db(transaction=False)
def test_create_sets_path_and_audits(county, users):
    assert county["grid_a"].path == "/429901000000/429901001000/429901001201/429901001501/"
    assert county["grid_a"].depth == 3
    entry = AuditLog.objects.filter(action="unit.create", object_id=str(county["grid_a"].pk)).get()
    assert entry.after == {"code": "429901001501", "name": "甲村一网格", "kind": "grid",
                           "parent": "429901001201", "is_active": True}


def test_move_rewrites_subtree(county, users):
    unit_update(actor=users["sysadmin"], unit=county["village_a"], name="甲村", kind="village",
                parent=county["town_b"])
    grid = Unit.objects.get(code="429901001501")
    assert grid.path == "/429901000000/429901002000/429901001201/429901001501/"
    assert grid.depth == 3
    entry = AuditLog.objects.filter(action="unit.update").get()
    assert entry.before["parent"] == "429901001000"
    assert entry.after["parent"] == "429901002000"
    assert entry.actor == users["sysadmin"]


def test_move_under_own_descendant_is_refused(county, users):
    with pytest.raises(ValidationError) as exc:
        unit_update(actor=users["sysadmin"], unit=county["town_a"], name="甲镇", kind="township",
                    parent=county["grid_a"])
    assert exc.value.message_dict == {"parent": ["上级单位不能是本单位或其下级单位"]}
    assert Unit.objects.get(code="429901001000").parent == county["root"]


def test_duplicate_code_refused(county):
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=None, code="429901001000", name="重复", kind="township", parent=county["root"])
    assert "code" in exc.value.message_dict
    assert Unit.objects.filter(name="重复").count() == 0


def test_bad_code_refused(county):
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=None, code="42 99/01", name="坏代码", kind="township", parent=county["root"])
    assert exc.value.message_dict == {"code": ["单位代码只能由字母、数字和连字符组成，最长32位"]}


@pytest.mark.parametrize(("code", "message"), [
    # /units/export and /units/import are the API's fixed paths: a unit of that code could not be reached.
    ("export", "单位代码不能是 export 或 import（接口地址保留）"),
    ("import", "单位代码不能是 export 或 import（接口地址保留）"),
])
def test_reserved_codes_refused(county, code, message):
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=None, code=code, name="丙镇", kind="township", parent=county["root"])
    assert exc.value.message_dict == {"code": [message]}


def test_a_code_like_the_reserved_ones_is_fine(county):
    assert unit_create(actor=None, code="Export-1", name="丙镇", kind="township", parent=county["root"]).code == "Export-1"


def test_a_code_check_does_not_let_a_line_break_through():
    # unit_create strips the code first; the check itself matches the whole string ("$" alone would not).
    from qingzhuang.orgs.services import validate_unit_code

    with pytest.raises(ValidationError) as exc:
        validate_unit_code("429901003000\n")
    assert exc.value.message_dict == {"code": ["单位代码只能由字母、数字和连字符组成，最长32位"]}
