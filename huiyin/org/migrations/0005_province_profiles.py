"""Example province profiles over the national baseline (docs/regulations.md §5; local rules, cited).

Values frozen here; administrators edit them in the admin and select a profile per territory.
"""

from django.db import migrations

PROFILES = {
    "zhejiang": (
        "浙江省（《浙江省信访条例》2016）",
        [
            ("small_group_size", 10, "count", "《浙江省信访条例》第十五条：十人以下推选代表不超过三人"),
            ("small_group_max_representatives", 3, "count", "《浙江省信访条例》第十五条"),
            ("max_representatives", 5, "count", "《浙江省信访条例》第十五条：十人以上不超过五人"),
            ("routing_days", 5, "working_day", "《浙江省信访条例》第二十条：五个工作日内"),
        ],
    ),
}


def seed_profiles(apps, profiles):
    """Create each profile over the national baseline with its cited values (idempotent; 0009 too)."""
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    national = RuleProfile.objects.get(code="national")
    for code, (name, values) in profiles.items():
        profile, _ = RuleProfile.objects.get_or_create(code=code, defaults={"name": name, "based_on": national})
        for key, value, unit, article in values:
            RuleValue.objects.get_or_create(
                profile=profile, key=key, defaults={"value": value, "unit": unit, "article": article}
            )


def forwards(apps, schema_editor):
    seed_profiles(apps, PROFILES)


def backwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    RuleValue.objects.filter(profile__code__in=PROFILES).delete()
    RuleProfile.objects.filter(code__in=PROFILES).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0004_rule_keys_small_groups")]
    operations = [migrations.RunPython(forwards, backwards)]
