"""The audit trail shows who unmasked, who searched for whom, and who was refused a case (SPEC §1.3).

条例 §30¶3 forbids passing an accuser's identity on, §46(五) makes it an accountability ground: the
log must name the people who actually looked, without burying them under every ordinary case page.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from huiyin.core.models import AuditEntry
from huiyin.org.services import token_issue

pytestmark = pytest.mark.django_db


def unsalted(html: bytes) -> bytes:
    """The page without its per-response CSRF token (Django masks it anew on every response)."""
    return re.sub(
        rb'"X-CSRFToken": "[^"]+"', b"", re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    )


def login(client, user):
    client.force_login(user)
    return client


def test_unmasking_the_identity_writes_one_reveal_row_with_the_client_address(
    client, register_case, dispatcher_zhou, settings
):
    settings.HUIYIN_TRUSTED_PROXIES = ["127.0.0.1"]
    case = register_case()
    login(client, dispatcher_zhou)
    client.get(reverse("case_detail", args=[case.code]))
    assert not AuditEntry.objects.filter(kind="identity_view").exists()
    client.get(
        reverse("case_parties", args=[case.code]) + "?full=1",
        HTTP_HX_REQUEST="true",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    entry = AuditEntry.objects.get(kind="identity_view")
    assert (entry.actor, entry.case, entry.ip_address) == (dispatcher_zhou, case, "198.51.100.20")


def test_a_spoofed_forwarded_for_never_reaches_the_audit_row(
    client, register_case, dispatcher_zhou, settings
):
    settings.HUIYIN_TRUSTED_PROXIES = ["10.0.0.1"]
    case = register_case()
    login(client, dispatcher_zhou).get(
        reverse("case_parties", args=[case.code]) + "?full=1",
        REMOTE_ADDR="203.0.113.50",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert AuditEntry.objects.get(kind="identity_view").ip_address == "203.0.113.50"


def test_a_refused_case_page_is_audited_and_answers_exactly_like_a_missing_case(
    client, register_case, handler_zhao_unit_b
):
    # given a case of the county office that unit B may not see
    case = register_case()
    login(client, handler_zhao_unit_b)
    # when unit B's handler opens it by code and by id, and opens a case that does not exist
    refused = client.get(reverse("case_detail", args=[case.code]))
    missing = client.get(reverse("case_detail", args=["HY000000000000"]))
    # then both answers are the same 404, byte for byte
    assert refused.status_code == missing.status_code == 404
    assert unsalted(refused.content) == unsalted(missing.content)
    # and only the refused look at the existing case is on record, with the case
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.ACCESS_DENIED)
    assert (entry.actor, entry.case_id) == (handler_zhao_unit_b, case.pk)


def test_a_refused_api_look_is_audited_with_the_same_404(register_case, handler_zhao_unit_b):
    case = register_case()
    _, raw = token_issue(user=handler_zhao_unit_b, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    refused, missing = api.get(f"/api/cases/{case.code}"), api.get("/api/cases/HY000000000000")
    assert refused.status_code == missing.status_code == 404 and refused.content == missing.content
    assert AuditEntry.objects.filter(kind="access_denied", case=case, actor=handler_zhao_unit_b).count() == 1


@pytest.mark.parametrize(
    ("q", "query_kind", "shown"),
    [
        ("11010519491231002X", "id_number", "110***********002X"),
        ("13800001234", "phone", "138****1234"),
        ("刘群众", "name", "刘群众"),
    ],
)
def test_a_search_for_a_person_is_audited_with_whom_it_matched(
    client, register_case, dispatcher_zhou, q, query_kind, shown
):
    case = register_case()
    petitioner = case.parties.get().petitioner
    response = login(client, dispatcher_zhou).get(reverse("search"), {"q": q})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.SEARCH)
    assert entry.actor == dispatcher_zhou
    assert entry.detail == {
        "where": "search_page",
        "query_kind": query_kind,
        "query": shown,
        "petitioners": [petitioner.pk],
    }


def test_an_id_number_search_is_audited_even_when_it_matches_nobody(client, org, dispatcher_zhou):
    login(client, dispatcher_zhou).get(reverse("search"), {"q": "110105194912310036"})
    entry = AuditEntry.objects.get(kind="search")
    assert entry.detail["petitioners"] == [] and "194912" not in entry.detail["query"]


def test_a_search_for_words_of_the_matter_is_not_an_identity_search(client, register_case, dispatcher_zhou):
    case = register_case(title="路灯不亮")
    login(client, dispatcher_zhou)
    client.get(reverse("search"), {"q": "路灯"})
    client.get(reverse("search"), {"q": case.code})
    assert not AuditEntry.objects.filter(kind="search").exists()


def test_the_api_search_by_phone_is_audited(register_case, dispatcher_zhou):
    register_case()
    _, raw = token_issue(user=dispatcher_zhou, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    assert api.get("/api/cases", {"q": "13800001234"}).status_code == 200
    entry = AuditEntry.objects.get(kind="search")
    assert entry.detail["where"] == "api_cases" and entry.detail["query"] == "138****1234"
