"""The API shape of a job, shared by every endpoint that shows one (extend ``JobOut`` with your fields)."""

from __future__ import annotations

from ninja import Schema

from qingzhuang.jobs.models import JobFields


class JobOut(Schema):
    status: str
    status_label: str
    finished: bool
    progress: int
    progress_done: int
    progress_total: int
    message: str
    attempts: int
    created_at: str | None
    started_at: str | None
    heartbeat_at: str | None
    finished_at: str | None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def job_json(job: JobFields) -> dict:
    """The ``JobOut`` fields of a job (the technical ``error`` stays out: it is for administrators)."""
    return {
        "status": str(job.status), "status_label": job.get_status_display(), "finished": job.is_finished,
        "progress": job.progress_percent, "progress_done": job.progress_done, "progress_total": job.progress_total,
        "message": job.message, "attempts": job.attempts, "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at), "heartbeat_at": _iso(job.heartbeat_at),
        "finished_at": _iso(job.finished_at),
    }
