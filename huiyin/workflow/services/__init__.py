"""Every state change of a case: one keyword-only service per action, by concern (registration,
routing, handling, answers, reviews, disputes, the accused side), all through `core._transition`.
The table and its guards are `workflow.transitions` and `workflow.guards`; who may act is
`workflow.actors`. Callers import from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huiyin.cases.models import Case
from huiyin.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed  # noqa: F401
from huiyin.workflow.actors import (  # noqa: F401
    MSG_NO_BAR_TO_CLEAR,
    Actor,
    CitizenActor,
    ConflictOfInterest,
    Interest,
    _pending_opinion,
    actor_sides,
    bars_clearable_by,
    ensure_actor_may,
    ensure_no_conflict,
    interest_of,
)
from huiyin.workflow.conflicts import EVENT_CLEARED
from huiyin.workflow.guards import (  # noqa: F401
    ACTOR_GUARDS,
    CO_HANDLING_ARTICLE,
    GUARDS,
    MSG_ACCEPT_FIRST,
    MSG_CO_PENDING,
    MSG_DISPUTE_OPEN,
    MSG_NO_ACCEPTANCE,
    MSG_NO_DISPUTE,
    MSG_NO_SUPERIOR,
    MSG_NOT_ACCEPTANCE_ORGAN,
    MSG_NOT_ACCUSATION,
    MSG_REASON_REQUIRED,
    _guard_acceptance_organ,
    _guard_acceptance_pending,
    _guard_accepted,
    _guard_accusation,
    _guard_acknowledge,
    _guard_clear_bar,
    _guard_delivered,
    _guard_dispute_open,
    _guard_extend,
    _guard_hearing,
    _guard_no_dispute,
    _guard_no_objection,
    _guard_object,
    _guard_objection_pending,
    _guard_rate,
    _guard_reopen,
    _guard_undelivered,
    _guard_window,
    _latest_opinion,
    _live_clock,
    _open_dispute,
    _refuse,
)
from huiyin.workflow.services.accused import (  # noqa: F401
    MSG_ACCUSED_UNIT_CONFLICT,
    MSG_ACCUSED_UNIT_REQUIRED,
    MSG_ACCUSED_USER_UNIT,
    MSG_NO_OFFICE_ABOVE,
    case_clear_conflict_bar,
    case_set_accused,
)
from huiyin.workflow.services.answers import (  # noqa: F401
    _WINDOW_AFTER,
    case_close,
    case_deliver,
    case_rate,
    case_reopen,
)
from huiyin.workflow.services.core import (  # noqa: F401
    Body,
    Context,
    _choice,
    _citizen_marks,
    _field_values,
    _jsonable,
    _require,
    _transition,
    allowed_actions,
    lock_case,
    rules_for_case,
)
from huiyin.workflow.services.direct import (  # t10-rules, RG-3
    case_direct_handle,
    case_direct_redirect,
    case_direct_route,
)
from huiyin.workflow.services.disputes import (  # noqa: F401
    case_acknowledge_conflict,
    case_attach_leader,
    case_co_report,
    case_decide_dispute,
    case_recuse,
    case_refer_dispute,
    leaders_for,
)
from huiyin.workflow.services.handling import (  # noqa: F401
    _issue_opinion,
    _opinion_fields,
    case_dismiss_objection,
    case_extend,
    case_mediate,
    case_object,
    case_reply,
    case_return,
    default_review_route,
)
from huiyin.workflow.services.registration import (
    case_accept,
    case_divert,
    case_merge,
    case_not_accept,
    case_transfer,
)
from huiyin.workflow.services.reviews import (  # noqa: F401
    _REVIEW_STAGES,
    _answer_review,
    _open_review,
    _superior,
    case_accept_review,
    case_hearing_end,
    case_hearing_start,
    case_request_rereview,
    case_request_review,
    case_rereview_reply,
    case_review_reply,
)
from huiyin.workflow.services.routing import (  # noqa: F401
    CoUnit,
    _cancel_co_tasks,
    _co_units,
    _ensure_may_handle,
    _route,
    _start_co_tasks,
    case_assign,
    case_forward,
)
from huiyin.workflow.transitions import PERMISSIONS, TABLE, Action

ACTION_SERVICES: dict[Action, Callable[..., Case]] = {
    Action.ACCEPT: case_accept,
    Action.NOT_ACCEPT: case_not_accept,
    Action.DIVERT: case_divert,
    Action.MERGE: case_merge,
    Action.TRANSFER: case_transfer,
    Action.ASSIGN: case_assign,
    Action.FORWARD: case_forward,
    Action.OBJECT: case_object,
    Action.RETURN: case_return,
    Action.DISMISS_OBJECTION: case_dismiss_objection,
    Action.EXTEND: case_extend,
    Action.MEDIATE: case_mediate,
    Action.REPLY: case_reply,
    Action.DELIVER: case_deliver,
    Action.RATE: case_rate,
    Action.REOPEN: case_reopen,
    Action.CLOSE: case_close,
    Action.REQUEST_REVIEW: case_request_review,
    Action.REVIEW_REPLY: case_review_reply,
    Action.REQUEST_REREVIEW: case_request_rereview,
    Action.HEARING_START: case_hearing_start,
    Action.HEARING_END: case_hearing_end,
    Action.REREVIEW_REPLY: case_rereview_reply,
    Action.CO_REPORT: case_co_report,
    Action.REFER_DISPUTE: case_refer_dispute,
    Action.DECIDE_DISPUTE: case_decide_dispute,
    Action.ATTACH_LEADER: case_attach_leader,
    Action.RECUSE: case_recuse,
    Action.ACKNOWLEDGE_CONFLICT: case_acknowledge_conflict,
    Action.ACCEPT_REVIEW: case_accept_review,
    Action.SET_ACCUSED: case_set_accused,
    Action.CLEAR_CONFLICT_BAR: case_clear_conflict_bar,
    # t10-rules, RG-3 (条例 §23¶1)
    Action.DIRECT_HANDLE: case_direct_handle,
    Action.DIRECT_ROUTE: case_direct_route,
    Action.DIRECT_REDIRECT: case_direct_redirect,
}


def perform(action: Action | str, *, case: Case, actor: Actor, **params: Any) -> Case:
    """Run the service for `action` (for the generic HTML and API endpoints)."""
    try:
        service = ACTION_SERVICES[Action(action)]
    except (ValueError, KeyError):
        raise NotFound(f"没有这个操作：{action}") from None
    return service(case=case, actor=actor, **params)


assert set(ACTION_SERVICES) == set(Action), "every action in the table has a service"
assert {a for _, a in TABLE} == set(Action), "every action appears in the table"
assert set(PERMISSIONS) == set(Action), "every action has a permission rule"
assert EVENT_CLEARED == Action.CLEAR_CONFLICT_BAR, "conflicts reads the clearing events by this name"
