"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `browser` (run them with `pytest -m browser`; bin/test does). Without
/usr/bin/chromium they are skipped with a reason, unless HUIYIN_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure. The live server needs a transactional database, so these tests see
committed data; each test starts from the migrated database (serialized rollback).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class _SerialWSGIServer(WSGIServer):
    """The live server, one request at a time. On SQLite every request thread shares the test's single
    in-memory connection, and two requests using it at once (a page's htmx fragments load together)
    can deadlock inside sqlite3. Not threaded, Django answers `Connection: close`, so an idle
    keep-alive connection of the browser never blocks the next request."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        # the server thread has installed `connections_override` already (LiveServerThread.run)
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _SerialWSGIServer

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be called
# from it without this (the tests themselves are synchronous).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
REQUIRE = os.environ.get("HUIYIN_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if REQUIRE:
            pytest.fail(f"HUIYIN_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(live_server: Any, django_db_serialized_rollback: None) -> str:
    """The live server's base URL, without a trailing slash (e.g. http://localhost:41234).

    The live server needs a transactional database, which is emptied after every test; serialized
    rollback puts back what migrations seeded (rule profiles, the taxonomy) before each test.
    """
    return str(live_server.url).rstrip("/")


def _page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # every page of every browser test is also a CSP check (issue 9: style-src without 'unsafe-inline')
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], f"the browser logged CSP violations: {violations}"


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    """A desktop-sized page in a fresh browser context (no cookies shared between tests)."""
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser: Any, live_url: str) -> Iterator[Any]:
    """A phone-sized page (390×844) in a fresh browser context."""
    yield from _page(browser, PHONE)


@pytest.fixture
def login(live_url: str) -> Callable[[Any, str, str], None]:
    """Sign `username` in on `page` through the real login form; waits until the login page is left."""

    def sign_in(page: Any, username: str, password: str) -> None:
        page.goto(f"{live_url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)

    return sign_in
