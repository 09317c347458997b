"""The demo county's meetings, work groups and government apps (a demo step), 2024 and 2025.

The story of 北镇 and 沿滩区: in 2024 the county units held many meetings, a few of them a second
综合性 meeting of one system, with long main reports or leaders of every tier made to attend; in
2025 about 30% fewer. Work groups piled up before and during 2024 (about 300 at the seed scale,
some without an owner); in 2025 more than 200 were dissolved, while a few whose task had ended
stay open. About a dozen apps are registered: three or four still force check-ins, rankings,
online time or photos; two were rectified.

Everything goes through the real services (``meeting_create``, ``group_create``,
``group_close_many``, ``app_create``), which place the demands through the burden seam, with the
county 减负监测员 (``jianfu``) as the actor; each write runs with the clock at its own day in 2024
or 2025 (nothing is dated later). The step draws from its own fixed-seed ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from qingzhuang.burden.models import AppStatus, AppUser, AttendLevel, GroupPlatform, MeetingKind
from qingzhuang.orgs.models import UnitKind

THIS_YEAR, LAST_YEAR = 2025, 2024


@dataclass(frozen=True)
class Scale:
    meetings_last: int  # meetings held in 2024 (2025: about 30% fewer)
    second_comprehensive: tuple[int, int]  # second 综合性 meetings of a system, 2024 and 2025
    long_reports: tuple[int, int]  # main reports over an hour
    layered: tuple[int, int]  # 层层陪会
    groups: int  # groups set up before and during 2024
    groups_new: int  # groups set up in 2025
    closed: int  # groups dissolved in 2025
    no_owner: int
    overdue: int  # past their task end, still open
    apps: int
    flagged_apps: int
    rectified_apps: int


SCALES = {
    "small": Scale(meetings_last=20, second_comprehensive=(1, 1), long_reports=(1, 1), layered=(1, 1), groups=30,
                   groups_new=3, closed=21, no_owner=3, overdue=3, apps=6, flagged_apps=2, rectified_apps=1),
    "seed": Scale(meetings_last=150, second_comprehensive=(4, 2), long_reports=(6, 3), layered=(5, 2), groups=300,
                  groups_new=24, closed=212, no_owner=14, overdue=11, apps=12, flagged_apps=4, rectified_apps=2),
}

# The line (系统) each organiser belongs to.
SYSTEMS = {
    "县委办公室": "党委办公", "县委组织部": "组织", "县委宣传部": "宣传", "县委统战部": "统战", "县委政法委": "政法",
    "县纪委监委": "纪检监察", "县政府办公室": "政府办公", "县发展和改革局": "发展改革", "县工业和信息化局": "工业信息化",
    "县科学技术局": "科技", "县财政局": "财政", "县人力资源和社会保障局": "人社", "县自然资源和规划局": "自然资源",
    "县生态环境分局": "生态环境", "县住房和城乡建设局": "住建", "县交通运输局": "交通运输", "县农业农村局": "农业农村",
    "县商务局": "商务", "县文化和旅游局": "文旅", "县卫生健康局": "卫生健康", "县应急管理局": "应急管理",
    "县统计局": "统计",
}
TOPICS = ("安全生产", "防汛抗旱", "乡村振兴", "基层治理", "信访维稳", "森林防火", "疫情防控", "耕地保护", "民生实事",
          "项目建设", "招商引资", "环境整治", "党建引领", "统计调查", "医保参保", "文明创建", "禁毒宣传", "人口普查")
SPECIAL_FORMS = ("{topic}工作推进会", "{topic}专题部署会", "{topic}调度会", "{topic}工作培训会", "{topic}现场推进会")
COMPREHENSIVE_FORMS = ("全县{system}工作会议", "全县{system}系统年度工作会议")

GROUP_FORMS = ("{topic}工作群", "{topic}专班群", "{topic}信息报送群", "{topic}督办群", "{topic}联络群", "{topic}攻坚群")
GROUP_PURPOSES = ("传达工作部署，收集进度信息", "专项任务期间临时联络", "每日报送数据和照片", "督办事项跟踪", "会议通知和材料分发")
CLOSE_REASONS = ("任务已完成，按规定解散", "与其他工作群合并，按“一事一群”清理", "长期无工作内容，清理解散",
                 "工作事项纳入政务协同平台办理，解散")

APPS = (
    ("村务通", ("village", "township"), "村务公开、三资管理和事项办理。", ()),
    ("平安巡查", ("village", "grid"), "网格员每日巡查打卡、上传巡查照片。", ("forced_check_in", "forced_photos")),
    ("学习强县", ("department", "township", "village"), "理论学习平台，按积分和在线时长排名通报。",
     ("rankings", "online_time")),
    ("防汛值守", ("township", "village"), "汛期值班值守，每两小时定位打卡。", ("forced_check_in",)),
    ("政务协同", ("department", "township", "village"), "全县公文流转、通知和工作交流。", ()),
    ("民情日记", ("village", "grid"), "走访群众记录，要求每日拍照留痕。", ("forced_photos",)),
    ("为民办事", ("township", "village", "public"), "群众诉求受理和办理反馈。", ()),
    ("环境卫生评比", ("village",), "村庄环境卫生打分，按月排名通报。", ("rankings",)),
    ("安全生产监管", ("department", "township"), "企业安全检查记录和隐患整改。", ()),
    ("党员积分管理", ("village",), "党员积分登记，在线时长计入考核。", ("online_time",)),
    ("社保待遇认证", ("village", "public"), "养老待遇资格认证。", ()),
    ("森林防火巡护", ("village", "grid"), "护林员巡护轨迹和照片。", ("forced_check_in",)),
    ("电子证照", ("department", "township"), "证照调取和共享，群众办事免提交。", ()),
)
RECTIFY_NOTES = ("取消强制打卡和排名通报，改为自愿使用。", "删除拍照留痕要求，巡查记录改为按需填写。")


class _Clock:
    """The time the services read (``timezone.now``): set to each write's own day."""

    moment = dt.datetime(LAST_YEAR, 1, 1, 2, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment


CLOCK = _Clock()


@contextmanager
def _clock(day: dt.date) -> Iterator[None]:
    CLOCK.moment = dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)
    yield


