import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory

from conftest import demo_rolled_back
from qingzhuang.accounts.models import User
from qingzhuang.demo import seed as demo
from qingzhuang.lib import ids
from qingzhuang.orgs.models import AuditLog, Person, Unit
from qingzhuang.orgs.roles import ROLE_NAMES, user_roles

DEMO_LOGINS = {
    # username: (role, unit name)
    "admin": ("系统管理员", "青山县"),
    "kaohe": ("考核办", "青山县"),
    "ducha": ("督查室", "青山县"),
    "tianbao": ("部门填报员", "县统计局"),
    "xiangzhen": ("乡镇村干部", "石桥镇"),
    "cun": ("乡镇村干部", None),  # a village of 石桥镇
    "jianfu": ("减负监测员", "青山县"),
    "lingdao": ("领导", "青山县"),
    "shenji": ("审计员", "青山县"),
}


@pytest.fixture(autouse=True)
def default_password(monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


class _Rollback(Exception):
    pass


def snapshot_of_fresh_seed(scale: str) -> tuple[list, list]:
    """Seed an empty database, read everything back, and roll the seed back again."""
    assert not Unit.objects.exists()
    try:
        with transaction.atomic():
            run("--scale", scale)
            units = list(Unit.objects.order_by("code").values_list("code", "name", "kind", "parent__code", "path"))
            people = list(Person.objects.order_by("id_number").values_list(
                "unit__code", "name", "title", "phone", "id_number"))
            raise _Rollback
    except _Rollback:
        pass
    assert not Unit.objects.exists()
    return units, people


@pytest.fixture(scope="class")
def small_county(django_db_setup, django_db_blocker):
    """``seed_demo --scale small`` run once for the class that asks for it (seeding is the slow part),
    inside a transaction rolled back after the class; returns the command's output."""
    with demo_rolled_back(django_db_blocker):
        yield run("--scale", "small")


@pytest.mark.django_db
class TestSmallCounty:
    """Read-only checks of the small county, all on one seed; each test runs in a savepoint."""

    def test_small_scale_counts_and_output(self, small_county):
        output = small_county
        kinds = Counter(Unit.objects.values_list("kind", flat=True))
        assert kinds == {"county": 1, "party": 2, "government": 1, "department": 3, "street": 1, "township": 1,
                         "community": 3, "village": 3, "grid": 6}
        assert Unit.objects.count() == 21
        assert Person.objects.count() == 60
        # The demo logins, plus a reporter for each further department that defines reports and an
        # account for each further township whose villages fill (ledger.demo_reports), and a 文书 of each
        # office that sends through 一网协同 without one (burden.demo_documents).
        usernames = set(User.objects.values_list("username", flat=True))
        assert usernames - set(DEMO_LOGINS) == {"tb429901954000", "tb429901960000", "xz429901001000",
                                                "fw429901901000", "fw429901921000"}
        # One summary row for the bulk data (plus the accounts' own rows), not one per unit or person;
        # the policy library is added like any upload, one row per document added and indexed; the
        # reports, requests, sendings and fills are written by their services, each with its own row; so is
        # the assessment's year (a scheme, spot checks, two runs, an appeal and the correction it brought).
        actions = Counter(AuditLog.objects.values_list("action", flat=True))
        assert {a: n for a, n in actions.items()
                if not a.startswith(("report.", "request.", "demand.", "dataset.", "clue.", "document.", "circulation.",
                                     "plan_item.", "merge.", "visit.", "task.", "cap."))} \
            == {"demo.seed": 1, "user.create": 14, "assistant.policy.add": 14, "assistant.policy.index": 14,
                "assessment.scheme.import": 1, "assessment.spotcheck.add": 5, "assessment.run.start": 2,
                "assessment.run.publish": 1, "assessment.appeal.file": 1, "ledger.import": 1,
                "ledger.indicator_value.update": 1, "assessment.appeal.answer": 1,
                # The burden registries of 2024–2025 (burden.demo_registries), written by their services.
                "meeting.create": 34, "group.create": 33, "group.close": 21, "app.create": 6}
        assert actions["demand.fill"] == AuditLog.objects.get(action="demo.seed").after["demands_filled"]
        entry = AuditLog.objects.get(action="demo.seed")
        assert entry.actor is None and entry.unit.code == "429901000000"
        assert entry.after["units"] == 21 and entry.after["people"] == 60 and entry.after["scale"] == "small"
        assert "单位 21 个" in output and "干部 60 名" in output
        assert "政策库：政策文件 14 个，检索段落 283 个。" in output
        assert "无感考核：2025年度方案 6 个指标，期末考试抽查 5 次" in output
        # 码上减负: 40 clues, each submitted through its service (burden.demo_clues).
        assert actions["clue.submit"] == 40
        # The plans of 督查检查 (supervision.demo_plans): the total goes down, merges cut visits; every
        # visit scheduled is issued but the one extended beyond its targets (supervision.demo_visits).
        assert "督查检查计划：2024年 12 项，2025年 9 项（-25%）" in output
        from qingzhuang.supervision.models import Visit, VisitStatus

        scheduled = Visit.objects.filter(status=VisitStatus.SCHEDULED).count()
        assert actions["visit.issue"] > 0 and actions["visit.schedule"] == actions["visit.issue"] + scheduled
        assert "码上减负：线索 40 条（匿名 27 条），已办结 24 条，逾期整改 4 条" in output
        assert "用户名" in output and "角色" in output and "单位" in output and "密码" in output
        for username, (role, _unit) in DEMO_LOGINS.items():
            line = next(li for li in output.splitlines() if li.startswith(username + " "))
            assert role in line and "Qingzhuang@2026" in line
        assert "系统管理员须在首次登录时绑定动态验证码" in output

    def test_people_have_valid_unique_ids_and_phones(self, small_county):
        people = list(Person.objects.select_related("unit"))
        id_numbers = [p.id_number for p in people]
        assert len(set(id_numbers)) == len(people)
        for person in people:
            assert ids.id_number_error(person.id_number) is None, person.id_number
            assert person.id_number.startswith("429901")
            assert 1965 <= ids.id_birth_date(person.id_number).year <= 2000
            if "妇联" in person.title:
                assert ids.id_gender(person.id_number) == "女"
            assert ids.phone_error(person.phone) is None and len(person.phone) == 11
            assert 2 <= len(person.name) <= 3
            assert person.title
        assert len({p.phone for p in people}) == len(people)
        assert Person.objects.get(unit__kind="grid", unit__code="429901001501").title == "专职网格员"

    def test_tree_is_well_formed(self, small_county):
        units = list(Unit.objects.select_related("parent"))
        codes = [u.code for u in units]
        assert len(set(codes)) == len(codes)
        for unit in units:
            assert len(unit.code) == 12 and unit.code.isdigit() and unit.code.startswith("429901")
            if unit.parent is None:
                assert unit.kind == "county" and unit.path == f"/{unit.code}/" and unit.depth == 0
                continue
            assert unit.path == f"{unit.parent.path}{unit.code}/"
            assert unit.depth == unit.parent.depth + 1
            village_part = int(unit.code[9:])
            if unit.kind in ("party", "government", "other", "department"):
                assert unit.parent.kind == "county" and unit.code[6] == "9" and village_part == 0
            elif unit.kind in ("township", "street"):
                assert unit.parent.kind == "county" and village_part == 0
            elif unit.kind == "community":
                assert unit.code[:9] == unit.parent.code[:9] and 1 <= village_part <= 199
            elif unit.kind == "village":
                assert unit.code[:9] == unit.parent.code[:9] and 200 <= village_part <= 399
            else:
                assert unit.kind == "grid" and unit.parent.kind in ("village", "community")
                assert unit.code[:9] == unit.parent.code[:9] and 500 <= village_part <= 999
        assert Unit.objects.filter(path__startswith="/429901000000/").count() == len(units)

    def test_demo_logins_authenticate_with_their_roles(self, small_county):
        request = RequestFactory().post("/account/login/")
        for username, (role, unit_name) in DEMO_LOGINS.items():
            user = authenticate(request, username=username, password="Qingzhuang@2026")
            assert user is not None, username
            assert user_roles(user) == [role]
            if unit_name:
                assert user.unit.name == unit_name
        cun = User.objects.get(username="cun")
        assert cun.unit.kind == "village" and cun.unit.parent.name == "石桥镇"
        # Linked to the cadre they are, where that makes sense.
        assert User.objects.get(username="kaohe").person.unit.name == "县委组织部"
        assert User.objects.get(username="ducha").person.title == "督查室主任"
        assert User.objects.get(username="tianbao").person.unit.name == "县统计局"
        assert User.objects.get(username="xiangzhen").person.unit.name == "石桥镇"
        assert cun.person.unit == cun.unit and cun.person.title.startswith("村党支部书记")
        assert User.objects.get(username="lingdao").person.title == "县委副书记、县长"
        assert not Person.objects.filter(user__username__in=["admin", "shenji"]).exists()
        assert set(ROLE_NAMES) == {role for role, _ in DEMO_LOGINS.values()}


def test_deterministic_across_fresh_databases(db):
    first = snapshot_of_fresh_seed("small")
    second = snapshot_of_fresh_seed("small")
    assert first == second
    assert len(first[0]) == 21 and len(first[1]) == 60
    digest = hashlib.sha256(repr(first).encode()).hexdigest()
    assert digest == hashlib.sha256(repr(second).encode()).hexdigest()


def test_demo_password_from_environment(db, monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "Demo-Pass#2026")
    output = run("--scale", "small")
    assert "Demo-Pass#2026" in output
    request = RequestFactory().post("/account/login/")
    assert authenticate(request, username="tianbao", password="Demo-Pass#2026") is not None


def test_weak_demo_password_is_refused_and_nothing_written(db, monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "demo")
    with pytest.raises(CommandError) as exc:
        run("--scale", "small")
    assert "演示账号创建失败" in str(exc.value)
    assert not Unit.objects.exists() and not Person.objects.exists() and not User.objects.exists()


def test_if_empty_is_a_no_op_when_units_exist(county):
    output = run("--scale", "small", "--if-empty")
    assert "演示县已存在" in output
    assert Unit.objects.count() == 8
    assert not Person.objects.exists() and not User.objects.exists()
    assert not AuditLog.objects.filter(action="demo.seed").exists()


def test_if_empty_seeds_an_empty_database(db):
    run("--scale", "small", "--if-empty")
    assert Person.objects.count() == 60


def test_rerun_without_if_empty_is_refused(db):
    run("--scale", "small")
    with pytest.raises(CommandError) as exc:
        run("--scale", "small")
    assert "数据库中已有 21 个单位，不能重复生成演示县" in str(exc.value)
    assert Unit.objects.count() == 21 and Person.objects.count() == 60
    assert AuditLog.objects.filter(action="demo.seed").count() == 1


def test_seed_scale_matches_the_article(db):
    run("--scale", "seed")
    assert Person.objects.count() == 5199
    assert Unit.objects.count() >= 117
    assert Unit.objects.filter(kind__in=["township", "street"]).count() >= 10
    departments = set(Unit.objects.filter(kind="department").values_list("name", flat=True))
    assert departments == {
        "县发展和改革局", "县工业和信息化局", "县科学技术局", "县财政局", "县人力资源和社会保障局",
        "县自然资源和规划局", "县生态环境分局", "县住房和城乡建设局", "县交通运输局", "县农业农村局", "县商务局",
        "县文化和旅游局", "县卫生健康局", "县应急管理局", "县统计局",
    }
    assert Person.objects.filter(unit__kind="grid").count() == Unit.objects.filter(kind="grid").count()
    assert Person.objects.values("id_number").distinct().count() == 5199
    assert Unit.objects.values("code").distinct().count() == Unit.objects.count()
    assert all(len(code) == 12 for code in Unit.objects.values_list("code", flat=True))
    assert all(ids.id_number_error(n) is None for n in Person.objects.values_list("id_number", flat=True))
    # 永川's year before its 一表通: 168 reports and 1,377 submissions; then the register is cleaned up.
    from qingzhuang.burden.models import Demand
    from qingzhuang.ledger.models import Report

    assert Report.objects.filter(created_at__year=2024).count() == 168
    asked = Demand.objects.filter(kind__in=("report", "data_request"))
    last_year = asked.filter(month__startswith="2024").count()
    this_year = asked.filter(month__startswith="2025").count()
    assert 1300 <= last_year <= 1450
    assert this_year < last_year * 0.3
