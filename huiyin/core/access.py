"""Who may open each route, declared next to the routes (STYLE: one declaration per module).

Every urls.py and api.py names the access rule of each of its routes with `declare`. The permission
sweep (tests/test_permission_sweep.py) walks every route and fails for one that has no rule here, then
attacks each route according to its rule. The rule is a claim the sweep checks, not an enforcement:
views and API operations still check access themselves (`access_case`, `visible_to`, the services).
"""

from __future__ import annotations

from collections.abc import Mapping

PUBLIC = "public"  # anyone, signed in or not (the portal, Open311, sign-in, the API's description)
STAFF = "staff"  # any signed-in staff member, anonymous refused; lists show only what the user may see
CASE = "case"  # one case: staff with access to the case; anyone else the missing-case 404
OWN = "own"  # one's own record (a work notice): anyone else's is the missing-record 404
INTAKE = "intake"  # registration desks only (clerk, dispatcher, grid worker, leader); 403 for others
AUDIT = "audit"  # the audit log: supervisors (their territory) and administrators; 403 for others
LEAD = "lead"  # a leader's own pages (领导信箱与包案): leaders only; 403 for others (issue 10 item 11)
RECORD = "record"  # one record of a module (a mediation, a ledger item): who may see it; others the 404

KINDS = frozenset({PUBLIC, STAFF, CASE, OWN, INTAKE, AUDIT, LEAD, RECORD})

_RULES: dict[str, tuple[str, str]] = {}  # route name -> (rule, declaring module)


class RuleConflict(ValueError):
    """Two modules declare different rules for one route name."""


def declare(module: str, rules: Mapping[str, str]) -> None:
    """Record the access rule of each named route of `module` (call it beside its urlpatterns/router)."""
    for name, rule in rules.items():
        if rule not in KINDS:
            raise ValueError(f"{module}: unknown access rule {rule!r} for route {name!r}")
        known = _RULES.get(name)
        if known is not None and known[0] != rule:
            raise RuleConflict(f"route {name!r}: {known[1]} says {known[0]}, {module} says {rule}")
        _RULES[name] = (rule, module)


def rule_for(name: str | None) -> str | None:
    """The declared rule of a route name, or None when no module declared one."""
    if not name or name not in _RULES:
        return None
    return _RULES[name][0]


def declared() -> dict[str, str]:
    """Every declared route name with its rule (for the sweep and the docs)."""
    return {name: rule for name, (rule, _module) in _RULES.items()}
