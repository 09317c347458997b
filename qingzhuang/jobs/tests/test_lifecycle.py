"""The job life cycle: claim, progress, finish, fail, stale detection, retry (``jobs.lifecycle``)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from qingzhuang.jobs import lifecycle
from qingzhuang.jobs.models import JobStatus
from qingzhuang.jobs.schemas import JobOut, job_json
from qingzhuang.jobs.tests.conftest import SampleJob
from qingzhuang.orgs.models import AuditLog


def fresh(job: SampleJob) -> SampleJob:
    return SampleJob.objects.get(pk=job.pk)


def test_a_new_job_is_queued(job):
    assert (job.status, job.get_status_display(), job.attempts, job.progress_percent) == ("queued", "排队中", 0, 0)
    assert job.is_queued and not job.is_finished


def test_claim_changes_exactly_one_row_and_a_second_claim_fails(job):
    other = SampleJob.objects.create(name="另一个任务")
    second_worker = fresh(job)  # another worker's copy, read before the first claim
    assert lifecycle.claim(job, message="正在读取…") is True
    assert (job.status, job.attempts, job.message, job.get_status_display()) == ("running", 1, "正在读取…", "处理中")
    assert job.started_at is not None and job.heartbeat_at == job.started_at
    assert lifecycle.claim(second_worker) is False
    assert second_worker.status == JobStatus.QUEUED  # the loser's copy is left as it was
    assert fresh(job).attempts == 1
    assert fresh(other).status == JobStatus.QUEUED  # only the claimed row changed


def test_progress_is_a_heartbeat_and_fills_the_bar(job):
    lifecycle.claim(job)
    before = job.heartbeat_at
    assert lifecycle.progress(job, done=25, total=200, message="正在校验数据…") is True
    stored = fresh(job)
    assert (stored.progress_done, stored.progress_total, stored.message) == (25, 200, "正在校验数据…")
    assert stored.heartbeat_at >= before and stored.progress_percent == 12
    assert lifecycle.progress(job, done=200) is True
    assert fresh(job).progress_percent == 99  # never 100 before the end


def test_progress_of_a_job_not_running_writes_nothing(job):
    assert lifecycle.progress(job, done=5, total=10) is False
    assert fresh(job).progress_done == 0


def test_finish_records_the_outcome_and_the_models_fields(job):
    lifecycle.claim(job)
    with transaction.atomic():
        lifecycle.finish(job, message="处理完成：共3项", result=3, progress_done=3, progress_total=3)
    stored = fresh(job)
    assert (stored.status, stored.get_status_display(), stored.message, stored.result) == (
        "succeeded", "已完成", "处理完成：共3项", 3)
    assert stored.is_finished and stored.finished_at is not None and stored.progress_percent == 100


def test_finish_as_rejected(job):
    lifecycle.claim(job)
    lifecycle.finish(job, status=JobStatus.REJECTED, message="未通过校验：文件中没有数据行")
    stored = fresh(job)
    assert (stored.status, stored.get_status_display(), stored.is_rejected) == ("rejected", "未通过校验", True)
    with pytest.raises(ValueError):
        lifecycle.finish(job, status=JobStatus.FAILED)


def test_fail_keeps_the_message_for_users_and_the_error_for_administrators(job):
    lifecycle.claim(job)
    error = lifecycle.describe(ValueError("bad cell"))
    assert lifecycle.fail(job, "处理过程中发生系统错误，请稍后重试", error=error) is True
    stored = fresh(job)
    assert (stored.status, stored.get_status_display(), stored.message, stored.error) == (
        "failed", "处理失败", "处理过程中发生系统错误，请稍后重试", "ValueError: bad cell")
    assert stored.is_failed and stored.is_finished and stored.finished_at is not None


def test_a_stale_running_job_becomes_failed_and_retryable(job):
    lifecycle.claim(job)
    # The default limit is a minute: workers beat every 15 seconds while a job runs.
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=75))
    job = lifecycle.mark_if_stale(fresh(job))
    assert (job.status, job.message) == ("failed", "任务已中断（服务重启或处理进程退出），请重试")
    assert job.error.startswith("处理进程没有响应：最近心跳 ")
    entry = AuditLog.objects.get(action="jobs.stale")
    assert (entry.object_type, entry.object_id, entry.actor_name, entry.after["status"]) == (
        "jobs.samplejob", str(job.pk), "系统", "failed")
    assert lifecycle.retry(job) is True
    assert (fresh(job).status, fresh(job).started_at, fresh(job).error) == ("queued", None, "")
    assert lifecycle.claim(job) is True and job.attempts == 2


def test_a_fresh_running_job_is_left_alone(job):
    lifecycle.claim(job)
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=30))
    assert lifecycle.mark_if_stale(fresh(job)).status == JobStatus.RUNNING
    assert lifecycle.mark_if_stale(SampleJob.objects.all()) == 0
    assert not AuditLog.objects.filter(action="jobs.stale").exists()


def test_stale_detection_on_a_queryset_and_the_setting(job, settings):
    stale, fresh_job, done = job, SampleJob.objects.create(), SampleJob.objects.create()
    for j in (stale, fresh_job, done):
        lifecycle.claim(j)
    lifecycle.finish(done)
    an_hour_ago = timezone.now() - dt.timedelta(minutes=60)
    SampleJob.objects.filter(pk__in=[stale.pk, done.pk]).update(heartbeat_at=an_hour_ago)
    SampleJob.objects.filter(pk=fresh_job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=20))
    settings.QZ_JOB_STALE_MINUTES = 90
    assert lifecycle.mark_if_stale(SampleJob.objects.all()) == 0
    settings.QZ_JOB_STALE_MINUTES = 30
    assert lifecycle.mark_if_stale(SampleJob.objects.all()) == 1
    assert [fresh(j).status for j in (stale, fresh_job, done)] == ["failed", "running", "succeeded"]
    assert lifecycle.mark_if_stale(SampleJob.objects.all(), minutes=10) == 1  # an explicit limit
    assert fresh(fresh_job).status == JobStatus.FAILED


def test_a_running_job_from_before_heartbeats_is_judged_by_its_start(job):
    SampleJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING,
                                               started_at=timezone.now() - dt.timedelta(hours=2))
    assert lifecycle.mark_if_stale(fresh(job)).status == JobStatus.FAILED
    unknown = SampleJob.objects.create(status=JobStatus.RUNNING)  # no timestamps: nothing to judge by
    assert lifecycle.mark_if_stale(unknown).status == JobStatus.RUNNING


def test_retry_only_requeues_a_finished_job(job):
    assert lifecycle.retry(job) is False  # queued
    lifecycle.claim(job)
    assert lifecycle.retry(job) is False  # running, not stale
    lifecycle.progress(job, done=2, total=4, message="进行中")
    lifecycle.fail(job, "处理失败，请重试")
    assert lifecycle.retry(job, message="已重新排队") is True
    stored = fresh(job)
    assert (stored.status, stored.message, stored.progress_done, stored.progress_total, stored.finished_at) == (
        "queued", "已重新排队", 0, 0, None)
    assert lifecycle.retry(job) is False  # already queued


def test_a_run_that_lost_its_job_cannot_overwrite_the_new_run(job):
    """The first worker was taken for dead; the job was retried and claimed again by a second worker."""
    lifecycle.claim(job)
    first_run = fresh(job)
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    lifecycle.retry(fresh(job))
    second_run = fresh(job)
    assert lifecycle.claim(second_run) and second_run.attempts == 2
    assert lifecycle.progress(first_run, done=9) is False
    with pytest.raises(lifecycle.JobLost), transaction.atomic():
        SampleJob.objects.filter(pk=job.pk).update(result=99)  # the old run's results, rolled back
        lifecycle.finish(first_run, message="旧的结果")
    assert lifecycle.fail(first_run, "旧的失败") is False
    stored = fresh(job)
    assert (stored.status, stored.attempts, stored.result, stored.message) == ("running", 2, 0, "")


def test_a_slow_worker_marked_stale_still_records_its_true_outcome(job):
    lifecycle.claim(job)
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert lifecycle.mark_if_stale(fresh(job)).status == JobStatus.FAILED
    lifecycle.finish(job, message="处理完成")  # same attempt: its results committed
    assert fresh(job).status == JobStatus.SUCCEEDED


def test_job_json_matches_the_schema(job):
    lifecycle.claim(job)
    lifecycle.progress(job, done=1, total=4, message="正在处理…")
    data = job_json(fresh(job))
    assert JobOut(**data).model_dump() == data
    assert {k: data[k] for k in ("status", "status_label", "finished", "progress", "progress_done",
                                 "progress_total", "message", "attempts")} == {
        "status": "running", "status_label": "处理中", "finished": False, "progress": 25, "progress_done": 1,
        "progress_total": 4, "message": "正在处理…", "attempts": 1}
    assert "error" not in data


def test_progress_partial(job):
    lifecycle.claim(job)
    lifecycle.progress(job, done=50, total=200, message="正在校验数据…")
    html = render_to_string("jobs/_progress.html", {"job": fresh(job), "label": "导入进度", "unit": "行",
                                                    "approx": True})
    assert "已处理 50 / 约 200 行" in html and "正在校验数据…" in html
    assert 'aria-label="导入进度" aria-valuenow="25"' in html and "width: 25%" in html
    assert 'text-bg-info">处理中</span>' in html


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_silent_job_alive(sample_job_table):
    job = SampleJob.objects.create(name="长任务")
    lifecycle.claim(job)
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    with lifecycle.heartbeat(job, every=0.05):
        time.sleep(0.5)  # a long silent phase: no progress() call
    assert fresh(job).heartbeat_at > timezone.now() - dt.timedelta(seconds=10)
    assert lifecycle.mark_if_stale(fresh(job)).status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_never_revives_a_job_marked_stale(sample_job_table):
    job = SampleJob.objects.create(name="已中断")
    lifecycle.claim(job)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    SampleJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert lifecycle.mark_if_stale(fresh(job)).status == JobStatus.FAILED
    with lifecycle.heartbeat(job, every=0.05):
        time.sleep(0.3)
    assert (fresh(job).status, fresh(job).heartbeat_at) == (JobStatus.FAILED, long_ago)


def test_failing_a_task_run_needs_its_id(db):
    # A job run inline (no task) or a malformed id: nothing to fail (the dead worker case itself:
    # ledger.tests.test_import_jobs, with django-tasks-db's rows).
    assert lifecycle.fail_task_run("", "处理进程没有响应") == 0
    assert lifecycle.fail_task_run("not-a-uuid", "处理进程没有响应") == 0
    assert lifecycle.fail_task_run("6f1c1a8e-8a39-4c49-9f5e-0d3c8b7f2a11", "处理进程没有响应") == 0
