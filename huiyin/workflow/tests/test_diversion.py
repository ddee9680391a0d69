"""诉访分离 — routes to the 纪检监察 and 政法 organs (issue 10, item 3; regulations.md RG-2, RG-6, CL-1, CL-2):
the matter is handed over with the guidance given to the petitioner and leaves the ordinary petition
clocks — stopped with the reason, neither met nor late, shown on the case page and the petitioner's
timeline — at registration (`divert`), after acceptance, or when found while handling
(`divert_in_handling`, 条例 §28¶2, §31(一)–(五)). Dates are counted by hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from huiyin.cases.choices import DivertTarget, Outcome, PetitionType, Status
from huiyin.cases.models import Case
from huiyin.org.choices import TerritoryLevel
from huiyin.org.choices import UnitKind as K
from huiyin.org.models import Unit
from huiyin.org.services import token_issue
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import services as wf
from huiyin.workflow.choices import LIVE_STATES, ClockKind, ClockState
from huiyin.workflow.models import Clock, CoHandling
from huiyin.workflow.services import CoUnit

GUIDANCE = "该事项已向人民法院起诉，请依法通过诉讼程序主张权利，已释法明理。"


@pytest.fixture
def organs(org):
    """The county's 纪检监察 and 政法 organs (条例 §22¶2)."""
    discipline = Unit.objects.create(
        code="X-JW", name="示范县纪委监委", kind=K.DISCIPLINE, territory=org.county, parent=org.county_gov
    )
    political_legal = Unit.objects.create(
        code="X-ZFW", name="中共示范县委政法委员会", kind=K.POLITICAL_LEGAL, territory=org.county
    )
    return discipline, political_legal


def _clocks(case):
    return {c.kind: c for c in Clock.objects.filter(case=case)}


def test_an_accusation_is_handed_over_to_the_discipline_organ_at_registration_cond_22_2(
    clock, org, organs, register_case, dispatcher_zhou
):
    discipline, _ = organs
    # given an accusation against 民政局 registered on Wednesday 31 Dec 2025
    clock.set(date(2025, 12, 31))
    case = register_case(
        petition_type=PetitionType.ACCUSATION, title="反映某干部违纪问题", accused_unit_id=org.unit_b.pk
    )
    running = _clocks(case)
    # its routing and notice clocks: 15 calendar days — 1–15 Jan 2026 → 15 Jan 2026 (§22¶1, §23¶2)
    assert {k: c.due_on for k, c in running.items()} == {
        ClockKind.ROUTING: date(2026, 1, 15),
        ClockKind.NOTICE: date(2026, 1, 15),
    }
    # when the office hands it to the 纪检监察 organ on Monday 5 Jan 2026 (after New Year's Day)
    clock.set(date(2026, 1, 5))
    case = wf.case_divert(
        case=case,
        actor=dispatcher_zhou,
        target=DivertTarget.DISCIPLINE,
        guidance="属纪检监察机关受理的检举控告，已按管理权限转送，并告知信访人。",
        to_unit=discipline,
    )
    # then the case leaves the petition procedure: every clock stopped that day, handed over, with the reason
    assert case.status == Status.CLOSED
    for c in _clocks(case).values():
        assert (c.state, c.stopped_on) == (ClockState.HANDED_OVER, date(2026, 1, 5))
        assert "示范县纪委监委" in c.stop_reason and "停止计算" in c.stop_reason
        assert c.due_on == date(2026, 1, 15)  # the limit as it stood; neither met nor late
    # and the hand-over is recorded with the organ and the guidance
    event = case.events.get(event_type="divert")
    assert (event.data["to_unit"], event.data["to_unit_name"]) == (discipline.pk, "示范县纪委监委")
    assert event.reason.startswith("属纪检监察机关受理")
    # and §27: referred to the legal process, at the county level of the office
    assert (case.outcome, case.resolved_unit, case.resolved_level) == (
        Outcome.LEGAL_PROCESS,
        org.county_office,
        TerritoryLevel.COUNTY,
    )
    # and the petitioner reads where it went and why the time limits stopped
    text = citizen_timeline(case)[-1]["text"]
    assert "纪检监察机关" in text and "已移交示范县纪委监委" in text and "信访办理时限停止计算" in text


