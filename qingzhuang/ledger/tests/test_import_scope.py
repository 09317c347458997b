"""Who may import what: unit scope for records, indicator ownership for the indicator database."""

from decimal import Decimal

from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import IndicatorValue, Record
from qingzhuang.ledger.tests.import_files import VILLAGE_A, VILLAGE_B, person, population_csv, write_csv
from qingzhuang.orgs.models import AuditLog


def test_village_cadre_cannot_import_for_another_village(catalog, ledger_users, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1), person(2, village=VILLAGE_B)])
    result = import_file(actor=ledger_users["cadre_a"], dataset=catalog["population"], path=path)
    assert [p.to_dict() for p in result.errors] == [{
        "row": 3, "column": "所属村（社区）代码", "value": VILLAGE_B, "code": "unknown_unit",
        "message": "单位代码不存在或不在您的管理范围内",
    }]
    assert Record.objects.count() == 0


def test_out_of_scope_and_missing_units_look_the_same(catalog, ledger_users, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1, village=VILLAGE_B), person(2, village="429901009999")])
    result = import_file(actor=ledger_users["cadre_a"], dataset=catalog["population"], path=path)
    assert {p.message for p in result.errors} == {"单位代码不存在或不在您的管理范围内"}


def test_village_cadre_imports_own_village(catalog, ledger_users, tmp_path, county):
    path = population_csv(tmp_path / "p.csv", [person(1), person(2)])
    result = import_file(actor=ledger_users["cadre_a"], dataset=catalog["population"], path=path)
    assert result.ok and result.created == 2
    assert AuditLog.objects.get(action="ledger.import").actor == ledger_users["cadre_a"]


def test_owner_department_imports_every_unit(catalog, ledger_users, tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(1), person(2, village=VILLAGE_B)])
    result = import_file(actor=ledger_users["clerk"], dataset=catalog["population"], path=path)
    assert result.ok and result.created == 2


def test_cadre_cannot_take_over_a_record_of_another_village(catalog, ledger_users, tmp_path):
    someone = person(1, village=VILLAGE_B)
    import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "a.csv", [someone]))
    moved = {**someone, "所属村（社区）代码": VILLAGE_A}
    result = import_file(actor=ledger_users["cadre_a"], dataset=catalog["population"],
                         path=population_csv(tmp_path / "b.csv", [moved]))
    assert [p.to_dict() for p in result.errors] == [{
        "row": 2, "column": "公民身份号码", "value": someone["公民身份号码"], "code": "out_of_scope_record",
        "message": "该记录属于您管理范围以外的单位，不能通过导入修改",
    }]
    assert Record.objects.get().data["unit_code"] == VILLAGE_B


def test_inactive_unit(catalog, county, tmp_path):
    county["village_b"].is_active = False
    county["village_b"].save()
    result = import_file(actor=None, dataset=catalog["population"],
                         path=population_csv(tmp_path / "p.csv", [person(1, village=VILLAGE_B)]))
    assert result.errors[0].message == "该单位已停用，不能导入数据"


# ---- the indicator database

INDICATOR_HEADERS = ["单位代码", "指标代码", "期间", "数值"]


def indicator_file(tmp_path, rows, name="i.csv", headers=INDICATOR_HEADERS):
    return write_csv(tmp_path / name, [headers, *rows])


def test_department_reports_its_indicator_for_every_township(catalog, county, indicators, ledger_users, tmp_path):
    path = indicator_file(tmp_path, [
        [county["town_a"].code, "enrol_rate", "2024-11", "99.5"],
        [county["town_b"].code, "enrol_rate", "2024年11月", "98"],
    ])
    result = import_file(actor=ledger_users["teacher"], dataset=catalog["indicator_values"], path=path)
    assert result.ok, result.errors
    values = dict(IndicatorValue.objects.values_list("unit__code", "value"))
    assert values == {county["town_a"].code: Decimal("99.5"), county["town_b"].code: Decimal("98")}
    assert set(IndicatorValue.objects.values_list("period", flat=True)) == {"2024-11"}
    catalog["indicator_values"].refresh_from_db()
    assert catalog["indicator_values"].record_count == 2


def test_department_cannot_report_another_departments_indicator(catalog, county, indicators, ledger_users,
                                                                tmp_path):
    path = indicator_file(tmp_path, [[county["town_a"].code, "grain_output", "2024-11", "12"]])
    result = import_file(actor=ledger_users["teacher"], dataset=catalog["indicator_values"], path=path)
    assert [p.to_dict() for p in result.errors] == [{
        "row": 2, "column": "指标代码", "value": "grain_output", "code": "unknown_indicator",
        "message": "指标“粮食产量”由县农业农村局报送，您不能导入该指标的数据",
    }]


