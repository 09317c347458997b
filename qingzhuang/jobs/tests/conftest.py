"""A concrete job model for the life-cycle tests (``JobFields`` is abstract; the apps above own the real
ones). Its table is created once per test session, outside the tests' transactions."""

from __future__ import annotations

import pytest
from django.db import connection, models

from qingzhuang.jobs.models import JobFields


class SampleJob(JobFields):
    name = models.CharField(max_length=50, blank=True)
    result = models.IntegerField(default=0)

    class Meta:
        app_label = "jobs"
        db_table = "jobs_test_samplejob"

    def __str__(self) -> str:
        return self.name or f"任务{self.pk}"


@pytest.fixture(scope="session")
def sample_job_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(SampleJob)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(SampleJob)


@pytest.fixture
def job(sample_job_table, db) -> SampleJob:
    return SampleJob.objects.create(name="测试任务")
