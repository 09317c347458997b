"""Background tasks of the assistant (django-tasks; the database backend's worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def index_policy(document_id: int) -> str:
    """Index one policy document (``assistant.services.index_document``); returns its final status."""
    from qingzhuang.assistant.services import index_document

    return str(index_document(document_id))
