"""Matching free-Chinese field lists against the catalog."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingzhuang.ledger import matching
from qingzhuang.ledger.models import DataElement, Dataset, DatasetColumn


def summary(matches):
    return [(m.field, m.outcome, m.element.name if m.element else None, m.score, [d.code for d in m.datasets])
            for m in matches]


def test_the_issues_example_tells_same_from_similar(catalog):
    matches = matching.find_fields("身份证号、户籍地址、是否低保、手机号")
    assert summary(matches) == [
        ("身份证号", "exact", "公民身份号码", 1.0, ["population"]),
        # 户籍地址 is not where one lives: the catalog declares it near 居住地址, not the same.
        ("户籍地址", "related", "居住地址", 0.9, ["population"]),
        # 是否低保 is answered by a value of 特殊群体's code list, not by 特殊群体 itself.
        ("是否低保", "related", "特殊群体", 0.8, ["population"]),
        # 法人单位 holds phones too, but 人口基础信息 holds the other fields of this list.
        ("手机号", "exact", "联系电话", 1.0, ["population", "legal_entities"]),
    ]
    assert [(m.outcome_label, m.reason) for m in matches] == [
        ("已有（同一数据项）", "同义词：身份证号"),
        ("相近（需确认）", "目录登记为“居住地址”的相近字段"),
        ("相近（需确认）", "代码表含“低保对象”"),
        ("已有（同一数据项）", "同义词：手机号"),
    ]
    assert [m.held for m in matches] == [True, False, False, True]
    assert matches[0].dataset.owner == "县委办公室"


def test_an_element_name_is_exact(catalog):
    (match,) = matching.find_fields("居住地址")
    assert (match.outcome, match.score, match.reason, match.held) == ("exact", 1.0, "名称相同", True)


def test_a_field_named_by_its_value_reaches_the_element_through_its_code_list(catalog):
    (match,) = matching.find_fields("是否残疾")
    assert (match.outcome, match.element.code, match.label, match.reason, match.basis) == (
        "related", "special_groups", "残疾人", "代码表含“残疾人”", "code_list")
    assert match.score == 0.87 and not match.held


def test_code_list_matching_follows_the_catalogs_data(catalog):
    # Without 残疾人 in 特殊群体's code list, nothing answers 是否残疾 ...
    groups = DataElement.objects.get(code="special_groups")
    groups.code_list = [v for v in groups.code_list if v != "残疾人"]
    groups.save()
    (match,) = matching.find_fields("是否残疾")
    assert (match.outcome, match.element) == ("none", None)
    # ... and a county's own element whose code list holds 持证残疾人 does.
    element = DataElement.objects.create(code="disabled_cert", name="证件类别", category="person",
                                         value_type="code", code_list=["持证残疾人", "无"])
    dataset = Dataset.objects.create(code="disabled", name="残疾人名册", category="person")
    DatasetColumn.objects.create(dataset=dataset, element=element, name="证件类别", position=0)
    (match,) = matching.find_fields("是否残疾")
    assert (match.outcome, match.element.name, match.reason, [d.code for d in match.datasets]) == (
        "related", "证件类别", "代码表含“持证残疾人”", ["disabled"])


def test_a_related_match_is_never_scored_one(catalog):
    # 残疾人 is exactly a value of the code list, still only near the element 特殊群体.
    (match,) = matching.find_fields("残疾人")
    assert (match.outcome, match.score) == ("related", 0.9)


def test_an_unknown_field_is_not_found(catalog):
    (match,) = matching.find_fields("家中养狗数量")
    assert (match.outcome, match.outcome_label, match.reason) == ("none", "未找到", "一套表中没有")
    assert (match.element, match.score, match.datasets, match.held) == (None, 0.0, [], False)


def test_similar_names_are_related_with_scores(catalog):
    assert summary(matching.find_fields("现居住地址；出生年月日，房屋面积/联系人电话")) == [
        ("现居住地址", "related", "居住地址", 0.9, ["population"]),  # 0.92 similar, capped
        ("出生年月日", "related", "出生日期", 0.9, ["population"]),
        ("房屋面积", "related", "建筑面积", 0.8, ["housing"]),
        ("联系人电话", "related", "联系电话", 0.76, ["population", "legal_entities"]),
    ]
    assert matching.find_fields("现居住地址")[0].reason == "名称相近：居住地址"


def test_a_related_field_leans_to_the_datasets_of_the_lists_exact_fields(catalog):
    # 地址 is as near 居住地址 (人口) as 登记地址 (法人单位): the rest of the list decides.
    assert [m.element.code for m in matching.find_fields("身份证号、地址")] == ["id_number", "home_address"]
    assert [m.element.code for m in matching.find_fields("统一社会信用代码、地址")] == ["credit_code", "reg_address"]


def test_column_names_and_codes_match(catalog):
    assert summary(matching.find_fields("所属村(社区)代码 id_number")) == [
        ("所属村(社区)代码", "exact", "单位代码", 1.0,
         ["population", "events", "housing", "indicator_values", "legal_entities"]),
        ("id_number", "exact", "公民身份号码", 1.0, ["population"]),
    ]


def test_full_width_and_noise_are_normalised():
    assert matching.normalise("是否 低保（信息）") == "低保"
    assert matching.normalise("ＩＤ＿ＮＵＭＢＥＲ") == "idnumber"
    assert matching.normalise("姓名的情况") == "姓名"
    assert matching.normalise("信息") == "信息"  # noise alone is kept, not matched to nothing


def test_split_fields_on_every_separator_and_drops_duplicates():
    assert matching.split_fields("姓名、性别，电话,地址；民族;籍贯／学历/职业 住址\n身份证\r\n姓名 是否姓名") == [
        "姓名", "性别", "电话", "地址", "民族", "籍贯", "学历", "职业", "住址", "身份证"]
    assert matching.split_fields(" 、 ,") == []


def test_similarity():
    assert matching.similarity("居住地址", "居住地址") == 1.0
    assert matching.similarity("现居住地址", "居住地址") == 0.92  # containment, 4 of 5 characters
    assert matching.similarity("养狗数量", "数值") == 0.0
    assert matching.similarity("", "姓名") == 0.0


def test_an_element_held_by_no_dataset_is_matched_but_not_found(catalog):
    DataElement.objects.create(code="dog_count", name="养犬数量", category="object", synonyms=["家中养狗数量"])
    (match,) = matching.find_fields("家中养狗数量")
    assert match.matched and not match.held and match.element.name == "养犬数量"
    assert (match.outcome, match.reason) == ("none", "目录中有“养犬数量”，但没有数据集收录")
    assert match.to_json()["matched"] is False


def test_freshness(catalog):
    now = timezone.now()
    assert matching.freshness(None, "monthly", now) == "empty"
    assert matching.freshness(now - dt.timedelta(days=20), "monthly", now) == "ok"
    assert matching.freshness(now - dt.timedelta(days=40), "monthly", now) == "overdue"
    assert matching.freshness(now - dt.timedelta(days=40), "quarterly", now) == "ok"
    assert matching.freshness(now - dt.timedelta(days=4000), "irregular", now) == "ok"


def test_dataset_facts_are_reported(catalog):
    Dataset.objects.filter(code="population").update(record_count=720_000, last_updated_at=timezone.now())
    (match,) = matching.find_fields("身份证号")
    hit = match.dataset
    assert (hit.code, hit.name, hit.owner, hit.records, hit.freshness, hit.update_period_label) == (
        "population", "人口基础信息", "县委办公室", 720_000, "ok", "月")


def test_a_county_defined_column_name_is_matched(catalog):
    dataset = Dataset.objects.create(code="dibao", name="低保名册", category="person")
    DatasetColumn.objects.create(dataset=dataset, element=DataElement.objects.get(code="special_groups"),
                                 name="保障类别", position=0)
    (match,) = matching.find_fields("保障类别")
    assert match.element.code == "special_groups" and match.label == "保障类别"
    assert (match.outcome, match.reason) == ("exact", "数据集列名：保障类别")
    assert [d.code for d in match.datasets] == ["dibao", "population"]  # equally empty: by code


def test_not_asked_counts_only_exact_fields_times_units(catalog):
    # 身份证号 and 手机号 are the same data items; 户籍地址 and 是否低保 only near ones.
    matches = matching.find_fields("身份证号、户籍地址、是否低保、手机号、家中养狗数量")
    assert matching.not_asked(matches, 7) == 14


@pytest.mark.parametrize("text", ["身份证号、户籍地址、是否低保、手机号、家中养狗数量"])
def test_find_result_document(catalog, county, text):
    result = matching.find_result(text, target_units=3)
    assert {k: result[k] for k in ("held", "related", "unmatched", "remaining", "target_units", "not_asked")} == {
        "held": 2, "related": 2, "unmatched": 1, "remaining": 3, "target_units": 3, "not_asked": 6}
    keys = ("field", "matched", "outcome", "outcome_label", "basis", "reason", "element", "element_code", "score")
    assert [{k: f[k] for k in keys} for f in result["fields"]] == [
        {"field": "身份证号", "matched": True, "outcome": "exact", "outcome_label": "已有（同一数据项）",
         "basis": "synonym", "reason": "同义词：身份证号", "element": "公民身份号码", "element_code": "id_number",
         "score": 1.0},
        {"field": "户籍地址", "matched": False, "outcome": "related", "outcome_label": "相近（需确认）",
         "basis": "near_field", "reason": "目录登记为“居住地址”的相近字段", "element": "居住地址",
         "element_code": "home_address", "score": 0.9},
        {"field": "是否低保", "matched": False, "outcome": "related", "outcome_label": "相近（需确认）",
         "basis": "code_list", "reason": "代码表含“低保对象”", "element": "特殊群体", "element_code": "special_groups",
         "score": 0.8},
        {"field": "手机号", "matched": True, "outcome": "exact", "outcome_label": "已有（同一数据项）",
         "basis": "synonym", "reason": "同义词：手机号", "element": "联系电话", "element_code": "phone", "score": 1.0},
        {"field": "家中养狗数量", "matched": False, "outcome": "none", "outcome_label": "未找到", "basis": "",
         "reason": "一套表中没有", "element": None, "element_code": None, "score": 0.0},
    ]
    first = result["fields"][0]
    assert first["datasets"][0] == {"code": "population", "name": "人口基础信息", "owner": "县委办公室",
                                    "owner_code": "429901900001", "update_period": "月", "last_updated": None,
                                    "records": 0, "freshness": "empty"}


def test_the_migration_corrects_an_older_built_in_catalog(catalog):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("qingzhuang.ledger.migrations.0011_match_outcomes")
    DataElement.objects.filter(code="home_address").update(
        synonyms=["现住址", "户籍地址", "居住地"], related_names=[])
    DataElement.objects.filter(code="special_groups").update(synonyms=["是否低保", "低保", "重点人群", "是否残疾"])
    migration.correct_catalog(apps, None)
    home, groups = DataElement.objects.get(code="home_address"), DataElement.objects.get(code="special_groups")
    assert (home.synonyms, home.related_names) == (["现住址", "居住地"], ["户籍地址", "户籍所在地", "户口所在地"])
    assert groups.synonyms == ["重点人群"]
    assert matching.find_fields("户籍地址")[0].outcome == "related"
