"""What the mediation plugs into: outreach's screening aid, the petition case page's 关联事项
(Module.case_links) under the accused-side rule (条例 §30¶3), overdue items as 督办 candidates
(Module.supervision_candidates, 条例 §40), and the chain of one dispute on one page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.core import registry
from huiyin.core.errors import ValidationFailed
from huiyin.mediation import selectors, services
from huiyin.mediation.choices import AgreementForm, Consent, ItemSource, MediationKind
from huiyin.mediation.models import ScreeningItem
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import State
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

TODAY = date(2025, 12, 10)


# ---------------------------------------------------------------- outreach's aid (民情日记 → 台账)


def _diary_problem(world, text: str = "两户为排水沟堵塞争吵多次"):
    from huiyin.outreach import services as outreach
    from huiyin.outreach.models import LiaisonPoint, Pairing

    point = LiaisonPoint.objects.create(kind="village", name="柳林村", territory=world.village)
    pairing = Pairing.objects.create(kind="cadre_household", point=point, unit=world.committee,
                                     cadre=world.grid_worker, starts_on=date(2025, 1, 1), created_at=timezone.now())  # fmt: skip
    entry, _ = outreach.diary_entry_create(
        data=outreach.EntryIn(point=point, pairing=pairing, visited_on=TODAY, place="柳林村3组",
                              people_met="王五一家", heard="排水沟纠纷", problems=[text]),
        actor=world.grid_worker,
    )  # fmt: skip
    return entry.problems.get()


def test_the_screening_aid_is_the_one_outreach_looks_up():
    from huiyin.outreach.services import MEDIATION_SCREENING

    assert registry.aid(MEDIATION_SCREENING) is services.screening_item_create


def test_a_diary_problem_becomes_a_screening_item_through_the_aid_end_to_end(world, clock, client):
    from huiyin.outreach import services as outreach

    clock.set(TODAY)
    services.round_open(township=world.village.parent, period=TODAY, actor=world.township_handler)
    problem = _diary_problem(world)
    problem = outreach.problem_to_screening(problem=problem, actor=world.grid_worker)
    item = ScreeningItem.objects.get()
    assert problem.state == "screening" and problem.screening_ref == str(item.pk)
    assert (item.source, item.source_ref, item.territory, item.reported_by) == (
        ItemSource.OUTREACH, f"outreach-problem-{problem.pk}", world.village, world.grid_worker
    )  # fmt: skip
    assert item.summary == "两户为排水沟堵塞争吵多次" and item.status == "reported"
    # it filed 柳林村's report of this month's round (not a 零报告)
    report = item.round.reports.get(point=world.village)
    assert report.filed_at is not None and not report.zero
    # the township sees it on its ledger and assigns it like any other item
    client.force_login(world.township_handler)
    assert f'href="/mediation/items/{item.pk}/"' in client.get(reverse("mediation_ledger")).content.decode()
    services.item_assign(item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=date(2025, 12, 20))  # fmt: skip
    # asked again for the same problem, the aid gives the same item back
    again = services.screening_item_create(text="x", territory=world.village, found_by=world.grid_worker,
                                           source_ref=f"outreach-problem-{problem.pk}")  # fmt: skip
    assert again.pk == item.pk and ScreeningItem.objects.count() == 1


def test_the_aid_refuses_a_role_that_does_not_report_and_writes_nothing(world, clock, supervisor_chen):
    clock.set(TODAY)
    with pytest.raises(services.PermissionDenied):
        services.screening_item_create(text="x", territory=world.village, found_by=supervisor_chen,
                                       source_ref="outreach-problem-9")  # fmt: skip
    with pytest.raises(services.ValidationFailed):
        services.screening_item_create(text="  ", territory=world.village, found_by=world.grid_worker,
                                       source_ref="outreach-problem-10")  # fmt: skip
    assert not ScreeningItem.objects.exists()


# ---------------------------------------------------------------- the case page's links, §30


def _handled_case(register_case, cast_all, world, **kw) -> Case:
    case = drive_to(register_case(**kw), Status.IN_HANDLING, cast_all)  # handled by unit A (住建局)
    return wf.case_accept_assignment(case=case, actor=world.department_handler)


def test_the_petition_case_page_lists_its_mediation_for_the_handler(
    client, world, clock, register_case, cast_all
):
    clock.set(TODAY)
    case = _handled_case(register_case, cast_all, world)
    handler = world.department_handler
    m = services.mediation_from_case(case=case, actor=handler, organ=handler.unit,
                                     kind=MediationKind.ADMINISTRATIVE, respondents=["某物业公司"])  # fmt: skip
    client.force_login(handler)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="module-links"' in html and reverse("mediation_dispute", args=[m.pk]) in html
    assert "行政调解第" in html


def test_art33_the_case_page_offers_mediation_to_the_handling_unit_only_while_the_case_is_open(
    client, world, clock, register_case, cast_all, supervisor_chen
):
    clock.set(TODAY)
    case = _handled_case(register_case, cast_all, world)
    way_in = reverse("case_to_mediation", args=[case.code])
    client.force_login(world.department_handler)
    assert way_in in client.get(reverse("case_detail", args=[case.code])).content.decode()
    # the supervisor sees the case but is neither its handling unit nor its office
    assert way_in not in [link.url for link in registry.case_links(case, supervisor_chen)]
    # once in mediation, the chain goes on from the mediation's page, not from the case page
    m = services.mediation_from_case(case=case, actor=world.department_handler, organ=world.department_handler.unit,
                                     kind=MediationKind.ADMINISTRATIVE, respondents=["某物业公司"])  # fmt: skip
    assert [link.url for link in registry.case_links(case, world.department_handler)] == [
        reverse("mediation_dispute", args=[m.pk]), reverse("case_to_screening", args=[case.code])
    ]  # fmt: skip
    closed = _handled_case(register_case, cast_all, world)
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    closed.refresh_from_db()
    assert reverse("case_to_mediation", args=[closed.code]) not in [
        link.url for link in registry.case_links(closed, world.department_handler)
    ]


def test_a_dispute_that_came_back_is_listed_on_the_later_petitions_page(
    world, clock, register_case, dispatcher_zhou
):
    clock.set(TODAY)
    m = people_mediation(world, state=State.TERMINATED)
    clock.set(date(2025, 12, 20))
    petition = register_case(title="又到县里")
    services.dispute_link_petition(mediation=m, case=petition, actor=dispatcher_zhou)
    links = registry.case_links(petition, dispatcher_zhou)
    # the dispute, then the office's ways to put it on the ledger or send it to mediation again (条例 §33)
    assert [link.url for link in links] == [
        reverse("mediation_dispute", args=[m.pk]), reverse("case_to_screening", args=[petition.code]),
        reverse("case_to_mediation", args=[petition.code]),
    ]  # fmt: skip
    assert "调解后又来信访" in links[0].note


@pytest.fixture
def accusation(world, clock, register_case, cast_all, org):
    """条例 §30¶3: an accusation against 东城镇人民政府 about 柳林村, mediated at the county's 住建局, with
    a screening item of it; the township and its village committee are the accused side."""
    clock.set(TODAY)
    case = _handled_case(register_case, cast_all, world, petition_type="accusation",
                         accused_unit_id=org.township_gov.pk, territory_id=org.village.pk)  # fmt: skip
    handler = world.department_handler
    m = services.mediation_from_case(case=case, actor=handler, organ=handler.unit,
                                     kind=MediationKind.ADMINISTRATIVE, respondents=["东城镇"])  # fmt: skip
    for p in m.parties.all():
        services.party_consent(party=p, actor=handler, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=handler)
    add_session(m, handler)
    services.agreement_sign(mediation=m, actor=handler, form=AgreementForm.ORAL, facts="", obligations="补发补助",
                            performance_terms="", signed_on=TODAY, follow_up_on=TODAY)  # fmt: skip
    item = ScreeningItem.objects.create(territory=world.village, source="case", case=case, kind="other",
                                        summary="举报镇干部截留补助", parties="举报人", risk="serious",
                                        reported_by=handler, reported_at=timezone.now())  # fmt: skip
    return {"case": case, "m": m, "item": item}


def test_ssec30_the_accused_side_never_reaches_an_accusations_mediation_records(accusation, world, client):
    """Attack from the accused side: every route of the mediation, its dispute page, its agreement,
    the item and the case page's links are the missing record for the township's and the village's
    staff, though the mediation's place (柳林村) lies in their territory."""
    case, m, item = accusation["case"], accusation["m"], accusation["item"]
    handler = world.department_handler
    assert [link.url for link in registry.case_links(case, handler)] == [
        reverse("mediation_dispute", args=[m.pk]), reverse("mediation_item", args=[item.pk])
    ]  # fmt: skip
    for accused in (world.township_handler, world.township_head, world.mediator, world.grid_worker):
        assert registry.case_links(case, accused) == [], accused.username
        assert m not in selectors.mediations_for(accused) and item not in selectors.items_for(accused)
        assert selectors.supervision_candidates(accused) == []
        client.force_login(accused)
        for url in (
            reverse("mediation_detail", args=[m.pk]),
            reverse("mediation_dispute", args=[m.pk]),
            reverse("mediation_agreement_print", args=[m.pk]),
            reverse("mediation_agreement_docx", args=[m.pk]),
            reverse("mediation_item", args=[item.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404, (accused.username, url)
            assert "举报" not in response.content.decode() and "截留" not in response.content.decode()
        for name in ("mediation_bench", "mediation_ledger"):
            assert "截留" not in client.get(reverse(name)).content.decode()
        assert client.post(reverse("mediation_act", args=[m.pk, "follow_up"]),
                           {"performance": "performed", "note": "x"}).status_code == 404  # fmt: skip


def test_ssec30_a_village_dispute_page_hides_a_later_accusation_from_the_accused(
    world, clock, register_case, cast_all, org, dispatcher_zhou, client
):
    clock.set(TODAY)
    m = people_mediation(world, state=State.TERMINATED)
    clock.set(date(2025, 12, 20))
    petition = register_case(
        petition_type="accusation", accused_unit_id=org.township_gov.pk, title="举报镇政府"
    )
    services.dispute_link_petition(mediation=m, case=petition, actor=dispatcher_zhou)
    client.force_login(world.township_handler)  # sees the village's mediation, not the accusation
    html = client.get(reverse("mediation_dispute", args=[m.pk])).content.decode()
    assert 'data-step="mediation"' in html and petition.code not in html and "举报镇政府" not in html
    client.force_login(dispatcher_zhou)  # the county office sees both
    html = client.get(reverse("mediation_dispute", args=[m.pk])).content.decode()
    assert 'data-step="petition"' in html and petition.code in html


# ---------------------------------------------------------------- 督办 candidates (条例 §40)


def test_an_overdue_item_is_a_supervision_candidate_on_the_supervisors_page(
    world, clock, client, supervisor_chen
):
    clock.set(TODAY)
    late = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="界桩",
                                parties="甲、乙", risk="serious")  # fmt: skip
    services.item_assign(item=late, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=date(2025, 12, 12))  # fmt: skip
    on_time = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="水渠",
                                   parties="丙、丁", risk="ordinary")  # fmt: skip
    services.item_assign(item=on_time, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=date(2025, 12, 31))  # fmt: skip
    clock.set(date(2025, 12, 15))  # three days past the 12th
    found = registry.supervision_candidates(supervisor_chen)
    assert [c.url for c in found] == [reverse("mediation_item", args=[late.pk])]
    assert "已逾期3天" in found[0].detail and found[0].unit == "柳林村民委员会"
    client.force_login(supervisor_chen)
    html = client.get(reverse("supervision")).content.decode()
    assert 'data-testid="module-candidate"' in html and reverse("mediation_item", args=[late.pk]) in html
    assert reverse("mediation_item", args=[on_time.pk]) not in html
    # settled, it is no longer a candidate
    services.item_settle(item=late, actor=world.mediator, note="已恢复界桩")
    assert registry.supervision_candidates(supervisor_chen) == []
    html = client.get(reverse("supervision")).content.decode()
    assert 'data-testid="module-candidate"' not in html


def test_a_supervisor_of_another_county_sees_no_candidate(world, clock, org):
    from huiyin.org.models import Territory, Unit, User

    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="x",
                                parties="甲、乙", risk="ordinary")  # fmt: skip
    services.item_assign(item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=TODAY)  # fmt: skip
    clock.set(date(2025, 12, 20))
    other = Territory.objects.create(code="430122", name="邻县", level=3, parent=org.city)
    gov = Unit.objects.create(code="N-GOV", name="邻县人民政府", kind="government", territory=other)
    outsider = User.objects.create_user(username="sup2", password="x", unit=gov, role="supervisor")
    assert registry.supervision_candidates(outsider) == []


