"""Reference data the application cannot work without (rule profiles, taxonomy, responsibility matrix,
message templates). Data migrations create it; `flush` (used by transactional tests and by operators
wiping a database) deletes it, so it is restored after every post_migrate signal. Every seeding
function is idempotent (get_or_create)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps as global_apps

# (migration module, function) in dependency order.
SEEDS = (
    ("huiyin.org.migrations.0002_national_rule_profile", "forwards"),
    ("huiyin.org.migrations.0005_province_profiles", "forwards"),
    ("huiyin.org.migrations.0009_shandong_profile", "forwards"),
    ("huiyin.cases.migrations.0003_subject_taxonomy", "forwards"),
    ("huiyin.org.migrations.0007_default_responsibility_rules", "forwards"),
    ("huiyin.notify.migrations.0002_default_templates", "seed"),
)


def restore_reference_data(**_: Any) -> None:
    from huiyin.org.models import RuleProfile

    if RuleProfile.objects.filter(code=RuleProfile.NATIONAL_CODE).exists():
        return  # nothing was flushed
    for module, function in SEEDS:
        getattr(import_module(module), function)(global_apps, None)
