"""Background tasks of the ledger (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task(takes_context=True)
def run_import_job(context, job_id: int) -> str:
    """Run an import job (``ledger.imports.run_job``); returns the job's final status. The job records
    this run's id, so that a dead worker's task row is failed with the job."""
    from qingzhuang.ledger.imports import run_job

    return str(run_job(job_id, task_id=context.task_result.id))
