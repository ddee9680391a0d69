"""Writes of outreach (SPEC §3.6). Keyword-only, typed, one transaction each; errors are
ApplicationError subclasses (huiyin.core.errors) with the field that was wrong in `extra`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import filetypes, registry, timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.org import roles
from huiyin.org.choices import Role, TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.outreach import selectors, transitions
from huiyin.outreach.choices import (
    EVENT_DIARY_LINK,
    CommentResponse,
    CommitmentAction,
    CommitmentStatus,
    Fulfilment,
    IssueOutcome,
    MeetingKind,
    PairingKind,
    PointKind,
    ProblemState,
    ProposalState,
    Satisfaction,
)
from huiyin.outreach.models import (
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
    Consultation,
    ConsultationComment,
    DiaryEntry,
    DiaryPhoto,
    FollowUp,
    Hearing,
    LiaisonPoint,
    Meeting,
    MeetingIssue,
    Pairing,
    Problem,
    ProjectProposal,
)

MANAGE_PAIRINGS: frozenset[str] = frozenset({Role.LEADER, Role.UNIT_HEAD, Role.SUPERVISOR, Role.ADMIN})
MAX_PHOTOS = 6
MSG_NO_CONSENT = "须经本人同意后才能登记为信访事项，请记录其同意"
MSG_NOT_OPEN = "该问题已处理，不能重复转办"
MSG_NO_MEDIATION = "矛盾纠纷排查台账尚未启用（调解模块未安装），请先记录跟进或转为信访事项"
MSG_NOT_DUE = "承诺尚未到期，到期或兑现后方可评价"
MSG_RATED = "您已评价过该承诺，每人只能评价一次"


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"fields": {field: message}})


# --- points and pairings -----------------------------------------------------------------------


@transaction.atomic
def point_create(*, kind: str, name: str, territory: Territory, actor: User) -> LiaisonPoint:
    if actor.role not in MANAGE_PAIRINGS:
        raise PermissionDenied("您的岗位不能维护联系点")
    if kind not in PointKind.values:
        raise _fail("kind", "请选择有效的联系点类型")
    if not name.strip():
        raise _fail("name", "请填写名称")
    if territory.level < TerritoryLevel.VILLAGE:
        raise _fail("territory", "联系点须落到村（社区）")
    return LiaisonPoint.objects.create(kind=kind, name=name.strip()[:100], territory=territory)


@transaction.atomic
def pairing_create(
    *,
    kind: str,
    point: LiaisonPoint,
    unit: Unit,
    cadre: User | None,
    starts_on: date,
    ends_on: date | None,
    actor: User,
) -> Pairing:
    """部门联村联企、领导联点联项、干部联户联人: a leader or cadre pairing names the person; a department
    pairing may name only the unit. The cadre must belong to the unit."""
    if actor.role not in MANAGE_PAIRINGS:
        raise PermissionDenied("您的岗位不能维护联系结对")
    if kind not in PairingKind.values:
        raise _fail("kind", "请选择有效的联系方式")
    named = (PairingKind.LEADER_POINT, PairingKind.LEADER_PROJECT, PairingKind.CADRE_HOUSEHOLD)
    if kind in named and cadre is None:
        raise _fail("cadre", "领导联点联项、干部联户联人须写明联系人")
    if cadre is not None and cadre.unit_id != unit.pk:
        raise _fail("cadre", "联系人须为该单位的工作人员")
    if ends_on is not None and ends_on < starts_on:
        raise _fail("ends_on", "结束日期不能早于起始日期")
    return Pairing.objects.create(
        kind=kind,
        point=point,
        unit=unit,
        cadre=cadre,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        created_at=timeutil.now(),
    )


# --- the diary ---------------------------------------------------------------------------------


def _check_photo(f: UploadedFile[bytes]) -> str:
    """The same upload checks as a case's attachments (huiyin/core/filetypes.py): the bytes decide."""
    if f.size is not None and f.size > settings.HUIYIN_ATTACHMENT_MAX_BYTES:
        raise _fail("photos", f"照片“{f.name}”过大")
    detected = filetypes.detect(f, f.name or "photo")
    if isinstance(detected, filetypes.Refusal):
        raise _fail("photos", detected.message)
    if not detected.startswith("image/"):
        raise _fail("photos", f"“{f.name}”不是照片")
    return detected


