"""Who may read and write which ledger data. Every ledger query and view goes through here.

- Read: a user reads the records of units inside their scope (``orgs.access``); users of the
  dataset's owner unit, and of units it is explicitly shared with (``DatasetShare``), read the
  whole dataset.
- Indicator values (the 指标数据库): the database's owner unit and units it is shared with read
  every value; everyone else reads the values of units in their scope plus the values of the
  indicators their own unit reports, for every unit (``visible_indicator_values``,
  ``readable_indicators``): one rule for the page, its API, the workbench chart and 一表做总结.
- Write (import): the ``ledger.import_data`` permission, and each row's unit must lie inside the
  user's scope, unless the user belongs to the owner unit, which maintains the whole dataset.
- Reports and data requests: the defining department sees and maintains its own; county-wide
  users and the county 督查室 (``sees_all_requests``) see every one. The demands they place are
  scoped by ``burden.access``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.burden import admission
from qingzhuang.burden.services import TARGET_PARENT_KINDS
from qingzhuang.jobs import lifecycle
from qingzhuang.ledger.models import (
    DataRequest,
    Dataset,
    ImportJob,
    Indicator,
    IndicatorValue,
    Record,
    Report,
    Storage,
)
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit


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


def own_indicators_q(user, field: str = "indicator") -> Q:
    """Rows about the indicators ``user``'s unit reports (a department reads its own indicators'
    values for every unit)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "unit_id", None):
        return Q(pk__in=[])
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}owner_id": user.unit_id})


def reports_indicators(user) -> bool:
    """Whether ``user``'s unit reports any indicator of the indicator database."""
    return bool(getattr(user, "unit_id", None)) and Indicator.objects.filter(own_indicators_q(user, "")).exists()


def indicator_database() -> Dataset | None:
    """The 指标数据库: the dataset whose rows are the indicator values."""
    return Dataset.objects.filter(storage=Storage.INDICATORS).order_by("pk").first()


