"""The workbench's to-dos, contributed by each module (``Module.todos``)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden.admission import Admission
from qingzhuang.ledger.models import Dataset, Report
from qingzhuang.ledger.tests.matrix import objects as ledger_objects
from qingzhuang.orgs.roles import ROLES


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
        (1, "项填报待完成", "/burden/demands/?status=pending"),
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


def test_a_waiting_import_is_a_todo(verified_client, users, work):
    from qingzhuang.ledger.models import ImportJob

    job = ImportJob.objects.create(dataset=Dataset.objects.get(code="population"), uploaded_by=users["member"],
                                   file="ledger/imports/y.csv", original_name="y.csv", status="queued")
    items, _ = todos(verified_client, users["member"])
    assert (1, "个导入任务排队或处理中", f"/ledger/jobs/{job.pk}/") in items


# The workbench of every role: the to-do panel and each module's charts for it.
EVERYONE = [role.key for role in ROLES] + ["member", "outsider"]
# Features that do not exist yet: no home page may promise them.
MISSING_FEATURES = ("驾驶舱",)


@pytest.mark.parametrize("who", EVERYONE)
def test_every_role_has_todos_and_a_chart_or_its_empty_state(verified_client, users, county, who):
    response = verified_client(users[who]).get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="todos"' in body
    charts = [item["chart"] for item in response.context["charts"]]
    own = {"sysadmin": ["accounts-by-role"], "auditor": ["orgs-audit-by-day"]}.get(who, [])
    burden = charts[-1]
    assert [c.key for c in charts] == own + ["burden-by-month" if who not in ("member", "outsider")
                                             else "burden-own-by-month"]
    # Nothing was asked yet: the sentence, never an empty canvas.
    assert f'data-testid="chart-empty-{burden.key}">{burden.empty}<' in body
    if own:
        # The accounts and the audit log of the fixture county are there to draw.
        assert f'data-testid="chart-{own[0]}" data-qz-chart=' in body
    else:
        assert "data-qz-chart" not in body and "echarts" not in body
    assert not [word for word in MISSING_FEATURES if word in body]


@pytest.fixture
def asked(county, users):
    """This month: a meeting for 甲村 and 乙村, placed by the county office."""
    from django.db import transaction

    from qingzhuang.burden import services

    with transaction.atomic():
        services.demand_place(actor=users["supervision"], source=county["office"], kind="meeting",
                              units=[county["village_a"], county["village_b"]], title="防汛调度会")


def test_a_leader_sees_the_county_chart_drawn_from_json(verified_client, users, asked):
    body = verified_client(users["leader"]).get(reverse("web:home")).content.decode()
    assert 'data-testid="chart-burden-by-month" data-qz-chart="burden-by-month-data"' in body
    assert '<script id="burden-by-month-data" type="application/json">' in body
    assert "vendor/echarts/echarts.min.js" in body and "qz/charts.js" in body
    assert "今年截至" in body


def test_a_department_reporter_sees_its_indicator_months(verified_client, users, county):
    from conftest import make_user
    from qingzhuang.ledger.models import Indicator, IndicatorValue
    from qingzhuang.orgs.roles import REPORTER

    indicator = Indicator.objects.create(code="gdp", name="地区生产总值", owner=county["stats"])
    IndicatorValue.objects.create(unit=county["village_a"], indicator=indicator,
                                  period=timezone.localdate().strftime("%Y-%m"), value=1)
    response = verified_client(make_user("statsrep", county["stats"], REPORTER)).get(reverse("web:home"))
    assert [item["chart"].key for item in response.context["charts"]] == ["ledger-indicator-months"]
    assert 'data-testid="chart-ledger-indicator-months"' in response.content.decode()
