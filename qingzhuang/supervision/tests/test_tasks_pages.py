"""工作问效 pages: list, 本单位任务, detail, form (create, edit), report with a file, review, cancel,
亮牌, overview charts, xlsx export; 404 for another unit's task, 403 for a wrong role."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qingzhuang.supervision.models import Card, NodeStatus, Task
from qingzhuang.supervision.services import tasks as services
from qingzhuang.supervision.tests.task_world import make_task, upload

pytestmark = pytest.mark.django_db


def test_list_detail_and_cards_for_the_office(client, tw):
    task = make_task(tw, title="=HYPERLINK(\"x\")统计")
    client.force_login(tw["office"])
    page = client.get(reverse("supervision:task_list")).content.decode()
    assert "统计" in page and "县统计局" in page
    # Pages issue the day's cards: both nodes of 2025 are long past.
    assert Card.objects.filter(kind="red").count() == 2
    page = client.get(reverse("supervision:task_list") + "?card=red").content.decode()
    assert "红牌 2 张" in page
    detail = client.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()
    assert "完成方案" in detail and "红牌（" in detail
    assert "红牌" in client.get(reverse("supervision:task_cards")).content.decode()


def test_export_xlsx_neutralises_formulas(client, tw):
    make_task(tw, title="=HYPERLINK(\"x\")统计")
    client.force_login(tw["office"])
    response = client.get(reverse("supervision:task_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("任务名称", "任务来源", "责任单位")
    assert len(rows) == 3 and rows[1][0].startswith("'=")
    # Both nodes of 2025 were missed long before today: a red card each, no yellow one.
    assert [row[13] for row in rows[1:]] == ["是", "是"] and not any(row[12] for row in rows[1:])


def test_create_with_node_rows(client, tw):
    client.force_login(tw["office"])
    assert client.get(reverse("supervision:task_create")).status_code == 200
    response = client.post(reverse("supervision:task_create"), {
        "title": "耕地保护专项整治", "assignee": tw["agri"].code, "source": "县政府常务会",
        "node_title": ["摸底", "整改", ""], "node_due": ["2025-04-30", "2025-09-30", ""],
        "node_target": ["", "100", ""]})
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:task_detail", args=[task.pk])
    assert task.nodes.count() == 2
    row = client.get(reverse("supervision:task_node_row"))
    assert 'name="node_title"' in row.content.decode()


def test_create_errors_shown(client, tw):
    client.force_login(tw["office"])
    response = client.post(reverse("supervision:task_create"), {"title": "", "assignee": "",
                                                                 "node_title": [""], "node_due": [""]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写任务名称" in page and "请选择责任单位" in page and "请至少设置一个时间节点" in page


def test_edit_page(client, tw):
    task = make_task(tw)
    client.force_login(tw["office"])
    assert "完成方案" in client.get(reverse("supervision:task_edit", args=[task.pk])).content.decode()
    response = client.post(reverse("supervision:task_edit", args=[task.pk]), {
        "title": "改后的名称", "node_title": ["唯一"], "node_due": ["2025-12-31"], "node_target": [""]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "改后的名称" and task.nodes.count() == 1


def test_report_with_file_and_review(client, tw):
    task = make_task(tw)
    node = task.nodes.first()
    client.force_login(tw["stats_reporter"])
    assert "统计数据质量提升" in client.get(reverse("supervision:task_mine")).content.decode()
    response = client.post(reverse("supervision:task_node_report", args=[node.pk]),
                           {"text": "方案已印发", "value": "1", "files": [upload()]})
    assert response.status_code == 302
    report = node.reports.get()
    stored = report.files.get()
    file_url = reverse("supervision:task_report_file", args=[report.pk, stored.pk])
    assert client.get(file_url)["Content-Type"] == "image/png"
    client.force_login(tw["office"])
    response = client.post(reverse("supervision:task_report_review", args=[report.pk]), {"decision": "return"})
    assert response.status_code == 400
    assert "退回时请填写审核意见，指导责任单位如何补充" in response.content.decode()
    client.post(reverse("supervision:task_report_review", args=[report.pk]),
                {"decision": "return", "guidance": "请附印发文件"})
    node.refresh_from_db()
    assert node.status == NodeStatus.RETURNED
    client.force_login(tw["stats_reporter"])
    assert "请附印发文件" in client.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()


def test_report_renamed_exe_refused_on_page(client, tw):
    node = make_task(tw).nodes.first()
    client.force_login(tw["stats_reporter"])
    response = client.post(reverse("supervision:task_node_report", args=[node.pk]),
                           {"text": "x", "files": [upload("证明.png", b"MZ" + b"\x00" * 100)]})
    assert response.status_code == 400
    assert "文件“证明.png”不是JPEG、PNG、WebP、PDF格式" in response.content.decode()


def test_cancel_page(client, tw):
    task = make_task(tw)
    client.force_login(tw["office"])
    response = client.post(reverse("supervision:task_cancel", args=[task.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写撤销理由" in response.content.decode()
    client.post(reverse("supervision:task_cancel", args=[task.pk]), {"reason": "合并到其他任务"})
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_another_department_gets_404(client, tw):
    task = make_task(tw)
    node, report_node = task.nodes.first(), task.nodes.last()
    services.report_submit(actor=tw["stats_reporter"], node=report_node, text="x")
    client.force_login(tw["agri_reporter"])
    assert client.get(reverse("supervision:task_detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("supervision:task_node_report", args=[node.pk]), {"text": "x"}).status_code == 404
    assert "统计数据质量提升" not in client.get(reverse("supervision:task_mine")).content.decode()


def test_wrong_roles_get_403(client, tw, users):
    task = make_task(tw)
    client.force_login(tw["stats_reporter"])
    for name in ("task_create", "task_overview", "task_node_row", "task_indicators", "task_assignees"):
        assert client.get(reverse(f"supervision:{name}")).status_code == 403, name
    assert client.get(reverse("supervision:task_edit", args=[task.pk])).status_code == 403
    assert client.post(reverse("supervision:task_cancel", args=[task.pk]), {"reason": "x"}).status_code == 403
    client.force_login(users["auditor"])
    assert client.get(reverse("supervision:task_list")).status_code == 403
    client.force_login(tw["office"])
    assert client.get(reverse("supervision:task_mine")).status_code == 403


def test_overview_charts(client, tw, users):
    make_task(tw)
    client.force_login(users["leader"])
    page = client.get(reverse("supervision:task_overview") + "?year=2025").content.decode()
    assert 'data-testid="chart-supervision-task-units"' in page
    assert "2025年还没有通过的节点或亮牌。" in page  # the cards were issued today
    assert "县统计局" in page


def test_indicator_search_and_latest_value(client, tw):
    from qingzhuang.ledger.models import Indicator, IndicatorValue

    indicator = Indicator.objects.create(code="grain_area", name="粮食播种面积", owner=tw["agri"], measure_unit="亩")
    IndicatorValue.objects.create(unit=tw["agri"], indicator=indicator, period="2025-04", value=1200)
    IndicatorValue.objects.create(unit=tw["agri"], indicator=indicator, period="2025-05", value=1350)
    client.force_login(tw["office"])
    assert "粮食播种面积" in client.get(reverse("supervision:task_indicators") + "?indicator_q=粮食").content.decode()
    task = make_task(tw, assignee=tw["agri"], indicator=indicator, target_value="1500")
    page = client.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()
    assert "指标库最新值：1350亩（2025-05）" in page


def test_workbench_shows_reminders_and_chart(client, tw):
    task = make_task(tw)
    services.report_submit(actor=tw["stats_reporter"], node=task.nodes.first(), text="已完成")
    client.force_login(tw["office"])
    home = client.get(reverse("web:home")).content.decode()
    assert "份任务进展待审核（工作问效）" in home and "个任务节点逾期亮红牌" in home
    assert 'data-testid="chart-supervision-task-units"' in home
    client.force_login(tw["stats_reporter"])
    assert "个任务节点已亮红牌（工作问效）" in client.get(reverse("web:home")).content.decode()
