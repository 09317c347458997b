"""工作群 pages, import and API: the counts above the list, dissolving one or several, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from qingzhuang.burden.models import WorkGroup
from qingzhuang.burden.services import registries as services

HEADER = "群名称,建群单位,群主,平台,建群事由,群成员数,入群基层单位,建群日期,任务结束日期,解散日期,解散原因"


@pytest.fixture
def groups(county, registries):
    def make(name, **kwargs):
        return services.group_create(actor=registries["monitor"], data=services.GroupData(
            name=name, owner_unit=county["stats"], platform="wechat", created_on=dt.date(2024, 3, 1),
            targets=[county["village_a"]], **kwargs))

    return [make("统计报送群"), make("普查专班群", owner=registries["owner"]), make("年报联络群")]


def test_the_list_counts_open_and_dissolved_groups(client, county, registries, groups):
    services.group_close(actor=registries["monitor"], group=groups[2], reason="完成", closed_on=dt.date(2025, 2, 1))
    client.force_login(registries["monitor"])
    page = client.get("/burden/groups/?year=2025")
    assert page.status_code == 200
    assert (page.context["summary"]["open"], page.context["summary"]["closed"]) == (2, 1)
    assert "今年解散 1 个" in page.content.decode()
    assert "工作群无群主：没有登记群主" in page.content.decode()
    assert [g.name for g in client.get("/burden/groups/?year=2025&flagged=1&state=open").context["rows"]] == [
        "统计报送群"]
    assert client.get("/burden/groups/?year=2025&format=xlsx").status_code == 200


def test_dissolve_the_ticked_groups_all_or_nothing(client, county, registries, groups):
    client.force_login(registries["monitor"])
    services.group_close(actor=registries["monitor"], group=groups[0], reason="完成", closed_on=dt.date(2025, 1, 2))
    refused = client.post("/burden/groups/close/", {"group": [g.pk for g in groups], "reason": "清理",
                                                    "closed_on": "2025-03-01"}, follow=True)
    assert "“统计报送群”已于 2025-01-02 解散，不能重复解散" in refused.content.decode()
    assert WorkGroup.objects.filter(closed_on__isnull=True).count() == 2
    done = client.post("/burden/groups/close/", {"group": [groups[1].pk, groups[2].pk], "reason": "清理",
                                                 "closed_on": "2025-03-01"}, follow=True)
    assert "已解散 2 个工作群。" in done.content.decode()
    assert not WorkGroup.objects.filter(closed_on__isnull=True).exists()


def test_one_group_dissolved_from_its_page_and_refusals(client, county, registries, groups):
    client.force_login(registries["sibling"])
    assert client.post(f"/burden/groups/{groups[0].pk}/close/", {"reason": "x"}).status_code == 404
    assert client.post("/burden/groups/close/", {"group": [groups[0].pk], "reason": "x"}).status_code == 404
    client.force_login(registries["cadre"])
    assert client.get(f"/burden/groups/{groups[0].pk}/").status_code == 200
    assert client.post("/burden/groups/close/", {"group": [groups[0].pk], "reason": "x"}).status_code == 403
    client.force_login(registries["rep"])
    response = client.post(f"/burden/groups/{groups[0].pk}/close/", {"reason": "任务完成", "closed_on": "2025-04-01"})
    assert response.status_code == 302
    groups[0].refresh_from_db()
    assert (groups[0].closed_on, groups[0].closed_by) == (dt.date(2025, 4, 1), registries["rep"])
    assert client.get(f"/burden/groups/{groups[0].pk}/edit/").status_code == 302  # dissolved: back to its page


def test_register_on_the_page_with_the_owner_by_name(client, county, registries):
    client.force_login(registries["rep"])
    form = {"name": "统计督办群", "owner_unit": county["stats"].code, "owner_name": "王五", "platform": "dingtalk",
            "member_count": "30", "created_on": "2024-06-01", "task_ends_on": "2024-12-31"}
    response = client.post("/burden/groups/new/", form)
    group = WorkGroup.objects.get()
    assert response.status_code == 302 and group.owner == registries["owner"]
    bad = client.post("/burden/groups/new/", {**form, "owner_name": "赵六"})
    assert bad.status_code == 400 and bad.context["form"].errors["owner_name"] == ["县统计局（含下属单位）没有叫“赵六”的在岗干部"]


def test_import_groups_closing_those_dissolved(county, registries, tmp_path):
    from qingzhuang.burden.imports_registries import GROUPS
    from qingzhuang.burden.registry_import import registry_import

    path = tmp_path / "g.csv"
    path.write_text("\n".join([HEADER, f"报送群,县统计局,王五,微信,报送,20,{county['village_a'].code},2024-01-05,,2025-02-01,合并",
                               "联络群,县统计局,,钉钉,,,,2024-02-05,2025-06-30,,"]), encoding="utf-8")
    result = registry_import(GROUPS, actor=registries["monitor"], path=path)
    assert (result.ok, result.created) == (True, 2)
    closed = WorkGroup.objects.get(name="报送群")
    assert (closed.owner, closed.closed_on, closed.close_reason) == (registries["owner"], dt.date(2025, 2, 1), "合并")
    path.write_text("\n".join([HEADER, "坏群,县统计局,赵六,飞书,,-3,,2024-02-05,,2025-01-01,"]), encoding="utf-8")
    result = registry_import(GROUPS, actor=registries["monitor"], path=path)
    assert [(p.column, p.message) for p in result.errors] == [
        ("平台", "“平台”应为以下之一：微信、企业微信、钉钉、政务协同平台、QQ、其他"),
        ("群主", "县统计局（含下属单位）没有叫“赵六”的在岗干部"),
        ("群成员数", "“群成员数”应为 0 到 100000 之间的整数"),
        ("解散原因", "填写了解散日期时，“解散原因”不能为空"),
    ]
    assert WorkGroup.objects.count() == 2


def test_api_groups(client, county, registries, groups):
    client.force_login(registries["monitor"])
    listed = client.get("/api/v1/burden/groups?year=2025&flagged=true").json()
    assert [g["name"] for g in listed["items"]] == ["年报联络群", "统计报送群"]
    closed = client.post(f"/api/v1/burden/groups/{groups[0].pk}/close", {"reason": "完成", "closed_on": "2025-05-01"},
                         content_type="application/json")
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2025-05-01"
    again = client.post(f"/api/v1/burden/groups/{groups[0].pk}/close", {"reason": "完成"},
                        content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"] == {"groups": ["“统计报送群”已于 2025-05-01 解散，不能重复解散"]}
    bulk = client.post("/api/v1/burden/groups/close", {"ids": [groups[1].pk, groups[2].pk], "reason": "清理"},
                       content_type="application/json")
    assert bulk.status_code == 200 and len(bulk.json()) == 2
    created = client.post("/api/v1/burden/groups", {"name": "新群", "owner_unit": county["stats"].code, "platform": "qq",
                                                    "created_on": "2025-01-01", "owner_id": registries["owner"].pk},
                          content_type="application/json")
    assert created.status_code == 200 and created.json()["owner_name"] == "王五"
    client.force_login(registries["sibling"])
    assert client.get(f"/api/v1/burden/groups/{groups[1].pk}").status_code == 404
    assert client.post("/api/v1/burden/groups/close", {"ids": [groups[1].pk], "reason": "x"},
                       content_type="application/json").status_code == 404
    client.force_login(registries["cadre"])
    assert client.post("/api/v1/burden/groups", {"name": "x", "owner_unit": county["town_a"].code, "platform": "qq",
                                                 "created_on": "2025-01-01"},
                       content_type="application/json").status_code == 403
