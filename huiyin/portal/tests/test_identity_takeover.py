"""Identity takeover by ID number (issue 9, hole 1), attacked end to end.

Anyone may type anyone's ID number. Before the fix a submission with a known ID number and a new
phone overwrote the person's stored phone, so the submitter could sign in to 我的事项 with their own
phone and read, rate and ask 复查 on the victim's cases — accusations included — and the victim's
later SMS went to the submitter. The rule: a submission never changes a stored petitioner's contact;
a new contact is this case's only until staff verify it or the person proves the phone on record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from huiyin.cases.choices import ContactState, Status
from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Petitioner
from huiyin.cases.services import PetitionerIn
from huiyin.core.models import AuditEntry
from huiyin.notify.models import Notification
from huiyin.notify.services import recipients_for
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

VICTIM_ID = "11010519491231002X"
VICTIM_PHONE = "13800001234"
VICTIM_ADDRESS = "东城镇柳林村"
ATTACKER_PHONE = "13900009999"


def victim() -> PetitionerIn:
    return PetitionerIn(name="刘群众", id_number=VICTIM_ID, phone=VICTIM_PHONE, address=VICTIM_ADDRESS)


@pytest.fixture
def victims_accusation(register_case, cast_all, clock, org):
    """刘群众's accusation against the city's 信访局 staff, answered by 住建局 and delivered: open to
    rating and 复查."""
    clock.set(date(2025, 3, 3))
    case = register_case(
        petition_type="accusation",
        title="工作人员索要好处费",
        content="办理房屋补偿时市信访局某工作人员索要好处费两千元。",
        accused_person="某科员",
        accused_unit_id=org.city_office.pk,
        petitioners=[victim()],
    )
    case = drive_to(case, Status.REPLIED, cast_all)
    return wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="in_person")


def sign_in(client: Client, phone: str, outbox: list[Any]) -> None:
    """Sign in to 我的事项 with a one-time code sent to `phone` (the attacker owns this phone)."""
    client.post("/public/account/", {"address": phone})
    message = [m for m in outbox if m.recipient == phone][-1]
    code = message.body.split("为")[1][:6]
    assert client.post("/public/account/code/", {"code": code}).status_code == 302


def assert_victim_untouched(case: Case) -> None:
    person = Petitioner.objects.get(id_number=VICTIM_ID)
    assert (person.phone, person.address) == (VICTIM_PHONE, VICTIM_ADDRESS)
    assert recipients_for(case) == [("sms", VICTIM_PHONE)]


def assert_attacker_sees_none_of(client: Client, case: Case, outbox: list[Any]) -> None:
    client.cookies.clear()
    sign_in(client, ATTACKER_PHONE, outbox)
    rows = client.get("/public/account/").context["rows"]
    assert case not in [r["case"] for r in rows]
    page = client.get(f"/public/cases/{case.code}/")
    assert page.status_code == 302 and "/public/track/" in page["Location"]


# --- the portal walk ---------------------------------------------------------------------------


def test_an_id_number_and_a_new_phone_on_the_portal_take_over_nothing_30_3(
    client, victims_accusation, petition, outbox, django_capture_on_commit_callbacks, cast_all
):
    case = victims_accusation
    # given the victim's answered accusation; when someone who knows the victim's ID number submits a
    # suggestion on the portal with that ID number and their own phone
    response = client.post(
        "/public/submit/",
        petition(
            petition_type="suggestion",
            name="刘群众",
            id_number=VICTIM_ID,
            phone=ATTACKER_PHONE,
            title="建议增设公交站",
            content="建议在柳林村口增设公交站。",
        ),
    )
    assert response.status_code == 302
    own = Case.objects.exclude(pk=case.pk).get()

    # then the victim's stored contact is unchanged and the new phone is that case's contact only
    assert_victim_untouched(case)
    party = CasePetitioner.objects.get(case=own)
    assert party.petitioner.id_number == VICTIM_ID
    assert (party.phone, party.contact_state) == (ATTACKER_PHONE, ContactState.UNVERIFIED)

    # and signed in by a code sent to their phone, 我的事项 lists their own submission only
    assert_attacker_sees_none_of(client, case, outbox)
    assert [r["case"] for r in client.get("/public/account/").context["rows"]] == [own]

    # and they can neither rate the victim's answer nor ask for 复查 on it
    rate = client.post(f"/public/cases/{case.code}/rate/", {"rating": "unsatisfied", "solved": "no"})
    review = client.post(f"/public/cases/{case.code}/review/", {"reason": "不服"})
    assert rate.status_code == 302 and review.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED and case.rating == ""
    assert not case.events.filter(event_type__in=("rate", "request_review")).exists()

    # and the victim's later messages still go to the victim
    with django_capture_on_commit_callbacks(execute=True):
        wf.case_request_review(case=case, actor=cast_all.person("clerk"), reason="信访人当面请求复查")
    event = CaseEvent.objects.get(case=case, event_type="request_review")
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {VICTIM_PHONE}
    assert ATTACKER_PHONE not in [m.recipient for m in outbox if "复查" in m.body]


def test_tracking_by_the_last_four_digits_uses_the_cases_own_phone(client, victims_accusation, petition):
    case = victims_accusation
    client.post("/public/submit/", petition(id_number=VICTIM_ID, phone=ATTACKER_PHONE))
    own = Case.objects.exclude(pk=case.pk).get()
    client.cookies.clear()
    # the attacker's phone tail opens their own case, never the victim's
    wrong = client.post("/public/track/", {"code": case.code, "factor": ATTACKER_PHONE[-4:]})
    assert wrong.status_code == 400
    right = client.post("/public/track/", {"code": own.code, "factor": ATTACKER_PHONE[-4:]})
    assert right.status_code == 302
    # and the victim's own tail still opens the victim's case
    assert client.post("/public/track/", {"code": case.code, "factor": VICTIM_PHONE[-4:]}).status_code == 302


def test_the_new_cases_receipt_goes_to_the_phone_it_carried(
    client, victims_accusation, petition, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/public/submit/", petition(id_number=VICTIM_ID, phone=ATTACKER_PHONE))
    own = Case.objects.exclude(pk=victims_accusation.pk).get()
    receipts = Notification.objects.filter(case=own, kind="register")
    assert list(receipts.values_list("recipient", flat=True)) == [ATTACKER_PHONE]


# --- the same through the staff API and Open311 ------------------------------------------------


def _bearer(user: Any) -> Client:
    _, raw = token_issue(user=user, name="集成")
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_an_id_number_and_a_new_phone_through_the_api_take_over_nothing(
    client, victims_accusation, clerk_li, outbox
):
    case = victims_accusation
    body = {
        "channel": "phone",
        "petition_type": "complaint",
        "title": "噪音扰民",
        "content": "夜间施工噪音扰民。",
        "petitioners": [
            {"name": "刘群众", "id_number": VICTIM_ID, "phone": ATTACKER_PHONE, "address": "别处"}
        ],
    }
    response = _bearer(clerk_li).post("/api/cases", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    party = response.json()["petitioners"][0]
    assert (party["phone"], party["address"], party["contact_state"]) == (
        ATTACKER_PHONE,
        "别处",
        "unverified",
    )
    assert_victim_untouched(case)
    assert_attacker_sees_none_of(client, case, outbox)


def test_an_open311_request_with_the_victims_name_and_id_takes_over_nothing(
    client, victims_accusation, clerk_li, org, outbox
):
    from huiyin.cases.models import Category

    case = victims_accusation
    _, key = token_issue(user=clerk_li, name="311 app")
    leaf = Category.objects.filter(level=3).order_by("full_name").first()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": str(leaf.pk),
            "address_string": "东城镇柳林村3组",
            "first_name": "群众",
            "last_name": "刘",
            "phone": ATTACKER_PHONE,
            "description": "村口路灯坏了三个月。",
            "attribute[petition_type]": "complaint",
            "attribute[id_number]": VICTIM_ID,
            "attribute[truthful]": "yes",
        },
    )
    assert response.status_code == 200, response.content
    assert Case.objects.count() == 2
    assert_victim_untouched(case)
    assert_attacker_sees_none_of(client, case, outbox)


# --- how a new contact does become the person's -------------------------------------------------


def test_staff_of_the_registering_office_verify_a_new_contact_with_an_audit_row(
    client, victims_accusation, register_case, clerk_li
):
    case = victims_accusation
    # given the person came to the window with a new phone
    new = register_case(petitioners=[PetitionerIn(name="刘群众", id_number=VICTIM_ID, phone="13700007777")])
    party = new.parties.get()
    assert party.contact_state == ContactState.UNVERIFIED
    client.force_login(clerk_li)
    page = client.get(f"/cases/{new.code}/parties/{party.pk}/contact/")
    assert page.status_code == 200 and b"verify-contact-form" in page.content

    # when the clerk checked the ID card and verifies it
    response = client.post(f"/cases/{new.code}/parties/{party.pk}/contact/")

    # then it is the person's contact, their earlier cases follow it, and the act is audited once
    assert response.status_code == 302
    assert Petitioner.objects.get(id_number=VICTIM_ID).phone == "13700007777"
    assert recipients_for(case) == [("sms", "13700007777")]
    party.refresh_from_db()
    assert party.contact_state == ContactState.VERIFIED
    audit = AuditEntry.objects.get(kind="contact_verify")
    assert audit.actor == clerk_li and audit.case == new and audit.detail["via"] == "staff"
    assert audit.detail["cases_following"] == [case.pk]


def test_a_handler_who_sees_the_case_may_not_verify_its_contact(
    client, register_case, handler_wang_unit_a, cast_all, clock
):
    clock.set(date(2025, 3, 3))
    register_case(petitioners=[victim()])
    new = drive_to(
        register_case(petitioners=[PetitionerIn(name="刘群众", id_number=VICTIM_ID, phone="13700007777")]),
        Status.IN_HANDLING,
        cast_all,
    )
    party = new.parties.get()
    client.force_login(handler_wang_unit_a)
    assert client.post(f"/cases/{new.code}/parties/{party.pk}/contact/").status_code == 403
    assert Petitioner.objects.get(id_number=VICTIM_ID).phone == VICTIM_PHONE
    assert not AuditEntry.objects.filter(kind="contact_verify").exists()


def test_a_submission_without_a_contact_uses_the_one_on_record(register_case):
    register_case(petitioners=[victim()])
    letter = register_case(channel="letter", petitioners=[PetitionerIn(name="刘群众", id_number=VICTIM_ID)])
    party = letter.parties.get()
    assert (party.phone, party.address, party.contact_state) == (VICTIM_PHONE, VICTIM_ADDRESS, "on_record")


# --- the person proves the phone on record on the portal ----------------------------------------


def _code_sent_to(outbox: list[Any], phone: str) -> str:
    return [m for m in outbox if m.recipient == phone][-1].body.split("为")[1][:6]


def test_the_person_proves_the_old_phone_and_the_new_one_becomes_theirs(
    client, victims_accusation, petition, outbox
):
    case = victims_accusation
    # given the victim changed phones and submits from the new one (the receipt session holds the case)
    client.post("/public/submit/", petition(id_number=VICTIM_ID, phone="13700007777"))
    own = Case.objects.exclude(pk=case.pk).get()
    party = own.parties.get()
    page = client.get(f"/public/cases/{own.code}/")
    assert (
        b"contact-proof" in page.content
        and b"****1234" not in page.content
        and VICTIM_PHONE.encode() not in page.content
    )

    # when they give the old phone and enter the code it received
    client.post(
        f"/public/cases/{own.code}/contact/", {"step": "send", "party": party.pk, "old_phone": VICTIM_PHONE}
    )
    code = _code_sent_to(outbox, VICTIM_PHONE)
    client.post(f"/public/cases/{own.code}/contact/", {"step": "confirm", "code": code})

    # then the new phone is the person's, the earlier accusation's notices follow it, and it is audited
    assert Petitioner.objects.get(id_number=VICTIM_ID).phone == "13700007777"
    assert recipients_for(case) == [("sms", "13700007777")]
    audit = AuditEntry.objects.get(kind="contact_verify")
    assert audit.actor is None and audit.detail["via"] == "otp" and audit.case == own


def test_an_attacker_who_knows_the_victims_phone_still_cannot_prove_it(
    client, victims_accusation, petition, outbox
):
    case = victims_accusation
    client.post("/public/submit/", petition(id_number=VICTIM_ID, phone=ATTACKER_PHONE))
    own = Case.objects.exclude(pk=case.pk).get()
    party = own.parties.get()
    url = f"/public/cases/{own.code}/contact/"

    # a wrong guess of the old phone sends nothing and answers like a right one
    wrong = client.post(url, {"step": "send", "party": party.pk, "old_phone": "13600006666"}, follow=True)
    assert outbox == [] or all(m.recipient != "13600006666" for m in outbox)
    right = client.post(url, {"step": "send", "party": party.pk, "old_phone": VICTIM_PHONE}, follow=True)
    assert [str(m) for m in wrong.context["messages"]] == [str(m) for m in right.context["messages"]]

    # the code went to the victim; guessing it fails and spends it
    sent = _code_sent_to(outbox, VICTIM_PHONE)
    for guess in ("000000", "111111", "222222", "333333", "444444", sent):
        client.post(url, {"step": "confirm", "code": guess if guess != sent else sent})
    # (five wrong tries spent the code before the right one arrived)
    if sent in ("000000", "111111", "222222", "333333", "444444"):
        pytest.skip("the random code collided with a guess")
    assert_victim_untouched(case)
    assert not AuditEntry.objects.filter(kind="contact_verify").exists()
