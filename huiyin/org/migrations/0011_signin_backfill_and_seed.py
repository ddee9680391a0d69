"""Data: tokens issued before expiries existed expire 90 days from this upgrade; the administrator
role requires two-factor sign-in, every other role does not until an administrator turns it on."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

ROLES = ["clerk", "dispatcher", "handler", "unit_head", "leader", "mediator", "grid_worker", "supervisor", "admin"]
REQUIRED_BY_DEFAULT = {"admin"}


def forward(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + timedelta(days=90))
    Policy = apps.get_model("org", "RoleSignInPolicy")
    for role in ROLES:
        Policy.objects.get_or_create(role=role, defaults={"require_two_factor": role in REQUIRED_BY_DEFAULT})


def backward(apps, schema_editor):
    apps.get_model("org", "RoleSignInPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0010_signin_token_scope_and_2fa_policy")]
    operations = [migrations.RunPython(forward, backward)]