def _day(rng: random.Random, year: int, first: int = 1, last: int = 12) -> dt.date:
    month = rng.randint(first, last)
    return dt.date(year, month, rng.randint(1, 28))


class _Seeder:
    def __init__(self, result):
        from django.contrib.auth import get_user_model

        from qingzhuang.orgs.models import Person

        self.result = result
        self.scale = SCALES[result.scale]
        self.rng = random.Random(f"qingzhuang-demo/burden-registries/{result.scale}")
        self.actor = get_user_model().objects.get(username="jianfu")  # the county 减负监测员
        units = result.units
        self.county_units = [u for u in [*units.offices, *units.departments] if u.kind != UnitKind.OTHER]
        self.townships = list(units.townships)
        self.villages = defaultdict(list)
        for unit in units.subunits:
            self.villages[unit.parent_id].append(unit)
        self.people = defaultdict(list)
        for person in Person.objects.filter(is_active=True).select_related("unit").order_by("id"):
            self.people[person.unit_id].append(person)
        self.counts: dict[str, int] = defaultdict(int)

    def _villages(self, n: int) -> list:
        township = self.rng.choice(self.townships)
        found = self.villages[township.pk]
        return self.rng.sample(found, min(n, len(found)))

    # -- meetings --------------------------------------------------------------------------

    def meetings(self, year: int, total: int, index: int) -> None:
        from qingzhuang.burden.services.registries import MeetingData, meeting_create

        rng = self.rng
        seconds, longs, layered = (self.scale.second_comprehensive[index], self.scale.long_reports[index],
                                   self.scale.layered[index])
        # One 综合性 meeting per system early in the year, a few of them followed by a second.
        organisers = rng.sample(self.county_units, min(len(self.county_units), max(2, total // 6)))
        plans = [("comprehensive", unit, _day(rng, year, 1, 3)) for unit in organisers]
        plans += [("comprehensive", unit, _day(rng, year, 7, 12)) for unit in organisers[:seconds]]
        while len(plans) < total:
            kind = rng.choice((MeetingKind.SPECIAL, MeetingKind.SPECIAL, MeetingKind.SPECIAL, MeetingKind.VIDEO))
            plans.append((kind, rng.choice(self.county_units), _day(rng, year)))
        plans.sort(key=lambda p: p[2])
        flagged = rng.sample(range(len(plans)), longs + layered)
        long_at, layered_at = set(flagged[:longs]), set(flagged[longs:])
        for n, (kind, unit, day) in enumerate(plans):
            system = SYSTEMS.get(unit.name, unit.name)
            topic = rng.choice(TOPICS)
            if kind == MeetingKind.COMPREHENSIVE:
                title = rng.choice(COMPREHENSIVE_FORMS).format(system=system)
            else:
                title = rng.choice(SPECIAL_FORMS).format(topic=topic) + ("（视频）" if kind == MeetingKind.VIDEO else "")
            minutes = rng.choice((60, 90, 90, 120, 120, 150))
            report = rng.choice((20, 30, 40, 45, 50, 60)) if n not in long_at else rng.choice((70, 75, 85, 90))
            minutes = max(minutes, report + 30)
            if n in layered_at:
                levels = rng.choice(([AttendLevel.TOWNSHIP_HEAD, AttendLevel.TOWNSHIP_DEPUTY, AttendLevel.VILLAGE_HEAD],
                                     [AttendLevel.COUNTY_LEADER, AttendLevel.DEPARTMENT_HEAD, AttendLevel.VILLAGE_HEAD]))
            elif kind == MeetingKind.COMPREHENSIVE:
                levels = [AttendLevel.DEPARTMENT_HEAD, AttendLevel.TOWNSHIP_DEPUTY]
            else:
                levels = rng.choice(([AttendLevel.TOWNSHIP_DEPUTY], [AttendLevel.DEPARTMENT_DEPUTY],
                                     [AttendLevel.VILLAGE_HEAD], [AttendLevel.TOWNSHIP_DEPUTY, AttendLevel.VILLAGE_HEAD]))
            targets = []
            if any(level.startswith("township") for level in levels):
                targets += rng.sample(self.townships, min(len(self.townships), rng.randint(2, 6)))
            if any(level.startswith("village") for level in levels):
                targets += self._villages(rng.randint(2, 5))
            with _clock(day):
                meeting_create(actor=self.actor, data=MeetingData(
                    organiser=unit, title=title, held_on=day, minutes=minutes, kind=kind, levels=levels,
                    report_minutes=report, system=system, targets=targets))
        self.counts[f"meetings_{year}"] += len(plans)

    # -- work groups -----------------------------------------------------------------------

    def groups(self) -> None:
        from qingzhuang.burden.services.registries import GroupData, group_close_many, group_create

        rng, scale = self.rng, self.scale
        owners = [*self.county_units, *self.townships]
        created = []
        total = scale.groups + scale.groups_new
        for n in range(total):
            year = THIS_YEAR if n >= scale.groups else rng.choice((2022, 2023, 2023, 2024, 2024, 2024))
            day = _day(rng, year, 1, 6 if year == THIS_YEAR else 12)
            unit = rng.choice(owners)
            people = self.people.get(unit.pk) or []
            owner = None if n < scale.no_owner or not people else rng.choice(people)
            targets = (self.villages[unit.pk][: rng.randint(1, 4)] if unit.kind in (UnitKind.TOWNSHIP, UnitKind.STREET)
                       else self._villages(rng.randint(1, 4)))
            with _clock(day):
                group = group_create(actor=self.actor, data=GroupData(
                    name=rng.choice(GROUP_FORMS).format(topic=rng.choice(TOPICS)), owner_unit=unit,
                    platform=rng.choice((GroupPlatform.WECHAT, GroupPlatform.WECHAT, GroupPlatform.WECOM,
                                         GroupPlatform.DINGTALK, GroupPlatform.GOV, GroupPlatform.QQ)),
                    created_on=day, owner=owner, purpose=rng.choice(GROUP_PURPOSES),
                    member_count=rng.randint(15, 260), targets=targets,
                    task_ends_on=self._task_end(n, day)))
            created.append(group)
        # 2025: more than 200 dissolved, month by month; those without an owner or past their task
        # end (the first ones) stay open.
        closable = created[scale.no_owner + scale.overdue: scale.groups]
        closing = rng.sample(closable, min(scale.closed, len(closable)))
        by_day = defaultdict(list)
        for group in closing:
            end = group.task_ends_on
            first = end.month if end and end.year == THIS_YEAR else 3
            by_day[dt.date(THIS_YEAR, rng.randint(first, 12), 28)].append(group)
        for day in sorted(by_day):
            with _clock(day):
                group_close_many(actor=self.actor, groups=by_day[day], reason=rng.choice(CLOSE_REASONS), closed_on=day)
        self.counts["groups"] = total
        self.counts["groups_closed_2025"] = len(closing)

    def _task_end(self, n: int, created: dt.date) -> dt.date | None:
        scale = self.scale
        if scale.no_owner <= n < scale.no_owner + scale.overdue:
            return dt.date(THIS_YEAR, self.rng.randint(3, 10), self.rng.randint(1, 28))  # over, still open
        if self.rng.random() < 0.4 and n < scale.groups:
            return dt.date(THIS_YEAR, self.rng.randint(1, 9), 28)  # ends in 2025, dissolved by its end month
        return None

    # -- apps ------------------------------------------------------------------------------

    def apps(self) -> None:
        from qingzhuang.burden.services.registries import AppData, app_create

        rng, scale = self.rng, self.scale
        flagged_left, rectified_left = scale.flagged_apps, scale.rectified_apps
        chosen = [a for a in APPS if a[3]][: scale.flagged_apps + scale.rectified_apps]
        chosen += [a for a in APPS if not a[3]][: scale.apps - len(chosen)]
        for name, users, description, features in chosen:
            day = _day(rng, LAST_YEAR) if rng.random() < 0.6 else _day(rng, THIS_YEAR, 1, 6)
            status, note, rectified_on = AppStatus.IN_USE, "", None
            if features and flagged_left:
                flagged_left -= 1
            elif features and rectified_left:
                rectified_left -= 1
                status, note = AppStatus.RECTIFIED, rng.choice(RECTIFY_NOTES)
                rectified_on = dt.date(THIS_YEAR, rng.randint(7, 11), 15)
                day = min(day, dt.date(THIS_YEAR, 6, 30))
            unit = rng.choice(self.county_units)
            targets = self._villages(rng.randint(2, 5)) if {"forced_check_in", "forced_photos"} & set(features) else []
            with _clock(rectified_on or day):
                app_create(actor=self.actor, data=AppData(
                    name=name, owner_unit=unit, registered_on=day, users=[AppUser(u) for u in users],
                    description=description, targets=targets, status=status, rectification=note,
                    rectified_on=rectified_on, **{feature: True for feature in features}))
        self.counts["apps"] = len(chosen)
        self.counts["apps_flagged"] = scale.flagged_apps

    def run(self) -> dict[str, int]:
        self.meetings(LAST_YEAR, self.scale.meetings_last, 0)
        self.meetings(THIS_YEAR, round(self.scale.meetings_last * 0.7), 1)
        self.groups()
        self.apps()
        return {f"registries_{key}": value for key, value in self.counts.items()}


def seed_step(result) -> dict[str, int]:
    """A step of the demo county: meetings, work groups and apps of 2024 and 2025, with their demands."""
    with mock.patch("django.utils.timezone.now", side_effect=CLOCK.now):
        return _Seeder(result).run()


def summary(result) -> str:
    c = result.counts
    if "registries_groups" not in c:
        return ""
    return (f"减负监测：会议 {LAST_YEAR} 年 {c['registries_meetings_2024']} 次 → {THIS_YEAR} 年 "
            f"{c['registries_meetings_2025']} 次；工作群 {c['registries_groups']} 个，{THIS_YEAR} 年解散 "
            f"{c['registries_groups_closed_2025']} 个；政务应用 {c['registries_apps']} 个（在用有问题 "
            f"{c['registries_apps_flagged']} 个）")
