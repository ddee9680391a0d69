"""Walk every URL and API route: each has a rule; anonymous users are refused unless allow-listed; a
person outside the case's units gets the same 404 as for a missing case; a person inside gets it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huiyin.cases.choices import Status
from huiyin.cases.models import Attachment
from huiyin.core import access
from huiyin.core.access import AUDIT, CASE, INTAKE, OWN, PUBLIC, STAFF
from huiyin.notify.models import StaffNotice
from huiyin.workflow.api import ACTION_SCHEMAS
from huiyin.workflow.tests.drive import drive_to
from huiyin.workflow.transitions import Action

# The access rule of each route is declared next to the route, in its urls.py or api.py
# (`huiyin.core.access.declare`). Routes another branch added before declaring them in code go here
# until they are; this dict is empty once every branch is merged.
EXTRA_RULES: dict[str, str] = {}


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
    return access.rule_for(name) or EXTRA_RULES.get(name or "")


def test_every_route_has_a_rule():
    missing = [f"{name!r} ({pattern})" for _full, pattern, name in _routes() if _rule(name) is None]
    assert missing == [], (
        "routes without an access rule: "
        + ", ".join(missing)
        + ". Declare each next to its route, in the urls.py or api.py that defines it: "
        "access.declare(__name__, {name: PUBLIC | STAFF | CASE | OWN | INTAKE}) (huiyin/core/access.py)."
    )


def test_every_declared_rule_names_a_route():
    names = {name for _full, _pattern, name in _routes()}
    stale = sorted(set(access.declared()) - names) + sorted(set(EXTRA_RULES) - names)
    assert stale == [], f"access rules for routes that do not exist (renamed or removed?): {stale}"


def test_a_route_is_declared_in_code_or_in_extra_rules_not_both():
    assert set(EXTRA_RULES).isdisjoint(access.declared()), "move the rule out of EXTRA_RULES"


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
    from huiyin.cases.models import ExportJob  # a long list's export, written for handler Wang
    from huiyin.outreach.tests.sweep import sweep_objects

    job = ExportJob.objects.create(
        user=handler_wang_unit_a, where="workbench", filename="工作队列", record_ids=[case.pk], total_rows=1,
        done_rows=1, state=ExportJob.State.DONE, created_at=case.registered_at,
    )  # fmt: skip
    job.file.save("sweep.xlsx", SimpleUploadedFile("sweep.xlsx", b"PK"), save=True)
    return {
        "case": case,
        "attachment": attachment,
        "opinion": case.opinions.get(),
        "notice": notice,
        "outreach": sweep_objects(cast_all.org, handler_wang_unit_a),
        "export_job": job,
    }


def _kwargs(pattern: str, world) -> dict[str, object]:
    case = world["case"]
    kwargs: dict[str, object] = {}
    if "<str:code>" in pattern or "(?P<code>" in pattern:
        kwargs["code"] = case.code
    if "(?P<fmt>" in pattern:
        kwargs["fmt"] = "json"
    if "(?P<token>" in pattern:
        kwargs["token"] = "no-such-token"
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
    for key in (
        "entry",
        "problem",
        "commitment",
        "meeting",
        "issue",
        "proposal",
        "consultation",
        "comment",
    ):  # outreach (huiyin/outreach/tests/sweep.py)
        if f"<int:{key}>" in pattern:
            kwargs[key] = world["outreach"][key]
    if "<int:job>" in pattern:
        kwargs["job"] = world["export_job"].pk
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


def _example(spec: dict, defs: dict) -> object:
    """A value that satisfies one JSON-schema node (for a well-formed request body)."""
    if "$ref" in spec:
        return _example(defs[spec["$ref"].rsplit("/", 1)[-1]], defs)
    if "enum" in spec:
        return spec["enum"][0]
    if "anyOf" in spec:
        return _example(next(s for s in spec["anyOf"] if s.get("type") != "null"), defs)
    kind = spec.get("type")
    if kind == "object":
        return {
            k: _example(v, defs)
            for k, v in spec.get("properties", {}).items()
            if k in spec.get("required", ())
        }
    if kind == "array":
        return [_example(spec["items"], defs)]
    if kind == "integer":
        return max(1, spec.get("minimum", 1))
    if kind == "boolean":
        return False
    if spec.get("format") == "date":
        return "2030-01-02"
    return "理由"


def _stable(content: bytes) -> bytes:
    """The body without what differs per response anyway (the CSP nonce, the CSRF token)."""
    return re.sub(rb"[A-Za-z0-9+/=_-]{32,}", b"-", content)


def _well_formed_body(name: str | None) -> dict:
    """A body the API's schema accepts, so that only the question of access remains (an empty body would
    be refused with 422 before anyone looks at the case, for insiders and outsiders alike)."""
    action = (name or "").removeprefix("case_")
    if action not in Action.__members__.values():
        return {}
    schema = ACTION_SCHEMAS[Action(action)]
    js = schema.model_json_schema()
    body = _example(js, js.get("$defs", {}))
    schema.model_validate(body)  # the body itself must pass, or this test checks nothing
    return body


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == CASE], ids=lambda r: r[1])
def test_a_case_route_gives_an_outsider_the_same_404_as_a_missing_case(
    route, client, world, handler_zhao_unit_b
):
    full_name, pattern, name = route
    client.force_login(handler_zhao_unit_b)
    url = _url(full_name, pattern, world)
    missing = url.replace(world["case"].code, "HY000000AAAAAA", 1)
    answered = 0
    for method in ("get", "post"):
        kwargs = (
            {"data": _well_formed_body(name), "content_type": "application/json"}
            if url.startswith("/api/") and method == "post"
            else {}
        )
        outsider = getattr(client, method)(url, **kwargs)
        if outsider.status_code == 405:
            continue  # the route has no such method at all
        answered += 1
        absent = getattr(client, method)(missing, **kwargs)
        # the outsider learns nothing: exactly the answer for a case that does not exist
        assert (outsider.status_code, absent.status_code) == (404, 404), (method, url)
        assert _stable(outsider.content) == _stable(absent.content), (method, url)
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


@pytest.mark.parametrize("route", [r for r in _routes() if _rule(r[2]) == PUBLIC], ids=lambda r: r[1])
def test_public_routes_open_anonymously_and_never_fail(route, client, world):
    full_name, pattern, _name = route
    url = _url(full_name, pattern, world)
    # when anyone opens a public route, then it answers (a page, a redirect to where the flow continues,
    # or the missing-record 404 for a key nobody owns), never a server error
    response = client.get(url)
    posted = client.post(url)
    if response.status_code == 405:  # a form's target (sign out, rate, ask for 复查): POST only
        assert posted.status_code != 405, url
    else:
        assert response.status_code in (200, 301, 302, 303, 404), (url, response.status_code)
    # and a post without the expected fields is refused in the documented way, never with a 5xx
    assert posted.status_code < 500, (url, posted.status_code)
