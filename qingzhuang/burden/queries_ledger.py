"""Reads of the burden ledger (减负台账): how much is asked of each township and village, by whom,
and whether it is going down. Scoped by the caller through ``burden.access``; the command line,
which runs as the system, passes its own units.

Every figure counts demands (``Demand``) by the month they count in (``Demand.month``): a count in
项 (one ask of one unit) and estimated person-hours (人·小时, the sum of ``Demand.hours``). A year
is compared with the same months of the year before: in the current year, January to this month;
in a past year, all twelve months. The change is that of the count (项).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from qingzhuang.burden import access
from qingzhuang.burden.models import DEFAULT_HOURS, BurdenWeight, Demand, DemandKind
from qingzhuang.burden.queries import KIND_COLOURS, LAST_YEAR_COLOUR, MONTH_LABELS, _month_option, _until_now
from qingzhuang.burden.services import weights
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.lib.periods import months_of_year
from qingzhuang.orgs.models import GRASSROOTS_KINDS, Unit
from qingzhuang.orgs.queries import name_q
from qingzhuang.registry import Chart

ZERO = Decimal("0.00")
KIND_LABELS = dict(DemandKind.choices)
TOP_PLACERS = 10


def two_places(value) -> Decimal:
    """Person-hours as stored and as the command line and the API give them: 2 decimal places."""
    return round_half_up(value or 0, 2)


def hours_text(value) -> str:
    """Person-hours as the pages show them: 1 decimal place ("214.5")."""
    return str(round_half_up(value or 0, 1))


def year_range(year: int, last_month: int = 12) -> tuple[str, str]:
    return f"{year}-01", f"{year}-{last_month:02d}"


def compare_months(year: int, today: dt.date) -> int:
    """How many months of ``year`` are compared with the year before: January to this month in the
    current year, the whole year otherwise."""
    return today.month if year == today.year else 12


# -- Year on year


@dataclass(frozen=True)
class Change:
    """A year's first ``months`` months against the same months of the year before."""

    year: int
    months: int
    count: int
    hours: Decimal
    last_count: int
    last_hours: Decimal
    current: bool = False  # the year is this year (the words say 今年 / 去年同期)

    @property
    def percent(self) -> Decimal | None:
        """The change of the count in per cent, 1 place, signed; None when the year before had none."""
        if not self.last_count:
            return None
        return round_half_up(Decimal(self.count - self.last_count) * 100 / self.last_count, 1)

    @property
    def words(self) -> str:
        """"下降 28.9%", "上升 12.5%", "持平", or "去年无任务" (nothing to divide by)."""
        percent = self.percent
        if percent is None:
            return "去年无任务"
        if percent < 0:
            return f"下降 {-percent}%"
        if percent > 0:
            return f"上升 {percent}%"
        return "持平"

    @property
    def tone(self) -> str:
        percent = self.percent
        return "secondary" if percent is None or percent == 0 else ("success" if percent < 0 else "danger")

    @property
    def period(self) -> str:
        return "全年" if self.months == 12 else ("1 月" if self.months == 1 else f"1–{self.months} 月")

    @property
    def sentence(self) -> str:
        """"今年 1–11 月 86 项 214.5 人·小时，去年同期 121 项 301.0 人·小时，下降 28.9%"."""
        if self.current:
            this, last = f"今年 {self.period}", "去年同期"
        else:
            this, last = f"{self.year}年{self.period}", f"{self.year - 1}年同期"
        return (f"{this} {self.count} 项 {hours_text(self.hours)} 人·小时，"
                f"{last} {self.last_count} 项 {hours_text(self.last_hours)} 人·小时，{self.words}")


