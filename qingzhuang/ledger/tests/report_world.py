"""A small ledger for the report and data-request tests (a helper module, not a test module).

Departments: 县委办公室 owns population/housing/events (``catalog`` fixture), 县统计局 owns
legal_entities/indicator_values, 县民政局 owns nothing and has no share. Records:

    population  甲村: 王一 流动 低保、残疾 | 王二 户籍 低保 | 王三 流动 —
                甲村一网格: 王四 流动 独居老人；低保
                乙村: 李一 户籍 残疾 | 李二 流动 低保
    housing     甲村: 100.5㎡, 80㎡ | 乙村: 120㎡, (blank)
    events      甲村: 矛盾纠纷 2025-01-05, 矛盾纠纷 2025-02-10, 安全隐患 2025-02-11 | 乙村: 矛盾纠纷 2025-02-20
    indicators  甲镇 gdp 2025-01 10, 2025-02 12.5 ; 乙镇 gdp 2025-01 7 ; 甲镇 jobs 2025-01 3
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from conftest import make_user
from qingzhuang.ledger.models import Indicator, IndicatorValue, Record
from qingzhuang.ledger.services import ReportDefinition, report_create
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER, SUPERVISION
from qingzhuang.orgs.services import unit_create

PEOPLE = [
    ("village_a", "王一", "110105199001010011", "流动人口", "低保对象、残疾人"),
    ("village_a", "王二", "110105199001010027", "户籍人口", "低保对象"),
    ("village_a", "王三", "110105199001010035", "流动人口", ""),
    ("grid_a", "王四", "110105199001010043", "流动人口", "独居老人；低保对象"),
    ("village_b", "李一", "110105199001010051", "户籍人口", "残疾人"),
    ("village_b", "李二", "110105199001010060", "流动人口", "低保对象"),
]


def build(county, catalog) -> SimpleNamespace:
    civil = unit_create(actor=None, code="429901900201", name="县民政局", kind="department", parent=county["root"])
    w = SimpleNamespace(county=county, catalog=catalog, civil=civil)
    w.office_rep = make_user("officerep", county["office"], REPORTER)
    w.civil_rep = make_user("civilrep", civil, REPORTER)
    w.civil_rep2 = make_user("civilrep2", civil, REPORTER)
    w.stats_rep = make_user("statsrep", county["stats"], REPORTER)
    w.ducha = make_user("ducha", county["office"], SUPERVISION)
    w.cun = make_user("cun", county["village_a"], GRASSROOTS)
    w.cun_b = make_user("cunb", county["village_b"], GRASSROOTS)
    population, housing, events = catalog["population"], catalog["housing"], catalog["events"]
    for i, (unit, name, id_number, person_type, groups) in enumerate(PEOPLE):
        Record.objects.create(dataset=population, unit=county[unit], key=id_number, data={
            "name": name, "id_number": id_number, "gender": "男", "birth_date": "1990-01-01",
            "phone": f"1381234{i:04d}", "unit_code": county[unit].code, "home_address": f"{name}家",
            "person_type": person_type, "special_groups": groups,
        })
    for key, unit, area in (("H1", "village_a", "100.5"), ("H2", "village_a", "80"), ("H3", "village_b", "120"),
                            ("H4", "village_b", "")):
        Record.objects.create(dataset=housing, unit=county[unit], key=key, data={
            "house_no": key, "unit_code": county[unit].code, "house_address": "地址", "house_use": "住宅",
            "floor_area": area})
    for key, unit, kind, date in (("E1", "village_a", "矛盾纠纷", "2025-01-05"),
                                  ("E2", "village_a", "矛盾纠纷", "2025-02-10"),
                                  ("E3", "village_a", "安全隐患", "2025-02-11"),
                                  ("E4", "village_b", "矛盾纠纷", "2025-02-20")):
        Record.objects.create(dataset=events, unit=county[unit], key=key, data={
            "event_no": key, "event_type": kind, "event_date": date, "unit_code": county[unit].code,
            "event_status": "已受理"})
    gdp = Indicator.objects.create(code="gdp", name="地区生产总值", owner=county["stats"], measure_unit="亿元")
    jobs = Indicator.objects.create(code="jobs", name="新增就业", owner=county["stats"], measure_unit="人")
    for unit, indicator, period, value in (("town_a", gdp, "2025-01", "10"), ("town_a", gdp, "2025-02", "12.5"),
                                           ("town_b", gdp, "2025-01", "7"), ("town_a", jobs, "2025-01", "3")):
        IndicatorValue.objects.create(unit=county[unit], indicator=indicator, period=period, value=Decimal(value))
    return w


def make_report(actor, dataset, **fields):
    """A report through the service (so validation runs), with a default name."""
    fields.setdefault("name", "测试报表")
    return report_create(actor=actor, definition=ReportDefinition(dataset=dataset, **fields))
