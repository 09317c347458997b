"""The demo county's reports, data requests and the fills they asked of villages (a demo step).

The story of 永川 (168 reports and 1,377 submissions a year before its 一表通): in the year before
the demo's indicator year (2024) the departments sent many reports to villages and communities
every month or quarter; early in the indicator year (2025) the 督查室 went through the register,
stopped some reports, merged others into the ledger (接入: filled from it, no longer sent) and kept
or optimised the rest; in 2025 the departments define fewer reports, ask data through 数据需求
(the ledger serves the fields it holds, only the rest is asked), and the villages fill far less.

Everything goes through the real services (``report_create`` … ``report_send``, ``request_send``,
which place demands through ``burden.services.demand_place``, and ``burden.services.demand_fill``)
with the demo's accounts as actors; the services write the audit rows. Each write runs with the
clock set to its moment in 2024 or 2025 (``_clock``), so the burden ledger counts it in its year.
The step draws from its own fixed-seed ``random.Random``: the same rows on every run.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from qingzhuang.ledger.demo import INDICATOR_YEAR
from qingzhuang.orgs.models import UnitKind

THIS_YEAR = INDICATOR_YEAR  # 2025: the year the burden pages show for the demo
LAST_YEAR = INDICATOR_YEAR - 1  # 2024: before the register was cleaned up
UTC = dt.UTC


@dataclass(frozen=True)
class Scale:
    last_reports: int  # reports sent in the year before
    new_reports: int  # reports defined this year (every admission state)
    requests: int  # data requests this year
    targets: tuple[int, int]  # villages asked by a report
    last_rounds: tuple[int, ...]  # how many months a report was sent last year (drawn from)
    this_rounds: tuple[int, ...]


SCALES = {
    "small": Scale(last_reports=10, new_reports=7, requests=5, targets=(2, 4), last_rounds=(2, 3, 4),
                   this_rounds=(1, 2)),
    # 永川's year before (168 reports, 1,377 submissions): 168 reports in 2024 (every twelfth refused
    # admission), about 1,330 sendings to villages; the services (one fill at a time) add about 25 s
    # to ``seed_demo --scale seed``.
    "seed": Scale(last_reports=168, new_reports=16, requests=12, targets=(2, 5), last_rounds=(2, 2, 3, 3),
                  this_rounds=(1, 1, 2)),
}

# Reports: (name, department, dataset, aggregate grouping, fields the villages must fill in).
TOPICS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("流动人口分村统计月报", "县统计局", "population", ("本月流入人数", "本月流出人数")),
    ("低保对象核查表", "县财政局", "population", ("核查户数", "取消户数", "新增户数")),
    ("安全生产隐患排查月报", "县应急管理局", "legal_entities", ("排查企业数", "发现隐患数", "整改完成数")),
    ("农村危房排查统计表", "县住房和城乡建设局", "housing", ("排查户数", "危房户数", "已改造户数")),
    ("高标准农田建设进度月报", "县农业农村局", "indicator_values", ("建成面积（亩）", "在建面积（亩）")),
    ("秸秆禁烧巡查台账", "县生态环境分局", "events", ("巡查次数", "发现火点数")),
    ("防返贫监测对象排查表", "县农业农村局", "population", ("监测户数", "新增监测户数", "帮扶措施")),
    ("城乡居民医保参保进度表", "县人力资源和社会保障局", "population", ("应参保人数", "已参保人数")),
    ("老年人健康体检统计表", "县卫生健康局", "population", ("应检人数", "已检人数")),
    ("规上企业用工情况月报", "县人力资源和社会保障局", "legal_entities", ("用工人数", "缺工人数")),
    ("自建房安全专项整治台账", "县住房和城乡建设局", "housing", ("排查栋数", "存在隐患栋数")),
    ("耕地撂荒情况统计表", "县自然资源和规划局", "indicator_values", ("撂荒面积（亩）", "复耕面积（亩）")),
    ("农村公路养护情况季报", "县交通运输局", "indicator_values", ("养护里程（公里）", "病害处置数")),
    ("文化活动开展情况统计表", "县文化和旅游局", "events", ("开展活动次数", "参与人次")),
    ("消费品以旧换新推进表", "县商务局", "legal_entities", ("参与商户数", "补贴金额（元）")),
    ("重点项目入库情况月报", "县发展和改革局", "indicator_values", ("入库项目数", "计划投资（万元）")),
    ("科技特派员服务台账", "县科学技术局", "events", ("服务次数", "解决问题数")),
    ("涉企政策兑现情况表", "县工业和信息化局", "legal_entities", ("兑现企业数", "兑现金额（万元）")),
    ("惠民惠农补贴发放核对表", "县财政局", "population", ("应发户数", "已发户数", "发放金额（元）")),
    ("森林防火巡查台账", "县应急管理局", "events", ("巡查人次", "发现隐患数")),
    ("村级集体经济收入统计表", "县农业农村局", "indicator_values", ("经营性收入（万元）", "增收措施")),
    ("人口变动情况抽样调查表", "县统计局", "population", ("出生人数", "死亡人数", "迁入人数")),
    ("出租房屋登记统计表", "县住房和城乡建设局", "housing", ("出租户数", "承租人数")),
    ("个体工商户经营情况调查表", "县统计局", "legal_entities", ("调查户数", "歇业户数")),
)
FORMS = ("", "（季报）", "（专项）", "（补充）", "（半年）", "（分户）", "（汇总）")

# Data requests: (title, department, fields: some the ledger holds, some it does not).
REQUESTS: tuple[tuple[str, str, str], ...] = (
    ("困难群众走访慰问名单", "县财政局", "姓名、公民身份号码、居住地址、联系电话、是否低保、走访次数、慰问金额"),
    ("农村独居老人关爱服务需求", "县卫生健康局", "姓名、出生日期、居住地址、健康状况、服务需求"),
    ("沿街商铺消防安全情况", "县应急管理局", "单位名称、统一社会信用代码、登记地址、灭火器配备数量、疏散通道情况"),
    ("农房出租与流动人口对照", "县住房和城乡建设局", "房屋编号、房屋地址、是否出租、承租人数、租赁合同备案情况"),
    ("返乡创业人员情况", "县人力资源和社会保障局", "姓名、公民身份号码、联系电话、创业项目、带动就业人数"),
    ("规模养殖场基本情况", "县农业农村局", "单位名称、法定代表人、从业人员数、存栏数量、粪污处理方式"),
    ("村级文化阵地使用情况", "县文化和旅游局", "单位名称、登记地址、开放天数、活动场次"),
    ("重点人群疫苗接种情况", "县卫生健康局", "姓名、性别、出生日期、接种剂次、未接种原因"),
    ("小微企业融资需求摸排", "县工业和信息化局", "单位名称、统一社会信用代码、行业类别、融资需求（万元）、用途"),
    ("留守儿童监护情况", "县统计局", "姓名、出生日期、居住地址、监护人姓名、监护人联系电话、在读学校"),
)

# Elements a department confirms as answering its near-matched fields (是否低保 → 特殊群体).
CONFIRMED_NEAR = ("special_groups",)

STOP_REASONS = (
    "与一套表人口基础信息重复，停止向村（社区）索要。",
    "未经准入擅自扩大填报范围，按规定停止填报。",
    "同一事项已由县统计局年报覆盖，重复报送，停用。",
)
INTEGRATE_REASONS = (
    "所需数据一套表已有，改由系统自动生成，不再向基层下发。",
    "接入一套表：部门直接从数据库取数，村（社区）不再填报。",
)
OPTIMISE_REASONS = ("填报频次由按月改为按季度，字段精简。", "合并相近字段，减少手工填报项。")
KEEP_REASONS = ("一套表暂无此数据，确需基层填报，保留。", "上级考核明确要求，保留，按季度报送。")
APPROVE_NOTES = ("符合准入条件，同意下发。", "已核实一套表无此数据，同意。", "同意，请控制填报频次。")
REJECT_NOTES = (
    "所需数据一套表已有，请通过“找数据”获取，不予准入。",
    "与已有报表重复，请合并后再提交。",
    "填报字段过多、频次过高，请精简后重新提交。",
)


@contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``: every ``timezone.now()`` (timestamps, the demand's
    month, audit rows) reads it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@contextmanager
def _hash_once(password: str) -> Iterator[None]:
    """The accounts this step adds share the demo password: hash it once (PBKDF2 takes about a
    second a time) and give every account that hash."""
    from django.contrib.auth import base_user

    encoded = base_user.make_password(password)
    with mock.patch.object(base_user, "make_password",
                           side_effect=lambda raw, *a, **kw: encoded if raw == password and not a and not kw
                           else make_password(raw, *a, **kw)):
        yield


def make_password(raw, *args, **kwargs):
    from django.contrib.auth.hashers import make_password as real

    return real(raw, *args, **kwargs)


def _at(year: int, month: int, day: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(year, month, min(day, 28), hour, 0, tzinfo=UTC)


def _next_month(year: int, month: int, day: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, day)


class _Actors:
    """The demo accounts, and the further department and township accounts a service needs."""

    def __init__(self, result, rng: random.Random):
        from qingzhuang.accounts.models import User

        self.result, self.rng = result, rng
        self.users = {u.username: u for u in User.objects.filter(username__in=("ducha", "tianbao", "cun", "xiangzhen"))}
        self.ducha = self.users["ducha"]
        self.reporters = {self.users["tianbao"].unit_id: self.users["tianbao"]}
        self.fillers = {self.users["xiangzhen"].unit_id: self.users["xiangzhen"]}
        self.cun = self.users["cun"]
        self.created = 0

    def _create(self, username: str, role: str, unit, display_name: str):
        from qingzhuang.accounts.services import user_create

        self.created += 1
        return user_create(actor=None, username=username, password=self.result.password, unit=unit,
                           roles=[role], display_name=display_name)

    def reporter(self, department):
        from qingzhuang.orgs import roles

        if department.pk not in self.reporters:
            self.reporters[department.pk] = self._create(f"tb{department.code}", roles.REPORTER, department,
                                                         f"{department.name}填报员")
        return self.reporters[department.pk]

    def filler(self, unit):
        """Who fills for a village: ``cun`` for its own, else the township's account."""
        from qingzhuang.orgs import roles

        if unit.pk == self.cun.unit_id:
            return self.cun
        township = unit.parent
        if township.pk not in self.fillers:
            self.fillers[township.pk] = self._create(f"xz{township.code}", roles.GRASSROOTS, township,
                                                     f"{township.name}党政办")
        return self.fillers[township.pk]


