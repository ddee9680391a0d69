"""One table-driven test over every (status, action) pair, through the services."""

from __future__ import annotations

import pytest

from huiyin.cases.choices import Status
from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.workflow.tests.drive import REPLY, drive_to, step
from huiyin.workflow.transitions import PERMISSIONS, TABLE, Action

_NO_COMPLETION = {k: v for k, v in REPLY.items() if k != "completion_report"}

# For each action: who takes it, with what, and what must happen first for its guard to pass.
ACTIONS: dict[Action, tuple[str, dict, list[tuple[Action, str, dict]]]] = {
    Action.ACCEPT: ("dispatcher", {}, []),
    Action.NOT_ACCEPT: ("dispatcher", {"reason_code": "not_petition", "reason": "不属于信访事项"}, []),
    Action.DIVERT: ("dispatcher", {"target": "litigation", "guidance": "请向人民法院提起诉讼"}, []),
    Action.MERGE: ("dispatcher", {"into": "LIVE"}, []),
    Action.TRANSFER: ("dispatcher", {"to_office": "city_office", "reason": "属市级职权"}, []),
    Action.ASSIGN: ("dispatcher", {"unit": "unit_a", "deadline": 20, "instructions": "请核实"}, []),
    Action.FORWARD: ("dispatcher", {"unit": "unit_b"}, []),
    Action.OBJECT: ("handler", {"reason": "不属本单位职责"}, []),
    Action.RETURN: ("dispatcher", {}, [(Action.OBJECT, "handler", {"reason": "不属本单位职责"})]),
    Action.DISMISS_OBJECTION: (
        "dispatcher",
        {"reason": "属你单位职责"},
        [(Action.OBJECT, "handler", {"reason": "不属本单位职责"})],
    ),
    Action.EXTEND: ("head", {"days": 10, "reason": "情况复杂"}, []),
    Action.MEDIATE: ("handler", {"agreement": "双方同意……", "facts_reasons": "经调解达成一致"}, []),
    Action.REPLY: ("handler", REPLY, []),
    Action.DELIVER: ("clerk", {"method": "in_person"}, []),
    Action.RATE: (
        "clerk",
        {"rating": "dissatisfied", "solved": False},
        [(Action.DELIVER, "clerk", {"method": "mail"})],
    ),
    Action.REOPEN: (
        "dispatcher",
        {"reason": "支持意见未落实"},
        [
            (Action.DELIVER, "clerk", {"method": "mail"}),
            (Action.RATE, "clerk", {"rating": "dissatisfied", "solved": False}),
        ],
    ),
    Action.CLOSE: ("clerk", {}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.REQUEST_REVIEW: ("clerk", {"reason": "不服"}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.REVIEW_REPLY: ("reviewer", _NO_COMPLETION, []),
    Action.REQUEST_REREVIEW: ("clerk", {"reason": "仍不服"}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.HEARING_START: ("rereviewer", {}, []),
    Action.HEARING_END: ("rereviewer", {}, [(Action.HEARING_START, "rereviewer", {})]),
    Action.REREVIEW_REPLY: ("rereviewer", _NO_COMPLETION, []),
}

# Preparations that only apply in some statuses (already satisfied elsewhere by the drive itself).
_ALREADY_DELIVERED = {Status.CLOSED}


@pytest.fixture
def cast(cast_all):
    return cast_all


def test_every_action_has_an_entry_here():
    assert set(ACTIONS) == set(Action)
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_action_pair_follows_the_table(status, action, register_case, cast):
    # given a case driven into `status` through the services
    case = drive_to(register_case(), status, cast)
    persona, params, prep = ACTIONS[action]
    expected = TABLE.get((status, action))
    if expected is not None:
        for p_action, p_persona, p_params in prep:
            if p_action == Action.DELIVER and status in _ALREADY_DELIVERED:
                continue
            case = step(case, cast, p_action, p_persona, p_params)
    if params.get("into") == "LIVE":
        params = {**params, "into": register_case(title="另一件正在办理的事项")}
    events_before = CaseEvent.objects.filter(case=case).count()

    if expected is None:
        # then a pair outside the table is refused and nothing is written
        with pytest.raises(TransitionNotAllowed):
            step(case, cast, action, persona, params)
        case.refresh_from_db()
        assert case.status == status
        assert CaseEvent.objects.filter(case=case).count() == events_before
    else:
        # then a pair in the table moves the case and writes exactly one event of that action
        case = step(case, cast, action, persona, params)
        assert case.status == expected
        last = CaseEvent.objects.filter(case=case).latest("id")
        assert (last.event_type, last.from_status, last.to_status) == (action, status, expected)
        assert CaseEvent.objects.filter(case=case).count() == events_before + 1


@pytest.mark.parametrize("action", list(Action))
def test_a_handler_of_an_unrelated_unit_may_take_no_action(action, register_case, cast, handler_zhao_unit_b):
    # given cases in every status where `action` is allowed
    _persona, params, prep = ACTIONS[action]
    for status in [s for (s, a) in TABLE if a == action]:
        case = drive_to(register_case(), status, cast)
        for p_action, p_persona, p_params in prep:
            if not (p_action == Action.DELIVER and status in _ALREADY_DELIVERED):
                case = step(case, cast, p_action, p_persona, p_params)
        # when unit B's handler tries it, then it is refused
        cast.people["outsider"] = handler_zhao_unit_b
        with pytest.raises(PermissionDenied):
            extra = {"into": register_case(title="另一件")} if "into" in params else {}
            step(case, cast, action, "outsider", {**params, **extra})
