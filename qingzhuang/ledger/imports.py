"""The ledger's import engine: fast, streaming, all or nothing.

``import_file`` runs in two passes over one file:

1. **Check** (no transaction, nothing written). The file is streamed through ``lib.tables`` in
   chunks of ``CHUNK`` rows. Each row is parsed and checked by the compiled row checker of
   ``ledger.validation`` (types, required cells, code lists, check digits, unit scope, indicator
   ownership, cross-field rules); duplicate keys are found with the set of keys seen so far (the
   only thing kept for the whole file). Each chunk's existing records are looked up by key
   (``key__in``) to tell new, changed and unchanged rows apart and to refuse changing a record
   of a unit outside the uploader's scope. The planned writes (ready-made SQL parameters) are
   staged to an anonymous temporary file, so memory stays flat however large the file is.
   A job's ``progress_done`` is updated after every chunk with a short statement of its own:
   this is the progress bar's first, long part.
2. **Write** (one transaction), only when the whole file passed and it is not a dry run: the
   staged rows are loaded with the database's fast path (SQLite ``executemany``; PostgreSQL
   ``COPY`` for new rows), updates check the version they were planned against (a concurrent
   change rolls everything back and reports a conflict), every changed record gets one
   ``RecordChange`` with only the changed fields, and the dataset's counters, one summary audit
   row and the job's final state are written in the same transaction.

So any problem, a conflict or a crash leaves nothing written, and a dry run reports exactly
what a real import would do. Re-importing the same file finds every row unchanged and writes
nothing at all.

Jobs (``job_create``, ``run_job``, ``job_retry``) wrap the engine for the pages and the API: the
upload is copied under ``MEDIA_ROOT/imports/`` and the ``ledger.tasks.run_import_job`` task is
enqueued when the job row commits. Their life cycle (claim, progress, finish, fail, stale detection)
is ``jobs.lifecycle``'s; a retry is a new job for the same file.
"""

from __future__ import annotations

import gc
import json
import logging
import marshal
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from qingzhuang.jobs import lifecycle, schemas
from qingzhuang.ledger import access
from qingzhuang.ledger.models import (
    Dataset,
    ImportJob,
    IndicatorValue,
    JobStatus,
    Record,
    RecordChange,
    Storage,
)
from qingzhuang.ledger.validation import Schema
from qingzhuang.lib import tables, values
from qingzhuang.lib.results import ImportResult
from qingzhuang.lib.tables import Problem, TableError
from qingzhuang.orgs import audit
from qingzhuang.orgs.transfer import import_limits

logger = logging.getLogger(__name__)


CHUNK = 5000  # rows checked, looked up and staged together
LOOKUP_CHUNK = 900  # keys per lookup query on SQLite (below its old 999-parameter limit)
LOOKUP_CHUNK_PG = 5000  # keys per ``key = ANY(array)`` lookup on PostgreSQL
SQLITE_CACHE_KIB = 128 * 1024  # SQLite page cache while writing (the default is 2 MiB)
ANALYZE_AFTER = 10_000  # new rows after which PostgreSQL's statistics are refreshed at once
MAX_ERRORS = 10_000  # problems kept in a result (all are counted in error_count)
JOB_ERRORS = 1000  # problems kept on a job
IMPORT_DIR = "imports"
PERMISSION_MESSAGE = "您没有导入一套表数据的权限"
CONFLICT = Problem(None, None, None, "conflict",
                   "写入时发现其他人同时修改了这些数据，为保证数据一致，本次没有写入任何数据，请重新导入")
FAILED_MESSAGE = "导入过程中发生系统错误，没有写入任何数据。请稍后重试，或联系系统管理员"


