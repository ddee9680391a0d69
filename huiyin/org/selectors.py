"""Reads about the organisation."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.cache import cache

from huiyin.org.choices import RuleKey, ValueUnit
from huiyin.org.models import ApiToken, RuleProfile, RuleValue, Territory, Unit, User
from huiyin.org.rules import NATIONAL_RULES, days_text, days_text_translated


@dataclass(frozen=True)
class Rule:
    key: RuleKey
    value: int
    unit: ValueUnit
    article: str

    @property
    def text(self) -> str:
        """The value as a text says it ("15日", "5个工作日"); templates write `{{ rules.notice_days.text }}`."""
        return days_text(self.value, self.unit)

    @property
    def portal_text(self) -> str:
        """The same in the portal's active language ("5 working days" on the English pages)."""
        return days_text_translated(self.value, self.unit)


def rules_for(territory: Territory | None) -> dict[RuleKey, Rule]:
    """The rule values in force for a territory today: its profile chain, then the national baseline."""
    return rules_for_profile(profile_for(territory))


class _Registered(Protocol):
    rule_profile: RuleProfile | None
    rule_profile_id: int | None
    territory: Territory | None
    office: Unit


def case_rules(case: _Registered) -> dict[RuleKey, Rule]:
    """The rules a case was registered under (a profile switch applies to new cases only); every text
    that names a figure for a case (receipt, notice, message, Open311 note) reads them from here."""
    if case.rule_profile_id:
        return rules_for_profile(case.rule_profile)
    return rules_for(case.territory or case.office.territory)


_RULES_VERSION_KEY = "huiyin:rules:version"
_NO_PROFILE = "none"  # cached answer "no profile at all" (a database without the national profile)


def forget_rules() -> None:
    """Called when a rule profile or value, or a territory, changes: every cached resolution is stale."""
    cache.set(_RULES_VERSION_KEY, secrets.token_hex(8), None)


def _rules_version() -> str:
    version = cache.get(_RULES_VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(_RULES_VERSION_KEY, version, None)
        version = cache.get(_RULES_VERSION_KEY, version)
    return str(version)


def profile_for(territory: Territory | None) -> RuleProfile | None:
    """The rule profile in force for `territory` (its nearest ancestor's, else the national one).

    Cached like the resolved rules (until any profile, rule value or territory changes): every intake
    asks, and walking the ancestors costs two queries (issue 15's lean intake)."""
    key = f"huiyin:rules:profile-of:{territory.pk if territory is not None else 'none'}:{_rules_version()}"
    found = cache.get(key)
    if found is None:
        if territory is not None:
            found = territory.effective_profile()
        else:
            found = RuleProfile.objects.filter(code=RuleProfile.NATIONAL_CODE).first()
        cache.set(key, found if found is not None else _NO_PROFILE, 3600)
    return None if found == _NO_PROFILE else found


def territory_by_pk(pk: int) -> Territory | None:
    """The territory `pk`, or None if there is none. Cached like the profile resolutions (until any
    profile, rule value or territory changes: org/signals.py): every intake names one, and the cache
    answers in a tenth of the query's time (issue 15's lean intake). A missing one is not cached."""
    key = f"huiyin:territory:{pk}:{_rules_version()}"
    found = cache.get(key)
    if found is None:
        found = Territory.objects.filter(pk=pk).first()
        if found is not None:
            cache.set(key, found, 3600)
    return found


def rules_for_profile(profile: RuleProfile | None) -> dict[RuleKey, Rule]:
    """Resolve a profile (cached until any rule value changes); every transition asks for it."""
    version = _rules_version()
    key = f"huiyin:rules:{profile.pk if profile else 'none'}:{version}"
    rules = cache.get(key)
    if rules is None:
        rules = _resolve(profile)
        cache.set(key, rules, 3600)
    return rules


def _resolve(profile: RuleProfile | None) -> dict[RuleKey, Rule]:
    """Resolve a profile: its own values, then those of the profiles it is based on, then the baseline."""
    chain: list[RuleProfile] = []
    seen: set[int] = set()
    while profile is not None and profile.pk not in seen:
        chain.append(profile)
        seen.add(profile.pk)
        profile = profile.based_on
    resolved: dict[RuleKey, Rule] = {
        key: Rule(key, d.value, d.unit, d.article) for key, d in NATIONAL_RULES.items()
    }
    by_profile: dict[int, list[RuleValue]] = {}
    for v in RuleValue.objects.filter(profile__in=chain):
        by_profile.setdefault(v.profile_id, []).append(v)
    for p in reversed(chain):  # the most specific profile wins
        for v in by_profile.get(p.pk, []):
            resolved[RuleKey(v.key)] = Rule(RuleKey(v.key), v.value, ValueUnit(v.unit), v.article)
    return resolved


# --- the unit tree, read whole (the confidentiality rule of 条例 §30¶3 walks it; ADR 0005) ------------

_UNITS_VERSION_KEY = "huiyin:units:version"


@dataclass(frozen=True)
class UnitNode:
    """One unit of the tree as the accused-side rule needs it: who is above it, what it is, where."""

    pk: int
    parent_id: int | None
    kind: str
    territory_id: int


def forget_units() -> None:
    """Called when a unit changes: the cached tree is stale."""
    cache.set(_UNITS_VERSION_KEY, secrets.token_hex(8), None)


def unit_graph() -> dict[int, UnitNode]:
    """Every unit (active or not) by id; cached until any unit changes. One query on a miss."""
    version = cache.get(_UNITS_VERSION_KEY)
    if version is None:
        forget_units()
        version = cache.get(_UNITS_VERSION_KEY)
    key = f"huiyin:units:{version}"
    graph = cache.get(key)
    if graph is None:
        graph = {
            pk: UnitNode(pk, parent_id, kind, territory_id)
            for pk, parent_id, kind, territory_id in Unit.objects.values_list(
                "pk", "parent_id", "kind", "territory_id"
            )
        }
        cache.set(key, graph, 300)  # short: a change rolled back after it was read expires soon
    return graph


def tokens_of(user: User) -> list[ApiToken]:
    """`user`'s own API tokens, newest first (never the hash)."""
    return list(ApiToken.objects.filter(user=user).defer("key_hash").order_by("-created_at", "-id"))


def unit_staff(unit_ids: Iterable[int | None], roles: Iterable[str]) -> set[int]:
    """Active accounts with one of `roles` in any of the units (who is told of a case event)."""
    ids = [u for u in unit_ids if u]
    if not ids:
        return set()
    return set(
        User.objects.filter(unit_id__in=ids, role__in=list(roles), is_active=True).values_list(
            "pk", flat=True
        )
    )
