from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("org", "0011_signin_backfill_and_seed")]
    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="有效期至"),
        ),
    ]
