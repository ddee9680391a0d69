"""Tracking: code plus second factor, no enumeration, rate limits; the citizen's case page and acts."""

from __future__ import annotations

import re
from datetime import date

from huiyin.cases.choices import Status
from huiyin.portal.models import TrackingSecret
from huiyin.workflow import services as wf

STAFF_NAMES = ("李窗口", "周分办", "王承办", "孙局长", "钱复查")


def _strip_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def track(client, code, factor):
    return client.post("/public/track/", {"code": code, "factor": factor})


def reply_and_deliver(case, cast_all, org):
    case = wf.case_accept(case=case, actor=cast_all.person("dispatcher"))
    case = wf.case_assign(
        case=case, actor=cast_all.person("dispatcher"), unit=org.unit_a, deadline=date(2025, 3, 30)
    )
    case = wf.case_accept_assignment(case=case, actor=cast_all.person("handler"))  # 条例 §23¶3
    case = wf.case_reply(
        case=case,
        actor=cast_all.person("handler"),
        facts_reasons="经调查，物业已承诺维修。",
        decision="support",
        legal_basis="《物业管理条例》第三十五条",
        completion_report="已督促维修。",
    )
    return wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="electronic")


def test_the_receipt_secret_opens_the_case_page(client, submitted):
    case, secret = submitted()
    client.cookies.clear()
    response = track(client, case.code.lower(), secret)
    assert response.status_code == 302 and response["Location"] == f"/public/cases/{case.code}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["case"] == case


def test_the_last_four_digits_of_the_phone_open_it_too(client, submitted):
    case, _secret = submitted()
    client.cookies.clear()
    assert track(client, case.code, "1234").status_code == 302


def test_a_wrong_factor_and_a_wrong_code_get_the_same_answer(client, submitted):
    case, _secret = submitted()
    client.cookies.clear()
    wrong_factor = track(client, case.code, "WRONG12345")
    wrong_code = track(client, "HY000000AAAAAA", "WRONG12345")
    assert wrong_factor.status_code == wrong_code.status_code == 400
    assert "编号或查询码不正确" in wrong_factor.content.decode()
    # the page differs only in the echoed code: nothing tells whether the case exists
    a = _strip_token(wrong_factor.content.decode()).replace(case.code, "X")
    b = _strip_token(wrong_code.content.decode()).replace("HY000000AAAAAA", "X")
    assert a == b
    assert case.title not in wrong_factor.content.decode()


def test_the_case_page_without_verification_redirects_like_a_missing_case(client, submitted):
    case, _secret = submitted()
    client.cookies.clear()
    mine = client.get(f"/public/cases/{case.code}/")
    missing = client.get("/public/cases/HY000000AAAAAA/")
    assert mine.status_code == missing.status_code == 302
    assert mine["Location"].startswith("/public/track/") and missing["Location"].startswith("/public/track/")
    for path in ("rate/", "review/", "consent/"):
        assert client.post(f"/public/cases/{case.code}/{path}").status_code == 302


def test_tracking_is_rate_limited_per_code_whether_it_exists_or_not(client, submitted, settings):
    settings.HUIYIN_PORTAL_LIMITS = {"track_code": (3, 3600)}
    case, secret = submitted()
    client.cookies.clear()
    for code in (case.code, "HY000000AAAAAA"):
        for _ in range(3):
            assert track(client, code, "0000").status_code == 400
        assert track(client, code, "0000").status_code == 429
    # even the right secret waits once the code is locked
    limited = track(client, case.code, secret)
    assert limited.status_code == 429 and "操作过于频繁" in limited.content.decode()


def test_tracking_is_rate_limited_per_ip(client, settings, db):
    settings.HUIYIN_PORTAL_LIMITS = {"track_ip": (2, 900)}
    assert [track(client, f"HY00000000000{i}", "1").status_code for i in range(3)] == [400, 400, 429]


def test_the_timeline_speaks_of_units_never_of_staff(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    html = client.get(f"/public/cases/{case.code}/").content.decode()
    assert "示范县信访局受理了您的信访事项" in html
    assert "交示范县住房和城乡建设局办理" in html
    assert not any(name in html for name in STAFF_NAMES)


def test_the_citizen_reads_the_reply_rates_it_and_asks_for_review(
    client, submitted, clock, cast_all, org, django_assert_max_num_queries
):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    # the delivered reply is readable and downloadable
    page = client.get(f"/public/cases/{case.code}/")
    opinion = case.opinions.get()
    assert page.context["can_rate"] and page.context["review_due"] == date(2025, 4, 2)
    assert "2025-04-02" in page.content.decode()
    doc = client.get(f"/public/cases/{case.code}/opinions/{opinion.pk}/")
    assert "经调查，物业已承诺维修。" in doc.content.decode()
    docx = client.get(f"/public/cases/{case.code}/opinions/{opinion.pk}.docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    # the rating is the petitioner's own act, once
    r = client.post(f"/public/cases/{case.code}/rate/", {"rating": "dissatisfied", "solved": "no"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.rating, case.problem_solved) == ("dissatisfied", False)
    rate_event = case.events.get(event_type="rate")
    assert rate_event.actor is None and rate_event.data["by"] == "petitioner"
    # 复查 within the window; the new 30-day clock shows
    clock.set(date(2025, 3, 10))
    r = client.post(f"/public/cases/{case.code}/review/", {"reason": "维修没有落实"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and case.review_unit == org.county_gov
    with django_assert_max_num_queries(40):
        page = client.get(f"/public/cases/{case.code}/")
    labels = [c.label for c in page.context["clocks"]]
    assert "复查（30日）" in labels
    assert any(c.due_on == date(2025, 4, 9) for c in page.context["clocks"])
    assert "您请求复查，复查机关：示范县人民政府" in page.content.decode()


def test_a_review_request_after_the_window_is_refused_with_its_due_date(
    client, submitted, clock, cast_all, org
):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    clock.set(date(2025, 4, 10))
    r = client.post(f"/public/cases/{case.code}/review/", {"reason": "不服"}, follow=True)
    assert "已超过请求复查期限" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_a_rereview_is_asked_after_the_review_answer(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    case = reply_and_deliver(case, cast_all, org)
    case = wf.case_request_review(case=case, actor=cast_all.person("clerk"), reason="不服")
    case = wf.case_review_reply(
        case=case,
        actor=cast_all.person("reviewer"),
        facts_reasons="维持",
        decision="support",
        legal_basis="条例",
    )
    wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="electronic")
    page = client.get(f"/public/cases/{case.code}/")
    assert page.context["can_rereview"] and "请求复核" in page.content.decode()
    client.post(f"/public/cases/{case.code}/review/", {"reason": "仍不服"})
    case.refresh_from_db()
    assert case.status == Status.UNDER_REREVIEW and case.rereview_unit == org.city_gov


def test_consent_to_publish_is_recorded(client, submitted, clock, cast_all, org):
    clock.set(date(2025, 3, 3))
    case, _secret = submitted()
    reply_and_deliver(case, cast_all, org)
    client.post(f"/public/cases/{case.code}/consent/", {"consent": "on"})
    assert TrackingSecret.objects.get(case=case).publish_consent
    client.post(f"/public/cases/{case.code}/consent/", {})
    assert not TrackingSecret.objects.get(case=case).publish_consent