@dataclass
class LedgerImportResult(ImportResult):
    """``lib.results.ImportResult`` of a dataset import: ``kind`` is the dataset's code; adds the
    period and the count of all problems (only the first MAX_ERRORS are kept)."""

    dataset: str = ""
    period: str = ""
    error_count: int = 0

    def __post_init__(self) -> None:
        self.kind = self.kind or self.dataset
        self.dataset = self.dataset or self.kind

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and bool(self.created or self.updated)

    def reject(self, problems: list[Problem], *, error_count: int | None = None, rows: int = 0) -> LedgerImportResult:
        """Nothing is written: keep the problems (sorted by row); ``rejected`` is ``rows``, the rows with a problem."""
        super().reject(problems, rows=rows)
        self.error_count = len(problems) if error_count is None else error_count
        return self

    def to_json(self) -> dict:
        document = super().to_json()
        errors = document.pop("errors")
        return {**document, "dataset": self.dataset, "period": self.period, "error_count": self.error_count,
                "errors": errors}


class _Problems:
    """Collects problems: the first MAX_ERRORS kept, all counted, and the rows that have one."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0
        self.rows: set[int] = set()

    def append(self, problem: Problem) -> None:
        self.count += 1
        if problem.row is not None:
            self.rows.add(problem.row)
        if len(self.items) < MAX_ERRORS:
            self.items.append(problem)


class _Conflict(Exception):
    """A record changed between the check and the write: roll back."""


class _Stage:
    """Planned writes, chunk by chunk, in an anonymous temporary file (removed when closed)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="qz-stage-")

    def put(self, kind: str, items: list) -> None:
        if items:
            # Length-prefixed blobs: marshal.loads of one bytes object is much faster than
            # marshal.load pulling many small reads from the file.
            blob = marshal.dumps((kind, items))
            self.file.write(len(blob).to_bytes(8, "little"))
            self.file.write(blob)

    def __iter__(self) -> Iterator[tuple[str, list]]:
        self.file.flush()
        self.file.seek(0)
        while size := self.file.read(8):
            # Our own data, in an anonymous file nobody else can open.
            yield marshal.loads(self.file.read(int.from_bytes(size, "little")))  # noqa: S302

    def close(self) -> None:
        self.file.close()


def _dumps(value: dict) -> str:
    # Exactly what Django's JSONField stores, so raw and ORM writes look the same in the database.
    return json.dumps(value)


def _text_dumper(*, ascii_only: bool):
    """A function: dict of strings → JSON text, as ``json.dumps`` (with ``ensure_ascii``) writes it,
    about twice as fast (the hot path of creates).

    SQLite stores the text as is, so it must be exactly what Django's JSONField writes (ASCII);
    PostgreSQL's jsonb parses it, and parses characters faster than escapes.
    """
    encode = encode_basestring_ascii if ascii_only else encode_basestring
    prefixes: dict[str, str] = {}

    def dumps(data: dict[str, str]) -> str:
        parts = []
        for key, value in data.items():
            prefix = prefixes.get(key)
            if prefix is None:
                prefix = prefixes[key] = encode(key) + ": "
            parts.append(prefix + encode(value))
        return "{" + ", ".join(parts) + "}"

    return dumps


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------------------------------------
# Plans: what each checked row will do (create, update, nothing)


