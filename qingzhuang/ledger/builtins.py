"""The built-in catalog: data elements and the datasets every county starts with.

``ensure_builtin_catalog`` runs after every ``migrate`` and is idempotent: it creates what is
missing and never changes what a county has edited. Owners are assigned by the county (the demo
county's are set by ``seed_demo``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
SPECIAL_GROUPS = ["低保对象", "特困人员", "残疾人", "独居老人", "留守儿童", "退役军人"]
INDUSTRIES = [
    "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业",
    "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业",
    "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业",
    "教育", "卫生和社会工作", "文化、体育和娱乐业", "公共管理、社会保障和社会组织",
]


@dataclass(frozen=True)
class E:
    """A built-in data element."""

    code: str
    name: str
    category: str
    value_type: str = "text"
    synonyms: tuple[str, ...] = ()
    related_names: tuple[str, ...] = ()
    code_list: tuple[str, ...] = ()
    measure_unit: str = ""
    max_length: int = 200
    description: str = ""


ELEMENTS: tuple[E, ...] = (
    E("name", "姓名", "person", synonyms=("名字", "人员姓名", "户主姓名"), max_length=50),
    E("id_number", "公民身份号码", "person", "id_number",
      synonyms=("身份证号", "身份证号码", "身份证", "证件号码", "公民身份证号", "身份号码")),
    E("gender", "性别", "person", "code", code_list=("男", "女")),
    E("birth_date", "出生日期", "person", "date", synonyms=("出生年月", "生日")),
    E("ethnicity", "民族", "person", "code", code_list=tuple(ETHNIC_GROUPS)),
    E("phone", "联系电话", "person", "phone", synonyms=("手机号", "手机号码", "电话", "联系方式", "手机")),
    E("unit_code", "单位代码", "organisation", "unit",
      synonyms=("所属村（社区）代码", "村（社区）代码", "所属单位代码", "行政区划代码", "所属网格代码")),
    E("home_address", "居住地址", "land", synonyms=("现住址", "家庭住址", "住址", "居住地"),
      related_names=("户籍地址", "户籍所在地", "户口所在地")),
    E("person_type", "人员类别", "person", "code", code_list=("户籍人口", "常住人口", "流动人口"),
      synonyms=("人口类别", "人口类型")),
    E("special_groups", "特殊群体", "situation", "codes", code_list=tuple(SPECIAL_GROUPS),
      synonyms=("特殊人群", "重点人群"),
      description="可多选，用“、”或“；”分隔"),
    E("house_no", "房屋编号", "object", synonyms=("房屋编码",), max_length=40),
    E("house_address", "房屋地址", "land", synonyms=("房屋坐落", "坐落")),
    E("house_use", "房屋用途", "object", "code", code_list=("住宅", "商业", "办公", "工业", "其他")),
    E("floor_area", "建筑面积", "object", "decimal", measure_unit="平方米", synonyms=("面积",)),
    E("built_year", "建成年份", "object", "integer", synonyms=("建成年代",)),
    E("structure", "结构类型", "object", "code", code_list=("钢混", "砖混", "砖木", "土木", "其他"),
      synonyms=("房屋结构", "结构")),
    E("floors", "层数", "object", "integer", synonyms=("楼层数",)),
    E("owner_id_number", "房主公民身份号码", "person", "id_number", synonyms=("房主身份证号", "产权人身份证号")),
    E("is_rented", "是否出租", "situation", "code", code_list=("是", "否"), synonyms=("出租情况",)),
    E("credit_code", "统一社会信用代码", "organisation", "credit_code",
      synonyms=("信用代码", "社会信用代码", "组织机构代码")),
    E("org_name", "单位名称", "organisation", synonyms=("企业名称", "法人单位名称", "名称"), max_length=100),
    E("legal_rep", "法定代表人", "person", synonyms=("法人代表", "负责人"), max_length=50),
    E("reg_address", "登记地址", "land", synonyms=("注册地址", "住所")),
    E("industry", "行业类别", "organisation", "code", code_list=tuple(INDUSTRIES), synonyms=("所属行业", "行业")),
    E("employees", "从业人员数", "organisation", "integer", measure_unit="人", synonyms=("职工人数", "从业人数")),
    E("founded", "成立日期", "organisation", "date", synonyms=("注册日期", "成立时间")),
    E("event_no", "事件编号", "event", synonyms=("事件编码",), max_length=40),
    E("event_type", "事件类型", "event", "code",
      code_list=("矛盾纠纷", "安全隐患", "环境卫生", "求助求诉", "其他"), synonyms=("事件类别",)),
    E("event_date", "发生日期", "event", "date", synonyms=("发生时间", "上报日期")),
    E("event_place", "发生地点", "land", synonyms=("地点", "事发地点")),
    E("event_summary", "简要情况", "event", synonyms=("事件描述", "情况说明"), max_length=2000),
    E("event_status", "办理状态", "event", "code", code_list=("已受理", "办理中", "已办结"),
      synonyms=("处置状态", "状态")),
    E("reporter", "上报人", "person", synonyms=("报告人",), max_length=50),
    E("indicator", "指标代码", "situation", "indicator", synonyms=("指标编码",), max_length=32),
    E("period", "期间", "situation", "period", synonyms=("统计期", "月份", "年月", "报告期")),
    E("value", "数值", "situation", "decimal", synonyms=("指标值", "本期值", "数据")),
)


@dataclass(frozen=True)
class C:
    element: str
    name: str = ""
    required: bool = False
    key: bool = False


@dataclass(frozen=True)
class D:
    code: str
    name: str
    category: str
    update_period: str
    columns: tuple[C, ...]
    storage: str = "records"
    description: str = ""
    extra: dict = field(default_factory=dict)


DATASETS: tuple[D, ...] = (
    D("population", "人口基础信息", "person", "monthly", (
        C("name", required=True),
        C("id_number", required=True, key=True),
        C("gender", required=True),
        C("birth_date", required=True),
        C("ethnicity"),
        C("phone"),
        C("unit_code", "所属村（社区）代码", required=True),
        C("home_address"),
        C("person_type", required=True),
        C("special_groups"),
    ), description="户籍、常住和流动人口，由村（社区）每月维护一次，各部门共享使用。"),
    D("housing", "房屋", "object", "quarterly", (
        C("house_no", required=True, key=True),
        C("unit_code", "所属村（社区）代码", required=True),
        C("house_address", required=True),
        C("house_use", required=True),
        C("floor_area"),
        C("built_year"),
        C("structure"),
        C("floors"),
        C("owner_id_number"),
        C("is_rented"),
    ), description="城乡房屋基础信息。"),
    D("legal_entities", "法人单位", "organisation", "quarterly", (
        C("credit_code", required=True, key=True),
        C("org_name", required=True),
        C("legal_rep"),
        C("unit_code", "所属村（社区）代码", required=True),
        C("reg_address"),
        C("industry"),
        C("employees"),
        C("phone"),
        C("founded"),
    ), description="辖区企业、机关、事业单位和社会组织。"),
    D("events", "事件", "event", "irregular", (
        C("event_no", required=True, key=True),
        C("event_type", required=True),
        C("event_date", required=True),
        C("unit_code", "所属村（社区）代码", required=True),
        C("event_place"),
        C("event_summary"),
        C("event_status", required=True),
        C("reporter"),
    ), description="矛盾纠纷、安全隐患等基层事件。"),
    D("indicator_values", "指标数据库", "situation", "monthly", (
        C("unit_code", required=True, key=True),
        C("indicator", required=True, key=True),
        C("period", required=True, key=True),
        C("value", required=True),
    ), storage="indicators", description="各部门每月报送的考核指标数据：单位代码、指标代码、期间（YYYY-MM）、数值。"),
)


def ensure_builtin_catalog() -> None:
    from qingzhuang.ledger.models import DataElement, Dataset, DatasetColumn

    with transaction.atomic():
        elements = {}
        for e in ELEMENTS:
            elements[e.code], _ = DataElement.objects.get_or_create(
                code=e.code,
                defaults={"name": e.name, "category": e.category, "value_type": e.value_type,
                          "synonyms": list(e.synonyms), "related_names": list(e.related_names), "code_list": list(e.code_list),
                          "measure_unit": e.measure_unit, "max_length": e.max_length,
                          "description": e.description},
            )
        for d in DATASETS:
            dataset, created = Dataset.objects.get_or_create(
                code=d.code,
                defaults={"name": d.name, "category": d.category, "update_period": d.update_period,
                          "storage": d.storage, "description": d.description, "is_builtin": True},
            )
            if created:
                DatasetColumn.objects.bulk_create(
                    DatasetColumn(dataset=dataset, element=elements[c.element], name=c.name or elements[c.element].name,
                                  position=i, required=c.required, is_key=c.key)
                    for i, c in enumerate(d.columns)
                )


def ensure_builtin_catalog_signal(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is None or app_config.label != "ledger":
        return
    ensure_builtin_catalog()
