"""Registration from any channel: validation, collective visits, idempotency, immutability."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huiyin.cases.models import Case, CaseEvent, Petitioner, Submission
from huiyin.cases.services import CaseIn, PetitionerIn, validate_id_number
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.models import Clock

VALID_IDS = ["11010519491231002X", "320102198512310029", "110101199003071233"]


def _people(n, reps):
    return [
        PetitionerIn(name=f"代表{i}", id_number="", phone=f"1390000{i:04d}", is_representative=i < reps)
        for i in range(n)
    ]


def _collective(n_people, reps, headcount=30):
    return CaseIn(
        channel="visit",
        petition_type="complaint",
        title="拖欠工资",
        content="某工地拖欠60名工人工资",
        is_collective=True,
        headcount=headcount,
        petitioners=_people(n_people, reps),
    )


@pytest.mark.parametrize("id_number", VALID_IDS)
def test_valid_citizen_id_numbers_pass_the_gb11643_checksum(id_number):
    assert validate_id_number("person", id_number.lower()) == id_number


@pytest.mark.parametrize("id_number", ["110105194912310021", "11010519491331002X", "1234"])
def test_invalid_citizen_id_numbers_are_refused_with_a_clear_message(id_number):
    with pytest.raises(ValidationFailed, match="居民身份证号码"):
        validate_id_number("person", id_number)


def test_an_organisation_needs_a_valid_unified_social_credit_code():
    assert validate_id_number("organisation", "91110000802100433B") == "91110000802100433B"
    with pytest.raises(ValidationFailed, match="统一社会信用代码"):
        validate_id_number("organisation", "91110000802100433C")


def test_a_collective_visit_with_six_representatives_is_refused_and_nothing_is_written(org, clerk_li):
    with pytest.raises(ValidationFailed, match="不得超过5人") as refused:
        case_register(data=_collective(6, 6), office=org.county_office, actor=clerk_li)
    assert "representatives" in refused.value.extra["fields"]
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0


def test_a_collective_visit_with_five_representatives_is_registered_with_its_headcount(org, clerk_li):
    case, created = case_register(data=_collective(6, 5), office=org.county_office, actor=clerk_li)
    assert created and case.is_collective and case.headcount == 30
    assert case.parties.filter(is_representative=True).count() == 5
    assert case.parties.count() == 6


def test_a_province_profile_can_lower_the_representative_limit(org, clerk_li):
    from huiyin.org.models import RuleProfile, RuleValue

    zhejiang = RuleProfile.objects.create(code="zj", name="浙江", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=zhejiang,
        key="max_representatives",
        value=3,
        unit="count",
        article="《浙江省信访条例》第十五条",
    )
    org.county.rule_profile = zhejiang
    org.county.save()
    with pytest.raises(ValidationFailed, match="不得超过3人"):
        case_register(data=_collective(4, 4), office=org.county_office, actor=clerk_li)


def test_a_retried_submission_with_the_same_key_does_not_create_a_second_case(org, clerk_li):
    data = CaseIn(
        channel="online",
        petition_type="suggestion",
        title="建议增设公交线路",
        content="……",
        petitioners=[PetitionerIn(name="张三")],
    )
    first, created_first = case_register(
        data=data, office=org.county_office, actor=clerk_li, idempotency_key="k-1"
    )
    again, created_again = case_register(
        data=data, office=org.county_office, actor=clerk_li, idempotency_key="k-1"
    )
    assert (created_first, created_again) == (True, False)
    assert first.pk == again.pk and Case.objects.count() == 1


def test_an_accusation_must_name_the_accused(org, clerk_li):
    data = CaseIn(
        channel="letter",
        petition_type="accusation",
        title="反映某干部",
        content="……",
        petitioners=[PetitionerIn(name="匿名者")],
    )
    with pytest.raises(ValidationFailed, match="被反映人"):
        case_register(data=data, office=org.county_office, actor=clerk_li)


def test_registration_keeps_an_immutable_original_and_starts_the_clocks(org, clerk_li):
    data = CaseIn(
        channel="letter",
        petition_type="complaint",
        title="噪音扰民",
        content="夜间施工",
        petitioners=[PetitionerIn(name="王五", id_number=VALID_IDS[1])],
    )
    case, _ = case_register(
        data=data,
        office=org.county_office,
        actor=clerk_li,
        attachments=[SimpleUploadedFile("信.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
    )
    original = Submission.objects.get(case=case)
    assert original.payload["data"]["content"] == "夜间施工" and len(original.sha256) == 64
    with pytest.raises(ValueError, match="append-only"):
        original.save()
    with pytest.raises(ValueError, match="append-only"):
        original.delete()
    assert case.attachments.get().size == len(b"%PDF-1.4 test")
    assert set(Clock.objects.filter(case=case).values_list("kind", flat=True)) == {
        ClockKind.ROUTING,
        ClockKind.NOTICE,
    }
    assert CaseEvent.objects.get(case=case).event_type == "register"
    assert case.code.startswith("HY") and len(case.code) == 14


def test_an_executable_attachment_is_refused(org, clerk_li):
    data = CaseIn(
        channel="letter",
        petition_type="complaint",
        title="t",
        content="c",
        petitioners=[PetitionerIn(name="王五")],
    )
    with pytest.raises(ValidationFailed, match="类型"):
        case_register(
            data=data,
            office=org.county_office,
            actor=clerk_li,
            attachments=[SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")],
        )
    assert Case.objects.count() == 0


def test_the_same_person_is_recognised_by_id_number_across_cases(org, clerk_li):
    for title in ("第一次", "第二次"):
        case_register(
            data=CaseIn(
                channel="visit",
                petition_type="complaint",
                title=title,
                content="c",
                petitioners=[PetitionerIn(name="刘群众", id_number=VALID_IDS[0])],
            ),
            office=org.county_office,
            actor=clerk_li,
        )
    assert Petitioner.objects.filter(id_number=VALID_IDS[0]).count() == 1


def test_a_handler_cannot_register_and_a_unit_that_is_not_a_petition_office_cannot_own_a_case(
    org, clerk_li, handler_wang_unit_a
):
    data = CaseIn(
        channel="visit",
        petition_type="complaint",
        title="t",
        content="c",
        petitioners=[PetitionerIn(name="甲")],
    )
    with pytest.raises(PermissionDenied):
        case_register(data=data, office=org.county_office, actor=handler_wang_unit_a)
    with pytest.raises(ValidationFailed, match="信访部门"):
        case_register(data=data, office=org.unit_a, actor=clerk_li)


def test_nameless_registration_needs_the_identity_unclear_flag(org, clerk_li):
    data = CaseIn(channel="letter", petition_type="suggestion", title="t", content="c")
    with pytest.raises(ValidationFailed, match="姓名或住址不清"):
        case_register(data=data, office=org.county_office, actor=clerk_li)
    data.identity_unclear = True
    case, _ = case_register(data=data, office=org.county_office, actor=clerk_li)
    assert case.identity_unclear


def _zhejiang(org):
    from huiyin.org.models import RuleProfile

    org.county.rule_profile = RuleProfile.objects.get(code="zhejiang")
    org.county.save()


def test_zhejiang_allows_three_representatives_for_a_group_of_ten_and_five_for_a_larger_one(org, clerk_li):
    _zhejiang(org)
    with pytest.raises(ValidationFailed, match="不得超过3人（《浙江省信访条例》第十五条）"):
        case_register(data=_collective(4, 4, headcount=10), office=org.county_office, actor=clerk_li)
    case, _ = case_register(data=_collective(5, 5, headcount=11), office=org.county_office, actor=clerk_li)
    assert case.parties.filter(is_representative=True).count() == 5


def test_switching_a_county_to_another_profile_changes_new_cases_only(org, clerk_li, dispatcher_zhou, clock):
    from datetime import date

    from huiyin.workflow import services as wf

    # given a case registered under the national rules (15 calendar days to route)
    clock.set(date(2025, 3, 3))
    old, _ = case_register(data=_collective(2, 1, headcount=2), office=org.county_office, actor=clerk_li)
    # when the county switches to the Zhejiang profile (5 working days to route)
    _zhejiang(org)
    new, _ = case_register(data=_collective(2, 1, headcount=2), office=org.county_office, actor=clerk_li)
    # then the old case keeps its clock and its rules, the new one gets the new ones
    routing = {c.pk: Clock.objects.get(case=c, kind=ClockKind.ROUTING) for c in (old, new)}
    assert routing[old.pk].due_on == date(2025, 3, 18)
    assert (routing[new.pk].due_on, routing[new.pk].rule_unit) == (date(2025, 3, 10), "working_day")
    old = wf.case_transfer(case=old, actor=dispatcher_zhou, to_office=org.city_office, reason="属市级")
    assert Clock.objects.filter(case=old, kind=ClockKind.ROUTING).latest("id").rule_days == 15
