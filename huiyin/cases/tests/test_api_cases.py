"""The cases API: intake with idempotency keys, scoped lists and queues, keyset pages, detail."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huiyin.cases.models import Case
from huiyin.cases.schemas import MSG_BAD_CURSOR, decode_cursor, encode_cursor
from huiyin.cases.selectors import queues
from huiyin.core.models import AuditEntry
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.models import Clock

DAY = date(2025, 3, 3)
NOT_FOUND = {"message": "没有找到该信访事项", "extra": {}}


def bearer(user: Any) -> Client:
    _, raw = token_issue(user=user, name="测试集成")
    return Client(headers={"authorization": f"Bearer {raw}"})


def intake_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "online",
        "petition_type": "complaint",
        "title": "小区供暖不热",
        "content": "今年冬季室温长期低于16度，多次反映无果。",
        "request": "请督促供热公司整改",
        "petitioners": [{"name": "刘群众", "id_number": "11010519491231002X", "phone": "13800001234"}],
    }
    body.update(overrides)
    return body


# --- intake --------------------------------------------------------------------------------------


def test_intake_registers_a_case_at_the_clerks_office(clerk_li, org, clock):
    # given the clerk's integration token
    clock.set(DAY)
    api = bearer(clerk_li)

    # when it posts a petition
    response = api.post("/api/cases", intake_body(), content_type="application/json")

    # then the case is registered at the clerk's petition office with its petitioner and clocks
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.office == org.county_office and case.registered_by == clerk_li
    assert body["status"] == "registered" and body["channel"] == "online"
    assert [p["name"] for p in body["petitioners"]] == ["刘群众"]
    assert {c["kind"] for c in body["clocks"]} == {"routing", "notice"}


def test_a_retried_intake_with_the_same_idempotency_key_returns_the_first_case(clerk_li, dispatcher_zhou):
    # given a petition posted once with an Idempotency-Key
    api = bearer(clerk_li)
    first = api.post(
        "/api/cases", intake_body(), content_type="application/json", headers={"Idempotency-Key": "msg-42"}
    )
    assert first.status_code == 201

    # when the integration retries it
    retry = api.post(
        "/api/cases", intake_body(), content_type="application/json", headers={"Idempotency-Key": "msg-42"}
    )

    # then the same case comes back with 200 and nothing new is registered
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    # and another account's identical key is its own (keys never reach across accounts)
    other = bearer(dispatcher_zhou).post(
        "/api/cases", intake_body(), content_type="application/json", headers={"Idempotency-Key": "msg-42"}
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_intake_refuses_a_malformed_idempotency_key(clerk_li):
    response = bearer(clerk_li).post(
        "/api/cases", intake_body(), content_type="application/json", headers={"Idempotency-Key": "含中文"}
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"Idempotency-Key"}
    assert Case.objects.count() == 0


def test_intake_by_a_handler_outside_a_petition_office_is_forbidden(handler_wang_unit_a):
    response = bearer(handler_wang_unit_a).post("/api/cases", intake_body(), content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"message": "您的岗位不能登记信访事项", "extra": {}}


# --- error shapes --------------------------------------------------------------------------------


def test_a_body_that_does_not_match_the_schema_gets_422_with_field_errors(clerk_li):
    # when the body lacks a title and names an unknown channel
    body = intake_body(channel="pigeon")
    del body["title"]
    response = bearer(clerk_li).post("/api/cases", body, content_type="application/json")

    # then the answer is the one error model, fields named as the client wrote them
    assert response.status_code == 422
    payload = response.json()
    assert payload["message"] == "请求数据不符合接口格式"
    assert set(payload["extra"]["fields"]) == {"title", "channel"}


def test_a_rule_the_service_checks_gets_400_with_field_errors(clerk_li):
    # when the petitioner's ID number fails its GB 11643 checksum
    body = intake_body(petitioners=[{"name": "刘群众", "id_number": "110105194912310021"}])
    response = bearer(clerk_li).post("/api/cases", body, content_type="application/json")

    # then the service's message and fields come back with 400
    assert response.status_code == 400
    payload = response.json()
    assert "校验不通过" in payload["extra"]["fields"]["petitioners.0.id_number"]
    assert payload["message"]


def test_a_body_that_is_not_json_or_missing_is_refused_in_the_error_model(dispatcher_zhou, register_case):
    case = register_case()
    api = bearer(dispatcher_zhou)
    broken = api.post(f"/api/cases/{case.pk}/actions/accept", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json() == {"message": "请求体不是有效的 JSON", "extra": {}}
    missing = api.post(f"/api/cases/{case.pk}/actions/accept", "", content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["extra"]["fields"] == {"body": "Field required"}


def test_a_malformed_cursor_gets_400_with_the_cursor_named(clerk_li):
    response = bearer(clerk_li).get("/api/cases", {"cursor": "not-a-cursor!"})
    assert response.status_code == 400
    assert response.json() == {"message": MSG_BAD_CURSOR, "extra": {"fields": {"cursor": MSG_BAD_CURSOR}}}


def test_an_unknown_action_gets_404_in_the_error_model(clerk_li, register_case):
    case = register_case()
    response = bearer(clerk_li).post(f"/api/cases/{case.pk}/actions/fly", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"message": "没有这个操作：fly", "extra": {}}


def test_an_action_naming_a_unit_outside_the_jurisdiction_gets_400(dispatcher_zhou, register_case, org):
    # given an accepted case of the county office
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)

    # when the dispatcher forwards it to the city government (not in the county's tree)
    response = bearer(dispatcher_zhou).post(
        f"/api/cases/{case.pk}/actions/forward", {"unit": org.city_gov.pk}, content_type="application/json"
    )

    # then the id is refused with a clear message and the case stays where it was
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["unit"] == (
        f"单位（id={org.city_gov.pk}）不存在、已停用或不在本辖区，不能转送"
    )
    case.refresh_from_db()
    assert case.status == "accepted" and case.handling_unit is None


def test_merging_into_a_case_the_dispatcher_cannot_see_gets_400(dispatcher_zhou, register_case, org):
    # given a case of the county office and a case the city office registered
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    case = register_case()
    foreign, _ = case_register(
        data=CaseIn(
            channel="letter",
            petition_type="complaint",
            title="别处的事项",
            content="内容",
            petitioners=[PetitionerIn(name="张三")],
        ),
        office=org.city_office,
        actor=None,
    )

    # when the county dispatcher tries to merge into it
    response = bearer(dispatcher_zhou).post(
        f"/api/cases/{case.pk}/actions/merge", {"into": foreign.code}, content_type="application/json"
    )

    # then it is refused as if the target did not exist
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["into"] == f"目标事项（{foreign.code}）不存在或您无权查看"


# --- detail and scope ----------------------------------------------------------------------------


def test_detail_shows_petitioners_events_clocks_and_allowed_actions_and_audits_the_look(
    dispatcher_zhou, register_case
):
    # given a registered case
    case = register_case()

    # when the dispatcher opens it by its code
    response = bearer(dispatcher_zhou).get(f"/api/cases/{case.code}")

    # then the detail carries everything, and the identity view is written to the audit log
    assert response.status_code == 200
    body = response.json()
    assert body["petitioners"][0]["id_number"] == "11010519491231002X"
    assert [e["event_type"] for e in body["events"]] == ["register"]
    assert {a["action"] for a in body["allowed_actions"]} == {
        "accept",
        "not_accept",
        "divert",
        "merge",
        "transfer",
        "attach_leader",
    }
    audit = AuditEntry.objects.get(kind=AuditEntry.Kind.IDENTITY_VIEW, case=case)
    assert audit.actor == dispatcher_zhou


def test_an_accusation_is_invisible_to_the_accused_units_handler(
    register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    # given an accusation against unit A, forwarded (wrongly, by a direct write) into unit A's hands
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局")
    Case.objects.filter(pk=case.pk).update(handling_unit=org.unit_a, status="in_handling")
    api = bearer(handler_wang_unit_a)

    # when unit A's handler asks for it, lists cases or acts on it
    detail = api.get(f"/api/cases/{case.pk}")
    by_code = api.get(f"/api/cases/{case.code}")
    missing = api.get("/api/cases/999999")
    listed = api.get("/api/cases")
    acted = api.post(
        f"/api/cases/{case.pk}/actions/reply",
        {"facts_reasons": "x", "decision": "support", "legal_basis": "y"},
        content_type="application/json",
    )

    # then it is exactly as if the case did not exist
    assert detail.status_code == by_code.status_code == missing.status_code == acted.status_code == 404
    assert detail.json() == by_code.json() == missing.json() == acted.json() == NOT_FOUND
    assert listed.json()["items"] == []
    assert not AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    # the refused looks are on record for the accountability check (条例 §46(五)), the missing one is not
    refused = AuditEntry.objects.filter(kind=AuditEntry.Kind.ACCESS_DENIED, actor=handler_wang_unit_a)
    assert refused.count() == 3 and {e.case_id for e in refused} == {case.pk}


def test_a_handler_of_another_unit_gets_the_same_404(
    register_case, dispatcher_zhou, handler_zhao_unit_b, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    response = bearer(handler_zhao_unit_b).get(f"/api/cases/{case.pk}")
    assert response.status_code == 404 and response.json() == NOT_FOUND


# --- lists, filters and keyset pagination ---------------------------------------------------------


def _register_many(register_case: Any, clock: Any, n: int, *, same_moment: int = 0) -> list[Case]:
    """n cases on successive days; the last `same_moment` share one timestamp (ties broken by id)."""
    cases = []
    for i in range(n):
        clock.set(DAY + timedelta(days=min(i, n - same_moment)), time(9, 0))
        cases.append(register_case(title=f"事项{i:02d}"))
    return cases


def _walk(api: Client, url: str, limit: int, **params: Any) -> tuple[list[int], int]:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        body = api.get(url, query).json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_keyset_pagination_walks_every_case_once_newest_first(register_case, clock, dispatcher_zhou):
    # given 11 cases, four of them registered at the very same moment
    cases = _register_many(register_case, clock, 11, same_moment=4)
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.registered_at, c.pk), reverse=True)]

    # when the list is walked three at a time
    seen, pages = _walk(bearer(dispatcher_zhou), "/api/cases", 3)

    # then every case comes exactly once, in (registered_at, id) descending order
    assert seen == expected
    assert pages == 4


def test_a_case_registered_while_walking_does_not_shift_the_pages(register_case, clock, dispatcher_zhou):
    # given a first page of an ordered list
    cases = _register_many(register_case, clock, 6)
    api = bearer(dispatcher_zhou)
    first = api.get("/api/cases", {"limit": 3}).json()

    # when a new case arrives before the second page is fetched
    clock.set(DAY + timedelta(days=30))
    register_case(title="新来的")
    second = api.get("/api/cases", {"limit": 3, "cursor": first["next_cursor"]}).json()

    # then the second page continues exactly where the first stopped
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == [c.pk for c in reversed(cases)]


def test_the_cursor_is_opaque_and_round_trips(register_case):
    case = register_case()
    cursor = encode_cursor(case)
    assert str(case.pk) not in cursor.split("|")
    assert decode_cursor(cursor) == (case.registered_at, case.pk)


def test_filters_narrow_the_list(register_case, clock, dispatcher_zhou, org):
    # given a complaint, an accepted suggestion and a letter
    clock.set(DAY)
    complaint = register_case(title="楼道漏水")
    suggestion = register_case(petition_type="suggestion", title="建议增设公交站")
    wf.case_accept(case=suggestion, actor=dispatcher_zhou)
    clock.set(DAY + timedelta(days=5))
    letter = register_case(channel="letter", title="来信反映噪音")
    api = bearer(dispatcher_zhou)

    def ids(**params: Any) -> list[int]:
        response = api.get("/api/cases", params)
        assert response.status_code == 200, response.json()
        return [i["id"] for i in response.json()["items"]]

    # then each filter keeps only what it names
    assert ids(status="accepted") == [suggestion.pk]
    assert ids(petition_type="suggestion") == [suggestion.pk]
    assert ids(channel="letter") == [letter.pk]
    assert ids(q="公交站") == [suggestion.pk]
    assert ids(q=complaint.code) == [complaint.pk]
    assert ids(q="刘群众") == [letter.pk, suggestion.pk, complaint.pk]
    assert ids(registered_to=DAY.isoformat()) == [suggestion.pk, complaint.pk]
    assert ids(registered_from=(DAY + timedelta(days=1)).isoformat()) == [letter.pk]
    assert ids(office=org.county_office.pk, handling_unit=org.unit_a.pk) == []
    assert ids(status="final") == []


def test_an_unknown_filter_value_gets_422(dispatcher_zhou):
    response = bearer(dispatcher_zhou).get("/api/cases", {"status": "lost"})
    assert response.status_code == 422
    assert set(response.json()["extra"]["fields"]) == {"status"}


# --- query counts --------------------------------------------------------------------------------


def _queries(api: Client, url: str, **params: Any) -> int:
    api.get("/api/me")  # the token's first use of the minute also records last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, params)
    assert response.status_code == 200, response.json()
    return len(captured)


def test_the_list_costs_the_same_queries_for_any_page_size(
    register_case, clock, dispatcher_zhou, org, django_assert_max_num_queries
):
    # given 12 cases, half of them routed to unit A (so rows carry an office and a handling unit)
    cases = _register_many(register_case, clock, 12)
    for case in cases[:6]:
        case = wf.case_accept(case=case, actor=dispatcher_zhou)
        wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    api = bearer(dispatcher_zhou)

    # then a page of 2 and a page of 12 cost the same number of queries, and few of them
    small = _queries(api, "/api/cases", limit=2)
    large = _queries(api, "/api/cases", limit=12)
    assert small == large
    with django_assert_max_num_queries(4):
        api.get("/api/cases", {"limit": 12, "q": "事项"})


@pytest.mark.parametrize("name", list(queues()))
def test_every_queue_costs_the_same_queries_for_any_page_size(
    name, register_case, clock, dispatcher_zhou, org, django_assert_max_num_queries
):
    # given cases with running clocks turned yellow and red for the office
    cases = _register_many(register_case, clock, 8)
    Clock.objects.filter(case__in=cases[:4]).update(state="yellow")
    Clock.objects.filter(case__in=cases[4:]).update(state="red")
    api = bearer(dispatcher_zhou)

    # then the queue's cost does not grow with the page
    assert _queries(api, f"/api/queues/{name}", limit=1) == _queries(api, f"/api/queues/{name}", limit=8)
    with django_assert_max_num_queries(4):
        body = api.get(f"/api/queues/{name}", {"limit": 8}).json()
    assert body["name"] == name and body["label"] == queues()[name][0]
    if name not in ("my_unit", "co_handling", "supervised", "to_accept", "extension_requests"):
        # the office's to_route, due_soon and overdue queues all hold these cases
        assert len(body["items"]) == (8 if name == "to_route" else 4)


def test_the_units_queue_holds_what_it_must_handle_at_a_constant_cost(
    register_case, clock, dispatcher_zhou, handler_wang_unit_a, org
):
    # given five cases forwarded to unit A
    for case in _register_many(register_case, clock, 5):
        wf.case_forward(
            case=wf.case_accept(case=case, actor=dispatcher_zhou), actor=dispatcher_zhou, unit=org.unit_a
        )
    api = bearer(handler_wang_unit_a)

    # then unit A's handler walks them, at the same cost per page size
    assert _queries(api, "/api/queues/my_unit", limit=1) == _queries(api, "/api/queues/my_unit", limit=5)
    seen, pages = _walk(api, "/api/queues/my_unit", 2)
    assert len(set(seen)) == len(seen) == 5 and pages == 3


def test_a_queue_walks_its_pages_like_the_list(register_case, clock, dispatcher_zhou):
    cases = _register_many(register_case, clock, 5)
    seen, _ = _walk(bearer(dispatcher_zhou), "/api/queues/to_route", 2)
    assert seen == [c.pk for c in reversed(cases)]


def test_an_unknown_queue_gets_404(dispatcher_zhou):
    response = bearer(dispatcher_zhou).get("/api/queues/everything")
    assert response.status_code == 404
    assert response.json() == {"message": "没有这个工作队列：everything", "extra": {}}


def test_ids_beyond_the_database_range_are_refused_not_crashed(dispatcher_zhou, register_case, org):
    # given a case and an integration sending absurd ids
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    api = bearer(dispatcher_zhou)
    huge = 10**30

    # then every route answers in the error model instead of overflowing the database driver
    assert api.get("/api/cases", {"office": huge}).status_code == 422
    assert api.get(f"/api/cases/{huge}").json() == NOT_FOUND
    forward = api.post(
        f"/api/cases/{case.pk}/actions/forward", {"unit": huge}, content_type="application/json"
    )
    assert forward.status_code == 422 and set(forward.json()["extra"]["fields"]) == {"unit"}
    merge = api.post(
        f"/api/cases/{case.pk}/actions/merge", {"into": "9" * 20}, content_type="application/json"
    )
    assert merge.status_code == 400 and set(merge.json()["extra"]["fields"]) == {"into"}