class _RecordPlan:
    """Plans the writes of a ``records`` dataset, one chunk of checked rows at a time."""

    def __init__(self, schema: Schema, problems: _Problems, stage: _Stage, present: list[str], *,
                 job_id: int | None) -> None:
        self.schema = schema
        self.dataset = schema.dataset
        self.job_id = job_id
        self.postgres = transaction.get_connection().vendor == "postgresql"
        self.dumps = _text_dumper(ascii_only=not self.postgres)
        # Stored JSON text lists keys in column order on SQLite (as written here) and in jsonb's
        # order on PostgreSQL (shorter keys first): a row whose text in that order equals the
        # stored text is unchanged, without parsing anything.
        elements = [c.element for c in schema.columns]
        if self.postgres:
            elements.sort(key=lambda e: (len(e.encode()), e.encode()))
        self.text_order = elements
        self.reorder = self.postgres or bool(schema.period)
        self.problems = problems
        self.stage = stage
        by_name = {c.name: c.element for c in schema.columns}
        self.present = [by_name[name] for name in present]
        if schema.period_column is not None and schema.period and schema.period_column.element not in self.present:
            self.present.append(schema.period_column.element)
        self.order = {c.element: i for i, c in enumerate(schema.columns)}
        self.writable = schema.writable_unit_ids
        self.key_label = schema.key_label
        self.has_existing = Record.objects.filter(dataset_id=self.dataset.pk).exists()
        self.created = self.updated = self.unchanged = 0

    def _existing(self, keys: list[str]) -> dict[str, tuple]:
        """(id, unit id, version, stored JSON text) of the records with these keys."""
        found: dict[str, tuple] = {}
        table = _qn(Record._meta.db_table)
        columns = f"{_qn('id')}, {_qn('key')}, {_qn('unit_id')}, {_qn('version')}, {_qn('data')}"
        with transaction.get_connection().cursor() as cursor:
            for part in _chunks(keys, LOOKUP_CHUNK_PG if self.postgres else LOOKUP_CHUNK):
                if self.postgres:
                    cursor.execute(
                        f"SELECT {columns}::text FROM {table} WHERE {_qn('dataset_id')} = %s "  # noqa: S608
                        f"AND {_qn('key')} = ANY(%s)", [self.dataset.pk, part],
                    )
                else:
                    marks = ", ".join(["%s"] * len(part))
                    cursor.execute(
                        f"SELECT {columns} FROM {table} WHERE {_qn('dataset_id')} = %s "  # noqa: S608
                        f"AND {_qn('key')} IN ({marks})", [self.dataset.pk, *part],
                    )
                for pk, key, unit_id, version, text in cursor.fetchall():
                    found[key] = (pk, unit_id, version, text)
        return found

    def _text(self, data: dict[str, str]) -> str:
        if self.reorder:
            data = {e: data[e] for e in self.text_order if e in data}
        return self.dumps(data)

    def add(self, rows: list[tuple]) -> None:
        existing = self._existing([r[1] for r in rows]) if self.has_existing else {}
        creates, updates = [], []
        present, writable = self.present, self.writable
        dataset_id, job_id, text_of = self.dataset.pk, self.job_id, self._text
        for number, key, unit_id, data in rows:
            old = existing.get(key)
            if old is None:
                # The row as INSERTed, but the timestamps (see _RecordWriter.CREATE_COLUMNS).
                creates.append((dataset_id, unit_id, key, text_of(data), 1, job_id))
                continue
            pk, old_unit, version, old_text = old
            if writable is not None and old_unit not in writable:
                self.problems.append(Problem(number, self.key_label, key, "out_of_scope_record",
                                             "该记录属于您管理范围以外的单位，不能通过导入修改"))
                continue
            if old_text == text_of(data):
                self.unchanged += 1
                continue
            old_data = json.loads(old_text)
            changed = [e for e in present if old_data.get(e, "") != data.get(e, "")]
            if not changed:
                self.unchanged += 1
                continue
            new = dict(old_data)
            for element in changed:
                value = data.get(element)
                if value:
                    new[element] = value
                else:
                    new.pop(element, None)
            new = {e: new[e] for e in sorted(new, key=lambda e: self.order.get(e, len(self.order)))}
            before = {e: old_data.get(e, "") for e in changed}
            after = {e: data.get(e, "") for e in changed}
            updates.append((pk, version, unit_id, _dumps(new), _dumps(before), _dumps(after)))
        self.created += len(creates)
        self.updated += len(updates)
        if not self.problems.count:  # once anything is wrong nothing will be written: stop staging
            self.stage.put("create", creates)
            self.stage.put("update", updates)


