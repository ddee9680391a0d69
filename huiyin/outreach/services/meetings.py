"""民情恳谈会 / 民情沟通会 (seeds/002 第四篇): the meeting and its issues, each answered on the spot, registered
as a case with consent, or answered with a public promise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.models import Territory, User
from huiyin.outreach import selectors
from huiyin.outreach.choices import (
    IssueOutcome,
    MeetingKind,
)
from huiyin.outreach.models import (
    Commitment,
    Meeting,
    MeetingIssue,
)
from huiyin.outreach.services.commitments import CommitmentIn, commitment_publish
from huiyin.outreach.services.common import (
    MSG_NO_CONSENT,
    MSG_NOT_OPEN,
    CaseFromProblemIn,
    _fail,
    _register_found,
)


@dataclass
class MeetingIn:
    kind: str
    title: str
    held_on: date
    place: str
    territory: Territory
    attendees: str
    issues: list[str]


@transaction.atomic
def meeting_create(*, data: MeetingIn, actor: User) -> Meeting:
    """Record a meeting with the people (seeds/002 第四篇: 民情沟通会、民主恳谈会) and the issues raised."""
    if actor.unit is None:
        raise PermissionDenied("没有所属单位的账号不能记录恳谈会")
    if data.kind not in MeetingKind.values:
        raise _fail("kind", "请选择会议类型")
    for name in ("title", "place", "attendees"):
        if not getattr(data, name).strip():
            raise _fail(name, "请填写此项")
    if data.held_on > timeutil.today():
        raise _fail("held_on", "会议日期不能晚于今天")
    if not data.territory.path.startswith(actor.unit.territory.path):
        raise _fail("territory", "会议地点须在本单位辖区内")
    meeting = Meeting.objects.create(
        kind=data.kind,
        title=data.title.strip()[:200],
        held_on=data.held_on,
        place=data.place.strip()[:200],
        territory=data.territory,
        unit=actor.unit,
        attendees=data.attendees.strip(),
        convened_by=actor,
        created_at=timeutil.now(),
    )
    for text in data.issues:
        if text.strip():
            MeetingIssue.objects.create(meeting=meeting, text=text.strip())
    return meeting


def _open_issue(issue: MeetingIssue, actor: User) -> MeetingIssue:
    issue = MeetingIssue.objects.select_for_update().select_related("meeting__territory").get(pk=issue.pk)
    if not selectors.meetings_visible_to(actor).filter(pk=issue.meeting_id).exists():
        raise PermissionDenied("您无权处理这次恳谈会的问题")
    if issue.outcome != IssueOutcome.OPEN:
        raise ValidationFailed(MSG_NOT_OPEN)
    return issue


def _close_issue(issue: MeetingIssue, outcome: str, actor: User) -> None:
    issue.outcome = outcome
    issue.handled_by = actor
    issue.handled_at = timeutil.now()
    issue.save()


@transaction.atomic
def meeting_issue_answer(*, issue: MeetingIssue, answer: str, actor: User) -> MeetingIssue:
    issue = _open_issue(issue, actor)
    if not answer.strip():
        raise _fail("answer", "请填写答复")
    issue.answer = answer.strip()
    _close_issue(issue, IssueOutcome.ANSWERED, actor)
    return issue


@transaction.atomic
def meeting_issue_to_case(*, issue: MeetingIssue, data: CaseFromProblemIn, actor: User) -> Case:
    """An issue raised at the meeting becomes a case, with the consent of the person who raised it."""
    issue = _open_issue(issue, actor)
    if not data.consent_given or not data.consent_note.strip():
        raise _fail("consent_note", MSG_NO_CONSENT)
    if not data.person_name.strip():
        raise _fail("person_name", "请填写同意登记的群众姓名")
    meeting = issue.meeting
    case = _register_found(
        text=issue.text,
        territory=meeting.territory,
        place=meeting.place,
        data=data,
        actor=actor,
        key=f"outreach-meeting-issue-{issue.pk}",
    )
    issue.case = case
    issue.consent_note = data.consent_note.strip()[:200]
    _close_issue(issue, IssueOutcome.CASE, actor)
    return case


@transaction.atomic
def meeting_issue_to_commitment(*, issue: MeetingIssue, data: CommitmentIn, actor: User) -> Commitment:
    """An issue answered with a public promise (践诺), published at once."""
    issue = _open_issue(issue, actor)
    commitment = commitment_publish(data=data, actor=actor)
    issue.commitment = commitment
    _close_issue(issue, IssueOutcome.COMMITMENT, actor)
    return commitment
