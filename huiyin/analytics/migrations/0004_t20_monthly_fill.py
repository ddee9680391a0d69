"""Fill the monthly roll-up from the daily rows already stored (closed months included: their daily
rows are frozen, so their sums are too). Reversible: going back empties the monthly table."""

from datetime import date, timedelta
from typing import Any

from django.db import migrations
from django.db.models import Max, Min

DIMENSIONS = ("metric", "unit_id", "territory_id", "petition_type", "category_id", "channel")


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def fill(apps: Any, schema_editor: Any) -> None:
    daily = apps.get_model("analytics", "DailyFact")
    monthly = apps.get_model("analytics", "MonthlyFact")
    db = schema_editor.connection.alias
    span = daily.objects.using(db).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return
    ops = schema_editor.connection.ops
    q = ops.quote_name
    dims = ", ".join(q(c) for c in DIMENSIONS)
    columns = ", ".join(q(c) for c in ("month", *DIMENSIONS, "num", "den"))
    sql = (
        f"INSERT INTO {q(monthly._meta.db_table)} ({columns}) "
        f"SELECT %s, {dims}, SUM({q('num')}), SUM({q('den')}) FROM {q(daily._meta.db_table)} "
        f"WHERE {q('day')} >= %s AND {q('day')} < %s GROUP BY {dims}"
    )
    month = span["first"].replace(day=1)
    with schema_editor.connection.cursor() as cursor:
        while month <= span["last"]:
            after = _next_month(month)
            a, b = ops.adapt_datefield_value(month), ops.adapt_datefield_value(after)
            cursor.execute(sql, (a, a, b))
            month = after


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("analytics", "MonthlyFact").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_t20_monthly")]

    operations = [migrations.RunPython(fill, empty)]
