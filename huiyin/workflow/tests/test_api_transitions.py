"""Every (status, action) pair through the JSON API: the transition table decides, the API reports it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import await_acceptance, with_signoff
from huiyin.workflow.transitions import TABLE, Action

DAY = date(2025, 3, 3)  # a Monday: every window of the drive is open
OPINION = {
    "facts_reasons": "经调查核实，情况属实。",
    "decision": "support",
    "legal_basis": "《信访工作条例》第三十二条",
}

# Who takes each action (PERMISSIONS: role and side of the case).
PERSONA: dict[Action, str] = {
    **dict.fromkeys(
        (
            Action.ACCEPT,
            Action.NOT_ACCEPT,
            Action.DIVERT,
            Action.MERGE,
            Action.TRANSFER,
            Action.ASSIGN,
            Action.FORWARD,
            Action.RETURN,
            Action.DISMISS_OBJECTION,
            Action.REOPEN,
        ),
        "dispatcher",
    ),
    **dict.fromkeys((Action.OBJECT, Action.MEDIATE, Action.REPLY), "handler"),
    Action.EXTEND: "head",
    **dict.fromkeys(
        (Action.DELIVER, Action.RATE, Action.CLOSE, Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW), "clerk"
    ),
    Action.REVIEW_REPLY: "reviewer",
    **dict.fromkeys((Action.HEARING_START, Action.HEARING_END, Action.REREVIEW_REPLY), "rereviewer"),
    Action.CO_REPORT: "co_handler",
    Action.REFER_DISPUTE: "dispatcher",
    Action.DECIDE_DISPUTE: "reviewer",  # the county government: common superior of unit A and unit B
    Action.ATTACH_LEADER: "leader",
    **dict.fromkeys((Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT), "handler"),
    Action.ACCEPT_REVIEW: "reviewer",
    Action.SET_ACCUSED: "dispatcher",
    Action.CLEAR_CONFLICT_BAR: "supervisor",
    # issue 10 items 1 and 5
    Action.ACCEPT_ASSIGNMENT: "handler",
    Action.REQUEST_EXTENSION: "handler",
    Action.SUBMIT_OPINION: "handler",
    **dict.fromkeys((Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION), "head"),
    # issue 10 (t10-types): the handling unit finds a litigation matter (诉访分离, 条例 §28¶2)
    Action.DIVERT_IN_HANDLING: "handler",
    # t10-rules, RG-3: the county government's handler, on what the government received directly
    **dict.fromkeys((Action.DIRECT_HANDLE, Action.DIRECT_ROUTE, Action.DIRECT_REDIRECT), "reviewer"),
}
assert set(PERSONA) == set(Action)
# Who works the case depends on the phase: the handling unit, then the 复查 and 复核 organs.
PERSONA_BY_STATUS: dict[tuple[Status, Action], str] = {
    **{(Status.UNDER_REVIEW, a): "reviewer" for a in (Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT)},
    **{
        (Status.UNDER_REREVIEW, a): "rereviewer"
        for a in (Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT, Action.ACCEPT_REVIEW)
    },
}


def persona_for(status: Status, action: Action) -> str:
    return PERSONA_BY_STATUS.get((status, action), PERSONA[action])


class Cast:
    """The personas, the org and a second open case (the target of a merge)."""

    def __init__(self, org: Any, other_case: Case, **people: Any) -> None:
        self.org = org
        self.other_case = other_case
        self.people = people
        self.clients = {name: _client(user) for name, user in people.items()}

    def params(self, action: Action) -> dict[str, Any]:
        """Valid JSON parameters for `action` (ids, not objects: this is what integrations send)."""
        deadline = (DAY + timedelta(days=20)).isoformat()
        return {
            Action.ACCEPT: {},
            Action.NOT_ACCEPT: {"reason_code": "not_petition", "reason": "不属于信访事项"},
            Action.DIVERT: {"target": "litigation", "guidance": "请向人民法院提起诉讼"},
            Action.MERGE: {"into": self.other_case.pk},
            Action.TRANSFER: {"to_office": self.org.city_office.pk, "reason": "属市级管辖"},
            Action.ASSIGN: {"unit": self.org.unit_a.pk, "deadline": deadline},
            Action.FORWARD: {"unit": self.org.unit_a.pk},
            Action.OBJECT: {"reason": "该事项不属于本单位职责"},
            Action.RETURN: {},
            Action.DISMISS_OBJECTION: {"reason": "属于本单位职责"},
            Action.EXTEND: {"days": 10, "reason": "情况复杂"},
            # issue 13: 调解和解 starts a linked mediation; its agreement answers the case later
            Action.MEDIATE: {
                "organ": self.org.unit_a.pk,
                "kind": "administrative",
                "respondents": ["某物业公司"],
            },
            Action.REPLY: {**OPINION, "completion_report": "已办结"},
            Action.DELIVER: {"method": "in_person"},
            Action.RATE: {"rating": "dissatisfied", "solved": False},
            Action.REOPEN: {"reason": "支持意见未落实"},
            Action.CLOSE: {"root_cause": "not_from_duty"},
            Action.REQUEST_REVIEW: {"reason": "不服处理意见"},
            Action.REVIEW_REPLY: OPINION,
            Action.REQUEST_REREVIEW: {"reason": "不服复查意见"},
            Action.HEARING_START: {},
            Action.HEARING_END: {},
            Action.REREVIEW_REPLY: OPINION,
            Action.CO_REPORT: {"report": "已完成本单位负责的部分"},
            Action.REFER_DISPUTE: {"units": [self.org.unit_b.pk], "reason": "两局均认为不属本单位职责"},
            Action.DECIDE_DISPUTE: {"unit": self.org.unit_b.pk, "reason": "属民政职责"},
            Action.ATTACH_LEADER: {},
            Action.RECUSE: {"reason": "与信访人系亲属"},
            Action.ACKNOWLEDGE_CONFLICT: {"reason": "同号不同人，已核实"},
            Action.ACCEPT_REVIEW: {},
            Action.SET_ACCUSED: {"accused_unit": self.org.unit_b.pk, "reason": "经核实"},
            Action.CLEAR_CONFLICT_BAR: {"staff": self.people["handler"].pk, "reason": "经核实同名不同人"},
            Action.ACCEPT_ASSIGNMENT: {"notice_method": "electronic"},
            Action.REQUEST_EXTENSION: {"days": 10, "reason": "需现场勘验"},
            Action.APPROVE_EXTENSION: {"comment": "同意"},
            Action.REFUSE_EXTENSION: {"reason": "可在期限内办结"},
            Action.SUBMIT_OPINION: {**OPINION, "completion_report": "已办结"},
            Action.DIVERT_IN_HANDLING: {
                "target": "litigation",
                "guidance": "该事项已起诉，请依法向人民法院反映",
            },
            # t10-rules, RG-3
            Action.DIRECT_HANDLE: {"guidance": "由本机关办理"},
            Action.DIRECT_ROUTE: {"unit": self.org.unit_a.pk},
            Action.DIRECT_REDIRECT: {"organ": "示范县人民法院", "guidance": "请向人民法院提出"},
        }[action]


def _client(user: Any) -> Client:
    _, raw = token_issue(user=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


# --- driving a case through the services ---------------------------------------------------------


def _deliver(case: Case, c: Cast) -> Case:
    return wf.case_deliver(case=case, actor=c.people["clerk"], method="in_person")


def drive_to(status: Status, case: Case, c: Cast) -> Case:
    """Bring a freshly registered case into `status` along the statutory path, through the services.

    REPLIED, REVIEW_REPLIED and FINAL stop with the opinion not yet delivered; CLOSED after delivery.
    """
    p = c.people
    if status == Status.REGISTERED:
        return case
    case = wf.case_accept(case=case, actor=p["dispatcher"])
    if status == Status.ACCEPTED:
        return case
    case = wf.case_assign(
        case=case, actor=p["dispatcher"], unit=c.org.unit_a, deadline=DAY + timedelta(days=20)
    )
    if status == Status.IN_HANDLING:
        return case
    case = _accept_assignment(case, c)  # 条例 §23¶3: the unit accepts before it answers
    case = wf.case_reply(case=case, actor=p["handler"], **OPINION, completion_report="已办结")
    if status == Status.REPLIED:
        return case
    case = _deliver(case, c)
    if status == Status.CLOSED:
        return wf.case_close(case=case, actor=p["clerk"], root_cause="not_from_duty")
    case = wf.case_request_review(case=case, actor=p["clerk"], reason="不服")
    if status == Status.UNDER_REVIEW:
        return case
    case = wf.case_review_reply(case=case, actor=p["reviewer"], **OPINION)
    if status == Status.REVIEW_REPLIED:
        return case
    case = _deliver(case, c)
    case = wf.case_request_rereview(case=case, actor=p["clerk"], reason="仍不服")
    if status == Status.UNDER_REREVIEW:
        return case
    case = wf.case_rereview_reply(case=case, actor=p["rereviewer"], **OPINION)
    assert status == Status.FINAL
    return case


def _accept_assignment(case: Case, c: Cast) -> Case:
    handler = c.people["handler"]
    handler.refresh_from_db()  # an earlier pair's link to the petitioner was rolled back in the database
    return wf.case_accept_assignment(case=case, actor=handler)


def _request_extension(case: Case, c: Cast) -> Case:
    case = _accept_assignment(case, c)
    return wf.case_request_extension(case=case, actor=c.people["handler"], days=10, reason="需现场勘验")


def _object(case: Case, c: Cast) -> Case:
    return wf.case_object(case=case, actor=c.people["handler"], reason="不属于本单位职责")


def _deliver_and_rate(case: Case, c: Cast) -> Case:
    case = _deliver(case, c)
    return wf.case_rate(case=case, actor=c.people["clerk"], rating="dissatisfied", solved=False)


def _hearing(case: Case, c: Cast) -> Case:
    return wf.case_hearing_start(case=case, actor=c.people["rereviewer"])


def _with_co_unit(case: Case, c: Cast) -> Case:
    """Re-route with the township as a co-handling unit (object, return, assign again)."""
    p = c.people
    case = _object(case, c)
    case = wf.case_return(case=case, actor=p["dispatcher"])
    return wf.case_assign(
        case=case,
        actor=p["dispatcher"],
        unit=c.org.unit_a,
        deadline=DAY + timedelta(days=20),
        co_units=[c.org.township_gov],
    )


def _refer(case: Case, c: Cast) -> Case:
    return wf.case_refer_dispute(
        case=case, actor=c.people["dispatcher"], units=[c.org.unit_b], reason="两局均认为不属本单位职责"
    )


def _linked(persona: str) -> Callable[[Case, Cast], Case]:
    def link(case: Case, c: Cast) -> Case:
        c.people[persona].phone = "13800001234"  # the petitioner's phone (条例 §28¶3)
        c.people[persona].save(update_fields=["phone"])
        return case

    return link


def _update(case: Case, **fields: Any) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


# What a pair's guard needs beyond the status (an objection raised, the opinion delivered, …).
PREPARE: dict[tuple[Status, Action], Callable[[Case, Cast], Case]] = {
    (Status.IN_HANDLING, Action.RETURN): _object,
    (Status.IN_HANDLING, Action.DISMISS_OBJECTION): _object,
    (Status.REPLIED, Action.RATE): _deliver,
    (Status.REPLIED, Action.CLOSE): _deliver,
    (Status.REPLIED, Action.REQUEST_REVIEW): _deliver,
    (Status.REPLIED, Action.REOPEN): _deliver_and_rate,
    (Status.REVIEW_REPLIED, Action.RATE): _deliver,
    (Status.REVIEW_REPLIED, Action.CLOSE): _deliver,
    (Status.REVIEW_REPLIED, Action.REQUEST_REREVIEW): _deliver,
    (Status.UNDER_REREVIEW, Action.HEARING_END): _hearing,
    (Status.FINAL, Action.RATE): _deliver,
    (Status.IN_HANDLING, Action.CO_REPORT): _with_co_unit,
    (Status.IN_HANDLING, Action.DECIDE_DISPUTE): _refer,
    (Status.IN_HANDLING, Action.ACKNOWLEDGE_CONFLICT): _linked("handler"),
    (Status.UNDER_REVIEW, Action.ACKNOWLEDGE_CONFLICT): _linked("reviewer"),
    (Status.UNDER_REREVIEW, Action.ACKNOWLEDGE_CONFLICT): _linked("rereviewer"),
    **{
        (status, Action.SET_ACCUSED): lambda case, c: _update(case, petition_type="accusation")
        for status in (Status.REGISTERED, Status.ACCEPTED)
    },
    **{
        (status, Action.CLEAR_CONFLICT_BAR): lambda case, c: _update(
            case, accused_person=c.people["handler"].full_name
        )
        for status in (Status.IN_HANDLING, Status.UNDER_REVIEW, Status.UNDER_REREVIEW)
    },
    (Status.UNDER_REVIEW, Action.ACCEPT_REVIEW): lambda case, c: await_acceptance(case),
    (Status.UNDER_REREVIEW, Action.ACCEPT_REVIEW): lambda case, c: await_acceptance(case),
    # 条例 §23¶3, §34: answered, mediated or extended only once the unit has accepted
    **{(Status.IN_HANDLING, a): _accept_assignment for a in (Action.REPLY, Action.MEDIATE, Action.EXTEND)},
    (Status.IN_HANDLING, Action.REQUEST_EXTENSION): _accept_assignment,
    (Status.IN_HANDLING, Action.APPROVE_EXTENSION): _request_extension,
    (Status.IN_HANDLING, Action.REFUSE_EXTENSION): _request_extension,
    (Status.IN_HANDLING, Action.SUBMIT_OPINION): lambda case, c: with_signoff(_accept_assignment(case, c)),
}
# t10-rules, RG-3 (条例 §23¶1): the case was received directly by the county government (not an office)
for _direct in (Action.DIRECT_HANDLE, Action.DIRECT_ROUTE, Action.DIRECT_REDIRECT):
    PREPARE[(Status.REGISTERED, _direct)] = lambda case, c: _update(case, office=c.org.county_gov)


@pytest.fixture
def cast(
    org,
    clock,
    register_case,
    clerk_li,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
    reviewer_qian,
    rereviewer_wu,
    leader_ma,
    co_handler_he,
    supervisor_chen,
):
    clock.set(DAY)
    return Cast(
        org,
        register_case(title="另一件相同诉求"),
        clerk=clerk_li,
        dispatcher=dispatcher_zhou,
        handler=handler_wang_unit_a,
        head=head_sun_unit_a,
        reviewer=reviewer_qian,
        rereviewer=rereviewer_wu,
        leader=leader_ma,
        co_handler=co_handler_he,
        supervisor=supervisor_chen,
    )


def _post(client: Client, case: Case, action: Action, params: dict[str, Any]) -> Any:
    return client.post(f"/api/cases/{case.pk}/actions/{action}", params, content_type="application/json")


@pytest.mark.parametrize("status", list(Status))
def test_every_action_through_the_api_follows_the_transition_table(status, cast, register_case, subtests):
    # given a case driven into `status` through the services
    case = drive_to(status, register_case(), cast)
    assert case.status == status

    for action in Action:
        with subtests.test(status=str(status), action=str(action)):
            savepoint = transaction.savepoint()
            try:
                _check_pair(status, action, Case.objects.get(pk=case.pk), cast)
            finally:
                transaction.savepoint_rollback(savepoint)


def _check_pair(status: Status, action: Action, case: Case, cast: Cast) -> None:
    persona = persona_for(status, action)
    if (status, action) in PREPARE:
        case = PREPARE[(status, action)](case, cast)

    # when the right persona posts the action with valid parameters
    response = _post(cast.clients[persona], case, action, cast.params(action))
    body = response.json()

    # then a pair in the table succeeds and lands on the table's status
    if (status, action) in TABLE and action == Action.MEDIATE:
        # issue 13: the request opens a linked mediation case; the case stays where it is until the
        # mediation's agreement answers it (the table's step, taken by the mediation module)
        assert response.status_code == 200, body
        assert body["status"] == status
        assert body["events"][-1]["event_type"] == "mediation_opened"
        assert body["events"][-1]["data"]["organ"] == cast.org.unit_a.name
        return
    if (status, action) in TABLE:
        assert response.status_code == 200, body
        assert body["status"] == TABLE[(status, action)]
        assert body["events"][-1]["event_type"] == action
        return
    # and any other pair is refused with 409 and the table's message; nothing changes
    if visible_to(cast.people[persona]).filter(pk=case.pk).exists():
        refused = response
    else:
        # The persona cannot see the case in this status at all (e.g. the 复核 organ before a
        # request for 复核): that is a 404, and the office that sees it gets the table's 409.
        assert response.status_code == 404, body
        assert body == {"message": "没有找到该信访事项", "extra": {}}
        refused = _post(cast.clients["dispatcher"], case, action, cast.params(action))
        body = refused.json()
    assert refused.status_code == 409, body
    assert body["message"] == f"“{status.label}”状态下不能{_label(action)}"
    assert body["extra"] == {"status": status, "action": action}
    assert Case.objects.get(pk=case.pk).status == status


def _label(action: Action) -> str:
    from huiyin.workflow.transitions import ACTION_LABELS

    return ACTION_LABELS[action]
