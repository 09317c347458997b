"""Reads of the registries (meetings, work groups, apps): the rules that depend on other rows or on
the day, the yearly counters the county overview reads, and the alerts of the rule checks.

Counters (names and signatures are an interface of the county overview):
``meeting_count``, ``meeting_counts_by_organiser``, ``group_count``, ``groups_created``,
``groups_closed``, ``app_count``, ``apps_flagged``; ``alerts`` is listed in ``alerts.ALERT_SOURCES``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from qingzhuang.burden.alerts import Alert
from qingzhuang.burden.models import (
    APP_FEATURES,
    RULE_NAMES,
    AppStatus,
    AttendLevel,
    GovApp,
    Meeting,
    MeetingKind,
    WorkGroup,
)
from qingzhuang.burden.services.registries import LONG_REPORT_MINUTES
from qingzhuang.lib.periods import months_of_year
from qingzhuang.registry import Chart


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# ---------------------------------------------------------------------------------------------
# Meetings


def meetings_of_year(year: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(held_on__range=_year_range(year))


def meeting_count(*, year: int) -> int:
    """Meetings held in ``year``."""
    return meetings_of_year(year).count()


def meeting_counts_by_organiser(*, year: int) -> dict[int, int]:
    """Meetings held in ``year`` per organiser (unit id → count)."""
    rows = meetings_of_year(year).order_by().values("organiser_id").annotate(n=Count("id"))
    return {row["organiser_id"]: row["n"] for row in rows}


def comprehensive_order(*, year: int | None = None, ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """The 综合性 meetings that are a system's second (or later) of their calendar year:
    meeting id → (which one it is, the id of the system's first that year). Order: date, then id.
    ``year`` limits it to one year; ``ids`` to the systems and years of those meetings."""
    qs = Meeting.objects.filter(kind=MeetingKind.COMPREHENSIVE)
    if year is not None:
        qs = qs.filter(held_on__range=_year_range(year))
    if ids is not None:
        keys = list(Meeting.objects.filter(pk__in=list(ids), kind=MeetingKind.COMPREHENSIVE)
                    .values_list("system", "held_on"))
        if not keys:
            return {}
        q = Q()
        for system, held_on in keys:
            q |= Q(system=system, held_on__range=_year_range(held_on.year))
        qs = qs.filter(q)
    seen: dict[tuple[str, int], list[int]] = defaultdict(list)
    for pk, system, held_on in qs.order_by("held_on", "id").values_list("id", "system", "held_on"):
        seen[(system, held_on.year)].append(pk)
    return {pk: (n, pks[0]) for pks in seen.values() for n, pk in enumerate(pks, start=1) if n > 1}


def second_comprehensive_ids(*, year: int | None = None) -> set[int]:
    return set(comprehensive_order(year=year))


def level_names(levels: Iterable[str]) -> list[str]:
    labels = dict(AttendLevel.choices)
    return [labels.get(level, level) for level in levels]


def meeting_problems(meeting: Meeting, order: dict[int, tuple[int, int]]) -> list[tuple[str, str, str]]:
    """(rule code, Chinese rule name, the figure) of every rule ``meeting`` breaks."""
    found = []
    if meeting.pk in order:
        n, _first = order[meeting.pk]
        found.append(("meeting.second_comprehensive", RULE_NAMES["meeting.second_comprehensive"],
                      f"“{meeting.system}”系统{meeting.held_on.year}年第{n}次综合性会议"))
    if "meeting.long_report" in meeting.flags:
        found.append(("meeting.long_report", RULE_NAMES["meeting.long_report"],
                      f"主报告 {meeting.report_minutes} 分钟，超过 {LONG_REPORT_MINUTES} 分钟"))
    if "meeting.layered" in meeting.flags:
        found.append(("meeting.layered", RULE_NAMES["meeting.layered"],
                      "要求参会：" + "、".join(level_names(meeting.levels))))
    return found


def flagged_meetings_q(*, year: int | None) -> Q:
    return Q(flagged=True) | Q(pk__in=second_comprehensive_ids(year=year))


def meeting_chart(*, year: int, meetings: QuerySet[Meeting]) -> Chart:
    """Meetings held each month of ``year`` against ``year - 1`` (of the rows the page lists)."""
    def by_month(y: int) -> list[int]:
        rows = (meetings.filter(held_on__range=_year_range(y)).order_by()
                .values_list("held_on__month").annotate(n=Count("id")))
        found = dict(rows)
        return [found.get(m, 0) for m in range(1, 13)]

    this_year, last_year = by_month(year), by_month(year - 1)
    total, last_total = sum(this_year), sum(last_year)
    change = f"，{'减少' if total <= last_total else '增加'} {abs(total - last_total) * 100 // last_total}%" if last_total else ""
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 12, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{m[5:].lstrip('0')}月" for m in months_of_year(year)]},
        "yAxis": {"type": "value", "name": "会议（次）", "minInterval": 1},
        "series": [
            {"name": f"{year - 1}年", "type": "bar", "data": last_year, "itemStyle": {"color": "#adb5bd"}},
            {"name": f"{year}年", "type": "bar", "data": this_year, "itemStyle": {"color": "#fd7e14"}},
        ],
    }
    return Chart(key="meetings-by-month", title=f"每月召开的会议：{year}年与{year - 1}年", option=option,
                 note=f"{year}年共{total}次，{year - 1}年{last_total}次{change}。",
                 empty="" if total or last_total else "这两年都还没有登记会议。", unit="次")


# ---------------------------------------------------------------------------------------------
# Work groups


def overdue_groups_q(as_of: dt.date) -> Q:
    """Groups open on ``as_of`` whose task ended before it (the day after the task end is late)."""
    return (Q(task_ends_on__lt=as_of, created_on__lte=as_of)
            & (Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)))


def flagged_groups_q(as_of: dt.date | None = None) -> Q:
    return Q(flagged=True) | overdue_groups_q(as_of or timezone.localdate())


def groups_open_in(year: int) -> QuerySet[WorkGroup]:
    first, last = _year_range(year)
    return WorkGroup.objects.filter(Q(created_on__lte=last) & (Q(closed_on__isnull=True) | Q(closed_on__gte=first)))


def group_count(*, year: int) -> int:
    """Groups open at any time in ``year``: set up on or before Dec 31 and not dissolved before Jan 1."""
    return groups_open_in(year).count()


def groups_at_year_end(*, year: int) -> int:
    """Groups still open at the end of ``year`` (Dec 31; today, for the current year): what the
    county carries into the next year once it has dissolved the groups whose task ended."""
    end = min(dt.date(year, 12, 31), timezone.localdate())
    return WorkGroup.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end), created_on__lte=end).count()


def groups_created(*, year: int) -> int:
    return WorkGroup.objects.filter(created_on__range=_year_range(year)).count()


def groups_closed(*, year: int) -> int:
    return WorkGroup.objects.filter(closed_on__range=_year_range(year)).count()


def group_problems(group: WorkGroup, as_of: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(rule code, Chinese rule name, the figure) of every rule ``group`` breaks on ``as_of`` (today)."""
    as_of = as_of or timezone.localdate()
    found = []
    if "group.no_owner" in group.flags:
        found.append(("group.no_owner", RULE_NAMES["group.no_owner"], "没有登记群主"))
    ended = group.task_ends_on
    if ended and ended < as_of and (group.closed_on is None or group.closed_on > as_of):
        found.append(("group.not_dissolved", RULE_NAMES["group.not_dissolved"],
                      f"任务已于 {ended:%Y-%m-%d} 结束，截至 {as_of:%Y-%m-%d} 仍未解散（{(as_of - ended).days} 天）"))
    return found


def group_summary(groups: QuerySet[WorkGroup], *, year: int) -> dict:
    """The figures above the list: open and dissolved groups, and those dissolved in ``year``."""
    first, last = _year_range(year)
    return groups.order_by().aggregate(
        open=Count("id", filter=Q(closed_on__isnull=True)),
        closed=Count("id", filter=Q(closed_on__isnull=False)),
        closed_in_year=Count("id", filter=Q(closed_on__range=(first, last))),
        created_in_year=Count("id", filter=Q(created_on__range=(first, last))),
    )


# ---------------------------------------------------------------------------------------------
# Apps


def apps_in_use_during(year: int) -> QuerySet[GovApp]:
    first, last = _year_range(year)
    return GovApp.objects.filter(Q(registered_on__lte=last)
                                 & (Q(status=AppStatus.IN_USE) | Q(rectified_on__gte=first)))


def app_count(*, year: int) -> int:
    """Apps registered on or before Dec 31 of ``year`` and not stopped before Jan 1 of it."""
    first, last = _year_range(year)
    return GovApp.objects.filter(registered_on__lte=last).exclude(
        status=AppStatus.STOPPED, rectified_on__lt=first).count()


def apps_flagged() -> int:
    """Apps in use now with a forbidden feature (强制打卡、排名通报、在线时长考核、强制拍照上传)."""
    return GovApp.objects.filter(flagged=True).count()


def app_problems(app: GovApp) -> list[tuple[str, str, str]]:
    return [(code, name, f"“{app.name}”{name[4:]}") for code, name in
            ((code, RULE_NAMES[code]) for code in app.flags)]


# ---------------------------------------------------------------------------------------------
# Alerts


def alerts(*, year: int) -> list[Alert]:
    """Every breach of the three registries' rules in ``year``: meetings held in it, groups open
    in it (past their task end as of Dec 31, or today while the year runs), apps in use during it
    with a forbidden feature (an app rectified since is a warning, not a breach)."""
    found: list[Alert] = []
    meetings = list(meetings_of_year(year).select_related("organiser"))
    order = comprehensive_order(year=year)
    for meeting in meetings:
        url = reverse("burden:meeting_detail", args=[meeting.pk])
        for code, name, figure in meeting_problems(meeting, order):
            found.append(Alert(rule=code, rule_name=name, subject=f"{meeting.organiser.name} {meeting.title}",
                               message=figure, unit_name=meeting.organiser.name, url=url, on=meeting.held_on,
                               level="danger"))
    as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    groups = groups_open_in(year).filter(flagged_groups_q(as_of), created_on__lte=as_of).select_related("owner_unit")
    for group in groups:
        url = reverse("burden:group_detail", args=[group.pk])
        for code, name, figure in group_problems(group, as_of):
            on = group.created_on if code == "group.no_owner" else group.task_ends_on + dt.timedelta(days=1)
            found.append(Alert(rule=code, rule_name=name, subject=group.name, message=figure,
                               unit_name=group.owner_unit.name, url=url, on=on, level="danger"))
    features = Q()
    for name, _, _ in APP_FEATURES:
        features |= Q(**{name: True})
    for app in apps_in_use_during(year).filter(features).select_related("owner_unit"):
        url = reverse("burden:app_detail", args=[app.pk])
        rectified = app.status != AppStatus.IN_USE and app.rectified_on <= dt.date(year, 12, 31)
        for field_name, code, name in APP_FEATURES:
            if not getattr(app, field_name):
                continue
            message = f"“{app.name}”{name[4:]}"
            if rectified:
                message += f"（{app.rectified_on:%Y-%m-%d} {app.get_status_display()}）"
            found.append(Alert(rule=code, rule_name=name, subject=app.name, message=message,
                               unit_name=app.owner_unit.name, url=url, on=app.registered_on,
                               level="warning" if rectified else "danger"))
    return found