@dataclass
class Totals:
    """One unit's (or one placer's, or the county's) demands: the whole ``year`` (``count``,
    ``hours``), and its first months against the same months of the year before (``change``)."""

    year: int
    months: int
    current: bool
    count: int = 0
    hours: Decimal = ZERO
    cmp_count: int = 0
    cmp_hours: Decimal = ZERO
    last_count: int = 0
    last_hours: Decimal = ZERO

    @property
    def change(self) -> Change:
        return Change(year=self.year, months=self.months, count=self.cmp_count, hours=self.cmp_hours,
                      last_count=self.last_count, last_hours=self.last_hours, current=self.current)

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    @property
    def last_hours_text(self) -> str:
        return hours_text(self.last_hours)

    def add(self, other: Totals) -> None:
        self.count += other.count
        self.hours += other.hours
        self.cmp_count += other.cmp_count
        self.cmp_hours += other.cmp_hours
        self.last_count += other.last_count
        self.last_hours += other.last_hours


def _totals_by(demands: QuerySet[Demand], key: str, *, year: int, today: dt.date) -> dict[int, Totals]:
    """Totals of ``demands`` grouped by ``key`` ("unit_id", "placed_by_id"): one query."""
    months = compare_months(year, today)
    this, this_cmp = Q(month__range=year_range(year)), Q(month__range=year_range(year, months))
    last = Q(month__range=year_range(year - 1, months))
    rows = (demands.filter(month__range=(f"{year - 1}-01", f"{year}-12")).order_by().values(key)
            .annotate(n=Count("id", filter=this), h=Sum("hours", filter=this),
                      n_cmp=Count("id", filter=this_cmp), h_cmp=Sum("hours", filter=this_cmp),
                      n_last=Count("id", filter=last), h_last=Sum("hours", filter=last)))
    return {
        row[key]: Totals(year=year, months=months, current=year == today.year, count=row["n"],
                         hours=two_places(row["h"]), cmp_count=row["n_cmp"], cmp_hours=two_places(row["h_cmp"]),
                         last_count=row["n_last"], last_hours=two_places(row["h_last"]))
        for row in rows
    }


def _empty(year: int, today: dt.date) -> Totals:
    return Totals(year=year, months=compare_months(year, today), current=year == today.year)


# -- The scope view: every grassroots unit of the user's scope


def ledger_scope(user) -> QuerySet[Unit]:
    """The grassroots units whose burden ledger ``user`` reads."""
    return access.burden_scope(user).filter(kind__in=GRASSROOTS_KINDS)


@dataclass
class ScopeRow:
    unit: Unit
    totals: Totals
    top_placer: str = ""
    top_placer_count: int = 0


# Sort keys of the scope view: a key, or "-key" for the largest first.
SORTS = {
    "name": lambda row: row.unit.path,
    "count": lambda row: (row.totals.count, row.totals.hours),
    "hours": lambda row: (row.totals.hours, row.totals.count),
    "last": lambda row: (row.totals.last_count, row.totals.last_hours),
    # Units without a year before to compare with sort after every change.
    "change": lambda row: (row.totals.change.percent is not None, row.totals.change.percent or 0),
}
DEFAULT_SORT = "-count"


def sort_key(text: str | None) -> str:
    text = (text or "").strip()
    return text if text.lstrip("-") in SORTS else DEFAULT_SORT


def scope_rows(user, *, year: int, today: dt.date, q: str = "", sort: str = DEFAULT_SORT) -> list[ScopeRow]:
    """Every grassroots unit of ``user``'s scope (those matching ``q``: name, pinyin or code) with
    its totals, sorted by ``sort`` (ties in tree order)."""
    units = ledger_scope(user).select_related("parent")
    if q:
        units = units.filter(name_q(q) | Q(code__startswith=q))
    totals = _totals_by(Demand.objects.filter(unit__in=units.values("id")), "unit_id", year=year, today=today)
    rows = [ScopeRow(unit=u, totals=totals.get(u.pk) or _empty(year, today)) for u in units.order_by("path")]
    sort = sort_key(sort)
    key = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        # Largest first, ties still in tree order (a stable sort on a list in tree order).
        rows.sort(key=key, reverse=True)
        if sort == "-change":
            rows.sort(key=lambda row: row.totals.change.percent is None)
    else:
        rows.sort(key=key)
        if sort == "change":
            rows.sort(key=lambda row: row.totals.change.percent is None)
    return rows


