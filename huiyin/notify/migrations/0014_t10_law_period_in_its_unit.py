"""A day count in a message is written in its rule's own unit (t10-law; issue 10 item 8): "经批准延期5个工作日"
where the type's extension rule counts working days, "自受理之日起10个工作日" where its handling rule does,
never "日" assumed. A template an administrator has not changed gets the new wording; an edited one is
left alone. Reversible."""

from django.db import migrations

from huiyin.notify.defaults import DEFAULT_TEMPLATES

OLD_BODIES = {
    "extend": "您的信访事项{{ code }}经批准延期{{ days }}日，办理期限至{{ new_due_on }}。延期理由：{{ reason }}",
    "accept_assignment": "您的信访事项{{ code }}已由{{ unit }}受理，{% if due_on %}将在{{ due_on }}前办结（自受理之日起{{ days }}日）{% else %}将在法定期限内办结{% endif %}。{{ reason }}",
}


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for kind, old in OLD_BODIES.items():
        MessageTemplate.objects.filter(kind=kind, body=old).update(body=DEFAULT_TEMPLATES[kind][1])


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for kind, old in OLD_BODIES.items():
        MessageTemplate.objects.filter(kind=kind, body=DEFAULT_TEMPLATES[kind][1]).update(body=old)


class Migration(migrations.Migration):
    dependencies = [("notify", "0013_t10_law_direct_message_templates")]
    operations = [migrations.RunPython(forwards, backwards)]
