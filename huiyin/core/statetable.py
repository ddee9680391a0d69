"""One small state machine as a table, for the modules (mediation, reception, outreach, …).

The petition workflow has its own, richer table (huiyin/workflow/transitions.py); a module's record
(a mediation, a booking, a commitment) needs the same three things and no more: (state, action) →
next state, the roles that may take each action, and one refusal, worded for the screen, when the pair
is not in the table or the role may not. Each module writes its table once as data and keeps its guards
(consent, the acting unit) next to its writes; `permitted`/`step` are the only reading of the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label) if choices is not None else value
    except ValueError:
        return value


@dataclass(frozen=True)
class StateTable:
    """`transitions[(state, action)] = next state`; `may[action]` = the roles that may take it."""

    name: str  # what the record is called in a refusal: "调解", "预约"
    transitions: Mapping[tuple[str, str], str]
    may: Mapping[str, frozenset[str]] = field(default_factory=dict)
    states: Any = None  # the TextChoices of the states and actions, for the refusal's wording
    actions: Any = None
    refused: str = "无权办理此操作"  # the permission refusal's text

    def next_state(self, state: str, action: str) -> str | None:
        return self.transitions.get((state, action))

    def actions_from(self, state: str) -> list[str]:
        return [a for (s, a) in self.transitions if s == state]

    def role_may(self, role: str | None, action: str) -> bool:
        return role is not None and role in self.may.get(action, frozenset())

    def permitted(self, state: str, role: str | None) -> list[str]:
        """The actions a user of `role` could take from `state` (for the buttons on a page)."""
        return [a for a in self.actions_from(state) if self.role_may(role, a)]

    def step(self, state: str, action: str, role: str | None, *, side_ok: bool = True) -> str:
        """The next state, or the refusal: a pair outside the table first (whoever asks), then a role
        the table does not allow or a user who is not on the record's side (`side_ok`)."""
        target = self.next_state(state, action)
        if target is None:
            raise TransitionNotAllowed(
                f"当前状态（{_label(self.states, state)}）不能{_label(self.actions, action)}",
                extra={"record": self.name, "state": state, "action": action},
            )
        if not side_ok or not self.role_may(role, action):
            raise PermissionDenied(self.refused, extra={"record": self.name, "action": action})
        return target
