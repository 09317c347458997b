"""The demo county 青山县: a fictional county built deterministically for demos and tests.

The demo is built by ``qingzhuang.demo.seed`` (``qingzhuang seed_demo``) in one transaction, from
the steps that the apps declare in their ``module.py`` (``DemoStep``), in order:

* orgs (this module, ``seed_step``) — the org tree: the county, its party/government offices, the
  15 departments that feed the indicator database, townships and streets, villages and
  communities, grids; and the cadres of every unit (exactly 5,199 at the ``seed`` scale, as in
  the article's 北镇 "117 units, 5,199 cadres");
* accounts — one login per role, all with the demo password;
* ledger, assistant, … — each module's own demo data.

A step is a function ``seed_step(result) -> dict[str, int]`` that reads the ``DemoResult`` built
so far (units, people, accounts), bulk-inserts its rows and returns how many, for the summary
audit row.

Every step draws from its own ``random.Random`` seeded with a fixed string, so the output is the
same on every run and a step added later (by another module's demo data) never shifts the
output of the steps before it. String seeds are hashed with SHA-512 by ``random``, independent of
``PYTHONHASHSEED``.

Unit codes follow the division-code layout: 6-digit county + 3-digit township + 3-digit village.
Township parts: 街道 001-099, 镇 101-199, 乡 201-299, county-level organs 901-999 (village part
000). Inside a township: communities 001-199, villages 201-399, grids 501-999.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
from dataclasses import dataclass, field

from qingzhuang.lib import ids
from qingzhuang.orgs.models import Person, Unit, UnitKind
from qingzhuang.orgs.services import unit_path

COUNTY_CODE = "429901"
COUNTY_NAME = "青山县"
DEFAULT_PASSWORD = "Qingzhuang@2026"  # noqa: S105  (the documented demo password)
PASSWORD_ENV = "QZ_DEMO_PASSWORD"  # noqa: S105  (the name of an environment variable)
SCALES = ("small", "seed")
SEED_PEOPLE = 5199

# The 15 departments whose monthly data feeds the 无感考核 indicator database.
DEPARTMENTS: tuple[tuple[str, tuple[int, int], tuple[str, ...]], ...] = (
    # name, headcount range at the seed scale, extra fixed posts (affiliated centres)
    ("县发展和改革局", (55, 70), ("价格认证中心主任",)),
    ("县工业和信息化局", (40, 52), ()),
    ("县科学技术局", (22, 30), ()),
    ("县财政局", (80, 100), ("国库集中支付中心主任",)),
    ("县人力资源和社会保障局", (75, 95), ("社会保险事业中心主任",)),
    ("县自然资源和规划局", (100, 130), ("不动产登记中心主任",)),
    ("县生态环境分局", (42, 55), ("生态环境监测站站长",)),
    ("县住房和城乡建设局", (80, 100), ("住房保障中心主任",)),
    ("县交通运输局", (90, 115), ("公路事业发展中心主任",)),
    ("县农业农村局", (130, 165), ("农业技术推广中心主任",)),
    ("县商务局", (30, 40), ()),
    ("县文化和旅游局", (60, 78), ("图书馆馆长",)),
    ("县卫生健康局", (95, 120), ("疾病预防控制中心主任",)),
    ("县应急管理局", (42, 55), ("应急指挥中心主任",)),
    ("县统计局", (28, 36), ("普查中心主任",)),
)
DEPARTMENT_NAMES = tuple(name for name, _, _ in DEPARTMENTS)


@dataclass(frozen=True)
class OfficeSpec:
    part: str  # the 3-digit township part of the code (901-999)
    name: str
    kind: str
    posts: tuple[str, ...]  # fixed posts, most senior first
    headcount: tuple[int, int]  # at the seed scale


OFFICES: tuple[OfficeSpec, ...] = (
    OfficeSpec("901", "县委办公室", UnitKind.PARTY,
               ("主任", "常务副主任", "督查室主任", "基层减负监测员", "副主任", "副主任", "秘书科科长",
                "信息科科长", "督查室副主任"), (42, 55)),
    OfficeSpec("902", "县委组织部", UnitKind.PARTY,
               ("部长", "常务副部长", "综合考核科科长", "副部长", "组织科科长", "干部科科长", "干部监督科科长",
                "综合考核科一级科员"), (30, 40)),
    OfficeSpec("903", "县委宣传部", UnitKind.PARTY,
               ("部长", "常务副部长", "副部长", "理论科科长", "宣传科科长", "网信办主任"), (22, 30)),
    OfficeSpec("904", "县委统战部", UnitKind.PARTY, ("部长", "常务副部长", "副部长"), (14, 20)),
    OfficeSpec("905", "县委政法委", UnitKind.PARTY, ("书记", "常务副书记", "副书记", "综治中心主任"), (18, 26)),
    OfficeSpec("906", "县纪委监委", UnitKind.PARTY,
               ("书记、主任", "副书记、副主任", "副书记、副主任", "常委", "常委", "第一纪检监察室主任",
                "第二纪检监察室主任", "案件审理室主任"), (55, 72)),
    OfficeSpec("921", "县政府办公室", UnitKind.GOVERNMENT,
               ("主任", "常务副主任", "副主任", "政府督查室主任", "秘书一股股长", "秘书二股股长"), (40, 52)),
    OfficeSpec("931", "县人大常委会办公室", UnitKind.OTHER, ("主任", "副主任", "副主任"), (15, 22)),
    OfficeSpec("932", "县政协办公室", UnitKind.OTHER, ("主任", "副主任"), (12, 20)),
)

# The county's leadership sits on the root unit.
COUNTY_LEADERS = (
    "县委书记", "县委副书记、县长", "县人大常委会主任", "县政协主席", "县委副书记", "县委常委、常务副县长",
    "县委常委、组织部部长", "县委常委、宣传部部长", "县委常委、纪委书记、监委主任", "县委常委、政法委书记",
    "县委常委、县委办公室主任", "副县长", "副县长", "副县长", "副县长", "县人大常委会副主任",
    "县人大常委会副主任", "县政协副主席", "县政协副主席",
)

# (name, kind, code part): 街道 001-099, 镇 101-199, 乡 201-299.
TOWNSHIPS: tuple[tuple[str, str, str], ...] = (
    ("城关街道", UnitKind.STREET, "001"),
    ("青峰街道", UnitKind.STREET, "002"),
    ("桃源街道", UnitKind.STREET, "003"),
    ("石桥镇", UnitKind.TOWNSHIP, "101"),
    ("白沙镇", UnitKind.TOWNSHIP, "102"),
    ("龙泉镇", UnitKind.TOWNSHIP, "103"),
    ("黄柏镇", UnitKind.TOWNSHIP, "104"),
    ("新店镇", UnitKind.TOWNSHIP, "105"),
    ("长岭镇", UnitKind.TOWNSHIP, "106"),
    ("双河镇", UnitKind.TOWNSHIP, "107"),
    ("高坪乡", UnitKind.TOWNSHIP, "201"),
    ("云台乡", UnitKind.TOWNSHIP, "202"),
)

RURAL_STEMS = (
    "枫林", "杨柳", "柏树", "竹园", "荷花", "金鸡", "马鞍", "牛角", "凤凰", "龙潭", "白果", "桂花", "茶园",
    "梅岭", "杉木", "沙坪", "黄土", "青石", "泉水", "新华", "团结", "胜利", "红星", "和平", "光明", "向阳",
    "东升", "前进", "联合", "新建", "太平", "永安", "长乐", "福田", "三合", "五里", "七星", "九龙", "十里",
    "桃花", "李家", "陈家", "王家", "刘家", "周家", "邓家", "袁家", "罗家", "高家", "余家", "谢家", "方家",
    "何家", "宋家", "唐家", "大屋", "小河", "双桥", "两河", "长冲", "塘坳", "桥头", "岭下", "坳上", "山口",
    "湖滨", "河东", "河西", "田心", "中和", "永丰", "丰收", "大同", "万福", "金山", "银湖", "玉泉", "碧水",
    "松柏", "槐树", "樟树", "枣林", "桑园", "麻石", "铁炉", "瓦窑", "油坊", "磨盘", "石门", "寨子", "官庄",
    "保安", "长岗", "富民", "和顺", "永兴", "大兴", "高峰", "白鹤", "黄龙", "青龙", "白马", "鹿角", "燕窝",
    "蒲塘", "莲花", "芦洲", "渔湾", "杏林", "石龙", "狮子", "黄泥", "白羊", "洪山", "鲤鱼", "乌龙", "新塘",
    "峡口", "青冈", "古井",
)
RURAL_SUFFIXES = ("湾", "坪", "岭", "冲", "垸", "铺", "桥", "畈", "塘", "岗", "坝", "庄", "咀", "洲", "店")
URBAN_STEMS = (
    "解放路", "人民路", "建设路", "文昌", "滨江", "东门", "西街", "南湖", "北苑", "学府", "锦绣", "朝阳",
    "春晖", "幸福", "金桥", "丽景", "望江", "翠屏", "凤鸣", "书院", "鼓楼", "状元", "府前", "星光", "紫荆",
    "育才", "梧桐", "清风", "明月", "花园", "龙腾", "华庭", "秀水", "临江", "江南", "新城", "栖霞", "兰亭",
    "迎宾", "振兴", "和谐", "安康", "惠民", "长安", "永乐", "同心", "桂园", "柳岸", "南门", "北街",
)
GRID_ORDINALS = ("第一网格", "第二网格", "第三网格", "第四网格")

# Surnames with their approximate share of the population (per cent).
SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.8), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.5), ("赵", 2.3),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.3), ("朱", 1.3), ("胡", 1.2), ("郭", 1.2),
    ("何", 1.2), ("高", 1.1), ("林", 1.1), ("罗", 1.0), ("郑", 1.0), ("梁", 0.9), ("谢", 0.8), ("宋", 0.8),
    ("唐", 0.8), ("许", 0.7), ("韩", 0.7), ("冯", 0.7), ("邓", 0.7), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6),
    ("肖", 0.6), ("田", 0.5), ("董", 0.5), ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5),
    ("余", 0.5), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4),
    ("任", 0.4), ("沈", 0.4), ("姚", 0.4), ("卢", 0.4), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3), ("夏", 0.3),
    ("韦", 0.3), ("付", 0.3), ("方", 0.3), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2),
    ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2),
    ("史", 0.2), ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2),
    ("邵", 0.2), ("万", 0.2), ("钱", 0.2), ("严", 0.2), ("覃", 0.1), ("武", 0.1), ("戴", 0.1), ("莫", 0.1),
    ("孔", 0.1), ("向", 0.1), ("汤", 0.1),
)
_SURNAME_CHARS = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in SURNAMES))
GIVEN = {
    "男": {
        "single": "伟强军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰磊亮成坤毅东晨阳彬锋",
        "first": "建志国文海俊子浩宇明永天德家春立新学晓嘉泽振红秋",
        "second": "华强刚平伟军明辉涛斌杰峰林成东良生福庆祥荣宇轩航博然忠武鹏",
    },
    "女": {
        "single": "芳娟敏静丽艳娜霞燕玲婷倩颖雪琳慧红梅琴兰萍洁佳欣悦媛蓉莉晶",
        "first": "秀丽美春晓雅思雨欣佳婉梦淑海玉金红丹慧",
        "second": "华兰英芳娟梅琴萍霞燕玲婷琳颖雪洁怡静妍丽莹",
    },
}
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "193", "198", "199",
)

OFFICE_STAFF = (
    ("科长", 6), ("副科长", 8), ("一级主任科员", 4), ("二级主任科员", 6), ("三级主任科员", 7),
    ("四级主任科员", 8), ("一级科员", 20), ("科员", 14), ("办事员", 5), ("工作人员", 10),
)
DEPARTMENT_STAFF = (
    ("股长", 10), ("副股长", 8), ("一级主任科员", 4), ("二级主任科员", 5), ("三级主任科员", 6),
    ("四级主任科员", 7), ("一级科员", 18), ("科员", 14), ("办事员", 5), ("工作人员", 14),
)
TOWNSHIP_STAFF = (
    ("一级科员", 14), ("科员", 14), ("四级主任科员", 6), ("三级主任科员", 4), ("二级主任科员", 2),
    ("办事员", 6), ("工作人员", 14), ("安全生产专干", 3), ("统计专干", 2), ("社保专干", 2), ("民政专干", 2),
    ("卫健专干", 2), ("农业服务中心工作人员", 6), ("社会事务服务中心工作人员", 5), ("便民服务中心工作人员", 5),
    ("综治中心工作人员", 4), ("财政所工作人员", 3),
)


def _township_posts(kind: str, name: str) -> tuple[str, ...]:
    if kind == UnitKind.STREET:
        return ("党工委书记", "办事处主任", "党政办主任", "党工委副书记", "人大工委主任", "纪工委书记",
                "办事处副主任", "办事处副主任", "办事处副主任", "组织委员", "宣传委员", "武装部部长",
                "社区治理办主任", "社会事务服务中心主任", "财政所所长", "综治中心主任", "便民服务中心主任",
                "退役军人服务站站长")
    head = name[-1]  # 镇 or 乡
    return ("党委书记", f"{head}长", "党政办主任", "党委副书记", "人大主席", "纪委书记", f"副{head}长",
            f"副{head}长", f"副{head}长", "组织委员", "宣传委员", "武装部部长", "农业服务中心主任",
            "社会事务服务中心主任", "财政所所长", "综治中心主任", "便民服务中心主任", "退役军人服务站站长")


VILLAGE_POSTS = ("村党支部书记、村委会主任", "村党支部副书记", "村委会副主任", "村务监督委员会主任", "村委委员",
                 "村妇联主席", "报账员", "村委委员", "后备干部", "村团支部书记")
COMMUNITY_POSTS = ("社区党委书记、居委会主任", "社区党委副书记", "居委会副主任", "居务监督委员会主任",
                   "居委会委员", "社区妇联主席", "居委会委员", "社区专职工作者", "社区专职工作者",
                   "社区专职工作者", "社区专职工作者", "社区专职工作者", "社区专职工作者", "社区专职工作者")
GRID_POSTS = ("专职网格员",)


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    leaders: int
    offices: tuple[str, ...]  # office names, a subset of OFFICES
    departments: tuple[str, ...]  # a subset of DEPARTMENT_NAMES
    townships: tuple[str, ...]  # a subset of TOWNSHIPS
    subunits: tuple[int, int]  # villages and communities per township
    grids: tuple[int, int]  # grids per village or community
    mixed_subunits: bool  # streets keep some villages, towns have communities at their seat
    village_headcount: tuple[int, int]
    community_headcount: tuple[int, int]
    office_headcount: tuple[int, int] | None  # None: each office's own range
    department_headcount: tuple[int, int] | None
    people: int  # the exact total; townships take what the other units leave


SCALE_SPECS = {
    "seed": ScaleSpec(
        name="seed",
        leaders=len(COUNTY_LEADERS),
        offices=tuple(o.name for o in OFFICES),
        departments=DEPARTMENT_NAMES,
        townships=tuple(t[0] for t in TOWNSHIPS),
        subunits=(8, 12),
        grids=(2, 3),
        mixed_subunits=True,
        village_headcount=(5, 9),
        community_headcount=(8, 13),
        office_headcount=None,
        department_headcount=None,
        people=SEED_PEOPLE,
    ),
    "small": ScaleSpec(
        name="small",
        leaders=2,
        offices=("县委办公室", "县委组织部", "县政府办公室"),
        departments=("县财政局", "县农业农村局", "县统计局"),
        townships=("城关街道", "石桥镇"),
        subunits=(3, 3),
        grids=(1, 1),
        mixed_subunits=False,
        village_headcount=(3, 3),
        community_headcount=(3, 3),
        office_headcount=(4, 4),
        department_headcount=(3, 3),
        people=60,
    ),
}


class DemoExistsError(Exception):
    """The database already holds units: the demo county is never built twice."""


@dataclass
class DemoUnits:
    root: Unit
    offices: list[Unit] = field(default_factory=list)
    departments: list[Unit] = field(default_factory=list)
    townships: list[Unit] = field(default_factory=list)  # townships and streets
    subunits: list[Unit] = field(default_factory=list)  # villages and communities
    grids: list[Unit] = field(default_factory=list)

    @property
    def all(self) -> list[Unit]:
        """Every unit, in tree (path) order."""
        units = [self.root, *self.offices, *self.departments, *self.townships, *self.subunits, *self.grids]
        return sorted(units, key=lambda u: u.path)

    def by_name(self, name: str) -> Unit:
        return next(u for u in self.all if u.name == name)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str  # unit name
    display_name: str


@dataclass
class DemoResult:
    """What the demo's steps built so far; each step reads it and adds to it. The first step
    (``seed_step`` below) sets ``units`` and ``people``."""

    scale: str
    password: str
    units: DemoUnits = None  # type: ignore[assignment]
    people: list[Person] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # rows added by each step, for the audit row
    kinds: dict[str, int] = field(default_factory=dict)  # units per kind


def _rng(step: str, scale: str) -> random.Random:
    return random.Random(f"qingzhuang-demo/{step}/{scale}")


def _spec(scale: str) -> ScaleSpec:
    try:
        return SCALE_SPECS[scale]
    except KeyError:
        raise ValueError(f"未知规模：{scale}（可选 {'、'.join(SCALES)}）") from None


def _unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
    unit = Unit(code=code, name=name, kind=kind, parent=parent)
    unit.path = unit_path(parent, code)
    unit.depth = parent.depth + 1 if parent else 0
    return unit


def _insert_level(units: list[Unit]) -> None:
    """bulk_create one level of the tree; make sure every object has its primary key afterwards."""
    for unit in units:
        parent = unit.parent  # the cached object, inserted with the level above
        if parent is not None:
            unit.parent = parent  # re-assigning copies the parent's new primary key, keeps the cache
    Unit.objects.bulk_create(units, batch_size=500)
    if any(u.pk is None for u in units):  # a backend that cannot return ids from a bulk insert
        pks = dict(Unit.objects.filter(code__in=[u.code for u in units]).values_list("code", "pk"))
        for unit in units:
            unit.pk = pks[unit.code]


def build_units(scale: str) -> DemoUnits:
    """Create the org tree of 青山县 with bulk inserts, level by level."""
    spec = _spec(scale)
    rng = _rng("units", scale)
    root = _unit(f"{COUNTY_CODE}000000", COUNTY_NAME, UnitKind.COUNTY, None)
    units = DemoUnits(root=root)
    for office in OFFICES:
        if office.name in spec.offices:
            units.offices.append(_unit(f"{COUNTY_CODE}{office.part}000", office.name, office.kind, root))
    for number, name in enumerate(DEPARTMENT_NAMES, start=951):
        if name in spec.departments:
            units.departments.append(_unit(f"{COUNTY_CODE}{number}000", name, UnitKind.DEPARTMENT, root))
    # Decks of name stems: every village and community name in the county is distinct.
    rural = iter(rng.sample(RURAL_STEMS, len(RURAL_STEMS)))
    urban = iter(rng.sample(URBAN_STEMS, len(URBAN_STEMS)))
    for name, kind, part in TOWNSHIPS:
        if name not in spec.townships:
            continue
        township = _unit(f"{COUNTY_CODE}{part}000", name, kind, root)
        units.townships.append(township)
        prefix = township.code[:9]
        count = rng.randint(*spec.subunits)
        # Streets are made of communities (a few keep a suburban village); a town has a community
        # or two at its seat; a 乡 at most one.
        if kind == UnitKind.STREET:
            communities = count - (rng.randint(0, 2) if spec.mixed_subunits else 0)
        elif not spec.mixed_subunits:
            communities = 0
        else:
            communities = rng.randint(1, 2) if name.endswith("镇") else rng.randint(0, 1)
        grid_number = itertools.count(501)
        for i in range(count):
            if i < communities:
                seat = i == 0 and kind != UnitKind.STREET  # the community at a town's seat bears its name
                sub_name = f"{name[:-1]}社区" if seat else f"{next(urban)}社区"
                sub = _unit(f"{prefix}{i + 1:03d}", sub_name, UnitKind.COMMUNITY, township)
            else:
                stem, suffix = next(rural), rng.choice(RURAL_SUFFIXES)
                if rng.random() >= 0.4 or suffix in stem or stem[-1] in RURAL_SUFFIXES:
                    suffix = ""
                sub_name = f"{stem}{suffix}村"
                sub = _unit(f"{prefix}{201 + i - communities:03d}", sub_name, UnitKind.VILLAGE, township)
            units.subunits.append(sub)
            for g in range(rng.randint(*spec.grids)):
                grid_name = f"{sub_name}{GRID_ORDINALS[g]}"
                units.grids.append(_unit(f"{prefix}{next(grid_number):03d}", grid_name, UnitKind.GRID, sub))
    _insert_level([root])
    _insert_level([*units.offices, *units.departments, *units.townships])
    _insert_level(units.subunits)
    _insert_level(units.grids)
    return units


class _PersonFactory:
    """Plausible names, mobile numbers and unique, valid 公民身份号码."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self.birth_min = dt.date(1965, 1, 1).toordinal()
        self.birth_max = dt.date(2000, 12, 31).toordinal()

    def name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choices(_SURNAME_CHARS, cum_weights=_SURNAME_CUM)[0]
        pool = GIVEN[gender]
        if rng.random() < 0.3:
            return surname + rng.choice(pool["single"])
        return surname + rng.choice(pool["first"]) + rng.choice(pool["second"])

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, gender: str, earliest: int, latest: int) -> str:
        lo = max(self.birth_min, dt.date(earliest, 1, 1).toordinal())
        hi = min(self.birth_max, dt.date(latest, 12, 31).toordinal())
        while True:
            birth = dt.date.fromordinal(self.rng.randint(lo, hi))
            gender_digit = self.rng.randrange(1 if gender == "男" else 0, 10, 2)
            first17 = f"{COUNTY_CODE}{birth:%Y%m%d}{self.rng.randrange(100):02d}{gender_digit}"
            value = first17 + ids.id_check_char(first17)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value

    def person(self, unit: Unit, title: str, *, female_share: float, born: tuple[int, int]) -> Person:
        gender = "女" if ("妇联" in title or self.rng.random() < female_share) else "男"
        return Person(
            unit=unit,
            name=self.name(gender),
            title=title,
            phone=self.phone(),
            id_number=self.id_number(gender, *born),
        )


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties by position)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_people(units: DemoUnits, scale: str) -> list[Person]:
    """Create the cadres of every unit; exactly ``ScaleSpec.people`` of them, bulk-inserted."""
    spec = _spec(scale)
    rng = _rng("people", scale)
    # Each entry: (unit, fixed posts (most senior first), staff pool for the rest, headcount, female share)
    plan: list[tuple[Unit, tuple[str, ...], tuple[tuple[str, int], ...], int, float]] = []
    plan.append((units.root, COUNTY_LEADERS[: spec.leaders], OFFICE_STAFF, spec.leaders, 0.15))
    offices = {o.name: o for o in OFFICES}
    for unit in units.offices:
        office = offices[unit.name]
        headcount = rng.randint(*(spec.office_headcount or office.headcount))
        plan.append((unit, office.posts, OFFICE_STAFF, headcount, 0.4))
    departments = {name: (headcount, extra) for name, headcount, extra in DEPARTMENTS}
    for unit in units.departments:
        headcount_range, extra = departments[unit.name]
        posts = ("局长", "副局长", "综合股股长", "副局长", "办公室主任", "副局长", "党组成员", *extra)
        headcount = rng.randint(*(spec.department_headcount or headcount_range))
        plan.append((unit, posts, DEPARTMENT_STAFF, headcount, 0.4))
    for unit in units.subunits:
        if unit.kind == UnitKind.COMMUNITY:
            plan.append((unit, COMMUNITY_POSTS, (), rng.randint(*spec.community_headcount), 0.6))
        else:
            posts = VILLAGE_POSTS
            if rng.random() < 0.15:  # not every village has one person as both secretary and director
                posts = ("村党支部书记", "村委会主任", *VILLAGE_POSTS[1:])
            plan.append((unit, posts, (), rng.randint(*spec.village_headcount), 0.3))
    for unit in units.grids:
        plan.append((unit, GRID_POSTS, (), 1, 0.5))
    # Townships and streets take the rest, in proportion to their size.
    rest = spec.people - sum(entry[3] for entry in plan)
    sizes = {t.pk: 0 for t in units.townships}
    for sub in units.subunits:
        sizes[sub.parent.pk] += 1
    weights = [
        (1.15 if t.kind == UnitKind.STREET else 0.8 if t.name.endswith("乡") else 1.0)
        * (0.7 + 0.03 * sizes[t.pk]) * rng.uniform(0.9, 1.1)
        for t in units.townships
    ]
    for township, headcount in zip(units.townships, _apportion(rest, weights), strict=True):
        plan.append((township, _township_posts(township.kind, township.name), TOWNSHIP_STAFF, headcount, 0.35))
    if rest < 0 or any(entry[3] < 1 for entry in plan):
        raise RuntimeError("演示人数配置有误")  # pragma: no cover - a wrong ScaleSpec

    plan.sort(key=lambda entry: entry[0].path)
    factory = _PersonFactory(rng)
    people: list[Person] = []
    for unit, posts, pool, headcount, female_share in plan:
        titles = list(posts[:headcount])
        if len(titles) < headcount:
            if pool:
                names, weights = zip(*pool, strict=True)
                titles += rng.choices(names, weights=weights, k=headcount - len(titles))
            else:
                titles += [posts[-1]] * (headcount - len(titles))
        for index, title in enumerate(titles):
            if unit.kind == UnitKind.GRID:
                born = (1975, 2000)
            elif index < len(posts) and index < 3:
                born = (1965, 1988)  # heads and first deputies
            else:
                born = (1968, 2000)
            people.append(factory.person(unit, title, female_share=female_share, born=born))
    assert len(people) == spec.people
    Person.objects.bulk_create(people, batch_size=1000)
    return people


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def person_with_title(people: list[Person], unit: Unit, *titles: str) -> Person | None:
    """The first person of ``unit`` holding the first of ``titles`` that anyone there holds."""
    for title in titles:
        for person in people:
            if person.unit is unit and person.title == title:
                if person.pk is None:  # a backend that cannot return ids from a bulk insert
                    person.pk = Person.objects.values_list("pk", flat=True).get(id_number=person.id_number)
                return person
    return None


def seed_step(result: DemoResult) -> dict[str, int]:
    """The demo's first step: the org tree and its cadres. Refuses (DemoExistsError) when any unit
    exists, so the demo county is never built over real data."""
    _spec(result.scale)
    existing = Unit.objects.count()
    if existing:
        raise DemoExistsError(existing)
    result.units = build_units(result.scale)
    result.people = build_people(result.units, result.scale)
    kinds: dict[str, int] = {}
    for unit in result.units.all:
        kinds[unit.kind] = kinds.get(unit.kind, 0) + 1
    result.kinds = kinds
    return {"units": len(result.units.all), "people": len(result.people)}


def summary(result: DemoResult) -> str:
    units = result.units
    villages = sum(1 for u in units.subunits if u.kind == UnitKind.VILLAGE)
    communities = len(units.subunits) - villages
    return (f"组织架构：单位 {len(units.all)} 个（县直机关 {len(units.offices)} 个、部门 {len(units.departments)} 个、"
            f"乡镇（街道）{len(units.townships)} 个、村 {villages} 个、社区 {communities} 个、"
            f"网格 {len(units.grids)} 个），干部 {len(result.people)} 名。")
