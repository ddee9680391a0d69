# ExportJob of any staff list (issue 11 item 5): the job names its export kind, and holds its records'
# ids (a case list's case ids, as before) under a name that says so. Numbered 0013 on t20-exports, 0014 at merge
# (after the free-text index, 0012 and 0013).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_t19_search_fts"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(default="cases", max_length=40, verbose_name="导出类型"),
        ),
        migrations.RenameField(model_name="exportjob", old_name="case_ids", new_name="record_ids"),
    ]
