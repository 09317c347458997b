"""The account administrator's workbench: accounts that need attention, and who holds which role."""

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from qingzhuang.accounts import workbench


def lock_out(username: str) -> None:
    AccessAttempt.objects.create(username=username, ip_address="10.0.0.1", user_agent="x", get_data="",
                                 post_data="", http_accept="", path_info="/account/login/",
                                 failures_since_start=5, attempt_time=timezone.now())


def home(client, user):
    response = client(user).get(reverse("web:home"))
    todos = [(t.count, t.label, t.url) for t in response.context["todos"]]
    charts = {c["chart"].key: c["chart"] for c in response.context["charts"]}
    return todos, charts, response.content.decode()


def test_locked_and_roleless_accounts_are_todos_with_filtered_links(verified_client, users, county):
    lock_out("member")
    make_user("norole", county["village_a"])
    todos, _, body = home(verified_client, users["sysadmin"])
    assert todos == [
        (1, "个账号因多次登录失败被锁定，核实后可解除", "/account/users/?status=locked"),
        (1, "个启用的账号未分配角色", "/account/users/?status=norole"),
    ]
    assert "个账号因多次登录失败被锁定，核实后可解除" in body


def test_the_links_filter_the_account_list(verified_client, users, county):
    lock_out("member")
    make_user("norole", county["village_a"])
    client = verified_client(users["sysadmin"])
    locked = client.get("/account/users/?status=locked").content.decode()
    assert locked.count('data-testid="user-row"') == 1 and ">member</a>" in locked
    norole = client.get("/account/users/?status=norole").content.decode()
    # "nobody" (no unit) is outside every scope; "norole" in 甲村 is the one active account without a role.
    assert norole.count('data-testid="user-row"') == 1 and ">norole</a>" in norole
    # An unknown status is ignored, not an error.
    assert client.get("/account/users/?status=<b>").status_code == 200


def test_an_expired_lock_is_no_todo(verified_client, users, county):
    lock_out("member")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(hours=2))
    todos, _, _ = home(verified_client, users["sysadmin"])
    assert todos == []


def test_the_role_chart_counts_active_accounts_by_level(verified_client, users, county):
    _, charts, _ = home(verified_client, users["sysadmin"])
    chart = charts["accounts-by-role"]
    by_level = {s["name"]: s["data"] for s in chart.option["series"]}
    # users: one account per role at the county root, "member" and "outsider" (乡镇村干部) in townships.
    assert by_level == {
        "县直单位": [1, 1, 1, 1, 1, 1, 1, 1],
        "乡镇（街道）": [0, 0, 0, 0, 2, 0, 0, 0],
        "村（社区）、网格": [0, 0, 0, 0, 0, 0, 0, 0],
    }
    assert chart.option["yAxis"]["data"] == ["系统管理员", "考核办", "督查室", "部门填报员", "乡镇村干部", "减负监测员", "领导", "审计员"]
    assert chart.note == "范围内共10个启用且已分配角色的账号；一个账号有几个角色就计入几个角色。"


def test_a_township_administrator_counts_only_their_township(db, county):
    from qingzhuang.orgs.roles import SYSADMIN

    admin = make_user("townadmin", county["town_a"], SYSADMIN)
    make_user("villager", county["village_a"], "乡镇村干部")
    make_user("other", county["village_b"], "乡镇村干部")
    by_level = workbench.accounts_by_role_and_level(admin)
    assert by_level["乡镇（街道）"][0] == 1
    assert by_level["村（社区）、网格"][4] == 1
    assert sum(map(sum, by_level.values())) == 2


def test_others_get_no_account_todos_or_chart(verified_client, users, county):
    lock_out("member")
    for role in ("leader", "auditor", "member"):
        todos, charts, _ = home(verified_client, users[role])
        assert "accounts-by-role" not in charts
        assert all("/account/users/" not in url for _, _, url in todos)
