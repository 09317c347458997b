"""The orgs app's workbench (``Module.todos`` / ``Module.charts``) for those who read the audit
log: the security events of the last days to look into, and the log's activity by day."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from qingzhuang.orgs import access
from qingzhuang.registry import Chart, Todo

REVIEW_DAYS = 7
CHART_DAYS = 30

# Security events an auditor reviews: (action, to-do label, tone).
REVIEW = (
    ("auth.locked_out", "次账号锁定（近7天）", "danger"),
    ("auth.login_failed", "次登录失败（近7天）", "warning"),
    ("person.reveal", "次查看完整个人信息（近7天）", "secondary"),
    ("person.export", "次导出完整个人信息（近7天）", "secondary"),
)

# The chart's categories, by action prefix; anything else is a write.
CATEGORIES = (
    ("登录与退出", ("auth.login", "auth.logout")),
    ("登录失败与锁定", ("auth.login_failed", "auth.locked_out", "auth.otp_failed")),
    ("查看、导出个人信息", ("person.reveal", "person.export")),
)
OTHER = "数据和账号的写入"
COLOURS = {"登录与退出": "#6c757d", "登录失败与锁定": "#dc3545", "查看、导出个人信息": "#fd7e14", OTHER: "#0d6efd"}


def _reads_audit(user) -> bool:
    return user.is_authenticated and user.has_perm("orgs.view_audit")


def todos(user) -> list[Todo]:
    if not _reads_audit(user):
        return []
    today = timezone.localdate()
    since = today - timedelta(days=REVIEW_DAYS - 1)
    counts = dict(
        access.visible_audit(user).filter(at__date__gte=since, action__in=[a for a, _, _ in REVIEW])
        .values_list("action").annotate(n=Count("id")).values_list("action", "n")
    )
    base = reverse("orgs:audit_list")
    return [
        Todo(label, counts[action], f"{base}?{urlencode({'action': action, 'date_from': since.isoformat()})}",
             tone=tone)
        for action, label, tone in REVIEW if counts.get(action)
    ]


def category(action: str) -> str:
    for label, actions in CATEGORIES:
        if action in actions:
            return label
    return OTHER


def audit_by_day(user, today: dt.date) -> tuple[list[dt.date], dict[str, list[int]]]:
    days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
    rows = (access.visible_audit(user).filter(at__date__gte=days[0])
            .annotate(day=TruncDate("at")).values("day", "action").annotate(n=Count("id")))
    index = {day: i for i, day in enumerate(days)}
    result = {label: [0] * CHART_DAYS for label in COLOURS}
    for row in rows:
        if row["day"] in index:
            result[category(row["action"])][index[row["day"]]] += row["n"]
    return days, result


def charts(user) -> list[Chart]:
    if not _reads_audit(user):
        return []
    today = timezone.localdate()
    days, by_category = audit_by_day(user, today)
    total = sum(sum(counts) for counts in by_category.values())
    failures = sum(by_category["登录失败与锁定"])
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 12, "top": 56, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{d.month}月{d.day}日" for d in days],
                  "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "name": "记录（条）", "minInterval": 1, "nameTextStyle": {"align": "left"}},
        "series": [
            {"name": label, "type": "bar", "stack": "audit", "data": counts, "itemStyle": {"color": COLOURS[label]}}
            for label, counts in by_category.items()
        ],
    }
    return [Chart(
        key="orgs-audit-by-day",
        title=f"近{CHART_DAYS}天的审计记录（按日、按类别）",
        option=option,
        note=f"近{CHART_DAYS}天范围内共{total}条审计记录，其中登录失败与锁定{failures}条。",
        empty="" if total else f"近{CHART_DAYS}天范围内没有审计记录。",
        unit="条",
    )]
