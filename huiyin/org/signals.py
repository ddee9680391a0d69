from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from huiyin.org.models import RuleProfile, RuleValue, Territory, Unit
from huiyin.org.selectors import forget_rules, forget_units, unit_graph


@receiver([post_save, post_delete], sender=RuleValue)
@receiver([post_save, post_delete], sender=RuleProfile)
@receiver([post_save, post_delete], sender=Territory)  # a territory's profile decides its cases' rules
def _rules_changed(**_: Any) -> None:
    # now (this transaction reads its own change) and again at COMMIT, so that no resolution cached
    # by another process before the change committed outlives it
    forget_rules()
    transaction.on_commit(forget_rules)


@receiver([post_save, post_delete], sender=Unit)
def _units_changed(**_: Any) -> None:
    # The accused-side rule reads the tree from the cache (ADR 0005): drop it, read it again at once
    # (so the first list after a change costs no extra query), and drop it once more at commit so that
    # no tree read inside the transaction outlives it.
    forget_units()
    unit_graph()
    transaction.on_commit(forget_units)


from django.contrib.auth.signals import user_logged_in  # noqa: E402
from django.http import HttpRequest  # noqa: E402

from huiyin.org.models import User  # noqa: E402


def second_factor_owed(user: User) -> str:
    """The second step owed at sign-in: "verify" (has an authenticator), "enrol" (role requires one), or ""."""
    from huiyin.org.services import role_requires_two_factor, two_factor_enrolled

    if two_factor_enrolled(user):
        return "verify"
    if role_requires_two_factor(user.role):
        return "enrol"
    return ""


@receiver(user_logged_in)
def _remember_second_factor(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    # decided once per sign-in (policy changes apply at the next sign-in); the session is server-side
    from huiyin.org.middleware import SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = second_factor_owed(user)
