"""民情日记: a visit with what was heard and the problems found; each problem answered on the spot,
registered as a case with the person's consent (变上访为下访), or handed to the screening ledger."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.core import filetypes, registry, timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.models import User
from huiyin.outreach import checks, selectors
from huiyin.outreach.choices import (
    EVENT_DIARY_LINK,
    ProblemState,
)
from huiyin.outreach.models import (
    DiaryEntry,
    DiaryPhoto,
    FollowUp,
    LiaisonPoint,
    Pairing,
    Problem,
)
from huiyin.outreach.services.common import (
    MSG_NO_CONSENT,
    MSG_NOT_OPEN,
    CaseFromProblemIn,
    _fail,
    _register_found,
)

MAX_PHOTOS = 6


MSG_NO_MEDIATION = "矛盾纠纷排查台账尚未启用（调解模块未安装），请先记录跟进或转为信访事项"


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
            checks.forget_check(entry.pairing_id, entry.visited_on)
    except IntegrityError:
        existing = DiaryEntry.objects.filter(client_key=client_key, author=actor).first()
        if client_key and existing is not None:
            return existing, False
        raise
    return entry, True


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
