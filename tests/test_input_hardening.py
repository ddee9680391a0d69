"""Bad input is a 4xx in the documented error shape, never a 500 (issue 9, hole 9).

Each example below was answered with an HTML 500 on SQLite or PostgreSQL: ids and codes that
`str.isdigit()` accepts but `int()`/the database do not ('²', '①'), integers past the database's
bigint, dates at the calendar's edges, impossible Open311 dates and offsets, and NUL bytes (which
PostgreSQL refuses in any text). The API answers `{"message", "extra"}`, Open311 its error list,
pages the HTML error page.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from huiyin.cases.models import Case
from huiyin.org.services import token_issue

HUGE = 2**63
EXPONENT_TWO = "\u00b2"  # '²': str.isdigit() is True, int() raises
CIRCLED_ONE = "\u2460"  # '①'
NUL = "\x00"


def bearer(user: Any) -> Client:
    _, raw = token_issue(user=user, name="hardening")
    return Client(headers={"authorization": f"Bearer {raw}"}, raise_request_exception=False)


def staff(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def intake(**overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "online",
        "petition_type": "complaint",
        "title": "小区供暖不热",
        "content": "今年冬季室温长期低于16度。",
        "petitioners": [{"name": "刘群众", "phone": "13800001234"}],
    }
    body.update(overrides)
    return body


def assert_api_error(response: Any, *statuses: int) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if statuses:
        assert response.status_code in statuses, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"message", "extra"} and isinstance(body["message"], str) and body["message"]
    assert isinstance(body["extra"], dict)


def assert_open311_error(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body, list) and body and {"code", "description"} <= set(body[0]), body


def assert_page_error(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")


# --- the API ---------------------------------------------------------------------------------------

API_GETS = [
    pytest.param(f"/api/cases/{EXPONENT_TWO}", id="case-ref-superscript-two"),
    pytest.param(f"/api/cases/{CIRCLED_ONE}", id="case-ref-circled-one"),
    pytest.param(f"/api/cases/{HUGE}", id="case-ref-2^63"),
    pytest.param(f"/api/cases/{10**30}", id="case-ref-10^30"),
    pytest.param("/api/cases?registered_to=9999-12-31", id="registered_to-9999-12-31"),
    pytest.param("/api/cases?registered_from=0001-01-01", id="registered_from-0001-01-01"),
    pytest.param(f"/api/cases?office={HUGE}", id="office-2^63"),
]


@pytest.mark.parametrize("url", API_GETS)
def test_api_answers_bad_references_and_edge_dates_with_a_json_4xx(url, dispatcher_zhou, register_case):
    # given a dispatcher's token and a case
    register_case()
    # when the request carries an id isdigit() accepts, a huge integer or an edge date
    response = bearer(dispatcher_zhou).get(url)
    # then the answer is a 4xx (or an empty page for edge dates) in the error shape, never a 500
    if "registered_" in url:
        assert response.status_code == 200 or 400 <= response.status_code < 500, response.content[:300]
        if response.status_code != 200:
            assert_api_error(response)
    else:
        assert_api_error(response)


def test_api_intake_refuses_a_headcount_past_the_bigint_range(clerk_li, org):
    # given a clerk's token; when the intake says 2^63 people came
    response = bearer(clerk_li).post("/api/cases", intake(headcount=HUGE), content_type="application/json")
    # then it is a 422 naming the field, and no case is stored
    assert_api_error(response, 422)
    assert "headcount" in response.json()["extra"]["fields"]
    assert not Case.objects.exists()


def test_api_refuses_notice_ids_past_the_bigint_range(dispatcher_zhou):
    response = bearer(dispatcher_zhou).post(
        "/api/notices/read", {"ids": [HUGE]}, content_type="application/json"
    )
    assert_api_error(response, 422)


@pytest.mark.parametrize("into", [EXPONENT_TWO, CIRCLED_ONE, str(HUGE)])
def test_api_merge_into_a_superscript_reference_is_a_400(into, dispatcher_zhou, register_case):
    case = register_case()
    response = bearer(dispatcher_zhou).post(
        f"/api/cases/{case.pk}/actions/merge", {"into": into}, content_type="application/json"
    )
    assert_api_error(response)


# --- staff pages -----------------------------------------------------------------------------------

PAGES = [
    pytest.param(f"/cases/{EXPONENT_TWO}/", id="case-page-superscript-two"),
    pytest.param(f"/cases/{CIRCLED_ONE}/", id="case-page-circled-one"),
    pytest.param(f"/cases/{HUGE}/", id="case-page-2^63"),
    pytest.param(f"/supervision/record/?unit={EXPONENT_TWO}", id="supervision-unit-superscript-two"),
    pytest.param(f"/supervision/record/?unit={HUGE}", id="supervision-unit-2^63"),
    pytest.param(f"/notices/{HUGE}/", id="notice-2^63"),
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_bad_references_with_the_html_error_page(url, supervisor_chen):
    assert_page_error(staff(supervisor_chen).get(url))


@pytest.mark.parametrize("candidate", [EXPONENT_TWO, CIRCLED_ONE, str(HUGE)])
def test_case_supervision_page_ignores_a_candidate_that_is_no_id(candidate, supervisor_chen, register_case):
    # given a case; when the supervisor opens its 督办 page with ?candidate=² (isdigit() said yes)
    case = register_case()
    response = staff(supervisor_chen).get(f"/cases/{case.code}/supervision/?candidate={candidate}")
    # then the page shows (the candidate is ignored) or refuses, but never crashes
    assert response.status_code < 500


def test_intake_form_refuses_a_headcount_past_the_bigint_range(clerk_li, org):
    response = staff(clerk_li).post(
        "/cases/new/",
        {
            "channel": "visit",
            "petition_type": "complaint",
            "title": "供暖",
            "content": "不热",
            "headcount": str(HUGE),
            "p-TOTAL_FORMS": "1",
            "p-INITIAL_FORMS": "0",
            "p-0-name": "刘群众",
            "p-0-phone": "13800001234",
        },
    )
    assert response.status_code in (200, 400), response.status_code
    assert not Case.objects.exists()


# --- Open311 ---------------------------------------------------------------------------------------

OPEN311_GETS = [
    pytest.param(f"/open311/v2/services/{EXPONENT_TWO}.json", id="service-definition-superscript-two"),
    pytest.param(f"/open311/v2/requests.json?service_code={EXPONENT_TWO}", id="service_code-superscript-two"),
    pytest.param(f"/open311/v2/requests.json?service_code={CIRCLED_ONE},1", id="service_code-circled-one"),
    pytest.param("/open311/v2/requests.json?start_date=2025-02-30T00:00:00Z", id="start_date-feb-30"),
    pytest.param("/open311/v2/requests.json?start_date=2025-03-01T00:00:00%2B25:00", id="offset-+25:00"),
    pytest.param("/open311/v2/requests.json?end_date=2025-03-01T24:00:00Z", id="end_date-hour-24"),
    pytest.param("/open311/v2/requests.json?start_date=0001-01-01T00:00:00%2B08:00", id="start-year-1-+08"),
    pytest.param("/open311/v2/requests.json?end_date=9999-12-31T23:59:59-08:00", id="end-year-9999--08"),
]


@pytest.mark.parametrize("url", OPEN311_GETS)
def test_open311_answers_impossible_codes_and_dates_with_its_error_list(url, db, org):
    response = Client(raise_request_exception=False).get(url)
    if response.status_code == 200:  # an edge date that is a real moment is a valid (empty) query
        assert isinstance(response.json(), list)
    else:
        assert_open311_error(response)


# --- NUL bytes (PostgreSQL refuses them in text; run on both) ----------------------------------------


def test_api_refuses_a_nul_byte_in_a_json_string(clerk_li, org):
    response = bearer(clerk_li).post(
        "/api/cases", intake(title=f"供暖{NUL}不热"), content_type="application/json"
    )
    assert_api_error(response, 400)
    assert not Case.objects.exists()


def test_api_refuses_an_escaped_nul_in_a_json_body(clerk_li, org):
    raw = json.dumps(intake(content="a\u0000b"))
    assert "\\u0000" in raw
    response = bearer(clerk_li).post("/api/cases", raw, content_type="application/json")
    assert_api_error(response, 400)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"/api/cases/A{NUL}B", id="path"),
        pytest.param("/api/cases?q=%00", id="query"),
        pytest.param("/api/cases?status=%00", id="status"),
    ],
)
def test_api_refuses_a_nul_byte_in_the_url(url, dispatcher_zhou):
    assert_api_error(bearer(dispatcher_zhou).get(url), 400, 404)


def test_pages_refuse_a_nul_byte_in_the_query_string(clerk_li):
    assert_page_error(staff(clerk_li).get("/search/?q=%00"))


def test_pages_refuse_a_nul_byte_in_a_form_field(clerk_li, org):
    response = staff(clerk_li).post(
        "/cases/new/",
        {"channel": "visit", "title": f"a{NUL}b", "p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0"},
    )
    assert_page_error(response)
    assert not Case.objects.exists()


def test_portal_refuses_a_nul_byte_in_the_tracking_code(db, org):
    assert_page_error(Client(raise_request_exception=False).get("/public/track/?code=%00"))


def test_open311_refuses_a_nul_byte_with_its_error_list(db, org):
    response = Client(raise_request_exception=False).post(
        "/open311/v2/requests.json", {"description": f"a{NUL}b", "api_key": "x"}
    )
    assert_open311_error(response)


def test_a_nul_byte_in_a_header_is_refused(dispatcher_zhou):
    _, raw = token_issue(user=dispatcher_zhou, name="h")
    client = Client(raise_request_exception=False)
    response = client.get("/api/cases", headers={"authorization": f"Bearer {raw}{NUL}"})
    assert_api_error(response, 400, 401)


# --- paths no route matches still answer in their surface's shape -------------------------------------


def test_an_api_path_no_route_matches_is_a_json_404(dispatcher_zhou):
    # given an id with a "/" in it (schemathesis sends such); then the API's error shape, not HTML
    assert_api_error(bearer(dispatcher_zhou).get("/api/cases/a%2Fb/x"), 404)


def test_an_open311_path_no_route_matches_is_its_error_list(db):
    assert_open311_error(Client(raise_request_exception=False).get("/open311/v2/nothing.json"))


def test_a_page_no_route_matches_is_the_html_404(db):
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_phone_in_superscript_digits_is_no_phone_number():
    # '¹³⁸…' passes str.isdigit(); it is no number an SMS can reach (issue 9)
    from huiyin.portal.services import normalise_address

    assert normalise_address("1\u00b2800001234") is None
    assert normalise_address("13800001234") == ("sms", "13800001234")
