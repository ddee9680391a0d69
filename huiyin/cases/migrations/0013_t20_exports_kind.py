# ExportJob of any staff list (issue 11 item 5): the job names its export kind, and holds its records'
# ids (a case list's case ids, as before) under a name that says so. Numbered 0013 on t20-exports
# (another branch adds 0012); the lead renumbers at merge.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_t18_paper_export_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(default="cases", max_length=40, verbose_name="导出类型"),
        ),
        migrations.RenameField(model_name="exportjob", old_name="case_ids", new_name="record_ids"),
    ]
