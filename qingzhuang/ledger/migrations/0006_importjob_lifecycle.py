"""ImportJob takes its life-cycle fields from jobs.JobFields: the row counters are renamed (data kept),
the heartbeat, attempts and error are added; jobs that had started count one attempt."""

from django.db import migrations, models


def count_started_attempts(apps, schema_editor):
    ImportJob = apps.get_model("ledger", "ImportJob")
    ImportJob.objects.filter(started_at__isnull=False).update(attempts=1)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0005_record_fk_without_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="total_rows", new_name="progress_total"),
        migrations.RenameField(model_name="importjob", old_name="processed_rows", new_name="progress_done"),
        migrations.AlterField(
            model_name="importjob", name="progress_total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AlterField(
            model_name="importjob", name="progress_done",
            field=models.PositiveIntegerField(default=0, verbose_name="已处理"),
        ),
        migrations.AddField(
            model_name="importjob", name="attempts",
            field=models.PositiveIntegerField(default=0, verbose_name="运行次数"),
        ),
        migrations.AddField(
            model_name="importjob", name="error",
            field=models.TextField(blank=True, verbose_name="错误详情"),
        ),
        migrations.AddField(
            model_name="importjob", name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近心跳"),
        ),
        migrations.AlterField(
            model_name="importjob", name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="开始时间"),
        ),
        migrations.AlterField(
            model_name="importjob", name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
        ),
        migrations.RunPython(count_started_attempts, migrations.RunPython.noop, elidable=True),
    ]
