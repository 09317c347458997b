"""Background tasks of the assessment (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task(takes_context=True)
def compute_run(context, run_id: int) -> str:
    """Compute a scorecard run (``services.runs.run_compute``); returns the run's final status."""
    from qingzhuang.assessment.services.runs import run_compute

    return str(run_compute(run_id, task_id=context.task_result.id))