class _IndicatorPlan:
    """Plans the writes of the indicator database (IndicatorValue rows)."""

    def __init__(self, schema: Schema, problems: _Problems, stage: _Stage, present: list[str], *,
                 job_id: int | None) -> None:
        self.schema = schema
        self.problems = problems
        self.stage = stage
        self.unit_el = schema.unit_column.element
        self.indicator_el = schema.indicator_column.element
        self.period_el = schema.period_column.element
        self.value_el = schema.value_column.element
        self.has_existing = IndicatorValue.objects.exists()
        self.created = self.updated = self.unchanged = 0

    def add(self, rows: list[tuple]) -> None:
        indicators = self.schema.indicators
        planned = []
        for _number, key, unit_id, data in rows:
            planned.append((key, unit_id, indicators[data[self.indicator_el]].id, data[self.period_el],
                            data[self.value_el]))
        existing: dict[tuple, tuple] = {}
        if self.has_existing and planned:
            units = sorted({p[1] for p in planned})
            indicator_ids = sorted({p[2] for p in planned})
            periods = sorted({p[3] for p in planned})
            for unit_part in _chunks(units, LOOKUP_CHUNK):
                for pk, unit_id, indicator_id, period, value in IndicatorValue.objects.filter(
                    unit_id__in=unit_part, indicator_id__in=indicator_ids, period__in=periods
                ).values_list("pk", "unit_id", "indicator_id", "period", "value"):
                    existing[(unit_id, indicator_id, period)] = (pk, value)
        creates, updates = [], []
        for key, unit_id, indicator_id, period, value in planned:
            old = existing.get((unit_id, indicator_id, period))
            if old is None:
                creates.append((unit_id, indicator_id, period, value))
            elif old[1] != Decimal(value):
                updates.append((old[0], value, values.decimal_text(old[1]), key))
            else:
                self.unchanged += 1
        self.created += len(creates)
        self.updated += len(updates)
        if not self.problems.count:
            self.stage.put("create", creates)
            self.stage.put("update", updates)


# ---------------------------------------------------------------------------------------------
# Writers (inside the one write transaction)


def _qn(name: str) -> str:
    return transaction.get_connection().ops.quote_name(name)


def _columns(model, names: list[str]) -> str:
    return ", ".join(_qn(model._meta.get_field(n).column) for n in names)


# psycopg's names of the column types of the models written here (binary COPY needs them).
_PG_TYPES = {"bigint": "int8", "integer": "int4", "jsonb": "jsonb", "timestamp with time zone": "timestamptz"}


def _pg_type(field, connection) -> str:
    db_type = field.target_field.db_type(connection) if field.is_relation else field.db_type(connection)
    return "varchar" if db_type.startswith("varchar") else _PG_TYPES[db_type]


class _JsonTextDumper:
    """Binary COPY of JSON that is already text: jsonb's binary form is a version byte and the text.

    (psycopg's own jsonb dumper would encode the text again, as a JSON string.) Registered on one
    raw cursor only, whose adapters are its own copy.
    """

    @staticmethod
    def register(raw_cursor) -> None:
        from psycopg.adapt import Dumper
        from psycopg.pq import Format

        class JsonTextBinaryDumper(Dumper):
            format = Format.BINARY
            oid = raw_cursor.adapters.types["jsonb"].oid

            def dump(self, obj: str) -> bytes:
                return b"\x01" + obj.encode("utf-8")

        raw_cursor.adapters.register_dumper(str, JsonTextBinaryDumper)


def _insert(model, names: list[str], rows) -> None:
    """Insert many rows with the database's fast path: binary COPY on PostgreSQL, executemany elsewhere."""
    connection = transaction.get_connection()
    table = _qn(model._meta.db_table)
    columns = _columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [_pg_type(model._meta.get_field(n), connection) for n in names]
            raw = cursor.cursor
            _JsonTextDumper.register(raw)
            # The raw psycopg cursor: wrap its errors so a unique violation is Django's IntegrityError.
            with connection.wrap_database_errors, raw.copy(
                f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"  # noqa: S608
            ) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))  # noqa: S608


def _db_datetime(now):
    """``now`` as the database takes it in raw SQL parameters and COPY rows."""
    connection = transaction.get_connection()
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(now)  # naive UTC text, as Django stores it
    return now


class _Writer:
    def __init__(self, *, dataset: Dataset, actor, job: ImportJob | None, now) -> None:
        self.dataset = dataset
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.actor = actor
        self.job_id = job.pk if job is not None else None
        self.now = now
        self.db_now = _db_datetime(now)


