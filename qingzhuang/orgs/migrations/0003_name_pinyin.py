from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    """The pinyin keys of every existing unit and person (the models keep them from now on)."""
    from qingzhuang.lib import pinyin

    for model_name, surname in (("Unit", False), ("Person", True)):
        model = apps.get_model("orgs", model_name)
        changed = []
        for obj in model.objects.only("pk", "name").iterator(chunk_size=2000):
            obj.name_pinyin, obj.name_initials = pinyin.keys(obj.name, surname=surname, max_length=255)
            changed.append(obj)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["name_pinyin", "name_initials"])
                changed = []
        if changed:
            model.objects.bulk_update(changed, ["name_pinyin", "name_initials"])



class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_audit_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='name_initials',
            field=models.CharField(blank=True, db_default='', db_index=True, default='', editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name='person',
            name='name_pinyin',
            field=models.CharField(blank=True, db_default='', db_index=True, default='', editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_initials',
            field=models.CharField(blank=True, db_default='', db_index=True, default='', editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_pinyin',
            field=models.CharField(blank=True, db_default='', db_index=True, default='', editable=False, max_length=255),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
