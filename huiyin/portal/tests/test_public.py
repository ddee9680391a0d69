"""Public pages (anonymised, cached), the language switch and sign-in by one-time code."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.analytics.services import rollup_refresh
from huiyin.portal.models import LoginCode, OfficeInfo, TrackingSecret
from huiyin.portal.selectors import redact
from huiyin.portal.tests.test_tracking import reply_and_deliver
from huiyin.workflow import services as wf

PUBLIC_PAGES = [
    "/public/",
    "/public/channels/",
    "/public/procedure/",
    "/public/statistics/",
    "/public/replies/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_open_for_anyone_with_few_queries(client, org, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_the_channels_page_lists_offices_with_their_reception_details(client, org):
    OfficeInfo.objects.create(unit=org.county_office, hotline="0731-12345", reception_place="县政务中心一楼")
    html = client.get("/public/channels/").content.decode()
    assert "示范县信访局" in html and "0731-12345" in html and "县政务中心一楼" in html
    assert "示范市信访局" in html  # offices without details still show with the defaults


def test_the_procedure_page_shows_the_rule_values(client, org):
    html = client.get("/public/procedure/").content.decode()
    assert "60日内办结" in html and "30日内请求上一级机关复查" in html


def test_statistics_and_rankings_come_from_events_and_are_cached(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    client.post(f"/public/cases/{case.code}/rate/", {"rating": "satisfied", "solved": "yes"})
    rollup_refresh(force=True)  # the worker's job: the page reads the analytics roll-ups
    stats = client.get("/public/statistics/").context["stats"]
    assert stats["total"] == 1 and stats["answered"] == 1 and stats["satisfied_rate"] == 100.0
    assert stats["rankings"][0]["unit"] == org.unit_a.name and stats["rankings"][0]["on_time_rate"] == 100.0
    submitted()
    rollup_refresh(force=True)
    assert client.get("/public/statistics/").context["stats"]["total"] == 1  # cached
    html = client.get("/public/statistics/").content.decode()
    assert "刘群众" not in html and "13800001234" not in html


def test_a_reply_is_published_anonymised_after_consent_and_approval(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    client.post(f"/public/cases/{case.code}/consent/", {"consent": "on"})
    assert client.get("/public/replies/").context["replies"] == []  # not approved yet
    TrackingSecret.objects.filter(case=case).update(publish_approved=True)
    from django.core.cache import cache

    cache.clear()
    html = client.get("/public/replies/").content.decode()
    assert "经调查，物业已承诺维修。" in html and case.code not in html and "刘群众" not in html


def test_an_accusation_is_never_published(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted(petition_type="accusation", accused_person="某物业经理")
    # the office finds the accused outside the system's units before routing it (ADR 0005)
    case = wf.case_set_accused(
        case=case, actor=cast_all.people["dispatcher"], accused_unit=None, no_unit=True, reason="物业公司经理"
    )
    reply_and_deliver(case, cast_all, org)
    assert client.post(f"/public/cases/{case.code}/consent/", {"consent": "on"}).status_code == 404
    TrackingSecret.objects.filter(case=case).update(publish_consent=True, publish_approved=True)
    assert client.get("/public/replies/").context["replies"] == []


def test_redaction_removes_names_phones_and_id_numbers():
    text = "刘群众（电话13800001234，身份证11010519491231002X）反映"
    assert redact(text, ["刘群众"]) == "刘＊＊（电话＊＊＊，身份证＊＊＊）反映"


def test_english_is_available(client, org):
    response = client.get("/public/lang/en/?next=/public/")
    assert response.status_code == 302 and response["Location"] == "/public/"
    html = client.get("/public/").content.decode()
    assert 'lang="en"' in html and "Submit a petition" in html
    client.get("/public/lang/zh-hans/")
    assert "我要信访" in client.get("/public/").content.decode()


def test_the_language_switch_does_not_redirect_off_site(client, db):
    assert client.get("/public/lang/en/?next=https://evil.example/").headers["Location"] == "/public/"


def test_a_citizen_signs_in_by_code_and_sees_their_cases(client, submitted, outbox):
    case, _secret = submitted()
    client.cookies.clear()
    client.post("/public/account/", {"address": "138 0000 1234"})
    message = outbox[-1]
    assert message.recipient == "13800001234" and "验证码" in message.body
    code = next(part for part in message.body.split("为")[1:] if part[:6].isdigit())[:6]
    assert (
        client.post("/public/account/code/", {"code": "000000" if code != "000000" else "111111"}).status_code
        == 400
    )
    assert client.post("/public/account/code/", {"code": code}).status_code == 302
    page = client.get("/public/account/")
    assert [r["case"] for r in page.context["rows"]] == [case]
    assert client.get(f"/public/cases/{case.code}/").status_code == 200


def test_a_code_is_spent_after_five_wrong_tries(client, outbox, db):
    client.post("/public/account/", {"address": "13900002222"})
    for _ in range(5):
        client.post("/public/account/code/", {"code": "999999"})
    assert LoginCode.objects.get().used


def test_code_requests_are_rate_limited_per_address(client, outbox, settings, db):
    settings.HUIYIN_PORTAL_LIMITS = {"code_address": (2, 3600)}
    statuses = [client.post("/public/account/", {"address": "13900002222"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429] and len(outbox) == 2


def test_signing_in_with_an_unknown_number_shows_no_cases(client, outbox, db):
    client.post("/public/account/", {"address": "13900002222"})
    code = outbox[-1].body.split("为")[1][:6]
    client.post("/public/account/code/", {"code": code})
    assert client.get("/public/account/").context["rows"] == []