def test_a_litigation_matter_found_while_handling_leaves_the_petition_clocks_cond_28_2(
    clock, org, organs, register_case, dispatcher_zhou, handler_wang_unit_a
):
    _, political_legal = organs
    # given a complaint accepted and assigned on Monday 29 Dec 2025, with the township as co-handling unit
    clock.set(date(2025, 12, 29))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_assign(
        case=case,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=date(2026, 1, 28),
        co_units=[CoUnit(org.township_gov)],
    )
    clocks = _clocks(case)
    live = set(Clock.objects.filter(case=case, state__in=LIVE_STATES).values_list("id", flat=True))
    # the unit has not accepted yet: its 15 days to accept and tell the petitioner run (条例 §23¶3):
    # 30–31 Dec 2, 1–13 Jan 13 → Tue 13 Jan 2026 (calendar days; the 60 days of §34 start at acceptance)
    assert clocks[ClockKind.UNIT_ACCEPTANCE].due_on == date(2026, 1, 13)
    assert ClockKind.HANDLING not in clocks
    # 5 working days (§23¶3): Tue 30 Dec 1, Wed 31 Dec 2, 1–3 Jan holiday, Sun 4 Jan (调休, works) 3,
    # Mon 5 Jan 4, Tue 6 Jan 5 → 6 Jan 2026
    assert clocks[ClockKind.OBJECTION].due_on == date(2026, 1, 6)
    # when on Monday 5 Jan 2026 the handler finds the matter is already before the court
    clock.set(date(2026, 1, 5))
    case = wf.case_divert_in_handling(
        case=case,
        actor=handler_wang_unit_a,
        target=DivertTarget.POLITICAL_LEGAL,
        guidance=GUIDANCE,
        to_unit=political_legal,
    )
    # then it leaves the petition procedure: handling, assignment, co-handling and the open objection
    # window all stop that day, handed over, none met, none late, none cancelled
    assert case.status == Status.CLOSED
    stopped = {c.kind: c for c in Clock.objects.filter(id__in=live)}
    assert set(stopped) == {
        ClockKind.UNIT_ACCEPTANCE,
        ClockKind.ASSIGNMENT,
        ClockKind.OBJECTION,
        ClockKind.CO_HANDLING,
    }
    assert {(c.state, c.stopped_on) for c in stopped.values()} == {(ClockState.HANDED_OVER, date(2026, 1, 5))}
    assert not Clock.objects.filter(case=case, state__in=LIVE_STATES).exists()
    assert stopped[ClockKind.UNIT_ACCEPTANCE].stop_reason == (
        "已导入法定途径（中共示范县委政法委员会），按该机关的程序办理，信访办理时限停止计算"
    )
    # and the co-handling task is withdrawn
    assert CoHandling.objects.get(case=case).state == "cancelled"
    event = case.events.get(event_type="divert_in_handling")
    assert event.data["found_in_handling"] is True
    assert (case.outcome, case.resolved_unit) == (Outcome.LEGAL_PROCESS, org.unit_a)
    # and the petitioner reads it on the timeline (the message: notify/tests/test_diversion_messages.py)
    assert "信访办理时限停止计算" in citizen_timeline(case)[-1]["text"]


def test_a_hand_over_to_an_organ_of_the_wrong_kind_is_refused_and_nothing_changes_cond_22_2(
    clock, org, organs, register_case, dispatcher_zhou, handler_wang_unit_a
):
    discipline, _ = organs
    clock.set(date(2025, 6, 2))
    case = wf.case_forward(
        case=wf.case_accept(case=register_case(), actor=dispatcher_zhou),
        actor=dispatcher_zhou,
        unit=org.unit_a,
    )
    for target, unit in ((DivertTarget.POLITICAL_LEGAL, discipline), (DivertTarget.LITIGATION, discipline)):
        with pytest.raises(wf.ValidationFailed) as caught:
            wf.case_divert_in_handling(
                case=case, actor=handler_wang_unit_a, target=target, guidance=GUIDANCE, to_unit=unit
            )
        assert "to_unit" in caught.value.extra["fields"]
    with pytest.raises(wf.ValidationFailed, match="途径和指引"):
        wf.case_divert_in_handling(case=case, actor=handler_wang_unit_a, target="litigation", guidance=" ")
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert Clock.objects.get(case=case, kind=ClockKind.UNIT_ACCEPTANCE).state == ClockState.RUNNING


