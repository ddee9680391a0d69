"""The mediation screens: the workbench, the ledger, filing and assigning an item, a mediation page with
its chain, the agreement as .docx and print, bad input as a 4xx with the message, nothing half-written."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse
from docx import Document

from huiyin.cases.choices import Status
from huiyin.mediation import services
from huiyin.mediation.choices import AgreementForm, MediationKind
from huiyin.mediation.models import Mediation, ScreeningItem
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import State
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

TODAY = date(2025, 12, 10)


def test_a_grid_worker_files_an_item_and_the_township_assigns_it(client, world, clock):
    clock.set(TODAY)
    client.force_login(world.grid_worker)
    assert client.get(reverse("mediation_bench")).status_code == 200
    response = client.post(reverse("mediation_item_new"), {"territory": world.grid.pk, "kind": "land",
                           "summary": "承包地边界争议", "parties": "王五、赵六", "risk": "serious"})  # fmt: skip
    item = ScreeningItem.objects.get()
    assert response.status_code == 302 and item.reported_by == world.grid_worker
    client.force_login(world.township_handler)
    page = client.get(reverse("mediation_item", args=[item.pk])).content.decode()
    assert 'data-testid="assign-form"' in page
    client.post(reverse("mediation_item_act", args=[item.pk, "assign"]),
                {"unit": world.committee.pk, "person": world.mediator.pk, "due_on": "2025-12-31"})  # fmt: skip
    item.refresh_from_db()
    assert (item.responsible_person, item.due_on) == (world.mediator, date(2025, 12, 31))


def test_a_bad_date_is_a_400_with_the_message_and_nothing_changes(client, world, clock):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="x",
                                parties="甲、乙", risk="ordinary")  # fmt: skip
    client.force_login(world.township_handler)
    response = client.post(reverse("mediation_item_act", args=[item.pk, "assign"]),
                           {"unit": world.committee.pk, "person": world.mediator.pk, "due_on": "2025-13-45"})  # fmt: skip
    assert response.status_code == 400 and "化解期限" in response.content.decode()
    item.refresh_from_db()
    assert item.responsible_unit is None


def test_a_missing_field_on_filing_is_a_400_not_a_500(client, world, clock):
    clock.set(TODAY)
    client.force_login(world.grid_worker)
    assert client.post(reverse("mediation_item_new"), {"territory": "x"}).status_code == 400
    assert client.post(reverse("mediation_item_new"), {"territory": world.grid.pk}).status_code == 400
    assert not ScreeningItem.objects.exists()


def test_another_village_gets_the_missing_record_404(client, world, clock):
    clock.set(TODAY)
    m = people_mediation(world)
    client.force_login(world.other_mediator)
    assert client.get(reverse("mediation_detail", args=[m.pk])).status_code == 404
    assert client.post(reverse("mediation_act", args=[m.pk, "start"])).status_code == 404


def test_the_mediation_page_walks_the_agreement_and_renders_the_docx(client, world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    client.force_login(world.mediator)
    client.post(reverse("mediation_act", args=[m.pk, "session"]),
                {"held_on": "2025-12-09", "place": "村部", "attendees": "双方", "record": "第一次"})  # fmt: skip
    response = client.post(reverse("mediation_act", args=[m.pk, "agree"]), {
        "form": AgreementForm.WRITTEN, "facts": "滴水檐越界", "obligations": "李四改建滴水檐",
        "performance_terms": "12月31日前", "signed_on": "2025-12-10", "follow_up_on": "2026-01-05",
        "parties_signed": "on", "sealed": "on"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("mediation_detail", args=[m.pk])).content.decode()
    assert "村（社区）" in page and "2026-01-09" in page  # level; 司法确认 by 12-10 + 30 days = 2026-01-09
    docx = client.get(reverse("mediation_agreement_docx", args=[m.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    for expected in (
        "人民调解协议书",
        "申请人：张三",
        "被申请人：李四",
        "李四改建滴水檐",
        "12月31日前",
        "柳林村民委员会（印章）",
        "一式3份",
    ):
        assert expected in text, expected
    assert "李四改建滴水檐" in client.get(reverse("mediation_agreement_print", args=[m.pk])).content.decode()


def test_an_unknown_action_is_a_404(client, world, clock):
    clock.set(TODAY)
    m = people_mediation(world)
    client.force_login(world.mediator)
    assert client.post(reverse("mediation_act", args=[m.pk, "explode"])).status_code == 404


def test_the_case_handler_sends_a_petition_to_mediation_and_answers_it(
    client, world, clock, register_case, cast_all
):
    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    handler = world.department_handler
    case = wf.case_accept_assignment(case=case, actor=handler)  # the unit accepts (条例 §23¶3)
    client.force_login(handler)
    assert client.get(reverse("case_to_mediation", args=[case.code])).status_code == 200
    client.post(reverse("case_to_mediation", args=[case.code]),
                {"organ": handler.unit_id, "kind": MediationKind.ADMINISTRATIVE, "respondents": "物业公司"})  # fmt: skip
    m = Mediation.objects.get(case=case)
    for p in m.parties.all():
        client.post(reverse("mediation_act", args=[m.pk, "consent"]), {"party": p.pk, "consent": "given"})
    client.post(reverse("mediation_act", args=[m.pk, "start"]))
    add_session(m, handler)
    client.post(reverse("mediation_act", args=[m.pk, "agree"]), {"form": "oral", "obligations": "物业一周内修好",
                "signed_on": "2025-12-10", "follow_up_on": "2025-12-17"})  # fmt: skip
    assert (
        'data-testid="answer-petition"'
        in client.get(reverse("mediation_detail", args=[m.pk])).content.decode()
    )
    client.post(reverse("mediation_act", args=[m.pk, "answer_petition"]))
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_the_county_office_links_a_later_petition_and_the_figures_count_it_against_not_passed_up(
    client, world, clock, register_case, dispatcher_zhou
):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    add_session(m, world.mediator)
    services.agreement_sign(mediation=m, actor=world.mediator, form=AgreementForm.ORAL, facts="",
                            obligations="各让三尺", performance_terms="", signed_on=TODAY, follow_up_on=TODAY)  # fmt: skip
    clock.set(date(2025, 12, 20))
    petition = register_case(title="又到县里")
    client.force_login(dispatcher_zhou)
    assert (
        client.post(reverse("mediation_act", args=[m.pk, "link_petition"]), {"code": "NOPE"}).status_code
        == 400
    )
    client.post(reverse("mediation_act", args=[m.pk, "link_petition"]), {"code": petition.code.lower()})
    m.refresh_from_db()
    assert m.later_petition == petition
    page = client.get(reverse("mediation_metrics"), {"month": "2025-12"}).content.decode()
    assert "0/1（0.00%）" in page  # the one village dispute of December came back at the county
    assert client.get(reverse("mediation_metrics"), {"month": "garbage"}).status_code == 200


def test_the_workbench_lists_my_items_only(client, world, clock):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="x",
                                parties="甲、乙", risk="ordinary")  # fmt: skip
    mine = f"排查第{item.pk}号"
    client.force_login(world.grid_worker)  # she reported it
    assert mine in client.get(reverse("mediation_bench")).content.decode()
    client.force_login(world.township_handler)  # the township sees it on the ledger, not as its own
    assert mine not in client.get(reverse("mediation_bench")).content.decode()
    assert f'href="/mediation/items/{item.pk}/"' in client.get(reverse("mediation_ledger")).content.decode()
    services.item_assign(item=item, actor=world.township_handler, unit=world.committee, person=world.mediator,
                         due_on=date(2025, 12, 31))  # fmt: skip
    client.force_login(world.mediator)  # the responsible person
    assert mine in client.get(reverse("mediation_bench")).content.decode()
    client.force_login(world.other_mediator)
    assert mine not in client.get(reverse("mediation_bench")).content.decode()