class _Seeder:
    def __init__(self, result):
        from qingzhuang.ledger.models import Dataset

        self.result, self.units = result, result.units
        self.rng = random.Random(f"qingzhuang-demo/reports/{result.scale}")
        self.scale = SCALES[result.scale]
        self.actors = _Actors(result, self.rng)
        self.datasets = {d.code: d for d in Dataset.objects.all()}
        self.departments = {u.name: u for u in self.units.departments}
        self.villages = [u for u in self.units.subunits if u.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)]
        self.cun_village = next(v for v in self.villages if v.pk == self.actors.cun.unit_id)
        self.demands = Counter()  # year → demands placed
        self.filled = Counter()
        self.reports: list = []
        self.requests: list = []
        self.sent_last_year = 0

    # -- helpers -------------------------------------------------------------------------------

    def department(self, name: str):
        return self.departments.get(name) or self.departments.get("县统计局") or self.units.departments[0]

    def targets(self, low: int, high: int, *, with_cun: bool = False) -> list:
        k = min(len(self.villages), self.rng.randint(low, high))
        chosen = self.rng.sample(self.villages, k)
        if with_cun and self.cun_village not in chosen:
            chosen[0] = self.cun_village
        return sorted(chosen, key=lambda u: u.path)

    def report(self, index: int, year: int, month: int, *, manual: bool = True, with_cun: bool = False):
        from qingzhuang.ledger.models import UnitLevel
        from qingzhuang.ledger.services.reports import ReportDefinition, report_create

        name, dept_name, dataset, fields = TOPICS[index % len(TOPICS)]
        form = FORMS[(index // len(TOPICS)) % len(FORMS)]
        department = self.department(dept_name)
        actor = self.actors.reporter(department)
        definition = ReportDefinition(
            name=f"{name}{form}", dataset=self.datasets[dataset],
            purpose=f"{department.name}掌握{name.removesuffix('表').removesuffix('月报')}情况",
            group_unit=UnitLevel.VILLAGE if dataset != "indicator_values" else "",
            manual_fields=list(fields) if manual else [],
            target_units=self.targets(*self.scale.targets, with_cun=with_cun),
        )
        with _clock(_at(year, month, self.rng.randint(2, 20))):
            report = report_create(actor=actor, definition=definition)
        self.reports.append(report)
        return report, actor

    def submit_and_review(self, obj, actor, year: int, month: int, approve: bool | None):
        """Submit, then review as the 督查室 (approve or reject with a note); ``approve`` None leaves it pending."""
        from qingzhuang.ledger.models import Report
        from qingzhuang.ledger.services import data_requests, reports

        is_report = isinstance(obj, Report)
        with _clock(_at(year, month, 21)):
            if is_report:
                obj = reports.report_submit(actor=actor, report=obj)
            else:
                obj = data_requests.request_submit(actor=actor, data_request=obj)
        if approve is None:
            return obj
        note = self.rng.choice(APPROVE_NOTES if approve else REJECT_NOTES)
        with _clock(_at(year, month, 25)):
            if is_report:
                return reports.report_review(actor=self.actors.ducha, report=obj, approve=approve, note=note)
            return data_requests.request_review(actor=self.actors.ducha, data_request=obj, approve=approve, note=note)

    def fill(self, demands: list, year: int, month: int, *, keep_pending) -> None:
        from qingzhuang.burden.services import demand_fill

        for demand in demands:
            if keep_pending(demand):
                continue
            values = {f: (self.rng.choice(("无", "已落实", "正常")) if f in ("帮扶措施", "增收措施", "用途")
                          else str(self.rng.randint(0, 60))) for f in demand.fields}
            with _clock(_at(year, month, self.rng.randint(1, 12), hour=self.rng.randint(1, 9))):
                demand_fill(actor=self.actors.filler(demand.unit), demand=demand, data=values,
                            note=self.rng.choice(("", "", "已核实", "数据来自村台账")))
            self.filled[year] += 1

    def send(self, report, actor, year: int, months: list[int], *, pending_from: int = 13,
             missed: float = 0.0) -> None:
        from qingzhuang.ledger.services.reports import report_send

        for month in months:
            with _clock(_at(year, month, self.rng.randint(1, 5))):
                demands = report_send(actor=actor, report=report, round=f"{year}-{month:02d}",
                                      due_date=_next_month(year, month, 10))
            self.demands[year] += len(demands)
            late = month >= pending_from
            fill_month, fill_year = (month + 1, year) if month < 12 else (1, year + 1)
            self.fill(demands, fill_year, fill_month, keep_pending=lambda d, late=late: (
                (late and (d.unit_id == self.cun_village.pk or self.rng.random() < 0.4))
                or self.rng.random() < missed))

    # -- the two years -------------------------------------------------------------------------

    def last_year(self) -> list:
        """2024: many reports, all admitted, sent to villages month after month (a few rejected)."""
        sent = []
        for i in range(self.scale.last_reports):
            month = 1 + i * 3 // max(1, self.scale.last_reports)  # defined in the first quarter
            report, actor = self.report(i, LAST_YEAR, month)
            rejected = i % 12 == 11
            report = self.submit_and_review(report, actor, LAST_YEAR, month, approve=not rejected)
            if rejected:
                continue
            rounds = self.rng.choice(self.scale.last_rounds)
            months = sorted(self.rng.sample(range(month + 1, 13), min(rounds, 12 - month)))
            self.send(report, actor, LAST_YEAR, months)
            sent.append((report, actor))
        self.sent_last_year = len(sent)
        return sent

    def register(self, sent: list) -> list:
        """Early 2025 the 督查室 goes through the register: stop, integrate, optimise or keep."""
        from qingzhuang.ledger.models import RegisterStatus
        from qingzhuang.ledger.services.reports import report_set_register

        statuses = [RegisterStatus.STOP, RegisterStatus.INTEGRATE, RegisterStatus.OPTIMISE, RegisterStatus.KEEP]
        weights = (40, 30, 12, 18)
        reasons = {RegisterStatus.STOP: STOP_REASONS, RegisterStatus.INTEGRATE: INTEGRATE_REASONS,
                   RegisterStatus.OPTIMISE: OPTIMISE_REASONS, RegisterStatus.KEEP: KEEP_REASONS}
        still_sent = []
        for i, (report, actor) in enumerate(sent):
            status = statuses[i] if i < len(statuses) else self.rng.choices(statuses, weights)[0]
            with _clock(_at(THIS_YEAR, 1 + i * 2 // max(1, len(sent)), 15 + i % 10)):
                report_set_register(actor=self.actors.ducha, report=report, status=status,
                                    reason=self.rng.choice(reasons[status]))
            if status in (RegisterStatus.KEEP, RegisterStatus.OPTIMISE):
                still_sent.append((report, actor))
        return still_sent

    def this_year(self, still_sent: list) -> None:
        """2025: the kept reports sent less often, a few new reports in every admission state."""
        for report, actor in still_sent:
            rounds = self.rng.choice(self.scale.this_rounds)
            months = sorted(self.rng.sample((3, 6, 9, 12), rounds))
            self.send(report, actor, THIS_YEAR, months, pending_from=11, missed=0.04)
        # New reports: admitted and sent, admitted and filled from the ledger only, pending, draft, rejected.
        plan = ("send", "ledger", "pending", "draft", "reject", "send", "ledger")
        for i in range(self.scale.new_reports):
            kind = plan[i % len(plan)]
            month = 3 + i * 8 // max(1, self.scale.new_reports)
            report, actor = self.report(len(TOPICS) * 3 + i, THIS_YEAR, month, manual=kind != "ledger",
                                        with_cun=kind == "send")
            if kind == "draft":
                continue
            approve = {"pending": None, "reject": False}.get(kind, True)
            report = self.submit_and_review(report, actor, THIS_YEAR, month, approve)
            if kind == "send":
                rounds = self.rng.choice(self.scale.this_rounds)
                months = sorted(self.rng.sample(range(month + 1, 13), min(rounds + 1, 12 - month)))
                self.send(report, actor, THIS_YEAR, months, pending_from=11, missed=0.04)

    def data_requests(self) -> None:
        """2025: data requests; the ledger's fields are shared, only the rest is asked of villages."""
        from qingzhuang.ledger.services.data_requests import (
            RequestDefinition,
            request_create,
            request_field_confirm,
            request_send,
        )

        plan = ("send", "send", "pending", "reject", "draft", "send")
        for i in range(self.scale.requests):
            title, dept_name, fields = REQUESTS[i % len(REQUESTS)]
            kind = plan[i % len(plan)]
            month = 2 + i * 9 // max(1, self.scale.requests)
            department = self.department(dept_name)
            actor = self.actors.reporter(department)
            due = _next_month(THIS_YEAR, month, 20)
            definition = RequestDefinition(
                title=title if i < len(REQUESTS) else f"{title}（复核）", fields_text=fields,
                purpose=f"{department.name}开展专项工作所需", period=f"{THIS_YEAR}年",
                due_date=due, target_units=self.targets(*self.scale.targets, with_cun=kind == "send"),
            )
            with _clock(_at(THIS_YEAR, month, 3)):
                data_request = request_create(actor=actor, definition=definition)
                # The department knows 低保 is recorded in 特殊群体: it confirms that near match;
                # other near ones (监护人姓名 beside 姓名) stay to be asked.
                for f in data_request.fields.filter(outcome="related", element__code__in=CONFIRMED_NEAR):
                    request_field_confirm(actor=actor, data_request=data_request, field_id=f.pk)
            self.requests.append(data_request)
            if kind == "draft":
                continue
            approve = {"pending": None, "reject": False}.get(kind, True)
            data_request = self.submit_and_review(data_request, actor, THIS_YEAR, month, approve)
            if kind != "send" or not data_request.remaining_count:
                continue
            with _clock(_at(THIS_YEAR, month, 27)):
                demands = request_send(actor=actor, data_request=data_request)
            self.demands[THIS_YEAR] += len(demands)
            late = month >= 10
            fill_month, fill_year = (month + 1, THIS_YEAR) if month < 12 else (1, THIS_YEAR + 1)
            self.fill(demands, fill_year, fill_month, keep_pending=lambda d, late=late: (
                (late and d.unit_id == self.cun_village.pk) or self.rng.random() < 0.15))

    def run(self) -> dict[str, int]:
        still_sent = self.register(self.last_year())
        self.this_year(still_sent)
        self.data_requests()
        return {
            "reports": len(self.reports),
            "data_requests": len(self.requests),
            "demands_last_year": self.demands[LAST_YEAR],
            "demands_this_year": self.demands[THIS_YEAR],
            "demands_filled": sum(self.filled.values()),
            "department_accounts": self.actors.created,
        }


def seed_step(result) -> dict[str, int]:
    """A step of the demo county: reports, data requests, their demands and fills, 2024 and 2025."""
    with _hash_once(result.password):
        return _Seeder(result).run()


def summary(result) -> str:
    c = result.counts
    if "demands_this_year" not in c:
        return ""
    return (f"减负：报表 {c['reports']} 张、数据需求 {c['data_requests']} 项；向村（社区）下发填报 "
            f"{LAST_YEAR} 年 {c['demands_last_year']} 次 → {THIS_YEAR} 年 {c['demands_this_year']} 次，"
            f"已填报 {c['demands_filled']} 次")
