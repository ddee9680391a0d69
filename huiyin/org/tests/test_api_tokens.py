"""API tokens with a name, a scope and an expiry, listed and revoked by their owner (issue 9)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from huiyin.cases.tests.test_api_cases import intake_body
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import ApiToken
from huiyin.org.services import hash_token, token_issue, token_revoke

UNAUTHENTICATED = {"message": "未登录，或接口令牌无效、已吊销", "extra": {}}


def bearer(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_a_read_token_may_get_but_never_post(clerk_li, org):
    _, raw = token_issue(user=clerk_li, name="大屏", scope="read")
    api = bearer(raw)
    assert api.get("/api/cases").status_code == 200
    response = api.post("/api/cases", intake_body(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["extra"] == {"scope": "read"} and "只读" in response.json()["message"]


def test_an_intake_token_registers_cases_and_does_nothing_else(clerk_li, org, register_case):
    _, raw = token_issue(user=clerk_li, name="网上信访", scope="intake")
    api = bearer(raw)
    created = api.post("/api/cases", intake_body(), content_type="application/json")
    assert created.status_code == 201
    code = created.json()["code"]
    action = api.post(f"/api/cases/{code}/actions/accept", {}, content_type="application/json")
    assert action.status_code == 403 and action.json()["extra"] == {"scope": "intake"}
    assert api.post("/api/tokens/1/revoke").json()["extra"] == {"scope": "intake"}


def test_a_full_token_does_what_the_role_allows(clerk_li, org):
    _, raw = token_issue(user=clerk_li, name="集成", scope="full")
    assert bearer(raw).post("/api/cases", intake_body(), content_type="application/json").status_code == 201


def test_an_expired_token_is_refused_with_401(clerk_li, clock):
    clock.set(date(2025, 3, 3))
    _, raw = token_issue(user=clerk_li, name="短期", days=30)
    assert bearer(raw).get("/api/me").status_code == 200
    clock.set(date(2025, 3, 3) + timedelta(days=31))
    response = bearer(raw).get("/api/me")
    assert response.status_code == 401 and response.json() == UNAUTHENTICATED


def test_a_revoked_token_is_refused_with_401(clerk_li):
    token, raw = token_issue(user=clerk_li, name="集成")
    token_revoke(token=token, actor=clerk_li)
    response = bearer(raw).get("/api/me")
    assert response.status_code == 401 and response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("kwargs", [{"scope": "admin"}, {"days": 0}, {"days": 400}, {"name": " "}], ids=str)
def test_a_token_needs_a_name_a_known_scope_and_a_bounded_expiry(clerk_li, kwargs):
    with pytest.raises(ValidationFailed):
        token_issue(user=clerk_li, **{"name": "x", **kwargs})


def test_only_a_hash_is_stored_and_the_page_shows_the_token_once(client, clerk_li):
    client.force_login(clerk_li)
    response = client.post(reverse("my_tokens"), {"name": "网上信访", "scope": "intake", "days": "30"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    token = ApiToken.objects.get(user=clerk_li)
    assert token.key_hash == hash_token(raw) and token.scope == "intake"
    assert raw not in client.get(reverse("my_tokens")).content.decode()


def test_the_owner_lists_and_revokes_their_tokens_on_the_page_and_in_the_api(client, clerk_li):
    mine, raw = token_issue(user=clerk_li, name="mine")
    client.force_login(clerk_li)
    assert "mine" in client.get(reverse("my_tokens")).content.decode()
    assert [t["name"] for t in client.get("/api/tokens").json()] == ["mine"]
    assert client.post(reverse("my_token_revoke", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.revoked and mine.revoked_by == clerk_li and mine.revoked_at is not None
    other, _ = token_issue(user=clerk_li, name="other")
    assert bearer(raw).get("/api/tokens").status_code == 401  # the revoked one is dead
    revoked = client.post(f"/api/tokens/{other.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True


def test_another_users_token_can_be_neither_listed_nor_revoked(client, clerk_li, dispatcher_zhou):
    # given the dispatcher's token
    theirs, raw = token_issue(user=dispatcher_zhou, name="分办集成")
    # when the clerk tries to see or revoke it (page, API with session, API with the clerk's token)
    client.force_login(clerk_li)
    assert "分办集成" not in client.get(reverse("my_tokens")).content.decode()
    assert client.get("/api/tokens").json() == []
    assert client.post(reverse("my_token_revoke", args=[theirs.pk])).status_code == 404
    api_missing = client.post("/api/tokens/999999/revoke")
    api_theirs = client.post(f"/api/tokens/{theirs.pk}/revoke")
    assert api_theirs.status_code == 404 and api_theirs.json() == api_missing.json()
    _, clerk_raw = token_issue(user=clerk_li, name="clerk")
    assert bearer(clerk_raw).post(f"/api/tokens/{theirs.pk}/revoke").status_code == 404
    # then it still works
    theirs.refresh_from_db()
    assert not theirs.revoked and bearer(raw).get("/api/me").status_code == 200


def test_the_administrator_revokes_anyones_token_in_the_admin(client, clerk_li):
    from huiyin.org.models import User

    token, raw = token_issue(user=clerk_li, name="集成")
    root = User.objects.create_superuser("root_admin", password="pw-root_admin-x", role="")
    client.force_login(root)
    assert "集成" in client.get("/admin/org/apitoken/").content.decode()
    client.post("/admin/org/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked and token.revoked_by == root
    assert bearer(raw).get("/api/me").status_code == 401
