"""诉访分离 while handling (条例 §28¶2; issue 10, item 3): the petitioner is told the legal route, the
guidance and that the petition's time limits no longer run — a message kind of its own."""

from __future__ import annotations

from datetime import date

from huiyin.cases.models import CaseEvent
from huiyin.notify.choices import MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.workflow import services as wf


def test_a_matter_diverted_while_handling_tells_the_petitioner_the_route_cond_28_2(
    outbox, committed, register_case, clock, org, dispatcher_zhou, handler_wang_unit_a
):
    clock.set(date(2025, 6, 2))
    case = committed(register_case)
    case = committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    committed(
        wf.case_divert_in_handling,
        case=case,
        actor=handler_wang_unit_a,
        target="litigation",
        guidance="该事项已起诉，请依法通过诉讼程序主张权利。",
    )
    last = Notification.objects.filter(case=case).latest("id")
    assert last.kind == MessageKind.DIVERT_IN_HANDLING
    body = outbox[-1].body
    assert "诉讼、检察或公安法定程序" in body and "该事项已起诉" in body and "信访办理时限停止计算" in body


def test_the_office_is_told_when_the_handling_unit_diverts_the_matter_cond_28_2(
    outbox, committed, register_case, clock, org, dispatcher_zhou, handler_wang_unit_a
):
    clock.set(date(2025, 6, 2))
    case = committed(register_case)
    case = committed(wf.case_accept, case=case, actor=dispatcher_zhou)
    case = committed(wf.case_forward, case=case, actor=dispatcher_zhou, unit=org.unit_a)
    committed(
        wf.case_divert_in_handling,
        case=case,
        actor=handler_wang_unit_a,
        target="political_legal",
        guidance="涉诉",
    )
    event = CaseEvent.objects.get(case=case, event_type="divert_in_handling")
    # the registering office's routing desk hears it (not the unit that took the step)
    told = set(StaffNotice.objects.filter(event=event).values_list("user__username", flat=True))
    assert told == {"dispatcher_zhou"}
    notice = StaffNotice.objects.filter(event=event).first()
    assert "政法部门（涉法涉诉）" in notice.text and "信访办理时限已停止计算" in notice.text
