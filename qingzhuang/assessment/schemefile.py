"""The file shape of a scheme (考核方案): read, validate and write it as YAML or JSON.

A scheme file is one mapping::

    code: township-2025
    name: 2025年度乡镇（街道）综合考核
    year: 2025
    target_kinds: [乡镇, 街道]
    parts: {平时: 90, 期末: 10}
    indicators:
      - {indicator: ZB0101, weight: 10, aggregate: sum, method: ratio, params: {target: 100000}, missing: zero}
    bonus: [{name: 省级以上表彰, max: 3}]
    deductions: [{name: 安全生产责任事故, max: 5}]
    grades: [{name: 优秀, min: 90}, {name: 良好, min: 80}, {name: 一般, min: 60}, {name: 较差, min: 0}]
    exam:
      criteria: {开拓创新度: 30, 部门协同度: 30, 群众满意度: 40}
      grades: {好: 100, 较好: 80, 一般: 60, 较差: 40, 很差: 20}
    trend: {indicators: {ZB0101: 50, ZB1501: 50}, threshold: -0.5}   # optional (附加题)

:func:`read` turns the bytes of a file into a :class:`SchemeData` or the list of every problem
(``lib.tables.Problem``; row = the 1-based indicator index, 0 for the rest of the file; column =
the key path such as ``indicators[3].weight``, indices 1-based). :func:`validate` does the same for
a document already parsed (the editor and the API). :func:`document_of` and :func:`dump` write a
stored scheme back in the same shape. Numbers are Decimals throughout: YAML and JSON numbers are
read as Decimals, never through floats.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from qingzhuang.assessment.models import DAILY, EXAM, Aggregate, Method, Missing
from qingzhuang.lib.tables import Problem

MAX_BYTES = 1024 * 1024
HUNDRED = Decimal("100")

# Unit kinds of the org tree a scheme may assess: the Chinese label of the file → ``UnitKind`` value.
KIND_VALUES = {"乡镇": "township", "街道": "street", "部门": "department", "村": "village", "社区": "community"}
KIND_LABELS = {value: label for label, value in KIND_VALUES.items()}

KEYS = ("code", "name", "year", "target_kinds", "parts", "indicators", "bonus", "deductions", "grades", "exam",
        "trend")
REQUIRED = KEYS[:-1]
INDICATOR_KEYS = ("indicator", "weight", "aggregate", "method", "params", "missing")
INDICATOR_REQUIRED = ("indicator", "weight", "method")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
YEAR_MIN, YEAR_MAX = 2000, 2100

# Parameters of each scoring method: (required, optional) names. ``expr`` is text, the rest numbers.
METHOD_PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Method.TARGET: (("target",), ()),
    Method.RATIO: (("target",), ("cap",)),
    Method.BASELINE: (("target", "step"), ("reach", "per", "cap")),
    Method.RANK: ((), ("top", "step")),
    Method.EFFICACY: (("bad", "good"), ()),
    Method.MINMAX: ((), ()),
    Method.ZSCORE: ((), ("center", "spread")),
    Method.FORMULA: (("expr",), ()),
}
TEXT_PARAMS = ("expr",)

M_TOO_LARGE = "文件超过 1 MB，请精简后再上传"
M_ENCODING = "文件不是 UTF-8 或 GBK 编码的文本"
M_ALIAS = "文件含有 YAML 锚点或别名（& 或 *），不予读取"
M_NOT_MAPPING = "文件的顶层应为键值对（code、name、year 等），而不是列表或单个值"
M_EMPTY = "文件是空的"
M_CODE = "方案代码只能由字母、数字、连字符（-）和下划线组成，不超过 64 个字符，例如 township-2025"
M_NAME = "方案名称不能为空，不超过 200 个字"
M_YEAR = f"考核年度应为 {YEAR_MIN} 到 {YEAR_MAX} 之间的整数"
M_KINDS = "考核对象类型应为单位类型的列表，例如 [乡镇, 街道]"
M_KINDS_EMPTY = "考核对象类型至少要有一个"
M_PARTS = "考核构成应为 平时 和 期末 两部分，例如 {平时: 90, 期末: 10}"
M_INDICATORS = "指标应为列表，至少一个"
M_INDICATOR_ITEM = "每个指标应为键值对（indicator、weight、aggregate、method、params、missing）"
M_WEIGHT = "权重应为大于 0 的数字，最多 4 位小数"
M_AGGREGATE = "汇总方式应为 sum、mean、last 或 yoy"
M_METHOD = "计分方法应为 target、ratio、baseline、rank、efficacy、minmax、zscore 或 formula"
M_MISSING = "缺报处理应为 zero、reweight 或 last"
M_PARAMS = "参数应为键值对，例如 {target: 100}"
M_ITEMS = "应为列表，每项形如 {name: 名称, max: 上限}"
M_ITEM_NAME = "名称不能为空，不超过 100 个字"
M_ITEM_MAX = "上限应为大于 0、小于 10000 的数字，最多 2 位小数"
M_GRADES = "等次应为列表，至少一个，每项形如 {name: 优秀, min: 90}"
M_GRADE_NAME = "等次名称不能为空，不超过 20 个字"
M_GRADE_MIN = "等次分数线应为 0 到 100 之间的数字"
M_GRADE_ORDER = "等次应按分数线从高到低排列"
M_GRADE_LAST = "最后一个等次的分数线应为 0"
M_EXAM = "期末考试应为键值对 {criteria: {...}, grades: {...}}"
M_CRITERIA = "评价维度应为键值对，例如 {开拓创新度: 30}，至少一个"
M_CRITERION_WEIGHT = "评价维度权重应为大于 0 的数字"
M_EXAM_GRADES = "评价等次应为键值对，例如 {好: 100}，至少一个"
M_EXAM_GRADE_VALUE = "评价等次分值应为 0 到 100 之间的数字"
M_TREND = "附加题应为键值对 {indicators: {指标代码: 权重}, threshold: 数字}"
M_TREND_INDICATORS = "附加题的指标应为键值对 {指标代码: 权重}，至少一个"
M_TREND_WEIGHT = "附加题指标的权重应为大于 0 的数字"
M_TREND_THRESHOLD = "附加题的辅导线 threshold 应为数字"
M_NUMBER = "应为数字"


@dataclass
class IndicatorRow:
    code: str
    weight: Decimal
    aggregate: str
    method: str
    params: dict
    missing: str


@dataclass
class SchemeData:
    """A validated scheme file: everything a ``Scheme`` and its rows are made of."""

    code: str
    name: str
    year: int
    target_kinds: list[str]  # UnitKind values
    daily_weight: Decimal
    exam_weight: Decimal
    indicators: list[IndicatorRow]
    bonus: list[tuple[str, Decimal]]
    deductions: list[tuple[str, Decimal]]
    grades: list[tuple[str, Decimal]]
    exam_criteria: dict[str, Decimal]
    exam_grades: dict[str, Decimal]
    trend: dict = field(default_factory=dict)  # {"indicators": {code: Decimal}, "threshold": Decimal} or {}


# -- reading


class _Loader(yaml.SafeLoader):
    """Safe YAML whose floats are Decimals (never binary floats)."""


def _construct_decimal(loader, node):
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _problem(row, column, value, code, message) -> Problem:
    shown = None if value is None else (value if isinstance(value, str) else _text(value))
    if shown is not None and len(shown) > 200:
        shown = shown[:200] + "…"
    return Problem(row=row, column=column, value=shown, code=code, message=message)


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, (dict, list)):
        return json.dumps(plain(value), ensure_ascii=False)
    return str(value)


def decode(raw: bytes) -> str | None:
    """The text of a file: UTF-8 (with or without BOM), else GBK; None when neither."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse(raw: bytes | str, filename: str = "") -> tuple[Any, list[Problem]]:
    """The document of a file's bytes (JSON when it is ``.json``, else YAML, of which JSON is a subset)."""
    if isinstance(raw, str):
        if len(raw.encode("utf-8")) > MAX_BYTES:
            return None, [_problem(0, None, None, "too_large", M_TOO_LARGE)]
        text = raw
    else:
        if len(raw) > MAX_BYTES:
            return None, [_problem(0, None, None, "too_large", M_TOO_LARGE)]
        text = decode(raw)
        if text is None:
            return None, [_problem(0, None, None, "bad_encoding", M_ENCODING)]
    if not text.strip():
        return None, [_problem(0, None, None, "empty", M_EMPTY)]
    if filename.lower().endswith(".json"):
        try:
            document = json.loads(text, parse_float=Decimal, parse_constant=lambda name: name)
        except json.JSONDecodeError as exc:
            return None, [_problem(0, None, None, "syntax",
                                   f"文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有语法错误")]
        except RecursionError:
            return None, [_problem(0, None, None, "syntax", "文件不是有效的 JSON：嵌套过深")]
        return document, []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None, [_problem(0, None, None, "yaml_alias", M_ALIAS)]
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列附近" if mark else ""
        return None, [_problem(0, None, None, "syntax", f"文件不是有效的 YAML：{where}有语法错误")]
    except (yaml.YAMLError, RecursionError):
        return None, [_problem(0, None, None, "syntax", "文件不是有效的 YAML")]
    return document, []


