"""Copy every ledger.Demand into burden.Demand, keeping its id, data, timestamps and fill.

The generic source is the report or data request the demand pointed at; ``placed_by`` its owner,
``title`` its name, ``month`` the local month the demand was created in. Ids are kept (audit rows
of ``demand.fill`` name ``ledger.demand`` with these ids), so PostgreSQL's sequence is moved past
them. Runs in batches; the reverse copies report and data-request demands back.
"""

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone

BATCH = 1000


def _reset_sequence(schema_editor, model) -> None:
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), [model])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _keep_created_at(model):
    """``created_at`` is auto_now_add: bulk_create would stamp it with now, not the old time."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    return field


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Old = apps.get_model("ledger", "Demand")
    New = apps.get_model("burden", "Demand")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Old.objects.using(db).exists():
        return
    report_type, _ = ContentType.objects.using(db).get_or_create(app_label="ledger", model="report")
    request_type, _ = ContentType.objects.using(db).get_or_create(app_label="ledger", model="datarequest")
    field = _keep_created_at(New)
    try:
        batch = []
        rows = Old.objects.using(db).select_related("report", "request").order_by("pk")
        for d in rows.iterator(chunk_size=BATCH):
            is_report = d.report_id is not None
            source = d.report if is_report else d.request
            batch.append(New(
                id=d.pk, kind="report" if is_report else "data_request",
                source_type_id=(report_type if is_report else request_type).pk, source_id=source.pk,
                unit_id=d.unit_id, placed_by_id=source.owner_id,
                title=(source.name if is_report else source.title)[:200],
                month=timezone.localtime(d.created_at).strftime("%Y-%m"), round=d.round, fields=d.fields,
                status=d.status, due_date=d.due_date, data=d.data, note=d.note, created_at=d.created_at,
                filled_at=d.filled_at, filled_by_id=d.filled_by_id,
            ))
            if len(batch) >= BATCH:
                New.objects.using(db).bulk_create(batch)
                batch = []
        New.objects.using(db).bulk_create(batch)
    finally:
        field.auto_now_add = True
    _reset_sequence(schema_editor, New)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Old = apps.get_model("ledger", "Demand")
    New = apps.get_model("burden", "Demand")
    field = _keep_created_at(Old)
    try:
        batch = []
        rows = New.objects.using(db).filter(kind__in=["report", "data_request"]).order_by("pk")
        for d in rows.iterator(chunk_size=BATCH):
            source = {"report_id": d.source_id} if d.kind == "report" else {"request_id": d.source_id}
            batch.append(Old(
                id=d.pk, unit_id=d.unit_id, round=d.round, fields=d.fields, status=d.status, due_date=d.due_date,
                data=d.data, note=d.note, created_at=d.created_at, filled_at=d.filled_at,
                filled_by_id=d.filled_by_id, **source,
            ))
            if len(batch) >= BATCH:
                Old.objects.using(db).bulk_create(batch)
                batch = []
        Old.objects.using(db).bulk_create(batch)
    finally:
        field.auto_now_add = True
    New.objects.using(db).filter(kind__in=["report", "data_request"]).delete()
    _reset_sequence(schema_editor, Old)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0006_importjob_lifecycle"),
        ("burden", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