@dataclass
class EntryIn:
    point: LiaisonPoint
    visited_on: date
    place: str
    people_met: str
    heard: str
    problems: list[str]
    pairing: Pairing | None = None


def diary_entry_create(
    *,
    data: EntryIn,
    actor: User,
    photos: list[UploadedFile[bytes]] | None = None,
    client_key: str | None = None,
) -> tuple[DiaryEntry, bool]:
    """Record a visit. A retried save of the same offline draft (same client key) returns the first
    entry and writes nothing (a phone that lost its connection sends it again). Return (entry, created)."""
    if client_key:
        existing = DiaryEntry.objects.filter(client_key=client_key, author=actor).first()
        if existing is not None:
            return existing, False
    if data.pairing is not None and data.pairing.point_id != data.point.pk:
        raise _fail("pairing", "结对与走访地点不一致")
    if data.visited_on > timeutil.today():
        raise _fail("visited_on", "走访日期不能晚于今天")
    for name in ("place", "heard"):
        if not getattr(data, name).strip():
            raise _fail(name, "请填写此项")
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise _fail("photos", f"照片最多{MAX_PHOTOS}张")
    types = [_check_photo(f) for f in photos]
    try:
        with transaction.atomic():
            entry = DiaryEntry.objects.create(
                author=actor,
                pairing=data.pairing,
                point=data.point,
                visited_on=data.visited_on,
                place=data.place.strip()[:200],
                people_met=data.people_met.strip(),
                heard=data.heard.strip(),
                client_key=client_key or None,
                created_at=timeutil.now(),
            )
            for text in data.problems:
                if text.strip():
                    Problem.objects.create(entry=entry, text=text.strip())
            for f, kind in zip(photos, types, strict=True):
                digest = hashlib.sha256()
                for chunk in f.chunks():
                    digest.update(chunk)
                f.seek(0)
                photo = DiaryPhoto(
                    entry=entry,
                    original_name=(f.name or "photo")[:200],
                    content_type=kind,
                    size=f.size or 0,
                    sha256=digest.hexdigest(),
                )
                photo.file.save(f.name or "photo", f, save=False)
                photo.save()
    except IntegrityError:
        existing = DiaryEntry.objects.filter(client_key=client_key, author=actor).first()
        if client_key and existing is not None:
            return existing, False
        raise
    return entry, True


def office_for(territory: Territory) -> Unit | None:
    """The petition office nearest the point: its township's office, else the one above."""
    for node in reversed(territory.ancestors()):
        office = (
            Unit.objects.filter(territory=node, kind=UnitKind.PETITION_OFFICE, is_active=True)
            .order_by("code")
            .first()
        )
        if office is not None:
            return office
    return None


def _register_found(
    *, text: str, territory: Territory, place: str, data: CaseFromProblemIn, actor: User, key: str
) -> Case:
    """Register what a cadre found (a visit, a meeting) as a case of channel 排查走访发现 at the petition
    office nearest the place, through case_register (its own checks: role, fields, 条例 §30¶3)."""
    if actor.role not in roles.REGISTER:
        raise PermissionDenied("您的岗位不能登记信访事项，请交乡镇信访办登记")
    office = office_for(territory)
    if office is None:
        raise ValidationFailed("该地没有可登记的信访部门")
    case, _created = case_register(
        data=CaseIn(
            channel=Channel.FOUND,
            petition_type=data.petition_type,
            title=data.title.strip() or text[:60],
            content=text,
            request=data.request.strip(),
            territory_id=territory.pk,
            address=place,
            accused_person=data.accused_person,
            accused_unit_id=data.accused_unit_id,
            petitioners=[PetitionerIn(name=data.person_name, phone=data.phone, id_number=data.id_number)],
        ),
        office=office,
        actor=actor,
        idempotency_key=key,
    )
    return case


