"""The burden ledger and demands over the API, under /api/v1/ledger/ (their paths from before the app)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qingzhuang.burden import access, queries, services
from qingzhuang.burden.models import DemandKind, DemandStatus
from qingzhuang.lib.paging import Mapped
from qingzhuang.orgs.api_errors import ErrorOut, error_status
from qingzhuang.orgs.api_paging import Paging

router = Router(tags=["减负台账与填报任务"])
RESPONSES_WRITE = {400: ErrorOut, 403: ErrorOut}
# A write on one object: also 404 when it is missing or out of the caller's scope.
RESPONSES_WRITE_ONE = {**RESPONSES_WRITE, 404: ErrorOut}


class BurdenUnitOut(Schema):
    code: str
    name: str
    kind: str
    reports: int = Field(..., alias="n_reports")
    requests: int = Field(..., alias="n_requests")
    submissions: int = Field(..., alias="n_submissions")
    pending: int = Field(..., alias="n_pending")


class DemandOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    source: str
    source_id: int
    title: str
    owner_name: str
    round: str
    fields: list[str]
    status: str
    due_date: dt.date | None
    data: dict
    filled_at: dt.datetime | None


class DemandFillIn(Schema):
    data: dict[str, str]
    note: str = ""


@router.get("/burden", response={200: list[BurdenUnitOut], 400: ErrorOut}, summary="减负台账：范围内基层单位今年被索要的报表、数据需求和填报次数")
@paginate(Paging)
def list_burden(request, year: int | None = Query(None, description=queries.YEAR_DESCRIPTION)):
    return queries.burden_units(request.auth, year=queries.year_or_current(year))


# The API's names of the kinds of source (kept from before demands had their own app).
SOURCE_NAMES = {DemandKind.REPORT: "report", DemandKind.DATA_REQUEST: "request"}


def _demand_out(demand) -> dict:
    return {
        "id": demand.pk, "unit_code": demand.unit.code, "unit_name": demand.unit.name,
        "source": SOURCE_NAMES.get(demand.kind, demand.kind), "source_id": demand.source_id, "title": demand.title,
        "owner_name": demand.placed_by.name, "round": demand.round, "fields": demand.fields, "status": demand.status,
        "due_date": demand.due_date, "data": demand.data, "filled_at": demand.filled_at,
    }


@router.get("/demands", response={200: list[DemandOut], 400: ErrorOut}, summary="派给本单位及下级单位的填报任务")
@paginate(Paging)
def list_demands(request, status: str = ""):
    qs = access.visible_demands(request.auth).order_by("due_date", "-created_at")
    if status in DemandStatus.values:
        qs = qs.filter(status=status)
    return Mapped(qs, _demand_out)


@router.post("/demands/{demand_id}/fill", response={200: DemandOut, **RESPONSES_WRITE_ONE}, summary="完成填报")
def fill_demand(request, demand_id: int, payload: DemandFillIn):
    demand = access.get_demand_or_404(request.auth, demand_id)
    try:
        demand = services.demand_fill(actor=request.auth, demand=demand, data=payload.data, note=payload.note,
                                             request=request)
    except (ValidationError, PermissionDenied) as exc:
        return error_status(exc)
    return Status(200, _demand_out(demand))