def test_a_unit_with_no_part_in_the_case_cannot_divert_it_cond_28_2(
    clock, org, register_case, dispatcher_zhou, handler_zhao_unit_b
):
    clock.set(date(2025, 6, 2))
    case = wf.case_forward(
        case=wf.case_accept(case=register_case(), actor=dispatcher_zhou),
        actor=dispatcher_zhou,
        unit=org.unit_a,
    )
    with pytest.raises(wf.PermissionDenied):
        wf.case_divert_in_handling(
            case=case, actor=handler_zhao_unit_b, target="litigation", guidance=GUIDANCE
        )
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING


def test_a_matter_found_after_acceptance_is_diverted_by_the_office_cond_31(
    clock, org, register_case, dispatcher_zhou
):
    clock.set(date(2025, 6, 2))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    live = set(Clock.objects.filter(case=case, state__in=LIVE_STATES).values_list("id", flat=True))
    assert live  # the office's own clocks still run (the 60 days start at the competent organ's acceptance)
    case = wf.case_divert(
        case=case, actor=dispatcher_zhou, target=DivertTarget.ARBITRATION, guidance="请申请劳动仲裁"
    )
    assert case.status == Status.CLOSED
    assert set(Clock.objects.filter(id__in=live).values_list("state", flat=True)) == {ClockState.HANDED_OVER}


def test_the_case_page_shows_why_the_clocks_stopped_cond_28_2(
    client, clock, org, organs, register_case, dispatcher_zhou, handler_wang_unit_a
):
    _, political_legal = organs
    clock.set(date(2025, 6, 2))
    case = wf.case_forward(
        case=wf.case_accept(case=register_case(), actor=dispatcher_zhou),
        actor=dispatcher_zhou,
        unit=org.unit_a,
    )
    # when the handler diverts it through the form
    client.force_login(handler_wang_unit_a)
    url = f"/cases/{case.code}/actions/divert_in_handling/"
    form = client.get(url).content.decode()
    assert "中共示范县委政法委员会" in form  # the organs a 政法/纪检监察 route can hand it to
    response = client.post(
        url, {"target": "political_legal", "to_unit": political_legal.pk, "guidance": GUIDANCE}
    )
    assert response.status_code == 302
    # then the case page says the petition clocks stopped and why
    client.force_login(dispatcher_zhou)
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="clocks-handed-over"' in page
    assert "按该机关的程序办理，信访办理时限停止计算" in page
    assert "导入法定途径依法处理" in page  # the §27 outcome in the header


def test_the_api_diverts_while_handling_and_answers_bad_input_with_400(
    clock, org, organs, register_case, dispatcher_zhou, handler_wang_unit_a
):
    _, political_legal = organs
    clock.set(date(2025, 6, 2))
    case = wf.case_forward(
        case=wf.case_accept(case=register_case(), actor=dispatcher_zhou),
        actor=dispatcher_zhou,
        unit=org.unit_a,
    )
    _, raw = token_issue(user=handler_wang_unit_a, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    url = f"/api/cases/{case.code}/actions/divert_in_handling"
    bad = api.post(
        url,
        {"target": "political_legal", "guidance": GUIDANCE, "to_unit": 999999},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "to_unit" in bad.json()["extra"]["fields"]
    wrong = api.post(
        url,
        {"target": "political_legal", "guidance": GUIDANCE, "to_unit": org.unit_b.pk},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["message"] == "请选择政法机关（单位）"
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING
    ok = api.post(
        url,
        {"target": "political_legal", "guidance": GUIDANCE, "to_unit": political_legal.pk},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "closed"


def test_a_matter_under_a_competence_dispute_is_not_handed_over_until_it_is_decided_cond_24(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    clock.set(date(2025, 6, 2))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_object(case=case, actor=handler_wang_unit_a, reason="属民政职责")
    case = wf.case_refer_dispute(
        case=case, actor=dispatcher_zhou, units=[org.unit_b], reason="两局均认为不属本单位"
    )
    with pytest.raises(wf.TransitionNotAllowed, match="管辖争议正待示范县人民政府决定"):
        wf.case_divert_in_handling(
            case=case, actor=handler_wang_unit_a, target="litigation", guidance=GUIDANCE
        )
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING
