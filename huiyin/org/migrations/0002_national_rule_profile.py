"""Seed the national baseline rule profile (its values are the code's, huiyin/org/rules.py)."""

from django.db import migrations

# The national baseline's values live in one place, `huiyin.org.rules.NATIONAL_RULES` (issue 10
# item 8): the profile here holds only what an administrator changed. Databases migrated before this
# change had the 2022 values copied in as rows; 0013 removes the copies that equal the code.


def forwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleProfile.objects.get_or_create(code="national", defaults={"name": "全国（《信访工作条例》）"})


def backwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    RuleValue.objects.filter(profile__code="national").delete()
    RuleProfile.objects.filter(code="national").delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
