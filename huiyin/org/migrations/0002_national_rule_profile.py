"""Seed the national baseline rule profile (values frozen here as of 《信访工作条例》2022)."""

from django.db import migrations

NATIONAL = [
    ("routing_days", 15, "calendar_day", "《信访工作条例》第二十二条第一款"),
    ("notice_days", 15, "calendar_day", "《信访工作条例》第二十三条第二款、第三款"),
    ("objection_days", 5, "working_day", "《信访工作条例》第二十三条第三款"),
    ("handling_days", 60, "calendar_day", "《信访工作条例》第三十四条"),
    ("extension_max_days", 30, "calendar_day", "《信访工作条例》第三十四条"),
    ("review_request_days", 30, "calendar_day", "《信访工作条例》第三十五条"),
    ("review_days", 30, "calendar_day", "《信访工作条例》第三十五条"),
    ("rereview_request_days", 30, "calendar_day", "《信访工作条例》第三十六条第一款"),
    ("rereview_days", 30, "calendar_day", "《信访工作条例》第三十六条第一款、第二款"),
    ("max_representatives", 5, "count", "《信访工作条例》第二十条第三款"),
    ("warning_percent", 67, "percent", "本系统默认：时限用去三分之二时黄灯预警"),
    ("roll_over_holiday", 0, "flag", "参照《民法典》第二百零三条（需法律确认；国家条例未规定）"),
]


def forwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    profile, _ = RuleProfile.objects.get_or_create(code="national", defaults={"name": "全国（《信访工作条例》）"})
    for key, value, unit, article in NATIONAL:
        RuleValue.objects.get_or_create(profile=profile, key=key, defaults={"value": value, "unit": unit,
                                                                            "article": article})


def backwards(apps, schema_editor):
    RuleProfile = apps.get_model("org", "RuleProfile")
    RuleValue = apps.get_model("org", "RuleValue")
    RuleValue.objects.filter(profile__code="national").delete()
    RuleProfile.objects.filter(code="national").delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
