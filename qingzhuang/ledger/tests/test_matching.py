"""Matching free-Chinese field lists against the catalog."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingzhuang.ledger import matching
from qingzhuang.ledger.models import DataElement, Dataset, DatasetColumn


def summary(matches):
    return [(m.field, m.element.name if m.element else None, m.score, [d.code for d in m.datasets])
            for m in matches]


def test_the_issues_example_is_all_held_by_population(catalog):
    matches = matching.find_fields("身份证号、户籍地址、是否低保、手机号")
    assert summary(matches) == [
        ("身份证号", "公民身份号码", 1.0, ["population"]),
        ("户籍地址", "居住地址", 1.0, ["population"]),
        ("是否低保", "特殊群体", 1.0, ["population"]),
        # 法人单位 holds phones too, but 人口基础信息 holds all four fields of this list.
        ("手机号", "联系电话", 1.0, ["population", "legal_entities"]),
    ]
    assert [m.label for m in matches] == ["身份证号", "户籍地址", "是否低保", "手机号"]
    assert all(m.held for m in matches)
    assert matches[0].dataset.owner == "县委办公室"


def test_an_unknown_field_is_unmatched(catalog):
    (match,) = matching.find_fields("家中养狗数量")
    assert (match.element, match.score, match.datasets, match.held) == (None, 0.0, [], False)


def test_fuzzy_matches_with_scores(catalog):
    assert summary(matching.find_fields("现居住地址；出生年月日，房屋面积/联系人电话")) == [
        ("现居住地址", "居住地址", 0.92, ["population"]),
        ("出生年月日", "出生日期", 0.92, ["population"]),
        ("房屋面积", "建筑面积", 0.8, ["housing"]),
        ("联系人电话", "联系电话", 0.76, ["population", "legal_entities"]),
    ]


def test_column_names_and_codes_match(catalog):
    assert summary(matching.find_fields("所属村(社区)代码 id_number")) == [
        ("所属村(社区)代码", "单位代码", 1.0,
         ["population", "events", "housing", "indicator_values", "legal_entities"]),
        ("id_number", "公民身份号码", 1.0, ["population"]),
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


def test_an_element_held_by_no_dataset_is_matched_but_not_held(catalog):
    DataElement.objects.create(code="dog_count", name="养犬数量", category="object", synonyms=["家中养狗数量"])
    (match,) = matching.find_fields("家中养狗数量")
    assert match.matched and not match.held and match.element.name == "养犬数量"
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
    assert [d.code for d in match.datasets] == ["dibao", "population"]  # equally empty: by code


def test_not_asked_is_held_fields_times_units(catalog):
    matches = matching.find_fields("身份证号、户籍地址、是否低保、手机号、家中养狗数量")
    assert matching.not_asked(matches, 7) == 28


@pytest.mark.parametrize("text", ["身份证号、户籍地址、是否低保、手机号"])
def test_find_result_document(catalog, county, text):
    result = matching.find_result(text, target_units=3)
    assert (result["held"], result["remaining"], result["target_units"], result["not_asked"]) == (4, 0, 3, 12)
    first = result["fields"][0]
    assert {k: first[k] for k in ("field", "matched", "element", "element_code", "score")} == {
        "field": "身份证号", "matched": True, "element": "公民身份号码", "element_code": "id_number", "score": 1.0}
    assert first["datasets"][0] == {"code": "population", "name": "人口基础信息", "owner": "县委办公室",
                                    "owner_code": "429901900001", "update_period": "月", "last_updated": None,
                                    "records": 0, "freshness": "empty"}
