"""Every state change of a case: one keyword-only service per action, by concern (registration,
routing, handling, answers, reviews, disputes, the accused side), all through `core._transition`.
The table and its guards are `workflow.transitions` and `workflow.guards`; who may act is
`workflow.actors`. Callers import from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huiyin.cases.models import Case
from huiyin.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.workflow.actors import (
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
from huiyin.workflow.clocks import rules_for_case
from huiyin.workflow.conflicts import EVENT_CLEARED
from huiyin.workflow.guards import (
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

# issue 10 items 1 and 5 (t10-organ)
from huiyin.workflow.services.acceptance import case_accept_assignment
from huiyin.workflow.services.accused import (
    MSG_ACCUSED_UNIT_CONFLICT,
    MSG_ACCUSED_UNIT_REQUIRED,
    MSG_ACCUSED_USER_UNIT,
    MSG_NO_OFFICE_ABOVE,
    case_clear_conflict_bar,
    case_set_accused,
)
from huiyin.workflow.services.answers import (
    _WINDOW_AFTER,
    case_close,
    case_deliver,
    case_rate,
    case_reopen,
)
from huiyin.workflow.services.core import (
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
)
from huiyin.workflow.services.direct import (  # t10-rules, RG-3
    case_direct_handle,
    case_direct_redirect,
    case_direct_route,
)
from huiyin.workflow.services.disputes import (
    case_acknowledge_conflict,
    case_attach_leader,
    case_co_report,
    case_decide_dispute,
    case_recuse,
    case_refer_dispute,
    leaders_for,
)
from huiyin.workflow.services.extensions import (
    case_approve_extension,
    case_refuse_extension,
    case_request_extension,
)
from huiyin.workflow.services.handling import (
    MSG_NO_MEDIATION,
    _issue_opinion,
    _opinion_fields,
    case_dismiss_objection,
    case_extend,
    case_mediate,
    case_object,
    case_reply,
    case_return,
    case_send_to_mediation,
    default_review_route,
)
from huiyin.workflow.services.outcomes import case_divert_in_handling
from huiyin.workflow.services.registration import (
    case_accept,
    case_divert,
    case_merge,
    case_not_accept,
    case_transfer,
)
from huiyin.workflow.services.reviews import (
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
from huiyin.workflow.services.routing import (
    CoUnit,
    _cancel_co_tasks,
    _co_units,
    _ensure_may_handle,
    _route,
    _start_co_tasks,
    assignment_deadline_limit,
    case_assign,
    case_forward,
    guard_assignment_deadline,
)
from huiyin.workflow.services.signoff import case_submit_opinion, pending_draft
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
    # issue 10 items 1 and 5 (t10-organ)
    Action.ACCEPT_ASSIGNMENT: case_accept_assignment,
    Action.REQUEST_EXTENSION: case_request_extension,
    Action.APPROVE_EXTENSION: case_approve_extension,
    Action.REFUSE_EXTENSION: case_refuse_extension,
    Action.SUBMIT_OPINION: case_submit_opinion,
    # issue 10 (t10-types)
    Action.DIVERT_IN_HANDLING: case_divert_in_handling,
    # t10-rules, RG-3 (条例 §23¶1)
    Action.DIRECT_HANDLE: case_direct_handle,
    Action.DIRECT_ROUTE: case_direct_route,
    Action.DIRECT_REDIRECT: case_direct_redirect,
}


# What the case page and the API run for an action when it is not the table's service itself: 调解和解
# starts a linked mediation case (issue 13); its agreement later takes the transition (case_mediate).
ENTRY_SERVICES: dict[Action, Callable[..., Case]] = {Action.MEDIATE: case_send_to_mediation}


def perform_entry(action: Action | str, *, case: Case, actor: Actor, **params: Any) -> Case:
    """Run what a person's request for `action` runs (the HTML form and the JSON API)."""
    try:
        act = Action(action)
    except ValueError:
        raise NotFound(f"没有这个操作：{action}") from None
    if act in ENTRY_SERVICES:
        return ENTRY_SERVICES[act](case=case, actor=actor, **params)
    return perform(act, case=case, actor=actor, **params)


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