@dataclass
class CaseFromProblemIn:
    title: str
    request: str
    person_name: str
    consent_note: str
    phone: str = ""
    id_number: str = ""
    petition_type: str = PetitionType.COMPLAINT
    accused_person: str = ""
    accused_unit_id: int | None = None
    consent_given: bool = False


@transaction.atomic
def problem_to_case(*, problem: Problem, data: CaseFromProblemIn, actor: User) -> Case:
    """变上访为下访: register the problem as a case of channel 排查走访发现 at the petition office of the
    point's township (its queue 待分办), through case_register — only with the person's recorded consent,
    since it is their matter and their name (条例 §19: the petitioner states their request)."""
    problem = Problem.objects.select_for_update().select_related("entry__point__territory").get(pk=problem.pk)
    if not selectors.entries_visible_to(actor).filter(pk=problem.entry_id).exists():
        raise PermissionDenied("您无权处理这篇民情日记")
    if problem.state != ProblemState.OPEN:
        raise ValidationFailed(MSG_NOT_OPEN)
    if not data.consent_given or not data.consent_note.strip():
        raise _fail("consent_note", MSG_NO_CONSENT)
    if not data.person_name.strip():
        raise _fail("person_name", "请填写同意登记的群众姓名")
    entry = problem.entry
    case = _register_found(
        text=problem.text,
        territory=entry.point.territory,
        place=entry.place,
        data=data,
        actor=actor,
        key=f"outreach-problem-{problem.pk}",
    )
    now = timeutil.now()
    problem.state = ProblemState.CASE
    problem.case = case
    problem.consent_given = True
    problem.consent_note = data.consent_note.strip()[:200]
    problem.consented_at = now
    problem.handled_by = actor
    problem.handled_at = now
    problem.save()
    event_record(
        case=case,
        event_type=EVENT_DIARY_LINK,
        actor=actor,
        data={"entry": entry.pk, "problem": problem.pk, "visited_on": entry.visited_on.isoformat()},
    )
    return case