# ---------------------------------------------------------------- the chain of one dispute


def test_the_chain_of_one_dispute_is_one_page(world, clock, client, register_case, dispatcher_zhou):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="property", summary="楼上漏水",
                                parties="王五、赵六", risk="ordinary")  # fmt: skip
    m = services.mediation_from_item(item=item, actor=world.mediator)
    for p in m.parties.all():
        services.party_consent(party=p, actor=world.mediator, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=world.mediator)
    services.mediation_terminate(
        mediation=m, actor=world.mediator, reason="分歧大", routes_told=services.DEFAULT_ROUTES
    )
    dept = world.department_handler
    nxt = services.mediation_hand_off(mediation=m, actor=world.mediator, kind=MediationKind.ADMINISTRATIVE,
                                      organ=dept.unit)  # fmt: skip
    for p in nxt.parties.all():
        services.party_consent(party=p, actor=dept, consent=Consent.GIVEN)
    services.mediation_start(mediation=nxt, actor=dept)
    services.mediation_terminate(
        mediation=nxt, actor=dept, reason="仍不同意", routes_told=services.DEFAULT_ROUTES
    )
    court = services.mediation_hand_off(
        mediation=nxt, actor=dept, kind=MediationKind.JUDICIAL, court_name="示范县人民法院"
    )
    services.court_outcome_record(mediation=court, actor=dept, outcome="mediated", on=TODAY)
    clock.set(date(2025, 12, 20))
    petition = register_case(title="又来县里")
    services.dispute_link_petition(mediation=court, case=petition, actor=dispatcher_zhou)
    client.force_login(dispatcher_zhou)  # the county office sees the whole chain and the petition
    html = client.get(reverse("mediation_dispute", args=[court.pk])).content.decode()
    steps = [chunk.split('"')[0] for chunk in html.split('data-step="')[1:]]
    assert steps == ["item", "mediation", "mediation", "mediation", "petition"]
    assert (
        html.index('data-kind="people"')
        < html.index('data-kind="administrative"')
        < html.index('data-kind="judicial"')
    )
    assert "法院调解结案" in html and petition.code in html and "县（区）" in html
    # from any step the same page: the village's mediator opens it from her own step
    client.force_login(world.mediator)
    mine = client.get(reverse("mediation_dispute", args=[m.pk])).content.decode()
    assert mine.count('data-step="mediation"') == 3 and 'data-step="item"' in mine
    assert petition.code not in mine  # she does not see the county's petition
    # and another village's mediator gets the missing record
    client.force_login(world.other_mediator)
    assert client.get(reverse("mediation_dispute", args=[m.pk])).status_code == 404


