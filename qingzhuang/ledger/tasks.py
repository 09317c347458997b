"""Background tasks of the ledger (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> str:
    """Run an import job (``ledger.imports.run_job``); returns the job's final status."""
    from qingzhuang.ledger.imports import run_job

    return str(run_job(job_id))
