"""API authentication: bearer tokens for integrations, the staff session for the UI."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import Client

from huiyin.org.models import ApiToken
from huiyin.org.services import hash_token, token_issue, token_revoke

UNAUTHENTICATED = {"message": "未登录，或接口令牌无效、已吊销", "extra": {}}


def test_a_request_without_credentials_is_refused_with_401(db):
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_acts_as_its_user(clerk_li):
    # given a token issued to the clerk
    token, raw = token_issue(user=clerk_li, name="网上信访平台")

    # when an integration presents it
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/me")

    # then it acts as the clerk, and the use is recorded
    assert response.status_code == 200
    assert response.json()["username"] == "clerk_li"
    assert response.json()["unit"]["name"] == "示范县信访局"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(clerk_li):
    token, raw = token_issue(user=clerk_li, name="网上信访平台")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == hash_token(raw)
    assert raw.startswith(stored.prefix)


def test_a_revoked_token_is_refused_with_401(clerk_li):
    token, raw = token_issue(user=clerk_li, name="网上信访平台")
    token_revoke(token=token)
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/cases")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_token_of_a_deactivated_account_is_refused(clerk_li):
    _, raw = token_issue(user=clerk_li, name="网上信访平台")
    clerk_li.is_active = False
    clerk_li.save(update_fields=["is_active"])
    response = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/me")
    assert response.status_code == 401


def test_an_unknown_or_malformed_token_is_refused(clerk_li):
    token_issue(user=clerk_li, name="网上信访平台")
    for header in ("Bearer hy_not-a-real-token", "Bearer ", "Token abc", "Basic Y2xlcms6cHc="):
        response = Client(headers={"authorization": header}).get("/api/me")
        assert response.status_code == 401, header


def test_last_used_is_written_at_most_once_a_minute(clerk_li, clock, django_assert_num_queries):
    # given a token used a moment ago
    clock.set(date(2025, 3, 3))
    token, raw = token_issue(user=clerk_li, name="网上信访平台")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    api.get("/api/me")
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at

    # when it is used again within the minute, then a minute later
    with django_assert_num_queries(1):  # the token lookup only; no write
        api.get("/api/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    clock.set(date(2025, 3, 3) + timedelta(days=1))
    api.get("/api/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use


def test_the_staff_session_is_accepted_and_writes_need_the_csrf_token(clerk_li):
    # given the clerk signed in to the staff UI (the browser enforces CSRF)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk_li)

    # when the page's htmx reads and, without the CSRF token, writes
    read = browser.get("/api/me")
    write = browser.post("/api/cases", {}, content_type="application/json")

    # then the read works as the clerk and the write is refused in the error model
    assert read.status_code == 200 and read.json()["username"] == "clerk_li"
    assert write.status_code == 403
    assert write.json() == {"message": "CSRF 校验失败，请刷新页面后重试", "extra": {}}


def test_issuing_a_token_needs_a_purpose(clerk_li):
    import pytest

    from huiyin.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        token_issue(user=clerk_li, name="  ")
    assert refused.value.extra == {"fields": {"name": "请填写令牌用途"}}
