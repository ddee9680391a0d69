"""Every receipt lets the person track the case (issue 10 item 7; 条例 §23¶2 书面告知, PR-1 查询):
a walk-in, letter or phone case gets the 查询码 printed on its receipt, and the code with the 查询码 is
all a person without a phone needs to open the case on the portal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huiyin.cases.models import Case
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core.models import AuditEntry
from huiyin.portal.models import TrackingSecret

pytestmark = pytest.mark.django_db


def _secret_on(html: str) -> str:
    found = re.search(r'data-testid="receipt-secret">([0-9A-Z]+)<', html)
    assert found, "the receipt shows no 查询码"
    return found.group(1)


def _track(client, code: str, factor: str):
    return client.post("/public/track/", {"code": code, "factor": factor})


@pytest.mark.parametrize("channel", ["visit", "letter", "phone"])
def test_a_window_case_without_a_phone_is_tracked_with_its_receipt_alone(client, clerk_li, channel):
    # given a petitioner who left no phone registers at the window (by visit, letter or call)
    client.force_login(clerk_li)
    client.post(
        reverse("case_new"),
        intake_data([{"name": "刘群众", "id_number": "11010519491231002X"}], channel=channel),
    )
    case = Case.objects.get()
    assert not case.parties.exclude(phone="").exists()
    # when the clerk prints the receipt
    receipt = client.get(reverse("case_receipt", args=[case.code])).content.decode()
    secret = _secret_on(receipt)
    assert case.code in receipt and "不需要手机" in receipt
    # then the person, on any computer, opens the case with what is printed on it
    client.logout()
    opened = _track(client, case.code, secret)
    assert opened.status_code == 302 and opened["Location"] == f"/public/cases/{case.code}/"
    assert client.get(opened["Location"]).context["case"] == case


def test_the_secret_is_printed_once_and_is_never_stored_in_clear(client, clerk_li):
    client.force_login(clerk_li)
    client.post(reverse("case_new"), intake_data())
    case = Case.objects.get()
    secret = _secret_on(client.get(reverse("case_receipt", args=[case.code])).content.decode())
    assert secret not in case.tracking_secret.secret_hash
    # a reprint shows the code, not the 查询码 again, and offers to reissue it
    again = client.get(reverse("case_receipt", args=[case.code])).content.decode()
    assert 'data-testid="receipt-secret"' not in again and 'data-testid="reissue-secret"' in again


def test_a_lost_secret_is_reissued_by_the_registering_office_and_the_old_one_stops_working(client, clerk_li):
    client.force_login(clerk_li)
    client.post(reverse("case_new"), intake_data())
    case = Case.objects.get()
    old = _secret_on(client.get(reverse("case_receipt", args=[case.code])).content.decode())
    # when the clerk reissues it for a petitioner who lost the receipt
    response = client.post(reverse("case_receipt", args=[case.code]))
    new = _secret_on(response.content.decode())
    assert new != old
    assert AuditEntry.objects.filter(case=case, kind="document", detail__tracking_secret="reissued").exists()
    client.logout()
    assert _track(client, case.code, old).status_code == 400
    assert _track(client, case.code, new).status_code == 302


def test_a_handler_of_the_case_may_not_reissue_the_secret(client, register_case, org, handler_wang_unit_a):
    # the handling unit must never be able to act as the petitioner on the portal (e.g. rate its own reply)
    case = register_case()
    Case.objects.filter(pk=case.pk).update(handling_unit=org.unit_a)
    client.force_login(handler_wang_unit_a)
    page = client.get(reverse("case_receipt", args=[case.code]))
    assert page.status_code == 200 and 'data-testid="reissue-secret"' not in page.content.decode()
    response = client.post(reverse("case_receipt", args=[case.code]))
    assert response.status_code == 403
    assert not TrackingSecret.objects.filter(case=case).exists()


def test_a_case_registered_through_the_api_returns_its_secret_once(client, clerk_li):
    from huiyin.org.models import ApiToken
    from huiyin.org.services import token_issue

    _token, raw = token_issue(user=clerk_li, name="来电系统", scope=ApiToken.Scope.INTAKE)
    body = {
        "channel": "phone",
        "petition_type": "complaint",
        "title": "路灯不亮",
        "content": "村口路灯坏了三个月。",
        "petitioners": [{"name": "刘群众"}],
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    created = client.post(
        "/api/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="call-1", **headers
    )
    assert created.status_code == 201
    secret = created.json()["tracking_secret"]
    assert secret
    repeated = client.post(
        "/api/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="call-1", **headers
    )
    assert repeated.status_code == 200 and repeated.json().get("tracking_secret") is None
    assert _track(client, created.json()["code"], secret).status_code == 302
