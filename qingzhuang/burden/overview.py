"""The county's burden overview (减负总览) for leaders and monitors: is the burden going down?

- ``lines(year)``: documents, meetings, work groups, inspections and reports of ``year`` against the
  year before and against the reduction target (``QZ_BURDEN_TARGET_CUT``, 30% as 北镇 achieved:
  this year ≤ last year × 0.70). Each line counts what its registry counts (``COUNTERS``).
- ``placers(year)``: the units that placed the most on the grassroots, with last year's.
- ``treemap(year)``: person-hours demanded of each township (street) and its villages.
- the alerts of the rule checks (``alerts.all_alerts``).

County-wide readers only (``access.sees_all_demands``); everything here is county-wide.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.db.models import Count, Sum

from qingzhuang.burden.models import Demand, DemandKind
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.orgs.models import Unit, UnitKind
from qingzhuang.registry import Chart

HUNDRED = Decimal(100)


def target_cut() -> Decimal:
    """The yearly reduction aimed at, as a fraction (0.30 = −30%)."""
    return Decimal(str(getattr(settings, "QZ_BURDEN_TARGET_CUT", "0.30")))


def _demands_of_kind(kind: str) -> Callable[..., int]:
    def count(*, year: int) -> int:
        return Demand.objects.filter(kind=kind, month__range=(f"{year}-01", f"{year}-12")).count()

    return count


# (key, label, measure word, counter, what it counts). A counter is ``f(*, year) -> int`` or a
# "dotted.module:function" of a registry's queries.
COUNTERS: tuple[tuple[str, str, str, str | Callable[..., int], str], ...] = (
    ("documents", "发文", "件", "qingzhuang.burden.queries_documents:document_count",
     "发文登记中当年印发的文件"),
    ("meetings", "会议", "次", "qingzhuang.burden.queries_registries:meeting_count",
     "会议登记中当年召开的会议"),
    ("groups", "工作群", "个", "qingzhuang.burden.queries_registries:groups_at_year_end",
     "年末仍未解散的工作群（当年为截至今天）"),
    ("inspections", "督查检查", "次", _demands_of_kind(DemandKind.INSPECTION),
     "派到基层单位的督查检查，到一个单位一次计一次"),
    ("reports", "报表", "次", _demands_of_kind(DemandKind.REPORT),
     "要求基层单位填报报表的次数，一个单位一期计一次"),
)


def _counter(counter: str | Callable[..., int]) -> Callable[..., int]:
    if callable(counter):
        return counter
    module, _, name = counter.partition(":")
    return getattr(import_module(module), name)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    measure: str  # 件, 次, 个
    this_year: int
    last_year: int
    target: int | None  # the most this year may have to meet the cut; None without last year's
    note: str

    @property
    def change(self) -> Decimal | None:
        """Percent change against last year (−31.5), None when last year had none."""
        if not self.last_year:
            return None
        return round_half_up(Decimal(self.this_year - self.last_year) * HUNDRED / self.last_year, 1)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.this_year <= self.target

    @property
    def verdict(self) -> str:
        """"下降 31.5%，已达到压减30%的目标" — the line in words."""
        if self.target is None:
            return f"去年无{self.label}记录，无法比较"
        change = self.change
        moved = "持平" if change == 0 else (f"下降 {-change}%" if change < 0 else f"上升 {change}%")
        goal = f"压减{int(target_cut() * HUNDRED)}%"
        if self.met:
            return f"{moved}，已达到{goal}的目标（不超过 {self.target} {self.measure}）"
        return f"{moved}，未达到{goal}的目标：不应超过 {self.target} {self.measure}，还多 {self.this_year - self.target} {self.measure}"


def lines(*, year: int) -> list[Line]:
    cut = target_cut()
    found = []
    for key, label, measure, counter, note in COUNTERS:
        count = _counter(counter)
        now, before = count(year=year), count(year=year - 1)
        target = math.floor(Decimal(before) * (1 - cut)) if before else None
        found.append(Line(key, label, measure, now, before, target, note))
    return found


def lines_chart(rows: list[Line], *, year: int) -> Chart:
    labels = [row.label for row in rows]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 12, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": f"{year - 1}年", "type": "bar", "data": [row.last_year for row in rows],
             "itemStyle": {"color": "#adb5bd"}},
            {"name": f"{year}年", "type": "bar", "data": [row.this_year for row in rows],
             "itemStyle": {"color": "#0d6efd"}},
            {"name": f"目标（压减{int(target_cut() * HUNDRED)}%）", "type": "scatter", "symbol": "rect",
             "symbolSize": [28, 3], "itemStyle": {"color": "#dc3545"},
             "data": [row.target if row.target is not None else "-" for row in rows]},
        ],
    }
    return Chart(key="burden-overview-lines", title=f"{year}年与{year - 1}年：发文、会议、工作群、督查检查、报表",
                 option=option, note="红色短线为压减目标：上年数量的 "
                 f"{int((1 - target_cut()) * HUNDRED)}%。",
                 empty="" if any(row.this_year or row.last_year for row in rows) else "两年都还没有记录。",
                 unit="", height=320)


@dataclass(frozen=True)
class Placer:
    unit: Unit
    count: int
    hours: Decimal
    last_count: int
    last_hours: Decimal

    @property
    def change(self) -> Decimal | None:
        if not self.last_hours:
            return None
        return round_half_up((self.hours - self.last_hours) * HUNDRED / self.last_hours, 1)


def placers(*, year: int, limit: int | None = 10) -> list[Placer]:
    """Units ranked by the person-hours they demanded of grassroots units in ``year``."""
    def totals(y: int) -> dict[int, tuple[int, Decimal]]:
        rows = (Demand.objects.filter(month__range=(f"{y}-01", f"{y}-12")).order_by()
                .values("placed_by").annotate(n=Count("id"), h=Sum("hours")))
        return {row["placed_by"]: (row["n"], row["h"] or Decimal(0)) for row in rows}

    now, before = totals(year), totals(year - 1)
    units = Unit.objects.in_bulk(list(now))
    ranked = sorted(now.items(), key=lambda item: (-item[1][1], -item[1][0], units[item[0]].path))
    ranked = ranked[:limit] if limit else ranked
    return [Placer(units[pk], n, h, *before.get(pk, (0, Decimal(0)))) for pk, (n, h) in ranked]


def treemap(*, year: int) -> Chart:
    """Person-hours demanded of each township (street): its own and each village's (with its grids)."""
    rows = (Demand.objects.filter(month__range=(f"{year}-01", f"{year}-12")).order_by()
            .values("unit__path").annotate(h=Sum("hours"), n=Count("id")))
    by_path = {row["unit__path"]: (row["h"] or Decimal(0), row["n"]) for row in rows}
    towns = list(Unit.objects.filter(kind__in=(UnitKind.TOWNSHIP, UnitKind.STREET)).order_by("path"))
    villages = list(Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY)).order_by("path"))
    children: dict[str, list[dict]] = defaultdict(list)
    for village in villages:
        hours = sum((h for path, (h, _) in by_path.items() if path.startswith(village.path)), Decimal(0))
        count = sum(n for path, (_, n) in by_path.items() if path.startswith(village.path))
        if hours:
            town_path = next((t.path for t in towns if village.path.startswith(t.path)), "")
            children[town_path].append({"name": village.name, "value": float(hours), "count": count})
    data = []
    for town in towns:
        own_hours, own_count = by_path.get(town.path, (Decimal(0), 0))
        kids = children.get(town.path, [])
        if own_hours:
            kids = [{"name": f"{town.name}本级", "value": float(own_hours), "count": own_count}, *kids]
        total = sum(kid["value"] for kid in kids)
        if total:
            data.append({"name": town.name, "value": round(total, 2), "children": kids})
    option = {
        "tooltip": {},
        "series": [{
            "type": "treemap", "name": "全县", "data": data, "leafDepth": 1, "roam": False,
            "breadcrumb": {"show": True, "bottom": 0},
            "label": {"show": True, "formatter": "{b}"},
            "upperLabel": {"show": True, "height": 22},
            "levels": [{"itemStyle": {"borderColor": "#fff", "borderWidth": 2, "gapWidth": 2}},
                       {"itemStyle": {"borderColor": "#fff", "borderWidth": 1, "gapWidth": 1}}],
        }],
    }
    total = sum(Decimal(str(item["value"])) for item in data)
    return Chart(key="burden-overview-treemap", title=f"{year}年各乡镇（街道）及村（社区）承担的任务工时",
                 option=option, note=f"面积为估算工时（人·小时），全县基层共 {round_half_up(total, 1)} 人·小时；"
                 "点击乡镇看下属村（社区），网格计入所属村（社区）。",
                 empty="" if data else f"{year}年还没有派到基层的任务。", unit="人·小时", height=420)
