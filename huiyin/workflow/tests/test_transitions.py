"""One table-driven test over every (status, action) pair, through the services."""

from __future__ import annotations

import pytest

from huiyin.cases.choices import Status
from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.workflow.tests.drive import (
    ACCEPT_ASSIGNMENT,
    REPLY,
    await_acceptance,
    drive_to,
    step,
    with_signoff,
)
from huiyin.workflow.transitions import PERMISSIONS, TABLE, Action

_NO_COMPLETION = {k: v for k, v in REPLY.items() if k != "completion_report"}
_OBJECT = (Action.OBJECT, "handler", {"reason": "不属本单位职责"})
_REFER = (Action.REFER_DISPUTE, "dispatcher", {"units": ["unit_b"], "reason": "两局均认为不属本单位职责"})


def _link_to_petitioner(case, cast, status):
    """Given the person who works the case in `status` shares the petitioner's phone (条例 §28¶3)."""
    person = cast.person(persona_for(Action.ACKNOWLEDGE_CONFLICT, status))
    person.phone = "13800001234"
    person.save(update_fields=["phone"])
    return case


def _make_accusation(case, cast, status):
    """Given the matter is an accusation whose accused the office has not set yet (a portal one)."""
    type(case).objects.filter(pk=case.pk).update(petition_type="accusation", accused_person="某干部")
    case.refresh_from_db()
    return case


def _namesake(case, cast, status):
    """Given the handler bears the accused person's name (ADR 0005: barred until cleared)."""
    type(case).objects.filter(pk=case.pk).update(accused_person=cast.person("handler").full_name)
    case.refresh_from_db()
    return case


# Who works the case depends on the phase: the handling unit, then the 复查 and 复核 organs.
PERSONA_BY_STATUS = {
    (Status.UNDER_REVIEW, Action.RECUSE): "reviewer",
    (Status.UNDER_REVIEW, Action.ACKNOWLEDGE_CONFLICT): "reviewer",
    (Status.UNDER_REREVIEW, Action.RECUSE): "rereviewer",
    (Status.UNDER_REREVIEW, Action.ACKNOWLEDGE_CONFLICT): "rereviewer",
    (Status.UNDER_REREVIEW, Action.ACCEPT_REVIEW): "rereviewer",
}


