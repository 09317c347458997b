"""The demo county's 工作问效 (a demo step): twelve tasks of 2025 for departments and two townships,
three to five time nodes each spread over the year; progress reports with a small evidence photo,
most approved in time, some approved late, some returned once with guidance; cards issued by the
real ``cards_issue`` on the days a daily run would have issued them, up to the demo's day
(``AS_OF``, mid-December 2025), so yellow and red cards both show, with open nodes due in the days
after it. 县统计局 (``tianbao``) and the first township (``xiangzhen``) report for their units;
other units' reports are filed without an account (the unit's own staff, outside the demo's logins).

Everything goes through the services, with the clock set to each write's moment.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections import Counter
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingzhuang.supervision.models import Card, NodeStatus, TaskNode
from qingzhuang.supervision.services import tasks as services

AS_OF = dt.date(2025, 12, 15)

# (title, source, requirement, target text, node titles)
TASKS = (
    ("统计数据质量提升行动", "县委常委会议定事项", "规范基层统计台账，提高数据质量，杜绝虚报瞒报。", "差错率降到1%以下",
     ("制定实施方案", "完成基层台账规范", "开展数据质量抽查", "总结评估")),
    ("高标准农田建设", "县政府常务会议", "按计划完成高标准农田建设任务并通过验收。", "新建高标准农田2万亩",
     ("完成规划设计", "完成招投标", "完成主体工程", "通过县级验收")),
    ("营商环境优化提升", "县委全面深化改革委员会", "压缩企业开办时间，推行“一件事一次办”。", "企业开办1个工作日内办结",
     ("梳理事项清单", "上线一件事一次办", "开展企业满意度回访")),
    ("农村人居环境整治", "县委农村工作会议", "推进厕所革命、垃圾污水治理和村容村貌提升。", "卫生厕所普及率达到95%",
     ("完成摸底排查", "完成改厕任务过半", "完成全部改厕", "开展考核验收")),
    ("义务教育薄弱学校改造", "县政府民生实事", "完成薄弱学校校舍改造和设备配备。", "改造学校8所",
     ("完成立项", "开工建设", "竣工投用")),
    ("城区老旧小区改造", "县政府民生实事", "完成老旧小区水电气路改造。", "改造小区12个",
     ("完成入户调查", "完成方案公示", "完成主体改造", "完成竣工验收", "移交物业管理")),
    ("安全生产专项整治", "县安委会", "开展重点行业领域安全隐患排查整治。", "重大隐患整改率100%",
     ("完成隐患排查", "完成整改过半", "完成全部整改")),
    ("乡村振兴示范村建设", "县委农村工作会议", "建设乡村振兴示范村，打造特色产业。", "建成示范村3个",
     ("确定示范村", "完成产业规划", "完成基础设施建设", "组织评估验收")),
    ("基层治理网格化提升", "县委政法委", "完善网格划分和网格员配备，提升响应效率。", "网格事件按时办结率95%",
     ("完成网格优化", "完成网格员培训", "开展运行评估")),
    ("耕地保护专项行动", "县政府常务会议", "整治违法占用耕地，落实耕地保护责任。", "违法占地整改到位",
     ("完成图斑核查", "完成整改", "开展复核")),
    ("政务服务“一网通办”", "县委全面深化改革委员会", "推动政务服务事项网上可办。", "网办率达到90%",
     ("梳理事项", "完成系统对接", "开展网办推广", "年终评估")),
    ("防汛抗旱能力提升", "县防汛抗旱指挥部", "完成病险水库除险加固和应急物资储备。", "完成除险加固5座",
     ("完成汛前检查", "完成除险加固", "完成物资补充")),
)
EVIDENCE = ("会议纪要和工作方案已上传。", "现场照片和验收记录已上传。", "相关台账和统计报表已整理上传。")
GUIDANCE = ("佐证材料不完整，请补充现场照片和验收记录。", "完成值与台账不一致，请核实后重新报送。")


def _png(seed: int) -> bytes:
    """A tiny valid PNG (2×2, a colour from ``seed``)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    colour = bytes([(seed * 53) % 256, (seed * 97) % 256, (seed * 29) % 256])
    raw = b"".join(b"\x00" + colour * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@contextmanager
def _clock(day: dt.date, hour: int = 10):
    moment = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class _Seeder:
    def __init__(self, result) -> None:
        self.rng = random.Random("qingzhuang-demo/supervision-tasks")
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(username__in=("ducha", "tianbao", "xiangzhen"))
                      .select_related("unit")}
        self.units = result.units
        self.counts: Counter = Counter()
        self.events: list[tuple[dt.date, int, object]] = []

    def assignees(self) -> list:
        departments = list(self.units.departments)
        stats = next((u for u in departments if u.name == "县统计局"), None)
        others = [u for u in departments if u is not stats]
        townships = self.units.townships[:2]
        picked = ([stats] if stats else []) + others[: 12 - len(townships) - (1 if stats else 0)] + list(townships)
        # 12 tasks: each unit gets one, the first ones a second when units are few.
        return [picked[i % len(picked)] for i in range(len(TASKS))]

    def reporter(self, unit):
        for name in ("tianbao", "xiangzhen"):
            user = self.users.get(name)
            if user is not None and user.unit_id == unit.pk:
                return user
        return None

    def run(self) -> dict[str, int]:
        office = self.users.get("ducha")
        if office is None or not self.units.departments:
            return {}
        for index, (spec, assignee) in enumerate(zip(TASKS, self.assignees(), strict=True)):
            self.one(index, spec, assignee, office)
        self.play()
        return {"task_tasks": self.counts["tasks"], "task_nodes": self.counts["nodes"],
                "task_reports": self.counts["reports"], "task_yellow": Card.objects.filter(kind="yellow").count(),
                "task_red": Card.objects.filter(kind="red").count()}

    def one(self, index: int, spec, assignee, office) -> None:
        title, source, requirement, target, node_titles = spec
        created = dt.date(2025, 1, 6) + dt.timedelta(days=index * 3)
        # Nodes from spring to the end of the year; the last of some falls just after AS_OF (yellow).
        span = (dt.date(2025, 12, 31) - created).days
        dues = sorted({created + dt.timedelta(days=int(span * (k + 1) / len(node_titles)) - self.rng.randint(0, 20))
                       for k in range(len(node_titles))})
        if index % 3 == 0:
            dues[-1] = AS_OF + dt.timedelta(days=1 + index % 3)  # due in 1–3 days: a yellow card at AS_OF
        nodes = [{"title": t, "due": d} for t, d in zip(node_titles, dues, strict=False)]
        with _clock(created):
            task = services.task_create(actor=office, title=title, assignee=assignee, nodes=nodes, source=source,
                                        description=requirement, target_text=target)
        self.counts["tasks"] += 1
        self.counts["nodes"] += len(nodes)
        for position, node in enumerate(task.nodes.all()):
            self.plan_node(index, position, node, office)

    def plan_node(self, index: int, position: int, node: TaskNode, office) -> None:
        """Schedule the node's report and review, and the card runs around its due date."""
        due = node.due
        self.events.append((due - dt.timedelta(days=services.yellow_days()), 0, None))
        self.events.append((due + dt.timedelta(days=1), 0, None))
        roll = (index * 7 + position * 3) % 10
        if due > AS_OF:
            return  # still open
        if roll == 0 and due > AS_OF - dt.timedelta(days=60):
            return  # missed and not reported: a red card that stays open
        if roll in (1, 2):
            report_on, review_on, returned = due + dt.timedelta(days=3), due + dt.timedelta(days=6), False  # late
        elif roll == 3:
            report_on, review_on, returned = due - dt.timedelta(days=8), due - dt.timedelta(days=6), True
        elif roll == 4:
            report_on, review_on, returned = due - dt.timedelta(days=3), due - dt.timedelta(days=1), False
        else:
            report_on, review_on, returned = due - dt.timedelta(days=9), due - dt.timedelta(days=5), False
        self.events.append((report_on, 1, ("report", node, None)))
        if returned:
            self.events.append((review_on, 2, ("return", node, office)))
            self.events.append((review_on + dt.timedelta(days=2), 1, ("report", node, None)))
            review_on = review_on + dt.timedelta(days=4)
        if review_on <= AS_OF:
            self.events.append((review_on, 2, ("approve", node, office)))

    def play(self) -> None:
        """Run the writes and the card runs in date order, up to AS_OF (a daily run on AS_OF last)."""
        self.events.append((AS_OF, 0, None))
        runs_done: set[dt.date] = set()
        for day, _, event in sorted(self.events, key=lambda e: (e[0], e[1])):
            if day > AS_OF:
                continue
            if event is None:
                if day not in runs_done:
                    runs_done.add(day)
                    with _clock(day, hour=1):
                        services.cards_issue(today=day)
                continue
            action, node, office = event
            node.refresh_from_db()
            if action == "report":
                self.report(day, node)
            else:
                report = node.reports.filter(status="pending").first()
                if report is None:
                    continue
                with _clock(day, hour=16):
                    services.report_review(actor=office, report=report, approve=action == "approve",
                                           guidance=self.rng.choice(GUIDANCE) if action == "return" else "")

    def report(self, day: dt.date, node: TaskNode) -> None:
        if node.status not in (NodeStatus.OPEN, NodeStatus.RETURNED):
            return
        unit = node.task.assignee
        files = [SimpleUploadedFile("现场照片.png", _png(node.pk), content_type="image/png")]
        with _clock(day, hour=11):
            services.report_submit(actor=self.reporter(unit), node=node, files=files,
                                   text=f"{node.title}：已按要求推进。{self.rng.choice(EVIDENCE)}")
        self.counts["reports"] += 1


def seed_step(result) -> dict[str, int]:
    """A step of the demo county: 工作问效 tasks of 2025 with reports, reviews and cards."""
    return _Seeder(result).run()


def summary(result) -> str:
    c = result.counts
    if "task_tasks" not in c:
        return ""
    return (f"工作问效：任务 {c['task_tasks']} 项、时间节点 {c['task_nodes']} 个、进展报送 {c['task_reports']} 份，"
            f"黄牌 {c['task_yellow']} 张、红牌 {c['task_red']} 张")
