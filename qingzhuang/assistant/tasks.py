"""Background tasks of the assistant (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task(takes_context=True)
def index_policy(context, document_id: int) -> str:
    """Index one policy document (``assistant.services.index_document``); returns its final status. The
    document records this run's id, so that a dead worker's task row is failed with its indexing."""
    from qingzhuang.assistant.services import index_document

    return str(index_document(document_id, task_id=context.task_result.id))