def reads_whole_indicator_database(user) -> bool:
    """Whether ``user`` reads every indicator value: the indicator database's owner unit (考核办)
    or a unit it is shared with. (A county-wide scope reads every value through ``unit_q``.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_qz_whole_indicators", None)
    if cached is None:
        dataset = indicator_database()
        cached = user._qz_whole_indicators = dataset is not None and has_whole_dataset(user, dataset)
    return cached


def visible_indicator_values(user, dataset: Dataset | None = None) -> QuerySet[IndicatorValue]:
    """The indicator values ``user`` reads: the one rule of the 指标数据库 page, its API and
    一表做总结 (and the workbench chart).

    - the database's owner unit and units it is shared with read every value;
    - everyone else reads the values of the units in their scope (a county-wide scope: all of
      them; a township: its own subtree's), plus the values of the indicators their own unit
      reports, for every unit (县统计局 reads its indicators across the county, and no others).

    ``dataset`` is the indicator database when the caller has it at hand (saves a query).
    """
    if not getattr(user, "is_authenticated", False):
        return IndicatorValue.objects.none()
    qs = IndicatorValue.objects.all()
    whole = (has_whole_dataset(user, dataset) if dataset is not None and dataset.storage == Storage.INDICATORS
             else reads_whole_indicator_database(user))
    if whole:
        return qs
    return qs.filter(org_access.unit_q(user, "unit") | own_indicators_q(user))


def readable_indicators(user) -> QuerySet[Indicator]:
    """The indicators of which ``user`` reads values (``visible_indicator_values``), with those
    their own unit reports even before it has reported any: what the 指标数据库 page lists, and all
    that 一表做总结 may summarise for ``user``."""
    if not getattr(user, "is_authenticated", False):
        return Indicator.objects.none()
    if reads_whole_indicator_database(user) or org_access.is_county_wide(user):
        return Indicator.objects.all()
    in_scope = IndicatorValue.objects.filter(org_access.unit_q(user, "unit")).values("indicator_id")
    return Indicator.objects.filter(own_indicators_q(user, "") | Q(pk__in=in_scope))


def reads_indicators_of_every_unit(user) -> bool:
    """Whether ``user`` reads indicator values of units outside their own scope (the whole
    database, or the indicators their unit reports): they may pick any unit to read them for."""
    return reads_whole_indicator_database(user) or reports_indicators(user)


def filter_units(user, dataset: Dataset) -> QuerySet[Unit]:
    """The units a dataset page may be filtered by (its unit picker offers them): every unit for a
    reader of the whole dataset, or of indicators across units; else the units of ``user``'s scope."""
    if dataset.storage == Storage.INDICATORS:
        every = reads_indicators_of_every_unit(user)
    else:
        every = has_whole_dataset(user, dataset)
    return Unit.objects.all() if every else org_access.visible_units(user)


def reads_county_wide(user, dataset: Dataset) -> bool:
    """Whether ``user`` reads every row of ``dataset``: the whole dataset (owner or share) or a
    county-wide scope."""
    return has_whole_dataset(user, dataset) or org_access.is_county_wide(user)


def sees_all_requests(user) -> bool:
    """Who sees every report and data request of the county: county-wide users, and the 督查室 of
    the county party or government office (``orgs.access.oversees_county``; the same users see
    every demand)."""
    return org_access.oversees_county(user)


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


# ---------------------------------------------------------------------------------------------
# Reports and data requests


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def visible_reports(user) -> QuerySet[Report]:
    qs = Report.objects.select_related("owner", "dataset", "created_by")
    if sees_all_requests(user):
        return qs
    if _authenticated(user) and user.unit_id:
        return qs.filter(owner_id=user.unit_id)
    return qs.none()


def get_report_or_404(user, pk: int) -> Report:
    try:
        return visible_reports(user).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该报表") from None


def visible_requests(user) -> QuerySet[DataRequest]:
    qs = DataRequest.objects.select_related("owner", "created_by")
    if sees_all_requests(user):
        return qs
    if _authenticated(user) and user.unit_id:
        return qs.filter(owner_id=user.unit_id)
    return qs.none()


def get_request_or_404(user, pk: int) -> DataRequest:
    try:
        return visible_requests(user).get(pk=pk)
    except (DataRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该数据需求") from None


def can_define(user) -> bool:
    """Whether ``user`` may define reports and data requests (a department's 填报员)."""
    return admission.can_define(user, Report)


def can_manage(user, obj: Report | DataRequest) -> bool:
    """The definer's department maintains, submits and sends its own reports and requests."""
    return admission.can_manage(user, obj)


def can_approve(user) -> bool:
    """Whether ``user`` admits reports and data requests and keeps the register (督查室)."""
    return admission.can_approve(user, Report)


def reads_whole_dataset(report: Report) -> bool:
    """Whether the report's definer reads its whole dataset (owner, share or county-wide scope),
    not just their subtree."""
    definer = report.created_by
    return definer is not None and reads_county_wide(definer, report.dataset)


def visible_jobs(user) -> QuerySet[ImportJob]:
    """Import jobs a user may follow: their own, or every job for county-wide users."""
    if not getattr(user, "is_authenticated", False):
        return ImportJob.objects.none()
    jobs = ImportJob.objects.select_related("dataset", "uploaded_by")
    return jobs if org_access.is_county_wide(user) else jobs.filter(uploaded_by=user)


def _reach_q(user) -> Q:
    paths = org_access.placing_paths(user)
    return reduce(or_, (Q(path__startswith=p) for p in paths)) if paths else Q(pk__in=[])


def target_parents(user, *, placing_only: bool = False) -> QuerySet[Unit]:
    """The county and townships (streets) offered as "all villages and communities under …":
    for 找数据 those ``get_target_parent_or_404`` accepts (seen or within reach), for a form that
    places demands (``placing_only``) those ``burden.services.resolve_targets`` accepts."""
    if not _authenticated(user):
        return Unit.objects.none()
    scope = _reach_q(user) if placing_only else _reach_q(user) | org_access.unit_q(user)
    return Unit.objects.filter(scope, kind__in=TARGET_PARENT_KINDS, is_active=True).order_by("path")


def get_target_parent_or_404(user, code: str) -> Unit:
    """The unit under which 找数据 counts the villages to ask: one the user sees, or one inside the
    subtrees the user may place demands on (a county department asks the whole county). Any other
    code, existing or not, is the same 404 (``orgs.access.get_unit_or_404``)."""
    reach = org_access.placing_paths(user)
    try:
        return org_access.get_unit_or_404(user, code=code)
    except Http404:
        unit = Unit.objects.filter(code=code).first()
        if unit is None or not any(unit.path.startswith(p) for p in reach):
            raise
        return unit


def get_job_or_404(user, pk: int) -> ImportJob:
    """The job, marked failed first if its worker died (``jobs.lifecycle.mark_if_stale``)."""
    try:
        return lifecycle.mark_if_stale(visible_jobs(user).get(pk=pk))
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404("未找到该导入任务") from None


def require_report(actor, report: Report) -> None:
    """Another department's report answers like a missing one, in a service as on the page."""
    if not visible_reports(actor).filter(pk=report.pk).exists():
        raise Http404("未找到该报表")


def require_request(actor, data_request: DataRequest) -> None:
    """Another department's data request answers like a missing one, in a service as on the page."""
    if not visible_requests(actor).filter(pk=data_request.pk).exists():
        raise Http404("未找到该数据需求")