def add_top_placers(rows: list[ScopeRow], *, year: int) -> None:
    """Fill each row's top placing unit in ``year`` (the most asks, then the most hours)."""
    ids = [row.unit.pk for row in rows]
    found = (Demand.objects.filter(unit_id__in=ids, month__range=year_range(year)).order_by()
             .values("unit_id", "placed_by__name").annotate(n=Count("id"), h=Sum("hours")))
    best: dict[int, tuple] = {}
    for row in found:
        rank = (row["n"], row["h"] or 0, _reverse_text(row["placed_by__name"]))
        if row["unit_id"] not in best or rank > best[row["unit_id"]][0]:
            best[row["unit_id"]] = (rank, row["placed_by__name"], row["n"])
    for row in rows:
        if row.unit.pk in best:
            _, row.top_placer, row.top_placer_count = best[row.unit.pk]


def _reverse_text(text: str) -> tuple:
    """A key that orders names backwards, so a max() picks the first name among equals."""
    return tuple(-ord(c) for c in text)


def scope_sums(user, *, year: int, today: dt.date) -> Totals:
    """All grassroots units of ``user``'s scope together (the county, for those who see it all)."""
    total = _empty(year, today)
    demands = Demand.objects.filter(unit__in=ledger_scope(user).values("id"))
    # Grouped by kind (a few rows), then added up.
    for totals in _totals_by(demands, "kind", year=year, today=today).values():
        total.add(totals)
    return total


# -- The department league table: who places the most


@dataclass
class PlacerRow:
    unit: Unit
    totals: Totals
    share: Decimal  # of the year's asks on the scope's grassroots units, per cent, 1 place


def placer_rows(user, *, year: int, today: dt.date) -> list[PlacerRow]:
    """The units that placed demands on the grassroots units of ``user``'s scope, most asks in
    ``year`` first (then most hours, then tree order); with the year before and the change."""
    demands = Demand.objects.filter(unit__in=ledger_scope(user).values("id"))
    totals = _totals_by(demands, "placed_by_id", year=year, today=today)
    units = Unit.objects.in_bulk(list(totals))
    year_count = sum(t.count for t in totals.values())
    rows = [
        PlacerRow(unit=units[pk], totals=t,
                  share=round_half_up(Decimal(t.count) * 100 / year_count, 1) if year_count else Decimal("0.0"))
        for pk, t in totals.items()
    ]
    rows.sort(key=lambda row: row.unit.path)
    rows.sort(key=lambda row: (row.totals.count, row.totals.hours), reverse=True)
    return rows


# -- One unit's page


@dataclass
class Cell:
    count: int = 0
    hours: Decimal = ZERO

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)

    def add(self, count: int, hours: Decimal) -> None:
        self.count += count
        self.hours += hours


@dataclass
class MonthRow:
    month: str  # "2025-06"
    label: str  # "6月"
    cells: list[Cell]
    total: Cell


@dataclass
class MonthKindTable:
    """A year of one unit's demands: a row per month, a column per kind asked (``DemandKind``
    order), with totals."""

    kinds: list[tuple[str, str]]
    rows: list[MonthRow]
    totals: list[Cell]
    total: Cell
    by_kind_month: dict[tuple[str, str], Cell] = field(default_factory=dict)


def month_kind_cells(demands: QuerySet[Demand], *, year: int) -> dict[tuple[str, str], Cell]:
    rows = (demands.filter(month__range=year_range(year)).order_by().values("month", "kind")
            .annotate(n=Count("id"), h=Sum("hours")))
    return {(row["month"], row["kind"]): Cell(row["n"], two_places(row["h"])) for row in rows}


def month_kind_table(cells: dict[tuple[str, str], Cell], *, year: int) -> MonthKindTable:
    present = {kind for _, kind in cells}
    kinds = [(kind, KIND_LABELS[kind]) for kind in DemandKind.values if kind in present]
    rows, totals, total = [], [Cell() for _ in kinds], Cell()
    for index, month in enumerate(months_of_year(year)):
        row_cells = [cells.get((month, kind), Cell()) for kind, _ in kinds]
        row_total = Cell()
        for column, cell in enumerate(row_cells):
            row_total.add(cell.count, cell.hours)
            totals[column].add(cell.count, cell.hours)
        total.add(row_total.count, row_total.hours)
        rows.append(MonthRow(month=month, label=MONTH_LABELS[index], cells=row_cells, total=row_total))
    return MonthKindTable(kinds=kinds, rows=rows, totals=totals, total=total, by_kind_month=cells)


