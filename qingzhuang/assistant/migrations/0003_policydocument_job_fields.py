"""Indexing a policy document becomes a job (jobs.JobFields): progress, timestamps, heartbeat,
attempts, error. Documents already indexed or failed count one attempt ending when last indexed; one
left "indexing" gets its last change as its start, so stale detection can fail it and it can be
re-indexed."""

from django.db import migrations, models
from django.db.models import F


def fill_job_fields(apps, schema_editor):
    PolicyDocument = apps.get_model("assistant", "PolicyDocument")
    PolicyDocument.objects.filter(status__in=["indexed", "failed"]).update(
        attempts=1, finished_at=F("indexed_at"), progress_done=F("passage_count"), progress_total=F("passage_count"))
    PolicyDocument.objects.filter(status="indexing").update(attempts=1, started_at=F("updated_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("assistant", "0002_policy_tokenizer"),
    ]

    operations = [
        migrations.AddField(
            model_name="policydocument", name="attempts",
            field=models.PositiveIntegerField(default=0, verbose_name="运行次数"),
        ),
        migrations.AddField(
            model_name="policydocument", name="error",
            field=models.TextField(blank=True, verbose_name="错误详情"),
        ),
        migrations.AddField(
            model_name="policydocument", name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
        ),
        migrations.AddField(
            model_name="policydocument", name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近心跳"),
        ),
        migrations.AddField(
            model_name="policydocument", name="progress_done",
            field=models.PositiveIntegerField(default=0, verbose_name="已处理"),
        ),
        migrations.AddField(
            model_name="policydocument", name="progress_total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AddField(
            model_name="policydocument", name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="开始时间"),
        ),
        migrations.RunPython(fill_job_fields, migrations.RunPython.noop, elidable=True),
    ]
