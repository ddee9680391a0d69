"""Data: the competent organ's acceptance notice (条例 §23¶3) gets its editable template, and the
office's 受理告知 stops promising a handling date: the 60 days of §34 now run from the competent organ's
acceptance, so at the office's acceptance there is no date to promise. A template an administrator
edited is left as it is."""

from importlib import import_module

from django.db import migrations

OLD_ACCEPT = "您的信访事项{{ code }}已由{{ office }}受理，将在{{ due_on }}前办结（《信访工作条例》第三十四条）。"
NEW_ACCEPT = "您的信访事项{{ code }}已由{{ office }}受理，将转送或交办有权处理的机关，由其告知受理情况和办理期限。"


def forwards(apps, schema_editor):
    import_module("huiyin.notify.migrations.0002_default_templates").seed(apps, schema_editor)
    apps.get_model("notify", "MessageTemplate").objects.filter(kind="accept", body=OLD_ACCEPT).update(
        body=NEW_ACCEPT
    )


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    MessageTemplate.objects.filter(kind="accept", body=NEW_ACCEPT).update(body=OLD_ACCEPT)
    MessageTemplate.objects.filter(kind="accept_assignment").delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0006_t10_organ_acceptance_kind")]

    operations = [migrations.RunPython(forwards, backwards)]
