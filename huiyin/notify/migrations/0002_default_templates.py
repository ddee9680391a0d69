"""Seed one editable template per message kind with the shipped wording (reversible)."""

from django.db import migrations

# The wording shipped today; changing defaults.py later does not change databases already seeded.
from huiyin.notify.defaults import DEFAULT_TEMPLATES


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for kind, (subject, body) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(kind=str(kind), defaults={"subject": subject, "body": body})


def unseed(apps, schema_editor):
    apps.get_model("notify", "MessageTemplate").objects.filter(
        kind__in=[str(k) for k in DEFAULT_TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_notifications")]
    operations = [migrations.RunPython(seed, unseed)]