def persona_for(action, status):
    return PERSONA_BY_STATUS.get((status, action), ACTIONS[action][0])


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
    Action.EXTEND: ("head", {"days": 10, "reason": "情况复杂"}, [ACCEPT_ASSIGNMENT]),
    Action.MEDIATE: (
        "handler",
        {"agreement": "双方同意……", "facts_reasons": "经调解达成一致"},
        [ACCEPT_ASSIGNMENT],
    ),
    Action.REPLY: ("handler", REPLY, [ACCEPT_ASSIGNMENT]),
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
    Action.CLOSE: ("clerk", {"root_cause": "not_from_duty"}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.REQUEST_REVIEW: ("clerk", {"reason": "不服"}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.REVIEW_REPLY: ("reviewer", _NO_COMPLETION, []),
    Action.REQUEST_REREVIEW: ("clerk", {"reason": "仍不服"}, [(Action.DELIVER, "clerk", {"method": "mail"})]),
    Action.HEARING_START: ("rereviewer", {}, []),
    Action.HEARING_END: ("rereviewer", {}, [(Action.HEARING_START, "rereviewer", {})]),
    Action.REREVIEW_REPLY: ("rereviewer", _NO_COMPLETION, []),
    Action.CO_REPORT: (
        "co_handler",
        {"report": "已完成本单位负责的部分"},
        # re-route the case with a co-handling unit: object, return, assign again (一揽子解决)
        [
            _OBJECT,
            (Action.RETURN, "dispatcher", {}),
            (Action.ASSIGN, "dispatcher", {"unit": "unit_a", "deadline": 20, "co_units": ["township_gov"]}),
        ],
    ),
    Action.REFER_DISPUTE: ("dispatcher", _REFER[2], [_OBJECT]),
    Action.DECIDE_DISPUTE: ("reviewer", {"unit": "unit_b", "reason": "属民政职责"}, [_OBJECT, _REFER]),
    Action.ATTACH_LEADER: ("leader", {}, []),
    Action.RECUSE: ("handler", {"reason": "与信访人系亲属"}, []),
    Action.ACKNOWLEDGE_CONFLICT: ("handler", {"reason": "同号不同人，已核实"}, [_link_to_petitioner]),
    Action.ACCEPT_REVIEW: ("reviewer", {}, [lambda case, cast, status: await_acceptance(case)]),
    Action.SET_ACCUSED: ("dispatcher", {"accused_unit": "unit_b", "reason": "经核实"}, [_make_accusation]),
    Action.CLEAR_CONFLICT_BAR: (
        "supervisor",
        {"staff": "handler", "reason": "经核实同名不同人"},
        [_namesake],
    ),
    # issue 10 items 1 and 5: the unit accepts on its own clock; extensions asked for and decided
    Action.ACCEPT_ASSIGNMENT: ("handler", {}, []),
    Action.REQUEST_EXTENSION: ("handler", {"days": 10, "reason": "需现场勘验"}, [ACCEPT_ASSIGNMENT]),
    Action.APPROVE_EXTENSION: (
        "head",
        {},
        [ACCEPT_ASSIGNMENT, (Action.REQUEST_EXTENSION, "handler", {"days": 10, "reason": "需现场勘验"})],
    ),
    Action.REFUSE_EXTENSION: (
        "head",
        {"reason": "可在期限内办结"},
        [ACCEPT_ASSIGNMENT, (Action.REQUEST_EXTENSION, "handler", {"days": 10, "reason": "需现场勘验"})],
    ),
    Action.SUBMIT_OPINION: (
        "handler",
        REPLY,
        [ACCEPT_ASSIGNMENT, lambda case, cast, status: with_signoff(case)],
    ),
    # issue 10 (t10-types)
    Action.DIVERT_IN_HANDLING: ("handler", {"target": "litigation", "guidance": "已起诉，请向法院反映"}, []),
}


def _received_directly(case, cast, status):
    """Given the county government (not a petition office) registered what it received directly (RG-3)."""
    type(case).objects.filter(pk=case.pk).update(office=cast.org.county_gov)
    case.refresh_from_db()
    return case


# t10-rules, RG-3 (条例 §23¶1): the county government's handler triages what it received directly
ACTIONS[Action.DIRECT_HANDLE] = ("reviewer", {"guidance": "由本机关办理"}, [_received_directly])
ACTIONS[Action.DIRECT_ROUTE] = (
    "reviewer",
    {"unit": "unit_a", "instructions": "请住建局办理"},
    [_received_directly],
)
ACTIONS[Action.DIRECT_REDIRECT] = (
    "reviewer",
    {"organ": "示范县人民法院", "guidance": "请向人民法院提出"},
    [_received_directly],
)

# Preparations that only apply in some statuses (already satisfied elsewhere by the drive itself).
_ALREADY_DELIVERED = {Status.CLOSED}


@pytest.fixture
def cast(cast_all, leader_ma, co_handler_he, supervisor_chen):
    cast_all.people["leader"] = leader_ma
    cast_all.people["co_handler"] = co_handler_he
    cast_all.people["supervisor"] = supervisor_chen
    return cast_all


def _prepare(case, cast, status, prep, *, links=True):
    for item in prep:
        if callable(item):
            case = item(case, cast, status) if links else case
            continue
        p_action, p_persona, p_params = item
        if not (p_action == Action.DELIVER and status in _ALREADY_DELIVERED):
            case = step(case, cast, p_action, p_persona, p_params)
    return case


def test_every_action_has_an_entry_here():
    assert set(ACTIONS) == set(Action)
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_action_pair_follows_the_table(status, action, register_case, cast):
    # given a case driven into `status` through the services
    case = drive_to(register_case(), status, cast)
    _persona, params, prep = ACTIONS[action]
    persona = persona_for(action, status)
    expected = TABLE.get((status, action))
    if expected is not None:
        case = _prepare(case, cast, status, prep)
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
        # (a link to the petitioner would outlive this status and block the next drive: not needed here)
        case = _prepare(drive_to(register_case(), status, cast), cast, status, prep, links=False)
        # when unit B's handler tries it, then it is refused
        cast.people["outsider"] = handler_zhao_unit_b
        with pytest.raises(PermissionDenied):
            extra = {"into": register_case(title="另一件")} if "into" in params else {}
            step(case, cast, action, "outsider", {**params, **extra})
