"""Export of a dataset (as the user may see it) to xlsx or csv.

Rows are scoped by ``ledger.access``; ID numbers and phones are masked unless the user may see
personal data, and an unmasked export of personal data is audited. Cells a spreadsheet would run
as a formula are neutralised by ``lib.tables``' writers. Rows stream from the database in chunks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.db import connection, transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from qingzhuang.ledger import access, masking
from qingzhuang.ledger.models import Dataset, IndicatorValue, Record, Storage, ValueType
from qingzhuang.lib import tables, values
from qingzhuang.orgs import audit

FORMATS = ("xlsx", "csv")
NUMERIC_TYPES = {ValueType.INTEGER, ValueType.DECIMAL}


def search_q(q: str) -> Q:
    """Records whose key starts with ``q`` or whose data contains ``q`` (any column)."""
    q = q.strip()
    if not q:
        return Q()
    # SQLite keeps JSONField text as json.dumps wrote it (non-ASCII escaped); PostgreSQL's jsonb
    # prints characters as they are.
    needle = q if connection.vendor == "postgresql" else json.dumps(q)[1:-1]
    return Q(key__startswith=q) | Q(data_text__contains=needle)


def records_queryset(user, dataset: Dataset, *, unit=None, q: str = "") -> QuerySet[Record]:
    """The records of ``dataset`` that ``user`` (None: the system) may read, optionally in ``unit``'s subtree."""
    records = Record.objects.filter(dataset=dataset) if user is None else access.visible_records(user, dataset)
    if unit is not None:
        records = records.filter(unit__path__startswith=unit.path)
    if q.strip():
        records = records.annotate(data_text=Cast("data", TextField())).filter(search_q(q))
    return records


def indicator_values_queryset(user, dataset: Dataset, *, unit=None, q: str = "") -> QuerySet[IndicatorValue]:
    rows = IndicatorValue.objects.all() if user is None else access.visible_indicator_values(user, dataset)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    q = q.strip()
    if q:
        rows = rows.filter(Q(indicator__code=q) | Q(indicator__name__contains=q) | Q(unit__code=q) | Q(period=q))
    return rows


def _export_value(value_type: str, value: str, reveal: bool):
    if not value:
        return ""
    if value_type in NUMERIC_TYPES:
        try:
            return int(value) if value_type == ValueType.INTEGER else Decimal(value)
        except (ValueError, ArithmeticError):
            return value
    return masking.display_value(value_type, value, reveal=reveal)


def export_dataset(*, user, dataset: Dataset, target: str | os.PathLike | IO[bytes], fmt: str, unit=None,
                   q: str = "", request=None) -> int:
    """Write the rows of ``dataset`` that ``user`` may see to ``target``; returns the number of rows.

    ``user`` None is the system (everything, unmasked). Headers are the dataset's column names.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    columns = list(dataset.columns.select_related("element").order_by("position", "id"))
    headers = [c.name for c in columns]
    reveal = user is None or masking.can_see_personal(user)
    counter = [0]
    if dataset.storage == Storage.INDICATORS:
        rows = _indicator_rows(user, dataset, columns, unit=unit, q=q, counter=counter)
    else:
        rows = _record_rows(user, dataset, columns, reveal=reveal, unit=unit, q=q, counter=counter)
    tables.write_table(target, fmt, headers, rows)
    personal = any(c.element.value_type in masking.PERSONAL_TYPES for c in columns)
    if reveal and personal and counter[0]:
        with transaction.atomic():
            audit.record(
                actor=user, action="ledger.export", object_type="ledger.dataset", object_id=str(dataset.pk),
                object_repr=f"导出{dataset.name}（未脱敏）"[:200],
                after={"rows": counter[0], "format": fmt, "unit": unit.code if unit is not None else None,
                       "q": q or None},
                request=request,
            )
    return counter[0]


def _record_rows(user, dataset, columns, *, reveal: bool, unit, q: str, counter: list[int]) -> Iterator[list]:
    spec = [(c.element.code, c.element.value_type) for c in columns]
    records = records_queryset(user, dataset, unit=unit, q=q).order_by("id")
    for data in records.values_list("data", flat=True).iterator(chunk_size=2000):
        counter[0] += 1
        yield [_export_value(value_type, data.get(code, ""), reveal) for code, value_type in spec]


def _indicator_rows(user, dataset, columns, *, unit, q: str, counter: list[int]) -> Iterator[list]:
    fields = {ValueType.UNIT: "unit__code", ValueType.INDICATOR: "indicator__code", ValueType.PERIOD: "period"}
    names = [fields.get(c.element.value_type, "value") for c in columns]
    rows = indicator_values_queryset(user, dataset, unit=unit, q=q).order_by("period", "unit__code",
                                                                            "indicator__code")
    for row in rows.values_list(*names).iterator(chunk_size=2000):
        counter[0] += 1
        yield [Decimal(values.decimal_text(v)) if isinstance(v, Decimal) else v for v in row]
