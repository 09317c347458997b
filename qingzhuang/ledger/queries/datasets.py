"""Reads of the ledger's datasets for pages and the API, scoped through ``ledger.access``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qingzhuang.ledger import access, history, masking, matching
from qingzhuang.ledger.models import (
    Category,
    DataElement,
    Dataset,
    DatasetColumn,
    ImportJob,
    Record,
    Storage,
)
from qingzhuang.lib import paging
from qingzhuang.lib.paging import PageNumbers
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# A filtered count stops here: counting a whole township of a 720,000-row dataset on every
# page view would cost more than the page itself.
COUNT_CAP = 10_000


# ---------------------------------------------------------------------------------------------
# The data map


def freshness(dataset: Dataset, now: dt.datetime | None = None) -> str:
    """'empty' (never updated), 'ok' or 'overdue' (older than its update period allows, with a few
    days' grace); irregular datasets are never overdue. The same rule as ``find_data``'s."""
    return matching.freshness(dataset.last_updated_at, dataset.update_period, now)


# Words of a question that are not about the data asked for ("哪里有身份证号？").
_QUESTION_WORDS = re.compile(r"哪里有|哪儿有|哪有|在哪里|在哪儿|在哪|哪个|哪些|有没有|是否有|什么|数据集|数据|信息|的|吗|呢")
_SEPARATORS = re.compile(r"[\s,，、;；。？?！!：:/|]+")


def search_terms(q: str) -> list[str]:
    """The things a free-text question asks for: "哪里有身份证号、手机号？" → ["身份证号", "手机号"]."""
    terms: list[str] = []
    for part in _SEPARATORS.split(q.strip()):
        term = _QUESTION_WORDS.sub("", part) or part
        if term and term not in terms:
            terms.append(term)
    return terms


def element_matches(element: DataElement, term: str) -> str | None:
    """The name or synonym of ``element`` that ``term`` matches (either contains the other)."""
    term = term.casefold()
    for label in (element.name, element.code, *element.synonyms):
        folded = str(label).casefold()
        if folded and (term in folded or (len(folded) >= 2 and folded in term)):
            return str(label)
    return None


@dataclass
class DatasetEntry:
    dataset: Dataset
    n_columns: int
    freshness: str
    matches: list[str] = field(default_factory=list)
    # The rows this user reads (``readable_count``), and whether that is the whole dataset.
    count: int = 0
    all_rows: bool = True


@dataclass
class CategoryGroup:
    key: str
    label: str
    entries: list[DatasetEntry]


def data_map(user, q: str = "") -> list[CategoryGroup]:
    """Every dataset, grouped by 人/地/物/事/情/组织; with ``q``, those whose name or elements match.
    Each with the number of rows the user reads (``readable_count``): a village's own count."""
    datasets = list(
        access.visible_datasets(user)
        .annotate(n_columns=Count("columns"))
        .prefetch_related(Prefetch("columns", queryset=DatasetColumn.objects.select_related("element")))
        .order_by("code")
    )
    terms = search_terms(q)
    now = timezone.now()
    entries: dict[str, list[DatasetEntry]] = {}
    for dataset in datasets:
        matches: list[str] = []
        if terms:
            if not _dataset_matches(dataset, terms, matches):
                continue
        count, all_rows = readable_count(user, dataset)
        entry = DatasetEntry(dataset, dataset.n_columns, freshness(dataset, now), matches, count, all_rows)
        entries.setdefault(dataset.category, []).append(entry)
    return [CategoryGroup(key, label, entries[key]) for key, label in Category.choices if key in entries]


def _dataset_matches(dataset: Dataset, terms: list[str], matches: list[str]) -> bool:
    hit = False
    for term in terms:
        folded = term.casefold()
        if folded in dataset.name.casefold() or folded == dataset.code.casefold():
            hit = True
        for column in dataset.columns.all():
            label = element_matches(column.element, term) or (
                column.name if folded in column.name.casefold() else None)
            if label:
                hit = True
                shown = column.name if label == column.name else f"{column.name}（{label}）"
                if shown not in matches:
                    matches.append(shown)
    return hit


def catalog_elements(user, q: str = "") -> list[DataElement]:
    """The data elements (filtered by ``q`` like the data map), each with ``datasets`` using it."""
    if not getattr(user, "is_authenticated", False):
        return []
    elements = list(
        DataElement.objects.select_related("owner")
        .prefetch_related(Prefetch("columns", queryset=DatasetColumn.objects.select_related("dataset")))
        .order_by("category", "code")
    )
    terms = search_terms(q)
    if terms:
        elements = [e for e in elements if any(element_matches(e, t) for t in terms)]
    for element in elements:
        seen = {}
        for column in element.columns.all():
            seen.setdefault(column.dataset.code, column.dataset)
        element.datasets = list(seen.values())
    return elements


# ---------------------------------------------------------------------------------------------
# Records of a dataset


def columns_of(dataset: Dataset) -> list[DatasetColumn]:
    """The dataset's columns in order (read once per ``dataset`` object: a page asks several times)."""
    cached = getattr(dataset, "_qz_columns", None)
    if cached is None:
        cached = dataset._qz_columns = list(dataset.columns.select_related("element").order_by("position", "id"))
    return list(cached)


def template_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """Each column of the dataset with how to fill it, for the blank import template."""
    notes = []
    for column in columns_of(dataset):
        element = column.element
        parts = ["必填" if column.required else "选填"]
        if column.is_key:
            parts.append("主键：相同主键的行更新已有记录")
        kind = element.get_value_type_display()
        if element.measure_unit:
            kind += f"，单位：{element.measure_unit}"
        parts.append(kind)
        codes = [str(c) for c in element.code_list]
        if codes:
            shown = "、".join(codes[:200]) + (f"等（共{len(codes)}项）" if len(codes) > 200 else "")
            parts.append(f"可填：{shown}")
        elif element.value_type == "text":
            parts.append(f"不超过{element.max_length}个字符")
        elif element.value_type == "date":
            parts.append("如 2024-11-03、2024年11月3日")
        elif element.value_type == "period":
            parts.append("如 2024-11")
        if element.description:
            parts.append(element.description)
        notes.append((column.name, "。".join(parts) + "。"))
    return notes


def resolve_unit(user, dataset: Dataset, code: str, *, whole: bool | None = None) -> Unit | None:
    """The unit a page is filtered by: one of ``access.filter_units`` (whole-dataset readers filter
    by any unit, others within their scope); any other code is a 404. ``whole``: the caller's
    ``access.has_whole_dataset`` when it already knows it."""
    code = code.strip()
    if not code:
        return None
    if whole and dataset.storage == Storage.RECORDS:
        units = Unit.objects.all()
    else:
        units = access.filter_units(user, dataset)
    try:
        return units.get(code=code)
    except Unit.DoesNotExist:
        raise Http404("未找到该单位") from None


@dataclass
class Row:
    id: int
    unit_code: str
    unit_name: str
    key: str
    version: int | None
    updated_at: dt.datetime | None
    data: dict[str, str]
    indicator_name: str = ""


@dataclass
class Page:
    rows: list[Row]
    # Keyset cursors: the ids to page after (next) and before (previous); None at either end.
    next_after: int | None
    prev_before: int | None
    # ``total`` is exact unless ``total_capped`` (then "more than COUNT_CAP"); None means not counted.
    total: int | None = None
    total_capped: bool = False


def exact_key_search(user, columns: list[DatasetColumn]) -> bool:
    """Whether ``q`` must match the whole key: a prefix search over ID numbers would let a user
    who sees them masked recover them digit by digit."""
    return not masking.can_see_personal(user) and any(
        c.is_key and c.element.value_type in masking.PERSONAL_TYPES for c in columns)


# The elements that name a record's subject: 姓名 of a person, 单位名称 of an organisation. A search
# with Chinese characters looks in these columns (the characters anywhere in the value); any other
# search is a key prefix. Residents' names are not searched by pinyin: records are written by the
# bulk import at 720,000-row scale, and cadres find a resident by name or ID number.
NAME_ELEMENTS = ("name", "org_name")
_HAN = re.compile(r"[\u3400-\u9fff]")


def name_elements(dataset: Dataset) -> list[str]:
    """The codes of ``dataset``'s name columns (``NAME_ELEMENTS``), in column order."""
    return [c.element.code for c in columns_of(dataset) if c.element.code in NAME_ELEMENTS]


def filtered_rows(user, dataset: Dataset, *, unit_ids: list[int] | None = None, q: str = "",
                  exact: bool = False) -> QuerySet:
    """The scoped rows of ``dataset`` (records or indicator values), filtered, in no order.

    ``unit_ids``: only rows of these units. ``q`` with Chinese characters: a record whose name
    column (``NAME_ELEMENTS``) contains them, an indicator value whose indicator's name does;
    otherwise a prefix of the key (``exact``: the whole key), or for indicator values a prefix of
    the indicator code or the period.
    """
    q = q.strip()
    if dataset.storage == Storage.INDICATORS:
        qs = access.visible_indicator_values(user, dataset)
        if q and _HAN.search(q):
            qs = qs.filter(indicator__name__icontains=q)
        elif q:
            qs = qs.filter(Q(indicator__code__startswith=q) | Q(period__startswith=q))
    else:
        qs = access.visible_records(user, dataset)
        names = name_elements(dataset) if q and _HAN.search(q) else []
        if names:
            qs = qs.filter(reduce(or_, (Q(**{f"data__{code}__icontains": q}) for code in names)))
        elif q:
            qs = qs.filter(key=q) if exact else qs.filter(key__startswith=q)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs


def page_unit_ids(user, *, unit: Unit | None, whole: bool, storage: str = Storage.RECORDS) -> list[int] | None:
    """The units whose rows a page shows; None when that is every unit (nothing to narrow):
    no unit filter and the whole dataset or a scope at the root of the tree, or a root filter.
    Indicator values are not narrowed to the scope's units: ``access.visible_indicator_values``
    scopes them (a department reads its own indicators for every unit)."""
    if unit is not None:
        if unit.parent_id is None:
            return None
        return list(Unit.objects.filter(path__startswith=unit.path).order_by("path").values_list("id", flat=True))
    if whole or storage == Storage.INDICATORS or org_access.is_county_wide(user):
        return None
    return list(org_access.visible_units(user).order_by("path").values_list("id", flat=True))


# Up to this many units, a page is merged from one short index range per unit (below); SQLite
# allows at most 500 terms in a compound SELECT.
MAX_MERGED_UNITS = 200


def _keyset(rows: QuerySet, *, after: int | None, before: int | None, limit: int) -> QuerySet:
    """``limit`` + 1 rows (to tell whether there are more) after ``after`` in id order, or before
    ``before`` in descending id order."""
    if after is not None:
        rows = rows.filter(id__gt=after)
    if before is not None:
        rows = rows.filter(id__lt=before)
    return rows.order_by("-id" if before is not None else "id")[: limit + 1]


_UNIT_PLACEHOLDER = -727_000_000  # no unit has this id


def _merged_ids(qs: QuerySet, unit_ids: list[int], *, after: int | None, before: int | None,
                limit: int) -> list[int]:
    """The ids of a page of the rows of ``unit_ids``, in ``_keyset``'s order.

    A subtree's records are not contiguous in id order, so "the next 51 ids of these units" by
    the primary key may scan most of a 720,000-row table, and sorting all of a township's rows
    costs as much. Instead each unit gives at most ``limit`` + 1 ids from the (dataset, unit, id)
    index and the database merges those: the work is bounded by units × page size, whatever the
    size of the dataset. The query is composed from the ORM's own SQL, so scoping is unchanged.
    """
    # One unit's query, compiled once; each unit's id replaces the placeholder among its parameters
    # (compiling 40 querysets would cost more than running them).
    part = _keyset(qs.filter(unit_id=_UNIT_PLACEHOLDER), after=after, before=before, limit=limit)
    sql, part_params = part.values_list("id", flat=True).query.sql_with_params()
    slot = list(part_params).index(_UNIT_PLACEHOLDER)
    parts, params = [], []
    for i, unit_id in enumerate(unit_ids):
        parts.append(f"SELECT * FROM ({sql}) u{i}")  # noqa: S608 (the ORM's SQL; values stay parameters)
        params.extend([*part_params[:slot], unit_id, *part_params[slot + 1:]])
    order = "DESC" if before is not None else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM ({' UNION ALL '.join(parts)}) merged ORDER BY id {order} LIMIT %s",  # noqa: S608
                       [*params, limit + 1])
        return [row[0] for row in cursor.fetchall()]