def test_the_department_a_dispute_is_handed_to_sees_the_item_it_came_from(world, clock):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="property", summary="漏水",
                                parties="王五、赵六", risk="ordinary")  # fmt: skip
    dept = world.department_handler
    assert item not in selectors.items_for(dept)
    m = services.mediation_from_item(item=item, actor=world.mediator)
    for p in m.parties.all():
        services.party_consent(party=p, actor=world.mediator, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=world.mediator)
    services.mediation_terminate(
        mediation=m, actor=world.mediator, reason="分歧大", routes_told=services.DEFAULT_ROUTES
    )
    assert item not in selectors.items_for(dept)
    services.mediation_hand_off(
        mediation=m, actor=world.mediator, kind=MediationKind.ADMINISTRATIVE, organ=dept.unit
    )
    assert item in selectors.items_for(dept)
    assert item not in selectors.items_for(world.other_mediator)


# ---------------------------------------------------------------- 从信访事项登记排查事项 (issue 13 item 1)


def test_the_handling_unit_files_a_screening_item_from_the_case_prefilled_and_linked(
    client, world, clock, register_case, cast_all, supervisor_chen, dispatcher_zhou
):
    clock.set(TODAY)
    case = _handled_case(register_case, cast_all, world, territory_id=world.village.pk)
    handler = world.department_handler
    way_in = reverse("case_to_screening", args=[case.code])
    client.force_login(handler)
    # beside 转入调解 on the case page
    page = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert way_in in page and reverse("case_to_mediation", args=[case.code]) in page
    form = client.get(way_in).content.decode()
    # prefilled: the case's village, the kind its title says (漏水 → 物业和房屋), the petitioner
    assert f'<option value="{world.village.pk}" selected>' in form
    assert '<option value="property" selected>' in form and 'value="刘群众"' in form
    assert "小区楼道漏水无人维修" in form
    response = client.post(way_in, {"territory": world.grid.pk, "kind": "property", "parties": "刘群众、某物业公司",
                                    "summary": "楼道漏水，物业不修", "risk": "ordinary"})  # fmt: skip
    item = ScreeningItem.objects.get(case=case)
    assert response.status_code == 302 and response.url == reverse("mediation_item", args=[item.pk])
    assert (item.source, item.territory, item.reported_by) == (ItemSource.CASE, world.grid, handler)
    assert case.code in client.get(response.url).content.decode()  # the item names its case
    # the case lists the item; the way in is gone once the case has one
    urls = [link.url for link in registry.case_links(case, handler)]
    assert reverse("mediation_item", args=[item.pk]) in urls and way_in not in urls
    # a record linked to a case is seen with the case: the county office that took it in assigns it
    assert item in selectors.items_for(dispatcher_zhou) and item not in selectors.items_for(
        world.township_handler
    )
    # the supervisor sees the case but is neither its handling unit nor its office: no way in, 403
    assert way_in not in [link.url for link in registry.case_links(case, supervisor_chen)]
    client.force_login(supervisor_chen)
    refused = client.post(way_in, {"territory": world.village.pk, "kind": "property", "parties": "x",
                                   "summary": "x", "risk": "ordinary"})  # fmt: skip
    assert refused.status_code == 403 and ScreeningItem.objects.filter(case=case).count() == 1


