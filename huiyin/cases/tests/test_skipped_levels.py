"""JU-3 (条例 §20¶1, ¶4): a visit made above the competent level is registered like any other — never
refused (the national texts have no "越级即不予受理", JU-4) — with the guidance given toward the competent
level; the case page shows it and it can be counted."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.choices import Status
from huiyin.cases.selectors import skipped_level_visits
from huiyin.cases.services import MSG_LEVELS_GUIDANCE, MSG_LEVELS_VISIT, CaseIn, PetitionerIn
from huiyin.cases.tests.test_views_intake import intake_data
from huiyin.core.errors import ValidationFailed
from huiyin.intake.services import case_register
from huiyin.org.models import User
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.models import Clock

pytestmark = pytest.mark.django_db

GUIDANCE = "已告知信访人本事项由东城镇人民政府负责处理，请先向东城镇反映；同时登记本件并转交办理。"


@pytest.fixture
def city_clerk(org):
    return User.objects.create_user(
        username="city_clerk", password="x", full_name="市窗口", unit=org.city_office, role="clerk"
    )


def _visit(org, **overrides) -> CaseIn:
    return CaseIn(
        channel=overrides.pop("channel", "visit"),
        petition_type="complaint",
        title="村道损坏",
        content="柳林村村道损坏半年无人修。",
        petitioners=[PetitionerIn(name="刘群众", id_number="11010519491231002X", phone="13800001234")],
        **overrides,
    )


def test_ju3_a_visit_to_the_city_about_a_township_matter_is_registered_with_guidance_cond_20_1_20_4(
    org, city_clerk, clock
):
    # given a person visits the city office on 31 December 2025 about a matter of 东城镇 (a township:
    # two levels below the city, so not "the same level or one above")
    clock.set(date(2025, 12, 31))
    data = _visit(org, competent_unit_id=org.township_gov.pk)
    # when the clerk records no guidance, the record is incomplete — the visit itself is not refused
    with pytest.raises(ValidationFailed) as incomplete:
        case_register(data=data, office=org.city_office, actor=city_clerk)
    assert incomplete.value.message == MSG_LEVELS_GUIDANCE
    # when the guidance is recorded
    data.level_guidance = GUIDANCE
    case, created = case_register(data=data, office=org.city_office, actor=city_clerk)
    # then it is registered as any visit, flagged by the level gap, with its guidance and competent unit
    assert created and case.status == Status.REGISTERED
    assert (case.skipped_levels, case.competent_unit, case.level_guidance) == (
        True,
        org.township_gov,
        GUIDANCE,
    )
    # and its clocks run as for any petition: the notice within 15 days, 31 Dec 2025 + 15 = 15 Jan 2026
    assert Clock.objects.get(case=case, kind=ClockKind.NOTICE).due_on == date(2026, 1, 15)
    assert case.events.get(event_type="register").data["skipped_levels"] is True
    # and it is counted in the city's statistics
    assert skipped_level_visits(city_clerk) == 1
    assert skipped_level_visits(city_clerk, since=date(2026, 1, 1)) == 0


def test_ju3_a_visit_one_level_above_is_not_skipping_levels_cond_20_1(org, clerk_li):
    # the county office about a township matter: one level above, as §20¶1 allows
    case, _ = case_register(
        data=_visit(org, competent_unit_id=org.township_gov.pk), office=org.county_office, actor=clerk_li
    )
    assert case.skipped_levels is False and skipped_level_visits(clerk_li) == 0


def test_ju3_only_a_visit_can_skip_levels_cond_20_1(org, clerk_li):
    with pytest.raises(ValidationFailed) as refused:
        case_register(
            data=_visit(org, channel="letter", skipped_levels=True, level_guidance=GUIDANCE),
            office=org.county_office,
            actor=clerk_li,
        )
    assert refused.value.message == MSG_LEVELS_VISIT


def test_ju3_the_window_records_it_and_the_case_page_shows_it_cond_20_4(client, org, clerk_li):
    client.force_login(clerk_li)
    form = client.get(reverse("case_new")).content.decode()
    assert 'name="skipped_levels"' in form and 'name="level_guidance"' in form
    response = client.post(reverse("case_new"), intake_data(skipped_levels="on", level_guidance=GUIDANCE))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="skipped-levels"' in page and GUIDANCE in page
    # a flagged visit without guidance comes back with the reason on the field, nothing registered
    again = client.post(reverse("case_new"), intake_data(skipped_levels="on"))
    assert again.status_code == 400 and MSG_LEVELS_GUIDANCE in again.content.decode()