class _RecordWriter(_Writer):
    CREATE_COLUMNS = ["dataset", "unit", "key", "data", "version", "job", "created_at", "updated_at"]

    def write(self, stage: _Stage) -> None:
        for kind, items in stage:
            if kind == "create":
                self._create(items)
            else:
                self._update(items)

    def _create(self, items: list[tuple]) -> None:
        stamps = (self.db_now, self.db_now)
        _insert(Record, self.CREATE_COLUMNS, (row + stamps for row in items))

    def _update(self, items: list[tuple]) -> None:
        table = _qn(Record._meta.db_table)
        now, job_id = self.db_now, self.job_id
        params = [(unit_id, data, job_id, now, pk, version) for pk, version, unit_id, data, _b, _a in items]
        sql = (
            f"UPDATE {table} SET {_qn('unit_id')} = %s, {_qn('data')} = %s, {_qn('version')} = {_qn('version')} + 1, "  # noqa: S608
            f"{_qn('job_id')} = %s, {_qn('updated_at')} = %s WHERE {_qn('id')} = %s AND {_qn('version')} = %s"
        )
        with transaction.get_connection().cursor() as cursor:
            cursor.executemany(sql, params)
            if cursor.rowcount != len(params):
                raise _Conflict
        changes = [(pk, version + 1, now, self.actor_id, job_id, before, after)
                   for pk, version, _u, _d, before, after in items]
        _insert(RecordChange, ["record", "version", "at", "actor", "job", "before", "after"], changes)

    def finish(self) -> None:
        count = Record.objects.filter(dataset_id=self.dataset.pk).count()
        Dataset.objects.filter(pk=self.dataset.pk).update(record_count=count, last_updated_at=self.now)


class _IndicatorWriter(_Writer):
    def write(self, stage: _Stage) -> None:
        entries = []
        for kind, items in stage:
            if kind == "create":
                IndicatorValue.objects.bulk_create(
                    [IndicatorValue(unit_id=u, indicator_id=i, period=p, value=Decimal(v), job_id=self.job_id)
                     for u, i, p, v in items],
                    batch_size=1000,
                )
                continue
            changed = []
            for pk, value, old, key in items:
                changed.append(IndicatorValue(pk=pk, value=Decimal(value), job_id=self.job_id, updated_at=self.now))
                entries.append(audit.build(
                    actor=self.actor, action="ledger.indicator_value.update", object_type="ledger.indicatorvalue",
                    object_id=str(pk), object_repr=key.replace("|", " / "),
                    before={"value": old}, after={"value": value},
                ))
            IndicatorValue.objects.bulk_update(changed, ["value", "job", "updated_at"], batch_size=1000)
        if entries:
            audit.record_many(entries)

    def finish(self) -> None:
        count = IndicatorValue.objects.count()
        Dataset.objects.filter(pk=self.dataset.pk).update(record_count=count, last_updated_at=self.now)


# ---------------------------------------------------------------------------------------------
# The engine


def _require(actor, dataset: Dataset) -> None:
    if actor is not None and not access.can_import(actor, dataset):
        raise PermissionDenied(PERMISSION_MESSAGE)


