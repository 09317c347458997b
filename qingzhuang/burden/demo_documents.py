"""The demo county's document registry and 一网协同 (a demo step).

北镇's story: after the 2024 rules the county's units issue about 30% fewer documents in 2025 than
in 2024. A few breaches remain for the monitor to see: specialised documents over 4,000
characters, one comprehensive document over 5,000, two units that issued more than the year
before (one explained in writing, one not), documents demanding materials from villages, and two
the monitor judged a notice would have done. About a third of the documents reach villages and
communities, each asked once through the burden seam (kind 文件).

In 2025 the 县委办公室 and departments send notices and registered documents through 一网协同:
most recipients read them, some not; one circulation has been reminded (催阅). One notice to the
demo accounts' village (``cun``) and township (``xiangzhen``) stays unread so those accounts see
it in their inbox and as a to-do.

Documents go through the real services (``document_create``, ``document_explain``,
``circulation_send``, ``circulation_remind``) with the clock set to their day in 2024 or 2025; the
reads are written in bulk. Nothing is dated after 2025. Fixed-seed ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from qingzhuang.orgs.models import UnitKind

THIS_YEAR, LAST_YEAR = 2025, 2024
UTC = dt.UTC


@dataclass(frozen=True)
class Scale:
    last_year: int  # documents issued in 2024
    this_year: int  # documents issued in 2025 (about 30% fewer)
    circulations: int
    issuers: int


SCALES = {
    "small": Scale(last_year=30, this_year=21, circulations=8, issuers=6),
    "seed": Scale(last_year=300, this_year=205, circulations=36, issuers=10),
}

# Agency codes (机关代字) of the demo's units; others get 青 + two characters of the name + 发.
AGENCIES = {
    "县委办公室": "青办发", "县政府办公室": "青政办发", "县委组织部": "青组发", "县委宣传部": "青宣发",
    "县委政法委": "青政法发", "县财政局": "青财发", "县农业农村局": "青农发", "县统计局": "青统发",
    "县发展和改革局": "青发改发", "县工业和信息化局": "青工信发", "县人力资源和社会保障局": "青人社发",
    "县自然资源和规划局": "青自然资源发", "县住房和城乡建设局": "青建发", "县交通运输局": "青交发",
    "县卫生健康局": "青卫健发", "县应急管理局": "青应急发", "县文化和旅游局": "青文旅发", "县商务局": "青商发",
}
PREFERRED = ("县委办公室", "县政府办公室", "县农业农村局", "县财政局", "县应急管理局", "县卫生健康局",
             "县统计局", "县住房和城乡建设局", "县委组织部", "县人力资源和社会保障局")
SUBJECTS = (
    "春季森林防火", "安全生产大检查", "高标准农田建设", "防汛抗旱", "秸秆禁烧", "农村人居环境整治",
    "防返贫动态监测", "城乡居民医保征缴", "老年人健康管理", "耕地保护", "自建房安全隐患排查", "冬春送温暖",
    "基层减负", "乡村振兴重点工作", "文明城市创建", "消费品以旧换新", "重点项目建设", "乡村公路养护",
)
FORMS = ("关于做好{}工作的通知", "关于开展{}专项行动的实施方案", "关于印发{}工作要点的通知",
         "关于进一步加强{}工作的意见", "关于{}工作情况的通报")
SPECIAL_FORMS = FORMS[:2] + FORMS[3:]
COMPREHENSIVE_TITLE = "关于印发{}年全县{}工作要点的通知"
NOTICES = (
    ("关于召开全县{}工作推进会的通知", "请各单位主要负责同志按时参加，不得缺席。会议材料会前一天在一网协同下发。"),
    ("关于{}工作有关事项的通知", "现将有关事项通知如下，请结合实际抓好落实，不再另行发文。"),
    ("关于转发{}政策解读的通知", "请组织干部认真学习，无需报送学习材料。"),
    ("关于{}期间值班安排的通知", "请各单位做好值班值守，严格执行信息报告制度。"),
)
EXPLANATION = ("2025年承担全县防汛救灾和高标准农田建设两项新增专项任务，按省市要求须以正式文件部署，"
               "发文数量较上年有所增加。已对内容相近的文件进行合并，下半年将严格控制发文数量。")


@contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _at(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _agency(name: str) -> str:
    return AGENCIES.get(name) or f"青{name.removeprefix('县')[:2]}发"


class _Seeder:
    def __init__(self, result):
        from django.contrib.auth import get_user_model

        User = get_user_model()  # noqa: N806 (accounts is beside this app: no import of it)

        self.result, self.units = result, result.units
        self.scale = SCALES[result.scale]
        self.rng = random.Random(f"qingzhuang-demo/documents/{result.scale}")
        users = {u.username: u for u in User.objects.filter(username__in=("ducha", "jianfu", "cun", "xiangzhen"))}
        self.ducha, self.monitor = users["ducha"], users["jianfu"]
        self.cun, self.xiangzhen = users["cun"], users["xiangzhen"]
        candidates = [*self.units.offices, *self.units.departments]
        by_name = {u.name: u for u in candidates}
        chosen = [by_name[n] for n in PREFERRED if n in by_name]
        chosen += [u for u in candidates if u not in chosen]
        self.issuers = chosen[: self.scale.issuers]
        self.villages = [u for u in self.units.subunits if u.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)]
        self.cun_village = next(v for v in self.villages if v.pk == self.cun.unit_id)
        self.serial: Counter = Counter()
        self.documents: dict[int, list] = {LAST_YEAR: [], THIS_YEAR: []}
        self.circulations: list = []
        self.senders: dict[int, object] = {}
        self.password_hash: str | None = None

    # -- documents -----------------------------------------------------------------------------

    def plan(self) -> dict[int, dict[int, int]]:
        """Documents per issuer and year: fewer in 2025, except two issuers with one or two more."""
        weights = [self.rng.uniform(0.6, 1.6) for _ in self.issuers]
        counts = {}
        for year, total in ((LAST_YEAR, self.scale.last_year), (THIS_YEAR, self.scale.this_year)):
            raw = [w * total / sum(weights) for w in weights]
            found = [int(r) for r in raw]
            for i in sorted(range(len(raw)), key=lambda i: raw[i] - found[i], reverse=True)[: total - sum(found)]:
                found[i] += 1
            counts[year] = found
        # Two issuers above last year: move documents to them from the largest reducers.
        for index, extra in ((1, 2), (3, 1)):
            need = counts[LAST_YEAR][index] + extra - counts[THIS_YEAR][index]
            counts[THIS_YEAR][index] += need
            while need > 0:
                donor = max((i for i in range(len(self.issuers)) if i not in (1, 3)),
                            key=lambda i: counts[THIS_YEAR][i] - 0.7 * counts[LAST_YEAR][i])
                counts[THIS_YEAR][donor] -= 1
                need -= 1
        return {year: {u.pk: n for u, n in zip(self.issuers, found, strict=True)} for year, found in counts.items()}

    def targets(self) -> list:
        if self.rng.random() < 0.4:
            township = self.rng.choice(self.units.townships)
            found = [v for v in self.villages if v.parent_id == township.pk]
            if found:
                return found
        return sorted(self.rng.sample(self.villages, min(len(self.villages), self.rng.randint(2, 6))),
                      key=lambda u: u.path)

    def document(self, issuer, year: int, day: dt.date, *, kind: str, chars: int, reach: bool,
                 materials: bool = False, notice: bool = False, with_cun: bool = False):
        from qingzhuang.burden.services.documents import DocumentData, document_create

        self.serial[(issuer.pk, year)] += 1
        subject = self.rng.choice(SUBJECTS)
        title = (COMPREHENSIVE_TITLE.format(year, subject) if kind == "comprehensive"
                 else self.rng.choice(SPECIAL_FORMS).format(subject))
        targets = self.targets() if reach else []
        if with_cun and self.cun_village not in targets:
            targets = sorted([*targets, self.cun_village], key=lambda u: u.path)
        data = DocumentData(issuer=issuer, number=f"{_agency(issuer.name)}〔{year}〕{self.serial[(issuer.pk, year)]}号",
                            title=title, issued_on=day, kind=kind, chars=chars, demands_materials=materials,
                            target_units=targets, notice_would_do=notice or None)
        with _clock(_at(day, hour=self.rng.randint(1, 8))):
            document = document_create(actor=self.ducha, data=data)
        self.documents[year].append(document)
        return document

    def issue(self, plan: dict[int, dict[int, int]]) -> None:
        rng = self.rng
        breaches = {LAST_YEAR: {"special": 2, "comprehensive": 0}, THIS_YEAR: {"special": 3, "comprehensive": 1}}
        notices = {THIS_YEAR: 2, LAST_YEAR: 0}
        for year in (LAST_YEAR, THIS_YEAR):
            rows = [(issuer, n) for issuer in self.issuers for n in range(plan[year][issuer.pk])]
            rng.shuffle(rows)
            days = sorted(dt.date(year, 1, 3) + dt.timedelta(days=rng.randint(0, 355)) for _ in rows)
            for index, ((issuer, _), day) in enumerate(zip(rows, days, strict=True)):
                comprehensive = index % 12 == 5
                kind = "comprehensive" if comprehensive else "special"
                if breaches[year][kind] and index % 7 == 3:
                    breaches[year][kind] -= 1
                    chars = rng.randint(5001, 5600) if comprehensive else rng.randint(4001, 4800)
                else:
                    chars = rng.randint(2600, 4900) if comprehensive else rng.randint(600, 3900)
                reach = rng.random() < 0.35
                notice = bool(notices[year]) and reach and index % 5 == 0
                notices[year] -= notice
                self.document(issuer, year, day, kind=kind, chars=chars, reach=reach,
                              materials=reach and rng.random() < 0.3, notice=notice,
                              with_cun=reach and index % 4 == 0)

    def explain(self) -> None:
        """The first of the two issuers above last year explains in writing; the other does not."""
        from qingzhuang.burden.services.documents import document_explain

        with _clock(_at(dt.date(THIS_YEAR, 11, 20))):
            document_explain(actor=self.ducha, issuer=self.issuers[1], year=THIS_YEAR, text=EXPLANATION)

    # -- 一网协同 ---------------------------------------------------------------------------

    def sender(self, unit):
        """A user of the sending unit who may send: a reporter of the unit, or a new 文书 account
        (made here as ``accounts.services.user_create`` makes one: the accounts app sits beside
        this one in the layers, so it is not imported)."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from qingzhuang.orgs import audit, roles

        if unit.pk in self.senders:
            return self.senders[unit.pk]
        User = get_user_model()  # noqa: N806
        user = User.objects.filter(unit=unit, is_active=True, groups__name=roles.REPORTER).order_by("pk").first()
        if user is None:
            user = User(username=f"fw{unit.code}", unit=unit, display_name=f"{unit.name}文书")
            if self.password_hash is None:
                user.set_password(self.result.password)
                self.password_hash = user.password
            user.password = self.password_hash
            user.save()
            user.groups.set(Group.objects.filter(name=roles.REPORTER))
            audit.record(actor=None, action="user.create", obj=user, unit=unit,
                         after={"username": user.username, "unit": unit.code, "roles": [roles.REPORTER],
                                "display_name": user.display_name})
        self.senders[unit.pk] = user
        return user

    def recipients(self, index: int) -> list:
        rng = self.rng
        choice = index % 4
        if choice == 0:
            return [t for t in self.units.townships if t.is_active]
        if choice == 1:
            township = rng.choice(self.units.townships)
            return [v for v in self.villages if v.parent_id == township.pk] or [township]
        if choice == 2:
            return sorted(rng.sample(self.villages, min(len(self.villages), rng.randint(3, 8))), key=lambda u: u.path)
        departments = [d for d in self.units.departments]
        return sorted(rng.sample(departments, min(len(departments), rng.randint(2, 5))), key=lambda u: u.path)

    def send(self, sender_unit, day: dt.date, index: int, recipients: list, *, unread_units=()):
        from qingzhuang.burden.models import CirculationReceipt
        from qingzhuang.burden.services.circulation import CirculationData, circulation_send

        rng = self.rng
        own = [d for d in self.documents[THIS_YEAR] if d.issuer_id == sender_unit.pk and d.issued_on <= day]
        recipients = [u for u in recipients if u.pk != sender_unit.pk]
        subject = rng.choice(SUBJECTS)
        if own and index % 3 == 1:
            document = rng.choice(own)
            data = CirculationData(title=document.title, body=f"现将《{document.title}》印发给你们，请认真贯彻落实。",
                                   kind="document", recipients=recipients, document=document)
        else:
            title, body = rng.choice(NOTICES)
            data = CirculationData(title=title.format(subject), body=body, kind="notice", recipients=recipients)
        sent_at = _at(day, hour=rng.randint(1, 8))
        with _clock(sent_at):
            circulation = circulation_send(actor=self.sender(sender_unit), data=data)
        self.circulations.append(circulation)
        readers = self.readers()
        receipts = list(CirculationReceipt.objects.filter(circulation=circulation).select_related("unit"))
        last = _at(dt.date(circulation.sent_at.year, 12, 28))
        for receipt in receipts:
            if receipt.unit in unread_units or rng.random() > 0.85:
                continue
            receipt.read_at = min(sent_at + dt.timedelta(hours=rng.randint(1, 72)), last)
            receipt.read_by = readers.get(receipt.unit_id)
        CirculationReceipt.objects.bulk_update(receipts, ["read_at", "read_by"])
        return circulation

    def readers(self) -> dict:
        if not hasattr(self, "_readers"):
            from django.contrib.auth import get_user_model

            User = get_user_model()  # noqa: N806
            self._readers = {}
            for user in User.objects.filter(unit__isnull=False, is_active=True).order_by("-pk"):
                self._readers[user.unit_id] = user
        return self._readers

    def circulate(self) -> None:
        from qingzhuang.burden.services.circulation import circulation_remind

        rng = self.rng
        senders = self.issuers[:5]
        office = self.units.by_name("县委办公室")
        for year, count in ((LAST_YEAR, max(2, self.scale.circulations // 3)), (THIS_YEAR, self.scale.circulations)):
            for index in range(count):
                day = dt.date(year, 1, 6) + dt.timedelta(days=index * 340 // count + rng.randint(0, 5))
                unit = office if index % 3 == 0 else rng.choice(senders)
                self.send(unit, day, index, self.recipients(index))
        # One notice to the demo's village and township that they have not read yet.
        township = self.units.by_name(self.xiangzhen.unit.name)
        unread = [self.cun_village, township]
        self.send(office, dt.date(THIS_YEAR, 12, 15), 0, unread, unread_units=unread)
        # One reminded: the sender reminds the units that have not read it two days later.
        reminded = next(c for c in reversed(self.circulations[:-1])
                        if c.sent_at.year == THIS_YEAR and c.receipts.filter(read_at__isnull=True).exists())
        with _clock(reminded.sent_at + dt.timedelta(days=2)):
            circulation_remind(actor=self.sender(reminded.sender), circulation=reminded)

    def run(self) -> dict[str, int]:
        self.issue(self.plan())
        self.explain()
        self.circulate()
        return {"documents": sum(len(d) for d in self.documents.values()), "circulations": len(self.circulations)}


def seed_step(result) -> dict[str, int]:
    return _Seeder(result).run()


def summary(result) -> str:
    from qingzhuang.burden import queries_documents

    last, this = (queries_documents.document_count(year=y) for y in (LAST_YEAR, THIS_YEAR))
    stats = queries_documents.circulation_count(year=THIS_YEAR)
    change = f"{(this - last) * 100 / last:+.0f}%" if last else "—"
    return (f"发文登记：{LAST_YEAR}年 {last} 件，{THIS_YEAR}年 {this} 件（{change}）；"
            f"一网协同：{THIS_YEAR}年发送 {stats} 份")
