from django.urls import reverse

from qingzhuang.orgs.models import AuditLog, Person, Unit


def person_data(**overrides):
    data = {"name": "王五", "unit": "429901001201", "title": "网格员", "phone": "13700001111",
            "id_number": "", "is_active": "on"}
    data.update(overrides)
    return data


def test_member_adds_person_in_scope(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.post(reverse("orgs:person_create"), person_data())
    person = Person.objects.get(name="王五")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:person_detail", args=[person.pk])
    assert person.unit == county["village_a"] and person.phone == "13700001111"
    entry = AuditLog.objects.get(action="person.create")
    assert entry.actor == users["member"] and entry.after["phone"] == "137****1111"


def test_person_unit_outside_scope_is_refused(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.post(reverse("orgs:person_create"), person_data(unit="429901002201"))
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == ["单位代码不存在或不在您的管理范围内"]
    assert not Person.objects.filter(name="王五").exists()


def test_person_bad_id_number_is_refused(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.post(reverse("orgs:person_create"), person_data(id_number="110105194912310021"))
    assert response.context["form"].errors["id_number"] == ["公民身份号码校验位错误"]
    assert not Person.objects.filter(name="王五").exists()


def test_person_create_needs_permission(verified_client, users, county):
    client = verified_client(users["leader"])
    assert client.post(reverse("orgs:person_create"), person_data()).status_code == 403
    assert not Person.objects.filter(name="王五").exists()


def test_edit_person_audits_before_and_after(verified_client, users, people):
    client = verified_client(users["member"])
    url = reverse("orgs:person_edit", args=[people["a"].pk])
    response = client.post(url, person_data(name="张三", title="村委会主任", id_number="11010519491231002X"))
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="person.update")
    assert entry.before["title"] == "村党支部书记" and entry.after["title"] == "村委会主任"


def test_edit_person_of_other_unit_is_404(verified_client, users, people):
    client = verified_client(users["outsider"])
    url = reverse("orgs:person_edit", args=[people["a"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, person_data()).status_code == 404


def test_sysadmin_adds_unit(verified_client, users, county):
    client = verified_client(users["sysadmin"])
    response = client.post(reverse("orgs:unit_create"), {"code": "429901001202", "name": "丙村", "kind": "village",
                                                    "parent": "429901001000", "is_active": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="429901001202")
    assert unit.path == "/429901000000/429901001000/429901001202/"


def test_unit_create_needs_permission(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.post(reverse("orgs:unit_create"), {"code": "429901001202", "name": "丙村", "kind": "village",
                                                    "parent": "429901001000"})
    assert response.status_code == 403
    assert not Unit.objects.filter(code="429901001202").exists()


def test_unit_move_into_own_subtree_shows_error(verified_client, users, county):
    client = verified_client(users["sysadmin"])
    response = client.post(reverse("orgs:unit_edit", args=["429901001000"]),
                           {"name": "甲镇", "kind": "township", "parent": "429901001501", "is_active": "on"})
    assert response.context["form"].errors["parent"] == ["上级单位不能是本单位或其下级单位"]


def test_unit_duplicate_code_shows_error(verified_client, users, county):
    client = verified_client(users["sysadmin"])
    response = client.post(reverse("orgs:unit_create"), {"code": "429901001000", "name": "重复", "kind": "township",
                                                    "parent": "429901000000"})
    assert response.context["form"].errors["code"] == ["具有 单位代码 的 单位 已存在。"]
