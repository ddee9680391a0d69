"""为民办实事: a citizen signed in by phone proposes; a leader lists it for the year with a budget and an
owner unit (it becomes that unit's public commitment) or declines it with a public reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.outreach import services
from huiyin.outreach.choices import ProposalState
from huiyin.outreach.models import ProjectProposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(org):
    from huiyin.org.models import User

    return User.objects.create_user(username="leader_liu", password="x", unit=org.county_gov, role="leader")


@pytest.fixture
def proposal(org, clock):
    clock.set(date(2025, 3, 3))
    return services.proposal_submit(
        contact="13800001234",
        title="修建柳林村便民桥",
        description="雨季河水上涨，学生上学绕行5公里",
        territory=org.village,
    )


def _selection(org, **kw):
    base = dict(
        owner=org.unit_a,
        year=2025,
        budget=Decimal("45.00"),
        measure="便民桥建成通行",
        due_on=date(2025, 10, 31),
        beneficiaries="柳林村群众",
    )
    return services.SelectionIn(**(base | kw))


def test_a_selected_proposal_becomes_the_owner_units_public_commitment(proposal, leader, org):
    commitment = services.proposal_select(proposal=proposal, data=_selection(org), actor=leader)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SELECTED and proposal.budget == Decimal("45.00")
    assert commitment.unit == org.unit_a and commitment.title == "为民办实事：修建柳林村便民桥"
    with pytest.raises(ValidationFailed):
        services.proposal_decline(proposal=proposal, reason="x", actor=leader)


def test_only_a_leader_decides_and_a_decline_needs_a_reason(proposal, head_sun_unit_a, leader, org):
    with pytest.raises(PermissionDenied):
        services.proposal_select(proposal=proposal, data=_selection(org), actor=head_sun_unit_a)
    with pytest.raises(ValidationFailed):
        services.proposal_decline(proposal=proposal, reason=" ", actor=leader)
    services.proposal_decline(proposal=proposal, reason="已纳入省道改造计划", actor=leader)
    assert ProjectProposal.objects.get().state == ProposalState.DECLINED


def test_a_proposal_needs_the_phone_sign_in_and_the_public_page_names_no_one(client, org, proposal):
    url = "/public/projects/"
    data = {"title": "增设路灯", "description": "村道夜间无照明", "territory": org.village.pk}
    assert client.post(url, data)["Location"] == "/public/account/"
    session = client.session
    session["portal_contact"] = "13900002222"
    session.save()
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "增设路灯" in page and "修建柳林村便民桥" in page
    assert "13900002222" not in page and "13800001234" not in page
