"""The life cycle of a background job: claim, progress, finish or fail, stale detection, retry.

::

    QUEUED --claim--> RUNNING --finish--> SUCCEEDED | REJECTED
                         |  \\--fail----> FAILED
                         \\--mark_if_stale (no heartbeat for the stale limit: a dead worker)--> FAILED
    any finished state --retry--> QUEUED

A job is a row of a model with ``jobs.models.JobFields`` (``ledger.ImportJob``; ``assistant.PolicyDocument``,
whose indexing is its job). The functions here are the only code that changes a job's state.

Design
------
* Every transition is one conditional ``UPDATE`` of the job's row, so the database decides it, not what a
  process last read (the pattern of healthchecks' and django-tasks' database workers). ``claim`` turns
  QUEUED into RUNNING and must change exactly one row: of two workers given the same job (a task enqueued
  twice, a retry racing a late task) one runs it and the other gets False and does nothing.
* ``claim`` increments ``attempts``. The worker's copy of the job keeps that number and every later write of
  the run (``progress``, ``finish``, ``fail``) is conditional on it: a run whose job was declared dead,
  retried and claimed again by another worker cannot overwrite the new run. Its ``progress`` returns False
  and its ``finish`` raises ``JobLost``, which rolls back the transaction its results were written in.
* ``progress`` is one short ``UPDATE`` of its own, outside the work's transaction (on SQLite it must not run
  inside a long write transaction of another connection's job). Each call, like ``claim``, is a heartbeat
  (``heartbeat_at``), the sign of life stale detection looks at. Workers also run the work inside
  ``heartbeat(job)``, a thread that beats every ``QZ_JOB_HEARTBEAT_SECONDS`` (15) through silent phases,
  so the stale limit can be short: a dead worker's job is failed and retryable within about a minute.
* ``finish`` belongs inside the transaction that writes the job's results: results and final state commit
  together or not at all. ``fail`` records a failure (a Chinese ``message`` for the user, the technical
  ``error`` for administrators) after the work's transaction rolled back.
* ``mark_if_stale`` turns a RUNNING job without a heartbeat for the stale limit into FAILED, with the
  model's ``stale_message`` and an audit row; pages and APIs call it when they show jobs, so a job of a dead
  worker is shown as failed and can be retried. The task run that claimed it (``claim(task_id=…)``, the
  django-tasks result id) is failed in the same transaction: django-tasks-db's worker has no heartbeat
  of its own, so without this its row would stay RUNNING for ever (``fail_task_run``). ``retry`` puts a finished job back in the queue (the caller
  enqueues its task when that commits; some models, like ledger imports, retry as a new row instead).

Hazards: a crash at any moment
------------------------------
* Before ``claim``: the job stays QUEUED and its task stays in django-tasks' queue. A queued job may be
  enqueued again (only one claim wins).
* After ``claim``, during the work, or inside the final transaction: nothing of the results committed; the
  job stays RUNNING without heartbeats until the stale limit, then is shown FAILED and is retryable.
* After the final commit: the job is finished with its results.
* A worker slow rather than dead (silent for longer than the limit, e.g. one very long write): its job is
  marked FAILED; if its transaction then commits, ``finish`` (same attempt) records the true outcome. Only if
  the job was meanwhile claimed again is the late result refused and rolled back. Keep the limit well above
  the longest silent phase of a job.

The limit is ``QZ_JOB_STALE_MINUTES`` (default 1), or the setting a model names in ``stale_setting`` when
that is set (``QZ_IMPORT_STALE_MINUTES``, the older name, for ledger imports).
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from qingzhuang.jobs.models import JobFields, finished_states
from qingzhuang.orgs import audit

ERROR_MAX = 2000  # characters of ``error`` kept


class JobLost(Exception):
    """The job no longer belongs to this run (claimed again, or deleted): its results must not commit."""


def _set(job: JobFields, fields: dict) -> None:
    for name, value in fields.items():
        setattr(job, name, value)


def describe(exc: BaseException) -> str:
    """An exception as ``error`` text: its class and message."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def claim(job: JobFields, *, message: str = "", task_id: str = "") -> bool:
    """Take a QUEUED job for this worker: True when this call changed exactly its row to RUNNING.

    ``task_id`` is the django-tasks result id of the task running it (``context.task_result.id``),
    so that the task's row can be failed with the job if this worker dies. False means another worker
    has it, or it is no longer queued: do nothing.
    """
    model = type(job)
    now = timezone.now()
    claimed = model._default_manager.filter(pk=job.pk, status=model.Status.QUEUED).update(
        status=model.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now,
        finished_at=None, progress_done=0, message=message, error="", task_id=str(task_id or ""),
    )
    if claimed != 1:
        return False
    job.refresh_from_db(fields=["status", "attempts", "started_at", "heartbeat_at", "finished_at",
                                "progress_done", "progress_total", "message", "error", "task_id"])
    return True


