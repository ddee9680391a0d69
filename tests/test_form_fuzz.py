"""Every HTML form of the staff app and the portal survives nasty input: no 5xx (issue 9, hole 9).

The forms are not listed by hand: the test walks the URL resolver, opens every page of the staff app
and the portal (a case's code in place of `<str:code>`) as each persona and as a citizen who proved a
case is theirs, reads every `<form method="post">` off the page, and posts a fixed corpus of nasty
values into every field — NUL, '²', '①', 2^63, calendar-edge dates, a 5000-character string, the
wrong types, an HTML file named .jpg into file inputs. A form added tomorrow is fuzzed tomorrow.
Bounded: a few variants per distinct form (action + field names), deterministic.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from huiyin.portal import throttle
from huiyin.portal.views import SESSION_VERIFIED
from huiyin.workflow import services as wf
from huiyin.workflow.transitions import Action

# Surfaces with their own fuzzing (schemathesis) or no forms of ours.
SKIP_PREFIXES = ("admin/", "api/", "open311/", "static/")
# Routes that only download, sign out or switch the language.
SKIP_NAMES = {"logout", "portal_account_logout", "portal_language", "notice_read_all"}
NASTY = [
    "\x00",
    "\u00b2",
    "\u2460",
    str(2**63),
    "-99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "x" * 5000,
    "<script>alert(1)</script>",
    "",
]
VARIANTS = 4  # per distinct form: each field gets NASTY[(variant * 3 + position) % len(NASTY)]


class Forms(HTMLParser):
    """The POST forms of a page: (action, {field name: [values offered]}, {file field names})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]], set[str]]] = []
        self._current: tuple[str, dict[str, list[str]], set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = (a.get("action", ""), {}, set())
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag in ("input", "textarea", "select", "button") and a.get("name"):
            fields, files = self._current[1], self._current[2]
            if a.get("type") == "file":
                files.add(a["name"])
            else:
                fields.setdefault(a["name"], []).append(a.get("value", ""))
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select:
            self._current[1][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def page_routes() -> list[str]:
    """Every page route of the staff app and the portal, as a template with `{code}` for a case."""

    def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append((prefix + str(p.pattern), p.name))
        return out

    routes = []
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or name in SKIP_NAMES or route.startswith("^"):
            continue
        if "<str:action>" in route:  # one form page per workflow action
            routes += ["/" + route.replace("<str:code>", "{code}").replace("<str:action>", a) for a in Action]
            continue
        if re.search(r"<(?!str:code>)[^>]+>", route):
            continue  # ids of rows a page links to (downloads, prints, notices): not form pages
        routes.append("/" + route.replace("<str:code>", "{code}"))
    return routes


def nasty_data(fields: dict[str, list[str]], files: set[str], variant: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for position, name in enumerate(sorted(fields)):
        if name == "csrfmiddlewaretoken":
            continue
        choice = (variant * 3 + position) % len(NASTY)
        # the wrong type for a third of the fields: a list where one value is expected
        data[name] = [NASTY[choice], NASTY[-choice]] if (variant + position) % 3 == 0 else NASTY[choice]
    for name in files:
        data[name] = SimpleUploadedFile(
            "x.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg"
        )
    return data


@pytest.fixture
def cases(org, clock, register_case, dispatcher_zhou, cast_all):
    """A case in each status whose pages offer different forms: registration, handling (reply, mediate,
    extend, object), a delivered reply (deliver, rate, 复查), 复查 and 复核 (hearings, opinions)."""
    from huiyin.cases.choices import Status
    from huiyin.workflow.tests.drive import drive_to

    clock.set(date(2025, 3, 3))
    registered = register_case()
    assigned = wf.case_assign(
        case=wf.case_accept(case=register_case(title="低保未发放"), actor=dispatcher_zhou),
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=date(2025, 4, 3),
    )
    later = [
        drive_to(register_case(title=f"路灯损坏{n}"), status, cast_all)
        for n, status in enumerate((Status.REPLIED, Status.UNDER_REVIEW, Status.UNDER_REREVIEW))
    ]
    return [registered, assigned, *later]


@pytest.mark.slow
def test_every_form_of_every_page_survives_nasty_values_without_a_5xx(
    cases,
    clerk_li,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
    supervisor_chen,
    reviewer_qian,
    rereviewer_wu,
    monkeypatch,
):
    # given every persona's view of every page (and a citizen who proved the cases are theirs)
    monkeypatch.setattr(throttle, "hit", lambda scope, value: None)
    visitors: list[Client] = []
    personas = (clerk_li, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a, supervisor_chen)
    for user in (*personas, reviewer_qian, rereviewer_wu):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        visitors.append(client)
    citizen = Client(raise_request_exception=False)
    session = citizen.session
    session[SESSION_VERIFIED] = [c.code for c in cases]
    session.save()
    visitors.append(citizen)
    routes = page_routes()
    assert "/cases/new/" in routes and "/public/submit/" in routes  # the walk finds the forms

    seen: set[tuple[str, tuple[str, ...]]] = set()
    failures: list[str] = []
    pages = forms = 0
    for client in visitors:
        for route in routes:
            for case in cases if "{code}" in route else [None]:
                url = route.format(code=case.code) if case else route
                page = client.get(url)
                if page.status_code >= 500:
                    failures.append(f"GET {url}: {page.status_code}")
                if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                    continue
                pages += 1
                parser = Forms()
                parser.feed(page.content.decode())
                for action, fields, files in parser.forms:
                    target = action or url
                    key = (
                        re.sub(r"/[0-9A-Z]{6,}/", "/{code}/", target),
                        tuple(sorted(fields) + sorted(files)),
                    )
                    if key in seen:
                        continue
                    seen.add(key)
                    forms += 1
                    # when nasty values are posted into every field
                    for variant in range(VARIANTS):
                        response = client.post(target, nasty_data(fields, files, variant))
                        # then the answer is never a server error
                        if response.status_code >= 500:
                            failures.append(f"POST {target} variant {variant}: {response.status_code}")
    assert not failures, failures
    assert pages >= 20 and forms >= 15, (pages, forms)
    print(f"{pages} pages, {forms} distinct forms fuzzed")
