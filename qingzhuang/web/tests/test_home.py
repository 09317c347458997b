from django.urls import reverse


def test_home_for_member(verified_client, users, people):
    response = verified_client(users["member"]).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["unit_count"] == 3
    assert response.context["people_count"] == 1
    labels = [item["label"] for item in response.context["nav_items"]]
    assert "审计日志" not in labels
    assert [u.name for u in response.context["child_units"]] == ["甲村"]


def test_home_for_auditor_shows_security_panel_and_audit_nav(verified_client, users, county):
    response = verified_client(users["auditor"]).get(reverse("home"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert "审计日志" in labels
    assert "security_events" in response.context


def test_home_without_role_warns(verified_client, users, county):
    body = verified_client(users["nobody"]).get(reverse("home")).content.decode()
    assert "您的账号尚未分配角色，请联系系统管理员。" in body


def test_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_unknown_page_is_chinese_404(verified_client, users, county):
    response = verified_client(users["member"]).get("/no-such-page/")
    assert response.status_code == 404


def test_nav_marks_longest_matching_item_active(verified_client, users, county):
    response = verified_client(users["sysadmin"]).get("/account/users/")
    active = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["账号管理"]


def test_nav_item_owns_its_related_pages(verified_client, users, county):
    response = verified_client(users["leader"]).get("/ledger/requests/")
    active = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["报表准入"]