def read(raw: bytes | str, filename: str = "", *, known_codes: set[str] | None = None
         ) -> tuple[SchemeData | None, list[Problem]]:
    """Parse and validate a scheme file: the data, or None and every problem."""
    document, problems = parse(raw, filename)
    if problems:
        return None, problems
    return validate(document, known_codes=known_codes)


# -- validation


def _decimal(value: Any) -> Decimal | None:
    """A finite Decimal of a number (or of a numeric text), else None. Booleans are not numbers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _known_indicator_codes() -> set[str]:
    from qingzhuang.ledger.models import Indicator

    return set(Indicator.objects.values_list("code", flat=True))


def check_params(method: str, params: dict, known_codes: set[str]) -> list[str]:
    """Chinese messages of what is wrong with a method's parameters (empty when they are right).

    Uses the scoring engine's ``validate_rule`` when it is there (it also parses a formula).
    """
    try:
        from qingzhuang.assessment import engine
    except ImportError:
        engine = None
    if engine is not None and hasattr(engine, "validate_rule"):
        return list(engine.validate_rule({"method": method, "params": params}, known_codes))
    required, optional = METHOD_PARAMS[method]
    messages = []
    for name in params:
        if name not in required and name not in optional:
            allowed = "、".join(required + optional) or "无"
            messages.append(f"计分方法 {method} 没有参数 {name}（可用参数：{allowed}）")
    for name in required:
        if name not in params:
            messages.append(f"计分方法 {method} 缺少参数 {name}")
    for name, value in params.items():
        if name in TEXT_PARAMS:
            if not isinstance(value, str) or not value.strip():
                messages.append(f"参数 {name} 应为非空的公式")
        elif name in required + optional and _decimal(value) is None:
            messages.append(f"参数 {name} 应为数字")
    if method == Method.EFFICACY and not messages and _decimal(params["bad"]) == _decimal(params["good"]):
        messages.append("功效系数法的参数 bad 和 good 不能相等")
    return messages


def _normal_params(method: str, params: dict) -> dict:
    """Parameters as stored: numbers as Decimal strings, formula text as it is."""
    result = {}
    for name, value in params.items():
        number = None if name in TEXT_PARAMS else _decimal(value)
        result[str(name)] = value.strip() if isinstance(value, str) and number is None else _decimal_text(number)
    return result


class _Checker:
    def __init__(self, known_codes: set[str]):
        self.known = known_codes
        self.problems: list[Problem] = []

    def add(self, column, value, code, message, row=0):
        self.problems.append(_problem(row, column, value, code, message))

    def keys(self, mapping: dict, allowed, required, prefix: str, row: int = 0) -> bool:
        """Unknown and missing keys; True when all required keys are there."""
        ok = True
        for key in mapping:
            if key not in allowed:
                self.add(f"{prefix}{key}", None, "unknown_key", f"未知的键 {key}，可用：{'、'.join(allowed)}", row)
        for key in required:
            if key not in mapping:
                self.add(f"{prefix}{key}", None, "missing", f"缺少必填项 {key}", row)
                ok = False
        return ok

    def items(self, raw, column: str, noun: str) -> list[tuple[str, Decimal]]:
        if not isinstance(raw, list):
            self.add(column, raw, "bad_items", f"{noun}{M_ITEMS}")
            return []
        result, seen = [], set()
        for index, entry in enumerate(raw, start=1):
            path = f"{column}[{index}]"
            if not isinstance(entry, dict):
                self.add(path, entry, "bad_items", f"{noun}{M_ITEMS}")
                continue
            if not self.keys(entry, ("name", "max"), ("name", "max"), f"{path}."):
                continue
            name = entry["name"]
            cap = _decimal(entry["max"])
            if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
                self.add(f"{path}.name", name, "bad_name", f"{noun}{M_ITEM_NAME}")
                continue
            name = name.strip()
            if name in seen:
                self.add(f"{path}.name", name, "duplicate_item", f"{noun} {name} 重复")
            seen.add(name)
            if cap is None or cap <= 0 or cap >= 10000 or _places(cap) > 2:
                self.add(f"{path}.max", entry["max"], "bad_max", M_ITEM_MAX)
                continue
            result.append((name, cap))
        return result


def validate(document: Any, *, known_codes: set[str] | None = None) -> tuple[SchemeData | None, list[Problem]]:
    """Check a parsed document: the :class:`SchemeData`, or None and every problem found."""
    if not isinstance(document, dict):
        return None, [_problem(0, None, None, "not_mapping", M_NOT_MAPPING)]
    check = _Checker(_known_indicator_codes() if known_codes is None else known_codes)
    check.keys(document, KEYS, REQUIRED, "")
    get = document.get

    code = get("code")
    if "code" in document and (not isinstance(code, str) or not CODE_RE.match(code)):
        check.add("code", code, "bad_code", M_CODE)
    name = get("name")
    if "name" in document and (not isinstance(name, str) or not name.strip() or len(name.strip()) > 200):
        check.add("name", name, "bad_name", M_NAME)
    year = get("year")
    if "year" in document and (isinstance(year, bool) or not isinstance(year, int)
                               or not YEAR_MIN <= year <= YEAR_MAX):
        check.add("year", year, "bad_year", M_YEAR)

    kinds: list[str] = []
    raw_kinds = get("target_kinds")
    if "target_kinds" in document:
        if not isinstance(raw_kinds, list):
            check.add("target_kinds", raw_kinds, "bad_kinds", M_KINDS)
        elif not raw_kinds:
            check.add("target_kinds", None, "bad_kinds", M_KINDS_EMPTY)
        else:
            for index, label in enumerate(raw_kinds, start=1):
                if not isinstance(label, str) or label not in KIND_VALUES:
                    check.add(f"target_kinds[{index}]", label, "unknown_kind",
                              f"未知的单位类型 {_text(label)}，可选：{'、'.join(KIND_VALUES)}")
                elif KIND_VALUES[label] in kinds:
                    check.add(f"target_kinds[{index}]", label, "duplicate_kind", f"单位类型 {label} 重复")
                else:
                    kinds.append(KIND_VALUES[label])

    daily = exam = None
    parts = get("parts")
    if "parts" in document:
        if not isinstance(parts, dict) or set(parts) != {DAILY, EXAM}:
            check.add("parts", parts, "bad_parts", M_PARTS)
        else:
            daily, exam = _decimal(parts[DAILY]), _decimal(parts[EXAM])
            for label, number in ((DAILY, daily), (EXAM, exam)):
                if number is None or number < 0 or number > HUNDRED or _places(number) > 2:
                    check.add(f"parts.{label}", parts[label], "bad_part", "部分权重应为 0 到 100 之间的数字，最多 2 位小数")
            if daily is not None and exam is not None and daily + exam != HUNDRED:
                check.add("parts", parts, "parts_sum", f"平时和期末权重合计应为 100，现为 {_decimal_text(daily + exam)}")

    rows: list[IndicatorRow] = []
    raw_rows = get("indicators")
    if "indicators" in document:
        if not isinstance(raw_rows, list) or not raw_rows:
            check.add("indicators", raw_rows if not isinstance(raw_rows, list) else None, "bad_indicators",
                      M_INDICATORS)
        else:
            rows = _indicators(check, raw_rows)

    bonus = check.items(get("bonus"), "bonus", "加分项") if "bonus" in document else []
    deductions = check.items(get("deductions"), "deductions", "扣分项") if "deductions" in document else []
    grades = _grades(check, get("grades")) if "grades" in document else []
    criteria, exam_grades = _exam(check, get("exam")) if "exam" in document else ({}, {})
    trend = _trend(check, get("trend")) if "trend" in document else {}

    if check.problems:
        return None, sorted(check.problems, key=lambda p: (p.row or 0, p.column or ""))
    return SchemeData(
        code=code, name=name.strip(), year=year, target_kinds=kinds, daily_weight=daily, exam_weight=exam,
        indicators=rows, bonus=bonus, deductions=deductions, grades=grades, exam_criteria=criteria,
        exam_grades=exam_grades, trend=trend,
    ), []


def _indicators(check: _Checker, raw_rows: list) -> list[IndicatorRow]:
    rows, seen, total, weights_ok = [], set(), Decimal(0), True
    for row, entry in enumerate(raw_rows, start=1):
        path = f"indicators[{row}]."
        if not isinstance(entry, dict):
            check.add(f"indicators[{row}]", entry, "bad_indicator", M_INDICATOR_ITEM, row)
            weights_ok = False
            continue
        complete = check.keys(entry, INDICATOR_KEYS, INDICATOR_REQUIRED, path, row)
        code = entry.get("indicator")
        if "indicator" in entry:
            if not isinstance(code, str) or code not in check.known:
                check.add(f"{path}indicator", code, "unknown_indicator", f"指标库中没有指标 {_text(code)}", row)
                complete = False
            elif code in seen:
                check.add(f"{path}indicator", code, "duplicate_indicator", f"指标 {code} 重复", row)
                complete = False
            else:
                seen.add(code)
        weight = _decimal(entry.get("weight"))
        if "weight" in entry and (weight is None or weight <= 0 or _places(weight) > 4 or weight >= 100000):
            check.add(f"{path}weight", entry["weight"], "bad_weight", M_WEIGHT, row)
            weight = None
        if weight is None:
            weights_ok = False
        else:
            total += weight
        aggregate = entry.get("aggregate", Aggregate.SUM)
        if aggregate not in Aggregate.values:
            check.add(f"{path}aggregate", aggregate, "bad_aggregate", M_AGGREGATE, row)
            complete = False
        missing = entry.get("missing", Missing.ZERO)
        if missing not in Missing.values:
            check.add(f"{path}missing", missing, "bad_missing", M_MISSING, row)
            complete = False
        method = entry.get("method")
        params = entry.get("params", {})
        if params is None:
            params = {}
        if "method" in entry and method not in Method.values:
            check.add(f"{path}method", method, "bad_method", M_METHOD, row)
            complete = False
        elif not isinstance(params, dict):
            check.add(f"{path}params", params, "bad_params", M_PARAMS, row)
            complete = False
        elif "method" in entry:
            for message in check_params(method, params, check.known):
                check.add(f"{path}params", params, "bad_params", message, row)
                complete = False
        if complete and weight is not None:
            rows.append(IndicatorRow(code=code, weight=weight, aggregate=aggregate, method=method,
                                     params=_normal_params(method, params), missing=missing))
    if weights_ok and total != HUNDRED:
        check.add("indicators", _decimal_text(total), "weight_sum", f"指标权重合计应为 100，现为 {_decimal_text(total)}")
    return rows


def _grades(check: _Checker, raw) -> list[tuple[str, Decimal]]:
    if not isinstance(raw, list) or not raw:
        check.add("grades", raw if not isinstance(raw, list) else None, "bad_grades", M_GRADES)
        return []
    result, seen, ok = [], set(), True
    for index, entry in enumerate(raw, start=1):
        path = f"grades[{index}]"
        if not isinstance(entry, dict):
            check.add(path, entry, "bad_grades", M_GRADES)
            ok = False
            continue
        if not check.keys(entry, ("name", "min"), ("name", "min"), f"{path}."):
            ok = False
            continue
        name, low = entry["name"], _decimal(entry["min"])
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 20:
            check.add(f"{path}.name", name, "bad_grade_name", M_GRADE_NAME)
            ok = False
            continue
        name = name.strip()
        if name in seen:
            check.add(f"{path}.name", name, "duplicate_grade", f"等次 {name} 重复")
        seen.add(name)
        if low is None or low < 0 or low > HUNDRED:
            check.add(f"{path}.min", entry["min"], "bad_grade_min", M_GRADE_MIN)
            ok = False
            continue
        result.append((name, low))
    if ok:
        if any(later >= earlier for (_, earlier), (_, later) in zip(result, result[1:], strict=False)):
            check.add("grades", None, "grade_order", M_GRADE_ORDER)
        if result[-1][1] != 0:
            check.add(f"grades[{len(result)}].min", result[-1][1], "grade_last", M_GRADE_LAST)
    return result


def _exam(check: _Checker, raw) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    if not isinstance(raw, dict):
        check.add("exam", raw, "bad_exam", M_EXAM)
        return {}, {}
    if not check.keys(raw, ("criteria", "grades"), ("criteria", "grades"), "exam."):
        return {}, {}
    criteria: dict[str, Decimal] = {}
    raw_criteria = raw["criteria"]
    if not isinstance(raw_criteria, dict) or not raw_criteria:
        check.add("exam.criteria", raw_criteria if not isinstance(raw_criteria, dict) else None, "bad_criteria",
                  M_CRITERIA)
    else:
        ok = True
        for name, value in raw_criteria.items():
            weight = _decimal(value)
            if not isinstance(name, str) or not name.strip():
                check.add("exam.criteria", name, "bad_criteria", M_CRITERIA)
                ok = False
            elif weight is None or weight <= 0 or weight > HUNDRED:
                check.add(f"exam.criteria.{name}", value, "bad_criterion_weight", M_CRITERION_WEIGHT)
                ok = False
            else:
                criteria[name.strip()] = weight
        if ok and sum(criteria.values()) != HUNDRED:
            total = _decimal_text(sum(criteria.values()))
            check.add("exam.criteria", total, "criteria_sum", f"期末考试评价维度权重合计应为 100，现为 {total}")
    grades: dict[str, Decimal] = {}
    raw_grades = raw["grades"]
    if not isinstance(raw_grades, dict) or not raw_grades:
        check.add("exam.grades", raw_grades if not isinstance(raw_grades, dict) else None, "bad_exam_grades",
                  M_EXAM_GRADES)
    else:
        for name, value in raw_grades.items():
            number = _decimal(value)
            if not isinstance(name, str) or not name.strip():
                check.add("exam.grades", name, "bad_exam_grades", M_EXAM_GRADES)
            elif number is None or number < 0 or number > HUNDRED:
                check.add(f"exam.grades.{name}", value, "bad_exam_grade", M_EXAM_GRADE_VALUE)
            else:
                grades[name.strip()] = number
    return criteria, grades


def _trend(check: _Checker, raw) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        check.add("trend", raw, "bad_trend", M_TREND)
        return {}
    if not check.keys(raw, ("indicators", "threshold"), ("indicators", "threshold"), "trend."):
        return {}
    indicators: dict[str, Decimal] = {}
    raw_indicators = raw["indicators"]
    if not isinstance(raw_indicators, dict) or not raw_indicators:
        check.add("trend.indicators", raw_indicators if not isinstance(raw_indicators, dict) else None,
                  "bad_trend", M_TREND_INDICATORS)
    else:
        for code, value in raw_indicators.items():
            weight = _decimal(value)
            if not isinstance(code, str) or code not in check.known:
                check.add(f"trend.indicators.{code}", code, "unknown_indicator", f"指标库中没有指标 {code}")
            elif weight is None or weight <= 0:
                check.add(f"trend.indicators.{code}", value, "bad_trend_weight", M_TREND_WEIGHT)
            else:
                indicators[code] = weight
    threshold = _decimal(raw["threshold"])
    if threshold is None:
        check.add("trend.threshold", raw["threshold"], "bad_threshold", M_TREND_THRESHOLD)
    return {"indicators": indicators, "threshold": threshold}


# -- writing


def _decimal_text(value: Decimal) -> str:
    """A Decimal as plain text without trailing zeros: 10, 2.5, -0.5."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _number(value: Decimal | str | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _clean(value: Decimal | str | int) -> Decimal:
    """A stored number as the Decimal a document holds (no trailing zeros)."""
    return Decimal(_decimal_text(_number(value)))


