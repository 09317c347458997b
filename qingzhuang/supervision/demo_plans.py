"""The demo county's annual plans of 督查检查考核 and merged visits (a demo step).

嘉鱼's story: in 2024 the county still ran monthly inspections (cap: one visit per unit per month)
and departments filed about 30 items; for 2025 it cut the highest frequency to one comprehensive
visit per quarter and the plan to about 22 items (只减不增). Items come from several departments;
most are approved, a couple wait for approval and one was rejected; one or two are one-offs
outside the plan (一事一报). The system's merge proposals are found, most accepted (one joint visit,
one code per common unit) and one rejected; the other approved items are visited singly, each on a
few townships or villages whose cap still has room. Every issued visit is a 督查检查 demand in the
burden ledger.

The 县统计局's reporter (``tianbao``) proposes its own 2025 items through the services, and the
督查室 (``ducha``) approves them, decides the merges and issues every code; the other departments'
items are written in bulk as already admitted. The clock is set to a day of 2024 or 2025 for each
write. Fixed-seed ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.core.exceptions import ValidationError
from django.db import transaction

from qingzhuang.orgs.models import UnitKind

LAST_YEAR, THIS_YEAR = 2024, 2025
UTC = dt.UTC


@dataclass(frozen=True)
class Scale:
    last_year: int  # items filed for 2024
    this_year: int  # items filed for 2025 (fewer)
    single_units: int  # units a single-item visit goes to at most


SCALES = {
    "small": Scale(last_year=12, this_year=9, single_units=2),
    "seed": Scale(last_year=30, this_year=22, single_units=3),
}

# (title, matter, kind, basis, method, materials)
SUBJECTS = (
    ("安全生产大检查", "安全生产", "inspect", "《安全生产法》、县安委会年度工作要点", "four_nots", ""),
    ("耕地保护和粮食安全督查", "耕地保护", "supervise", "县委常委会议定事项", "onsite", ""),
    ("森林防火专项检查", "森林防火", "inspect", "《森林防火条例》", "four_nots", ""),
    ("统计执法检查", "统计执法", "inspect", "《统计法》", "desk", ""),
    ("防返贫动态监测督查", "防返贫监测", "supervise", "县乡村振兴领导小组工作规则", "talk", ""),
    ("农村人居环境整治检查", "人居环境整治", "inspect", "县农村人居环境整治提升方案", "onsite", ""),
    ("防汛备汛检查", "防汛备汛", "inspect", "县防汛抗旱指挥部通知", "onsite", ""),
    ("城乡居民医保征缴督查", "医保征缴", "supervise", "县政府常务会议定事项", "online", ""),
    ("自建房安全隐患排查检查", "自建房安全", "inspect", "县自建房安全专项整治方案", "four_nots", ""),
    ("基层党建工作考核", "基层党建", "assess", "县委组织部年度考核方案", "talk", "年度党建工作总结（已有的，不另行制作）"),
    ("秸秆禁烧督查", "秸秆禁烧", "supervise", "县大气污染防治工作方案", "four_nots", ""),
    ("食品安全检查", "食品安全", "inspect", "《食品安全法》", "onsite", ""),
    ("重点项目建设督查", "重点项目", "supervise", "县委经济工作会议部署", "onsite", ""),
    ("消防安全检查", "消防安全", "inspect", "《消防法》", "four_nots", ""),
    ("乡村公路养护检查", "公路养护", "inspect", "县农村公路管理养护办法", "onsite", ""),
)
ONEOFFS = {
    LAST_YEAR: ("暴雨灾后重建督查", "灾后重建", "supervise", "县委常委会会议纪要", "onsite", "",
                "7月特大暴雨后，县委要求对灾后重建进度开展专项督查，年初计划未列入。"),
    THIS_YEAR: ("非洲猪瘟防控专项检查", "动物疫病防控", "inspect", "县重大动物疫病防控指挥部通知", "four_nots", "",
                "邻县发生疫情，按省防控指挥部紧急通知开展专项检查，年初计划未列入。"),
}
STATS_ITEMS = (  # the 县统计局's 2025 items, proposed by its reporter through the services
    ("统计执法检查", "统计执法", "inspect", "《统计法》、省统计局年度执法检查计划", "desk", ""),
    ("基本单位名录库核查", "名录库核查", "inspect", "国家统计局基本单位名录库维护办法", "online", ""),
    ("统计基层基础建设考核", "统计基础建设", "assess", "省统计局统计基层基础建设规范", "talk", ""),
)
REJECT_REASON = "两项检查专业性强、检查重点不同，分别开展更合适。"
REJECTED_ITEM_NOTE = "与县应急管理局安全生产大检查内容重复，请并入该检查，不再单独开展。"


@contextmanager
def _clock(day: dt.date) -> Iterator[None]:
    moment = dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class _Seeder:
    def __init__(self, result):
        from django.contrib.auth import get_user_model

        User = get_user_model()  # noqa: N806 (accounts is beside this app: no import of it)

        self.result, self.units = result, result.units
        self.scale = SCALES[result.scale]
        self.rng = random.Random(f"qingzhuang-demo/supervision-plans/{result.scale}")
        users = {u.username: u for u in User.objects.filter(username__in=("ducha", "tianbao", "xiangzhen", "cun"))}
        self.ducha, self.tianbao = users["ducha"], users["tianbao"]
        self.owners = [*self.units.departments, *(o for o in self.units.offices if o.name == "县委组织部")]
        self.stats = next(u for u in self.units.departments if u.pk == self.tianbao.unit_id)
        self.townships = list(self.units.townships)
        self.villages = [u for u in self.units.subunits if u.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)]
        self.cun_village = next((v for v in self.villages if v.pk == users["cun"].unit_id), self.villages[0])
        self.counts = {"supervision_plan_items": 0, "supervision_merges": 0, "supervision_visits": 0}

    # -- items -------------------------------------------------------------------------------------

    def _window(self, year: int, i: int) -> str:
        """2024 (monthly caps): mostly months; 2025 (quarterly caps): quarters for township items."""
        if year == LAST_YEAR and i % 3:
            return f"{year}-{1 + (i * 5) % 12:02d}"
        return f"{year}-Q{1 + i % 4}"

    def _targets(self, i: int) -> tuple[list[str], list]:
        if i % 4 == 3:  # a few villages (the demo village's township first)
            start = (i // 4) * 2 % max(1, len(self.villages))
            picked = (self.villages[start:] + self.villages[:start])[:3]
            return [], picked
        return [UnitKind.TOWNSHIP, UnitKind.STREET], []

    def _bulk_items(self, year: int, count: int) -> list:
        from qingzhuang.burden.admission import Admission
        from qingzhuang.supervision import windows
        from qingzhuang.supervision.models import PlanItem

        others = [o for o in self.owners if o.pk != self.stats.pk] or self.owners
        specs = []
        for i in range(count):
            title, matter, kind, basis, method, materials = SUBJECTS[i % len(SUBJECTS)]
            owner = others[i % len(others)]
            if i >= len(SUBJECTS):
                title, matter = f"{title}（回头看）", f"{matter}回头看"
            specs.append((title, matter, kind, basis, method, materials, owner, self._window(year, i),
                          *self._targets(i), True, ""))
        title, matter, kind, basis, method, materials, reason = ONEOFFS[year]
        specs[-1] = (title, matter, kind, basis, method, materials, others[0], f"{year}-Q3",
                     [UnitKind.TOWNSHIP, UnitKind.STREET], [], False, reason)
        reviewed = dt.datetime(year - 1, 12, 20, 2, 0, tzinfo=UTC)
        items, targets = [], []
        for title, matter, kind, basis, method, materials, owner, window, kinds, units, in_plan, reason in specs:
            start, end = windows.bounds(window)
            items.append(PlanItem(
                owner=owner, year=year, title=title, basis=basis, kind=kind, matter=matter, target_kinds=list(kinds),
                window_kind=windows.kind_of(window), window=window, window_start=start, window_end=end,
                method=method, materials=materials, in_plan=in_plan, oneoff_reason=reason,
                admission=Admission.APPROVED, submitted_at=reviewed - dt.timedelta(days=10), reviewed_at=reviewed,
                reviewed_by=self.ducha, purpose=f"{year}年度督查检查考核计划"))
            targets.append(units)
        made = PlanItem.objects.bulk_create(items)
        if not made[0].pk:  # SQLite before returning ids: read them back
            made = list(PlanItem.objects.filter(year=year).order_by("pk"))[-len(items):]
        through = PlanItem.target_units.through
        through.objects.bulk_create([through(planitem_id=item.pk, unit_id=u.pk)
                                     for item, units in zip(made, targets, strict=True) for u in units])
        self.counts["supervision_plan_items"] += len(made)
        return made

    def _stats_items(self) -> list:
        """The 县统计局's 2025 items through the services: two approved, one waiting."""
        from qingzhuang.supervision.services import plans

        made = []
        with _clock(dt.date(THIS_YEAR, 1, 8)):
            for n, (title, matter, kind, basis, method, materials) in enumerate(STATS_ITEMS):
                data = plans.ItemData(title=title, basis=basis, kind=kind, matter=matter, method=method,
                                      materials=materials, window=f"{THIS_YEAR}-Q{2 + n % 2}",
                                      target_kinds=[UnitKind.TOWNSHIP, UnitKind.STREET])
                item = plans.item_create(actor=self.tianbao, data=data)
                made.append(plans.item_submit(actor=self.tianbao, item=item))
        with _clock(dt.date(THIS_YEAR, 1, 12)):
            for item in made[:2]:
                plans.item_review(actor=self.ducha, item=item, approve=True, note="同意列入年度计划")
        self.counts["supervision_plan_items"] += len(made)
        return made

    def _waiting_and_rejected(self) -> None:
        from qingzhuang.burden.admission import Admission
        from qingzhuang.supervision import windows
        from qingzhuang.supervision.models import PlanItem

        owner = [o for o in self.owners if o.pk != self.stats.pk][-1]
        rows = (("乡村振兴重点工作督查", "乡村振兴", "supervise", f"{THIS_YEAR}-Q4", Admission.PENDING, ""),
                ("安全生产台账检查", "安全生产", "inspect", f"{THIS_YEAR}-Q2", Admission.REJECTED, REJECTED_ITEM_NOTE))
        for title, matter, kind, window, status, note in rows:
            start, end = windows.bounds(window)
            item = PlanItem.objects.create(
                owner=owner, year=THIS_YEAR, title=title, basis="县委常委会议定事项", kind=kind, matter=matter,
                target_kinds=[UnitKind.TOWNSHIP], window_kind=windows.kind_of(window), window=window,
                window_start=start, window_end=end, admission=status,
                submitted_at=dt.datetime(THIS_YEAR, 1, 5, 2, tzinfo=UTC),
                reviewed_at=dt.datetime(THIS_YEAR, 1, 9, 2, tzinfo=UTC) if note else None,
                reviewed_by=self.ducha if note else None, review_note=note,
                materials="近三年安全生产工作台账" if note else "")
            self.counts["supervision_plan_items"] += 1
            del item

    # -- merges and visits -----------------------------------------------------------------------

    def _decide_merges(self, year: int, *, reject_one: bool) -> None:
        from qingzhuang.supervision.models import MergeProposal, MergeStatus
        from qingzhuang.supervision.services import plans

        with _clock(dt.date(year, 1, 15)):
            plans.merges_find(year=year, actor=self.ducha)
        proposals = list(MergeProposal.objects.filter(year=year, status=MergeStatus.PROPOSED).order_by("window_start", "pk"))
        rejected = proposals[-1] if reject_one and len(proposals) > 1 else None
        for proposal in proposals:
            with _clock(proposal.window_start - dt.timedelta(days=10)):
                if proposal is rejected:
                    plans.merge_reject(actor=self.ducha, proposal=proposal, reason=REJECT_REASON)
                    continue
                items = list(proposal.items.order_by("pk").select_related("owner"))
                day = self._day(proposal.window_start, proposal.window_end)
                try:
                    plans.merge_accept(actor=self.ducha, proposal=proposal, lead=items[0].owner, date=day,
                                       team=f"{items[0].owner.name}牵头联合检查组")
                except ValidationError:
                    plans.merge_reject(actor=self.ducha, proposal=proposal,
                                       reason="部分单位本期检查次数已达上限，改为与已安排的检查合并。")
            self.counts["supervision_merges"] += 1

    def _day(self, start: dt.date, end: dt.date) -> dt.date:
        """A weekday inside the window, away from its edges."""
        span = (end - start).days
        day = start + dt.timedelta(days=min(span, 5 + self.rng.randrange(max(1, span - 10))))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return max(day, start)

    def _single_visits(self, year: int) -> None:
        from qingzhuang.burden.admission import Admission
        from qingzhuang.supervision import caps
        from qingzhuang.supervision.models import MergeStatus, PlanItem, Visit
        from qingzhuang.supervision.services import plans
        from qingzhuang.supervision.services.visits import visit_create, visit_issue

        merged = set(PlanItem.objects.filter(merge_proposals__status=MergeStatus.ACCEPTED).values_list("pk", flat=True))
        by_kind = plans.units_by_kind()
        for item in PlanItem.objects.filter(year=year, admission=Admission.APPROVED).exclude(pk__in=merged) \
                .order_by("window_start", "pk").prefetch_related("target_units"):
            ids = plans.item_units(item, by_kind)
            units = sorted((u for u in [*self.townships, *self.villages] if u.pk in ids),
                           key=lambda u: (u.pk != self.cun_village.pk, self.rng.random()))
            placed = 0
            for unit in units:
                if placed >= self.scale.single_units:
                    break
                day = self._day(item.window_start, item.window_end)
                cap = caps.cap_for(day.year)
                if caps.used(unit, caps.period_of(day)) >= cap.limit:
                    continue
                with _clock(day - dt.timedelta(days=7)):
                    visit = visit_create(actor=self.ducha, items=[item], unit=unit, date=day,
                                         team=f"{item.owner.name}检查组")
                    visit_issue(actor=self.ducha, visit=visit)
                placed += 1
        self.counts["supervision_visits"] = Visit.objects.filter(date__year__in=(LAST_YEAR, THIS_YEAR)).count()

    def run(self) -> dict[str, int]:
        from qingzhuang.supervision.models import CapRule

        with transaction.atomic():
            CapRule.objects.update_or_create(year=LAST_YEAR, defaults={"period": "month", "limit": 1,
                                                                         "updated_by": self.ducha})
            CapRule.objects.update_or_create(year=THIS_YEAR, defaults={"period": "quarter", "limit": 1,
                                                                         "updated_by": self.ducha})
            self._bulk_items(LAST_YEAR, self.scale.last_year)
            self._decide_merges(LAST_YEAR, reject_one=False)
            self._single_visits(LAST_YEAR)
            # 2025: the 县统计局's two approved items count in; the rest come in bulk (fewer than 2024).
            self._bulk_items(THIS_YEAR, self.scale.this_year - 2)
            self._waiting_and_rejected()
            self._stats_items()
            self._decide_merges(THIS_YEAR, reject_one=True)
            self._single_visits(THIS_YEAR)
        return self.counts


def seed_step(result) -> dict[str, int]:
    """A step of the demo county: the 2024 and 2025 plans, merges and visits."""
    return _Seeder(result).run()


def summary(result) -> str:
    from qingzhuang.supervision import queries_plans
    from qingzhuang.supervision.models import MergeProposal, MergeStatus, Visit
    from qingzhuang.supervision.services import plans

    last, this = plans.approved_count(LAST_YEAR), plans.approved_count(THIS_YEAR)
    if not last:
        return ""
    change = f"{(this - last) * 100 / last:+.0f}%"
    accepted = MergeProposal.objects.filter(status=MergeStatus.ACCEPTED).count()
    saved = sum(queries_plans.visits_saved(year=y) for y in (LAST_YEAR, THIS_YEAR))
    return (f"督查检查计划：{LAST_YEAR}年 {last} 项，{THIS_YEAR}年 {this} 项（{change}）；"
            f"合并检查采纳 {accepted} 条，减少进门 {saved} 次；已签发检查码 {Visit.objects.exclude(code='').count()} 个")
