"""属地管理、分级负责 (条例 §5(三), §22¶1(二)): the jurisdiction check lives in the routing service, so
the HTML form, the JSON API and any other caller are refused alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.choices import Status
from huiyin.core.errors import ValidationFailed
from huiyin.workflow import services as wf

DEADLINE = date(2027, 1, 29)


@pytest.fixture
def accepted(register_case, dispatcher_zhou):
    return wf.case_accept(case=register_case(), actor=dispatcher_zhou)


@pytest.mark.django_db
def test_a_county_office_cannot_assign_to_the_city_government_through_the_service_cond_22_1_2(
    accepted, dispatcher_zhou, org
):
    with pytest.raises(ValidationFailed, match="不在本单位的管辖范围内"):
        wf.case_assign(
            case=accepted, actor=dispatcher_zhou, unit=org.city_gov, instructions="请办理", deadline=DEADLINE
        )
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and accepted.handling_unit_id is None


@pytest.mark.django_db
def test_nor_forward_to_a_city_unit_or_name_it_as_a_co_unit(accepted, dispatcher_zhou, org):
    with pytest.raises(ValidationFailed, match="不在本单位的管辖范围内"):
        wf.case_forward(case=accepted, actor=dispatcher_zhou, unit=org.city_office)
    with pytest.raises(ValidationFailed, match="不在本单位的管辖范围内"):
        wf.case_assign(
            case=accepted,
            actor=dispatcher_zhou,
            unit=org.unit_a,
            co_units=[org.city_gov],
            instructions="请办理",
            deadline=DEADLINE,
        )


@pytest.mark.django_db
def test_the_html_form_gets_the_same_refusal_as_a_400(accepted, dispatcher_zhou, org, client):
    client.force_login(dispatcher_zhou)
    url = reverse("case_action", args=[accepted.code, "assign"])
    response = client.post(
        url, {"unit": org.city_gov.pk, "instructions": "请办理", "deadline": DEADLINE.isoformat()}
    )
    assert response.status_code == 400
    assert "不在本单位的管辖范围内" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


@pytest.mark.django_db
def test_a_unit_of_its_own_county_is_fine(accepted, dispatcher_zhou, org):
    case = wf.case_assign(
        case=accepted, actor=dispatcher_zhou, unit=org.unit_a, instructions="请办理", deadline=DEADLINE
    )
    assert case.status == Status.IN_HANDLING and case.handling_unit_id == org.unit_a.pk
