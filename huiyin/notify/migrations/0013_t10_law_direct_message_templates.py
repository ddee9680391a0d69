"""Seed the editable templates of the three new kinds a unit's answer to a petition it received directly
sends (t10-law, 条例 §23¶1: direct_handle, direct_route, direct_redirect), as 0009 does; reversible."""

from importlib import import_module

from django.db import migrations

KINDS = ("direct_handle", "direct_route", "direct_redirect")


def seed(apps, schema_editor):
    import_module("huiyin.notify.migrations.0002_default_templates").seed(apps, schema_editor)


def unseed(apps, schema_editor):
    apps.get_model("notify", "MessageTemplate").objects.filter(kind__in=KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0012_t10_law_direct_message_kinds")]
    operations = [migrations.RunPython(seed, unseed)]
