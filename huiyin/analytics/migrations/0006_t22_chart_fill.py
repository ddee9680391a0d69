"""Fill the chart-grain roll-up from the monthly rows already stored, a month at a time (closed months
included: their monthly rows are frozen, so their chart rows are too). Reversible: going back empties
the chart table.

The SQL is the service's (services.rollup_chart_month), so the migration writes exactly what the
roll-up writes; it reads only MonthlyFact, Territory and Unit, which this migration's state holds."""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    from huiyin.analytics.services import rollup_chart_month

    monthly = apps.get_model("analytics", "MonthlyFact")
    db = schema_editor.connection.alias
    months = monthly.objects.using(db).values_list("month", flat=True).distinct().order_by("month")
    for month in list(months):
        rollup_chart_month(month)


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("analytics", "ChartFact").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0005_t22_chart_rollup")]

    operations = [migrations.RunPython(fill, empty)]
