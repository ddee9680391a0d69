"""The OpenAPI document, the offline docs page and /meta describe every workflow action."""

from __future__ import annotations

import re

from django.test import Client

from huiyin.core.middleware import CONTENT_SECURITY_POLICY
from huiyin.org.services import token_issue
from huiyin.workflow.api import ACTION_SCHEMAS
from huiyin.workflow.transitions import ACTION_LABELS, TABLE, Action


def test_the_openapi_document_lists_one_operation_per_action_with_its_own_schema(db):
    # when the OpenAPI document is fetched
    response = Client().get("/api/openapi.json")

    # then it loads, and every action is its own operation whose body is that action's schema
    assert response.status_code == 200
    document = response.json()
    for action in Action:
        operation = document["paths"][f"/api/cases/{{ref}}/actions/{action}"]["post"]
        assert operation["operationId"] == f"case_{action}"
        assert ACTION_LABELS[action] in operation["summary"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert body == f"#/components/schemas/{ACTION_SCHEMAS[action].__name__}"
    assert document["components"]["schemas"]["AssignIn"]["required"] == ["unit", "deadline"]
    assert {"BearerToken", "StaffSession"} <= set(document["components"]["securitySchemes"])


def test_the_docs_page_loads_offline_without_inline_script(db):
    # when the docs page is opened
    response = Client().get("/api/docs")
    html = response.content.decode()

    # then every executable script is a same-origin file the API itself serves (CSP script-src 'self')
    assert response.status_code == 200
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, content in scripts:
        assert 'type="application/json"' in attributes or (
            content.strip() == "" and 'src="/api/' in attributes
        )
    assets = re.findall(r'(?:src|href)="(/api/docs/assets/[^"]+)"', html)
    assert len(assets) == 4
    for url in assets:
        assert Client().get(url).status_code == 200, url
    assert "cdn" not in html.lower() and "http" not in html


def test_the_docs_assets_serve_only_the_swagger_files(db):
    assert Client().get("/api/docs/assets/__init__.py").status_code == 404


def test_meta_lists_every_action_with_its_transitions(clerk_li):
    _, raw = token_issue(user=clerk_li, name="测试")
    body = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/meta").json()
    actions = {a["value"]: a for a in body["actions"]}
    assert set(actions) == {str(a) for a in Action}
    for (status, action), target in TABLE.items():
        assert actions[action]["transitions"][status] == target
    assert actions["extend"]["roles"] == ["unit_head"]
    assert {s["value"] for s in body["statuses"]} >= {"registered", "final"}
    assert [q["value"] for q in body["queues"]] == [
        "to_route",
        "my_unit",
        "due_soon",
        "overdue",
        "co_handling",
        "supervised",
        "to_accept",
        "extension_requests",
    ]
