"""RG-3 (条例 §23¶1): a unit other than the petition office registers a petition it receives directly,
then handles it as the competent organ, sends it to a unit below it, or tells the petitioner where to go.

Dates are worked out by hand in each test (条例 §23¶2: 15 days; §34: 60 days; §23¶3: 5 working days).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.guards import MSG_NOT_DIRECT
from huiyin.workflow.models import Clock
from huiyin.workflow.services.direct import MSG_NOT_BELOW
from huiyin.workflow.transitions import Action

pytestmark = pytest.mark.django_db


def _petition(**overrides) -> CaseIn:
    return CaseIn(
        channel=overrides.pop("channel", "visit"),
        petition_type=overrides.pop("petition_type", "complaint"),
        title=overrides.pop("title", "小区违建无人处理"),
        content=overrides.pop("content", "小区内有人违规加盖，向住建局当面反映。"),
        request="请依法处理",
        petitioners=[PetitionerIn(name="刘群众", id_number="11010519491231002X", phone="13800001234")],
        **overrides,
    )


def _direct(unit: Unit, actor: User, **overrides) -> Case:
    case, created = case_register(data=_petition(**overrides), office=unit, actor=actor)
    assert created
    return case


def _clock(case: Case, kind: ClockKind) -> Clock:
    return Clock.objects.get(case=case, kind=kind)


@pytest.fixture
def squad(org):
    """住建局城建监察大队: a unit below 住建局 in its own system."""
    return Unit.objects.create(
        code="X-ZJ-JC",
        name="住建局城建监察大队",
        kind=UnitKind.HOUSING,
        territory=org.county,
        parent=org.unit_a,
    )


def test_rg3_department_registers_a_direct_petition_and_handles_it_as_the_competent_organ_cond_23_1(
    org, handler_wang_unit_a, clock
):
    # given a petitioner walks into 住建局 on 30 December 2025 (a year end) and its handler registers it
    clock.set(date(2025, 12, 30))
    case = _direct(org.unit_a, handler_wang_unit_a)
    # then the case is the unit's own, and the written-notice clock runs 15 days: 30 Dec + 15 = 14 Jan 2026
    assert (case.office, case.status) == (org.unit_a, Status.REGISTERED)
    assert _clock(case, ClockKind.NOTICE).due_on == date(2026, 1, 14)
    assert case.events.get(event_type="register").data["direct"] is True
    assert Action.DIRECT_HANDLE in wf.allowed_actions(case, handler_wang_unit_a)

    # when the next day, 31 December, the unit decides it is its own matter and tells the petitioner how
    clock.set(date(2025, 12, 31))
    case = wf.case_direct_handle(
        case=case,
        actor=handler_wang_unit_a,
        guidance="由本局城建科办理，60日内书面答复",
        notice_method="in_person",
    )
    # then it handles it: the 60 days run from that acceptance (§34):
    # 31 Dec + 60 = 1 Jan (1) … 31 Jan (31) … 28 Feb (59), 1 Mar 2026 (60)
    assert (case.status, case.handling_unit) == (Status.IN_HANDLING, org.unit_a)
    assert _clock(case, ClockKind.HANDLING).due_on == date(2026, 3, 1)
    assert _clock(case, ClockKind.NOTICE).state == ClockState.MET  # the notice was given
    # and the petitioner reads what they were told, by whom
    texts = [row["text"] for row in citizen_timeline(case)]
    assert any("示范县住房和城乡建设局" in t and "60日内书面答复" in t for t in texts)
    # and the unit answers it like any handling organ
    assert Action.REPLY in wf.allowed_actions(case, handler_wang_unit_a)


def test_rg3_department_forwards_to_a_unit_below_it_and_says_where_over_a_tiaoxiu_weekend_cond_23_1(
    org, handler_wang_unit_a, squad, clock
):
    # given 住建局 registered a petition on Friday 26 September 2025
    clock.set(date(2025, 9, 26))
    case = _direct(org.unit_a, handler_wang_unit_a)
    # when it sends it to a peer department (民政局) that is not below it, it is refused, nothing written
    with pytest.raises(ValidationFailed) as refused:
        wf.case_direct_route(case=case, actor=handler_wang_unit_a, unit=org.unit_b)
    assert refused.value.message == MSG_NOT_BELOW
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    # when it forwards it to its own 监察大队 the same day
    case = wf.case_direct_route(case=case, actor=handler_wang_unit_a, unit=squad, instructions="请大队核查")
    # then the squad handles it and the petitioner is told where it went
    assert (case.status, case.handling_unit, case.assignment_kind) == (Status.IN_HANDLING, squad, "forward")
    assert any("住建局城建监察大队" in row["text"] for row in citizen_timeline(case))
    # and the squad may object within 5 working days (§23¶3), counted over the National Day 调休:
    # Sun 28 Sep is a working day (1), Mon 29 (2), Tue 30 (3), 1–8 Oct holidays, Thu 9 Oct (4), Fri 10 Oct (5)
    assert _clock(case, ClockKind.OBJECTION).due_on == date(2025, 10, 10)
    # and the squad accepts on its own clock (§23¶3): it tells the petitioner within 15 days of receipt,
    # 26 Sep + 15 = Sat 11 Oct 2025 (4 days to 30 Sep, 11 in October), and no 60 days run yet (t10-law)
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).due_on == date(2025, 10, 11)
    assert not Clock.objects.filter(case=case, kind=ClockKind.HANDLING).exists()
    # when it accepts on Thu 9 Oct, the first working day after the holiday,
    clock.set(date(2025, 10, 9))
    squad_handler = User.objects.create_user(username="jc_handler", unit=squad, role="handler")
    case = wf.case_accept_assignment(case=case, actor=squad_handler)
    # then its 60 days run from its acceptance (§34): 22 days to 31 Oct, 30 in November, 8 Dec 2025
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.unit, handling.started_on, handling.due_on) == (
        squad,
        date(2025, 10, 9),
        date(2025, 12, 8),
    )


def test_rg3_department_tells_the_petitioner_which_organ_to_approach_cond_23_1(
    org, handler_wang_unit_a, clock
):
    clock.set(date(2025, 3, 3))
    case = _direct(org.unit_a, handler_wang_unit_a, title="对法院判决不服")
    # when the matter is neither the unit's nor its system's
    case = wf.case_direct_redirect(
        case=case, actor=handler_wang_unit_a, organ="示范县人民法院", guidance="请依法向人民法院申请再审"
    )
    # then the petitioner is told where to go, the registration stays, the clocks stop
    assert case.status == Status.CLOSED
    assert not Clock.objects.filter(case=case, state__in=("running", "yellow", "red")).exists()
    event = case.events.get(event_type="direct_redirect")
    assert (event.data["organ"], event.reason) == ("示范县人民法院", "请依法向人民法院申请再审")
    assert any("示范县人民法院" in row["text"] for row in citizen_timeline(case))
    # and saying nothing is refused with a clear message
    other = _direct(org.unit_a, handler_wang_unit_a)
    with pytest.raises(ValidationFailed):
        wf.case_direct_redirect(case=other, actor=handler_wang_unit_a, organ="", guidance="")


def test_rg3_a_case_the_petition_office_registered_is_not_triaged_this_way_cond_23_1(
    register_case, dispatcher_zhou
):
    case = register_case()
    assert Action.DIRECT_HANDLE not in wf.allowed_actions(case, dispatcher_zhou)
    with pytest.raises(PermissionDenied) as refused:
        wf.case_direct_handle(case=case, actor=dispatcher_zhou, guidance="本单位办理")
    assert refused.value.message == MSG_NOT_DIRECT


def test_rg3_only_the_units_own_staff_register_at_it_cond_23_1(org, handler_wang_unit_a, handler_zhao_unit_b):
    # another department's handler cannot register a case at 住建局
    with pytest.raises(ValidationFailed):
        case_register(data=_petition(), office=org.unit_a, actor=handler_zhao_unit_b)
    # nor can a channel without a person (the portal registers only at petition offices)
    with pytest.raises(ValidationFailed):
        case_register(data=_petition(), office=org.unit_a, actor=None)
    assert not Case.objects.exists()


def test_rg3_an_accusation_against_the_receiving_unit_is_held_by_the_petition_office_cond_23_1_30_3(
    org, handler_wang_unit_a
):
    # given the accusation names 住建局 itself and is handed in there
    case = _direct(
        org.unit_a,
        handler_wang_unit_a,
        petition_type="accusation",
        accused_unit_id=org.unit_a.pk,
        content="住建局工作人员收受好处费。",
    )
    # then the county petition office holds it and 住建局 never sees it again (条例 §30¶3; ADR 0005)
    assert case.office == org.county_office
    assert not visible_to(handler_wang_unit_a).filter(pk=case.pk).exists()


def test_rg3_a_department_registers_through_its_own_form_and_triages_on_the_case_page_cond_23_1(
    client, org, handler_wang_unit_a, clerk_li
):
    client.force_login(handler_wang_unit_a)
    page = client.get(reverse("case_new_direct"))
    assert page.status_code == 200 and 'data-testid="direct-intake"' in page.content.decode()
    response = client.post(reverse("case_new_direct"), intake_data())
    case = Case.objects.get()
    assert response.status_code == 302 and case.office == org.unit_a
    detail = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="received-directly"' in detail
    assert reverse("case_action", args=[case.code, "direct_handle"]) in detail
    done = client.post(
        reverse("case_action", args=[case.code, "direct_handle"]),
        {"guidance": "由本局办理", "notice_method": "in_person"},
    )
    assert done.status_code == 302
    assert Case.objects.get().status == Status.IN_HANDLING
    # the petition office's window keeps its own form
    client.force_login(clerk_li)
    assert client.get(reverse("case_new_direct")).status_code == 302
