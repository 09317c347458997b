"""Small ledger writes that are not imports: each keyword-only, atomic, audited."""

from __future__ import annotations

from django.db import transaction

from qingzhuang.ledger.models import Dataset, Record
from qingzhuang.orgs import audit


@transaction.atomic
def record_reveal(*, actor, dataset: Dataset, record: Record, request=None) -> Record:
    """Record that ``actor`` looked at the unmasked values of ``record``.

    The key of a population record is an ID number: the audit log (readable by auditors without
    the personal-data permission) names the record by dataset and id only.
    """
    audit.record(actor=actor, action="record.reveal", object_type="ledger.record", object_id=str(record.pk),
                 object_repr=f"{dataset.name} 记录 #{record.pk}", unit=record.unit, request=request)
    return record
