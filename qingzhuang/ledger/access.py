"""Who may read and write which ledger data. Every ledger query and view goes through here.

- Read: a user reads the records of units inside their scope (``orgs.access``); users of the
  dataset's owner unit, and of units it is explicitly shared with (``DatasetShare``), read the
  whole dataset.
- Write (import): the ``ledger.import_data`` permission, and each row's unit must lie inside the
  user's scope, unless the user belongs to the owner unit, which maintains the whole dataset.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.ledger.models import Dataset, IndicatorValue, Record
from qingzhuang.orgs import access as org_access


def _user_unit_paths(user) -> list[str]:
    return org_access.scope_paths(user)


def has_whole_dataset(user, dataset: Dataset) -> bool:
    """Owner unit members and units the dataset is shared with read (and owners write) all of it."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return False
    if dataset.owner_id and dataset.owner_id == user.unit_id:
        return True
    return dataset.shares.filter(unit_id=user.unit_id).exists()


def owns_dataset(user, dataset: Dataset) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.unit_id and dataset.owner_id == user.unit_id)


def visible_datasets(user) -> QuerySet[Dataset]:
    """Every dataset is listed on the data map (what exists, who owns it); rows are scoped."""
    if not getattr(user, "is_authenticated", False):
        return Dataset.objects.none()
    return Dataset.objects.select_related("owner")


def get_dataset_or_404(user, code: str) -> Dataset:
    try:
        return visible_datasets(user).get(code=code)
    except Dataset.DoesNotExist:
        raise Http404("未找到该数据集") from None


def visible_records(user, dataset: Dataset) -> QuerySet[Record]:
    qs = Record.objects.filter(dataset=dataset)
    if has_whole_dataset(user, dataset):
        return qs
    return qs.filter(org_access.unit_q(user, "unit"))


def visible_indicator_values(user, dataset: Dataset | None = None) -> QuerySet[IndicatorValue]:
    qs = IndicatorValue.objects.all()
    if dataset is not None and has_whole_dataset(user, dataset):
        return qs
    # Departments read the values of the indicators they report, for every unit.
    own = Q(indicator__owner_id=user.unit_id) if getattr(user, "unit_id", None) else Q(pk__in=[])
    return qs.filter(org_access.unit_q(user, "unit") | own)


def get_record_or_404(user, dataset: Dataset, pk: int) -> Record:
    try:
        return visible_records(user, dataset).select_related("unit").get(pk=pk)
    except (Record.DoesNotExist, ValueError):
        raise Http404("未找到该记录") from None


def can_import(user, dataset: Dataset) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("ledger.import_data"))


def writable_unit_q(user, dataset: Dataset) -> Q | None:
    """None means every unit (the owner maintains the whole dataset); otherwise a unit filter."""
    if owns_dataset(user, dataset):
        return None
    return org_access.unit_q(user)
