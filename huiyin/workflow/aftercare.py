"""Assistance and follow-up (条例 §37; HD-10, RP-2; t10-rules).

* A petitioner in real hardship can be told of, or helped to apply for, social assistance; judicial
  assistance where eligible (§37¶2): `referral_create` records the organ it went to, and
  `referral_outcome` what that organ did.
* A petitioner whose matter is final — re-reviewed (复核终结, §36¶3), reviewed, or a litigation matter
  ended in the legal process (涉法涉诉已终结) — still gets counselling, mediation and help (§37¶3):
  `followup_plan` sets a follow-up with a date, `followup_done` records it. Neither reopens the case or
  changes its status; each is an event on the case's record.

Nothing here acts against the person: there is no watch-list, only help offered and its result.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huiyin.cases.choices import AssistanceKind, DivertTarget, ReferralOutcome, Status
from huiyin.cases.events import event_record
from huiyin.cases.models import AssistanceReferral, Case, FollowUp
from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.core.registry import EventType, Phase
from huiyin.org import roles
from huiyin.org.models import Unit, User
from huiyin.workflow.actors import actor_sides
from huiyin.workflow.transitions import Side

EVENT_REFERRAL = "assistance_referral"
EVENT_REFERRAL_OUTCOME = "assistance_outcome"
EVENT_FOLLOWUP_PLANNED = "followup_planned"
EVENT_FOLLOWUP_DONE = "followup_done"
EVENT_LABELS = {
    EVENT_REFERRAL: "转介救助",
    EVENT_REFERRAL_OUTCOME: "救助结果",
    EVENT_FOLLOWUP_PLANNED: "安排终结后跟进",
    EVENT_FOLLOWUP_DONE: "终结后跟进",
}


def _referred(ev: object) -> str:
    d = getattr(ev, "data", None) or {}
    return _("已为您转介%(kind)s（%(organ)s）") % {
        "kind": d.get("kind_label", ""),
        "organ": d.get("organ_name", ""),
    }


def _outcome(ev: object) -> str:
    d = getattr(ev, "data", None) or {}
    return _("%(kind)s结果：%(outcome)s") % {
        "kind": d.get("kind_label", ""),
        "outcome": d.get("outcome_label", ""),
    }


# Declared by the cases app (ADR 0007). The petitioner reads the referral and its outcome (§37¶2: told
# of, or helped to apply for, assistance); the follow-ups are the organs' own work.
EVENTS = (
    EventType(EVENT_REFERRAL, EVENT_LABELS[EVENT_REFERRAL], Phase.HANDLING, citizen=_referred),
    EventType(EVENT_REFERRAL_OUTCOME, EVENT_LABELS[EVENT_REFERRAL_OUTCOME], Phase.HANDLING, citizen=_outcome),
    EventType(EVENT_FOLLOWUP_PLANNED, EVENT_LABELS[EVENT_FOLLOWUP_PLANNED], Phase.ANSWER),
    EventType(EVENT_FOLLOWUP_DONE, EVENT_LABELS[EVENT_FOLLOWUP_DONE], Phase.ANSWER),
)

AFTERCARE_ROLES = roles.AFTERCARE
MSG_NOT_YOURS = "只有登记、办理或复查复核本事项的单位的工作人员可以转介救助或安排跟进"
MSG_NOT_FINAL = (
    "终结后跟进适用于已复查复核或涉法涉诉已终结的事项（《信访工作条例》第三十六条第三款、第三十七条）"
)
LITIGATION_TARGETS = frozenset({DivertTarget.LITIGATION, DivertTarget.POLITICAL_LEGAL})


def may_aftercare(user: User, case: Case) -> bool:
    """The staff of the organs that hold the case — the office, the handling unit, the 复查 and 复核
    organs (never the accused side: `actor_sides` is empty there, ADR 0005)."""
    if not getattr(user, "is_authenticated", False) or user.role not in AFTERCARE_ROLES:
        return False
    return bool(actor_sides(user, case) & {Side.OFFICE, Side.HANDLING, Side.REVIEW, Side.REREVIEW})


def is_final(case: Case) -> bool:
    """§37¶3: re-reviewed (复核终结), reviewed and answered, or a litigation matter sent to the legal process."""
    if case.status == Status.FINAL or case.is_final:
        return True
    if case.status in (Status.REVIEW_REPLIED, Status.CLOSED) and case.review_unit_id:
        return True
    if case.status == Status.CLOSED:
        divert = case.events.filter(event_type="divert").order_by("-id").first()
        return divert is not None and (divert.data or {}).get("target") in LITIGATION_TARGETS
    return False


def _ensure_may(user: User, case: Case) -> int:
    """Refuse anyone but the staff of an organ holding the case; return their unit's id."""
    if not may_aftercare(user, case) or user.unit_id is None:
        raise PermissionDenied(MSG_NOT_YOURS)
    return user.unit_id


