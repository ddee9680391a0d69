"""Open311 names and notes (issue 10 item 9, item 8): a service has one unique name, the same in
`services` and `requests`; a request closed without an answer says why in `status_notes`; the
figures in its texts come from the case's rule profile."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from huiyin.cases.models import Case, Category
from huiyin.open311.tests.test_georeport import (
    REGISTRY,
    SCHEMAS,
    api_key,
    leaf,
    post_like_a_311_app,
    validate,
)
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.workflow import services as wf

__all__ = ["api_key", "leaf"]  # fixtures shared with test_georeport

pytestmark = pytest.mark.skipif(REGISTRY is None, reason=f"{SCHEMAS} is missing")


def test_every_service_name_is_unique(client, db):
    services = client.get("/open311/v2/services.json").json()
    repeated = [name for name, n in Counter(s["service_name"] for s in services).items() if n > 1]
    assert repeated == []
    assert len(services) == Category.objects.filter(level=3).count()


def test_a_request_carries_the_same_service_name_as_its_service(client, api_key, org, db):
    # "其他" is a third level under many second levels: the name must still say which one
    other = Category.objects.filter(level=3, full_name__endswith=" / 其他").order_by("full_name").last()
    code = post_like_a_311_app(client, api_key, other, org).json()[0]["service_request_id"]
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").json()}
    request = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert request["service_name"] == services[str(other.pk)]["service_name"] == other.full_name


def test_a_not_accepted_request_gives_the_reason_in_its_status_notes_rg4(
    client, api_key, leaf, org, clock, dispatcher_zhou
):
    # 条例 §23¶2: the petitioner is told in writing why a matter is not accepted
    clock.set(date(2025, 3, 3))
    code = post_like_a_311_app(client, api_key, leaf, org).json()[0]["service_request_id"]
    wf.case_not_accept(
        case=Case.objects.get(code=code),
        actor=dispatcher_zhou,
        reason_code="legal_channel",
        reason="属劳动争议，请向县劳动人事争议仲裁委员会申请仲裁",
    )
    public = client.get(f"/open311/v2/requests/{code}.json").json()
    validate(public, "requests.json")
    assert public[0]["status"] == "closed"
    assert public[0]["status_notes"] == "不予受理：应通过法定途径解决"  # the public sees the reason's kind
    own = client.get(f"/open311/v2/requests/{code}.json", headers={"X-Api-Key": api_key}).json()
    assert own[0]["status_notes"] == (
        "不予受理：应通过法定途径解决。属劳动争议，请向县劳动人事争议仲裁委员会申请仲裁"
    )


def test_open311_texts_name_the_figures_of_the_cases_profile(client, api_key, leaf, org):
    profile = RuleProfile.objects.create(code="odd", name="测试省", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile, key="notice_days", value=12, unit="calendar_day", article="测试"
    )
    RuleValue.objects.create(
        profile=profile, key="handling_days", value=45, unit="calendar_day", article="测试"
    )
    org.county.rule_profile = profile
    org.county.save()
    posted = post_like_a_311_app(client, api_key, leaf, org).json()[0]
    assert "12日内告知是否受理" in posted["service_notice"]
    request = client.get(f"/open311/v2/requests/{posted['service_request_id']}.json").json()[0]
    assert request["status_notes"] == "已登记，信访部门将在12日内告知是否受理"
    assert "12日内告知" in request["service_notice"] and "45日内办结" in request["service_notice"]
    assert "15日" not in str(request) + str(posted) and "60日" not in str(request)