def document_of(scheme) -> dict:
    """The file document of a stored scheme (numbers as Decimals; ``dump`` or ``plain`` them)."""
    from qingzhuang.assessment.models import ItemKind

    rows = scheme.indicators.select_related("indicator").order_by("position", "pk")
    items = list(scheme.items.order_by("kind", "position", "pk"))
    document = {
        "code": scheme.code,
        "name": scheme.name,
        "year": scheme.year,
        "target_kinds": [KIND_LABELS.get(kind, kind) for kind in scheme.target_kinds],
        "parts": {DAILY: _clean(scheme.daily_weight), EXAM: _clean(scheme.exam_weight)},
        "indicators": [
            {
                "indicator": row.indicator.code,
                "weight": _clean(row.weight),
                "aggregate": row.aggregate,
                "method": row.method,
                "params": {name: value if name in TEXT_PARAMS else _clean(value)
                           for name, value in (row.params or {}).items()},
                "missing": row.missing,
            }
            for row in rows
        ],
        "bonus": [{"name": item.name, "max": _clean(item.max_points)} for item in items
                  if item.kind == ItemKind.BONUS],
        "deductions": [{"name": item.name, "max": _clean(item.max_points)} for item in items
                       if item.kind == ItemKind.DEDUCTION],
        "grades": [{"name": grade["name"], "min": _clean(grade["min"])} for grade in scheme.grades],
        "exam": {
            "criteria": {name: _clean(value) for name, value in scheme.exam_criteria.items()},
            "grades": {name: _clean(value) for name, value in scheme.exam_grades.items()},
        },
    }
    if scheme.trend and scheme.trend.get("indicators"):
        document["trend"] = {
            "indicators": {code: _clean(value) for code, value in scheme.trend["indicators"].items()},
            "threshold": _clean(scheme.trend["threshold"]),
        }
    return document


def plain(value: Any) -> Any:
    """A document with its Decimals as JSON numbers (int when whole, else float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(_decimal_text(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper, value: Decimal):
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", _decimal_text(value))


_Dumper.add_representer(Decimal, _represent_decimal)


def dump(document: dict, format: str = "yaml") -> str:  # noqa: A002 (the public name of the option)
    """A document as the text of a file: YAML (flow style for the short mappings) or JSON."""
    if format == "json":
        return json.dumps(plain(document), ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None,
                     width=120)