def progress(job: JobFields, *, done: int | None = None, total: int | None = None,
             message: str | None = None) -> bool:
    """Record progress of the running job (each call is also a heartbeat). False when the job is no longer
    this run's (marked stale, or claimed again): the caller may stop."""
    model = type(job)
    fields: dict = {"heartbeat_at": timezone.now()}
    if done is not None:
        fields["progress_done"] = done
    if total is not None:
        fields["progress_total"] = total
    if message is not None:
        fields["message"] = message
    updated = model._default_manager.filter(pk=job.pk, attempts=job.attempts,
                                             status=model.Status.RUNNING).update(**fields)
    if updated:
        _set(job, fields)
    return bool(updated)


def finish(job: JobFields, *, status: str | None = None, message: str = "", **fields) -> None:
    """The job ended: SUCCEEDED (default) or REJECTED, with a message and the model's own result fields.

    Call it inside the transaction that writes the results. Raises ``JobLost`` when the job is no longer
    this run's, so that transaction rolls back.
    """
    model = type(job)
    status = status or model.Status.SUCCEEDED
    if status not in finished_states(model) or status == model.Status.FAILED:
        raise ValueError(f"not a final state of success or refusal: {status!r}")
    values = {"status": status, "message": message, "error": "", "finished_at": timezone.now(), **fields}
    if not model._default_manager.filter(pk=job.pk, attempts=job.attempts).update(**values):
        raise JobLost(f"{model._meta.label} {job.pk} is no longer run by attempt {job.attempts}")
    _set(job, values)


def fail(job: JobFields, message: str, *, error: str = "", **fields) -> bool:
    """The job failed (a system error, not the input): FAILED with a Chinese ``message`` for the user and
    the technical ``error``; retryable. False when the job is no longer this run's (nothing written)."""
    model = type(job)
    values = {"status": model.Status.FAILED, "message": message, "error": error[:ERROR_MAX],
              "finished_at": timezone.now(), **fields}
    updated = model._default_manager.filter(pk=job.pk, attempts=job.attempts).update(**values)
    if updated:
        _set(job, values)
    return bool(updated)


@contextmanager
def heartbeat(job: JobFields, *, every: float | None = None):
    """Keep beating while the body runs: a daemon thread records ``heartbeat_at`` every ``every`` seconds
    (default ``QZ_JOB_HEARTBEAT_SECONDS``), so a job is known alive through long silent phases (one big
    write, one slow file) and a dead worker is noticed within the stale limit, about a minute.

    The thread uses its own database connection and the same conditional update as ``progress``: it
    never revives a job that was marked stale or claimed again. A beat that cannot be written (SQLite
    busy with the job's own write transaction, a lock) is skipped; the next one tries again. The body
    never waits for a beat: leaving stops the thread without joining a stuck one.
    """
    interval = float(every if every is not None else getattr(settings, "QZ_JOB_HEARTBEAT_SECONDS", 15))
    stop = threading.Event()
    model = type(job)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    alive = model._default_manager.filter(pk=job.pk, attempts=job.attempts,
                                                          status=model.Status.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:
                    continue
                if not alive:
                    return
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=1)


