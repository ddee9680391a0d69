"""The public commitment's state machine, as a table (like huiyin/workflow/transitions.py).

(state, action) -> next state; MAY[action] names the roles that may take it, and only staff of the
committing unit (or the named cadre) may act on a commitment at all. A broken or fulfilled promise is
final: nothing reopens it and nothing deletes it (seeds/004 践诺测评).
"""

from __future__ import annotations

from huiyin.org.choices import Role
from huiyin.outreach.choices import CommitmentAction as A
from huiyin.outreach.choices import CommitmentStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.ONGOING, A.PROGRESS): S.ONGOING,
    (S.ONGOING, A.FULFIL): S.FULFILLED,
    (S.ONGOING, A.BREAK): S.BROKEN,
}

# who publishes a promise in a unit's name, who reports progress, who declares it kept or not kept
PUBLISH: frozenset[str] = frozenset({Role.LEADER, Role.UNIT_HEAD})
MAY: dict[str, frozenset[str]] = {
    A.PROGRESS: frozenset({Role.LEADER, Role.UNIT_HEAD, Role.HANDLER}),
    A.FULFIL: PUBLISH,
    A.BREAK: PUBLISH,
}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def may_act(user: object, commitment: object, action: str) -> bool:
    """The role may take `action`, and the user belongs to the committing unit or is its named cadre."""
    role = getattr(user, "role", None)
    if role not in MAY.get(action, frozenset()):
        return False
    uid = getattr(user, "pk", None)
    return getattr(user, "unit_id", None) == getattr(commitment, "unit_id", -1) or (
        uid is not None and uid == getattr(commitment, "cadre_id", None)
    )
