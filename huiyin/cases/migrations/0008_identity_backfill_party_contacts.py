"""Give every existing party row the contact it was using: the petitioner's stored phone and address.

Before issue 9 a case's notices and the portal's 我的事项 read the petitioner's stored contact; after
it they read the party row. Copying the stored contact keeps every existing case reaching the person it
reached before. Reversible: the reverse leaves the columns to be dropped by 0006's reverse.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_stored_contact(apps, schema_editor):
    CasePetitioner = apps.get_model("cases", "CasePetitioner")
    Petitioner = apps.get_model("cases", "Petitioner")
    stored = Petitioner.objects.filter(pk=OuterRef("petitioner_id"))
    CasePetitioner.objects.update(
        phone=Subquery(stored.values("phone")[:1]), address=Subquery(stored.values("address")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_identity_party_contacts")]

    operations = [migrations.RunPython(copy_stored_contact, migrations.RunPython.noop)]
