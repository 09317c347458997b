"""一表做总结: the three sources (ledger dataset, indicators, upload), read within the user's scope."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from openpyxl import Workbook

from qingzhuang.assistant import summaries
from qingzhuang.assistant.summary_sources import (
    SummaryError,
    dataset_figures,
    indicator_figures,
    summary_units,
    upload_figures,
)
from qingzhuang.ledger.builtins import ensure_builtin_catalog
from qingzhuang.ledger.models import Dataset, Direction, Indicator, IndicatorValue, Record


@pytest.fixture
def indicator_data(county):
    """Two indicators of 县统计局 for 甲镇 and 乙镇: 2025-11, the month before and a year before."""
    grain = Indicator.objects.create(code="grain", name="粮食产量", owner=county["stats"], measure_unit="吨")
    accidents = Indicator.objects.create(code="accidents", name="安全事故", owner=county["stats"],
                                         measure_unit="起", direction=Direction.LOWER)
    values = {
        grain: {"town_a": {"2025-11": 1200, "2025-10": 1000, "2024-11": 1100},
                "town_b": {"2025-11": 800, "2025-10": 900, "2024-11": 700}},
        accidents: {"town_a": {"2025-11": 3, "2025-10": 4, "2024-11": 6},
                    "town_b": {"2025-11": 5, "2025-10": 2, "2024-11": 5}},
    }
    for indicator, by_unit in values.items():
        for unit, by_period in by_unit.items():
            for period, value in by_period.items():
                IndicatorValue.objects.create(unit=county[unit], indicator=indicator, period=period,
                                              value=D(value))
    # The village's own value is not one of the county's children: it must not be counted.
    IndicatorValue.objects.create(unit=county["village_a"], indicator=grain, period="2025-11", value=D(999))
    return {"grain": grain, "accidents": accidents}


@pytest.fixture
def population(county):
    ensure_builtin_catalog()
    dataset = Dataset.objects.get(code="population")
    dataset.owner = county["office"]
    dataset.save()
    rows = [("village_a", "低保对象、残疾人"), ("village_a", "低保对象"), ("grid_a", ""), ("village_b", "残疾人")]
    for n, (unit, groups) in enumerate(rows):
        Record.objects.create(dataset=dataset, unit=county[unit], key=f"k{n}",
                              data={"name": f"人{n}", "special_groups": groups})
    return dataset


# ---------------------------------------------------------------------------------------------
# (b) Indicators


def test_indicator_figures_for_the_county(indicator_data, users):
    figures = indicator_figures(users["leader"], unit_code="429901000000", period="2025-11")
    assert figures.title == "青山县2025年11月主要指标完成情况总结"
    assert (figures.subject, figures.noun, figures.item_count) == ("全县", "乡镇", 2)
    accidents, grain = figures.measures  # by indicator code
    assert grain.name == "粮食产量"
    assert [(i.name, i.value) for i in grain.items] == [("甲镇", D(1200)), ("乙镇", D(800))]
    assert (grain.total, grain.previous_total, grain.last_year_total) == (D(2000), D(1900), D(1800))
    assert (grain.mom, grain.yoy) == (D("5.3"), D("11.1"))
    assert (grain.best.name, grain.worst.name) == ("甲镇", "乙镇")
    # Fewer accidents is better: 甲镇 (3) is best, 乙镇 (5, up from 2) worst and worsened.
    assert (accidents.total, accidents.mom, accidents.yoy) == (D(8), D("33.3"), D("-27.3"))
    assert (accidents.best.name, accidents.worst.name) == ("甲镇", "乙镇")
    assert [(i.name, i.mom) for i in accidents.declined] == [("乙镇", D("150.0"))]
    assert [(i.name, i.mom) for i in accidents.improved] == [("甲镇", D("-25.0"))]


def test_indicator_summary_text(indicator_data, users):
    figures = indicator_figures(users["leader"], unit_code="429901000000", period="2025-11")
    summary = summaries.make_summary(figures, use_llm=False)
    sections = dict(summary.sections)
    assert sections["总体情况"] == [
        "2025年11月，全县2个乡镇安全事故合计8起，较上月增长33.3%，较去年同期下降27.3%。"
        "粮食产量合计2,000吨，较上月增长5.3%，较去年同期增长11.1%。"]
    assert sections["主要成效"] == [
        "安全事故方面，甲镇为3起，在各乡镇中最低。甲镇较上月下降25.0%。",
        "粮食产量方面，甲镇为1,200吨，在各乡镇中最高。甲镇较上月增长20.0%。"]
    assert sections["存在问题"] == ["乙镇安全事故为5起，在各乡镇中最高；乙镇安全事故较上月上升150.0%。",
                                "乙镇粮食产量为800吨，在各乡镇中最低；乙镇粮食产量较上月下降11.1%。"]
    assert summary.notices == []
    assert summaries.unknown_numbers(summary.text(), figures.allowed_numbers()) == []


def test_indicator_unit_outside_scope_is_404(indicator_data, users, county):
    outsider = users["outsider"]  # 乙镇
    with pytest.raises(Http404):
        indicator_figures(outsider, unit_code=county["town_a"].code, period="2025-11")
    with pytest.raises(Http404):
        indicator_figures(outsider, unit_code="429901000000", period="2025-11")
    with pytest.raises(Http404):
        indicator_figures(outsider, unit_code="no-such-unit", period="2025-11")
    assert county["town_a"] not in summary_units(outsider)


def test_indicator_figures_for_a_township_member(indicator_data, users, county):
    figures = indicator_figures(users["member"], unit_code=county["town_a"].code, period="2025-11")
    assert (figures.subject, figures.noun, figures.item_count) == ("甲镇", "村", 1)
    (grain,) = figures.measures
    assert [(i.name, i.value) for i in grain.items] == [("甲村", D(999))]
    assert (grain.best, grain.mom) == (None, None)


def test_indicator_month_without_data_and_bad_month(indicator_data, users, county):
    figures = indicator_figures(users["member"], unit_code=county["town_a"].code, period="2025-09")
    summary = summaries.make_summary(figures, use_llm=False)
    assert (summary.empty, summary.sections, summary.table) == (True, [], None)
    assert summary.message == "甲镇及其下属单位2025年9月暂无指标数据，无法生成总结。"
    with pytest.raises(SummaryError) as err:
        indicator_figures(users["leader"], unit_code="429901000000", period="2025-13")
    assert err.value.messages == ["月份“2025-13”格式不对，应为YYYY-MM，例如2025-11"]


# ---------------------------------------------------------------------------------------------
# (a) A ledger dataset


def test_dataset_figures_by_township_with_special_groups(population, users):
    figures = dataset_figures(users["leader"], code="population", level="township", column="special_groups")
    assert figures.title == "青山县人口基础信息数据情况总结"
    assert (figures.subject, figures.noun, figures.item_count) == ("全县", "乡镇", 2)
    people, poor, disabled = figures.measures
    assert [(i.name, i.value, i.share) for i in people.items] == [
        ("甲镇", D(3), D("75.0")), ("乙镇", D(1), D("25.0"))]
    assert (poor.name, [i.value for i in poor.items]) == ("低保对象", [D(2), D(0)])
    assert (disabled.name, [i.value for i in disabled.items]) == ("残疾人", [D(1), D(1)])
    summary = summaries.make_summary(figures, use_llm=False)
    assert dict(summary.sections)["总体情况"] == [
        "截至目前，一套表“人口基础信息”数据集中全县共登记4人，分布在2个乡镇。", "按特殊群体统计，低保对象2人，残疾人2人。"]
    assert summary.notices == []


def test_dataset_figures_are_scoped_to_the_users_subtree(population, users):
    figures = dataset_figures(users["member"], code="population", level="village")
    assert (figures.subject, figures.noun) == ("甲镇", "村")
    assert [(i.name, i.value) for i in figures.measures[0].items] == [("甲村", D(3))]


def test_dataset_that_cannot_be_read_is_404(population, users):
    with pytest.raises(Http404):
        dataset_figures(users["nobody"], code="population")  # no unit, no scope
    with pytest.raises(Http404):
        dataset_figures(users["leader"], code="no_such_dataset")
    with pytest.raises(Http404):
        dataset_figures(users["leader"], code="indicator_values")  # not a records dataset


def test_dataset_column_must_be_a_code_column(population, users):
    with pytest.raises(SummaryError) as err:
        dataset_figures(users["leader"], code="population", column="name")
    assert err.value.messages == ["数据集“人口基础信息”没有可分类统计的字段“name”"]


# ---------------------------------------------------------------------------------------------
# (c) Uploads


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows: list[list], name: str = "各乡镇完成情况表.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX_TYPE)


def test_upload_completion_against_target_and_total_row_ignored(db):
    upload = xlsx([
        ["各乡镇11月完成情况表"],
        ["乡镇", "完成数（户）", "目标数", "上月完成数", "去年同期"],
        ["甲镇", 450, 400, 400, 380],
        ["乙镇", 300, 350, 320, 290],
        ["合计", 999, 750, 720, 670],
    ])
    figures = upload_figures(upload, period="2025-11")
    assert figures.title == "各乡镇完成情况总结"  # from the file name
    assert (figures.noun, figures.item_count, figures.previous_label) == ("乡镇", 2, "上月")
    (m,) = figures.measures
    assert (m.name, m.unit, m.has_target, m.has_previous, m.has_last_year) == ("完成数", "户", True, True, True)
    assert [i.name for i in m.items] == ["甲镇", "乙镇"]  # the 合计 row is not an item
    assert (m.total, m.target_total, m.completion) == (D(750), D(750), D("100.0"))
    assert [i.completion for i in m.items] == [D("112.5"), D("85.7")]
    assert (m.best.name, m.worst.name) == ("甲镇", "乙镇")
    assert (m.mom, m.yoy) == (D("4.2"), D("11.9"))
    assert figures.notices == ["表中第5行合计的“完成数（户）”为999，与逐项相加的750不一致，已按逐项相加重新计算"]


def test_upload_bad_numeric_cell_error_is_exact(db):
    upload = xlsx([
        ["乡镇", "完成数", "目标"],
        ["甲镇", 450, 400],
        ["乙镇", 300, 350],
        ["丙镇", 120, 100],
        ["丁镇", "abc", 100],
    ])
    with pytest.raises(SummaryError) as err:
        upload_figures(upload)
    assert err.value.messages == ["第5行“完成数”列的值“abc”不是数字"]


def test_upload_blank_and_duplicate_names(db):
    upload = xlsx([["单位名称", "数量"], ["甲镇", 1], [None, 2], ["甲镇", 3]])
    with pytest.raises(SummaryError) as err:
        upload_figures(upload)
    assert err.value.messages == ["第3行“单位名称”列是空的，请填写单位或项目名称", "第4行的名称“甲镇”与第2行重复"]


def test_upload_gbk_csv_with_two_row_header(db):
    text = "村,本月,,上月,\n,户数,人数,户数,人数\n甲村,10,30,8,20\n乙村,5,12,5,15\n合计,15,42,13,35\n"
    upload = SimpleUploadedFile("村情.csv", text.encode("gbk"), content_type="text/csv")
    figures = upload_figures(upload, title="11月村情简报")
    assert figures.title == "11月村情简报"
    households, people = figures.measures
    assert (households.name, households.total, households.previous_total, households.mom) == (
        "本月户数", D(15), D(13), D("15.4"))
    assert (people.name, people.total, people.previous_total, people.mom) == ("本月人数", D(42), D(35), D("20.0"))
    assert figures.notices == []


def test_upload_refuses_other_files(db):
    with pytest.raises(SummaryError) as err:
        upload_figures(SimpleUploadedFile("a.docx", b"PK\x03\x04"))
    assert err.value.messages == ["不支持的文件类型，请上传 xlsx、xls 或 csv 文件"]
    with pytest.raises(SummaryError) as err:
        upload_figures(SimpleUploadedFile("a.xlsx", b"not a zip"))
    assert err.value.message.startswith("文件不是有效的 xlsx 文件")
    with pytest.raises(SummaryError) as err:
        upload_figures(xlsx([["乡镇", "备注"], ["甲镇", "好"]]))
    assert err.value.messages == ["表格中没有数字列，无法生成总结：第一列应为单位或项目名称，其后为数字列"]


def test_upload_size_limit(db, settings):
    settings.QZ_IMPORT_MAX_BYTES = 100
    with pytest.raises(SummaryError) as err:
        upload_figures(SimpleUploadedFile("a.csv", b"x" * 500))
    assert err.value.messages == ["文件大小超过上限（1 KB），请拆分后分批导入"]


def test_values_in_wan_yuan_pass_the_number_check(county, users):
    """"129,267.7万元" reads as the number 129267.7万: it is the figure 129267.7 in 万元, not unknown."""
    investment = Indicator.objects.create(code="investment", name="固定资产投资完成额", owner=county["stats"],
                                          measure_unit="万元")
    for unit, value in (("town_a", "129267.7"), ("town_b", "4.85")):
        IndicatorValue.objects.create(unit=county[unit], indicator=investment, period="2025-11", value=D(value))
    summary = summaries.make_summary(indicator_figures(users["leader"], unit_code="429901000000", period="2025-11"),
                                     use_llm=False)
    assert summary.notices == []
    assert "固定资产投资完成额合计129,272.55万元" in summary.sections[0][1][0]


def test_township_without_village_values_summarises_itself(indicator_data, users):
    figures = indicator_figures(users["outsider"], unit_code="429901002000", period="2025-11")  # 乙镇
    accidents, grain = figures.measures
    assert [(i.name, i.value, i.previous, i.last_year) for i in grain.items] == [("乙镇", D(800), D(900), D(700))]
    assert grain.mom == D("-11.1")


def test_department_summarises_its_own_indicators_for_the_county(indicator_data, county):
    from conftest import make_user

    stats = make_user("stats_reporter", county["stats"], "部门填报员")
    figures = indicator_figures(stats, unit_code="429901000000", period="2025-11")
    assert [m.name for m in figures.measures] == ["安全事故", "粮食产量"]
    assert "乙镇" in [u.name for u in summary_units(stats)]
    office = make_user("office_clerk", county["office"], "部门填报员")  # reports no indicator
    with pytest.raises(Http404):
        indicator_figures(office, unit_code="429901000000", period="2025-11")
    Indicator.objects.create(code="petitions", name="信访件数", owner=county["office"])
    figures = indicator_figures(office, unit_code="429901000000", period="2025-11")
    assert figures.nothing_to_summarise() == "青山县及其下属单位2025年11月暂无指标数据，无法生成总结。"
