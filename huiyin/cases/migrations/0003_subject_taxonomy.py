"""Seed the three-level subject taxonomy (7 first-level classes, 517 leaves; SPEC §3.1)."""

import csv
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parent.parent / "fixtures" / "taxonomy.csv"


def forwards(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    nodes = {}
    with TAXONOMY.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names = [row["一级分类"].strip(), row["二级分类"].strip(), row["三级分类"].strip()]
            parent = None
            for level, _ in enumerate(names, start=1):
                full = " / ".join(names[:level])
                if full not in nodes:
                    nodes[full], _created = Category.objects.get_or_create(
                        full_name=full, defaults={"name": names[level - 1], "level": level, "parent": parent}
                    )
                parent = nodes[full]


def backwards(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for level in (3, 2, 1):
        Category.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
