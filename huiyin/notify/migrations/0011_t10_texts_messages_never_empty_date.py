"""A message never renders an empty date (issue 10 item 11: 258 demo SMS read "将在前办结").

The shipped wording of the messages that name a due date now says "在法定期限内" when there is none.
A template an administrator has not changed (its body is still the old shipped one) gets the new
wording; an edited one is left alone. Reversible.
"""

from django.db import migrations

from huiyin.notify.defaults import DEFAULT_TEMPLATES

OLD_BODIES = {
    "accept": "您的信访事项{{ code }}已由{{ office }}受理，将在{{ due_on }}前办结（《信访工作条例》第三十四条）。",
    "request_review": "您对信访事项{{ code }}的复查请求已转{{ review_unit }}，复查机关应在{{ due_on }}前书面答复。",
    "request_rereview": "您对信访事项{{ code }}的复核请求已转{{ rereview_unit }}，复核机关应在{{ due_on }}前提出复核意见。",
    "accept_review": "您对信访事项{{ code }}的复查（复核）请求已由{{ unit }}受理，将在{{ due_on }}前书面答复。",
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
    dependencies = [("notify", "0010_choices_after_issue10_merge")]
    operations = [migrations.RunPython(forwards, backwards)]
