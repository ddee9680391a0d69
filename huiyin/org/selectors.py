"""Reads about the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from huiyin.org.choices import RuleKey, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue, Territory
from huiyin.org.rules import NATIONAL_RULES


@dataclass(frozen=True)
class Rule:
    key: RuleKey
    value: int
    unit: ValueUnit
    article: str


def rules_for(territory: Territory | None) -> dict[RuleKey, Rule]:
    """The rule values in force for a territory: its profile chain, then the national baseline."""
    profile = (
        territory.effective_profile()
        if territory
        else RuleProfile.objects.filter(code=RuleProfile.NATIONAL_CODE).first()
    )
    chain: list[RuleProfile] = []
    seen: set[int] = set()
    while profile is not None and profile.pk not in seen:
        chain.append(profile)
        seen.add(profile.pk)
        profile = profile.based_on
    resolved: dict[RuleKey, Rule] = {
        key: Rule(key, d.value, d.unit, d.article) for key, d in NATIONAL_RULES.items()
    }
    values = RuleValue.objects.filter(profile__in=chain)
    by_profile: dict[int, list[RuleValue]] = {}
    for v in values:
        by_profile.setdefault(v.profile_id, []).append(v)
    for p in reversed(chain):  # the most specific profile wins
        for v in by_profile.get(p.pk, []):
            resolved[RuleKey(v.key)] = Rule(RuleKey(v.key), v.value, ValueUnit(v.unit), v.article)
    return resolved


def territory_subtree_q(territory: Territory, field: str = "territory") -> dict[str, str]:
    return {f"{field}__path__startswith": territory.path}
