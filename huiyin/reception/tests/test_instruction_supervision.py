"""An overdue 领导批示 is tracked like a 督办 order (issue 12 item 7; 条例 §40): it is a candidate on the
supervision page until the unit reports, and the accused side never sees an accusation's (条例 §30¶3)."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.core import registry
from huiyin.reception import instructions as ins

pytestmark = pytest.mark.django_db


def _accusation(org, clerk_li, dispatcher_zhou):
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register
    from huiyin.workflow import services as wf

    case, _ = case_register(
        data=CaseIn(
            channel="visit", petition_type="accusation", title="举报民政局违规发放低保", content="x",
            accused_person="某科长", accused_unit_id=org.unit_b.pk,
            petitioners=[PetitionerIn(name="举报人乙", phone="13700000001")],
        ),
        office=org.county_office, actor=clerk_li,
    )  # fmt: skip
    return wf.case_accept(case=case, actor=dispatcher_zhou)


def test_an_overdue_instruction_is_a_candidate_until_the_unit_reports(
    client, org, clerk_li, dispatcher_zhou, county_leader, supervisor_chen, handler_zhao_unit_b, clock
):
    clock.set(date(2025, 9, 1))
    case = _accusation(org, clerk_li, dispatcher_zhou)
    i = ins.instruction_issue(
        case=case, actor=county_leader, text="限期核查", deadline=date(2025, 9, 12), unit=org.county_office
    )
    clock.set(date(2025, 9, 12))  # the deadline day itself is not overdue
    assert ins.supervision_candidates(supervisor_chen) == []
    clock.set(date(2025, 9, 15))
    (found,) = [c for c in registry.supervision_candidates(supervisor_chen) if c.module == "领导批示"]
    assert found.label.startswith(case.code) and "已逾期3天" in found.detail and found.unit == "示范县信访局"
    client.force_login(supervisor_chen)
    page = client.get("/supervision/").content.decode()
    assert "领导批示" in page and case.code in page
    # the accused unit's staff never see the accusation's instruction, on any list
    assert ins.supervision_candidates(handler_zhao_unit_b) == []
    assert ins.overdue_instructions(handler_zhao_unit_b) == []
    ins.instruction_answer(instruction=i, actor=dispatcher_zhou, answer="已核查，结果已答复举报人")
    assert ins.supervision_candidates(supervisor_chen) == []
