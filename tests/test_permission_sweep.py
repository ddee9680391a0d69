"""Walk every URL and API route: each has a rule; anonymous users are refused unless allow-listed; a
person outside the case's units gets the same 404 as for a missing case; a person inside gets it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huiyin.cases.choices import Status
from huiyin.cases.models import Attachment
from huiyin.notify.models import StaffNotice
from huiyin.workflow.tests.drive import drive_to

PUBLIC = "public"  # anyone, signed in or not
STAFF = "staff"  # any signed-in staff member; anonymous refused
CASE = "case"  # a case page: staff with access to the case, 404 otherwise
OWN = "own"  # one's own record (a work notice): anyone else's is the missing-record 404
INTAKE = "intake"  # registration desks only (clerk, dispatcher, grid worker, leader); 403 for others
AUDIT = "audit"  # the audit log: supervisors (their territory) and administrators; 403 for others

RULES: dict[str, str] = {
    # sign-in and the API's own description
    "login": PUBLIC,
    "logout": PUBLIC,
    "openapi-json": PUBLIC,
    "openapi-view": PUBLIC,
    "docs_asset": PUBLIC,
    "api-root": PUBLIC,
    # the own account (issue 9): the second sign-in step redirects anyone without a pending step
    # (anonymous to /login/); the own tokens list only one's own, anyone else's token is a 404
    "login_verify": PUBLIC,
    "two_factor_enrol": STAFF,
    "password_change": STAFF,
    "password_change_done": STAFF,
    "my_tokens": STAFF,  # the page and GET /api/tokens
    "my_token_revoke": STAFF,
    "revoke_my_token": STAFF,
    # staff pages that list only what the user may see
    "workbench": STAFF,
    "profile": STAFF,
    "case_new": INTAKE,
    "petitioner_lookup": INTAKE,
    "petitioner_reveal": INTAKE,  # issue 9: the audited unmasking behind the look-up's fill button
    "search": STAFF,
    "me": STAFF,
    "case_create": STAFF,
    "case_index": STAFF,
    "queue": STAFF,
    "meta": STAFF,
    "unknown_action": CASE,
    # one case
    "case_detail": CASE,
    "case_parties": CASE,
    "case_party_contact": CASE,  # issue 9: staff verify a new contact (POST by the registering office)
    "case_receipt": CASE,
    "attachment_download": CASE,
    "opinion_docx": CASE,
    "opinion_print": CASE,
    "case_action": CASE,
    "case_show": CASE,
    # the citizen portal (issue 3): public pages; a case page opens only after code + second factor
    "portal_home": PUBLIC,
    "portal_submit": PUBLIC,
    "portal_receipt": PUBLIC,
    "portal_track": PUBLIC,
    "portal_case": PUBLIC,
    "portal_case_rate": PUBLIC,
    "portal_case_review": PUBLIC,
    "portal_case_consent": PUBLIC,
    "portal_case_contact": PUBLIC,  # issue 9: prove the phone on record by a code sent to it
    "portal_opinion": PUBLIC,
    "portal_opinion_docx": PUBLIC,
    "portal_account": PUBLIC,
    "portal_account_code": PUBLIC,
    "portal_account_logout": PUBLIC,
    "portal_channels": PUBLIC,
    "portal_procedure": PUBLIC,
    "portal_statistics": PUBLIC,
    "portal_replies": PUBLIC,
    "portal_language": PUBLIC,
    # 督办 and the leader inbox (issue 4): lists scoped to the user; writes checked by the services
    "supervision": STAFF,
    "supervision_unit_record": STAFF,
    "leader_inbox": STAFF,
    "case_supervision": CASE,
    "supervision_candidates": STAFF,
    "supervision_orders": STAFF,
    "supervision_issue": STAFF,
    "supervision_answer": STAFF,
    "supervision_dismiss": STAFF,
    "supervision_dismiss_api": STAFF,
    "leader_inbox_api": STAFF,
    # one's own work notices (a notice of another person is the missing-notice answer)
    "notices": STAFF,
    "notice_badge": STAFF,
    "notice_read_all": STAFF,
    "notice_open": OWN,
    "notices_api": STAFF,
    "notices_read_api": STAFF,
    # Open311 GeoReport v2 (issue 3): public reads; POST requests needs an api_key
    "open311_discovery": PUBLIC,
    "open311_services": PUBLIC,
    "open311_service_definition": PUBLIC,
    "open311_requests": PUBLIC,
    "open311_request": PUBLIC,
    "open311_token": PUBLIC,
    # smart assist (issue 5): aids only; candidates scoped to the user; hot issues for the desks above
    "assist_intake": INTAKE,
    "assist_hotspots": INTAKE,  # the window and dispatch desks (and supervisors); not unit handlers
    "assist_case": CASE,
    "assist_reply_check": CASE,
    "assist_suggestions": STAFF,
    "assist_duplicates": STAFF,
    "assist_case_suggestions": CASE,
    "assist_case_duplicates": CASE,
    # the audit screen and its export (issue 9): supervisors and administrators only
    "audit_log": AUDIT,
    "audit_export": AUDIT,
}
API_ACTION_PREFIX = "case_"  # api/cases/<ref>/actions/<action> are named case_<action>


def _routes():
    """(namespace-qualified name, pattern string, rule) for every named route outside the admin."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                found.append((namespace + (entry.name or ""), prefix + str(entry.pattern), entry.name))

    walk(get_resolver(), "", "")
    return [r for r in found if not r[1].startswith("admin/")]