def record_page(
    user,
    dataset: Dataset,
    *,
    unit: Unit | None = None,
    q: str = "",
    after: int | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE,
    count: bool = True,
    exact: bool = False,
    whole: bool | None = None,
) -> Page:
    """One page of rows in id order, by keyset (``id > after`` or ``id < before``): never OFFSET.

    Counting: an unfiltered page of a reader of the whole dataset shows the cached
    ``record_count``; with a unit filter the rows are counted up to ``COUNT_CAP``; otherwise
    nothing is counted (the page offers "更多…"). ``exact``: see ``exact_key_search``; ``whole``:
    ``access.has_whole_dataset`` if the caller already knows it.
    """
    if whole is None:
        whole = access.has_whole_dataset(user, dataset)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    unit_ids = page_unit_ids(user, unit=unit, whole=whole, storage=dataset.storage)
    qs = filtered_rows(user, dataset, q=q, exact=exact)
    if dataset.storage == Storage.INDICATORS:
        shown = ("id", "period", "value", "updated_at", "unit__code", "unit__name", "indicator__code",
                 "indicator__name")
        related = ("unit", "indicator")
    else:
        shown = ("id", "key", "data", "version", "updated_at", "unit__code", "unit__name")
        related = ("unit",)
    # Indicator values are a small table (units × indicators × months) without a (unit, id) index.
    if unit_ids is None or len(unit_ids) > MAX_MERGED_UNITS or dataset.storage == Storage.INDICATORS:
        narrowed = qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)
        items = list(_keyset(narrowed.select_related(*related).only(*shown), after=after, before=before,
                             limit=limit))
    elif unit_ids:
        ids = _merged_ids(qs, unit_ids, after=after, before=before, limit=limit)
        by_id = {r.pk: r for r in Record.objects.filter(pk__in=ids).select_related(*related).only(*shown)}
        items = [by_id[pk] for pk in ids if pk in by_id]
    else:
        items = []
    more = len(items) > limit
    items = sorted(items[:limit], key=lambda item: item.pk)
    rows = [_row(dataset, item) for item in items]
    has_more_after = more if before is None else True
    has_more_before = more if before is not None else after is not None
    page = Page(
        rows=rows,
        next_after=rows[-1].id if rows and has_more_after else None,
        prev_before=rows[0].id if rows and has_more_before else None,
    )
    if count:
        if unit is not None:
            counted = filtered_rows(user, dataset, unit_ids=unit_ids, q=q, exact=exact)
            n = counted.order_by()[: COUNT_CAP + 1].count()
            page.total, page.total_capped = min(n, COUNT_CAP), n > COUNT_CAP
        elif not q.strip() and whole:
            page.total = dataset.record_count
    return page