@transaction.atomic
def problem_answer(*, problem: Problem, answer: str, actor: User) -> Problem:
    """The problem was answered or solved on the spot (当场解答): recorded, nothing registered."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if not selectors.entries_visible_to(actor).filter(pk=problem.entry_id).exists():
        raise PermissionDenied("您无权处理这篇民情日记")
    if problem.state != ProblemState.OPEN:
        raise ValidationFailed(MSG_NOT_OPEN)
    if not answer.strip():
        raise _fail("answer", "请填写答复或解决情况")
    problem.state = ProblemState.ANSWERED
    problem.answer = answer.strip()
    problem.handled_by = actor
    problem.handled_at = timeutil.now()
    problem.save()
    return problem


# The mediation app (built by another helper) provides the screening ledger. It offers it as a registry
# aid (huiyin.core.registry, Module(aids={MEDIATION_SCREENING: fn})), called with (text, territory,
# found_by, source_ref) and returning the new item; until a module offers it the action says so.
MEDIATION_SCREENING = "screening_item_create"


@transaction.atomic
def problem_to_screening(*, problem: Problem, actor: User) -> Problem:
    """Hand a problem to the 矛盾纠纷排查 ledger (SPEC §3.5). HOOK: needs the aid `screening_item_create(*,
    text, territory, found_by, source_ref)` declared by the mediation app, returning an item with `pk`."""
    problem = Problem.objects.select_for_update().select_related("entry__point").get(pk=problem.pk)
    if not selectors.entries_visible_to(actor).filter(pk=problem.entry_id).exists():
        raise PermissionDenied("您无权处理这篇民情日记")
    if problem.state != ProblemState.OPEN:
        raise ValidationFailed(MSG_NOT_OPEN)
    fn = registry.aid(MEDIATION_SCREENING)
    if fn is None:
        raise ValidationFailed(MSG_NO_MEDIATION)
    item = fn(
        text=problem.text,
        territory=problem.entry.point.territory,
        found_by=actor,
        source_ref=f"outreach-problem-{problem.pk}",
    )
    problem.state = ProblemState.SCREENING
    problem.screening_ref = str(item.pk)
    problem.handled_by = actor
    problem.handled_at = timeutil.now()
    problem.save()
    return problem


@transaction.atomic
def followup_add(*, entry: DiaryEntry, text: str, actor: User, problem: Problem | None = None) -> FollowUp:
    if not selectors.entries_visible_to(actor).filter(pk=entry.pk).exists():
        raise PermissionDenied("您无权处理这篇民情日记")
    if not text.strip():
        raise _fail("text", "请填写跟进情况")
    if problem is not None and problem.entry_id != entry.pk:
        raise _fail("problem", "该问题不属于这篇日记")
    return FollowUp.objects.create(
        entry=entry, problem=problem, text=text.strip(), author=actor, created_at=timeutil.now()
    )


# --- public commitments (践诺) -------------------------------------------------------------------


@dataclass
class CommitmentIn:
    title: str
    beneficiaries: str
    measure: str
    due_on: date
    territory: Territory
    cadre: User | None = None


@transaction.atomic
def commitment_publish(*, data: CommitmentIn, actor: User) -> Commitment:
    """A unit (its head or leader) publishes a promise in its name; public at once (SPEC §1.5)."""
    if actor.role not in transitions.PUBLISH or actor.unit_id is None:
        raise PermissionDenied("只有单位负责人或领导可以发布公开承诺")
    for name in ("title", "beneficiaries", "measure"):
        if not getattr(data, name).strip():
            raise _fail(name, "请填写此项")
    if data.due_on <= timeutil.today():
        raise _fail("due_on", "承诺完成日期须晚于今天")
    if data.cadre is not None and data.cadre.unit_id != actor.unit_id:
        raise _fail("cadre", "承诺人须为本单位工作人员")
    unit = actor.unit
    assert unit is not None
    if not data.territory.path.startswith(unit.territory.path) and not unit.territory.path.startswith(
        data.territory.path
    ):
        raise _fail("territory", "承诺区域须在本单位辖区内")
    return Commitment.objects.create(
        unit_id=actor.unit_id,
        cadre=data.cadre,
        territory=data.territory,
        title=data.title.strip()[:200],
        beneficiaries=data.beneficiaries.strip()[:200],
        measure=data.measure.strip()[:300],
        due_on=data.due_on,
        published_by=actor,
        published_at=timeutil.now(),
    )


@transaction.atomic
def commitment_act(
    *,
    commitment: Commitment,
    action: str,
    text: str,
    progress: int,
    actor: User,
    evidence: UploadedFile[bytes] | None = None,
) -> CommitmentUpdate:
    """Report progress, or declare the promise kept or not kept, with evidence (the table in
    transitions.py). Every update is kept and public."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    target = transitions.next_state(commitment.status, action)
    if target is None:
        raise ValidationFailed("该承诺已结束，不能再更新")
    if not transitions.may_act(actor, commitment, action):
        raise PermissionDenied("只有承诺单位的工作人员可以更新该承诺")
    if not text.strip():
        raise _fail("text", "请填写进展情况")
    if not 0 <= progress <= 100:
        raise _fail("progress", "完成进度须在0到100之间")
    if action == CommitmentAction.FULFIL:
        progress = 100
    kind = ""
    if evidence is not None:
        detected = filetypes.detect(evidence, evidence.name or "evidence")
        if isinstance(detected, filetypes.Refusal):
            raise _fail("evidence", detected.message)
        kind = detected
    update = CommitmentUpdate(
        commitment=commitment,
        action=action,
        text=text.strip(),
        progress=progress,
        actor=actor,
        created_at=timeutil.now(),
        evidence_name=(evidence.name or "")[:200] if evidence else "",
        evidence_type=kind,
    )
    if evidence is not None:
        update.evidence.save(evidence.name or "evidence", evidence, save=False)
    update.save()
    if target != commitment.status:
        commitment.status = target
        commitment.closed_on = timeutil.today()
        commitment.save(update_fields=["status", "closed_on"])
    return update


