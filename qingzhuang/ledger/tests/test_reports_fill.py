"""Filling reports from the ledger: exact values for a small set of records, scope, masking, xlsx."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from openpyxl import load_workbook

from conftest import make_user
from qingzhuang.ledger import services
from qingzhuang.ledger.models import DatasetShare, RegisterStatus, Report
from qingzhuang.ledger.tests.report_world import build, make_report
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER


@pytest.fixture
def world(catalog, county):
    return build(county, catalog)


def fill(world, report, actor=None):
    return services.report_fill(actor=actor or world.office_rep, report=report)


def test_count_by_village_with_equality_filter(world):
    report = make_report(world.office_rep, world.catalog["population"], group_unit="village",
                         filters=[{"element": "person_type", "op": "eq", "value": "流动人口"}])
    table = fill(world, report)
    assert table.headers == ["单位代码", "村（社区）", "记录数"]
    # 王四 lives in 甲村一网格: a grid rolls up into its village.
    assert table.rows == [["429901001201", "甲村", 3], ["429901002201", "乙村", 1]]
    assert table.total == ["合计", "", 4]
    assert table.matched == 4


def test_count_by_township_with_contains_filter_on_multi_code(world):
    report = make_report(world.office_rep, world.catalog["population"], group_unit="township",
                         filters=[{"element": "special_groups", "op": "contains", "value": "低保对象"}])
    table = fill(world, report)
    assert table.headers == ["单位代码", "乡镇（街道）", "记录数"]
    assert table.rows == [["429901001000", "甲镇", 3], ["429901002000", "乙镇", 1]]


def test_contains_on_multi_code_is_membership_not_substring(world):
    # "低保" is a substring of "低保对象" but not one of the values.
    report = make_report(world.office_rep, world.catalog["population"],
                         filters=[{"element": "special_groups", "op": "contains", "value": "低保"}])
    assert fill(world, report).rows == [[0]]


def test_group_by_multi_code_counts_each_value(world):
    report = make_report(world.office_rep, world.catalog["population"], group_elements=["special_groups"])
    table = fill(world, report)
    assert table.headers == ["特殊群体", "记录数"]
    assert table.rows == [["低保对象", 4], ["残疾人", 2], ["独居老人", 1], ["（未填）", 1]]
    assert table.total == ["合计", 6]  # records, not group memberships


def test_no_grouping_is_one_total_row(world):
    report = make_report(world.office_rep, world.catalog["population"],
                         filters=[{"element": "person_type", "op": "ne", "value": "流动人口"}])
    table = fill(world, report)
    assert (table.headers, table.rows, table.total) == (["记录数"], [[2]], None)


def test_sum_and_average_of_a_numeric_element(world):
    housing = world.catalog["housing"]
    total = fill(world, make_report(world.office_rep, housing, group_unit="village", aggregate="sum",
                                    measure="floor_area"))
    assert total.headers == ["单位代码", "村（社区）", "记录数", "建筑面积合计"]
    assert total.rows == [["429901001201", "甲村", 2, Decimal("180.5")], ["429901002201", "乙村", 2, Decimal("120")]]
    assert total.total == ["合计", "", 4, Decimal("300.5")]
    average = fill(world, make_report(world.office_rep, housing, group_unit="village", aggregate="avg",
                                      measure="floor_area", name="平均面积"))
    # The blank area of H4 is not a zero: 乙村's average is over one house.
    assert average.rows == [["429901001201", "甲村", 2, Decimal("90.25")], ["429901002201", "乙村", 2, Decimal("120.00")]]
    assert average.total == ["合计", "", 4, Decimal("100.17")]  # 300.5 / 3, 四舍五入


def test_numeric_filters_compare_numbers(world):
    report = make_report(world.office_rep, world.catalog["housing"], aggregate="sum", measure="floor_area",
                         filters=[{"element": "floor_area", "op": "gte", "value": "100"}])
    assert fill(world, report).rows == [[2, Decimal("220.5")]]


def test_events_by_month_with_type_filter(world):
    report = make_report(world.office_rep, world.catalog["events"], group_unit="village", group_period="month",
                         period_element="event_date",
                         filters=[{"element": "event_type", "op": "eq", "value": "矛盾纠纷"}])
    table = fill(world, report)
    assert table.headers == ["单位代码", "村（社区）", "期间", "记录数"]
    assert table.rows == [["429901001201", "甲村", "2025-01", 1], ["429901001201", "甲村", "2025-02", 1],
                          ["429901002201", "乙村", "2025-02", 1]]


def test_period_range_and_quarters(world):
    report = make_report(world.office_rep, world.catalog["events"], group_period="quarter",
                         period_element="event_date", period_from="2025-02", period_to="2025-03",
                         group_elements=["event_type"])
    table = fill(world, report)
    assert table.rows == [["2025年第1季度", "安全隐患", 1], ["2025年第1季度", "矛盾纠纷", 2]]


def test_indicator_values_by_indicator_and_period(world):
    report = make_report(world.stats_rep, world.catalog["indicator_values"], group_unit="township",
                         group_period="month", period_element="period", group_elements=["indicator"],
                         aggregate="sum", measure="value")
    table = fill(world, report, world.stats_rep)
    assert table.headers == ["单位代码", "乡镇（街道）", "期间", "指标代码", "记录数", "数值合计"]
    assert table.rows == [
        ["429901001000", "甲镇", "2025-01", "地区生产总值（gdp）", 1, Decimal("10")],
        ["429901001000", "甲镇", "2025-01", "新增就业（jobs）", 1, Decimal("3")],
        ["429901001000", "甲镇", "2025-02", "地区生产总值（gdp）", 1, Decimal("12.5")],
        ["429901002000", "乙镇", "2025-01", "地区生产总值（gdp）", 1, Decimal("7")],
    ]


def test_indicator_filter_and_yearly_sum(world):
    report = make_report(world.stats_rep, world.catalog["indicator_values"], group_period="year",
                         period_element="period", aggregate="sum", measure="value",
                         filters=[{"element": "indicator", "op": "eq", "value": "gdp"}])
    assert fill(world, report, world.stats_rep).rows == [["2025年", 3, Decimal("29.5")]]


def test_detail_report_masks_personal_data_for_a_department(world):
    report = make_report(world.office_rep, world.catalog["population"], aggregate="list",
                         columns=["name", "id_number", "phone"],
                         filters=[{"element": "person_type", "op": "eq", "value": "户籍人口"}])
    table = fill(world, report)
    assert table.detail and table.headers == ["所属单位", "姓名", "公民身份号码", "联系电话"]
    assert table.rows == [["甲村", "王二", "1101**********0027", "138****0001"],
                          ["乙村", "李一", "1101**********0051", "138****0004"]]


def test_detail_report_unmasked_for_personal_data_permission_and_audited(world):
    report = make_report(world.office_rep, world.catalog["population"], aggregate="list", columns=["id_number"],
                         filters=[{"element": "name", "op": "eq", "value": "王二"}])
    # A filler of the defining department who also holds orgs.view_personal_data (乡镇村干部's).
    cadre = make_user("officecadre", world.county["office"], REPORTER, GRASSROOTS)
    table = fill(world, report, cadre)
    assert table.rows == [["甲村", "110105199001010027"]]
    entry = AuditLog.objects.filter(action="report.fill").latest("id")
    assert entry.after == {"matched": 1, "revealed": True} and entry.actor == cadre


def test_a_report_another_unit_cannot_see_is_not_filled(world):
    report = make_report(world.office_rep, world.catalog["population"], aggregate="count")
    with pytest.raises(Http404):
        fill(world, report, world.cun)
    assert not AuditLog.objects.filter(action="report.fill").exists()


def test_detail_report_display_is_limited_but_counts_everything(world):
    report = make_report(world.office_rep, world.catalog["population"], aggregate="list", columns=["name"])
    table = services.report_fill(actor=world.office_rep, report=report, limit=2)
    assert table.matched == 6 and len(table.rows) == 2 and table.truncated


def test_rows_are_read_in_the_definers_scope(world):
    """县民政局 neither owns nor shares population: its report is empty until a share is granted."""
    report = make_report(world.civil_rep, world.catalog["population"], group_unit="village")
    assert fill(world, report, world.civil_rep).rows == []
    DatasetShare.objects.create(dataset=world.catalog["population"], unit=world.civil)
    assert fill(world, report, world.civil_rep).total == ["合计", "", 6]


def test_a_township_definer_reads_its_own_subtree(world, users):
    report = make_report(world.office_rep, world.catalog["population"], group_unit="village")
    Report.objects.filter(pk=report.pk).update(created_by=users["member"])  # a 甲镇 account
    report.refresh_from_db()
    assert fill(world, report).rows == [["429901001201", "甲村", 4]]


def test_fill_records_last_filled_and_an_audit_row(world):
    report = make_report(world.office_rep, world.catalog["population"])
    fill(world, report)
    fill(world, report)
    report.refresh_from_db()
    assert report.fill_count == 2 and report.last_filled_at is not None
    assert AuditLog.objects.filter(action="report.fill", object_id=str(report.pk)).count() == 2


def test_stopped_report_cannot_be_filled(world):
    report = make_report(world.office_rep, world.catalog["population"])
    Report.objects.filter(pk=report.pk).update(register_status=RegisterStatus.STOP)
    report.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        fill(world, report)
    assert exc.value.messages == [services.STOP_MESSAGE]
    with pytest.raises(ValidationError):
        services.report_export(actor=world.office_rep, report=report, target=io.BytesIO())
    assert not AuditLog.objects.filter(action__in=["report.fill", "report.export"]).exists()


def test_export_summary_as_xlsx(world):
    report = make_report(world.office_rep, world.catalog["population"], group_unit="township")
    out = io.BytesIO()
    assert services.report_export(actor=world.office_rep, report=report, target=out) == 6
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["单位代码", "乡镇（街道）", "记录数"], ["429901001000", "甲镇", 4], ["429901002000", "乙镇", 2],
        ["合计", None, 6]]
    assert AuditLog.objects.filter(action="report.export").get().after == {"matched": 6, "revealed": False}


def test_export_detail_streams_every_row_masked(world):
    report = make_report(world.office_rep, world.catalog["population"], aggregate="list",
                         columns=["name", "phone"])
    out = io.BytesIO()
    assert services.report_export(actor=world.office_rep, report=report, target=out) == 6
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[0] == ("所属单位", "姓名", "联系电话") and rows[1] == ("甲村", "王一", "138****0000")
    assert len(rows) == 7


def test_formula_like_values_are_neutralised_in_exports(world):
    from qingzhuang.ledger.models import Record

    Record.objects.filter(key="H1").update(data={"house_no": "H1", "house_address": "=HYPERLINK(\"x\")"})
    report = make_report(world.office_rep, world.catalog["housing"], aggregate="list", columns=["house_address"])
    out = io.BytesIO()
    services.report_export(actor=world.office_rep, report=report, target=out)
    cells = [r[1] for r in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True)]
    assert "=HYPERLINK(\"x\")" not in cells


def test_identical_records_are_counted_with_their_weight(world):
    """Summaries group identical (unit, values) combinations in the database: weights must add up."""
    from qingzhuang.ledger.models import Record

    for key in ("H5", "H6"):
        Record.objects.create(dataset=world.catalog["housing"], unit=world.county["village_a"], key=key,
                              data={"house_no": key, "floor_area": "80"})
    table = fill(world, make_report(world.office_rep, world.catalog["housing"], group_unit="village",
                                    aggregate="avg", measure="floor_area"))
    # 甲村: 100.5 + 80 × 3 = 340.5 over 4 houses.
    assert table.rows[0] == ["429901001201", "甲村", 4, Decimal("85.13")]
    assert table.total == ["合计", "", 6, Decimal("92.10")]  # 460.5 / 5


def test_summary_and_detail_agree_on_what_matches(world):
    population = world.catalog["population"]
    filters = [{"element": "special_groups", "op": "contains", "value": "低保对象"},
               {"element": "person_type", "op": "ne", "value": "户籍人口"}]
    counted = fill(world, make_report(world.office_rep, population, filters=filters))
    listed = fill(world, make_report(world.office_rep, population, aggregate="list", columns=["name"],
                                     filters=filters))
    assert counted.rows == [[3]] and listed.matched == 3
    assert [r[1] for r in listed.rows] == ["王一", "王四", "李二"]


def test_export_as_csv_and_refuse_other_formats(world):
    report = make_report(world.office_rep, world.catalog["population"], group_unit="township")
    out = io.BytesIO()
    services.report_export(actor=world.office_rep, report=report, target=out, fmt="csv")
    assert out.getvalue().decode("utf-8-sig").splitlines() == [
        "单位代码,乡镇（街道）,记录数", "429901001000,甲镇,4", "429901002000,乙镇,2", "合计,,6"]
    with pytest.raises(ValidationError) as exc:
        services.report_export(actor=world.office_rep, report=report, target=io.BytesIO(), fmt="pdf")
    assert exc.value.message_dict == {"format": ["导出格式只能是 xlsx 或 csv"]}
    assert AuditLog.objects.filter(action="report.export").count() == 1
