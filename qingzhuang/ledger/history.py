"""A record's history: every change of its values, newest first, with who, when and through which job.

Creation is not a ``RecordChange`` (the record itself says when and by which job it was created);
every later change of values is, with only the changed fields, before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from qingzhuang.ledger import masking
from qingzhuang.ledger.models import Record, RecordChange


@dataclass(frozen=True)
class FieldChange:
    """One changed value of a change, labelled with the dataset's column name."""

    element: str
    column: str
    before: str
    after: str


def record_history(record: Record, *, reveal: bool = True) -> list[RecordChange]:
    """The changes of ``record``, newest first. Each carries ``fields``: a list of ``FieldChange``
    in column order, with ID numbers and phones masked unless ``reveal``."""
    columns = list(record.dataset.columns.select_related("element").order_by("position", "id"))
    labels = {c.element.code: (c.name, c.element.value_type, i) for i, c in enumerate(columns)}
    changes = list(
        RecordChange.objects.filter(record=record).select_related("actor", "job").order_by("-version", "-id")
    )
    for change in changes:
        change.fields = _fields(change, labels, reveal)
    return changes


def _fields(change: RecordChange, labels: dict, reveal: bool) -> list[FieldChange]:
    before, after = change.before or {}, change.after or {}
    fields = []
    for element in sorted(set(before) | set(after), key=lambda e: labels.get(e, (e, "", len(labels)))[2]):
        column, value_type, _ = labels.get(element, (element, "text", 0))
        fields.append(FieldChange(
            element=element, column=column,
            before=masking.display_value(value_type, before.get(element, ""), reveal=reveal),
            after=masking.display_value(value_type, after.get(element, ""), reveal=reveal),
        ))
    return fields