def voter_hash(contact: str) -> str:
    """A keyed hash of the verified phone or e-mail: one rating per person, no number stored."""
    return salted_hmac("huiyin.outreach.rating", contact.strip().lower(), algorithm="sha256").hexdigest()


def commitment_rate(
    *, commitment: Commitment, contact: str, fulfilment: str, satisfaction: str
) -> CommitmentRating:
    """A citizen signed in by phone (huiyin.portal one-time code) rates a promise once it is due or
    closed; one rating per verified person, never edited."""
    if not contact:
        raise PermissionDenied("请先用手机号码验证登录后再评价")
    if fulfilment not in Fulfilment.values:
        raise _fail("fulfilment", "请选择是否兑现")
    if satisfaction not in Satisfaction.values:
        raise _fail("satisfaction", "请选择满意度")
    commitment = Commitment.objects.get(pk=commitment.pk)  # its status as stored now
    if commitment.status == CommitmentStatus.ONGOING and commitment.due_on > timeutil.today():
        raise ValidationFailed(MSG_NOT_DUE)
    try:
        with transaction.atomic():
            return CommitmentRating.objects.create(
                commitment=commitment,
                voter_hash=voter_hash(contact),
                fulfilment=fulfilment,
                satisfaction=satisfaction,
                created_at=timeutil.now(),
            )
    except IntegrityError:
        raise ValidationFailed(MSG_RATED) from None


# --- 民情恳谈会 / 民情沟通会 ------------------------------------------------------------------------


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


# --- 为民办实事 -------------------------------------------------------------------------------------

SELECT_PROJECTS: frozenset[str] = frozenset({Role.LEADER})


@transaction.atomic
def proposal_submit(*, contact: str, title: str, description: str, territory: Territory) -> ProjectProposal:
    """A citizen signed in by phone proposes a practical project (anonymous in public)."""
    if not contact:
        raise PermissionDenied("请先用手机号码验证登录后再提议")
    if not title.strip():
        raise _fail("title", "请填写项目名称")
    if not description.strip():
        raise _fail("description", "请填写项目内容和理由")
    return ProjectProposal.objects.create(
        title=title.strip()[:200],
        description=description.strip(),
        territory=territory,
        proposer_hash=voter_hash(contact),
        created_at=timeutil.now(),
    )


@dataclass
class SelectionIn:
    owner: Unit
    year: int
    budget: Decimal
    measure: str
    due_on: date
    beneficiaries: str


@transaction.atomic
def proposal_select(*, proposal: ProjectProposal, data: SelectionIn, actor: User) -> Commitment:
    """A leader puts the proposal on the year's list with a budget and an owner unit; it becomes that
    unit's public commitment (progress, evidence, ratings as for any promise)."""
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    if actor.role not in SELECT_PROJECTS:
        raise PermissionDenied("只有领导可以确定为民办实事项目")
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationFailed("该提议已有决定")
    if data.budget <= 0:
        raise _fail("budget", "预算须大于0")
    if data.due_on <= timeutil.today():
        raise _fail("due_on", "完成日期须晚于今天")
    if not data.measure.strip():
        raise _fail("measure", "请填写可衡量的结果")
    commitment = Commitment.objects.create(
        unit=data.owner,
        territory=proposal.territory,
        title=f"为民办实事：{proposal.title}"[:200],
        beneficiaries=data.beneficiaries.strip()[:200] or "群众",
        measure=data.measure.strip()[:300],
        due_on=data.due_on,
        published_by=actor,
        published_at=timeutil.now(),
    )
    proposal.state = ProposalState.SELECTED
    proposal.year = data.year
    proposal.budget = data.budget
    proposal.commitment = commitment
    proposal.decided_by = actor
    proposal.decided_at = timeutil.now()
    proposal.save()
    return commitment


