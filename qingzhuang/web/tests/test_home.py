from django.urls import reverse

from qingzhuang.web.context import leaf_items


def test_home_for_member(verified_client, users, people):
    response = verified_client(users["member"]).get(reverse("web:home"))
    assert response.status_code == 200
    assert response.context["unit_count"] == 3
    assert response.context["people_count"] == 1
    labels = [item["label"] for item in leaf_items(response.context["nav_items"])]
    assert "审计日志" not in labels
    assert [u.name for u in response.context["child_units"]] == ["甲村"]


def test_home_for_auditor_shows_security_panel_and_audit_nav(verified_client, users, county):
    response = verified_client(users["auditor"]).get(reverse("web:home"))
    labels = [item["label"] for item in leaf_items(response.context["nav_items"])]
    assert "审计日志" in labels
    assert "security_events" in response.context


def test_home_without_role_warns(verified_client, users, county):
    body = verified_client(users["nobody"]).get(reverse("web:home")).content.decode()
    assert "您的账号尚未分配角色，请联系系统管理员。" in body


def test_healthz(client, db):
    assert client.get(reverse("web:healthz")).json() == {"status": "ok"}


def test_unknown_page_is_chinese_404(verified_client, users, county):
    response = verified_client(users["member"]).get("/no-such-page/")
    assert response.status_code == 404


def test_nav_marks_longest_matching_item_active(verified_client, users, county):
    response = verified_client(users["sysadmin"]).get("/account/users/")
    active = [item["label"] for item in leaf_items(response.context["nav_items"]) if item["active"]]
    assert active == ["账号管理"]


def test_nav_marks_the_entry_and_its_group_active(verified_client, users, county):
    response = verified_client(users["member"]).get("/burden/demands/")
    menu = response.context["nav_items"]
    assert [item["label"] for item in leaf_items(menu) if item["active"]] == ["派给本单位的填报"]
    assert [item["label"] for item in menu if item["active"]] == ["减负"]


def menu_of(verified_client, user) -> list:
    menu = verified_client(user).get(reverse("web:home")).context["nav_items"]
    return [(item["label"], [c["label"] for c in item["children"]]) if item.get("children") else item["label"]
            for item in menu]


def test_menu_of_a_village_cadre_is_grouped_and_short(verified_client, users, county):
    assert menu_of(verified_client, users["member"]) == [
        "首页",
        ("数据", ["一套表", "找数据", "组织架构", "干部名录"]),
        "本单位考核成绩",
        ("督查", ["本单位检查", "检查码核验", "本单位任务"]),
        ("减负", ["报表清单", "数据需求", "派给本单位的填报", "减负台账", "发文登记", "会议登记", "工作群", "政务应用",
                "减负线索", "一网协同", "码上减负"]),
        ("AI社工", ["找政策", "问政策", "一表做总结", "政策库"]),
        "我的账号",
    ]


def test_menu_of_the_assessment_office_has_the_assessment_group(verified_client, users, county):
    assert ("考核", ["考核方案", "数据完整度", "期末考试", "成绩单", "课后辅导"]) in menu_of(
        verified_client, users["assessment"])


def test_menu_of_a_leader_has_no_fills(verified_client, users, county):
    assert ("减负", ["减负总览", "报表清单", "数据需求", "减负台账", "发文登记", "会议登记", "工作群", "政务应用",
                   "一网协同", "码上减负"]) in menu_of(verified_client, users["leader"])


def test_menu_of_the_sysadmin_has_the_system_group(verified_client, users, county):
    menu = menu_of(verified_client, users["sysadmin"])
    assert menu[-1] == ("系统", ["账号管理", "我的账号"])


def test_menu_of_the_auditor_has_the_audit_log(verified_client, users, county):
    menu = menu_of(verified_client, users["auditor"])
    assert menu[-1] == ("系统", ["审计日志", "我的账号"])


def test_unknown_menu_group_is_refused():
    import pytest

    from qingzhuang.registry import NavEntry

    with pytest.raises(ValueError, match="unknown menu group"):
        NavEntry("x", "home", "house", group="杂项")
