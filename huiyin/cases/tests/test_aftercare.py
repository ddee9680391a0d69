"""HD-10 (条例 §37¶2) and RP-2 (§36¶3, §37¶3): a petitioner in hardship is referred to social or judicial
assistance, with the organ and the outcome recorded; after finality the petitioner is followed up on a
date, without reopening the case."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.choices import ReferralOutcome, Status
from huiyin.cases.models import AssistanceReferral, FollowUp
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import aftercare
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

pytestmark = pytest.mark.django_db


def test_hd10_handler_refers_a_petitioner_in_hardship_to_social_assistance_and_records_the_outcome_cond_37_2(
    register_case, cast_all, org, handler_wang_unit_a, handler_zhao_unit_b, clock
):
    clock.set(date(2025, 12, 29))
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    # when 住建局's handler, working the case, refers the petitioner to 民政局 for social assistance
    referral = aftercare.referral_create(
        case=case,
        actor=handler_wang_unit_a,
        kind="social",
        organ=org.unit_b,
        reason="家中房屋漏水，独居老人，生活困难",
    )
    # then the referral names the organ, waits for its answer, and the case goes on as before
    assert (referral.organ_name, referral.outcome, referral.referred_on) == (
        "示范县民政局",
        ReferralOutcome.PENDING,
        date(2025, 12, 29),
    )
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert any("社会救助" in row["text"] and "示范县民政局" in row["text"] for row in citizen_timeline(case))
    # when the outcome arrives after the year end
    clock.set(date(2026, 1, 5))
    referral = aftercare.referral_outcome(referral=referral, actor=handler_wang_unit_a, outcome="granted")
    assert (referral.outcome, referral.outcome_on) == (ReferralOutcome.GRANTED, date(2026, 1, 5))
    assert case.events.filter(event_type="assistance_outcome").count() == 1
    # and an outcome is recorded once
    with pytest.raises(ValidationFailed):
        aftercare.referral_outcome(referral=referral, actor=handler_wang_unit_a, outcome="not_eligible")
    # a unit with no part in the case cannot refer (民政局 is the assistance organ, not a holder of the case)
    with pytest.raises(PermissionDenied):
        aftercare.referral_create(
            case=case, actor=handler_zhao_unit_b, kind="judicial", organ_name="县法院", reason="困难"
        )


def test_rp2_a_petitioner_whose_case_is_final_is_followed_up_on_a_date_without_reopening_cond_37_3_36_3(
    client, register_case, cast_all, clerk_li, clock
):
    # given a case that ended in a 复核 opinion on 30 December 2025 (final, §36¶3)
    clock.set(date(2025, 12, 30))
    case = drive_to(register_case(), Status.FINAL, cast_all)
    # when the office plans a follow-up for 5 January 2026 (counselling and help continue, §37¶3)
    follow = aftercare.followup_plan(
        case=case, actor=clerk_li, plan="上门回访，了解生活困难", due_on=date(2026, 1, 5)
    )
    case.refresh_from_db()
    assert case.status == Status.FINAL  # not reopened
    assert list(aftercare.followups_due(clerk_li)) == [follow]
    # then on 6 January, the date passed without a visit, the office's list shows it overdue
    clock.set(date(2026, 1, 6))
    client.force_login(clerk_li)
    listing = client.get(reverse("followups")).content.decode()
    assert case.code in listing and "已过计划日期" in listing
    # when it is done, it leaves the list, recorded with its date
    done = aftercare.followup_done(follow_up=follow, actor=clerk_li, note="已上门，协助申请临时救助")
    assert done.done_on == date(2026, 1, 6) and list(aftercare.followups_due(clerk_li)) == []
    assert Status(case.status) == Status.FINAL


def test_rp2_a_follow_up_waits_for_finality_cond_37_3(register_case, cast_all, clerk_li):
    case = drive_to(register_case(), Status.REPLIED, cast_all)
    with pytest.raises(ValidationFailed) as refused:
        aftercare.followup_plan(case=case, actor=clerk_li, plan="回访", due_on=date(2030, 1, 1))
    assert refused.value.message == aftercare.MSG_NOT_FINAL
    assert not FollowUp.objects.exists()


def test_rp2_a_litigation_matter_sent_to_the_legal_process_counts_as_ended_cond_37_3(
    register_case, dispatcher_zhou
):
    case = wf.case_divert(
        case=register_case(), actor=dispatcher_zhou, target="litigation", guidance="请向人民法院起诉"
    )
    assert aftercare.is_final(case)


def test_hd10_the_case_page_links_the_aftercare_page_where_the_handler_refers_cond_37_2(
    client, register_case, cast_all, org, handler_wang_unit_a
):
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    client.force_login(handler_wang_unit_a)
    assert (
        reverse("case_aftercare", args=[case.code])
        in client.get(reverse("case_detail", args=[case.code])).content.decode()
    )
    page = client.get(reverse("case_aftercare", args=[case.code]))
    assert page.status_code == 200 and 'data-testid="referral-form"' in page.content.decode()
    # an empty form comes back with the reason, nothing stored
    bad = client.post(reverse("case_aftercare", args=[case.code]), {"op": "refer", "kind": "social"})
    assert bad.status_code == 400 and not AssistanceReferral.objects.exists()
    ok = client.post(
        reverse("case_aftercare", args=[case.code]),
        {
            "op": "refer",
            "kind": "judicial",
            "organ": "",
            "organ_name": "示范县人民法院",
            "reason": "因案致贫",
        },
    )
    assert ok.status_code == 302 and AssistanceReferral.objects.get().organ_name == "示范县人民法院"
    assert client.post(reverse("case_aftercare", args=[case.code]), {"op": "bogus"}).status_code == 400


def test_the_follow_ups_export_to_xlsx_for_their_unit_only_cond_37_3(
    client, register_case, cast_all, clerk_li, handler_zhao_unit_b, clock
):
    """Every staff list exports to .xlsx (issue 11): the unit's open follow-ups, as the list shows them;
    another unit's staff get a file without them."""
    import io

    from openpyxl import load_workbook

    from huiyin.core.models import AuditEntry

    clock.set(date(2025, 12, 30))
    case = drive_to(register_case(), Status.FINAL, cast_all)
    aftercare.followup_plan(case=case, actor=clerk_li, plan="上门回访，了解生活困难", due_on=date(2026, 1, 5))
    clock.set(date(2026, 1, 6))

    def sheet():
        response = client.get(reverse("followups"), {"format": "xlsx"})
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        return [list(r) for r in load_workbook(io.BytesIO(data)).active.values]

    client.force_login(clerk_li)
    assert "format=xlsx" in client.get(reverse("followups")).content.decode()
    rows = sheet()
    assert rows[0] == ["计划日期", "提示", "事项编号", "标题", "跟进内容"]
    assert [r[1:] for r in rows[1:]] == [["已过计划日期", case.code, case.title, "上门回访，了解生活困难"]]
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=clerk_li).count() == 1
    client.force_login(handler_zhao_unit_b)
    assert sheet()[1:] == []
    assert client.get(reverse("followups"), {"format": "csv"}).status_code == 400


def test_a_long_follow_ups_export_is_an_export_job_of_its_user_only_cond_37_3(
    client, register_case, cast_all, clerk_li, handler_zhao_unit_b, clock, settings, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    import io

    from openpyxl import load_workbook

    from huiyin.cases import exports
    from huiyin.cases.models import ExportJob

    settings.HUIYIN_EXPORT_STREAM_ROWS = 0  # every list is "long": the worker writes it
    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2025, 12, 30))
    case = drive_to(register_case(), Status.FINAL, cast_all)
    aftercare.followup_plan(case=case, actor=clerk_li, plan="电话回访", due_on=date(2026, 1, 5))
    client.force_login(clerk_li)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get(reverse("followups"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and (job.kind, job.total_rows) == ("followups", 1)
    assert exports.job_run(job.pk) == ExportJob.State.DONE
    file = client.get(f"/exports/{job.pk}/file/")
    rows = [list(r) for r in load_workbook(io.BytesIO(b"".join(file.streaming_content))).active.values]
    assert [r[2:] for r in rows[1:]] == [[case.code, case.title, "电话回访"]]
    client.force_login(handler_zhao_unit_b)  # another unit: the job is not theirs
    assert client.get(f"/exports/{job.pk}/file/").status_code == 404