def _rule(name: str | None) -> str | None:
    if name in RULES:
        return RULES[name]
    if name and name.startswith(API_ACTION_PREFIX):
        return CASE
    return None


def test_every_route_has_a_rule():
    missing = [(pattern, name) for _full, pattern, name in _routes() if _rule(name) is None]
    assert missing == [], f"routes without a permission rule: {missing}"


@pytest.fixture
def world(register_case, cast_all, clock, handler_wang_unit_a):
    """A case replied by unit A with an attachment and an opinion."""
    clock.set(date(2025, 3, 3))
    case = drive_to(register_case(), Status.REPLIED, cast_all)
    attachment = Attachment(
        case=case, original_name="a.txt", content_type="text/plain", size=1, sha256="0" * 64
    )
    attachment.file.save("a.txt", SimpleUploadedFile("a.txt", b"x"), save=False)
    attachment.save()
    event = case.events.order_by("id").last()
    notice = StaffNotice.objects.create(
        user=handler_wang_unit_a,
        case=case,
        event=event,
        kind=event.event_type,
        title="t",
        text="t",
        created_at=event.created_at,
    )
    return {"case": case, "attachment": attachment, "opinion": case.opinions.get(), "notice": notice}


def _kwargs(pattern: str, world) -> dict[str, object]:
    case = world["case"]
    kwargs: dict[str, object] = {}
    if "<str:code>" in pattern:
        kwargs["code"] = case.code
    if "<ref>" in pattern:
        kwargs["ref"] = case.code
    if "attachments/<int:pk>" in pattern:
        kwargs["pk"] = world["attachment"].pk
    elif "notices/<int:pk>" in pattern:
        kwargs["pk"] = world["notice"].pk
    elif "<int:pk>" in pattern:
        kwargs["pk"] = world["opinion"].pk
    if "<int:token_id>" in pattern:
        kwargs["token_id"] = 1
    if "<int:party>" in pattern:
        kwargs["party"] = case.parties.first().pk
    if "<int:petitioner>" in pattern:
        kwargs["petitioner"] = case.parties.first().petitioner_id
    if "<str:action>" in pattern:
        kwargs["action"] = "deliver"
    if "<name>" in pattern:
        kwargs["name"] = "to_route" if "queues" in pattern else "bogus"
    return kwargs


def _url(full_name: str, pattern: str, world) -> str:
    if "<name>" in pattern and "docs" in pattern:
        return "/api/docs/assets/swagger-ui.css"
    return reverse(full_name, kwargs=_kwargs(pattern, world))


