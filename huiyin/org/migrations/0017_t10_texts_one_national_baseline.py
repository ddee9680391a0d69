"""One national baseline: the values of 《信访工作条例》 live in `huiyin/org/rules.py` only (issue 10 item 8).

Migration 0002 used to copy them into rows of the national profile, so the same figures existed twice
and could drift. This removes every national row that equals the code's baseline; a row an
administrator changed (a different value or unit) stays, as the override it is. Reversible: the rows
come back from the code.
"""

from django.db import migrations

from huiyin.org.rules import NATIONAL_RULES

# The keys 0002 seeded, for the way back.
SEEDED_BY_0002 = (
    "routing_days", "notice_days", "objection_days", "handling_days", "extension_max_days",
    "review_request_days", "review_days", "rereview_request_days", "rereview_days",
    "max_representatives", "warning_percent", "roll_over_holiday",
)  # fmt: skip


def forwards(apps, schema_editor):
    RuleValue = apps.get_model("org", "RuleValue")
    for row in RuleValue.objects.filter(profile__code="national"):
        baseline = NATIONAL_RULES.get(row.key)
        if baseline is not None and row.value == baseline.value and row.unit == baseline.unit:
            row.delete()


def backwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    profile = RuleProfile.objects.filter(code="national").first()
    if profile is None:
        return
    for key in SEEDED_BY_0002:
        baseline = NATIONAL_RULES[key]
        RuleValue.objects.get_or_create(
            profile=profile,
            key=key,
            defaults={"value": baseline.value, "unit": baseline.unit, "article": baseline.article},
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0016_choices_after_t10_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
