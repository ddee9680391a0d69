"""Public commitments (践诺): published in a unit's name, updated with evidence along the table in
transitions.py, rated once per verified person when due (seeds/004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from huiyin.core import filetypes, timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.models import Territory, User
from huiyin.outreach import transitions
from huiyin.outreach.choices import (
    CommitmentAction,
    CommitmentStatus,
    Fulfilment,
    Satisfaction,
)
from huiyin.outreach.models import (
    Commitment,
    CommitmentRating,
    CommitmentUpdate,
)
from huiyin.outreach.services.common import (
    _fail,
    voter_hash,
)

MSG_NOT_DUE = "承诺尚未到期，到期或兑现后方可评价"
MSG_RATED = "您已评价过该承诺，每人只能评价一次"


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
    target = transitions.step(actor, commitment, action)
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