def import_file(*, actor, dataset: Dataset, path: str | os.PathLike, period: str = "", dry_run: bool = False,
                job: ImportJob | None = None, request=None, filename: str = "") -> LedgerImportResult:
    """Import ``path`` into ``dataset``, all or nothing (see the module docstring).

    ``actor`` None is the system (every unit). Raises PermissionDenied when ``actor`` may not
    import at all; everything else is reported in the result (and on ``job`` when given).
    """
    _require(actor, dataset)
    now = timezone.now()  # one time for the whole import: created_at, updated_at, history
    result = LedgerImportResult(dataset=dataset.code, dry_run=dry_run, period=period)
    progress = _Progress(job)
    problems = _Problems()
    stage = _Stage()
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived containers and no cycles: the collector would only slow the loop
    try:
        try:
            schema = Schema(dataset, actor=actor, period=period)
            result.period = schema.period
            progress.start(_estimate_rows(path))
            plan = _check(schema, path, problems, stage, result, progress, job=job)
        except TableError as exc:
            problems.append(exc.problem)
            plan = None
        if problems.count:
            result.reject(problems.items, error_count=problems.count, rows=len(problems.rows))
        else:
            result.created, result.updated, result.unchanged = plan.created, plan.updated, plan.unchanged
        if not result.written:
            progress.finish(result)
            return result
        progress.writing(result.total)
        writer_class = _IndicatorWriter if dataset.storage == Storage.INDICATORS else _RecordWriter
        try:
            with _large_cache(), transaction.atomic():
                writer = writer_class(dataset=dataset, actor=actor, job=job, now=now)
                writer.write(stage)
                writer.finish()
                audit.record(
                    actor=actor, action="ledger.import", object_type="ledger.dataset", object_id=str(dataset.pk),
                    object_repr=f"导入{dataset.name}：{filename or os.path.basename(path)}"[:200],
                    after={"file": filename or os.path.basename(path), "period": result.period,
                           "total": result.total, "created": result.created, "updated": result.updated,
                           "unchanged": result.unchanged, "job": job.pk if job is not None else None},
                    unit=getattr(actor, "unit", None),  # the importing account's unit, like any other entry
                    request=request, ip=job.uploaded_ip if job is not None else None,
                )
                progress.finish(result)
        except (IntegrityError, _Conflict):
            result.reject([CONFLICT])
            progress.finish(result)
            return result
        if result.created >= ANALYZE_AFTER:
            _analyze(IndicatorValue if dataset.storage == Storage.INDICATORS else Record)
        return result
    finally:
        stage.close()
        if collecting:
            gc.enable()


@contextmanager
def _large_cache():
    """On SQLite, a page cache large enough for the indexes a big load updates, then the old size."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _analyze(model) -> None:
    """Refresh PostgreSQL's statistics after a big load, so the next lookups use the indexes at once
    (autovacuum would, a minute later). SQLite's planner needs no statistics for these queries."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint when called inside a transaction
            cursor.execute(f"ANALYZE {_qn(model._meta.db_table)}")
    except DatabaseError:  # only an optimisation
        logger.warning("ANALYZE %s failed", model._meta.db_table, exc_info=True)


def _check(schema: Schema, path, problems: _Problems, stage: _Stage, result: LedgerImportResult, progress, *,
           job: ImportJob | None):
    """Pass 1: read, check and plan every row; returns the plan."""
    with tables.open_table(path, synonyms=schema.synonyms, required=schema.required_headers,
                           limits=import_limits()) as table:
        check = schema.row_checker(table.columns, problems)
        plan_class = _IndicatorPlan if schema.storage == Storage.INDICATORS else _RecordPlan
        plan = plan_class(schema, problems, stage, table.columns, job_id=job.pk if job is not None else None)
        seen: dict[str, int] = {}
        key_label = schema.key_label
        duplicate = (f"{key_label}与第{{}}行重复" if len(schema.keys) == 1
                     else f"与第{{}}行重复（{key_label}均相同）")
        chunk: list[tuple] = []
        total = 0
        for number, cells in table.rows:
            total += 1
            key, unit_id, data, ok = check(number, cells)
            if key is not None:
                first = seen.setdefault(key, number)
                if first != number:
                    problems.append(Problem(number, key_label, key, "duplicate", duplicate.format(first)))
                    ok = False
            if ok:
                chunk.append((number, key, unit_id, data))
            if total % CHUNK == 0:
                plan.add(chunk)
                chunk = []
                progress.rows(total)
        plan.add(chunk)
        result.total = total
        if total == 0:
            problems.append(Problem(None, None, None, "no_rows", "文件中没有数据行"))
    return plan


# ---------------------------------------------------------------------------------------------
# Progress on the job row (outside the write transaction, one short UPDATE each)


