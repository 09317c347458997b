"""The scheme file: reading YAML and JSON, every validation problem with its exact message, writing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qingzhuang.assessment import schemefile
from qingzhuang.assessment.tests.scheme_world import CODES, EXAMPLE, small

KNOWN = set(CODES)


def problems_of(document) -> list[tuple]:
    data, problems = schemefile.validate(document, known_codes=KNOWN)
    assert data is None
    return [(p.row, p.column, p.value, p.code, p.message) for p in problems]


def only(document) -> tuple:
    found = problems_of(document)
    assert len(found) == 1, found
    return found[0]


def test_small_document_is_valid():
    data, problems = schemefile.validate(small(), known_codes=KNOWN)
    assert problems == []
    assert data.code == "township-2025"
    assert data.target_kinds == ["township", "street"]
    assert (data.daily_weight, data.exam_weight) == (Decimal(90), Decimal(10))
    assert [(r.code, r.weight, r.aggregate, r.method, r.params, r.missing) for r in data.indicators] == [
        ("ZB0101", Decimal(60), "sum", "ratio", {"target": "100000"}, "zero"),
        ("ZB0601", Decimal(40), "mean", "rank", {}, "reweight"),
    ]
    assert data.bonus == [("省级以上表彰", Decimal(3))]
    assert data.grades[-1] == ("较差", Decimal(0))
    assert data.exam_criteria == {"开拓创新度": 30, "部门协同度": 30, "群众满意度": 40}
    assert data.trend == {}


def test_example_file_is_valid():
    data, problems = schemefile.read(EXAMPLE.read_bytes(), EXAMPLE.name, known_codes=KNOWN)
    assert problems == []
    assert len(data.indicators) == 21
    assert sum(row.weight for row in data.indicators) == 100
    assert len({row.method for row in data.indicators}) >= 5
    assert data.trend == {"indicators": {"ZB0101": 15, "ZB0104": 10, "ZB0203": 10, "ZB0401": 15, "ZB1101": 10,
                                         "ZB1102": 10, "ZB1202": 10, "ZB1501": 10, "ZB1502": 10},
                          "threshold": Decimal("-0.6")}


def test_yaml_floats_are_read_as_exact_decimals():
    text = schemefile.dump(small()).replace("weight: 60", "weight: 59.9").replace("weight: 40", "weight: 40.1")
    data, problems = schemefile.read(text, "a.yaml", known_codes=KNOWN)
    assert problems == []
    assert [row.weight for row in data.indicators] == [Decimal("59.9"), Decimal("40.1")]


def test_json_file_is_read():
    text = json.dumps(schemefile.plain(small(indicators=[
        {"indicator": "ZB0101", "weight": 99.5, "method": "target", "params": {"target": 1}},
        {"indicator": "ZB0201", "weight": 0.5, "method": "minmax"}])), ensure_ascii=False)
    data, problems = schemefile.read(text.encode(), "s.json", known_codes=KNOWN)
    assert problems == []
    assert [row.weight for row in data.indicators] == [Decimal("99.5"), Decimal("0.5")]
    assert data.indicators[1].aggregate == "sum" and data.indicators[1].missing == "zero"


def test_gbk_file_is_tolerated():
    text = schemefile.dump(small())
    data, problems = schemefile.read(text.encode("gbk"), "s.yaml", known_codes=KNOWN)
    assert problems == []
    assert data.name == "2025年度乡镇（街道）综合考核"


# -- the file as a whole


@pytest.mark.parametrize(("raw", "filename", "code", "message"), [
    (b"x" * (1024 * 1024 + 1), "a.yaml", "too_large", "文件超过 1 MB，请精简后再上传"),
    (b"\xff\xfe\x00\x81\xff", "a.yaml", "bad_encoding", "文件不是 UTF-8 或 GBK 编码的文本"),
    (b"   \n", "a.yaml", "empty", "文件是空的"),
    (b"a: &x [1, 2]\nb: *x\n", "a.yaml", "yaml_alias", "文件含有 YAML 锚点或别名（& 或 *），不予读取"),
    (b"- 1\n- 2\n", "a.yaml", "not_mapping", "文件的顶层应为键值对（code、name、year 等），而不是列表或单个值"),
    (b"code: [1,\n", "a.yaml", "syntax", "文件不是有效的 YAML：第 2 行第 1 列附近有语法错误"),
    (b'{"code": 1,}', "a.json", "syntax", "文件不是有效的 JSON：第 1 行第 12 列附近有语法错误"),
    (b"[1]", "a.json", "not_mapping", "文件的顶层应为键值对（code、name、year 等），而不是列表或单个值"),
])
def test_file_refused_as_a_whole(raw, filename, code, message):
    data, problems = schemefile.read(raw, filename, known_codes=KNOWN)
    assert data is None
    assert [(p.row, p.column, p.code, p.message) for p in problems] == [(0, None, code, message)]


def test_billion_laughs_is_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    data, problems = schemefile.read(bomb, "bomb.yaml", known_codes=KNOWN)
    assert data is None and problems[0].code == "yaml_alias"


def test_python_tags_are_refused():
    data, problems = schemefile.read("code: !!python/object/apply:os.system [ls]\n", "a.yaml", known_codes=KNOWN)
    assert data is None
    assert problems[0].code == "syntax"


# -- the header


def test_unknown_and_missing_keys():
    document = small(colour="red")
    del document["grades"]
    assert problems_of(document) == [
        (0, "colour", None, "unknown_key",
         "未知的键 colour，可用：code、name、year、target_kinds、parts、indicators、bonus、deductions、grades、exam、trend"),
        (0, "grades", None, "missing", "缺少必填项 grades"),
    ]


@pytest.mark.parametrize(("change", "expected"), [
    ({"code": "乡镇 2025"}, (0, "code", "乡镇 2025", "bad_code", schemefile.M_CODE)),
    ({"name": " "}, (0, "name", " ", "bad_name", "方案名称不能为空，不超过 200 个字")),
    ({"year": 1999}, (0, "year", "1999", "bad_year", "考核年度应为 2000 到 2100 之间的整数")),
    ({"year": "2025"}, (0, "year", "2025", "bad_year", "考核年度应为 2000 到 2100 之间的整数")),
    ({"target_kinds": ["乡镇", "县"]},
     (0, "target_kinds[2]", "县", "unknown_kind", "未知的单位类型 县，可选：乡镇、街道、部门、村、社区")),
    ({"target_kinds": []}, (0, "target_kinds", None, "bad_kinds", "考核对象类型至少要有一个")),
    ({"target_kinds": "乡镇"}, (0, "target_kinds", "乡镇", "bad_kinds", "考核对象类型应为单位类型的列表，例如 [乡镇, 街道]")),
    ({"parts": {"平时": 90, "附加": 10}},
     (0, "parts", '{"平时": 90, "附加": 10}', "bad_parts", "考核构成应为 平时 和 期末 两部分，例如 {平时: 90, 期末: 10}")),
    ({"parts": {"平时": 80, "期末": 10}},
     (0, "parts", '{"平时": 80, "期末": 10}', "parts_sum", "平时和期末权重合计应为 100，现为 90")),
])
def test_header_problems(change, expected):
    assert only(small(**change)) == expected


# -- indicators


def _rows(*rows):
    return small(indicators=list(rows))


def _row(code="ZB0101", weight=100, **extra):
    return {"indicator": code, "weight": weight, "method": "target", "params": {"target": 1}, **extra}


def test_weights_must_sum_to_exactly_100():
    assert only(_rows(_row(weight=Decimal("59.5")), _row("ZB0201", 40))) == (
        0, "indicators", "99.5", "weight_sum", "指标权重合计应为 100，现为 99.5")


@pytest.mark.parametrize(("row", "expected"), [
    (_row("ZB9999"), (1, "indicators[1].indicator", "ZB9999", "unknown_indicator", "指标库中没有指标 ZB9999")),
    (_row(weight=0), (1, "indicators[1].weight", "0", "bad_weight", "权重应为大于 0 的数字，最多 4 位小数")),
    (_row(weight=True), (1, "indicators[1].weight", "True", "bad_weight", "权重应为大于 0 的数字，最多 4 位小数")),
    (_row(weight=Decimal("100.00001")),
     (1, "indicators[1].weight", "100.00001", "bad_weight", "权重应为大于 0 的数字，最多 4 位小数")),
    (_row(aggregate="max"), (1, "indicators[1].aggregate", "max", "bad_aggregate", "汇总方式应为 sum、mean、last 或 yoy")),
    (_row(missing="skip"), (1, "indicators[1].missing", "skip", "bad_missing", "缺报处理应为 zero、reweight 或 last")),
    ({**_row(), "method": "magic"}, (1, "indicators[1].method", "magic", "bad_method", schemefile.M_METHOD)),
    ({**_row(), "params": [1]}, (1, "indicators[1].params", "[1]", "bad_params", "参数应为键值对，例如 {target: 100}")),
    ({**_row(), "params": {}}, (1, "indicators[1].params", "{}", "bad_params", "达标法缺少参数 target")),
    ({**_row(), "params": {"target": "many"}},
     (1, "indicators[1].params", '{"target": "many"}', "bad_params", "参数 target 必须是数字")),
    ({**_row(), "colour": 1},
     (1, "indicators[1].colour", None, "unknown_key",
      "未知的键 colour，可用：indicator、weight、aggregate、method、params、missing")),
    ({"indicator": "ZB0101", "weight": 100},
     (1, "indicators[1].method", None, "missing", "缺少必填项 method")),
    ("ZB0101", (1, "indicators[1]", "ZB0101", "bad_indicator", schemefile.M_INDICATOR_ITEM)),
])
def test_indicator_problems(row, expected):
    assert only(_rows(row)) == expected


def test_duplicate_indicator():
    assert only(_rows(_row(weight=50), _row(weight=50))) == (
        2, "indicators[2].indicator", "ZB0101", "duplicate_indicator", "指标 ZB0101 重复")


def test_no_indicators():
    assert only(small(indicators=[])) == (0, "indicators", None, "bad_indicators", "指标应为列表，至少一个")


@pytest.mark.parametrize(("method", "params", "message"), [
    ("ratio", {"target": 1, "floor": 2}, "比例法不支持参数 floor（可用参数：target、cap）"),
    ("ratio", {"target": 1, "cap": Decimal("1.2")}, "比例法的 cap 必须大于 0 且不超过 1"),
    ("baseline", {"target": 1}, "基准加减分法缺少参数 step"),
    ("efficacy", {"bad": 5, "good": 5}, "功效系数法的 good 与 bad 不能相等"),
    ("minmax", {"target": 1}, "极差标准化法不支持参数 target（可用参数：无）"),
    ("formula", {"expr": "ZB0101 / 0"}, "公式第10个字符：除数不能为 0"),
    ("formula", {"expr": "ZB9999 + 1"}, "公式第1个字符：未知的指标代码 ZB9999"),
])
def test_method_parameters(method, params, message):
    row = {"indicator": "ZB0101", "weight": 100, "method": method, "params": params}
    found = only(_rows(row))
    assert found[:4] == (1, "indicators[1].params", schemefile._text(params), "bad_params")
    assert found[4] == message


def test_all_problems_are_collected():
    document = small(code="", year=3000)
    document["indicators"][0]["aggregate"] = "x"
    assert [p[1] for p in problems_of(document)] == ["code", "year", "indicators[1].aggregate"]


# -- items, grades, exam, trend


@pytest.mark.parametrize(("change", "expected"), [
    ({"bonus": [{"name": "表彰", "max": 0}]},
     (0, "bonus[1].max", "0", "bad_max", "上限应为大于 0、小于 10000 的数字，最多 2 位小数")),
    ({"bonus": [{"name": "表彰", "max": 1}, {"name": "表彰", "max": 2}]},
     (0, "bonus[2].name", "表彰", "duplicate_item", "加分项 表彰 重复")),
    ({"deductions": [{"name": "", "max": 1}]},
     (0, "deductions[1].name", "", "bad_name", "扣分项名称不能为空，不超过 100 个字")),
    ({"deductions": {"name": "事故"}},
     (0, "deductions", '{"name": "事故"}', "bad_items", "扣分项应为列表，每项形如 {name: 名称, max: 上限}")),
    ({"grades": [{"name": "良好", "min": 80}, {"name": "优秀", "min": 90}, {"name": "较差", "min": 0}]},
     (0, "grades", None, "grade_order", "等次应按分数线从高到低排列")),
    ({"grades": [{"name": "优秀", "min": 90}, {"name": "一般", "min": 60}]},
     (0, "grades[2].min", "60", "grade_last", "最后一个等次的分数线应为 0")),
    ({"grades": [{"name": "优秀", "min": 101}, {"name": "较差", "min": 0}]},
     (0, "grades[1].min", "101", "bad_grade_min", "等次分数线应为 0 到 100 之间的数字")),
    ({"exam": {"criteria": {"开拓创新度": 30, "群众满意度": 40}, "grades": {"好": 100}}},
     (0, "exam.criteria", "70", "criteria_sum", "期末考试评价维度权重合计应为 100，现为 70")),
    ({"exam": {"criteria": {"开拓创新度": 100}, "grades": {"好": 120}}},
     (0, "exam.grades.好", "120", "bad_exam_grade", "评价等次分值应为 0 到 100 之间的数字")),
    ({"exam": {"criteria": {"开拓创新度": 100}}}, (0, "exam.grades", None, "missing", "缺少必填项 grades")),
    ({"trend": {"indicators": {"ZB9999": 1}, "threshold": -0.5}},
     (0, "trend.indicators.ZB9999", "ZB9999", "unknown_indicator", "指标库中没有指标 ZB9999")),
    ({"trend": {"indicators": {"ZB0101": 1}, "threshold": "low"}},
     (0, "trend.threshold", "low", "bad_threshold", "附加题的辅导线 threshold 应为数字")),
])
def test_item_grade_exam_trend_problems(change, expected):
    assert only(small(**change)) == expected


# -- writing


def test_dump_writes_numbers_as_yaml_numbers():
    text = schemefile.dump(small(trend={"indicators": {"ZB0101": Decimal("2.5")}, "threshold": Decimal("-0.5")}))
    assert "weight: 60," in text or "weight: 60\n" in text
    assert "parts: {平时: 90, 期末: 10}" in text
    assert "trend:\n  indicators: {ZB0101: 2.5}\n  threshold: -0.5\n" in text
    assert "'" not in text


def test_dump_json():
    text = schemefile.dump(small(), format="json")
    assert json.loads(text)["parts"] == {"平时": 90, "期末": 10}
