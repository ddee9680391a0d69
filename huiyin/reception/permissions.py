"""Who may do what in leader reception (the module's capabilities, declared in apps.py)."""

from __future__ import annotations

from huiyin.org.choices import Role

# 代约: the office books a walk-in for a session (seeds/002 rule 3: 由信访部门统一安排和协调)
BOOK: frozenset[str] = frozenset({Role.CLERK, Role.DISPATCHER})
# 记录接待结果、邀请部门负责人: the office, and the leader at their own session
RECORD: frozenset[str] = frozenset({Role.DISPATCHER, Role.LEADER})
# 排班: edit the rules, generate the sessions, record an absence, set up the hall's windows
MANAGE: frozenset[str] = frozenset({Role.DISPATCHER, Role.ADMIN})
# 约访、下访: the leader schedules their own visit, or the office for a leader of its territory
VISIT: frozenset[str] = frozenset({Role.DISPATCHER, Role.LEADER})
# 一站式接待: the hall's clerk sends a walk-in to a department's window (seeds/003 §二(一))
SEND: frozenset[str] = frozenset({Role.CLERK, Role.DISPATCHER})
# the department's officer at the window registers the walk-in as received directly (条例 §23¶1)
WINDOW: frozenset[str] = frozenset({Role.HANDLER, Role.UNIT_HEAD})


def may(user: object, capability: frozenset[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in capability