class _Progress:
    """The import's steps on its job (``jobs.lifecycle``); nothing without a job."""

    def __init__(self, job: ImportJob | None) -> None:
        self.job = job

    def start(self, estimate: int) -> None:
        if self.job is not None:
            lifecycle.progress(self.job, done=0, total=estimate, message="正在校验数据…")

    def rows(self, count: int) -> None:
        if self.job is not None:
            lifecycle.progress(self.job, done=count, total=max(self.job.progress_total, count + 1))

    def writing(self, total: int) -> None:
        if self.job is not None:
            lifecycle.progress(self.job, done=total, total=total, message="校验通过，正在写入数据库…")

    def finish(self, result: LedgerImportResult) -> None:
        """The job's final state; inside the write transaction when something is written."""
        if self.job is None:
            return
        if not result.ok:
            status = JobStatus.REJECTED
            if result.errors and result.errors[0].code == "conflict":
                message = CONFLICT.message
            else:
                message = (f"未通过校验：共{result.error_count}个问题（涉及{result.rejected}行），"
                           "没有写入任何数据。请修改后重新导入")
        elif result.dry_run:
            status = JobStatus.SUCCEEDED
            message = (f"预检通过：共{result.total}行，将新增{result.created}条、更新{result.updated}条，"
                       f"{result.unchanged}条未变化。预检没有写入任何数据")
        else:
            status = JobStatus.SUCCEEDED
            message = (f"导入完成：共{result.total}行，新增{result.created}条、更新{result.updated}条，"
                       f"{result.unchanged}条未变化")
        lifecycle.finish(
            self.job, status=status, message=message, progress_total=result.total, progress_done=result.total,
            created=result.created, updated=result.updated, unchanged=result.unchanged, rejected=result.rejected,
            error_count=result.error_count, errors=[p.to_dict() for p in result.errors[:JOB_ERRORS]],
            period=result.period,
        )


