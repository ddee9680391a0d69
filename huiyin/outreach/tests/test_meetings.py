"""民情恳谈会: a meeting with its issues; each answered on the spot, registered as a case (with consent)
at the township office, or answered with a public promise; the minutes as .docx."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from huiyin.cases.choices import Channel
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.outreach import documents, services
from huiyin.outreach.choices import IssueOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(org, grid_ma, clock):
    clock.set(date(2025, 3, 3))
    return services.meeting_create(
        data=services.MeetingIn(
            kind="talk",
            title="春耕用水恳谈",
            held_on=date(2025, 3, 3),
            place="柳林村村部",
            territory=org.village,
            attendees="村民代表12人",
            issues=["灌溉渠堵塞", "低保评定未公示", "希望修路"],
        ),
        actor=grid_ma,
    )


def test_each_issue_is_answered_registered_or_promised_and_the_minutes_say_so(
    meeting, grid_ma, township_office, head_sun_unit_a, org
):
    answered, registered, promised = meeting.issues.all()
    services.meeting_issue_answer(issue=answered, answer="镇水利站本周清淤", actor=grid_ma)
    case = services.meeting_issue_to_case(
        issue=registered,
        data=services.CaseFromProblemIn(
            title="低保评定未公示",
            request="请公示",
            person_name="王大姐",
            consent_given=True,
            consent_note="会上当面同意",
        ),
        actor=grid_ma,
    )
    assert case.channel == Channel.FOUND and case.office == township_office
    promise = services.meeting_issue_to_commitment(
        issue=promised,
        data=services.CommitmentIn("修复村道", "柳林村村民", "村道修复通车", date(2025, 6, 30), org.village),
        actor=head_sun_unit_a,
    )
    outcomes = [i.outcome for i in meeting.issues.all()]
    assert outcomes == [IssueOutcome.ANSWERED, IssueOutcome.CASE, IssueOutcome.COMMITMENT]
    text = "\n".join(p.text for p in Document(io.BytesIO(documents.minutes_docx(meeting))).paragraphs)
    assert "当场答复：镇水利站本周清淤" in text
    assert case.code in text and promise.title in text and "村民代表12人" in text
    # an issue already handled is not handled twice
    with pytest.raises(ValidationFailed):
        services.meeting_issue_answer(issue=promised, answer="x", actor=grid_ma)


def test_no_case_without_consent_and_only_heads_promise(meeting, grid_ma, org):
    issue = meeting.issues.first()
    with pytest.raises(ValidationFailed):
        services.meeting_issue_to_case(
            issue=issue,
            data=services.CaseFromProblemIn(title="t", request="", person_name="王", consent_note=""),
            actor=grid_ma,
        )
    with pytest.raises(PermissionDenied):
        services.meeting_issue_to_commitment(
            issue=issue,
            data=services.CommitmentIn("t", "b", "m", date(2025, 6, 30), org.village),
            actor=grid_ma,
        )
    issue.refresh_from_db()
    assert issue.outcome == IssueOutcome.OPEN


def test_the_minutes_download_as_docx(client, meeting, grid_ma):
    client.force_login(grid_ma)
    response = client.get(f"/outreach/meetings/{meeting.pk}/minutes.docx")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "春耕用水恳谈" in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_a_meeting_form_without_attendees_is_a_400(client, grid_ma, org, clock):
    clock.set(date(2025, 3, 3))
    client.force_login(grid_ma)
    response = client.post(
        "/outreach/meetings/",
        {"kind": "talk", "title": "t", "held_on": "2025-03-03", "place": "p", "territory": org.village.pk},
    )
    assert response.status_code == 400
