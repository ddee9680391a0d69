"""Reference data the application cannot work without (rule profiles, taxonomy, responsibility matrix,
message templates). Data migrations create it; `flush` (used by transactional tests and by operators
wiping a database) deletes it, so it is restored after every post_migrate signal: each module declares
its restorers in its `Module` (huiyin.core.registry, ADR 0007), in dependency order. Every restorer is
idempotent (get_or_create)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps

from huiyin.core import registry


def migration_seed(module: str, function: str = "forwards") -> Callable[[], None]:
    """A restorer that runs a data migration's seeding function against the current models."""

    def restore() -> None:
        getattr(import_module(module), function)(global_apps, None)

    return restore


def restore_reference_data(**_: Any) -> None:
    registry.restore_reference_data()