def _text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, extra={"fields": {field: message}})
    return value


def _write(case: Case, event_type: str, actor: User, data: dict[str, object], reason: str = "") -> None:
    event_record(case=case, event_type=event_type, actor=actor, data=data, reason=reason)


@transaction.atomic
def referral_create(
    *,
    case: Case,
    actor: User,
    kind: AssistanceKind | str,
    reason: str,
    organ: Unit | None = None,
    organ_name: str = "",
) -> AssistanceReferral:
    """条例 §37¶2: tell the petitioner of, or help them apply for, social or judicial assistance."""
    unit_id = _ensure_may(actor, case)
    if kind not in AssistanceKind.values:
        raise ValidationFailed("请选择救助类别", extra={"fields": {"kind": "请选择救助类别"}})
    reason = _text(reason, "请填写信访人的困难情况", "reason")
    name = (organ.name if organ is not None else organ_name.strip())[:100]
    name = _text(name, "请选择或填写救助机关", "organ")
    referral = AssistanceReferral.objects.create(
        case=case,
        kind=kind,
        organ=organ,
        organ_name=name,
        reason=reason,
        referred_by=actor,
        referred_unit_id=unit_id,
        referred_on=timeutil.today(),
    )
    _write(
        case,
        EVENT_REFERRAL,
        actor,
        {
            "referral": referral.pk,
            "kind": str(kind),
            "kind_label": AssistanceKind(kind).label,
            "organ_name": name,
        },
        reason,
    )
    return referral


@transaction.atomic
def referral_outcome(
    *, referral: AssistanceReferral, actor: User, outcome: ReferralOutcome | str, note: str = ""
) -> AssistanceReferral:
    """Record what the assistance organ did with the referral."""
    referral = AssistanceReferral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    _ensure_may(actor, referral.case)
    if outcome not in ReferralOutcome.values or outcome == ReferralOutcome.PENDING:
        raise ValidationFailed("请选择救助结果", extra={"fields": {"outcome": "请选择救助结果"}})
    if referral.outcome != ReferralOutcome.PENDING:
        raise ValidationFailed("该转介已记录结果")
    note = note.strip()
    if outcome == ReferralOutcome.OTHER:
        note = _text(note, "请说明结果", "note")
    referral.outcome, referral.outcome_note, referral.outcome_on = outcome, note, timeutil.today()
    referral.save(update_fields=["outcome", "outcome_note", "outcome_on"])
    _write(
        referral.case,
        EVENT_REFERRAL_OUTCOME,
        actor,
        {
            "referral": referral.pk,
            "kind_label": referral.get_kind_display(),
            "organ_name": referral.organ_name,
            "outcome": str(outcome),
            "outcome_label": ReferralOutcome(outcome).label,
        },
        note,
    )
    return referral


@transaction.atomic
def followup_plan(*, case: Case, actor: User, plan: str, due_on: date) -> FollowUp:
    """条例 §37¶3: plan a follow-up (疏导教育、矛盾化解、帮扶救助) with a petitioner whose case is final."""
    unit_id = _ensure_may(actor, case)
    if not is_final(case):
        raise ValidationFailed(MSG_NOT_FINAL)
    plan = _text(plan, "请填写跟进内容", "plan")
    if due_on < timeutil.today():
        raise ValidationFailed("计划跟进日期不能早于今天", extra={"fields": {"due_on": "不能早于今天"}})
    follow = FollowUp.objects.create(
        case=case,
        unit_id=unit_id,
        plan=plan,
        due_on=due_on,
        created_by=actor,
        created_at=timeutil.now(),
    )
    _write(case, EVENT_FOLLOWUP_PLANNED, actor, {"follow_up": follow.pk, "due_on": due_on.isoformat()}, plan)
    return follow


@transaction.atomic
def followup_done(*, follow_up: FollowUp, actor: User, note: str) -> FollowUp:
    follow = FollowUp.objects.select_for_update().select_related("case").get(pk=follow_up.pk)
    _ensure_may(actor, follow.case)
    if follow.done_on is not None:
        raise ValidationFailed("该跟进已记录")
    note = _text(note, "请填写跟进情况", "note")
    follow.done_on, follow.done_by, follow.note = timeutil.today(), actor, note
    follow.save(update_fields=["done_on", "done_by", "note"])
    _write(
        follow.case,
        EVENT_FOLLOWUP_DONE,
        actor,
        {"follow_up": follow.pk, "due_on": follow.due_on.isoformat(), "done_on": follow.done_on.isoformat()},
        note,
    )
    return follow


# --- reads ------------------------------------------------------------------------------------------


def followups_due(user: User) -> QuerySet[FollowUp]:
    """Open follow-ups of the user's unit, the earliest first (a past date is overdue)."""
    from huiyin.cases.selectors import visible_to

    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(unit_id=unit_id, done_on__isnull=True, case__in=visible_to(user))
        .select_related("case")
        .order_by("due_on", "id")
    )
