"""Objects the permission sweep (tests/test_permission_sweep.py) needs for outreach's routes: a diary
entry with one problem, a commitment and a meeting with one issue, in the suite's org, visible to any county staff member."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def sweep_objects(org, author) -> dict[str, int]:
    from huiyin.outreach.models import (
        Commitment,
        Consultation,
        ConsultationComment,
        DiaryEntry,
        LiaisonPoint,
        Meeting,
        MeetingIssue,
        Problem,
        ProjectProposal,
    )

    point = LiaisonPoint.objects.create(kind="village", name="柳林村", territory=org.village)
    entry = DiaryEntry.objects.create(
        author=author,
        point=point,
        visited_on=date(2025, 3, 3),
        place="柳林村",
        people_met="某户",
        heard="情况",
        created_at=timezone.now(),
    )
    problem = Problem.objects.create(entry=entry, text="问题")
    commitment = Commitment.objects.create(
        unit=org.unit_a,
        territory=org.county,
        title="承诺",
        beneficiaries="群众",
        measure="结果",
        due_on=date(2025, 6, 30),
        published_by=author,
        published_at=timezone.now(),
    )
    meeting = Meeting.objects.create(
        kind="talk",
        title="恳谈",
        held_on=date(2025, 3, 3),
        place="村部",
        territory=org.village,
        unit=org.unit_a,
        attendees="村民代表",
        convened_by=author,
        created_at=timezone.now(),
    )
    issue = MeetingIssue.objects.create(meeting=meeting, text="问题")
    proposal = ProjectProposal.objects.create(
        title="修桥",
        description="村里的桥",
        territory=org.village,
        proposer_hash="0" * 64,
        created_at=timezone.now(),
    )
    consultation = Consultation.objects.create(
        title="征求意见",
        draft="草案",
        territory=org.county,
        unit=org.unit_a,
        opens_on=date(2025, 3, 1),
        closes_on=date(2025, 3, 31),
        published_by=author,
        published_at=timezone.now(),
    )
    comment = ConsultationComment.objects.create(
        consultation=consultation, text="意见", commenter_hash="0" * 64, created_at=timezone.now()
    )
    return {
        "consultation": consultation.pk,
        "comment": comment.pk,
        "proposal": proposal.pk,
        "entry": entry.pk,
        "problem": problem.pk,
        "commitment": commitment.pk,
        "meeting": meeting.pk,
        "issue": issue.pk,
    }
