"""Seed the editable template of the new kind `divert_in_handling` (issue 10, 条例 §28¶2), as 0004 does
for `accept_review`; reversible."""

from importlib import import_module

from django.db import migrations


def seed(apps, schema_editor):
    import_module("huiyin.notify.migrations.0002_default_templates").seed(apps, schema_editor)


def unseed(apps, schema_editor):
    apps.get_model("notify", "MessageTemplate").objects.filter(kind="divert_in_handling").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0008_t10_types_divert_in_handling_kind'),
    ]

    operations = [migrations.RunPython(seed, unseed)]