# A name is not a key: searching one scans the rows' JSON. Over more rows than this (a whole
# county's 480,000 residents: two seconds on SQLite) the page asks for a unit first; a township's
# tens of thousands take a fraction of a second.
NAME_SEARCH_MAX_ROWS = 100_000
NAME_SEARCH_MESSAGE = "全县数据量大，按姓名查找请先选择乡镇（街道）或村（社区），或输入完整的证件号码。"


class NameSearchTooBroad(Exception):
    """A name search over the whole of a large dataset (``NAME_SEARCH_MAX_ROWS``)."""


def is_name_search(dataset: Dataset, q: str) -> bool:
    """Whether ``q`` searches ``dataset``'s name columns (``filtered_rows``) rather than its key."""
    return bool(q.strip() and _HAN.search(q) and name_elements(dataset))


def _single_county() -> bool:
    """Whether the tree has one root: then a county-wide scope reads every row of a dataset."""
    return Unit.objects.filter(parent__isnull=True).count() == 1


@dataclass
class NumberedPage:
    """One numbered page of a dataset page: its rows and where it lies (``lib.paging.PageNumbers``)."""

    rows: list[Row]
    pager: PageNumbers


def numbered_page(
    user,
    dataset: Dataset,
    *,
    unit: Unit | None = None,
    q: str = "",
    page: str | int | None = None,
    exact: bool = False,
    whole: bool | None = None,
    per_page: int = PAGE_SIZE,
) -> NumberedPage:
    """Page ``page`` (1 = first; anything else out of range raises ``paging.PageOutOfRange``) of
    the rows the user reads, with the exact total.

    Order: a page narrowed to some units (a township's, a village's, or a chosen unit's subtree)
    lists them unit by unit as the tree does, by id within a unit: the rows per unit are counted
    from the (dataset, unit, id) index once, and a page reads only its own rows (one short index
    range in one or two units), however deep the page. The whole county is listed by id. Indicator
    values are listed by unit, indicator and period. The total of an unfiltered reader of every row
    (the whole dataset, or the county) is the dataset's cached ``record_count``. A name search over
    every row of a large dataset raises ``NameSearchTooBroad``.
    """
    if whole is None:
        whole = access.has_whole_dataset(user, dataset)
    unit_ids = page_unit_ids(user, unit=unit, whole=whole, storage=dataset.storage)
    qs = filtered_rows(user, dataset, q=q, exact=exact)
    if dataset.storage == Storage.INDICATORS:
        if unit_ids is not None:
            qs = qs.filter(unit_id__in=unit_ids)
        pager = paging.page_numbers(page, total=qs.count(), per_page=per_page)
        items = list(qs.select_related("unit", "indicator")
                     .order_by("unit__path", "indicator__code", "period", "id")[pager.offset: pager.offset + per_page])
        return NumberedPage([_row(dataset, item) for item in items], pager)
    shown = ("id", "key", "data", "version", "updated_at", "unit__code", "unit__name")
    if unit_ids is None:
        all_rows = whole or _single_county()
        if all_rows and dataset.record_count > NAME_SEARCH_MAX_ROWS and is_name_search(dataset, q):
            raise NameSearchTooBroad(NAME_SEARCH_MESSAGE)
        every_row = all_rows and not q.strip()
        total = dataset.record_count if every_row else qs.order_by().count()
        pager = paging.page_numbers(page, total=total, per_page=per_page)
        window = slice(pager.offset, pager.offset + per_page)
        if every_row and pager.offset:
            # A deep page of every row: the ids from the (dataset, id) index alone (skipping 480,000
            # index entries, not 480,000 rows joined to their units), then those 50 rows.
            ids = list(Record.objects.filter(dataset=dataset).order_by("id").values_list("id", flat=True)[window])
            items = sorted(Record.objects.filter(pk__in=ids).select_related("unit").only(*shown), key=lambda r: r.pk)
        else:
            items = list(qs.select_related("unit").only(*shown).order_by("id")[window])
        return NumberedPage([_row(dataset, item) for item in items], pager)
    counts = dict(qs.filter(unit_id__in=unit_ids).order_by().values("unit_id").annotate(n=Count("id"))
                  .values_list("unit_id", "n"))
    pager = paging.page_numbers(page, total=sum(counts.values()), per_page=per_page)
    items: list = []
    skip, need = pager.offset, per_page
    for unit_id in unit_ids:  # in tree (path) order, as ``page_unit_ids`` gives them
        n = counts.get(unit_id, 0)
        if skip >= n:
            skip -= n
            continue
        take = min(need, n - skip)
        items.extend(qs.filter(unit_id=unit_id).select_related("unit").only(*shown)
                     .order_by("id")[skip: skip + take])
        skip, need = 0, need - take
        if not need:
            break
    return NumberedPage([_row(dataset, item) for item in items], pager)


