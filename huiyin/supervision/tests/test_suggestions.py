"""SV-3 (条例 §40¶2–4): the petition office's suggestions to organs — 改进工作, 完善政策, 追究责任 — with the
organ's written feedback on adoption tracked against a date (2022 sets no limit; the profile's default
is the 30 days of 2005 §36¶2). Dates worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.choices import RuleKey, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.org.selectors import forget_rules
from huiyin.supervision import suggestions as svc
from huiyin.supervision.models import Suggestion

pytestmark = pytest.mark.django_db

TEXT = "住建局对楼道漏水类信访多次转办不落实，建议建立物业维修督促机制。"


def test_sv3_office_suggests_to_an_organ_which_answers_in_writing_within_30_days_cond_40_4(
    client, org, register_case, dispatcher_zhou, head_sun_unit_a, handler_wang_unit_a, clock
):
    # given the county office makes an improvement suggestion to 住建局 on 15 December 2025
    clock.set(date(2025, 12, 15))
    case = register_case()
    made = svc.suggestion_issue(
        actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_work", content=TEXT, case=case
    )
    # then written feedback is due 30 days later, over the year end: 15 Dec + 16 = 31 Dec, + 14 = 14 Jan 2026
    assert made.due_on == date(2026, 1, 14)
    assert "第四十条第四款" in made.article
    assert case.events.filter(event_type="suggestion_issued").count() == 1
    # and both sides list it
    assert (
        list(svc.suggestions_for(dispatcher_zhou)) == [made] == list(svc.suggestions_for(handler_wang_unit_a))
    )
    # when on 15 January nothing has come back, it is overdue, on the list and counted
    clock.set(date(2026, 1, 15))
    assert list(svc.overdue(svc.suggestions_for(dispatcher_zhou))) == [made]
    client.force_login(dispatcher_zhou)
    page = client.get(reverse("supervision_suggestions") + "?show=overdue").content.decode()
    assert TEXT in page and "逾期未反馈 1" in page
    # when 住建局's head answers that it partly adopted it
    svc.suggestion_feedback(
        suggestion=made, actor=head_sun_unit_a, adoption="partly", feedback="已建立月度督促机制"
    )
    made.refresh_from_db()
    assert (made.adoption, made.feedback_on) == ("partly", date(2026, 1, 15))
    # then it is no longer overdue and the count for the annual report (§41(三)) shows it
    assert not svc.overdue(svc.suggestions_for(dispatcher_zhou)).exists()
    assert svc.adoption_counts(svc.suggestions_for(dispatcher_zhou)) == {
        "adopted": 0,
        "partly": 1,
        "not_adopted": 0,
        "unanswered": 0,
    }
    # and it cannot be answered twice
    with pytest.raises(ValidationFailed):
        svc.suggestion_feedback(suggestion=made, actor=head_sun_unit_a, adoption="adopted", feedback="再次")


def test_sv3_a_refusal_states_its_reasons_and_only_the_recipient_answers_cond_40_4(
    org, dispatcher_zhou, head_sun_unit_a, handler_zhao_unit_b
):
    made = svc.suggestion_issue(
        actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_policy", content=TEXT
    )
    with pytest.raises(PermissionDenied):
        svc.suggestion_feedback(suggestion=made, actor=handler_zhao_unit_b, adoption="adopted", feedback="好")
    with pytest.raises(ValidationFailed) as refused:
        svc.suggestion_feedback(suggestion=made, actor=head_sun_unit_a, adoption="not_adopted", feedback=" ")
    assert refused.value.message == "不予采纳的须说明理由"
    made.refresh_from_db()
    assert made.feedback_on is None


def test_sv3_only_the_petition_office_makes_suggestions_cond_40(org, handler_wang_unit_a, dispatcher_zhou):
    with pytest.raises(PermissionDenied):
        svc.suggestion_issue(actor=handler_wang_unit_a, to_unit=org.unit_b, kind="improve_work", content=TEXT)
    # nor to an organ outside its jurisdiction (the city government is above the county)
    with pytest.raises(ValidationFailed):
        svc.suggestion_issue(actor=dispatcher_zhou, to_unit=org.city_gov, kind="accountability", content=TEXT)
    assert not Suggestion.objects.exists()


def test_sv3_the_feedback_days_come_from_the_profile_over_a_tiaoxiu_weekend_cond_40_4(
    org, dispatcher_zhou, clock
):
    # given the province sets 10 working days for the feedback
    profile = RuleProfile.objects.create(code="t10-province", name="示范省", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile,
        key=RuleKey.SUGGESTION_FEEDBACK_DAYS,
        value=10,
        unit=ValueUnit.WORKING_DAY,
        article="示范省条例",
    )
    org.province.rule_profile = profile
    org.province.save()
    forget_rules()
    # when a suggestion is made on Thursday 25 September 2025
    clock.set(date(2025, 9, 25))
    made = svc.suggestion_issue(actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_work", content=TEXT)
    # then 10 working days: Fri 26 Sep (1), Sun 28 Sep 调休 (2), Mon 29 (3), Tue 30 (4), 1–8 Oct holidays,
    # Thu 9 Oct (5), Fri 10 (6), Sat 11 Oct 调休 (7), Mon 13 (8), Tue 14 (9), Wed 15 Oct (10)
    assert (made.due_on, made.article) == (date(2025, 10, 15), "示范省条例")


def test_sv3_the_office_issues_and_the_organ_answers_on_the_page_cond_40_4(
    client, org, dispatcher_zhou, head_sun_unit_a
):
    client.force_login(dispatcher_zhou)
    assert 'data-testid="issue-form"' in client.get(reverse("supervision_suggestions")).content.decode()
    bad = client.post(reverse("supervision_suggestions"), {"kind": "improve_work", "to_unit": org.unit_a.pk})
    assert bad.status_code == 400 and not Suggestion.objects.exists()
    ok = client.post(
        reverse("supervision_suggestions"),
        {"kind": "improve_work", "to_unit": org.unit_a.pk, "content": TEXT},
    )
    assert ok.status_code == 302
    made = Suggestion.objects.get()
    client.force_login(head_sun_unit_a)
    page = client.get(reverse("supervision_suggestions")).content.decode()
    assert 'data-testid="feedback-form"' in page and 'data-testid="issue-form"' not in page
    url = reverse("supervision_suggestion_feedback", args=[made.pk])
    assert client.post(url, {"adoption": "adopted"}).status_code == 400
    assert client.post(url, {"adoption": "adopted", "feedback": "已采纳"}).status_code == 302
    made.refresh_from_db()
    assert made.adoption == "adopted"
    # someone else's suggestion is missing, not forbidden
    client.force_login(dispatcher_zhou)
    other = reverse("supervision_suggestion_feedback", args=[made.pk + 1])
    assert client.post(other, {"adoption": "adopted", "feedback": "x"}).status_code == 404


def test_sv3_a_suggestion_about_an_accusation_never_reaches_the_accused_side_cond_40_30_3(
    org, register_case, dispatcher_zhou
):
    accusation = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局")
    with pytest.raises(ValidationFailed) as refused:
        svc.suggestion_issue(
            actor=dispatcher_zhou, to_unit=org.unit_a, kind="accountability", content=TEXT, case=accusation
        )
    assert refused.value.message == svc.MSG_ACCUSED
    assert not Suggestion.objects.exists()


def test_sv3_the_organ_is_told_when_a_suggestion_about_a_case_is_due_cond_40_4(
    org, register_case, dispatcher_zhou, head_sun_unit_a, clock
):
    from huiyin.notify.models import StaffNotice
    from huiyin.notify.outbox import outbox_drain

    clock.set(date(2025, 12, 15))
    svc.suggestion_issue(
        actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_work", content=TEXT, case=register_case()
    )
    outbox_drain()
    notice = StaffNotice.objects.get(user=head_sun_unit_a, kind="suggestion_issued")
    assert "2026-01-14" in notice.text


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    return [list(r) for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values]


def test_sv3_the_suggestions_export_to_xlsx_as_the_page_filters_them_cond_40_4(
    client, org, register_case, dispatcher_zhou, head_sun_unit_a, handler_zhao_unit_b, clock
):
    """Every staff list exports to .xlsx (issue 11): the unit's suggestions with ?show= applied, audited;
    another unit's staff get a file without them; a format other than xlsx is a 400."""
    from huiyin.core.models import AuditEntry

    clock.set(date(2025, 12, 15))
    case = register_case()
    late = svc.suggestion_issue(
        actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_work", content=TEXT, case=case
    )
    answered = svc.suggestion_issue(
        actor=dispatcher_zhou, to_unit=org.unit_a, kind="improve_policy", content="完善政策"
    )
    svc.suggestion_feedback(suggestion=answered, actor=head_sun_unit_a, adoption="adopted", feedback="已采纳")
    clock.set(date(2026, 2, 2))  # past the 30 days of late's feedback (due 2026-01-14)
    url = reverse("supervision_suggestions")

    client.force_login(head_sun_unit_a)
    assert "format=xlsx&amp;show=overdue" in client.get(url, {"show": "overdue"}).content.decode()
    everything = _sheet(client.get(url, {"format": "xlsx"}))
    assert everything[0][:4] == ["建议类别", "提出单位", "提出对象", "相关事项编号"]
    assert [(r[3], r[7], r[8]) for r in everything[1:]] == [
        (case.code, "逾期未反馈", None),
        (None, None, "采纳"),
    ]
    overdue = _sheet(client.get(url, {"format": "xlsx", "show": "overdue"}))
    assert [r[5] for r in overdue[1:]] == [late.content]
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=head_sun_unit_a).count() == 2

    client.force_login(handler_zhao_unit_b)  # neither made nor received them
    assert _sheet(client.get(url, {"format": "xlsx"}))[1:] == []
    assert client.get(url, {"format": "csv"}).status_code == 400
