"""The demo county's 码上减负 clues (a demo step): about forty over 2024 and 2025, in every category
and status — some anonymous, some in the name of the demo's village or township cadre; accepted
ones assigned to the unit that placed the burden with a deadline, rectified (some late), some
returned once, most closed with a verified result; the latest still waiting or being rectified.
At least one open clue is assigned to 县统计局 (``tianbao``) and one to 石桥镇 (``xiangzhen``),
so both see a to-do.

Everything goes through the real services (``burden.services.clues``) with the demo's accounts:
``jianfu`` (减负监测员) and ``ducha`` (督查室) triage, the users of the responsible unit rectify. Each
write runs with the clock set to its moment (every ``timezone.now()``: the clue's, the events' and
the audit rows' times), all inside 2024 and 2025. A fixed-seed ``random.Random`` draws the rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from qingzhuang.burden.models import ClueCategory, ClueResult, ClueStatus
from qingzhuang.burden.services import clues as services
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit, UnitKind
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER

FIRST_DAY, LAST_DAY = dt.date(2024, 1, 8), dt.date(2025, 12, 31)
COUNT = 40

# What the clues say, per category: (what was asked, the burden it made).
STORIES = {
    ClueCategory.MULTI_REPORTING: (
        "同一批低保对象信息，民政、财政和乡镇三个口子先后要求各报一遍，口径还不一样",
        "同一项防返贫监测数据，三个部门分别要求在各自系统里录入",
    ),
    ClueCategory.DUPLICATE_REPORTS: (
        "一套表里已有的人口数据，又被要求按村重新填一张纸质表",
        "季度报表和月报内容基本相同，却要求分开各报一次",
    ),
    ClueCategory.EXCESSIVE_TRACES: (
        "每次入户走访都要求拍照上传、写心得、填台账三件套",
        "一项宣传活动要求整理十几页的过程材料装订成册",
    ),
    ClueCategory.FORCED_CHECK_IN: (
        "要求村干部每天在某政务应用上打卡签到并截图发到工作群",
        "学习类应用要求每天学习时长排名，靠后要通报",
    ),
    ClueCategory.TOO_MANY_INSPECTIONS: (
        "同一个月里三个部门先后来村里检查同一项工作",
        "迎检要求提前布置展板、准备汇报材料，一周内来了两拨",
    ),
    ClueCategory.TOO_MANY_MEETINGS: (
        "一周内被通知参加四个视频会议，会议内容大同小异",
        "要求村支书到县里开会，实际只是传达一份文件",
    ),
    ClueCategory.TOO_MANY_DOCUMENTS: (
        "同一项工作先后收到内容相近的三份通知，要求分别落实回复",
        "上级文件层层转发，每转一次都要求签收并反馈落实情况",
    ),
    ClueCategory.OTHER: (
        "工作群要求晚上十点后回复“收到”，不回复会被点名",
        "借调村干部到部门帮忙整理材料，长期不回村",
    ),
}
RECTIFICATIONS = (
    "已停止重复报送，改为从一套表直接取数，并向基层发文说明。",
    "已合并相关报表，取消纸质台账要求。",
    "已取消打卡和排名要求，相关工作群已解散。",
    "已与相关部门统筹，将检查合并为一次联合检查。",
    "已精简会议，改为书面传达，今后不再要求村干部到会。",
)
REPLIES = {
    ClueResult.CONFIRMED: "经核实，反映的问题属实，责任单位已整改到位。感谢您的监督。",
    ClueResult.PARTLY: "经核实，反映的问题部分属实，相关要求已调整，其余属正常工作安排。",
    ClueResult.UNFOUNDED: "经核实，相关工作系按年度计划开展，未发现反映的问题。",
}
DISMISS_REASONS = (
    "反映的内容不属于形式主义负担范畴，已转相关部门按职责办理。",
    "反映的问题已在其他线索中受理，将一并办理。",
)


@contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=tz)


def _outcome(position: int) -> str:
    """What becomes of the clue at ``position`` (0 = the latest): the latest wait or are being
    rectified; older ones are dismissed, awaiting verification or closed."""
    if position < 3:
        return "pending"
    if position < 9:
        return "accepted"
    if position < 13:
        return "rectified"
    if position % 9 == 4:
        return "dismissed"
    return "closed"


class _Seeder:
    def __init__(self) -> None:
        self.rng = random.Random(20250301)
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(username__in=(
            "jianfu", "ducha", "tianbao", "xiangzhen", "cun")).select_related("unit")}
        units = list(Unit.objects.filter(is_active=True).order_by("path"))
        self.departments = [u for u in units if u.kind == UnitKind.DEPARTMENT]
        self.townships = [u for u in units if u.kind in (UnitKind.TOWNSHIP, UnitKind.STREET)]
        self.villages = [u for u in units if u.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)]
        # Who rectifies for a unit: an active user of that very unit who may (reporters, cadres).
        self.fixers: dict[int, object] = {}
        for user in (User.objects.filter(is_active=True, unit__isnull=False, groups__name__in=(REPORTER, GRASSROOTS))
                     .order_by("username").distinct()):
            self.fixers.setdefault(user.unit_id, user)
        self.counts: Counter = Counter()

    def responsible_for(self, placed_by, position: int):
        """The unit that placed the burden when someone there can rectify, else one that can."""
        if placed_by is not None and placed_by.pk in self.fixers:
            return placed_by
        return self.rng.choice([u for u in self.departments + self.townships if u.pk in self.fixers])

    def days(self) -> list[dt.date]:
        """COUNT submission days spread over the two years, the latest in mid-December 2025."""
        span = (dt.date(2025, 12, 12) - FIRST_DAY).days
        return sorted(FIRST_DAY + dt.timedelta(days=self.rng.randint(0, span)) for _ in range(COUNT))

    def run(self) -> dict[str, int]:
        if not (self.villages and "jianfu" in self.users and self.fixers):
            return {}
        categories = list(ClueCategory.values)
        days = self.days()
        for index, day in enumerate(days):
            position = len(days) - 1 - index
            category = categories[index % len(categories)]
            self.one(day, category, position)
        return {"clues": sum(self.counts[s] for s in ClueStatus.values), "clues_closed": self.counts["closed"],
                "clues_anonymous": self.counts["anonymous"], "clues_late": self.counts["late"]}

    def one(self, day: dt.date, category: str, position: int) -> None:
        rng = self.rng
        village = rng.choice(self.villages)
        placed_by = rng.choice(self.departments + self.townships) if rng.random() < 0.85 else None
        if (account := {3: "tianbao", 4: "xiangzhen"}.get(position)) in self.users:
            placed_by = self.users[account].unit  # the open clues the demo's accounts see
        if placed_by is not None and placed_by.kind in GRASSROOTS_KINDS and not village.path.startswith(placed_by.path):
            village = rng.choice([v for v in self.villages if v.path.startswith(placed_by.path)] or [village])
        named = rng.random() < 0.35
        reporter = self.users.get(rng.choice(("cun", "xiangzhen"))) if named else None
        story = rng.choice(STORIES[category])
        description = f"{story}。{'希望能统筹一下，减轻村里负担。' if rng.random() < 0.5 else '占用了大量为群众办事的时间。'}"
        with _clock(_moment(day, rng)):
            clue, _ = services.clue_submit(actor=reporter, category=category, description=description,
                                           placed_by=placed_by, suffered_by=village, anonymous=reporter is None)
        self.counts["anonymous" if reporter is None else "named"] += 1
        outcome = _outcome(position)
        triage = self.users["jianfu"] if rng.random() < 0.75 or "ducha" not in self.users else self.users["ducha"]
        at = day + dt.timedelta(days=rng.randint(1, 4))
        if outcome == "pending" or at > LAST_DAY:
            self.counts["pending"] += 1
            return
        if outcome == "dismissed":
            with _clock(_moment(at, rng)):
                services.clue_dismiss(actor=triage, clue=clue, reason=rng.choice(DISMISS_REASONS))
            self.counts["dismissed"] += 1
            return
        responsible = self.responsible_for(placed_by, position)
        deadline = min(at + dt.timedelta(days=rng.choice((10, 15, 20, 30))), LAST_DAY)
        with _clock(_moment(at, rng)):
            clue = services.clue_accept(actor=triage, clue=clue, responsible=responsible, deadline=deadline,
                                        note="请核实情况，按期整改并报送整改材料。")
        fixer = self.fixers[responsible.pk]
        # Most rectify in time; about one in five after the deadline (逾期).
        late = rng.random() < 0.2
        fixed = deadline + dt.timedelta(days=rng.randint(1, 8)) if late else at + dt.timedelta(
            days=rng.randint(2, max(2, (deadline - at).days)))
        if outcome == "accepted" or fixed > LAST_DAY:
            self.counts["accepted"] += 1
            return
        with _clock(_moment(fixed, rng)):
            clue = services.clue_rectify(actor=fixer, clue=clue, text=rng.choice(RECTIFICATIONS))
        self.counts["late"] += clue.rectified_late
        verified = fixed + dt.timedelta(days=rng.randint(2, 7))
        if outcome == "rectified" or verified > LAST_DAY:
            self.counts["rectified"] += 1
            return
        if rng.random() < 0.2:  # returned once for more, then rectified again
            with _clock(_moment(verified, rng)):
                clue = services.clue_return(actor=triage, clue=clue, note="整改材料不完整，请补充取消相关要求的书面通知。")
            again = verified + dt.timedelta(days=rng.randint(2, 6))
            verified = again + dt.timedelta(days=rng.randint(2, 5))
            if verified > LAST_DAY:
                self.counts["accepted"] += 1
                return
            with _clock(_moment(again, rng)):
                clue = services.clue_rectify(actor=fixer, clue=clue, text="已补充书面通知，相关要求已取消。")
        result = rng.choices(list(ClueResult.values), weights=(6, 3, 1))[0]
        with _clock(_moment(verified, rng)):
            services.clue_close(actor=triage, clue=clue, result=result, reply=REPLIES[result])
        self.counts["closed"] += 1


def seed_step(result) -> dict[str, int]:
    """A step of the demo county: the 码上减负 clues of 2024 and 2025."""
    return _Seeder().run()


def summary(result) -> str:
    c = result.counts
    if "clues" not in c:
        return ""
    return (f"码上减负：线索 {c['clues']} 条（匿名 {c['clues_anonymous']} 条），已办结 {c['clues_closed']} 条，"
            f"逾期整改 {c['clues_late']} 条")