@dataclass
class PlacerShare:
    name: str
    code: str
    count: int
    hours: Decimal
    share: Decimal

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)


def top_placers(demands: QuerySet[Demand], *, year: int, limit: int = TOP_PLACERS) -> list[PlacerShare]:
    """The units that asked the most of these demands in ``year``, with their share of the count."""
    rows = list(demands.filter(month__range=year_range(year)).order_by().values("placed_by__name", "placed_by__code")
                .annotate(n=Count("id"), h=Sum("hours")).order_by("-n", "-h", "placed_by__code"))
    total = sum(row["n"] for row in rows)
    return [PlacerShare(name=row["placed_by__name"], code=row["placed_by__code"], count=row["n"],
                        hours=two_places(row["h"]), share=round_half_up(Decimal(row["n"]) * 100 / total, 1))
            for row in rows[:limit]]


def unit_chart(table: MonthKindTable, last_year: list[int], *, year: int, today: dt.date) -> Chart:
    """This year's asks by month, stacked by kind, with the year before's monthly total as a line."""
    series = [
        {"name": label, "type": "bar", "stack": "kind", "itemStyle": {"color": KIND_COLOURS[kind]},
         "data": _until_now([row.cells[index].count for row in table.rows], year, today)}
        for index, (kind, label) in enumerate(table.kinds)
    ]
    series.append({"name": f"{year - 1}年合计", "type": "line", "data": last_year, "symbol": "circle",
                   "itemStyle": {"color": LAST_YEAR_COLOUR}, "lineStyle": {"type": "dashed"}})
    empty = "" if table.total.count or any(last_year) else f"{year}年和{year - 1}年都没有向本单位下发过任务。"
    return Chart(
        key="burden-unit-by-month", title=f"{year}年每月收到的任务（按类型）与{year - 1}年对比",
        option=_month_option(series), unit="项", empty=empty,
        note=(f"柱：{year}年每月派给本单位的任务，按类型堆叠，向本单位下发一次计一项；"
              f"虚线：{year - 1}年同月合计。"),
    )


def unit_ledger(unit: Unit, *, year: int, today: dt.date) -> dict:
    """Everything of one unit's page but its entries: the month × kind table, this year against
    the year before, the chart, the top placing units, and its grassroots sub-units' totals."""
    demands = Demand.objects.filter(unit=unit)
    table = month_kind_table(month_kind_cells(demands, year=year), year=year)
    last_cells = month_kind_cells(demands, year=year - 1)
    last_by_month = [sum(c.count for (m, _), c in last_cells.items() if m == month) for month in months_of_year(year - 1)]
    totals = _totals_by(demands, "unit_id", year=year, today=today).get(unit.pk) or _empty(year, today)
    children = list(Unit.objects.filter(parent=unit, kind__in=GRASSROOTS_KINDS).order_by("path"))
    child_totals = _totals_by(Demand.objects.filter(unit__in=children), "unit_id", year=year, today=today)
    return {
        "table": table, "totals": totals, "change": totals.change,
        "chart": unit_chart(table, last_by_month, year=year, today=today),
        "placers": top_placers(demands, year=year),
        "children": [ScopeRow(unit=c, totals=child_totals.get(c.pk) or _empty(year, today)) for c in children],
    }


def unit_entries(unit: Unit, *, year: int, kind: str = "", month: str = "") -> QuerySet[Demand]:
    """The unit's demands of ``year`` (of one kind, of one month of it), latest month first."""
    qs = Demand.objects.filter(unit=unit, month__range=year_range(year))
    if kind in DemandKind.values:
        qs = qs.filter(kind=kind)
    if month in months_of_year(year):
        qs = qs.filter(month=month)
    return qs.select_related("placed_by", "source_type").prefetch_related("source").order_by("-month", "-id")


# -- The command line's and the API's summaries