def _refused_anonymously(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) != PUBLIC], ids=lambda r: r[1])
def test_anonymous_users_are_refused(route, client, world):
    full_name, pattern, _name = route
    url = _url(full_name, pattern, world)
    answered = 0
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue  # the route has no such method at all
        answered += 1
        assert _refused_anonymously(response), (method, url, response.status_code)
    assert answered


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == CASE], ids=lambda r: r[1])
def test_a_case_route_gives_an_outsider_the_same_404_as_a_missing_case(
    route, client, world, handler_zhao_unit_b
):
    full_name, pattern, _name = route
    client.force_login(handler_zhao_unit_b)
    url = _url(full_name, pattern, world)
    missing = url.replace(world["case"].code, "HY000000AAAAAA", 1)
    answered = 0
    for method in ("get", "post"):
        kwargs = (
            {"data": {}, "content_type": "application/json"}
            if url.startswith("/api/") and method == "post"
            else {}
        )
        outsider = getattr(client, method)(url, **kwargs)
        if outsider.status_code == 405:
            continue  # the route has no such method at all
        answered += 1
        absent = getattr(client, method)(missing, **kwargs)
        # the outsider learns nothing: the same answer as for a case that does not exist
        assert outsider.status_code == absent.status_code, (
            method,
            url,
            outsider.status_code,
            absent.status_code,
        )
        assert outsider.status_code in (404, 422), (method, url, outsider.status_code)
        if "json" in outsider.get("Content-Type", ""):
            assert outsider.json() == absent.json()
    assert answered


@pytest.mark.parametrize(
    "route", [r for r in _routes() if _rule(r[2]) == CASE and "actions" not in r[1]], ids=lambda r: r[1]
)
def test_a_case_route_opens_for_staff_of_the_handling_unit(route, client, world, handler_wang_unit_a):
    full_name, pattern, _name = route
    client.force_login(handler_wang_unit_a)
    response = client.get(_url(full_name, pattern, world))
    assert response.status_code == 200, (pattern, response.status_code)


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == STAFF], ids=lambda r: r[1])
def test_staff_routes_open_for_any_signed_in_staff_member(route, client, world, handler_zhao_unit_b):
    full_name, pattern, _name = route
    client.force_login(handler_zhao_unit_b)
    response = client.get(_url(full_name, pattern, world))
    # POST-only API routes answer GET with 405; everything else opens
    assert response.status_code in (200, 405), (pattern, response.status_code)


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == OWN], ids=lambda r: r[1])
def test_ones_own_record_opens_for_its_owner_and_is_missing_for_anyone_else(
    route, client, world, handler_wang_unit_a, head_sun_unit_a
):
    full_name, pattern, _name = route
    url = _url(full_name, pattern, world)
    client.force_login(head_sun_unit_a)  # same unit, same case: still not theirs
    assert client.get(url).status_code == 404
    client.force_login(handler_wang_unit_a)
    response = client.get(url)
    assert response.status_code in (200, 302), (pattern, response.status_code)


def test_the_admin_is_for_superusers_only(client, world, dispatcher_zhou):
    client.force_login(dispatcher_zhou)
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == INTAKE], ids=lambda r: r[1])
def test_intake_routes_open_for_the_window_and_are_forbidden_to_handlers(
    route, client, world, clerk_li, handler_zhao_unit_b
):
    full_name, pattern, _name = route
    url = _url(full_name, pattern, world)
    client.force_login(clerk_li)
    method = "get" if client.get(url).status_code != 405 else "post"  # POST-only routes are tried by POST
    assert getattr(client, method)(url).status_code == 200
    client.force_login(handler_zhao_unit_b)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == AUDIT], ids=lambda r: r[1])
def test_audit_routes_refuse_other_roles_and_open_for_supervisors(
    route, client, world, handler_wang_unit_a, clerk_li, supervisor_chen
):
    full_name, pattern, _name = route
    url = _url(full_name, pattern, world)
    for user in (handler_wang_unit_a, clerk_li):
        client.force_login(user)
        assert client.get(url).status_code == 403, (url, user.username)
    client.force_login(supervisor_chen)
    assert client.get(url).status_code == 200, url
