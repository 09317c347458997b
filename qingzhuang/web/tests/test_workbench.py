"""The workbench's to-dos, contributed by each module (``Module.todos``)."""

import pytest
from django.urls import reverse

from qingzhuang.burden.admission import Admission
from qingzhuang.ledger.models import Dataset, Report
from qingzhuang.ledger.tests.matrix import objects as ledger_objects


@pytest.fixture
def work(users, county, people):
    """甲镇's objects: a pending fill on 甲村一网格, a failed import by 甲镇's member; a report
    waiting for admission."""
    found = ledger_objects({"users": users, "county": county, "people": people})
    Report.objects.create(name="乙镇安全检查月报", owner=county["stats"], dataset=Dataset.objects.get(code="population"),
                          admission=Admission.PENDING)
    return found


def todos(client, user):
    response = client(user).get(reverse("web:home"))
    return [(t.count, t.label, t.url) for t in response.context["todos"]], response.content.decode()


def test_a_village_cadre_sees_open_fills_and_failed_imports(verified_client, users, work):
    items, body = todos(verified_client, users["member"])
    assert items == [
        (1, "项填报待完成", "/ledger/burden/demands/?status=pending"),
        (1, "个导入任务未成功（近30天）", f"/ledger/jobs/{work['job'].pk}/"),
    ]
    assert "项填报待完成" in body


def test_the_supervision_office_sees_admissions_waiting(verified_client, users, work):
    items, _ = todos(verified_client, users["supervision"])
    assert (1, "份报表待准入审批", "/ledger/reports/?admission=pending") in items


def test_another_township_sees_nothing_of_ours(verified_client, users, work):
    items, body = todos(verified_client, users["outsider"])
    assert items == []
    assert "暂无待办事项。" in body


def test_a_leader_has_no_fills_to_do(verified_client, users, work):
    items, _ = todos(verified_client, users["leader"])
    assert items == []


def test_failed_indexing_is_a_todo_for_library_keepers(verified_client, users, county):
    from qingzhuang.assistant.models import DocumentStatus, PolicyDocument

    PolicyDocument.objects.create(title="坏文件", unit=county["root"], original_name="x.txt", format="txt",
                                  sha256="y", text="", status=DocumentStatus.FAILED, file="policies/x.txt")
    assert todos(verified_client, users["monitor"])[0] == [(1, "个政策文件索引失败", "/assistant/policies/")]
    assert todos(verified_client, users["leader"])[0] == []
