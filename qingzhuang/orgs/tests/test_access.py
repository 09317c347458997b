import pytest
from django.http import Http404

from qingzhuang.orgs import access
from qingzhuang.orgs.services import grant_create


def test_member_sees_own_subtree_only(users, county):
    codes = set(access.visible_units(users["member"]).values_list("code", flat=True))
    assert codes == {"429901001000", "429901001201", "429901001501"}


def test_county_role_sees_everything(users, county):
    assert access.visible_units(users["assessment"]).count() == 8


def test_user_without_unit_sees_nothing(users, county):
    assert access.visible_units(users["nobody"]).count() == 0


def test_sibling_unit_is_404(users, county):
    with pytest.raises(Http404):
        access.get_unit_or_404(users["outsider"], code="429901001201")


def test_missing_unit_is_the_same_404(users, county):
    with pytest.raises(Http404) as missing:
        access.get_unit_or_404(users["outsider"], code="000000000000")
    with pytest.raises(Http404) as forbidden:
        access.get_unit_or_404(users["outsider"], code="429901001201")
    assert str(missing.value) == str(forbidden.value) == "未找到该单位"


def test_grant_extends_scope(users, county, django_db_blocker):
    from django.db import transaction

    with transaction.atomic():
        grant_create(actor=users["sysadmin"], user=users["outsider"], unit=county["village_a"], reason="联合检查")
    user = type(users["outsider"]).objects.get(pk=users["outsider"].pk)
    codes = set(access.visible_units(user).values_list("code", flat=True))
    assert codes == {"429901002000", "429901002201", "429901001201", "429901001501"}


def test_people_scoped(users, people):
    assert list(access.visible_people(users["member"]).values_list("name", flat=True)) == ["张三"]
    assert list(access.visible_people(users["outsider"]).values_list("name", flat=True)) == ["李四"]
