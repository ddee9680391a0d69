"""CSP and secure headers (SPEC §4): no inline styles anywhere, so style-src needs no 'unsafe-inline';
HSTS and the proxy's TLS header only when configured (docs/configuration.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from huiyin.core.tests.settings_probe import settings_output

ROOT = Path(settings.BASE_DIR)
# ours: every template of every app, and our static JS/CSS (vendored libraries are checked by the
# browser tests: Bootstrap and ECharts set element.style through the CSSOM, which CSP allows)
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html"))
OUR_JS = sorted(p for p in (ROOT / "static").rglob("*.js") if "vendor" not in p.parts)
INLINE_STYLE = re.compile(
    r"""(\sstyle\s*=|<style[\s>]|setAttribute\(\s*["']style["']|\.style\.cssText|hx-indicator-style)""", re.I
)


def test_there_are_templates_and_scripts_to_scan():
    assert len(TEMPLATES) > 30 and len(OUR_JS) >= 3


@pytest.mark.parametrize("path", TEMPLATES + OUR_JS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_or_script_of_ours_has_an_inline_style(path):
    hits = [
        f"{n}: {line.strip()[:120]}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE_STYLE.search(line)
    ]
    assert hits == [], (
        f"inline styles are refused by the CSP (style-src 'self'); move them to a class: {hits}"
    )


def test_htmx_does_not_inject_its_indicator_style():
    base = (ROOT / "templates" / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    css = (ROOT / "static" / "css" / "huiyin.css").read_text()
    assert ".htmx-indicator" in css


@pytest.mark.parametrize("url", ["/login/", "/public/", "/api/docs", "/open311/v2/discovery.json"])
def test_every_answer_has_a_csp_without_unsafe_inline(client, db, url):
    csp = client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["style-src"] == "'self'" and directives["script-src"] == "'self'"


def _settings_with(env: dict[str, str]) -> str:
    return settings_output(
        env,
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER,"
        " s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
    )


def test_hsts_and_the_proxy_tls_header_are_off_unless_configured():
    assert _settings_with({}) == "0 False None 5 0:15:00"


def test_behind_tls_hsts_and_the_proxy_header_are_read_from_the_environment():
    configured = _settings_with(
        {
            "HUIYIN_HSTS_SECONDS": "31536000",
            "HUIYIN_HSTS_INCLUDE_SUBDOMAINS": "1",
            "HUIYIN_PROXY_SSL_HEADER": "1",
            "HUIYIN_LOGIN_FAILURE_LIMIT": "3",
            "HUIYIN_LOGIN_LOCKOUT_MINUTES": "30",
        }
    )
    assert configured == "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') 3 0:30:00"


def test_a_malformed_hsts_value_refuses_to_start():
    assert "ImproperlyConfigured" in _settings_with({"HUIYIN_HSTS_SECONDS": "a year"})


def test_hsts_is_sent_over_https_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login/")
