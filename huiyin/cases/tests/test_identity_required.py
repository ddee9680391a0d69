"""SPEC §3.9: a 申诉求决 or 检举控告 submitted by the person themself says who they are — enforced by
case_register itself, so a new interface cannot forget it; at a window or from a letter the office may
still register an unclear identity (条例 §23¶2, CH-3)."""

from __future__ import annotations

import pytest

from huiyin.cases.choices import MSG_IDENTITY_REQUIRED
from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core.errors import ValidationFailed
from huiyin.intake.services import case_register


def _case(**kw):
    base = dict(channel="online", petition_type="complaint", title="拖欠工资", content="公司拖欠三个月工资。")
    return CaseIn(**{**base, **kw})


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["complaint", "accusation"])
@pytest.mark.parametrize("channel", ["online", "api"])
def test_a_self_submitted_complaint_or_accusation_without_a_reachable_name_is_refused(org, kind, channel):
    extra = {"accused_person": "某科长"} if kind == "accusation" else {}
    for people in ([], [PetitionerIn(name="张三")]):  # nobody; a name without phone or e-mail
        with pytest.raises(ValidationFailed) as refused:
            case_register(
                data=_case(
                    channel=channel,
                    petition_type=kind,
                    identity_unclear=not people,
                    petitioners=people,
                    **extra,
                ),
                office=org.county_office,
                actor=None,
            )
        assert refused.value.extra["fields"]["petitioners"] == MSG_IDENTITY_REQUIRED
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_name_with_a_phone_or_an_email_is_enough(org):
    with_phone = _case(petitioners=[PetitionerIn(name="张三", phone="13800001111")])
    with_email = _case(channel="api", petitioners=[PetitionerIn(name="李四")], contact_email="li@example.cn")
    assert case_register(data=with_phone, office=org.county_office, actor=None)[1]
    assert case_register(data=with_email, office=org.county_office, actor=None)[1]


@pytest.mark.django_db
def test_a_suggestion_may_come_without_a_name(org):
    data = _case(petition_type="suggestion", identity_unclear=True, petitioners=[])
    assert case_register(data=data, office=org.county_office, actor=None)[1]


@pytest.mark.django_db
def test_a_letter_with_an_unclear_identity_is_still_registered_at_the_office(org, clerk_li):
    # 条例 §23¶2: no written notice is owed then, but the matter is registered (CH-3)
    data = _case(channel="letter", identity_unclear=True, petitioners=[])
    case, created = case_register(data=data, office=org.county_office, actor=clerk_li)
    assert created and case.identity_unclear