__all__ = [
    "ACTION_SERVICES",
    "ACTOR_GUARDS",
    "CO_HANDLING_ARTICLE",
    "ENTRY_SERVICES",
    "GUARDS",
    "MSG_ACCEPT_FIRST",
    "MSG_ACCUSED_UNIT_CONFLICT",
    "MSG_ACCUSED_UNIT_REQUIRED",
    "MSG_ACCUSED_USER_UNIT",
    "MSG_CO_PENDING",
    "MSG_DISPUTE_OPEN",
    "MSG_NOT_ACCEPTANCE_ORGAN",
    "MSG_NOT_ACCUSATION",
    "MSG_NO_ACCEPTANCE",
    "MSG_NO_BAR_TO_CLEAR",
    "MSG_NO_DISPUTE",
    "MSG_NO_MEDIATION",
    "MSG_NO_OFFICE_ABOVE",
    "MSG_NO_SUPERIOR",
    "MSG_REASON_REQUIRED",
    "_REVIEW_STAGES",
    "_WINDOW_AFTER",
    "Actor",
    "Body",
    "CitizenActor",
    "CoUnit",
    "ConflictOfInterest",
    "Context",
    "Interest",
    "NotFound",
    "PermissionDenied",
    "TransitionNotAllowed",
    "ValidationFailed",
    "_answer_review",
    "_cancel_co_tasks",
    "_choice",
    "_citizen_marks",
    "_co_units",
    "_ensure_may_handle",
    "_field_values",
    "_guard_acceptance_organ",
    "_guard_acceptance_pending",
    "_guard_accepted",
    "_guard_accusation",
    "_guard_acknowledge",
    "_guard_clear_bar",
    "_guard_delivered",
    "_guard_dispute_open",
    "_guard_extend",
    "_guard_hearing",
    "_guard_no_dispute",
    "_guard_no_objection",
    "_guard_object",
    "_guard_objection_pending",
    "_guard_rate",
    "_guard_reopen",
    "_guard_undelivered",
    "_guard_window",
    "_issue_opinion",
    "_jsonable",
    "_latest_opinion",
    "_live_clock",
    "_open_dispute",
    "_open_review",
    "_opinion_fields",
    "_pending_opinion",
    "_refuse",
    "_require",
    "_route",
    "_start_co_tasks",
    "_superior",
    "_transition",
    "actor_sides",
    "allowed_actions",
    "assignment_deadline_limit",
    "bars_clearable_by",
    "case_accept",
    "case_accept_assignment",
    "case_accept_review",
    "case_acknowledge_conflict",
    "case_approve_extension",
    "case_assign",
    "case_attach_leader",
    "case_clear_conflict_bar",
    "case_close",
    "case_co_report",
    "case_decide_dispute",
    "case_deliver",
    "case_direct_handle",
    "case_direct_redirect",
    "case_direct_route",
    "case_dismiss_objection",
    "case_divert",
    "case_divert_in_handling",
    "case_extend",
    "case_forward",
    "case_hearing_end",
    "case_hearing_start",
    "case_mediate",
    "case_merge",
    "case_not_accept",
    "case_object",
    "case_rate",
    "case_recuse",
    "case_refer_dispute",
    "case_refuse_extension",
    "case_reopen",
    "case_reply",
    "case_request_extension",
    "case_request_rereview",
    "case_request_review",
    "case_rereview_reply",
    "case_return",
    "case_review_reply",
    "case_send_to_mediation",
    "case_set_accused",
    "case_submit_opinion",
    "case_transfer",
    "default_review_route",
    "ensure_actor_may",
    "ensure_no_conflict",
    "guard_assignment_deadline",
    "interest_of",
    "leaders_for",
    "lock_case",
    "pending_draft",
    "perform",
    "perform_entry",
    "rules_for_case",
]
