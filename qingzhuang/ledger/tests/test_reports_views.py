"""Report pages: each works, and each refusal (wrong role 403, another department 404, not admitted)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qingzhuang.burden.models import Demand
from qingzhuang.ledger import services
from qingzhuang.ledger.models import Admission, RegisterStatus, Report
from qingzhuang.ledger.tests.report_world import build, make_report
from qingzhuang.orgs.models import AuditLog


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


@pytest.fixture
def report(world):
    return make_report(world.civil_rep, world.catalog["population"], name="流动人口统计", group_unit="village",
                       filters=[{"element": "person_type", "op": "eq", "value": "流动人口"}],
                       manual_fields=["走访次数"], target_units=[world.county["village_a"]])


def url(name, report):
    return reverse(name, kwargs={"pk": report.pk})


def approve(world, report):
    services.report_submit(actor=world.civil_rep, report=report)
    services.report_review(actor=world.ducha, report=report, approve=True)


def test_register_lists_own_reports(client, world, report):
    client.force_login(world.civil_rep2)
    page = client.get(reverse("ledger:report_list")).content.decode()
    assert "流动人口统计" in page and "县民政局" in page and "草稿" in page and "新建报表" in page
    assert "data-testid=\"county-kpis\"" not in page  # a department sees no county figures


def test_register_of_another_department_is_empty(client, world, report):
    client.force_login(world.stats_rep)
    assert "流动人口统计" not in client.get(reverse("ledger:report_list")).content.decode()


def test_register_for_the_supervision_office_has_kpis_and_filters(client, world, report):
    client.force_login(world.ducha)
    page = client.get(reverse("ledger:report_list")).content.decode()
    assert "流动人口统计" in page and "data-testid=\"county-kpis\"" in page and "新建报表" not in page
    assert "流动人口统计" not in client.get(reverse("ledger:report_list") + "?admission=approved").content.decode()
    assert "流动人口统计" in client.get(reverse("ledger:report_list") + "?status=keep&q=流动").content.decode()


def test_create_first_asks_for_the_dataset(client, world):
    client.force_login(world.civil_rep)
    page = client.get(reverse("ledger:report_create")).content.decode()
    assert "?dataset=population" in page and "人口基础信息" in page
    page = client.get(reverse("ledger:report_create") + "?dataset=population").content.decode()
    assert "name=\"filter_element_1\"" in page and "人员类别" in page


def test_create_posts_a_draft(client, world):
    client.force_login(world.civil_rep)
    response = client.post(reverse("ledger:report_create"), {
        "dataset": "population", "name": "低保对象分村统计", "aggregate": "count", "group_unit": "village",
        "filter_element_1": "special_groups", "filter_op_1": "contains", "filter_value_1": "低保对象",
        "filter_op_2": "eq", "filter_op_3": "eq", "target_under": "429901001000",
    })
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == url("ledger:report_detail", report)
    assert report.filters == [{"element": "special_groups", "op": "contains", "value": "低保对象"}]
    assert list(report.target_units.all()) == [world.county["village_a"]]  # the villages of 甲镇
    assert (report.owner, report.admission) == (world.civil, Admission.DRAFT)


def test_create_shows_errors(client, world):
    client.force_login(world.civil_rep)
    response = client.post(reverse("ledger:report_create"), {
        "dataset": "population", "name": "x", "aggregate": "sum", "filter_op_1": "eq", "filter_op_2": "eq",
        "filter_op_3": "eq", "target_codes": "999"})
    page = response.content.decode()
    assert response.status_code == 200 and "没有这些单位代码：999" in page
    response = client.post(reverse("ledger:report_create"), {
        "dataset": "population", "name": "x", "aggregate": "sum", "filter_op_1": "eq", "filter_op_2": "eq",
        "filter_op_3": "eq"})
    assert "求和或平均值需要选择一个数值字段" in response.content.decode()
    assert not Report.objects.exists()


def test_create_is_forbidden_without_the_role(client, world):
    client.force_login(world.cun)
    assert client.get(reverse("ledger:report_create")).status_code == 403
    assert client.post(reverse("ledger:report_create"), {"dataset": "population", "name": "x"}).status_code == 403


def test_edit(client, world, report):
    client.force_login(world.civil_rep)
    assert client.get(url("ledger:report_edit", report)).status_code == 200
    response = client.post(url("ledger:report_edit", report), {
        "name": "改名", "aggregate": "count", "filter_op_1": "eq", "filter_op_2": "eq", "filter_op_3": "eq"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.name == "改名" and report.filters == []


def test_edit_of_another_departments_report_is_404_and_by_a_viewer_403(client, world, report):
    client.force_login(world.stats_rep)
    assert client.get(url("ledger:report_edit", report)).status_code == 404
    client.force_login(world.ducha)  # sees it, but 督查室 does not define reports
    assert client.get(url("ledger:report_edit", report)).status_code == 403


def test_detail_of_a_draft_has_no_send_button(client, world, report):
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:report_detail", report)).content.decode()
    assert "提交准入审批" in page and 'data-testid="not-admitted"' in page
    assert url("ledger:report_send", report) not in page and 'data-testid="send"' not in page


def test_detail_of_an_approved_report_has_the_send_button(client, world, report):
    approve(world, report)
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:report_detail", report)).content.decode()
    assert url("ledger:report_send", report) in page and "提交准入审批" not in page


def test_detail_of_another_departments_report_is_404(client, world, report):
    for user in (world.stats_rep, world.cun):
        client.force_login(user)
        assert client.get(url("ledger:report_detail", report)).status_code == 404


def test_submit_review_and_send_through_the_pages(client, world, report):
    client.force_login(world.civil_rep)
    assert client.post(url("ledger:report_submit", report)).status_code == 302
    client.force_login(world.ducha)
    page = client.get(url("ledger:report_detail", report)).content.decode()
    assert url("ledger:report_review", report) in page
    client.post(url("ledger:report_review", report), {"decision": "approve", "note": "同意"})
    report.refresh_from_db()
    assert report.admission == Admission.APPROVED
    client.force_login(world.civil_rep)
    response = client.post(url("ledger:report_send", report), {"round": "2025-06", "due_date": "2025-07-05"}, follow=True)
    assert "已向 1 个单位下发第“2025-06”期。" in response.content.decode()
    assert Demand.objects.get().unit == world.county["village_a"]


def test_send_of_an_unapproved_report_is_refused_with_a_message(client, world, report):
    client.force_login(world.civil_rep)
    response = client.post(url("ledger:report_send", report), {"round": "2025-06"}, follow=True)
    assert "该报表未经督查室准入审批，不能向基层下发（未经批准一律停止填报）。" in response.content.decode()
    assert not Demand.objects.exists()


def test_review_needs_the_approve_permission(client, world, report):
    services.report_submit(actor=world.civil_rep, report=report)
    client.force_login(world.civil_rep)
    assert client.post(url("ledger:report_review", report), {"decision": "approve"}).status_code == 403
    report.refresh_from_db()
    assert report.admission == Admission.PENDING


def test_reject_without_reason_shows_the_message(client, world, report):
    services.report_submit(actor=world.civil_rep, report=report)
    client.force_login(world.ducha)
    page = client.post(url("ledger:report_review", report), {"decision": "reject"}, follow=True).content.decode()
    assert "驳回时请写明理由" in page


def test_register_status_through_the_page(client, world, report):
    client.force_login(world.ducha)
    client.post(url("ledger:report_register", report), {"status": "stop", "reason": "与一套表重复"})
    report.refresh_from_db()
    assert report.register_status == RegisterStatus.STOP
    page = client.get(url("ledger:report_detail", report)).content.decode()
    assert "该报表已在报表清单中停用：与一套表重复" in page and url("ledger:report_fill", report) not in page
    page = client.post(url("ledger:report_register", report), {"status": "keep"}, follow=True).content.decode()
    assert "请写明处理理由" in page
    client.force_login(world.civil_rep)
    assert client.post(url("ledger:report_register", report), {"status": "keep", "reason": "x"}).status_code == 403


def test_detail_says_when_the_definer_reads_only_its_own_units(client, world, report):
    client.force_login(world.civil_rep)
    hint = "县民政局不是“人口基础信息”的责任单位，也未获共享"
    assert hint in client.get(url("ledger:report_detail", report)).content.decode()
    reports_share(world)
    assert hint not in client.get(url("ledger:report_detail", report)).content.decode()


def test_fill_renders_the_table(client, world, report):
    client.force_login(world.civil_rep)
    reports_share(world)
    response = client.post(url("ledger:report_fill", report), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "<td>甲村</td><td>3</td>" in page.replace("\n", "") and "符合条件的记录 4 条" in page
    full = client.post(url("ledger:report_fill", report)).content.decode()
    assert "<html" in full and 'data-testid="report-table"' in full


def reports_share(world):
    from qingzhuang.ledger.models import DatasetShare

    DatasetShare.objects.create(dataset=world.catalog["population"], unit=world.civil)


def test_fill_of_a_stopped_report_shows_the_refusal(client, world, report):
    Report.objects.filter(pk=report.pk).update(register_status=RegisterStatus.STOP)
    client.force_login(world.civil_rep)
    page = client.post(url("ledger:report_fill", report), HTTP_HX_REQUEST="true").content.decode()
    assert services.STOP_MESSAGE in page
    assert not AuditLog.objects.filter(action="report.fill").exists()


def test_fill_is_post_only_and_scoped(client, world, report):
    client.force_login(world.civil_rep)
    assert client.get(url("ledger:report_fill", report)).status_code == 405
    client.force_login(world.stats_rep)
    assert client.post(url("ledger:report_fill", report)).status_code == 404


def test_export_downloads_xlsx(client, world, report):
    reports_share(world)
    client.force_login(world.civil_rep)
    response = client.get(url("ledger:report_export", report))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows == [("单位代码", "村（社区）", "记录数"), ("429901001201", "甲村", 3), ("429901002201", "乙村", 1),
                    ("合计", None, 4)]


def test_export_csv_and_a_bad_format(client, world, report):
    reports_share(world)
    client.force_login(world.civil_rep)
    response = client.get(url("ledger:report_export", report) + "?format=csv")
    assert b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1] == "429901001201,甲村,3"
    page = client.get(url("ledger:report_export", report) + "?format=pdf", follow=True).content.decode()
    assert "导出格式只能是 xlsx 或 csv" in page


def test_export_of_a_stopped_report_redirects_with_the_message(client, world, report):
    Report.objects.filter(pk=report.pk).update(register_status=RegisterStatus.STOP)
    client.force_login(world.civil_rep)
    page = client.get(url("ledger:report_export", report), follow=True).content.decode()
    assert services.STOP_MESSAGE in page


def test_anonymous_is_sent_to_sign_in(client, report):
    response = client.get(url("ledger:report_detail", report))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