@transaction.atomic
def proposal_decline(*, proposal: ProjectProposal, reason: str, actor: User) -> ProjectProposal:
    """Not on the list, with a public reason (事事有回音)."""
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    if actor.role not in SELECT_PROJECTS:
        raise PermissionDenied("只有领导可以确定为民办实事项目")
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationFailed("该提议已有决定")
    if not reason.strip():
        raise _fail("reason", "请写明未列入的理由")
    proposal.state = ProposalState.DECLINED
    proposal.reason = reason.strip()[:300]
    proposal.decided_by = actor
    proposal.decided_at = timeutil.now()
    proposal.save()
    return proposal


# --- public consultation (公示、征求意见、听证) -------------------------------------------------------

CONSULT: frozenset[str] = frozenset({Role.LEADER, Role.UNIT_HEAD})


@transaction.atomic
def consultation_publish(
    *, title: str, draft: str, territory: Territory, opens_on: date, closes_on: date, actor: User
) -> Consultation:
    if actor.role not in CONSULT or actor.unit is None:
        raise PermissionDenied("只有单位负责人或领导可以发布征求意见")
    if not title.strip() or not draft.strip():
        raise _fail("draft", "请填写决策事项和草案内容")
    if closes_on < opens_on or closes_on <= timeutil.today():
        raise _fail("closes_on", "截止日期须晚于开始日期和今天")
    return Consultation.objects.create(
        title=title.strip()[:200],
        draft=draft.strip(),
        territory=territory,
        unit=actor.unit,
        opens_on=opens_on,
        closes_on=closes_on,
        published_by=actor,
        published_at=timeutil.now(),
    )


def consultation_comment(
    *, consultation: Consultation, contact: str, text: str, public_name: str = ""
) -> ConsultationComment:
    """A verified person comments during the comment period; named in public only if they chose to be."""
    if not contact:
        raise PermissionDenied("请先用手机号码验证登录后再提意见")
    today = timeutil.today()
    if not consultation.opens_on <= today <= consultation.closes_on:
        raise ValidationFailed("不在征求意见期内")
    if not text.strip():
        raise _fail("text", "请填写意见")
    return ConsultationComment.objects.create(
        consultation=consultation,
        text=text.strip(),
        commenter_hash=voter_hash(contact),
        public_name=public_name.strip()[:50],
        created_at=timeutil.now(),
    )


@transaction.atomic
def comment_respond(
    *, comment: ConsultationComment, response: str, reason: str, actor: User
) -> ConsultationComment:
    """The office publishes how it handled each comment: adopted, partly, not — with its reasons."""
    comment = (
        ConsultationComment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    )
    if actor.role not in CONSULT or actor.unit_id != comment.consultation.unit_id:
        raise PermissionDenied("只有发布单位的负责人或领导可以答复意见")
    if response not in CommentResponse.values:
        raise _fail("response", "请选择采纳情况")
    if not reason.strip():
        raise _fail("reason", "请写明理由")
    comment.response = response
    comment.reason = reason.strip()
    comment.responded_by = actor
    comment.responded_at = timeutil.now()
    comment.save()
    return comment


@transaction.atomic
def hearing_record(
    *, consultation: Consultation, held_on: date, place: str, participants: str, minutes: str, actor: User
) -> Hearing:
    if actor.role not in CONSULT or actor.unit_id != consultation.unit_id:
        raise PermissionDenied("只有发布单位的负责人或领导可以记录听证")
    for name, value in (("place", place), ("participants", participants), ("minutes", minutes)):
        if not value.strip():
            raise _fail(name, "请填写此项")
    return Hearing.objects.create(
        consultation=consultation,
        held_on=held_on,
        place=place.strip()[:200],
        participants=participants.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
    )
