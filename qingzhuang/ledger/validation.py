"""What an import into a dataset accepts, and the per-row checks, compiled once per import.

``Schema`` reads the dataset's columns, the units the uploader may write and the indicators,
then ``Schema.row_checker`` compiles a function for the columns a file actually has: it parses
every cell with the value type's parser (``lib.values``), checks required cells, unit codes,
indicator codes and the cross-field rules (性别 and 出生日期 agree with the 公民身份号码), and
returns the row's key and normalised data. Everything the hot loop needs is bound into closures
and local variables: the checker runs 720,000 times for the county's population file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from qingzhuang.ledger import access
from qingzhuang.ledger.models import Dataset, Indicator, Storage, ValueType
from qingzhuang.lib import ids, values
from qingzhuang.lib.tables import Problem, TableError, header_key
from qingzhuang.orgs.models import Unit

KEY_MAX_LENGTH = 200
UNIT_MESSAGE = "单位代码不存在或不在您的管理范围内"
UNIT_INACTIVE_MESSAGE = "该单位已停用，不能导入数据"
INDICATOR_MESSAGE = "指标代码不存在"
INDICATOR_VALUE_PLACES = 4
INDICATOR_VALUE_DIGITS = 20


@dataclass(frozen=True)
class ColumnRule:
    """A column of the dataset: its header name, data element, parser and flags."""

    name: str
    element: str
    value_type: str
    required: bool
    is_key: bool
    aliases: tuple[str, ...]
    parse: values.Parser
    error_code: str


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    name: str
    owner_id: int
    owner_name: str


# A checked row: (key or None when the key cells are invalid, unit id, data, whether the row is valid).
Checked = tuple["str | None", "int | None", dict, bool]


class Schema:
    """The import rules of ``dataset`` for ``actor`` (None: the system, every unit)."""

    def __init__(self, dataset: Dataset, *, actor=None, period: str = "") -> None:
        self.dataset = dataset
        self.actor = actor
        self.storage = dataset.storage
        self.period = self._check_period(period)
        self.owner = actor is None or access.owns_dataset(actor, dataset)
        columns = list(dataset.columns.select_related("element").order_by("position", "id"))
        if not columns:
            raise TableError(code="no_columns", message="该数据集还没有定义字段，无法导入")
        self._load_units()
        self.indicators: dict[str, IndicatorInfo] = {}
        if any(c.element.value_type == ValueType.INDICATOR for c in columns):
            self._load_indicators()
        self.columns = self._rules(columns)
        if self.storage == Storage.RECORDS:
            # Every record belongs to a unit: the first unit column is always required.
            first_unit = self._first(ValueType.UNIT)
            if first_unit is not None and not first_unit.required:
                self.columns[self.columns.index(first_unit)] = replace(first_unit, required=True)
        self.by_element = {c.element: c for c in self.columns}
        self.keys = [c for c in self.columns if c.is_key]
        self.unit_column = self._first(ValueType.UNIT)
        self.period_column = self._first(ValueType.PERIOD)
        self.indicator_column = self._first(ValueType.INDICATOR)
        self.id_column = next((c for c in self.columns if c.value_type == ValueType.ID_NUMBER and c.is_key),
                              self._first(ValueType.ID_NUMBER))
        self.value_column = None
        if self.storage == Storage.INDICATORS:
            self.value_column = next((c for c in self.columns if c.value_type == ValueType.DECIMAL),
                                     self._first(ValueType.INTEGER))
            missing = [label for label, col in (("单位代码", self.unit_column), ("指标代码", self.indicator_column),
                                                ("期间", self.period_column), ("数值", self.value_column))
                       if col is None]
            if missing:
                raise TableError(code="bad_dataset", message="指标数据集缺少字段：" + "、".join(missing))
        elif self.unit_column is None:
            raise TableError(code="bad_dataset", message="该数据集没有单位代码字段，无法确定每行数据所属单位")
        if not self.keys:
            raise TableError(code="bad_dataset", message="该数据集没有定义主键字段，无法导入")

    # -- set-up -----------------------------------------------------------------------------

    @staticmethod
    def _check_period(period: str) -> str:
        if not period:
            return ""
        value, error = values.parse_period(values.normalize(period))
        if error:
            raise TableError(column="期间", value=period, code="invalid_period",
                             message=f"指定的期间无效：{error}")
        return value

    def _load_units(self) -> None:
        """Codes of the units rows may name: the writable ones, and the inactive ones in scope."""
        units = Unit.objects.all()
        # Indicator values are reported by departments for every unit: the indicator's owner
        # decides who may write them (checked on the indicator column), not the unit scope.
        if not self.owner and self.storage != Storage.INDICATORS:
            q = access.writable_unit_q(self.actor, self.dataset)
            if q is not None:
                units = units.filter(q)
        self.unit_ids: dict[str, int] = {}
        self.inactive_units: set[str] = set()
        for pk, code, active in units.values_list("pk", "code", "is_active").iterator(chunk_size=5000):
            if active:
                self.unit_ids[code] = pk
            else:
                self.inactive_units.add(code)
        restricted = not self.owner and self.storage != Storage.INDICATORS
        self.writable_unit_ids: frozenset[int] | None = frozenset(self.unit_ids.values()) if restricted else None

    def _load_indicators(self) -> None:
        rows = Indicator.objects.values_list("pk", "code", "name", "owner_id", "owner__name")
        self.indicators = {code: IndicatorInfo(pk, code, name, owner_id, owner_name)
                           for pk, code, name, owner_id, owner_name in rows}

    def _rules(self, columns) -> list[ColumnRule]:
        names = {header_key(c.name) for c in columns}
        taken: set[str] = set(names)
        rules = []
        for column in columns:
            element = column.element
            aliases = []
            for alias in (element.name, *element.synonyms):
                key = header_key(alias)
                if key and key not in taken:
                    taken.add(key)
                    aliases.append(alias)
            rules.append(ColumnRule(
                name=column.name, element=element.code, value_type=element.value_type,
                required=column.required or column.is_key, is_key=column.is_key, aliases=tuple(aliases),
                parse=self._parser(element), error_code=values.ERROR_CODES.get(element.value_type, "invalid"),
            ))
        return rules

    def _first(self, value_type: str) -> ColumnRule | None:
        return next((c for c in self.columns if c.value_type == value_type), None)

    def _parser(self, element) -> values.Parser:
        value_type = element.value_type
        if value_type == ValueType.UNIT:
            return self._unit_parser()
        if value_type == ValueType.INDICATOR:
            return self._indicator_parser()
        parser = values.parser_for(value_type, max_length=element.max_length, code_list=element.code_list)
        if self.storage == Storage.INDICATORS and value_type in (ValueType.DECIMAL, ValueType.INTEGER):
            return _indicator_value_parser(parser)
        return parser

    def _unit_parser(self) -> values.Parser:
        unit_ids, inactive = self.unit_ids, self.inactive_units

        def parse_unit(value: str) -> values.Parsed:
            if value in unit_ids:
                return value, None
            return "", UNIT_INACTIVE_MESSAGE if value in inactive else UNIT_MESSAGE

        return parse_unit

    def _indicator_parser(self) -> values.Parser:
        indicators = self.indicators
        own_unit = None if self.owner else getattr(self.actor, "unit_id", None) or -1

        def parse_indicator(value: str) -> values.Parsed:
            info = indicators.get(value)
            if info is None:
                return "", INDICATOR_MESSAGE
            if own_unit is not None and info.owner_id != own_unit:
                return "", f"指标“{info.name}”由{info.owner_name}报送，您不能导入该指标的数据"
            return value, None

        return parse_indicator

    # -- reading ----------------------------------------------------------------------------

    @property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        return {c.name: c.aliases for c in self.columns}

    @property
    def required_headers(self) -> list[str]:
        """Columns the file must have: required ones, except 期间 when the import names the period."""
        return [c.name for c in self.columns
                if c.required and not (self.period and c is self.period_column)]

    def key_text(self, data: dict) -> str:
        return "|".join(data.get(c.element, "") for c in self.keys)

    @property
    def key_label(self) -> str:
        return "、".join(c.name for c in self.keys)

    def row_checker(self, present: list[str], problems: list[Problem]) -> Callable[[int, tuple], Checked]:
        """A function (row number, cells aligned with ``present``) → ``Checked``; problems are appended."""
        position = {name: i for i, name in enumerate(present)}
        period = self.period
        period_rule = self.period_column if period else None
        specs = [
            (position[c.name], c.name, c.element, c.parse, c.required and c is not period_rule, c.error_code)
            for c in self.columns if c.name in position
        ]
        key_elements = [c.element for c in self.keys]
        single_key = key_elements[0] if len(key_elements) == 1 else None
        key_label = self.key_label
        unit_ids = self.unit_ids
        unit_element = self.unit_column.element if self.unit_column else None
        fill_element = period_rule.element if period_rule else None
        fill_position = position.get(period_rule.name) if period_rule else None
        add = problems.append
        cross = self._cross_check(position, add)

        def check(number: int, cells: tuple) -> Checked:
            data: dict[str, str] = {}
            ok = True
            for i, name, element, parse, required, code in specs:
                text = cells[i]
                if not text:
                    if required:
                        add(Problem(number, name, "", "required", f"{name}不能为空"))
                        ok = False
                    continue
                value, error = parse(text)
                if error is not None:
                    add(Problem(number, name, text, code, error))
                    ok = False
                    continue
                data[element] = value
            if fill_element is not None:
                given = data.get(fill_element)
                if given is None:
                    if fill_position is None or not cells[fill_position]:
                        data[fill_element] = period
                elif given != period:
                    add(Problem(number, period_rule.name, cells[fill_position], "period_mismatch",
                                f"期间与本次导入指定的期间（{period}）不一致"))
                    ok = False
            if single_key is not None:
                key = data.get(single_key)
            elif all(e in data for e in key_elements):
                key = "|".join(data[e] for e in key_elements)
            else:
                key = None
            if key is not None and len(key) > KEY_MAX_LENGTH:
                add(Problem(number, key_label, key, "key_too_long", f"主键过长（不能超过{KEY_MAX_LENGTH}个字符）"))
                key, ok = None, False
            if cross is not None and ok and not cross(number, cells, data):
                ok = False
            unit_id = unit_ids.get(data.get(unit_element)) if unit_element is not None else None
            return key, unit_id, data, ok

        return check

    def _cross_check(self, position: dict[str, int], add_problem: Callable[[Problem], None]):
        """性别 and 出生日期 must agree with the 公民身份号码 (when the file has them)."""
        id_rule = self.id_column
        gender = self.by_element.get("gender")
        birth = self.by_element.get("birth_date")
        if id_rule is None or id_rule.name not in position:
            return None
        gender = gender if gender is not None and gender.name in position else None
        birth = birth if birth is not None and birth.name in position else None
        if gender is None and birth is None:
            return None
        id_element = id_rule.element

        def cross(number: int, cells: tuple, data: dict) -> bool:
            id_number = data.get(id_element)
            if not id_number:
                return True
            ok = True
            if gender is not None and gender.element in data:
                expected = ids.id_gender(id_number)
                if data[gender.element] != expected:
                    add_problem(Problem(number, gender.name, cells[position[gender.name]], "id_mismatch",
                                        f"性别与{id_rule.name}不一致：按{id_rule.name}应为“{expected}”"))
                    ok = False
            if birth is not None and birth.element in data:
                expected = ids.id_birth_date_text(id_number)
                if data[birth.element] != expected:
                    add_problem(Problem(number, birth.name, cells[position[birth.name]], "id_mismatch",
                                        f"出生日期与{id_rule.name}不一致：按{id_rule.name}应为{expected}"))
                    ok = False
            return ok

        return cross


def _indicator_value_parser(parser: values.Parser) -> values.Parser:
    """Numbers that fit IndicatorValue.value (20 digits, 4 decimal places)."""
    integer_digits = INDICATOR_VALUE_DIGITS - INDICATOR_VALUE_PLACES

    def parse_value(value: str) -> values.Parsed:
        text, error = parser(value)
        if error is not None:
            return text, error
        number = Decimal(text)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -INDICATOR_VALUE_PLACES:
            return "", f"数值最多保留{INDICATOR_VALUE_PLACES}位小数"
        if abs(number) >= Decimal(10) ** integer_digits:
            return "", "数值过大"
        return text, None

    return parse_value
