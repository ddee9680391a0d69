"""Bring a case into any status through the real services (used by table-driven tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from huiyin.cases.choices import Status
from huiyin.core import timeutil
from huiyin.workflow import services as wf
from huiyin.workflow.transitions import Action

# The path to each status: a sequence of (action, persona, params) steps after registration.
REPLY = {
    "facts_reasons": "经调查核实，情况属实。",
    "decision": "support",
    "legal_basis": "《信访工作条例》第三十二条",
    "completion_report": "已按要求办结。",
}
PATHS: dict[Status, list[tuple[Action, str, dict[str, Any]]]] = {
    Status.REGISTERED: [],
    Status.ACCEPTED: [(Action.ACCEPT, "dispatcher", {})],
}
PATHS[Status.IN_HANDLING] = [
    *PATHS[Status.ACCEPTED],
    (Action.ASSIGN, "dispatcher", {"unit": "unit_a", "deadline": 20}),
]
# 条例 §23¶3, §34: the unit accepts (and tells the petitioner) before it answers
ACCEPT_ASSIGNMENT = (Action.ACCEPT_ASSIGNMENT, "handler", {})
PATHS[Status.REPLIED] = [*PATHS[Status.IN_HANDLING], ACCEPT_ASSIGNMENT, (Action.REPLY, "handler", REPLY)]
_DELIVER = (Action.DELIVER, "clerk", {"method": "in_person"})
PATHS[Status.CLOSED] = [
    *PATHS[Status.REPLIED],
    _DELIVER,
    (Action.CLOSE, "clerk", {"root_cause": "not_from_duty"}),
]
PATHS[Status.UNDER_REVIEW] = [
    *PATHS[Status.REPLIED],
    _DELIVER,
    (Action.REQUEST_REVIEW, "clerk", {"reason": "不服"}),
]
PATHS[Status.REVIEW_REPLIED] = [
    *PATHS[Status.UNDER_REVIEW],
    (Action.REVIEW_REPLY, "reviewer", {k: v for k, v in REPLY.items() if k != "completion_report"}),
]
PATHS[Status.UNDER_REREVIEW] = [
    *PATHS[Status.REVIEW_REPLIED],
    _DELIVER,
    (Action.REQUEST_REREVIEW, "clerk", {"reason": "仍不服"}),
]
PATHS[Status.FINAL] = [
    *PATHS[Status.UNDER_REREVIEW],
    (Action.REREVIEW_REPLY, "rereviewer", {k: v for k, v in REPLY.items() if k != "completion_report"}),
]


class Cast:
    """The personas and units a drive needs, resolved from pytest fixtures."""

    def __init__(self, org: Any, **people: Any) -> None:
        self.org = org
        self.people = people

    def person(self, name: str) -> Any:
        return self.people[name]

    def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        out = dict(params)
        for key in ("unit", "to_office", "accused_unit"):
            if isinstance(out.get(key), str):
                out[key] = getattr(self.org, out[key])
        if isinstance(out.get("staff"), str):
            out["staff"] = self.people[out["staff"]]
        for key in ("co_units", "units"):
            if key in out:
                out[key] = [getattr(self.org, u) if isinstance(u, str) else u for u in out[key]]
        if isinstance(out.get("leader"), str):
            out["leader"] = self.people[out["leader"]]
        if isinstance(out.get("deadline"), int):
            out["deadline"] = timeutil.today() + timedelta(days=out["deadline"])
        return out


def step(case: Any, cast: Cast, action: Action, persona: str, params: dict[str, Any]) -> Any:
    return wf.perform(action, case=case, actor=cast.person(persona), **cast.resolve(params))


def drive_to(case: Any, status: Status, cast: Cast) -> Any:
    for action, persona, params in PATHS[status]:
        case = step(case, cast, action, persona, params)
    assert case.status == status
    return case


def await_acceptance(case: Any) -> Any:
    """Give a case under 复查/复核 the decision step a province adds (山东 §43, §44: 3 working days), as
    a request under such a profile would have: the acceptance clock of the organ now in charge."""
    from huiyin.org.choices import RuleKey, ValueUnit
    from huiyin.org.selectors import Rule
    from huiyin.workflow import clocks
    from huiyin.workflow.choices import ClockKind

    organ = case.rereview_unit if case.status == Status.UNDER_REREVIEW else case.review_unit
    rules = {
        **wf.rules_for_case(case),
        RuleKey.REVIEW_ACCEPT_DAYS: Rule(RuleKey.REVIEW_ACCEPT_DAYS, 3, ValueUnit.WORKING_DAY, "山东 §43"),
    }
    clocks.start_clock(
        case=case,
        kind=ClockKind.REVIEW_ACCEPTANCE,
        unit=organ,
        rules=rules,
        trigger="request",
        on=timeutil.today(),
    )
    return case


def with_signoff(case: Any) -> Any:
    """Give a case a rule profile that asks the unit head to sign off the 信访处理意见书 (rule
    `opinion_signoff`, off nationally), as a case registered under such a province would have."""
    from huiyin.org.models import RuleProfile, RuleValue

    profile, made = RuleProfile.objects.get_or_create(
        code="signoff", defaults={"name": "签发", "based_on": RuleProfile.national()}
    )
    if made:
        RuleValue.objects.create(
            profile=profile, key="opinion_signoff", value=1, unit="flag", article="测试：意见书须经负责人签发"
        )
    type(case).objects.filter(pk=case.pk).update(rule_profile=profile)
    case.refresh_from_db()
    return case