def readable_count(user, dataset: Dataset, *, whole: bool | None = None) -> tuple[int, bool]:
    """``(rows, all_of_them)``: how many rows of ``dataset`` the user reads, and whether that is the
    whole dataset (its owner, a share, or a county-wide scope: the cached ``record_count``) rather
    than their own scope's part (counted: a village's rows, not the county's)."""
    if dataset.storage == Storage.INDICATORS:
        if access.reads_whole_indicator_database(user) or org_access.is_county_wide(user):
            return dataset.record_count, True
        return access.visible_indicator_values(user, dataset).count(), False
    if whole is None:
        whole = access.has_whole_dataset(user, dataset)
    if whole or org_access.is_county_wide(user):
        return dataset.record_count, True
    # The ids come from the user's scope (``page_unit_ids``); the (dataset, unit, id) index counts them.
    unit_ids = page_unit_ids(user, unit=None, whole=False) or []
    return Record.objects.filter(dataset=dataset, unit_id__in=unit_ids).count(), False


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _row(dataset: Dataset, item) -> Row:
    if dataset.storage == Storage.INDICATORS:
        data = {"unit_code": item.unit.code, "indicator": item.indicator.code, "period": item.period,
                "value": _decimal_text(item.value)}
        return Row(item.id, item.unit.code, item.unit.name, f"{item.unit.code}|{item.indicator.code}|{item.period}",
                   None, item.updated_at, data, indicator_name=item.indicator.name)
    return Row(item.id, item.unit.code, item.unit.name, item.key, item.version, item.updated_at, item.data)