_DIMENSION_RE = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _estimate_rows(path) -> int:
    """A quick estimate of the data rows, for the progress bar (0 when unknown)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            if head == tables.ZIP_MAGIC:
                return _xlsx_rows(path)
            if Path(path).suffix.lower() not in (".csv", ".txt"):
                return 0
            f.seek(0)
            lines = 0
            while block := f.read(1024 * 1024):
                lines += block.count(b"\n")
            return max(lines - 1, 0)
    except (OSError, zipfile.BadZipFile, KeyError):
        return 0


def _xlsx_rows(path) -> int:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not names:
            return 0
        with archive.open(names[0]) as sheet:
            head = sheet.read(4096)
    match = _DIMENSION_RE.search(head)
    return max(int(match[1]) - 1, 0) if match else 0


# ---------------------------------------------------------------------------------------------
# Jobs: uploads run in the background


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file


def _store_upload(upload, limits: tables.Limits) -> tuple[str, Problem | None]:
    """Copy an upload under MEDIA_ROOT/imports/ (size-limited); returns (relative path, problem)."""
    suffix = Path(upload.name or "").suffix.lower()
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}{suffix if suffix in tables.EXTENSIONS else ''}"
    if suffix not in tables.EXTENSIONS:
        return relative, Problem(None, None, None, "unsupported_type", "不支持的文件类型，请上传 xlsx、xls 或 csv 文件")
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as out:
            tables.copy_upload(upload, out, limits=limits)
    except TableError as exc:
        target.unlink(missing_ok=True)
        return relative, exc.problem
    return relative, None


def job_create(*, actor, dataset: Dataset, upload, period: str = "", dry_run: bool = False,
               request=None) -> ImportJob:
    """Store the upload and queue its import; the job runs when this transaction commits.

    A file refused before reading (type, size) gives a job that is already REJECTED.
    """
    _require(actor, dataset)
    relative, problem = _store_upload(upload, import_limits())
    normalised, period_error = values.parse_period(values.normalize(period)) if period else ("", None)
    if period_error and problem is None:
        problem = Problem(None, "期间", period, "invalid_period", f"指定的期间无效：{period_error}")
    with transaction.atomic():
        job = ImportJob.objects.create(
            dataset=dataset, uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            file=relative, original_name=os.path.basename(upload.name or "上传文件")[:255],
            period=normalised, dry_run=dry_run, uploaded_ip=audit.client_ip(request),
        )
        if problem is not None:
            _reject_job(job, problem)
        else:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from qingzhuang.ledger.tasks import run_import_job

    run_import_job.enqueue(job_id)


def _reject_job(job: ImportJob, problem: Problem) -> None:
    lifecycle.finish(job, status=JobStatus.REJECTED, message=f"未通过校验：{problem.message}",
                     errors=[problem.to_dict()], error_count=1)


def run_job(job_id: int, *, task_id: str = "") -> str:
    """Run a queued job (the task's body, whose run ``task_id`` the job records); returns its final
    status. A job runs at most once."""
    job = ImportJob.objects.select_related("dataset", "uploaded_by").filter(pk=job_id).first()
    if job is None or not lifecycle.claim(job, message="正在读取文件…", task_id=task_id):
        return "skipped"
    try:
        path = job_path(job)
        if not path.is_file():
            _reject_job(job, Problem(None, None, None, "file_missing", "上传的文件已不存在，请重新上传"))
            return job.status
        with lifecycle.heartbeat(job):
            result = import_file(actor=job.uploaded_by, dataset=job.dataset, path=path, period=job.period,
                                 dry_run=job.dry_run, job=job, filename=job.original_name)
    except PermissionDenied as exc:
        _reject_job(job, Problem(None, None, None, "permission_denied", str(exc) or PERMISSION_MESSAGE))
        return job.status
    except lifecycle.JobLost:
        logger.warning("ledger import job %s was taken over by another run: its result was rolled back", job_id)
        return "skipped"
    except Exception as exc:
        logger.exception("ledger import job %s failed", job_id)
        lifecycle.fail(job, FAILED_MESSAGE, error=lifecycle.describe(exc))
        return JobStatus.FAILED
    if result.written:
        path.unlink(missing_ok=True)  # landed: the file is not needed any more
    return job.status


def job_retry(*, actor, job: ImportJob, dry_run: bool | None = None, request=None) -> ImportJob:
    """A new job for the same file (after a failure, or a real import after a dry run)."""
    _require(actor, job.dataset)
    lifecycle.mark_if_stale(job)
    if not job.is_finished:
        raise ValidationError("该导入任务尚未结束，不能重试")
    source = job_path(job)
    if not source.is_file():
        raise ValidationError("原文件已不存在，请重新上传")
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}{source.suffix}"
    shutil.copyfile(source, Path(settings.MEDIA_ROOT) / relative)
    with transaction.atomic():
        new = ImportJob.objects.create(
            dataset=job.dataset, uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            file=relative, original_name=job.original_name, period=job.period,
            dry_run=job.dry_run if dry_run is None else dry_run, uploaded_ip=audit.client_ip(request),
        )
        transaction.on_commit(lambda: _enqueue(new.pk))
    return new


def job_json(job: ImportJob, *, user=None) -> dict:
    """The job as JSON: status, progress, counts and problems (personal values masked for other viewers)."""
    from qingzhuang.ledger import masking

    errors = job.errors
    if user is not None and job.uploaded_by_id != user.pk and not masking.can_see_personal(user):
        types = dict(job.dataset.columns.values_list("name", "element__value_type"))
        errors = [{**e, "value": masking.display_value(types.get(e.get("column") or "", ""), e.get("value"),
                                                        reveal=False)} for e in errors]
    return {
        **schemas.job_json(job),
        "id": job.pk, "dataset": job.dataset.code, "dataset_name": job.dataset.name,
        "file": job.original_name, "period": job.period, "dry_run": job.dry_run,
        # The names the API had before the life cycle moved to ``jobs`` (progress_total, progress_done).
        "total_rows": job.progress_total, "processed_rows": job.progress_done,
        "created": job.created, "updated": job.updated, "unchanged": job.unchanged, "rejected": job.rejected,
        "error_count": job.error_count, "errors": errors,
        "uploaded_by": job.uploaded_by.get_username() if job.uploaded_by_id else None,
    }
