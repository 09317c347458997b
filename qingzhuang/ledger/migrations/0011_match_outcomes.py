# Three outcomes of 找数据 (exact, related, none) and the confirmation of related fields.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0010_importjob_uploaded_ip'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dataelement',
            name='related_names',
            field=models.JSONField(blank=True, default=list, verbose_name='相近字段'),
        ),
        migrations.AddField(
            model_name='datarequestfield',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='确认时间'),
        ),
        migrations.AddField(
            model_name='datarequestfield',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人'),
        ),
        migrations.AddField(
            model_name='datarequestfield',
            name='outcome',
            field=models.CharField(choices=[('exact', '已有（同一数据项）'), ('related', '相近（需确认）'), ('none', '未找到')], default='none', max_length=8, verbose_name='匹配结果'),
        ),
        migrations.AddField(
            model_name='datarequestfield',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='匹配依据'),
        ),
    ]


# The built-in catalog named different facts as synonyms: 户籍地址 is not 居住地址, and 是否低保 /
# 是否残疾 are answered by a value of 特殊群体's code list, not by 特殊群体 itself.
WRONG_SYNONYMS = {"home_address": ("户籍地址",), "special_groups": ("是否低保", "低保", "是否残疾", "是否退役军人")}
NEAR_NAMES = {"home_address": ("户籍地址", "户籍所在地", "户口所在地")}


def correct_catalog(apps, schema_editor):
    DataElement = apps.get_model("ledger", "DataElement")
    for element in DataElement.objects.filter(code__in=list(WRONG_SYNONYMS)):
        wrong = WRONG_SYNONYMS[element.code]
        element.synonyms = [s for s in element.synonyms or [] if s not in wrong]
        near = [n for n in NEAR_NAMES.get(element.code, ()) if n not in element.synonyms]
        element.related_names = list(dict.fromkeys([*(element.related_names or []), *near]))
        element.save(update_fields=["synonyms", "related_names"])


def classify_request_fields(apps, schema_editor):
    """Outcomes of the fields matched before there were three: a score of 1.00 on a held field was
    an exact match, a lower one a related match. Requests already submitted or decided keep what
    was counted (their related fields count as confirmed when submitted); a draft's related fields,
    and its fields matched through a synonym removed above, await confirmation, and its counts
    are recomputed."""
    DataRequest = apps.get_model("ledger", "DataRequest")
    DataRequestField = apps.get_model("ledger", "DataRequestField")
    removed = {s for names in WRONG_SYNONYMS.values() for s in names}
    for data_request in DataRequest.objects.all().iterator():
        editable = data_request.admission in ("draft", "rejected")
        held = 0
        for f in DataRequestField.objects.filter(request=data_request):
            if f.dataset_id is None:
                f.outcome = "none"
            elif f.score >= 1 and not (editable and f.text in removed):
                f.outcome = "exact"
            else:
                f.outcome = "related"
                if not editable:
                    f.confirmed_at = data_request.submitted_at or data_request.updated_at
            f.save(update_fields=["outcome", "confirmed_at"])
            held += f.outcome == "exact" or f.confirmed_at is not None
        if editable:
            total = DataRequestField.objects.filter(request=data_request).count()
            data_request.held_count, data_request.remaining_count = held, total - held
            data_request.not_asked = held * data_request.target_units.count()
            data_request.save(update_fields=["held_count", "remaining_count", "not_asked"])


Migration.operations += [
    migrations.RunPython(correct_catalog, migrations.RunPython.noop),
    migrations.RunPython(classify_request_fields, migrations.RunPython.noop),
]
