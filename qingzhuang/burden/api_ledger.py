"""The burden ledger (减负台账) over the API, under /api/v1/burden/: what each grassroots unit of the
caller's scope was asked in a year (the same objects as ``qingzhuang burden_ledger --json``), one
unit by month, and the person-hours per kind of ask."""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from qingzhuang.burden import access, queries, services
from qingzhuang.burden import queries_ledger as ledger
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import Paging

router = Router(tags=["减负台账"])

YEAR_DESCRIPTION = (f"年份，{queries.FIRST_YEAR} 到 {queries.LAST_YEAR}；不填为今年"
                    "（今年还没有任务时为最近有任务的年份）")
HOURS_DESCRIPTION = "估算工时（人·小时），两位小数的字符串"


class LedgerKindOut(Schema):
    kind: str = Field(..., description="任务类型代码，如 report、meeting")
    kind_name: str = Field(..., description="任务类型名称，如 报表、会议")
    count: int = Field(..., description="项数：向该单位下发一次计一项")
    hours: str = Field(..., description=HOURS_DESCRIPTION)


class LedgerUnitOut(Schema):
    unit: str = Field(..., description="单位代码")
    unit_name: str
    year: int
    count: int = Field(..., description="全年项数")
    hours: str = Field(..., description=HOURS_DESCRIPTION)
    kinds: list[LedgerKindOut] = Field(..., description="各类型（只列有任务的类型）")


class LedgerMonthOut(Schema):
    month: str = Field(..., description="月份，如 2025-06")
    count: int
    hours: str = Field(..., description=HOURS_DESCRIPTION)
    kinds: list[LedgerKindOut]


class LedgerCompareOut(Schema):
    months: int = Field(..., description="比较的月数：今年为 1 月到本月，往年为 12")
    count: int = Field(..., description="本年这几个月的项数")
    hours: str
    last_count: int = Field(..., description="上年同期项数")
    last_hours: str
    change_percent: str | None = Field(..., description="项数同比变化（%，一位小数，负数为下降）；上年同期无任务时为空")
    text: str


class LedgerUnitDetailOut(LedgerUnitOut):
    months: list[LedgerMonthOut] = Field(..., description="全年十二个月")
    compare: LedgerCompareOut


class WeightOut(Schema):
    kind: str
    kind_name: str
    hours: str = Field(..., description="每项估算工时（人·小时）")
    default: str = Field(..., description="未修改时的默认值")
    note: str
    estimated: int = Field(..., description="按此工时估算的任务数")
    fixed: int = Field(..., description="由任务来源自行估算工时的任务数")


class WeightIn(Schema):
    kind: str = Field(..., description="任务类型代码，如 meeting")
    hours: str = Field(..., description="每项估算工时，0 到 999，最多两位小数")
    note: str = Field("", description="估算依据")


def _year(year: int | None) -> int:
    """The given year (400 outside the years the ledger answers for), else the pages' default."""
    return queries.default_year() if year is None else queries.year_or_current(year)


@router.get("/ledger", response={200: list[LedgerUnitOut], 400: ErrorOut, 404: ErrorOut},
            summary="减负台账：范围内每个基层单位一年收到的任务项数和估算工时（按类型）")
@paginate(Paging)
def list_ledger(request, unit: str = Query("", description="只看这个单位（单位代码）；不填为范围内有任务的全部基层单位"),
                year: int | None = Query(None, description=YEAR_DESCRIPTION)):
    year = _year(year)
    if unit.strip():
        return ledger.summaries([access.get_burden_unit_or_404(request.auth, unit.strip()[:32])], year=year)
    return ledger.summaries(ledger.units_with_demands(ledger.ledger_scope(request.auth), year=year), year=year)


@router.get("/ledger/{code}", response={200: LedgerUnitDetailOut, 400: ErrorOut, 404: ErrorOut},
            summary="一个基层单位一年收到的任务：按类型、按月，及与上年同期比较")
def unit_ledger(request, code: str,
                year: int | None = Query(None, description=YEAR_DESCRIPTION)):
    unit = access.get_burden_unit_or_404(request.auth, code[:32])
    return ledger.detail(unit, year=_year(year), today=timezone.localdate())


def _weights_out() -> list[dict]:
    return [{"kind": row.kind, "kind_name": row.label, "hours": str(row.hours), "default": str(row.default),
             "note": row.note, "estimated": row.estimated, "fixed": row.fixed} for row in ledger.weight_rows()]


@router.get("/weights", response={200: list[WeightOut]}, summary="各类任务每项的估算工时（人·小时）")
def list_weights(request):
    return _weights_out()


@router.api_operation(["PUT", "POST"], "/weights", response={200: list[WeightOut], 400: ErrorOut, 403: ErrorOut},
                      summary="修改一类任务的估算工时（减负监测员、督查室），该类任务随之重新估算")
def set_weight(request, payload: WeightIn):
    services.weight_set(actor=request.auth, kind=payload.kind, hours=payload.hours[:40], note=payload.note[:200],
                        request=request)
    return _weights_out()
