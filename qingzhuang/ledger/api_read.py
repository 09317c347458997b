"""The read API of the 一套表: the catalog, datasets, records (keyset paged, scoped, masked)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema

from qingzhuang.ledger import access, queries
from qingzhuang.ledger.forms import RecordFilterForm
from qingzhuang.ledger.masking import PERSONAL_TYPES, display_value
from qingzhuang.ledger.models import Dataset, Storage
from qingzhuang.orgs.api_errors import ErrorOut
from qingzhuang.orgs.api_paging import check_paging

router = Router(tags=["一套表"])


class DatasetOut(Schema):
    code: str
    name: str
    category: str
    category_label: str
    owner_code: str | None
    owner_name: str | None
    update_period: str
    update_period_label: str
    storage: str
    description: str
    record_count: int
    last_updated_at: dt.datetime | None
    freshness: str
    n_columns: int


class ColumnOut(Schema):
    name: str
    element: str
    element_name: str
    value_type: str
    required: bool
    is_key: bool


class DatasetDetailOut(DatasetOut):
    columns: list[ColumnOut]


class RecordOut(Schema):
    id: int
    unit_code: str
    unit_name: str
    key: str
    version: int | None
    updated_at: dt.datetime | None
    data: dict[str, str]


class RecordPageOut(Schema):
    items: list[RecordOut]
    next_after: int | None
    total: int | None
    total_capped: bool


class FieldChangeOut(Schema):
    name: str
    before: str
    after: str


class ChangeOut(Schema):
    version: int
    at: dt.datetime
    actor: str
    job_id: int | None
    # The creation of the record (the last entry): it lists no changes.
    created: bool
    changes: list[FieldChangeOut]


class RecordDetailOut(RecordOut):
    created_at: dt.datetime
    history: list[ChangeOut]


class ElementOut(Schema):
    code: str
    name: str
    synonyms: list[str]
    related_names: list[str] = Field(default_factory=list, description="相近字段：含义相近但不是同一数据项的名称")
    category: str
    category_label: str
    value_type: str
    value_type_label: str
    measure_unit: str
    code_list: list[str]
    owner_code: str | None
    owner_name: str | None
    description: str
    datasets: list[str]


def _dataset_out(dataset: Dataset, n_columns: int) -> dict:
    return {
        "code": dataset.code, "name": dataset.name, "category": dataset.category,
        "category_label": dataset.get_category_display(),
        "owner_code": dataset.owner.code if dataset.owner_id else None,
        "owner_name": dataset.owner.name if dataset.owner_id else None,
        "update_period": dataset.update_period, "update_period_label": dataset.get_update_period_display(),
        "storage": dataset.storage, "description": dataset.description, "record_count": dataset.record_count,
        "last_updated_at": dataset.last_updated_at, "freshness": queries.freshness(dataset), "n_columns": n_columns,
    }


def _masked_key(key: str, columns, dataset: Dataset) -> str:
    """The key with its ID-number and phone parts masked (its parts follow the key columns)."""
    if dataset.storage != Storage.RECORDS:
        return key
    types = [c.element.value_type for c in columns if c.is_key]
    if not any(t in PERSONAL_TYPES for t in types):
        return key
    parts = key.split("|")
    if len(parts) != len(types):
        types = ["id_number"] * len(parts)
    return "|".join(display_value(t, p, reveal=False) for t, p in zip(types, parts, strict=True))


def _record_out(row: queries.Row, columns, dataset: Dataset) -> dict:
    return {"id": row.id, "unit_code": row.unit_code, "unit_name": row.unit_name,
            "key": _masked_key(row.key, columns, dataset), "version": row.version, "updated_at": row.updated_at,
            "data": queries.masked_data(columns, row.data, reveal=False)}


@router.get("/datasets", response=list[DatasetOut], summary="数据集目录（数据地图）")
def list_datasets(request, q: str = ""):
    return [_dataset_out(e.dataset, e.n_columns) for g in queries.data_map(request.auth, q[:100]) for e in g.entries]


@router.get("/elements", response=list[ElementOut], summary="数据元素目录")
def list_elements(request, q: str = ""):
    return [{
        "code": e.code, "name": e.name, "synonyms": [str(s) for s in e.synonyms],
        "related_names": [str(s) for s in e.related_names], "category": e.category,
        "category_label": e.get_category_display(), "value_type": e.value_type,
        "value_type_label": e.get_value_type_display(), "measure_unit": e.measure_unit,
        "code_list": [str(c) for c in e.code_list], "owner_code": e.owner.code if e.owner_id else None,
        "owner_name": e.owner.name if e.owner_id else None, "description": e.description,
        "datasets": [d.code for d in e.datasets],
    } for e in queries.catalog_elements(request.auth, q[:100])]


@router.get("/datasets/{code}", response={200: DatasetDetailOut, 404: ErrorOut}, summary="数据集详情（字段）")
def get_dataset(request, code: str):
    dataset = access.get_dataset_or_404(request.auth, code)
    columns = queries.columns_of(dataset)
    return {**_dataset_out(dataset, len(columns)), "columns": [{
        "name": c.name, "element": c.element.code, "element_name": c.element.name,
        "value_type": c.element.value_type, "required": c.required, "is_key": c.is_key} for c in columns]}


class RecordFilter(Schema):
    unit: str = ""
    q: str = ""
    after: int | None = None
    limit: int = queries.PAGE_SIZE


@router.get("/datasets/{code}/records", response={200: RecordPageOut, 400: ErrorOut, 404: ErrorOut},
            summary="数据集记录（按 id 键集分页：下一页传 after=next_after；限本人范围；身份证号、电话脱敏）")
def list_records(request, code: str, filters: Query[RecordFilter]):
    user = request.auth
    check_paging(limit=filters.limit, after=filters.after, max_limit=queries.MAX_PAGE_SIZE)
    dataset = access.get_dataset_or_404(user, code)
    params = RecordFilterForm({"unit": filters.unit, "q": filters.q, "after": filters.after}).values()
    unit = queries.resolve_unit(user, dataset, params["unit"])
    columns = queries.columns_of(dataset)
    page = queries.record_page(user, dataset, unit=unit, q=params["q"], after=params["after"], limit=filters.limit,
                               exact=queries.exact_key_search(user, columns))
    return {"items": [_record_out(r, columns, dataset) for r in page.rows], "next_after": page.next_after,
            "total": page.total, "total_capped": page.total_capped}


@router.get("/datasets/{code}/records/{int:pk}", response={200: RecordDetailOut, 404: ErrorOut}, summary="单条记录及修改历史（脱敏）")
def get_record(request, code: str, pk: int):
    user = request.auth
    dataset = access.get_dataset_or_404(user, code)
    if dataset.storage != Storage.RECORDS:
        raise Http404("该数据集没有单条记录")
    record = access.get_record_or_404(user, dataset, pk)
    columns = queries.columns_of(dataset)
    row = queries.Row(record.id, record.unit.code, record.unit.name, record.key, record.version, record.updated_at,
                      record.data)
    history = [{"version": h.version, "at": h.at, "actor": h.actor, "job_id": h.job.pk if h.job else None,
                "created": h.created, "changes": [vars(f) for f in h.changes]}
               for h in queries.record_history(record, reveal=False)]
    return {**_record_out(row, columns, dataset), "created_at": record.created_at, "history": history}
