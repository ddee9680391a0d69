"""Submitting online: identity by type, truthfulness, place → office, attachments, receipt, abuse limits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huiyin.cases.models import Case
from huiyin.portal.models import TrackingSecret
from huiyin.portal.selectors import default_office, office_for


def test_a_complaint_is_registered_online_at_the_office_of_the_chosen_place(submitted, org):
    case, secret = submitted()
    assert case.channel == "online" and case.petition_type == "complaint"
    assert case.office == org.county_office and case.territory == org.village
    assert case.registered_by is None
    assert case.parties.get().petitioner.phone == "13800001234"
    assert len(secret) == 10


def test_the_receipt_shows_the_secret_once_and_stores_only_its_hash(client, submitted):
    case, secret = submitted()
    stored = TrackingSecret.objects.get(case=case)
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    again = client.get("/public/receipt/")
    assert again.status_code == 200 and again.context["secret"] is None
    assert secret not in again.content.decode()
    assert case.code in again.content.decode()


def test_a_complaint_without_name_or_phone_is_refused_with_the_reason(client, petition):
    response = client.post("/public/submit/", petition(name="", phone=""))
    assert response.status_code == 400
    assert "申诉求决和检举控告须填写真实姓名" in response.content.decode()
    assert not Case.objects.exists()


def test_a_suggestion_may_be_anonymous(submitted):
    case, _secret = submitted(petition_type="suggestion", name="", phone="")
    assert case.identity_unclear and not case.parties.exists()


def test_an_accusation_names_who_is_accused(client, petition):
    response = client.post("/public/submit/", petition(petition_type="accusation"))
    assert "检举控告须写明被反映人或被反映单位" in response.content.decode()
    assert not Case.objects.exists()


def test_the_truthfulness_acknowledgement_is_required(client, petition):
    response = client.post("/public/submit/", petition(truthful=None))
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_retried_submission_creates_one_case(client, petition):
    data = petition()
    client.post("/public/submit/", data)
    client.post("/public/submit/", data)
    assert Case.objects.count() == 1


def test_the_honeypot_refuses_bots_and_registers_nothing(client, petition):
    response = client.post("/public/submit/", petition(website="http://spam.example"))
    assert response.status_code == 400 and not Case.objects.exists()


def test_attachments_are_stored_within_type_and_size_limits(client, petition, settings):
    settings.HUIYIN_PORTAL_ATTACHMENT_MAX_BYTES = 1024
    photo = SimpleUploadedFile("漏水.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
    client.post("/public/submit/", {**petition(), "attachments": [photo]})
    assert Case.objects.get().attachments.get().content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "size", "message"), [("a.exe", 10, "类型不被接受"), ("big.pdf", 2048, "超过")]
)
def test_attachments_outside_the_limits_are_refused(client, petition, settings, name, size, message):
    settings.HUIYIN_PORTAL_ATTACHMENT_MAX_BYTES = 1024
    f = SimpleUploadedFile(name, b"0" * size, content_type="application/octet-stream")
    response = client.post("/public/submit/", {**petition(), "attachments": [f]})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.exists()


def test_submissions_are_rate_limited_per_address_with_a_clear_message(client, petition, settings):
    settings.HUIYIN_PORTAL_LIMITS = {"submit_ip": (2, 3600)}
    for _ in range(2):
        assert client.post("/public/submit/", petition()).status_code == 302
    response = client.post("/public/submit/", petition())
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()
    assert response["Retry-After"]
    assert Case.objects.count() == 2


def test_submissions_are_rate_limited_per_phone(client, petition, settings):
    settings.HUIYIN_PORTAL_LIMITS = {"submit_phone": (1, 86400)}
    assert client.post("/public/submit/", petition()).status_code == 302
    assert client.post("/public/submit/", petition()).status_code == 429


def test_the_office_is_the_nearest_petition_office_up_the_tree(org):
    assert office_for(org.village) == org.county_office
    assert office_for(org.city) == org.city_office
    assert office_for(None) == default_office() == org.county_office


def test_the_default_office_can_be_configured(org, settings):
    settings.HUIYIN_PORTAL_OFFICE = org.city_office.code
    assert office_for(None) == org.city_office


def test_the_submit_form_is_phone_friendly_and_labelled(client, org):
    html = client.get("/public/submit/").content.decode()
    assert 'name="viewport"' in html and "<script>" not in html
    for field in ("title", "content", "name", "phone", "territory", "category", "truthful"):
        assert f'for="id_{field}"' in html
    assert "第十九条第二款" in html
