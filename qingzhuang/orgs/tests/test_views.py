import pytest
from django.urls import reverse

from qingzhuang.orgs.models import AuditLog


def test_unit_tree_lists_scope_only(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.get(reverse("orgs:unit_tree"))
    assert response.status_code == 200
    body = response.content.decode()
    # The scope's root, expanded one level; deeper levels load on demand.
    assert [u.code for u in response.context["rows"]] == ["429901001000"]
    assert [u.code for u in response.context["rows"][0].kids] == ["429901001201"]
    assert "甲村" in body and "甲村一网格" not in body
    assert "乙村" not in body


def test_unit_children_loads_next_level(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.get(reverse("orgs:unit_children", args=["429901001201"]), HTTP_HX_REQUEST="true")
    assert [(u.code, u.n_children, u.n_people) for u in response.context["rows"]] == [("429901001501", 0, 0)]
    assert "<html" not in response.content.decode()


def test_unit_children_of_sibling_is_404(verified_client, users, county):
    client = verified_client(users["outsider"])
    assert client.get(reverse("orgs:unit_children", args=["429901001201"])).status_code == 404


def test_county_tree_orders_offices_before_townships(verified_client, users, county):
    response = verified_client(users["leader"]).get(reverse("orgs:unit_tree"))
    assert [u.name for u in response.context["rows"][0].kids] == ["县委办公室", "县统计局", "甲镇", "乙镇"]


def test_unit_tree_search_htmx_partial(verified_client, users, county):
    client = verified_client(users["leader"])
    response = client.get(reverse("orgs:unit_tree"), {"q": "乙"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "乙镇" in body and "乙村" in body and "甲镇" not in body


def test_unit_tree_search_by_code_prefix(verified_client, users, county):
    client = verified_client(users["leader"])
    response = client.get(reverse("orgs:unit_tree"), {"q": "429901002"})
    assert [u.code for u in response.context["rows"]] == ["429901002000", "429901002201"]


def test_unit_detail_of_sibling_is_404(verified_client, users, county):
    client = verified_client(users["outsider"])
    assert client.get(reverse("orgs:unit_detail", args=["429901001000"])).status_code == 404
    assert client.get(reverse("orgs:unit_detail", args=["999999999999"])).status_code == 404


def test_unit_detail_works(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.get(reverse("orgs:unit_detail", args=["429901001201"]))
    assert response.status_code == 200
    assert [a.code for a in response.context["ancestors"]] == ["429901001000"]


def test_anonymous_redirected_to_login(client, county):
    response = client.get(reverse("orgs:unit_tree"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_person_list_masks_for_viewer_without_permission(verified_client, users, people):
    client = verified_client(users["leader"])
    body = client.get(reverse("orgs:person_list")).content.decode()
    assert "138****5678" in body
    assert "1101**********002X" in body
    assert "13812345678" not in body


def test_person_list_scoped(verified_client, users, people):
    client = verified_client(users["outsider"])
    body = client.get(reverse("orgs:person_list")).content.decode()
    assert "李四" in body and "张三" not in body


def test_person_detail_of_sibling_is_404(verified_client, users, people):
    client = verified_client(users["outsider"])
    assert client.get(reverse("orgs:person_detail", args=[people["a"].pk])).status_code == 404


def test_reveal_shows_full_numbers_and_audits(verified_client, users, people):
    client = verified_client(users["member"])
    response = client.post(reverse("orgs:person_reveal", args=[people["a"].pk]))
    body = response.content.decode()
    assert "13812345678" in body and "11010519491231002X" in body
    entry = AuditLog.objects.get(action="person.reveal")
    assert entry.actor == users["member"] and entry.object_id == str(people["a"].pk)


def test_reveal_needs_permission(verified_client, users, people):
    client = verified_client(users["leader"])
    assert client.post(reverse("orgs:person_reveal", args=[people["a"].pk])).status_code == 403
    assert not AuditLog.objects.filter(action="person.reveal").exists()


def test_reveal_of_other_units_person_is_404(verified_client, users, people):
    client = verified_client(users["outsider"])
    assert client.post(reverse("orgs:person_reveal", args=[people["a"].pk])).status_code == 404


def test_reveal_refuses_get(verified_client, users, people):
    client = verified_client(users["member"])
    assert client.get(reverse("orgs:person_reveal", args=[people["a"].pk])).status_code == 405


def test_audit_page_for_auditor(verified_client, users, county):
    client = verified_client(users["auditor"])
    response = client.get(reverse("orgs:audit_list"), {"action": "unit.create"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 8
    body = response.content.decode()
    assert "新增单位" in body
    assert "<dt>单位代码</dt><dd><span class=\"audit-after\">429901001501</span></dd>" in body


@pytest.mark.parametrize("role", ["sysadmin", "leader", "assessment", "member"])
def test_audit_page_refused_to_others(verified_client, users, county, role):
    client = verified_client(users[role])
    assert client.get(reverse("orgs:audit_list")).status_code == 403


def test_township_auditor_sees_only_own_units_entries(verified_client, users, county):
    from conftest import make_user

    auditor = make_user("town_auditor", county["town_b"], "审计员")
    response = verified_client(auditor).get(reverse("orgs:audit_list"), {"action": "unit.create"})
    assert sorted(e.object_repr for e in response.context["page"]) == ["乙村（429901002201）", "乙镇（429901002000）"]