def stale_minutes(model: type[JobFields]) -> int:
    """How long a job of ``model`` may run without a heartbeat before it is taken for dead."""
    specific = getattr(settings, model.stale_setting, None) if model.stale_setting else None
    return int(specific or getattr(settings, "QZ_JOB_STALE_MINUTES", 1))


def _stale_q(model: type[JobFields], cutoff) -> Q:
    """RUNNING, and the last heartbeat (or the start, for rows from before heartbeats) before ``cutoff``.
    A running row with neither timestamp is left alone: nothing says how long it has been running."""
    return Q(status=model.Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))


def mark_if_stale(target, *, minutes: int | None = None):
    """Mark FAILED (retryable) the RUNNING jobs whose worker has shown no sign of life for ``minutes``
    (default ``stale_minutes``): their results never committed.

    ``target`` is a job (returned, refreshed when marked) or a queryset of jobs (returns how many were
    marked). Each marking is audited; a fresh or finished job is left untouched.
    """
    if isinstance(target, models.QuerySet):
        model = target.model
        cutoff = timezone.now() - timedelta(minutes=stale_minutes(model) if minutes is None else minutes)
        candidates = list(target.filter(_stale_q(model, cutoff)))
        return sum(_mark_stale(job, cutoff) for job in candidates)
    job = target
    model = type(job)
    if job.status != model.Status.RUNNING:
        return job
    cutoff = timezone.now() - timedelta(minutes=stale_minutes(model) if minutes is None else minutes)
    last = job.heartbeat_at or job.started_at
    if last is not None and last < cutoff and _mark_stale(job, cutoff):
        job.refresh_from_db()
    return job


def _mark_stale(job: JobFields, cutoff) -> bool:
    model = type(job)
    last = job.heartbeat_at or job.started_at
    error = f"处理进程没有响应：最近心跳 {timezone.localtime(last):%Y-%m-%d %H:%M:%S}" if last else "处理进程没有响应"
    with transaction.atomic():
        marked = model._default_manager.filter(_stale_q(model, cutoff), pk=job.pk).update(
            status=model.Status.FAILED, message=model.stale_message, finished_at=timezone.now(), error=error,
        )
        if marked:
            tasks_failed = fail_task_run(job.task_id, error)
            audit.record(actor=None, action="jobs.stale", obj=job, before={"status": str(job.status)},
                         after={"status": str(model.Status.FAILED), "message": model.stale_message,
                                **({"task_id": job.task_id} if tasks_failed else {})})
    return bool(marked)


class WorkerLost(Exception):
    """What a task run failed by ``fail_task_run`` records as its exception: its worker stopped."""


def fail_task_run(task_id: str, error: str) -> int:
    """Fail the django-tasks-db row of the task run ``task_id`` if it is still RUNNING (its worker died
    before recording an outcome): FAILED, finished now, with ``WorkerLost`` and ``error`` as its
    exception. Returns the rows changed (0 without an id, or when the task already ended or another
    backend ran it). A conditional update, as the worker's own transitions are."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=task_uuid, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {error}\n",
    )



def retry(job: JobFields, *, message: str = "") -> bool:
    """Put a finished job (or one left running by a dead worker) back in the queue on the same row.

    True when this call queued it; False when it is running or already queued. The caller audits the
    request and enqueues the job's task when its transaction commits.
    """
    model = type(job)
    mark_if_stale(job)
    values = {"status": model.Status.QUEUED, "progress_done": 0, "progress_total": 0, "message": message,
              "error": "", "started_at": None, "heartbeat_at": None, "finished_at": None}
    updated = model._default_manager.filter(pk=job.pk, status__in=finished_states(model)).update(**values)
    if updated:
        _set(job, values)
    return bool(updated)
