"""The accused side of an accusation (ADR 0005; 条例 §30¶3, §46(五)): every test attacks the rule.

The accused side — the accused unit, its sub-units, its own petition desk — never sees, handles or
hears of the case; the accused's superior sees it without the accuser's identity unless it decides it;
the accused person's account is barred for good, a namesake in a working unit until another unit's
supervisor clears it; an accusation against the registering office goes up to the office above.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client

from huiyin.assist.selectors import accused_unit_hints
from huiyin.cases.confidentiality import (
    MSG_IDENTITY_WITHHELD,
    accused_chain,
    accused_side_units,
    may_see_identity,
)
from huiyin.cases.models import Case, CaseEvent
from huiyin.cases.selectors import search_cases, visible_to
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.conflicts import MSG_BARRED_ACCUSED
from huiyin.workflow.routing import MSG_ACCUSED, MSG_ACCUSED_UNKNOWN
from huiyin.workflow.tests.drive import REPLY
from huiyin.workflow.transitions import Action

DAY = date(2025, 3, 3)
NAME, PHONE, ID_NUMBER = "刘群众", "13800001234", "11010519491231002X"
OPINION = {k: v for k, v in REPLY.items() if k != "completion_report"}


def api(user: User) -> Client:
    _, raw = token_issue(user=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


def staff(username: str, unit: Unit, role: str, full_name: str = "") -> User:
    return User.objects.create_user(
        username=username, password="x", unit=unit, role=role, full_name=full_name or username
    )


@pytest.fixture
def township_side(org):
    """Below the accused township: a village committee, the township's own 信访办 (its child), and a
    second township desk attached to the county office (its desk by territory, not by parent)."""
    village = Unit.objects.create(
        code="V-CW", name="柳林村民委员会", kind=UnitKind.VILLAGE_COMMITTEE, territory=org.village,
        parent=org.township_gov,
    )  # fmt: skip
    desk = Unit.objects.create(
        code="T-XF", name="东城镇信访办", kind=UnitKind.PETITION_OFFICE, territory=org.township,
        parent=org.township_gov,
    )  # fmt: skip
    desk_by_place = Unit.objects.create(
        code="T-XF2", name="东城镇群众工作站", kind=UnitKind.PETITION_OFFICE, territory=org.township,
        parent=org.county_office,
    )  # fmt: skip
    return village, desk, desk_by_place


def portal_accusation(client: Client, org, accused: str) -> Case:
    """A citizen's accusation through /public/submit/: the accused is only words."""
    response = client.post(
        "/public/submit/",
        {
            "petition_type": "accusation",
            "title": "举报住房和城乡建设局工作人员违规收费",
            "content": "示范县住房和城乡建设局王某在办理房产证时收取好处费。",
            "request": "请查处",
            "accused_person": accused,
            "territory": str(org.village.pk),
            "name": NAME,
            "phone": PHONE,
            "truthful": "on",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code = client.get("/public/receipt/").context["case"].code
    return Case.objects.get(code=code)


# --- hole 2: a portal accusation names the accused only in words -------------------------------


def test_a_portal_accusation_cannot_leave_the_office_until_its_accused_unit_is_set_30_3(
    client, org, clock, dispatcher_zhou
):
    # given a portal accusation against 住建局 (unit A), written as words
    clock.set(DAY)
    case = portal_accusation(client, org, "示范县住房和城乡建设局王某")
    assert case.accused_unit is None
    case = wf.case_accept(case=case, actor=dispatcher_zhou)

    # when the dispatcher forwards it to the accused unit before setting it: refused everywhere
    with pytest.raises(ValidationFailed) as refused:
        wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    assert refused.value.message == MSG_ACCUSED_UNKNOWN
    response = api(dispatcher_zhou).post(
        f"/api/cases/{case.pk}/actions/forward", {"unit": org.unit_a.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["message"] == MSG_ACCUSED_UNKNOWN
    client.force_login(dispatcher_zhou)
    page = client.post(f"/cases/{case.code}/actions/forward/", {"unit": org.unit_b.pk})
    assert page.status_code == 400 and MSG_ACCUSED_UNKNOWN in page.content.decode()
    for route in (
        lambda: wf.case_assign(
            case=case, actor=dispatcher_zhou, unit=org.unit_b, deadline=DAY + timedelta(20)
        ),
        lambda: wf.case_transfer(
            case=case, actor=dispatcher_zhou, to_office=org.city_office, reason="属市级"
        ),
    ):
        with pytest.raises(ValidationFailed, match="须先由信访部门核定被反映单位"):
            route()
    case.refresh_from_db()
    assert case.handling_unit is None and case.office == org.county_office

    # and the case page says so, with the assist's reading of the text
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="accused-unknown"' in html and org.unit_a.name in html
    assert accused_unit_hints(case)[0] == org.unit_a

    # when the office sets the accused unit (an event), then routing to the accused is refused and
    # audited, and routing elsewhere works
    response = api(dispatcher_zhou).post(
        f"/api/cases/{case.pk}/actions/set_accused",
        {"accused_unit": org.unit_a.pk, "reason": "内容所指为住建局工作人员"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.event_type == Action.SET_ACCUSED and event.data["accused_unit"] == org.unit_a.pk
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    assert refused.value.message == MSG_ACCUSED
    assert AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.ACCESS_DENIED).count() == 1
    assert wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_b).handling_unit == org.unit_b
    # and once routed, the accused unit can no longer be changed by the office
    with pytest.raises(Exception, match="状态下不能核定被反映单位"):
        wf.case_set_accused(case=case, actor=dispatcher_zhou, accused_unit=None, no_unit=True, reason="x")


def test_a_portal_accusation_forwarded_to_the_accused_before_the_fix_is_unreadable_there_30_3(
    client, org, clock, dispatcher_zhou, handler_wang_unit_a
):
    # given (as the old code allowed) a portal accusation that reached the accused unit unchecked
    clock.set(DAY)
    case = portal_accusation(client, org, "示范县住房和城乡建设局王某")
    Case.objects.filter(pk=case.pk).update(handling_unit=org.unit_a, status="in_handling")
    assert case in visible_to(handler_wang_unit_a)  # the words protect nobody
    # when the office sets the accused unit, then the accused unit loses it at once
    Case.objects.filter(pk=case.pk).update(status="accepted", handling_unit=None)
    case.refresh_from_db()
    wf.case_set_accused(case=case, actor=dispatcher_zhou, accused_unit=org.unit_a, reason="核实")
    Case.objects.filter(pk=case.pk).update(handling_unit=org.unit_a, status="in_handling")
    assert case not in visible_to(handler_wang_unit_a)
    assert api(handler_wang_unit_a).get(f"/api/cases/{case.pk}").status_code == 404


# --- hole 4: one rule for the accused side ------------------------------------------------------


@pytest.mark.parametrize("target", ["village", "desk", "desk_by_place", "township_gov"])
def test_nothing_below_the_accused_township_may_handle_or_see_it_30_3(
    target, register_case, org, dispatcher_zhou, township_side
):
    village, desk, desk_by_place = township_side
    unit = {
        "village": village,
        "desk": desk,
        "desk_by_place": desk_by_place,
        "township_gov": org.township_gov,
    }[target]
    # given an accepted accusation against the township government
    case = register_case(petition_type="accusation", accused_unit_id=org.township_gov.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    assert unit.pk in accused_side_units(case)
    # when the dispatcher routes it there (forward, assign, as a co-unit, or transfer to its desk)
    attempts = [
        lambda: wf.case_forward(case=case, actor=dispatcher_zhou, unit=unit),
        lambda: wf.case_assign(case=case, actor=dispatcher_zhou, unit=unit, deadline=date(2099, 1, 1)),
        lambda: wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_b, co_units=[unit]),
    ]
    if unit.kind == UnitKind.PETITION_OFFICE:
        attempts.append(
            lambda: wf.case_transfer(case=case, actor=dispatcher_zhou, to_office=unit, reason="属地")
        )
    for attempt in attempts:
        with pytest.raises(ValidationFailed, match="第三十条第三款"):
            attempt()
    # then nothing moved, and even if it had, nobody there (supervisors included) could see it
    case.refresh_from_db()
    assert case.handling_unit is None
    Case.objects.filter(pk=case.pk).update(handling_unit=unit)
    for role in ("handler", "unit_head", "supervisor", "leader", "dispatcher"):
        person = staff(f"{target}_{role}", unit, role)
        assert case not in visible_to(person), role
        assert not may_see_identity(person, case)
        assert wf.allowed_actions(Case.objects.get(pk=case.pk), person) == []


def test_the_accused_departments_superior_sees_the_case_but_never_the_accuser_30_3(
    client, register_case, org, dispatcher_zhou, supervisor_chen, leader_ma
):
    # given an accusation against 住建局 (unit A) routed to 民政局 (unit B)
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局某干部")
    case = wf.case_forward(
        case=wf.case_accept(case=case, actor=dispatcher_zhou), actor=dispatcher_zhou, unit=org.unit_b
    )
    for person in (supervisor_chen, leader_ma):  # the county government's supervisor and leader
        # then the superior's supervisor, leader and handler see the case …
        assert case in visible_to(person)
        assert not may_see_identity(person, case)
        client.force_login(person)
        pages = [
            client.get(f"/cases/{case.code}/"),
            client.get(f"/cases/{case.code}/parties/?full=1"),
            client.get(f"/cases/{case.code}/receipt/"),
        ]
        assert pages[0].status_code == 200 and MSG_IDENTITY_WITHHELD in pages[0].content.decode()
        body = api(person).get(f"/api/cases/{case.pk}")
        assert body.status_code == 200 and body.json()["petitioners"] == []
        # … but the accuser's name, phone and ID number appear in none of the bytes
        for raw in [p.content for p in pages] + [body.content]:
            text = raw.decode()
            assert NAME not in text and PHONE not in text and ID_NUMBER not in text
        # and searching by the accuser's phone or ID number does not confirm who it was
        for q in (PHONE, ID_NUMBER, NAME):
            assert case not in search_cases(person, q)
            assert api(person).get("/api/cases", {"q": q}).json()["items"] == []
    assert not AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.IDENTITY_VIEW).exists()


def test_the_superior_sees_the_accuser_only_as_the_deciding_organ_30_3(
    register_case, org, dispatcher_zhou, reviewer_qian, supervisor_chen
):
    # given an accusation against unit A forwarded to its superior, the county government, to decide
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.county_gov)
    # then the deciding organ sees who complained (need to know), and the look is audited
    assert may_see_identity(reviewer_qian, case) and may_see_identity(supervisor_chen, case)
    body = api(reviewer_qian).get(f"/api/cases/{case.pk}").json()
    assert [p["name"] for p in body["petitioners"]] == [NAME]
    assert AuditEntry.objects.filter(
        case=case, actor=reviewer_qian, kind=AuditEntry.Kind.IDENTITY_VIEW
    ).exists()


def test_the_rule_is_one_function_for_routing_and_visibility(register_case, org, township_side):
    # for every unit of the org: it is refused as a handler exactly when it may not see the case
    case = register_case(petition_type="accusation", accused_unit_id=org.township_gov.pk)
    side = accused_side_units(case)
    for unit in Unit.objects.all():
        on_side = case.accused_unit_id in accused_chain(unit.pk)
        assert on_side == (unit.pk in side)
        supervisor = staff(f"s_{unit.code}", unit, "supervisor")
        Case.objects.filter(pk=case.pk).update(handling_unit=unit)  # as if it had been routed there
        assert (case in visible_to(supervisor)) is (not on_side), unit.name


# --- hole 5: the accused person --------------------------------------------------------------------


@pytest.fixture
def namesake_case(register_case, org, dispatcher_zhou, handler_wang_unit_a):
    """An accusation against a township cadre named 王承办 — the name of unit A's handler — forwarded to A."""
    case = register_case(
        petition_type="accusation", accused_unit_id=org.township_gov.pk, accused_person="王承办"
    )
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    return wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)


def test_a_namesake_of_the_accused_can_neither_acknowledge_nor_answer_28_3(
    namesake_case, handler_wang_unit_a, head_sun_unit_a
):
    case = namesake_case
    # the old way out — acknowledge the "same name" warning oneself, then answer — is closed
    with pytest.raises(PermissionDenied, match="与被反映人同名"):
        wf.case_acknowledge_conflict(case=case, actor=handler_wang_unit_a, reason="同名不同人")
    with pytest.raises(PermissionDenied, match="与被反映人同名"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **OPINION)
    assert wf.allowed_actions(case, handler_wang_unit_a) == []
    assert not may_see_identity(handler_wang_unit_a, case)
    response = api(handler_wang_unit_a).post(
        f"/api/cases/{case.pk}/actions/reply", OPINION, content_type="application/json"
    )
    assert response.status_code == 403 and "与被反映人同名" in response.json()["message"]
    assert not CaseEvent.objects.filter(case=case, event_type__in=("acknowledge_conflict", "reply")).exists()
    # the rest of the unit carries on: the head accepts the matter (条例 §23¶3) and may answer it
    assert Action.ACCEPT_ASSIGNMENT in wf.allowed_actions(case, head_sun_unit_a)
    case = wf.case_accept_assignment(case=case, actor=head_sun_unit_a)
    assert Action.REPLY in wf.allowed_actions(case, head_sun_unit_a)


def test_only_a_supervisor_of_another_unit_clears_a_namesake_28_3(
    namesake_case, org, handler_wang_unit_a, supervisor_chen
):
    case = namesake_case
    # a supervisor of the handler's own unit may not clear it
    own_supervisor = staff("sup_a", org.unit_a, "supervisor", "孙督查")
    with pytest.raises(PermissionDenied):
        wf.case_clear_conflict_bar(case=case, actor=own_supervisor, staff=handler_wang_unit_a, reason="核实")
    # the county government's supervisor checks and clears it (an audited event) …
    assert Action.CLEAR_CONFLICT_BAR in wf.allowed_actions(case, supervisor_chen)
    response = api(supervisor_chen).post(
        f"/api/cases/{case.pk}/actions/clear_conflict_bar",
        {"staff": handler_wang_unit_a.pk, "reason": "经核实，被反映人系东城镇干部，与本人非同一人"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.event_type, event.actor, event.data["staff"]) == (
        "clear_conflict_bar",
        supervisor_chen,
        handler_wang_unit_a.pk,
    )
    # … and the handler may now accept the matter (条例 §23¶3) and answer it
    case.refresh_from_db()
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    assert wf.case_reply(case=case, actor=handler_wang_unit_a, **OPINION).status == "replied"


def test_the_person_under_accusation_can_never_clear_or_see_it_30_3(
    register_case, org, dispatcher_zhou, handler_wang_unit_a, supervisor_chen, client
):
    # given the accused person is a supervisor of 民政局 (unit B), linked to the case by the office,
    # and unit A's handler bears the same name
    accused = staff("sup_wang", org.unit_b, "supervisor", "王承办")
    case = register_case(petition_type="accusation", accused_person="某干部")
    case = wf.case_set_accused(
        case=case, actor=dispatcher_zhou, accused_unit=None, accused_user=accused, accused_person="王承办",
        reason="来信所指为民政局督查王承办",
    )  # fmt: skip
    assert case.accused_unit == org.unit_b
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    # then the accused person never sees the case …
    assert case not in visible_to(accused)
    assert api(accused).get(f"/api/cases/{case.pk}").status_code == 404
    # … and cannot clear the namesake's bar (nor anyone's), even as a supervisor of another unit
    with pytest.raises(PermissionDenied):
        wf.case_clear_conflict_bar(case=case, actor=accused, staff=handler_wang_unit_a, reason="同名不同人")
    # and nobody can clear the accused person's own link
    assert accused.pk not in {u.pk for u in wf.bars_clearable_by(case, supervisor_chen)}
    assert MSG_BARRED_ACCUSED
    assert not CaseEvent.objects.filter(case=case, event_type="clear_conflict_bar").exists()


# --- hole 6: an accusation against the registering office ---------------------------------------


def test_an_accusation_against_the_registering_office_goes_up_and_the_registrar_gets_the_case_30_3(
    org, clerk_li, clock
):
    # given the county office's clerk registers, through the API, an accusation against the county office
    clock.set(DAY)
    body = {
        "channel": "visit",
        "petition_type": "accusation",
        "title": "举报县信访局工作人员推诿",
        "content": "县信访局窗口工作人员多次拒绝登记。",
        "accused_unit_id": org.county_office.pk,
        "petitioners": [{"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}],
    }
    client = api(clerk_li)
    headers = {"HTTP_IDEMPOTENCY_KEY": "visit-2025-03-03-001"}
    response = client.post("/api/cases", body, content_type="application/json", **headers)
    # then it answers 201 with the case, held by the city office, and the accused office holds nothing
    assert response.status_code == 201, response.json()
    receipt = response.json()
    case = Case.objects.get(pk=receipt["id"])
    assert receipt["code"] == case.code and receipt["office"]["id"] == org.city_office.pk
    assert case.office == org.city_office and case.registered_by == clerk_li
    assert receipt["petitioners"] == [] and receipt["events"] == [] and receipt["allowed_actions"] == []
    # a retry answers with the same case and stores nothing again
    again = client.post("/api/cases", body, content_type="application/json", **headers)
    assert again.status_code == 200 and again.json()["id"] == case.pk
    assert Case.objects.filter(title=body["title"]).count() == 1
    # the accused office cannot read it afterwards; the office above routes it
    assert client.get(f"/api/cases/{case.code}").status_code == 404
    city_dispatcher = staff("city_disp", org.city_office, "dispatcher")
    case = wf.case_accept(case=case, actor=city_dispatcher)
    assert wf.case_forward(case=case, actor=city_dispatcher, unit=org.unit_b).handling_unit == org.unit_b
    assert json.dumps(case.submission.payload["office"]) == str(org.county_office.pk)


def test_the_intake_form_shows_the_receipt_of_an_accusation_against_the_office_30_3(client, org, clerk_li):
    client.force_login(clerk_li)
    form = {
        "idempotency_key": uuid.uuid4().hex,
        "channel": "visit",
        "petition_type": "accusation",
        "category": "",
        "territory": "",
        "address": "",
        "title": "举报县信访局",
        "content": "县信访局工作人员刁难。",
        "request": "",
        "accused_person": "",
        "accused_unit": str(org.county_office.pk),
        "headcount": "1",
        "p-TOTAL_FORMS": "1",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "200",
        "p-0-name": NAME,
        "p-0-kind": "person",
        "p-0-id_number": "",
        "p-0-phone": PHONE,
        "p-0-address": "",
    }
    response = client.post("/cases/new/", form)
    assert response.status_code == 201, response.content.decode()[:3000]
    html = response.content.decode()
    case = Case.objects.get(title="举报县信访局")
    assert case.code in html and 'data-testid="moved-up"' in html and org.city_office.name in html
    assert client.get(f"/cases/{case.code}/").status_code == 404


def test_setting_the_office_itself_as_accused_moves_the_case_up_30_3(client, org, clock, dispatcher_zhou):
    # given a portal accusation whose words turn out to mean the county office itself
    clock.set(DAY)
    case = portal_accusation(client, org, "县信访局窗口人员")
    wf.case_set_accused(case=case, actor=dispatcher_zhou, accused_unit=org.county_office, reason="核实")
    case.refresh_from_db()
    # then the office above holds it, with its clocks, and the county office no longer sees it
    assert case.office == org.city_office
    assert set(case.clocks.values_list("unit", flat=True)) == {org.city_office.pk}
    assert case not in visible_to(dispatcher_zhou)
