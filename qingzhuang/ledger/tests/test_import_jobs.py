"""Import jobs: upload, background run with progress, failure, staleness and retry."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingzhuang.ledger import access, imports
from qingzhuang.ledger.models import ImportJob, JobStatus, Record
from qingzhuang.ledger.tests.import_files import person, population_csv


def upload(tmp_path, people, name="人口.csv", encoding="utf-8"):
    path = population_csv(tmp_path / "upload.csv", people, encoding)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def create(catalog, tmp_path, people, capture, *, actor=None, **kwargs):
    with capture(execute=True):
        job = imports.job_create(actor=actor, dataset=catalog["population"], upload=upload(tmp_path, people),
                                 **kwargs)
    job.refresh_from_db()
    return job


def test_job_runs_when_committed(catalog, tmp_path, users, settings, django_capture_on_commit_callbacks):
    job = create(catalog, tmp_path, [person(1), person(2)], django_capture_on_commit_callbacks,
                 actor=users["sysadmin"])
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_total, job.progress_done, job.created, job.error_count) == (2, 2, 2, 0)
    assert job.progress_percent == 100
    assert job.message == "导入完成：共2行，新增2条、更新0条，0条未变化"
    assert job.started_at and job.finished_at
    assert job.file.startswith("imports/") and job.file.endswith(".csv")
    assert job.original_name == "人口.csv"
    assert not (Path(settings.MEDIA_ROOT) / job.file).exists()  # landed: removed
    assert set(Record.objects.values_list("job", flat=True)) == {job.pk}


def test_job_is_queued_until_commit(catalog, tmp_path, users, settings):
    job = imports.job_create(actor=users["sysadmin"], dataset=catalog["population"],
                             upload=upload(tmp_path, [person(1)]))
    assert job.status == JobStatus.QUEUED
    assert (Path(settings.MEDIA_ROOT) / job.file).is_file()


def test_rejected_job_keeps_the_problems(catalog, tmp_path, django_capture_on_commit_callbacks):
    job = create(catalog, tmp_path, [person(1, 性别="?"), person(2)], django_capture_on_commit_callbacks)
    assert job.status == JobStatus.REJECTED
    assert job.errors == [{"row": 2, "column": "性别", "value": "?", "code": "not_in_code_list",
                           "message": "不在代码表中，可填：男、女"}]
    assert (job.error_count, job.rejected, job.created) == (1, 1, 0)
    assert job.message == "未通过校验：共1个问题（涉及1行），没有写入任何数据。请修改后重新导入"
    assert Record.objects.count() == 0


def test_dry_run_job_then_real_import_by_retry(catalog, tmp_path, users, django_capture_on_commit_callbacks):
    job = create(catalog, tmp_path, [person(1)], django_capture_on_commit_callbacks, actor=users["sysadmin"],
                 dry_run=True)
    assert job.status == JobStatus.SUCCEEDED and job.created == 1
    assert job.message.startswith("预检通过") and Record.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        real = imports.job_retry(actor=users["sysadmin"], job=job, dry_run=False)
    real.refresh_from_db()
    assert real.status == JobStatus.SUCCEEDED and not real.dry_run
    assert Record.objects.count() == 1


def test_crash_leaves_job_failed_and_nothing_written(catalog, tmp_path, monkeypatch, users,
                                                     django_capture_on_commit_callbacks):
    def boom(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports._RecordWriter, "finish", boom)
    job = create(catalog, tmp_path, [person(1)], django_capture_on_commit_callbacks, actor=users["sysadmin"])
    assert job.status == JobStatus.FAILED
    assert job.message == "导入过程中发生系统错误，没有写入任何数据。请稍后重试，或联系系统管理员"
    assert Record.objects.count() == 0
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retry = imports.job_retry(actor=users["sysadmin"], job=job)
    retry.refresh_from_db()
    assert retry.status == JobStatus.SUCCEEDED and retry.pk != job.pk
    assert Record.objects.count() == 1


def test_progress_is_written_while_checking(catalog, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(imports, "CHUNK", 2)
    seen = []
    real = imports._Progress.rows

    def spy(self, count):
        real(self, count)
        seen.append(ImportJob.objects.values_list("progress_done", "progress_total").get(pk=self.job.pk))

    monkeypatch.setattr(imports._Progress, "rows", spy)
    create(catalog, tmp_path, [person(i) for i in range(1, 8)], django_capture_on_commit_callbacks)
    assert seen == [(2, 7), (4, 7), (6, 7)]


def test_oversized_and_unsupported_uploads_are_rejected_at_once(catalog, settings, tmp_path):
    settings.QZ_IMPORT_MAX_BYTES = 10
    job = imports.job_create(actor=None, dataset=catalog["population"], upload=upload(tmp_path, [person(1)]))
    assert job.status == JobStatus.REJECTED and job.errors[0]["code"] == "too_large"
    assert not (Path(settings.MEDIA_ROOT) / job.file).exists()
    settings.QZ_IMPORT_MAX_BYTES = 10**6
    exe = SimpleUploadedFile("x.exe", b"MZ")
    job = imports.job_create(actor=None, dataset=catalog["population"], upload=exe)
    assert job.status == JobStatus.REJECTED and job.errors[0]["code"] == "unsupported_type"


def test_invalid_period_is_rejected_at_once(catalog, tmp_path):
    job = imports.job_create(actor=None, dataset=catalog["population"], upload=upload(tmp_path, [person(1)]),
                             period="明年")
    assert job.status == JobStatus.REJECTED and job.errors[0]["code"] == "invalid_period"


def test_period_is_normalised(catalog, tmp_path):
    job = imports.job_create(actor=None, dataset=catalog["population"], upload=upload(tmp_path, [person(1)]),
                             period="2024年11月")
    assert job.period == "2024-11"


def test_without_permission(catalog, tmp_path, users):
    with pytest.raises(PermissionDenied):
        imports.job_create(actor=users["leader"], dataset=catalog["population"], upload=upload(tmp_path, [person(1)]))


def test_a_job_runs_once(catalog, tmp_path, django_capture_on_commit_callbacks):
    job = create(catalog, tmp_path, [person(1)], django_capture_on_commit_callbacks)
    assert imports.run_job(job.pk) == "skipped"


def test_stale_running_job_becomes_failed_and_retryable(catalog, tmp_path, users):
    job = imports.job_create(actor=users["sysadmin"], dataset=catalog["population"],
                             upload=upload(tmp_path, [person(1)]))
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING,
                                               started_at=timezone.now() - dt.timedelta(hours=2))
    found = access.get_job_or_404(users["sysadmin"], job.pk)
    assert found.status == JobStatus.FAILED
    assert found.message == "导入任务已中断（服务重启或处理进程退出），没有写入任何数据，请重试"
    assert imports.job_retry(actor=users["sysadmin"], job=found).status == JobStatus.QUEUED


def test_unfinished_job_cannot_be_retried(catalog, tmp_path, users):
    job = imports.job_create(actor=users["sysadmin"], dataset=catalog["population"],
                             upload=upload(tmp_path, [person(1)]))
    with pytest.raises(ValidationError):
        imports.job_retry(actor=users["sysadmin"], job=job)


def test_missing_file(catalog, tmp_path, settings):
    job = imports.job_create(actor=None, dataset=catalog["population"], upload=upload(tmp_path, [person(1)]))
    (Path(settings.MEDIA_ROOT) / job.file).unlink()
    assert imports.run_job(job.pk) == JobStatus.REJECTED
    job.refresh_from_db()
    assert job.errors[0]["message"] == "上传的文件已不存在，请重新上传"


def test_job_visibility(catalog, tmp_path, users):
    from django.http import Http404

    job = imports.job_create(actor=users["member"], dataset=catalog["population"],
                             upload=upload(tmp_path, [person(1)]))
    assert access.get_job_or_404(users["member"], job.pk) == job
    assert access.get_job_or_404(users["leader"], job.pk) == job  # county level
    with pytest.raises(Http404):
        access.get_job_or_404(users["outsider"], job.pk)


def test_estimate_rows(tmp_path):
    path = population_csv(tmp_path / "p.csv", [person(i) for i in range(5)])
    assert imports._estimate_rows(path) == 5
    from qingzhuang.ledger.tests.import_files import rows_of, write_xlsx

    assert imports._estimate_rows(write_xlsx(tmp_path / "p.xlsx", rows_of([person(1), person(2)]))) == 2
    assert imports._estimate_rows(tmp_path / "missing.csv") == 0


def test_stale_limit_of_imports_follows_the_older_setting_first(catalog, tmp_path, users, settings):
    job = imports.job_create(actor=users["sysadmin"], dataset=catalog["population"],
                             upload=upload(tmp_path, [person(1)]))
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1,
                                               started_at=timezone.now() - dt.timedelta(minutes=50),
                                               heartbeat_at=timezone.now() - dt.timedelta(minutes=45))
    settings.QZ_JOB_STALE_MINUTES, settings.QZ_IMPORT_STALE_MINUTES = 30, 60
    assert access.get_job_or_404(users["sysadmin"], job.pk).status == JobStatus.RUNNING
    settings.QZ_IMPORT_STALE_MINUTES = None  # unset: the general limit applies
    assert access.get_job_or_404(users["sysadmin"], job.pk).status == JobStatus.FAILED


def test_a_crash_while_importing_leaves_the_job_failed_and_retryable(catalog, tmp_path, users, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(imports, "import_file", crash)
    job = create(catalog, tmp_path, [person(1)], django_capture_on_commit_callbacks)
    assert (job.status, job.message, job.error, job.attempts) == (
        JobStatus.FAILED, "导入过程中发生系统错误，没有写入任何数据。请稍后重试，或联系系统管理员", "OSError: disk full", 1)
    assert job.is_finished and not Record.objects.exists()


def test_import_audit_row_has_unit_and_upload_ip(catalog, tmp_path, users, rf, django_capture_on_commit_callbacks):
    from qingzhuang.orgs.models import AuditLog

    request = rf.post("/", REMOTE_ADDR="10.9.8.7")
    job = create(catalog, tmp_path, [person(1)], django_capture_on_commit_callbacks, actor=users["sysadmin"],
                 request=request)
    assert job.uploaded_ip == "10.9.8.7"
    entry = AuditLog.objects.get(action="ledger.import")
    assert (entry.unit, entry.ip) == (users["sysadmin"].unit, "10.9.8.7")


def test_a_dead_workers_task_row_fails_with_its_job_and_a_retry_runs(catalog, tmp_path, users, settings,
                                                                    django_capture_on_commit_callbacks):
    """A worker killed while importing: django-tasks-db's row of its task run stays RUNNING (the
    worker has no heartbeat of its own) until our stale check fails the job; then both are FAILED,
    and a retry enqueues a new task that a worker runs to the end."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from qingzhuang.jobs import lifecycle

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = users["sysadmin"]
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.job_create(actor=admin, dataset=catalog["population"], upload=upload(tmp_path, [person(1)]))
    task_row = DBTaskResult.objects.get()
    assert (task_row.status, task_row.args_kwargs) == ("READY", {"args": [job.pk], "kwargs": {}})
    # A worker claims the task and the job, then is killed: no outcome, no heartbeat for two hours.
    task_row.claim("worker-killed")
    assert lifecycle.claim(job, task_id=str(task_row.pk)) is True
    assert ImportJob.objects.get(pk=job.pk).task_id == str(task_row.pk)
    last_beat = timezone.now() - dt.timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=last_beat)

    found = access.get_job_or_404(admin, job.pk)  # the pages' and the API's stale check
    error = f"处理进程没有响应：最近心跳 {timezone.localtime(last_beat):%Y-%m-%d %H:%M:%S}"
    assert (found.status, found.error) == (JobStatus.FAILED, error)
    task_row.refresh_from_db()
    assert (task_row.status, task_row.exception_class_path) == ("FAILED", "qingzhuang.jobs.lifecycle.WorkerLost")
    assert task_row.finished_at is not None
    assert task_row.task_result.errors[0].traceback == f"WorkerLost: {error}\n"
    assert lifecycle.fail_task_run(str(task_row.pk), error) == 0  # already failed: left alone

    with django_capture_on_commit_callbacks(execute=True):
        new = imports.job_retry(actor=admin, job=found)
    new_row = DBTaskResult.objects.exclude(pk=task_row.pk).get()
    assert (new_row.status, new_row.args_kwargs["args"]) == ("READY", [new.pk])
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="worker-new", excluded_queue_names=[])
    new_row.claim(worker.worker_id)
    worker.run_task(new_row)
    new_row.refresh_from_db()
    new.refresh_from_db()
    assert (new_row.status, new_row.return_value) == ("SUCCESSFUL", JobStatus.SUCCEEDED)
    assert (new.status, new.created, new.task_id) == (JobStatus.SUCCEEDED, 1, str(new_row.pk))

