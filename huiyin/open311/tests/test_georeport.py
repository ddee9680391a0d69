"""Open311 GeoReport v2: every JSON response validates against the official schemas, XML carries
the same data, and a request posted like real clients do (form-encoded, attribute[...]) reads back
by token and by id."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from huiyin.cases.choices import Status
from huiyin.cases.models import Case, Category
from huiyin.open311.models import ServiceRequest
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf

SCHEMAS = Path(settings.REPO_DIR).parent / "shared" / "open311" / "georeport-v2"


def _registry() -> Registry:
    resources = [
        (name, Resource.from_contents(json.loads((SCHEMAS / name).read_text()), default_specification=DRAFT7))
        for name in (
            "request.json",
            "requests.json",
            "service.json",
            "services.json",
            "service-definition.json",
        )
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry() if SCHEMAS.exists() else None


def validate(data, schema_name):
    schema = json.loads((SCHEMAS / schema_name).read_text())
    jsonschema.Draft7Validator(
        schema, registry=REGISTRY, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    ).validate(data)


pytestmark = pytest.mark.usefixtures("open311_schemas")  # fails loudly when ../shared is missing


@pytest.fixture
def api_key(clerk_li):
    _token, raw = token_issue(user=clerk_li, name="311 app")
    return raw


@pytest.fixture
def leaf(db):
    return Category.objects.filter(level=3).order_by("full_name").first()


def post_like_a_311_app(client, key, leaf, org, **extra):
    data = {
        "api_key": key,
        "service_code": str(leaf.pk),
        "lat": "28.19",
        "long": "112.97",
        "address_string": "东城镇柳林村3组",
        "first_name": "群众",
        "last_name": "刘",
        "phone": "13800001234",
        "email": "liu@example.cn",
        "description": "村口路灯坏了三个月，晚上出行不便。",
        "attribute[petition_type]": "complaint",
        "attribute[territory]": org.village.code,
        "attribute[request]": "请尽快修好路灯",
        "attribute[truthful]": "yes",
        **extra,
    }
    return client.post("/open311/v2/requests.json", data)  # form-encoded, like real clients


def test_discovery_lists_the_endpoint_in_both_formats(client, db):
    data = client.get("/open311/v2/discovery.json").json()
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert data["endpoints"][0]["url"].endswith("/open311/v2")
    xml = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/url").text == data["endpoints"][0]["url"]


def test_services_are_the_categories_and_validate(client, leaf, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/open311/v2/services.json")
    data = response.json()
    validate(data, "services.json")
    assert len(data) == Category.objects.filter(level=3).count()
    first = next(s for s in data if s["service_code"] == str(leaf.pk))
    assert first["group"] == leaf.full_name.split(" / ")[0] and first["metadata"] is True
    xml = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(data)
    node = next(s for s in xml.findall("service") if s.findtext("service_code") == str(leaf.pk))
    assert node.findtext("service_name") == first["service_name"] and node.findtext("metadata") == "true"


def test_a_service_definition_validates_and_matches_its_xml(client, leaf, org):
    data = client.get(f"/open311/v2/services/{leaf.pk}.json").json()
    validate(data, "service-definition.json")
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["petition_type", "title", "request", "territory", "accused", "truthful"]
    xml = ET.fromstring(client.get(f"/open311/v2/services/{leaf.pk}.xml").content)
    assert [a.findtext("code") for a in xml.findall("attributes/attribute")] == codes
    territory = xml.findall("attributes/attribute")[3]
    assert org.village.code in [v.findtext("key") for v in territory.findall("values/value")]


def test_an_unknown_service_is_a_404_in_the_error_format(client, db):
    response = client.get("/open311/v2/services/999999.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    xml = ET.fromstring(client.get("/open311/v2/services/999999.xml").content)
    assert xml.tag == "errors" and xml.findtext("error/code") == "404"


def test_a_request_posted_like_a_311_app_reads_back_by_token_and_by_id(client, api_key, leaf, org, clerk_li):
    response = post_like_a_311_app(client, api_key, leaf, org)
    assert response.status_code == 200, response.content
    created = response.json()[0]
    case = Case.objects.get(code=created["service_request_id"])
    assert case.channel == "api" and case.office == org.county_office and case.registered_by == clerk_li
    assert case.territory == org.village and case.request == "请尽快修好路灯"
    assert case.parties.get().petitioner.name == "刘群众"

    by_token = client.get(f"/open311/v2/tokens/{created['token']}.json").json()
    assert by_token == [{"service_request_id": case.code, "token": created["token"]}]

    public = client.get(f"/open311/v2/requests/{case.code}.json").json()
    validate(public, "requests.json")
    assert public[0]["status"] == "open" and public[0]["agency_responsible"] == "示范县信访局"
    assert public[0]["description"] is None  # the public sees no petition text

    own = client.get(f"/open311/v2/requests/{case.code}.json", headers={"X-Api-Key": api_key}).json()
    validate(own, "requests.json")
    assert own[0]["description"] == "村口路灯坏了三个月，晚上出行不便。"
    assert own[0]["lat"] == 28.19 and own[0]["long"] == 112.97

    xml = ET.fromstring(
        client.get(f"/open311/v2/requests/{case.code}.xml", headers={"X-Api-Key": api_key}).content
    )
    node = xml.find("request")
    for key in (
        "service_request_id",
        "status",
        "status_notes",
        "agency_responsible",
        "description",
        "requested_datetime",
    ):
        assert node.findtext(key) == own[0][key], key


def test_the_case_follows_the_workflow_into_status_notes_and_agency(
    client, api_key, leaf, org, clock, dispatcher_zhou, handler_wang_unit_a
):
    clock.set(date(2025, 3, 3))
    code = post_like_a_311_app(client, api_key, leaf, org).json()[0]["service_request_id"]
    case = Case.objects.get(code=code)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 3, 20))
    data = client.get(f"/open311/v2/requests/{code}.json").json()
    validate(data, "requests.json")
    assert data[0]["agency_responsible"] == org.unit_a.name
    assert data[0]["status_notes"] == f"办理中（{org.unit_a.name}）"
    assert data[0]["expected_datetime"].startswith("2025-05-02T17:00:00")
    wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="已修复",
        decision="support",
        legal_basis="条例",
        completion_report="已修",
    )
    data = client.get(f"/open311/v2/requests/{code}.json").json()
    validate(data, "requests.json")
    assert data[0]["status"] == "closed"


def test_requests_are_listed_with_the_standard_filters(
    client, api_key, leaf, org, clock, django_assert_max_num_queries
):
    clock.set(date(2025, 3, 3))
    first = post_like_a_311_app(client, api_key, leaf, org).json()[0]["service_request_id"]
    clock.set(date(2025, 3, 10))
    second = post_like_a_311_app(client, api_key, leaf, org).json()[0]["service_request_id"]
    with django_assert_max_num_queries(4):
        listed = client.get("/open311/v2/requests.json").json()
    validate(listed, "requests.json")
    assert [r["service_request_id"] for r in listed] == [second, first]
    assert [
        r["service_request_id"]
        for r in client.get("/open311/v2/requests.json", {"start_date": "2025-03-05T00:00:00+08:00"}).json()
    ] == [second]
    assert [
        r["service_request_id"]
        for r in client.get("/open311/v2/requests.json", {"end_date": "2025-03-05T00:00:00+08:00"}).json()
    ] == [first]
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert (
        len(client.get("/open311/v2/requests.json", {"status": "open", "service_code": str(leaf.pk)}).json())
        == 2
    )
    assert [
        r["service_request_id"]
        for r in client.get("/open311/v2/requests.json", {"service_request_id": f"{first},NOPE"}).json()
    ] == [first]
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400
    xml = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    assert [r.findtext("service_request_id") for r in xml.findall("request")] == [second, first]


def test_accusations_are_never_listed_for_others(client, api_key, leaf, org):
    code = post_like_a_311_app(
        client,
        api_key,
        leaf,
        org,
        **{"attribute[petition_type]": "accusation", "attribute[accused]": "某村干部"},
    ).json()[0]["service_request_id"]
    assert Case.objects.get(code=code).accused_person == "某村干部"
    assert client.get(f"/open311/v2/requests/{code}.json").status_code == 404
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{code}.json", headers={"X-Api-Key": api_key}).status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "999999"}, 400, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "位置"),
        ({"lat": "200"}, 400, "lat"),
        ({"description": ""}, 400, "description"),
        ({"attribute[truthful]": ""}, 400, "客观真实"),
        ({"first_name": "", "last_name": ""}, 400, "姓名"),
        ({"attribute[territory]": "000"}, 400, "行政区划"),
        ({"attribute[petition_type]": "x"}, 400, "petition_type"),
    ],
)
def test_bad_requests_get_a_clear_error_and_register_nothing(
    client, api_key, leaf, org, change, status, words
):
    response = post_like_a_311_app(client, api_key, leaf, org, **change)
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status and words in body[0]["description"]
    assert not Case.objects.exists()


def test_an_api_key_without_an_intake_role_is_refused(client, leaf, org, handler_wang_unit_a):
    _t, raw = token_issue(user=handler_wang_unit_a, name="x")
    response = post_like_a_311_app(client, raw, leaf, org)
    assert response.status_code == 403 and not Case.objects.exists()


def test_a_retry_with_the_same_idempotency_key_registers_once(client, api_key, leaf, org):
    first = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": str(leaf.pk),
            "address_string": "x",
            "description": "建议增设公交站",
            "attribute[petition_type]": "suggestion",
            "attribute[truthful]": "yes",
        },
        headers={"Idempotency-Key": "k1"},
    ).json()
    again = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": str(leaf.pk),
            "address_string": "x",
            "description": "建议增设公交站",
            "attribute[petition_type]": "suggestion",
            "attribute[truthful]": "yes",
        },
        headers={"Idempotency-Key": "k1"},
    ).json()
    assert first == again and Case.objects.count() == 1 == ServiceRequest.objects.count()


def test_an_unknown_token_or_id_is_a_404(client, db):
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    assert client.get("/open311/v2/requests/HY000000AAAAAA.xml").status_code == 404


def test_status_mapping_covers_every_status():
    from huiyin.open311.mapping import STATUS_NOTES

    assert set(STATUS_NOTES) == set(Status)


# --- the api_key travels in the body or a header, never in the URL (issue 9) ----------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_api_key_in_the_query_string_is_refused_with_400_and_not_logged(
    client, api_key, leaf, org, method, caplog
):
    # given an integration that puts its key in the URL (where proxies and access logs keep it)
    url = f"/open311/v2/requests.json?api_key={api_key}"
    body = {"service_code": str(leaf.pk), "description": "路灯坏了", "address_string": "柳林村"}
    # when it calls, then it is refused in the Open311 error shape, before the key is used
    response = getattr(client, method)(url, body) if method == "post" else client.get(url)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "查询串" in error["description"]
    assert api_key not in caplog.text and api_key not in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_an_api_key_in_the_query_string_of_a_request_lookup_is_refused(client, api_key):
    response = client.get(f"/open311/v2/requests/HY000.xml?api_key={api_key}")
    assert response.status_code == 400 and b"<error>" in response.content


def test_a_read_only_key_cannot_submit(client, leaf, org, clerk_li):
    _t, raw = token_issue(user=clerk_li, name="读", scope="read")
    response = post_like_a_311_app(client, raw, leaf, org)
    assert response.status_code == 403
