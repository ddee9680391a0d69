"""Who may act on a case: the actor's sides, the permission table, conflicts of interest and the accused
side's bars (条例 §30¶3, ADR 0005). Reads only; the services and the guards ask it."""

from __future__ import annotations

from dataclasses import dataclass

from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.models import Case, Opinion
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.org import roles
from huiyin.org.models import User
from huiyin.workflow.choices import CoTaskState, DisputeState
from huiyin.workflow.conflicts import (
    MSG_CONFLICT,
    MSG_RECUSED,
    accused_names,
    clearable_bars,
    conflict_bar,
    conflict_resolved,
    interest_links,
)
from huiyin.workflow.models import CoHandling, CompetenceDispute
from huiyin.workflow.transitions import (
    ACTION_LABELS,
    CITIZEN_ACTIONS,
    CONFLICT_ACTIONS,
    PERMISSIONS,
    Action,
    Side,
)


class ConflictOfInterest(TransitionNotAllowed):
    """The actor is linked to a petitioner or the accused and has neither recused nor recorded why not."""


@dataclass(frozen=True)
class CitizenActor:
    """The petitioner acting for themselves, already verified by the caller (e.g. the portal checked the
    tracking code and its second factor). May take only `CITIZEN_ACTIONS`."""

    via: str = "portal"
    petitioner_id: int | None = None


Actor = User | CitizenActor


# --- who may act -------------------------------------------------------------------------------


def _pending_opinion(case: Case) -> Opinion | None:
    return case.opinions.filter(delivered_on__isnull=True).order_by("-issued_at", "-id").first()


def actor_sides(actor: User, case: Case, *, just_registered: bool = False) -> set[Side]:
    """The sides `actor` is on in `case`. `just_registered`: the case was created in this request, so
    it has no opinion, co-handling task or competence dispute yet — their three reads are skipped
    (issue 15: the intake's 201 is built from memory)."""
    if not actor.unit_id or on_accused_side(actor.unit_id, case.accused_unit_id):
        return set()  # 条例 §30¶3: the accused side takes no part in the case (ADR 0005)
    if case.accused_user_id is not None and case.accused_user_id == actor.pk:
        return set()  # nor the accused person's own account
    sides = set()
    if actor.unit_id == case.office_id:
        sides.add(Side.OFFICE)
    if actor.unit_id == case.handling_unit_id:
        sides.add(Side.HANDLING)
    if actor.unit_id == case.review_unit_id:
        sides.add(Side.REVIEW)
    if actor.unit_id == case.rereview_unit_id:
        sides.add(Side.REREVIEW)
    if not just_registered:
        pending = _pending_opinion(case)
        if pending is not None and pending.issued_unit_id == actor.unit_id:
            sides.add(Side.ISSUER)
        if CoHandling.objects.filter(case=case, unit_id=actor.unit_id, state=CoTaskState.OPEN).exists():
            sides.add(Side.CO_HANDLING)
        if CompetenceDispute.objects.filter(
            case=case, decider_id=actor.unit_id, state=DisputeState.OPEN
        ).exists():
            sides.add(Side.DECIDER)
    overseer = actor.role in roles.OVERSEE and actor.unit is not None
    if overseer and case.office.territory.path.startswith(actor.unit.territory.path):  # type: ignore[union-attr]
        sides.add(Side.OVERSIGHT)
    return sides


def ensure_actor_may(actor: Actor, action: Action, case: Case, sides: set[Side] | None = None) -> None:
    if isinstance(actor, CitizenActor):
        if action not in CITIZEN_ACTIONS:
            raise PermissionDenied(f"信访人不能自行“{ACTION_LABELS[action]}”", extra={"action": str(action)})
        return
    permission = PERMISSIONS[action]
    if sides is None:
        sides = actor_sides(actor, case)
    if actor.role not in permission.roles or not (sides & set(permission.sides)):
        raise PermissionDenied(
            f"您的岗位或单位不能对此事项执行“{ACTION_LABELS[action]}”",
            extra={"action": str(action), "role": actor.role},
        )


@dataclass(frozen=True)
class Interest:
    """What the conflict-of-interest check found for one person on one case (条例 §28¶3)."""

    links: list[str]
    recused: bool
    reason_recorded: bool

    @property
    def unresolved(self) -> bool:
        return bool(self.links) and not self.recused and not self.reason_recorded


def interest_of(actor: Actor, case: Case) -> Interest:
    if isinstance(actor, CitizenActor) or actor.role not in roles.CONFLICT_CHECKED:
        return Interest([], False, False)
    recused, recorded = conflict_resolved(case, actor)
    return Interest(interest_links(case, actor), recused, recorded)


def ensure_no_conflict(actor: Actor, action: Action, case: Case, interest: Interest | None = None) -> None:
    """A handler who recused takes no further part; one linked to the case first recuses or says why not.
    Whoever is barred as the accused person (or by the accused's name) takes no part at all."""
    if not isinstance(actor, CitizenActor):
        bar = conflict_bar(case, actor)
        if bar is not None:
            raise PermissionDenied(bar.message, extra={"action": str(action), "bar": bar.kind})
    interest = interest or interest_of(actor, case)
    if interest.recused:
        raise PermissionDenied(MSG_RECUSED, extra={"action": str(action)})
    if interest.unresolved and action not in CONFLICT_ACTIONS:
        raise ConflictOfInterest(
            MSG_CONFLICT.format(links="；".join(interest.links)),
            extra={"action": str(action), "links": interest.links},
        )


MSG_NO_BAR_TO_CLEAR = "本事项没有可由您解除的同名限制（须为其他单位人员的同名限制）"


def bars_clearable_by(case: Case, actor: Actor) -> list[User]:
    """The same-name bars `actor` may clear: of staff in another unit than the actor's, never when the
    actor bears the accused person's name (or is the accused person) themselves (ADR 0005)."""
    if isinstance(actor, CitizenActor) or actor.pk == case.accused_user_id:
        return []
    if (actor.full_name or "").strip() in accused_names(case):
        return []
    return [u for u in clearable_bars(case) if u.unit_id != actor.unit_id and u.pk != actor.pk]
