import pytest
from django.urls import reverse

from qingzhuang.orgs.models import AuditLog


def test_unit_tree_lists_scope_only(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.get(reverse("unit_tree"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲村一网格" in body
    assert "乙村" not in body


def test_unit_tree_search_htmx_partial(verified_client, users, county):
    client = verified_client(users["leader"])
    response = client.get(reverse("unit_tree"), {"q": "乙"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "乙镇" in body and "乙村" in body and "甲镇" not in body


def test_unit_tree_search_by_code_prefix(verified_client, users, county):
    client = verified_client(users["leader"])
    response = client.get(reverse("unit_tree"), {"q": "429901002"})
    assert [u.code for u in response.context["rows"]] == ["429901002000", "429901002201"]


def test_unit_detail_of_sibling_is_404(verified_client, users, county):
    client = verified_client(users["outsider"])
    assert client.get(reverse("unit_detail", args=["429901001000"])).status_code == 404
    assert client.get(reverse("unit_detail", args=["999999999999"])).status_code == 404


def test_unit_detail_works(verified_client, users, county):
    client = verified_client(users["member"])
    response = client.get(reverse("unit_detail", args=["429901001201"]))
    assert response.status_code == 200
    assert [a.code for a in response.context["ancestors"]] == ["429901001000"]


def test_anonymous_redirected_to_login(client, county):
    response = client.get(reverse("unit_tree"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_person_list_masks_for_viewer_without_permission(verified_client, users, people):
    client = verified_client(users["leader"])
    body = client.get(reverse("person_list")).content.decode()
    assert "138****5678" in body
    assert "1101**********002X" in body
    assert "13812345678" not in body


def test_person_list_scoped(verified_client, users, people):
    client = verified_client(users["outsider"])
    body = client.get(reverse("person_list")).content.decode()
    assert "李四" in body and "张三" not in body


def test_person_detail_of_sibling_is_404(verified_client, users, people):
    client = verified_client(users["outsider"])
    assert client.get(reverse("person_detail", args=[people["a"].pk])).status_code == 404


def test_reveal_shows_full_numbers_and_audits(verified_client, users, people):
    client = verified_client(users["member"])
    response = client.post(reverse("person_reveal", args=[people["a"].pk]))
    body = response.content.decode()
    assert "13812345678" in body and "11010519491231002X" in body
    entry = AuditLog.objects.get(action="person.reveal")
    assert entry.actor == users["member"] and entry.object_id == str(people["a"].pk)


def test_reveal_needs_permission(verified_client, users, people):
    client = verified_client(users["leader"])
    assert client.post(reverse("person_reveal", args=[people["a"].pk])).status_code == 403
    assert not AuditLog.objects.filter(action="person.reveal").exists()


def test_reveal_of_other_units_person_is_404(verified_client, users, people):
    client = verified_client(users["outsider"])
    assert client.post(reverse("person_reveal", args=[people["a"].pk])).status_code == 404


def test_reveal_refuses_get(verified_client, users, people):
    client = verified_client(users["member"])
    assert client.get(reverse("person_reveal", args=[people["a"].pk])).status_code == 405


def test_audit_page_for_auditor(verified_client, users, county):
    client = verified_client(users["auditor"])
    response = client.get(reverse("audit_list"), {"action": "unit.create"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 8


@pytest.mark.parametrize("role", ["sysadmin", "leader", "assessment", "member"])
def test_audit_page_refused_to_others(verified_client, users, county, role):
    client = verified_client(users[role])
    assert client.get(reverse("audit_list")).status_code == 403