def display_values(columns: list[DatasetColumn], data: dict, *, reveal: bool) -> list[str]:
    """The values of ``data`` in column order, as the user may see them."""
    return [masking.display_value(c.element.value_type, data.get(c.element.code), reveal=reveal) for c in columns]


def masked_data(columns: list[DatasetColumn], data: dict, *, reveal: bool) -> dict[str, str]:
    """``data`` keyed by element code, masked (the API's shape)."""
    types = {c.element.code: c.element.value_type for c in columns}
    return {code: masking.display_value(types.get(code, "text"), value, reveal=reveal)
            for code, value in data.items()}


@dataclass
class FieldChange:
    name: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    version: int
    at: dt.datetime
    actor: str
    job: ImportJob | None
    changes: list[FieldChange]
    created: bool = False


def _actor_name(user) -> str:
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or user.get_username()


def record_history(record: Record, *, reveal: bool) -> list[HistoryEntry]:
    """The history of ``record``, newest first, values masked like the record itself.

    The import engine keeps a change row for every later change; the creation is the record's
    own (its time, and its job while it is still at version 1).
    """
    entries = [
        HistoryEntry(change.version, change.at, _actor_name(change.actor), change.job,
                     [FieldChange(f.column, f.before, f.after) for f in change.fields])
        for change in history.record_history(record, reveal=reveal)
    ]
    first_job = record.job if record.version == 1 else None
    entries.append(HistoryEntry(1, record.created_at, _actor_name(first_job.uploaded_by) if first_job else "—",
                                first_job, [], created=True))
    return entries


# ---------------------------------------------------------------------------------------------
# Import jobs


def recent_jobs(user, dataset: Dataset | None = None, limit: int = 10) -> list[ImportJob]:
    """The user's own latest uploads (of ``dataset``)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = ImportJob.objects.filter(uploaded_by=user).select_related("dataset")
    if dataset is not None:
        qs = qs.filter(dataset=dataset)
    return list(qs.order_by("-created_at", "-id")[:limit])
