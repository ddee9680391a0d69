"""A replayed submission (same idempotency key) opens the earlier case only for the session that holds it.

The form's key travels in the page: a shared computer's back button or a captured page replays it. The
replaying session must never be handed the earlier petitioner's case — neither its receipt, nor its code,
nor its page (条例 §30¶3 and §45 of 个人信息保护: the petitioner's details are kept confidential).
"""

from __future__ import annotations

from django.test import Client

from huiyin.cases.models import Case


def test_a_replayed_key_from_another_session_opens_nothing_of_the_earlier_case(client, petition):
    data = petition()
    assert client.post("/public/submit/", data).status_code == 302
    case = Case.objects.get()
    intruder = Client()
    response = intruder.post("/public/submit/", data)
    html = response.content.decode()
    assert response.status_code == 409 and "已经提交" in html and "查询码" in html
    assert case.code not in html and "刘群众" not in html and case.title not in html
    assert Case.objects.count() == 1
    # nothing was remembered: no receipt, no case page
    assert intruder.get("/public/receipt/")["Location"].startswith("/public/track/")
    page = intruder.get(f"/public/cases/{case.code}/")
    assert page.status_code == 302 and page["Location"].startswith("/public/track/")


def test_the_same_session_retrying_still_gets_its_receipt_and_the_secret_once(client, petition):
    data = petition()
    client.post("/public/submit/", data)
    retry = client.post("/public/submit/", data)  # a double click before the receipt loaded
    assert retry.status_code == 302 and retry["Location"] == "/public/receipt/"
    receipt = client.get("/public/receipt/")
    assert receipt.context["secret"] and receipt.context["case"] == Case.objects.get()
    client.post("/public/submit/", data)  # and after it: the receipt again, the secret not again
    assert client.get("/public/receipt/").context["secret"] is None


def test_the_replay_answer_is_english_on_the_english_portal(client, petition):
    from huiyin.portal.tests.zh_text import chinese_outside_zh

    data = petition()
    client.post("/public/submit/", data)
    intruder = Client()
    intruder.get("/public/lang/en/")
    html = intruder.post("/public/submit/", data).content.decode()
    assert "already been submitted" in html and chinese_outside_zh(html) == []
