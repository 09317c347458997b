"""The auditor's workbench: security events of the last 7 days to review, and the audit log by day."""

from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qingzhuang.orgs import audit, workbench
from qingzhuang.orgs.models import AuditLog


def log(action, unit, *, days_ago=0):
    """Record an entry as if written ``days_ago`` days ago (the log is append-only: its time is set
    when it is written, so the clock is moved instead)."""
    real_now = timezone.now
    then = real_now() - timedelta(days=days_ago)
    with mock.patch.object(timezone, "now", lambda: then), transaction.atomic():
        audit.record(actor=None, action=action, object_type="user", object_id="1", object_repr="member",
                     unit=unit)


def home(client, user):
    response = client(user).get(reverse("web:home"))
    todos = [(t.count, t.label, t.url) for t in response.context["todos"]]
    charts = {c["chart"].key: c["chart"] for c in response.context["charts"]}
    return todos, charts, response.content.decode()


def test_the_auditor_reviews_the_last_seven_days(verified_client, users, county):
    log("auth.login_failed", county["town_a"])
    log("auth.login_failed", county["town_a"])
    log("auth.locked_out", county["town_a"])
    log("person.reveal", county["village_a"])
    log("auth.login_failed", county["town_a"], days_ago=8)
    todos, _, body = home(verified_client, users["auditor"])
    since = (timezone.localdate() - timedelta(days=6)).isoformat()
    assert todos == [
        (1, "次账号锁定（近7天）", f"/orgs/audit/?action=auth.locked_out&date_from={since}"),
        (2, "次登录失败（近7天）", f"/orgs/audit/?action=auth.login_failed&date_from={since}"),
        (1, "次查看完整个人信息（近7天）", f"/orgs/audit/?action=person.reveal&date_from={since}"),
    ]
    # The recent security events panel names actions in Chinese.
    assert '<td class="small">登录失败</td>' in body
    assert '<td class="small">auth.login_failed</td>' not in body


def test_the_chart_counts_entries_by_day_and_category(verified_client, users, county):
    log("auth.login_failed", county["town_a"])
    log("person.reveal", county["village_a"])
    log("unit.update", county["town_a"])
    log("unit.update", county["town_a"], days_ago=40)
    _, charts, _ = home(verified_client, users["auditor"])
    chart = charts["orgs-audit-by-day"]
    today = timezone.localdate()
    assert chart.option["xAxis"]["data"][-1] == f"{today.month}月{today.day}日"
    assert len(chart.option["xAxis"]["data"]) == 30
    series = {s["name"]: s["data"] for s in chart.option["series"]}
    assert {name: data[-1] for name, data in series.items()} == {
        "登录与退出": 1, "登录失败与锁定": 1, "查看、导出个人信息": 1, "数据和账号的写入": 1 + series_base(county)}
    # (the auditor's own sign-in is the one 登录 entry)
    assert chart.note.startswith("近30天范围内共")


def series_base(county) -> int:
    """Entries the county fixture itself wrote today (creating its units)."""
    today = timezone.localdate()
    return AuditLog.objects.filter(at__date=today, action="unit.create").count()


def test_a_township_auditor_sees_only_its_township(db, county):
    from conftest import make_user
    from qingzhuang.orgs.roles import AUDITOR

    auditor = make_user("townaudit", county["town_a"], AUDITOR)
    log("auth.login_failed", county["town_a"])
    log("auth.login_failed", county["town_b"])
    log("auth.login_failed", None)
    assert [(t.count, t.label) for t in workbench.todos(auditor)] == [(1, "次登录失败（近7天）")]


def test_others_get_no_audit_todos_or_chart(verified_client, users, county):
    log("auth.login_failed", county["town_a"])
    for role in ("leader", "sysadmin", "member", "supervision"):
        todos, charts, _ = home(verified_client, users[role])
        assert "orgs-audit-by-day" not in charts
        assert all("/orgs/audit/" not in url for _, _, url in todos)