def test_a_screening_item_from_a_case_is_refused_outside_the_cases_place(
    client, world, clock, register_case, cast_all, org
):
    clock.set(TODAY)
    case = _handled_case(register_case, cast_all, world, territory_id=world.village.pk)
    client.force_login(world.department_handler)
    response = client.post(reverse("case_to_screening", args=[case.code]), {
        "territory": world.other_village.pk, "kind": "other", "parties": "x", "summary": "x", "risk": "ordinary",
    })  # fmt: skip
    assert response.status_code == 400 and not ScreeningItem.objects.filter(case=case).exists()
    bad = client.post(reverse("case_to_screening", args=[case.code]), {"territory": "abc"})
    assert bad.status_code == 400


def test_ssec30_an_accusations_screening_item_keeps_the_accuser_and_the_case_from_the_accused_side(
    client, world, clock, register_case, cast_all, org, dispatcher_zhou
):
    """Attack from the accused side (条例 §30¶3, ADR 0005): an accusation against 东城镇人民政府 about
    柳林村 is put on the ledger by the county's 住建局. The accuser's name is never copied onto it, it
    joins no round of the township, the township and its village never see it, and the township's
    organs cannot be made responsible for it."""
    clock.set(TODAY)
    rnd = services.round_open(township=org.township, period=TODAY, actor=world.township_handler)
    case = _handled_case(register_case, cast_all, world, petition_type="accusation", title="举报镇干部截留补助",
                         accused_unit_id=org.township_gov.pk, territory_id=org.village.pk)  # fmt: skip
    handler = world.department_handler
    client.force_login(handler)
    form = client.get(reverse("case_to_screening", args=[case.code])).content.decode()
    assert "刘群众" not in form and services.ACCUSER_WITHHELD in form
    client.post(reverse("case_to_screening", args=[case.code]), {
        "territory": world.village.pk, "kind": "other", "parties": services.ACCUSER_WITHHELD,
        "summary": "举报镇干部截留补助", "risk": "serious",
    })  # fmt: skip
    item = ScreeningItem.objects.get(case=case)
    assert item.round is None and "刘群众" not in item.parties
    assert not rnd.reports.filter(filed_at__isnull=False).exists()  # the village's point is not "filed"
    for accused in (world.township_handler, world.township_head, world.mediator, world.grid_worker):
        assert item not in selectors.items_for(accused), accused.username
        client.force_login(accused)
        assert client.get(reverse("mediation_item", args=[item.pk])).status_code == 404
        assert client.get(reverse("case_to_screening", args=[case.code])).status_code == 404
        assert "截留" not in client.get(reverse("mediation_ledger")).content.decode()
    # the county office assigns it, but never to the accused side
    with pytest.raises(ValidationFailed):
        services.item_assign(item=item, actor=dispatcher_zhou, unit=world.committee,
                             person=world.mediator, due_on=date(2025, 12, 31))  # fmt: skip
