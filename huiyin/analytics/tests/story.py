"""One county's autumn of 2025, driven through the real services on their own dates: the fixture every
metric is checked against, each figure worked out by hand in test_metrics.py.

Cases (all at the county office, handled by unit A 住建局 unless said otherwise):

  L  registered 08-01, assigned 08-04, answered 11-03: its 60 days ran out 09-30 → handling LATE (Nov)
  C  registered 09-01, assigned 09-02, extended 30 days on 10-20 (due 10-31 → 11-30), answered 11-10
     (support) → handling MET (Nov) only thanks to the extension; review asked 11-12, review answered
     11-20 (support: unchanged), 复核 asked 11-25; rated only on 12-02 (after November closed)
  H  registered 09-01, answered 10-10 (not_support), review asked 10-15, review answered 11-05
     (support: the decision changed)
  A  registered 10-20, accepted 10-21, assigned 10-22, answered 11-05, rated 11-06 satisfied and
     solved, closed 11-06 (the one case settled first time)
  E  registered 10-27, assigned 10-28, answered 11-10 (support), rated 11-11 dissatisfied and not
     solved, reopened 11-12, answered again 11-20, closed 11-21
  B  registered 11-03, accepted 11-03, forwarded only 11-20: the 15 routing days ran out 11-18 → LATE
  D  registered 11-03 (a collective visit of 6), assigned to unit B 11-04, B objected 11-05, returned
     11-06, assigned to unit A 11-07, answered 11-17, closed 11-18 (re-routed: not first time);
     rated only on 12-02, after November closed (rate_d_late)
  F  registered 11-12 by E's petitioner about E's matter, merged into E the same day
  G  registered 11-14 by L's petitioner in L's category, a visit that skipped levels (越级走访, 条例
     §20¶1: guided back to the township), diverted to litigation the same day
  督办: on B, issued 11-10 due 11-14, answered 11-13 (on time); on E, issued 11-10 due 11-12,
     answered 11-14 (late)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from huiyin.cases.models import Case, Category
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.intake.services import case_register
from huiyin.supervision.services import order_answer, order_issue
from huiyin.workflow import services as wf

REPLY = {"facts_reasons": "经调查核实，情况属实。", "legal_basis": "《信访工作条例》第三十二条"}


def id_number(n: int) -> str:
    """A valid GB 11643 number for person `n` (the check digit computed, as the intake validates)."""
    body = f"11010519491231{n:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def person(n: int) -> PetitionerIn:
    return PetitionerIn(
        name=f"群众{n}", id_number=id_number(n), phone=f"1380000{n:04d}", address="东城镇柳林村"
    )


@dataclass
class Story:
    cases: dict[str, Case]
    category: Category
    other_category: Category


def build(clock: Any, org: Any, people: dict[str, Any]) -> Story:
    clerk, dispatcher = people["clerk"], people["dispatcher"]
    handler, head = people["handler"], people["head"]
    handler_b, reviewer = people["handler_b"], people["reviewer"]
    supervisor = people["supervisor"]
    leaves = list(Category.objects.filter(level=3).order_by("id")[:2])
    cat, other = leaves[0], leaves[1]
    cases: dict[str, Case] = {}

    def at(day: date) -> None:
        clock.set(day)

    steps: list[tuple[date, int, Any]] = []

    def later(day: date, fn: Any) -> None:
        steps.append((day, len(steps), fn))

    def register(key: str, day: date, who: int, category: Category | None = None, **extra: Any) -> None:
        later(day, lambda: _register(key, day, who, category, **extra))

    def _register(key: str, day: date, who: int, category: Category | None = None, **extra: Any) -> Case:
        data = CaseIn(
            channel=extra.pop("channel", "visit"),
            petition_type="complaint",
            title=f"事项{key}",
            content=f"事项{key}的事实和理由",
            request="请求解决",
            category_id=(category or other).pk,
            territory_id=org.village.pk,
            petitioners=extra.pop("petitioners", [person(who)]),
            **extra,
        )
        case, _ = case_register(data=data, office=org.county_office, actor=clerk)
        cases[key] = case
        return case

    def act(key: str, day: date, service: Any, actor: Any, **params: Any) -> None:
        def step() -> None:
            resolved = {k: (v() if callable(v) else v) for k, v in params.items()}
            cases[key] = service(case=Case.objects.get(pk=cases[key].pk), actor=actor, **resolved)

        later(day, step)

    def deadline(day: date) -> date:
        return day + timedelta(days=60)  # no later than the unit's 60 days (条例 §34; refused otherwise)

    # L: answered long after its 60 days
    register("L", date(2025, 8, 1), 1, cat)
    act("L", date(2025, 8, 1), wf.case_accept, dispatcher)
    act(
        "L",
        date(2025, 8, 4),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 8, 4)),
    )
    act("L", date(2025, 8, 4), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act(
        "L",
        date(2025, 11, 3),
        wf.case_reply,
        handler,
        decision="support",
        completion_report="已办结",
        **REPLY,
    )

    # C: on time only because of its extension; review unchanged; rated after the month closed
    register("C", date(2025, 9, 1), 2)
    act("C", date(2025, 9, 1), wf.case_accept, dispatcher)
    act(
        "C",
        date(2025, 9, 2),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 9, 2)),
    )
    act("C", date(2025, 9, 2), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act("C", date(2025, 10, 20), wf.case_extend, head, days=30, reason="需现场勘验")
    act(
        "C",
        date(2025, 11, 10),
        wf.case_reply,
        handler,
        decision="support",
        completion_report="已办结",
        **REPLY,
    )
    act("C", date(2025, 11, 10), wf.case_deliver, clerk, method="in_person")
    act("C", date(2025, 11, 12), wf.case_request_review, clerk, reason="不服")
    act("C", date(2025, 11, 20), wf.case_review_reply, reviewer, decision="support", **REPLY)
    act("C", date(2025, 11, 20), wf.case_deliver, clerk, method="in_person")
    act("C", date(2025, 11, 25), wf.case_request_rereview, clerk, reason="仍不服")

    # H: the review changed the decision
    register("H", date(2025, 9, 1), 3)
    act("H", date(2025, 9, 1), wf.case_accept, dispatcher)
    act(
        "H",
        date(2025, 9, 2),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 9, 2)),
    )
    act("H", date(2025, 9, 2), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act(
        "H",
        date(2025, 10, 10),
        wf.case_reply,
        handler,
        decision="not_support",
        completion_report="已办结",
        **REPLY,
    )
    act("H", date(2025, 10, 10), wf.case_deliver, clerk, method="in_person")
    act("H", date(2025, 10, 15), wf.case_request_review, clerk, reason="不服")
    act("H", date(2025, 11, 5), wf.case_review_reply, reviewer, decision="support", **REPLY)

    # A: settled the first time
    register("A", date(2025, 10, 20), 4)
    act("A", date(2025, 10, 21), wf.case_accept, dispatcher)
    act(
        "A",
        date(2025, 10, 22),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 10, 22)),
    )
    act("A", date(2025, 10, 22), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act(
        "A",
        date(2025, 11, 5),
        wf.case_reply,
        handler,
        decision="support",
        completion_report="已办结",
        **REPLY,
    )
    act("A", date(2025, 11, 5), wf.case_deliver, clerk, method="in_person")
    act("A", date(2025, 11, 6), wf.case_rate, clerk, rating="satisfied", solved=True)
    act("A", date(2025, 11, 6), wf.case_close, clerk, root_cause="not_from_duty")

    # E: reopened after a dissatisfied rating
    register("E", date(2025, 10, 27), 5)
    act("E", date(2025, 10, 27), wf.case_accept, dispatcher)
    act(
        "E",
        date(2025, 10, 28),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 10, 28)),
    )
    act("E", date(2025, 10, 28), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act(
        "E",
        date(2025, 11, 10),
        wf.case_reply,
        handler,
        decision="support",
        completion_report="已办结",
        **REPLY,
    )
    act("E", date(2025, 11, 10), wf.case_deliver, clerk, method="in_person")
    act("E", date(2025, 11, 11), wf.case_rate, clerk, rating="dissatisfied", solved=False)
    act("E", date(2025, 11, 12), wf.case_reopen, dispatcher, reason="支持的意见未落实")

    # B: routed after its 15 days
    register("B", date(2025, 11, 3), 6)
    act("B", date(2025, 11, 3), wf.case_accept, dispatcher)
    act("B", date(2025, 11, 20), wf.case_forward, dispatcher, unit=org.unit_a)
    act("B", date(2025, 11, 20), wf.case_accept_assignment, handler)  # 条例 §23¶3

    # D: a collective visit, objected to by unit B and re-routed to unit A
    reps = [person(7)]
    reps[0].is_representative = True
    register("D", date(2025, 11, 3), 7, is_collective=True, headcount=6, petitioners=reps)
    act("D", date(2025, 11, 3), wf.case_accept, dispatcher)
    act(
        "D",
        date(2025, 11, 4),
        wf.case_assign,
        dispatcher,
        unit=org.unit_b,
        deadline=deadline(date(2025, 11, 4)),
    )
    act("D", date(2025, 11, 5), wf.case_object, handler_b, reason="不属于本单位职责")
    act("D", date(2025, 11, 6), wf.case_return, dispatcher, reason="同意异议")
    act(
        "D",
        date(2025, 11, 7),
        wf.case_assign,
        dispatcher,
        unit=org.unit_a,
        deadline=deadline(date(2025, 11, 7)),
    )
    act("D", date(2025, 11, 7), wf.case_accept_assignment, handler)  # 条例 §23¶3: the unit accepts
    act(
        "D",
        date(2025, 11, 17),
        wf.case_reply,
        handler,
        decision="explain",
        completion_report="已办结",
        **REPLY,
    )
    act("D", date(2025, 11, 17), wf.case_deliver, clerk, method="in_person")
    act("D", date(2025, 11, 18), wf.case_close, clerk, root_cause="not_from_duty")

    # F: E's petitioner again about the same matter: merged into E
    register("F", date(2025, 11, 12), 5)
    act("F", date(2025, 11, 12), wf.case_merge, dispatcher, into=lambda: Case.objects.get(pk=cases["E"].pk))

    # G: L's petitioner again in L's category: guided to the courts
    register(
        "G",
        date(2025, 11, 14),
        1,
        cat,
        skipped_levels=True,
        level_guidance="已告知本事项由东城镇人民政府负责，引导其就地反映",
    )
    act("G", date(2025, 11, 14), wf.case_divert, dispatcher, target="litigation", guidance="请向人民法院起诉")

    # 督办 on B (answered on time) and on E (answered late)
    orders: dict[str, Any] = {}

    def issue(key: str, due: date) -> Any:
        return lambda: orders.__setitem__(
            key, order_issue(case=cases[key], actor=supervisor, instructions="请尽快办理", due_on=due)
        )

    later(date(2025, 11, 10), issue("B", date(2025, 11, 14)))
    later(date(2025, 11, 10), issue("E", date(2025, 11, 12)))
    later(date(2025, 11, 13), lambda: order_answer(order=orders["B"], actor=dispatcher, answer="已分办"))
    later(date(2025, 11, 14), lambda: order_answer(order=orders["E"], actor=handler, answer="已落实"))

    # E answered again and closed
    act(
        "E",
        date(2025, 11, 20),
        wf.case_reply,
        handler,
        decision="support",
        completion_report="已落实",
        **REPLY,
    )
    act("E", date(2025, 11, 20), wf.case_deliver, clerk, method="in_person")
    act("E", date(2025, 11, 21), wf.case_close, clerk, root_cause="not_from_duty")
    for day, _order, step in sorted(steps, key=lambda s: (s[0], s[1])):
        at(day)  # the steps run in the order of their dates, as they happened
        step()
    return Story(cases, cat, other)


def rate_d_late(clock: Any, clerk: Any, story: Story) -> None:
    """D's rating, recorded 12-02, after November closed (D was answered 11-17 and closed 11-18)."""
    clock.set(date(2025, 12, 2))
    case = Case.objects.get(pk=story.cases["D"].pk)
    story.cases["D"] = wf.case_rate(case=case, actor=clerk, rating="basically", solved=True)