def _kind_items(cells: Iterable[tuple[str, Cell]]) -> list[dict]:
    found = dict(cells)
    return [{"kind": kind, "kind_name": KIND_LABELS[kind], "count": found[kind].count,
             "hours": str(two_places(found[kind].hours))}
            for kind in DemandKind.values if kind in found and found[kind].count > 0]


def summaries(units: Iterable[Unit], *, year: int) -> list[dict]:
    """Per unit (in the order given) what was asked of it in ``year``: the count, the person-hours
    (a string with 2 places) and the same per kind (``DemandKind`` order, kinds asked only)."""
    units = list(units)
    rows = (Demand.objects.filter(unit__in=units, month__range=year_range(year)).order_by()
            .values("unit_id", "kind").annotate(n=Count("id"), h=Sum("hours")))
    by_unit: dict[int, dict[str, Cell]] = defaultdict(dict)
    for row in rows:
        by_unit[row["unit_id"]][row["kind"]] = Cell(row["n"], two_places(row["h"]))
    return [summary(unit, year=year, cells=by_unit.get(unit.pk, {})) for unit in units]


def summary(unit: Unit, *, year: int, cells: dict[str, Cell]) -> dict:
    return {
        "unit": unit.code, "unit_name": unit.name, "year": year,
        "count": sum(c.count for c in cells.values()),
        "hours": str(two_places(sum((c.hours for c in cells.values()), ZERO))),
        "kinds": _kind_items(cells.items()),
    }


def units_with_demands(units: QuerySet[Unit], *, year: int) -> QuerySet[Unit]:
    """Grassroots units of ``units`` asked at least once in ``year``, in tree order."""
    asked = Demand.objects.filter(month__range=year_range(year)).values("unit_id")
    return units.filter(kind__in=GRASSROOTS_KINDS, pk__in=asked).order_by("path")


def detail(unit: Unit, *, year: int, today: dt.date) -> dict:
    """One unit's summary with its months (all twelve) and this year against the year before."""
    demands = Demand.objects.filter(unit=unit)
    cells = month_kind_cells(demands, year=year)
    by_kind: dict[str, Cell] = defaultdict(Cell)
    for (_, kind), cell in cells.items():
        by_kind[kind].add(cell.count, cell.hours)
    result = summary(unit, year=year, cells=dict(by_kind))
    result["months"] = []
    for month in months_of_year(year):
        of_month = {kind: cell for (m, kind), cell in cells.items() if m == month}
        result["months"].append({
            "month": month, "count": sum(c.count for c in of_month.values()),
            "hours": str(two_places(sum((c.hours for c in of_month.values()), ZERO))),
            "kinds": _kind_items(of_month.items()),
        })
    change = (_totals_by(demands, "unit_id", year=year, today=today).get(unit.pk) or _empty(year, today)).change
    result["compare"] = {
        "months": change.months, "count": change.count, "hours": str(two_places(change.hours)),
        "last_count": change.last_count, "last_hours": str(two_places(change.last_hours)),
        "change_percent": None if change.percent is None else str(change.percent), "text": change.sentence,
    }
    return result


# -- The weights page


@dataclass
class WeightRow:
    kind: str
    label: str
    hours: Decimal
    default: Decimal
    note: str
    updated_at: dt.datetime | None
    estimated: int  # asks of this kind whose hours come from this weight
    fixed: int  # asks of this kind whose source gave its own estimate


def weight_rows() -> list[WeightRow]:
    """Every kind's person-hours per ask (the county's own or the default), in ``DemandKind`` order,
    with how many asks each weight estimates."""
    own = {w.kind: w for w in BurdenWeight.objects.all()}
    counts = {(row["kind"], row["hours_fixed"]): row["n"]
              for row in Demand.objects.order_by().values("kind", "hours_fixed").annotate(n=Count("id"))}
    current = weights()
    return [
        WeightRow(kind=kind, label=label, hours=current[kind], default=DEFAULT_HOURS[kind],
                  note=own[kind].note if kind in own else "", updated_at=own[kind].updated_at if kind in own else None,
                  estimated=counts.get((kind, False), 0), fixed=counts.get((kind, True), 0))
        for kind, label in DemandKind.choices
    ]
