"""The public commitment's state machine, as a table (huiyin/core/statetable.py).

(state, action) -> next state; the table's `may[action]` names the roles that may take it, and only
staff of the committing unit (or the named cadre) may act on a commitment at all (`on_side`). A broken
or fulfilled promise is final: nothing reopens it and nothing deletes it (seeds/004 践诺测评).
"""

from __future__ import annotations

from huiyin.core.statetable import StateTable
from huiyin.org.choices import Role
from huiyin.outreach.choices import CommitmentAction as A
from huiyin.outreach.choices import CommitmentStatus as S

# who publishes a promise in a unit's name, who reports progress, who declares it kept or not kept
PUBLISH: frozenset[str] = frozenset({Role.LEADER, Role.UNIT_HEAD})

TABLE = StateTable(
    name="承诺",
    transitions={
        (S.ONGOING, A.PROGRESS): S.ONGOING,
        (S.ONGOING, A.FULFIL): S.FULFILLED,
        (S.ONGOING, A.BREAK): S.BROKEN,
    },
    may={
        A.PROGRESS: frozenset({Role.LEADER, Role.UNIT_HEAD, Role.HANDLER}),
        A.FULFIL: PUBLISH,
        A.BREAK: PUBLISH,
    },
    states=S,
    actions=A,
    refused="只有承诺单位的工作人员可以更新该承诺",
)
TRANSITIONS = TABLE.transitions
MAY = TABLE.may


def next_state(state: str, action: str) -> str | None:
    return TABLE.next_state(state, action)


def on_side(user: object, commitment: object) -> bool:
    """The user belongs to the committing unit or is its named cadre."""
    uid = getattr(user, "pk", None)
    return getattr(user, "unit_id", None) == getattr(commitment, "unit_id", -1) or (
        uid is not None and uid == getattr(commitment, "cadre_id", None)
    )


def step(user: object, commitment: object, action: str) -> str:
    """The next state, or the refusal (a pair outside the table first, then the role or the side)."""
    return TABLE.step(
        getattr(commitment, "status", ""),
        action,
        getattr(user, "role", None),
        side_ok=on_side(user, commitment),
    )


def may_act(user: object, commitment: object, action: str) -> bool:
    """The role may take `action` (in some state), and the user is on the commitment's side."""
    return TABLE.role_may(getattr(user, "role", None), action) and on_side(user, commitment)


def permitted(user: object, commitment: object) -> list[str]:
    """The actions `user` could take on `commitment` now (the buttons of its page)."""
    if not on_side(user, commitment):
        return []
    return TABLE.permitted(getattr(commitment, "status", ""), getattr(user, "role", None))
