"""Public consultation on major decisions (公示、征求意见、听证; seeds/000 公示制、听证制)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.choices import Role
from huiyin.org.models import Territory, User
from huiyin.outreach.choices import (
    CommentResponse,
)
from huiyin.outreach.models import (
    Consultation,
    ConsultationComment,
    Hearing,
)
from huiyin.outreach.services.common import (
    _fail,
    voter_hash,
)

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
