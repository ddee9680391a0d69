"""A message never renders an empty date (issue 10 item 11): a message rendered after the case moved
on (the demo builds whole histories before the outbox drains: 258 SMS read "将在前办结") names the
date promised when the event happened; with no date at all it says "在法定期限内"."""

from __future__ import annotations

from datetime import date

from huiyin.cases.models import CaseEvent
from huiyin.notify import services
from huiyin.notify.choices import MessageKind
from huiyin.notify.models import MessageTemplate
from huiyin.workflow import services as wf


def test_an_acceptance_message_rendered_late_names_the_date_promised_then_hd1(
    register_case, clock, org, dispatcher_zhou, handler_wang_unit_a
):
    # given a case the unit accepted on 2025-03-03 (Mon): 60 days (条例 §23¶3, §34) → 2025-05-02, then
    # answered, so that no handling clock runs any more when the outbox gets to the acceptance's message
    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 4, 3))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查属实。",
        decision="support",
        legal_basis="《物业管理条例》",
        completion_report="已办结",
    )
    accepted = CaseEvent.objects.get(case=case, event_type="accept_assignment")
    # when the message is rendered now
    kind = MessageKind.ACCEPT_ASSIGNMENT
    _subject, body = services.render(kind, services.event_context(accepted, kind))
    # then it names the date, and never "在前"
    assert "将在2025年5月2日前办结" in body and "在前" not in body


def test_a_message_without_any_date_says_within_the_legal_time_limit(db):
    for kind in (
        MessageKind.ACCEPT_ASSIGNMENT,
        MessageKind.REQUEST_REVIEW,
        MessageKind.REQUEST_REREVIEW,
        MessageKind.ACCEPT_REVIEW,
    ):
        _subject, body = services.render(kind, {"code": "HY1", "office": "示范县信访局", "due_on": ""})
        assert "在前" not in body and "法定期限内" in body, kind


def test_the_seeded_templates_carry_the_guarded_wording(db):
    # the migration updated the unedited stored templates (an administrator's edit would stay)
    assert "{% if due_on %}" in MessageTemplate.objects.get(kind="accept_assignment").body
    # and the office's own 受理 promises no date: the competent organ's acceptance starts the clock (§23¶3)
    assert "{{ due_on }}" not in MessageTemplate.objects.get(kind="accept").body
