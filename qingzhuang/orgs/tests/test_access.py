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


def test_ancestor_paths_from_the_root():
    assert access.ancestor_paths("/429901000000/429901001000/429901001201/") == [
        "/429901000000/", "/429901000000/429901001000/", "/429901000000/429901001000/429901001201/"]
    assert access.ancestor_paths("/429901000000/") == ["/429901000000/"]


def test_county_wide_is_a_root_in_scope(users, county):
    assert access.is_county_wide(users["leader"]) is True
    assert access.is_county_wide(users["member"]) is False
    assert access.is_county_wide(users["nobody"]) is False


def test_a_grant_of_the_root_is_county_wide(users, county):
    from qingzhuang.orgs.models import UnitGrant

    UnitGrant.objects.create(user=users["member"], unit=county["root"])
    member = type(users["member"]).objects.get(pk=users["member"].pk)
    assert access.is_county_wide(member) is True


def test_inactive_user_is_not_county_wide(users):
    users["leader"].is_active = False
    assert access.is_county_wide(users["leader"]) is False


def test_above_q_is_own_unit_and_ancestors(users, county):
    from qingzhuang.orgs.models import Unit

    village_user = type(users["member"]).objects.create_user(username="v", password="x", unit=county["village_a"])
    above = set(Unit.objects.filter(access.above_q(village_user)).values_list("name", flat=True))
    assert above == {"青山县", "甲镇", "甲村"}
    assert not Unit.objects.filter(access.above_q(users["nobody"])).exists()


def test_county_office_is_a_party_or_government_unit_under_the_root(users, county):
    office_user = type(users["member"]).objects.create_user(username="o", password="x", unit=county["office"])
    stats_user = type(users["member"]).objects.create_user(username="s", password="x", unit=county["stats"])
    assert access.is_county_office(office_user) is True
    assert access.is_county_office(stats_user) is False
    assert access.is_county_office(users["member"]) is False
