"""Every outreach route that names a record answers a signed-in outsider (staff of another township)
exactly as it answers a record that does not exist — GET and POST, and nothing is written; the form
pages a role may not use explain themselves and refuse the post (the permission map: docs/outreach.md)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver, reverse

from huiyin.core import access
from huiyin.core.access import STAFF
from huiyin.outreach import urls
from huiyin.outreach.tests.sweep import sweep_objects

pytestmark = pytest.mark.django_db

KEY = re.compile(r"<int:(\w+)>")


def _record_routes():
    found = []
    for entry in urls.urlpatterns:
        assert isinstance(entry, URLPattern)
        keys = KEY.findall(str(entry.pattern))
        if keys and access.rule_for(entry.name) == STAFF:
            found.append((entry.name, keys[0], entry.default_args))
    return found


def test_every_outreach_route_is_in_the_permission_map():
    names = {e.name for e in urls.urlpatterns}
    declared = {n for n in names if access.rule_for(n)}
    assert declared == names
    # and the map in docs/outreach.md names each one
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "outreach.md").read_text(encoding="utf-8")
    assert [n for n in sorted(names) if f"`{n}`" not in doc] == []
    # the project's resolver serves them (the sweep walks it)
    assert [n for n in sorted(names) if n not in get_resolver().reverse_dict] == []


@pytest.fixture
def outsider(org):
    from huiyin.org.models import Territory, Unit, User

    town = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    unit = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=town)
    return User.objects.create_user(username="west", password="x", unit=unit, role="unit_head")


@pytest.mark.parametrize("route", _record_routes(), ids=lambda r: r[0])
def test_an_outsider_gets_the_missing_records_404_and_writes_nothing(
    route, client, org, handler_wang_unit_a, outsider
):
    from huiyin.cases.models import Case
    from huiyin.outreach.models import Commitment, CommitmentUpdate, FollowUp, Hearing, Problem

    name, key, _defaults = route
    world = sweep_objects(org, handler_wang_unit_a)
    url = reverse(name, kwargs={key: world[key]})
    missing = reverse(name, kwargs={key: 999999})
    before = [m.objects.count() for m in (Case, Commitment, CommitmentUpdate, FollowUp, Hearing)]
    client.force_login(outsider)
    body = {"answer": "答复", "text": "跟进", "reason": "理由", "response": "adopted", "action": "progress"}
    answered = 0
    for method in ("get", "post"):
        got = getattr(client, method)(url, body if method == "post" else None)
        if got.status_code == 405:
            continue
        answered += 1
        absent = getattr(client, method)(missing, body if method == "post" else None)
        assert (got.status_code, absent.status_code) == (404, 404), (method, url)
    assert answered
    assert [m.objects.count() for m in (Case, Commitment, CommitmentUpdate, FollowUp, Hearing)] == before
    assert Problem.objects.get(pk=world["problem"]).state == "open"


@pytest.mark.parametrize(
    "name,message", [("outreach_pairing_new", "维护联系结对"), ("outreach_commitment_new", "发布公开承诺")]
)
def test_a_form_page_a_role_may_not_use_explains_and_refuses_the_post(
    name, message, client, handler_wang_unit_a, org
):
    from huiyin.outreach.models import Commitment, Pairing

    client.force_login(handler_wang_unit_a)
    page = client.get(reverse(name))
    assert page.status_code == 200 and message in page.content.decode()
    posted = client.post(reverse(name), {"form": "pairing", "title": "t", "kind": "dept_village"})
    assert posted.status_code == 403
    assert Pairing.objects.count() == 0 and Commitment.objects.count() == 0
