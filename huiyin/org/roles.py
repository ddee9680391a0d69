"""Capabilities: which roles may do what, defined once (issue 10; ADR 0007).

Navigation, views, the assist, supervision, the staff notices and the permission sweep use these
names instead of spelling out role sets. Roles are one per account (ADR 0003). Whether a person may act
on a particular case is a further question (their unit's side of it: huiyin.workflow.actors); a
capability is what their role allows at all. Modules add their own capabilities in their `Module`
declaration (huiyin.core.registry); these are the core's, declared by the org app.
"""

from __future__ import annotations

from huiyin.org.choices import Role

# 登记: who registers a matter at a window, on the phone, from a letter, in the field
REGISTER: frozenset[str] = frozenset({Role.CLERK, Role.DISPATCHER, Role.GRID_WORKER, Role.LEADER})
# 核实联系方式: who verifies a new phone number as a petitioner's own (an audited action, issue 9)
VERIFY_CONTACT: frozenset[str] = frozenset({Role.CLERK, Role.DISPATCHER})
# 办理: who works a case in a responsible unit or organ (and is told of its steps)
HANDLE: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD})
# 转送/交办: who routes a case in a petition office (and is told of objections, transfers)
ROUTE: frozenset[str] = frozenset({Role.DISPATCHER, Role.UNIT_HEAD})
# 管辖争议决定 (条例 §24): who may decide a competence dispute for the common superior
DECIDE_DISPUTE: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.LEADER})
# 时限预警: whoever works in the unit whose clock turns yellow or red
WATCH_CLOCKS: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.DISPATCHER})
# 督查: who oversees a territory's cases (read across units, order 督办)
OVERSEE: frozenset[str] = frozenset({Role.SUPERVISOR, Role.LEADER})
# 答复督办: who answers a 督办 order addressed to their unit (a petition office: its dispatchers too)
ANSWER_SUPERVISION: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.LEADER})
ANSWER_SUPERVISION_IN_OFFICE: frozenset[str] = ANSWER_SUPERVISION | {Role.DISPATCHER}
# 审计: who reads the audit log
READ_AUDIT: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})
# 热点: who sees the hot issues of the territory
SEE_HOT_ISSUES: frozenset[str] = REGISTER | {Role.SUPERVISOR, Role.ADMIN}
# 回避 (条例 §28): whose links to a petitioner or the accused are checked before they act
CONFLICT_CHECKED: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD})

CAPABILITIES: dict[str, frozenset[str]] = {
    "register": REGISTER,
    "verify_contact": VERIFY_CONTACT,
    "handle": HANDLE,
    "route": ROUTE,
    "decide_dispute": DECIDE_DISPUTE,
    "watch_clocks": WATCH_CLOCKS,
    "oversee": OVERSEE,
    "answer_supervision": ANSWER_SUPERVISION,
    "answer_supervision_in_office": ANSWER_SUPERVISION_IN_OFFICE,
    "read_audit": READ_AUDIT,
    "see_hot_issues": SEE_HOT_ISSUES,
    "conflict_checked": CONFLICT_CHECKED,
}


def has(user: object, capability: frozenset[str]) -> bool:
    """Whether an authenticated staff account's role holds `capability` (one of the sets above)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in capability