def test_unknown_indicator(catalog, county, indicators, tmp_path):
    path = indicator_file(tmp_path, [[county["town_a"].code, "nope", "2024-11", "12"]])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=path)
    assert result.errors[0].to_dict() == {"row": 2, "column": "指标代码", "value": "nope", "code": "unknown_indicator",
                                          "message": "指标代码不存在"}


def test_indicator_value_rules(catalog, county, indicators, tmp_path):
    town = county["town_a"].code
    path = indicator_file(tmp_path, [
        [town, "enrol_rate", "2024-13", "1"],
        [county["town_b"].code, "enrol_rate", "2024-11", "1.23456"],
        [county["root"].code, "enrol_rate", "2024-11", "很多"],
    ])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=path)
    assert [(p.row, p.column, p.code, p.message) for p in result.errors] == [
        (2, "期间", "invalid_period", "期间的月份应在1至12之间"),
        (3, "数值", "invalid_decimal", "数值最多保留4位小数"),
        (4, "数值", "invalid_decimal", "应为数字"),
    ]


def test_period_option_fills_blank_and_missing_periods(catalog, county, indicators, tmp_path):
    town_a, town_b = county["town_a"].code, county["town_b"].code
    path = indicator_file(tmp_path, [[town_a, "enrol_rate", "", "1"], [town_b, "enrol_rate", "2024-11", "2"]])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=path, period="2024年11月")
    assert result.ok, result.errors
    assert result.period == "2024-11"
    without = indicator_file(tmp_path, [[town_a, "enrol_rate", "3"]], name="w.csv",
                             headers=["单位代码", "指标代码", "数值"])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=without, period="2024-11")
    assert (result.created, result.updated) == (0, 1)
    assert IndicatorValue.objects.get(unit__code=town_a).value == Decimal("3")


def test_period_column_is_required_without_the_option(catalog, county, indicators, tmp_path):
    without = indicator_file(tmp_path, [[county["town_a"].code, "enrol_rate", "3"]],
                             headers=["单位代码", "指标代码", "数值"])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=without)
    assert result.errors[0].message == "缺少必填列：期间"


def test_period_different_from_the_option_is_an_error(catalog, county, indicators, tmp_path):
    path = indicator_file(tmp_path, [[county["town_a"].code, "enrol_rate", "2024-10", "1"]])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=path, period="2024-11")
    assert [p.to_dict() for p in result.errors] == [{
        "row": 2, "column": "期间", "value": "2024-10", "code": "period_mismatch",
        "message": "期间与本次导入指定的期间（2024-11）不一致",
    }]


def test_invalid_period_option(catalog, indicators, tmp_path, county):
    path = indicator_file(tmp_path, [[county["town_a"].code, "enrol_rate", "2024-10", "1"]])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=path, period="上个月")
    assert result.errors[0].code == "invalid_period"
    assert result.errors[0].message.startswith("指定的期间无效")


def test_indicator_duplicates_and_updates_are_audited(catalog, county, indicators, tmp_path):
    town = county["town_a"].code
    duplicate = indicator_file(tmp_path, [[town, "enrol_rate", "2024-11", "1"], [town, "enrol_rate", "202411", "2"]])
    result = import_file(actor=None, dataset=catalog["indicator_values"], path=duplicate)
    assert result.errors[0].to_dict() == {
        "row": 3, "column": "单位代码、指标代码、期间", "value": f"{town}|enrol_rate|2024-11", "code": "duplicate",
        "message": "与第2行重复（单位代码、指标代码、期间均相同）",
    }
    import_file(actor=None, dataset=catalog["indicator_values"],
                path=indicator_file(tmp_path, [[town, "enrol_rate", "2024-11", "1.50"]], name="a.csv"))
    same = import_file(actor=None, dataset=catalog["indicator_values"],
                       path=indicator_file(tmp_path, [[town, "enrol_rate", "2024-11", "1.5"]], name="b.csv"))
    assert (same.unchanged, same.updated) == (1, 0)
    changed = import_file(actor=None, dataset=catalog["indicator_values"],
                          path=indicator_file(tmp_path, [[town, "enrol_rate", "2024-11", "2"]], name="c.csv"))
    assert changed.updated == 1
    entry = AuditLog.objects.get(action="ledger.indicator_value.update")
    assert (entry.before, entry.after) == ({"value": "1.5"}, {"value": "2"})
