"""督办 (条例 §40) and the major/urgent report (条例 §25): find candidates, issue and answer orders,
escalate unanswered ones up the unit's chain. Every step is a case event (notifications listen)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from huiyin.cases.choices import OPEN_STATUSES, Rating
from huiyin.cases.events import event_record
from huiyin.cases.models import Case, CaseEvent
from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.core.xlsx import batched
from huiyin.org import roles
from huiyin.org.choices import Role, RuleKey, UnitKind
from huiyin.org.models import RuleProfile, Unit, User
from huiyin.org.selectors import rules_for_profile
from huiyin.supervision.choices import (
    EVENT_ANSWER,
    EVENT_DISMISSED,
    EVENT_ESCALATED,
    EVENT_MAJOR_URGENT,
    EVENT_ORDER,
    CandidateReason,
    CandidateState,
    OrderState,
)
from huiyin.supervision.models import (
    SupervisionCandidate,
    SupervisionOrder,
    SweepState,
    UrgentReportRecipient,
)
from huiyin.workflow.choices import WINDOW_KINDS, ClockKind, ClockState
from huiyin.workflow.models import Clock
from huiyin.workflow.routing import blocked_units

MSG_NOT_SUPERVISOR = "只有督查考核岗位可以下发督办单"
MSG_NOT_SUPERVISOR_DISMISS = "只有督查考核岗位可以处理督办线索"
MSG_NOT_ADDRESSEE = "只有被督办单位的工作人员可以答复督办"
MSG_ORDER_CLOSED = "该督办单已{state}，不能再答复"
MSG_ACCUSED_UNIT = "不得向被反映单位或其直接上级下发督办（《信访工作条例》第三十条第三款）"
# a 督办 order can be addressed to the petition office itself (its own routing or notice clock ran out,
# 条例 §43): there the staff who route and register answer it, with the office's head and leaders


def answer_roles(unit: Unit) -> frozenset[str]:
    """Roles of `unit` that may answer a 督办 order addressed to it."""
    return (
        roles.ANSWER_SUPERVISION_IN_OFFICE
        if unit.kind == UnitKind.PETITION_OFFICE
        else roles.ANSWER_SUPERVISION
    )


def may_answer(user: User, order: SupervisionOrder) -> bool:
    return bool(user.unit_id) and user.unit_id == order.unit_id and user.role in answer_roles(order.unit)


def clock_name(kind: str) -> str:
    """A clock's name for a screen ("办理"; the figure belongs to the clock's own rule, `Clock.label`)."""
    try:
        return str(ClockKind(kind).label)
    except ValueError:
        return "办理"


# Events that are the system's own bookkeeping, not progress on the case.
_NOT_PROGRESS = Q(event_type__startswith="clock_") | Q(event_type__startswith="supervision_")


# --- the sweep ---------------------------------------------------------------------------------


def _add_candidates(reason: CandidateReason, rows: Iterable[tuple[int, int | None, str]]) -> int:
    """Create the candidates not yet known; the unique (case, reason) makes a second sweep a no-op.
    `rows` are read and written SWEEP_BATCH at a time (a bounded IN list and bounded memory: the day's
    full pass at 10M cases found 340k rows, and holding them at once took the sweeper to 481 MiB)."""
    added = 0
    now = timeutil.now()
    for batch in batched(rows, SWEEP_BATCH):
        known = set(
            SupervisionCandidate.objects.filter(
                reason=reason, case_id__in=[case_id for case_id, _, _ in batch]
            ).values_list("case_id", flat=True)
        )
        fresh = {case_id: (unit_id, detail) for case_id, unit_id, detail in batch if case_id not in known}
        SupervisionCandidate.objects.bulk_create(
            [
                SupervisionCandidate(
                    case_id=case_id, unit_id=unit_id, reason=reason, detail=detail, found_at=now
                )
                for case_id, (unit_id, detail) in fresh.items()
            ],
            ignore_conflicts=True,
        )
        added += len(fresh)
    return added


def _open_cases() -> Any:
    return Case.objects.filter(status__in=OPEN_STATUSES)


Cases = Iterable[int] | None  # the cases a sweep looks at (None: every case)
SWEEP_BATCH = 5000  # cases per IN list, candidate rows per write


def _batches(cases: Cases) -> Iterator[list[int] | None]:
    """The cases in batches of SWEEP_BATCH ids (bounded IN lists), or one None: every case."""
    if cases is None:
        yield None
        return
    yield from batched(sorted(set(cases)), SWEEP_BATCH)


def find_overdue(cases: Cases = None) -> int:
    found = 0
    for batch in _batches(cases):
        rows = (
            Clock.objects.filter(state=ClockState.RED, case__status__in=OPEN_STATUSES)
            .exclude(kind__in=WINDOW_KINDS)
            .values_list("case_id", "unit_id", "kind", "due_on")
        )
        if batch is not None:
            rows = rows.filter(case_id__in=batch)
        found += _add_candidates(
            CandidateReason.OVERDUE,
            (
                (case_id, unit_id, f"{clock_name(kind)}期限{due_on:%Y-%m-%d}届满")
                for case_id, unit_id, kind, due_on in rows.iterator(chunk_size=SWEEP_BATCH)
            ),
        )
    return found


def find_stalled(today: date) -> int:
    """Open cases with no progress event for N days (rule value `stalled_days` of the case's profile)."""
    found = 0
    national = RuleProfile.objects.filter(code=RuleProfile.NATIONAL_CODE).first()
    for profile_id in set(_open_cases().values_list("rule_profile_id", flat=True).distinct()):
        profile = RuleProfile.objects.filter(pk=profile_id).first() if profile_id else national
        days = rules_for_profile(profile)[RuleKey.STALLED_DAYS].value
        cutoff = timeutil.now() - timedelta(days=days)
        recent = CaseEvent.objects.filter(case_id=OuterRef("pk"), created_at__gte=cutoff).exclude(
            _NOT_PROGRESS
        )
        rows = (
            _open_cases()
            .filter(rule_profile_id=profile_id, registered_at__lt=cutoff)
            .exclude(Exists(recent))
            .values_list("pk", "handling_unit_id", "office_id")
        )
        found += _add_candidates(
            CandidateReason.STALLED,
            (
                (pk, unit or office, f"{days}日无进展")
                for pk, unit, office in rows.iterator(chunk_size=SWEEP_BATCH)
            ),
        )
    return found


def _counted(
    event_q: Q, reason: CandidateReason, detail: str, *, open_only: bool, cases: Cases = None
) -> int:
    found = 0
    for batch in _batches(cases):
        qs = Case.objects.filter(status__in=OPEN_STATUSES) if open_only else Case.objects.all()
        if batch is not None:
            qs = qs.filter(pk__in=batch)
        rows = (
            qs.annotate(n=Count("events", filter=event_q))
            .filter(n__gte=2)
            .values_list("pk", "handling_unit_id", "office_id", "n")
        )
        found += _add_candidates(
            reason,
            (
                (pk, unit or office, detail.format(n=n))
                for pk, unit, office, n in rows.iterator(chunk_size=SWEEP_BATCH)
            ),
        )
    return found


def find_returned_twice(cases: Cases = None) -> int:
    """退单: a case bounced back twice or more shows a routing problem (乱派单、推诿)."""
    return _counted(
        Q(events__event_type="return"),
        CandidateReason.RETURNED_TWICE,
        "已退回{n}次",
        open_only=True,
        cases=cases,
    )


def find_dissatisfied_twice(cases: Cases = None) -> int:
    return _counted(
        Q(events__event_type="rate", events__data__rating=Rating.DISSATISFIED),
        CandidateReason.DISSATISFIED_TWICE,
        "评价不满意{n}次",
        open_only=False,
        cases=cases,
    )


def escalate_overdue_orders(today: date) -> int:
    """An order unanswered past its deadline goes up to the unit above, as a new order of the next level;
    the flip is a compare-and-swap so two sweepers never escalate twice."""
    escalated = 0
    for order in SupervisionOrder.objects.filter(
        state=OrderState.OPEN, due_on__lt=today, unit__parent__isnull=False
    ).select_related("unit__parent", "case"):
        parent = _superior_allowed(order)
        if parent is None:
            continue  # nobody above may see the case (条例 §30¶3): the order stays open and overdue
        with transaction.atomic():
            if (
                SupervisionOrder.objects.filter(pk=order.pk, state=OrderState.OPEN).update(
                    state=OrderState.ESCALATED
                )
                != 1
            ):
                continue
            span = max((order.due_on - order.issued_at.date()).days, 1)
            higher = SupervisionOrder.objects.create(
                case=order.case,
                unit=parent,
                level=order.level + 1,
                escalated_from=order,
                candidate=order.candidate,
                instructions=(
                    f"{order.unit.name}未在{order.due_on:%Y年%m月%d日}前答复{order.level}级督办，"
                    f"请督促办理并答复。原督办要求：{order.instructions}"
                ),
                due_on=today + timedelta(days=span),
                issued_at=timeutil.now(),
            )
            event_record(
                case=order.case,
                event_type=EVENT_ESCALATED,
                actor=None,
                actor_unit=parent,
                data=_order_data(higher, also=_issuer(order))
                | {"from_order": order.pk, "from_unit_name": order.unit.name},
            )
        escalated += 1
    return escalated


def _superior_allowed(order: SupervisionOrder) -> Any:
    """The nearest unit above the order's unit that may see the case (never the accused or its superior)."""
    blocked = blocked_units(order.case)
    node = order.unit.parent
    while node is not None and node.pk in blocked:
        node = node.parent
    return node


def report_pending_major_urgent(cases: Cases = None) -> int:
    """Backstop for the immediate report: any major/urgent case without one gets it now."""
    reported = Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), event_type=EVENT_MAJOR_URGENT))
    count = 0
    for batch in _batches(cases):
        pending = Case.objects.filter(major_urgent=True).exclude(reported)
        if batch is not None:
            pending = pending.filter(pk__in=batch)
        for case in pending.select_related("office__territory", "territory"):
            report_major_urgent(case=case)
            count += 1
    return count


# An incremental minute looks again at the events of this long before its last run began, so an event
# whose transaction committed late (its created_at is set before COMMIT) is not missed.
SWEEP_OVERLAP = timedelta(minutes=10)


def sweep_supervision(*, today: date | None = None, incremental: bool = False) -> dict[str, int]:
    """One pass of the 督办 sweeper (run by the worker after the clock sweep).

    Full (the default, and the worker's first minute of each day): every case is looked at, and the
    stalled search (days without progress, which no event announces) runs. Incremental (the worker's
    other minutes, issue 15): only the cases that had an event since the last run began (less
    SWEEP_OVERLAP) — a clock turning red, a return, a rating, a reopening, a registration all write
    one — so a minute costs what happened in it, not the size of the case table. Every finder is
    idempotent (one candidate per case and reason; compare-and-swap escalation), so the two modes and
    two workers never add anything twice."""
    today = today or timeutil.today()
    started = timeutil.now()
    state, _ = SweepState.objects.get_or_create(key="supervision")
    cases: list[int] | None = None
    if incremental and state.full_on == today and state.last_run_at is not None:
        since = state.last_run_at - SWEEP_OVERLAP
        # up to this run's start: a later event is the next run's (its window begins before this start)
        window = CaseEvent.objects.filter(created_at__gte=since, created_at__lte=started)
        cases = list(window.values_list("case_id", flat=True).distinct())
    counts = {
        "candidate_overdue": find_overdue(cases),
        "candidate_stalled": find_stalled(today) if cases is None else 0,
        "candidate_returned_twice": find_returned_twice(cases),
        "candidate_dissatisfied_twice": find_dissatisfied_twice(cases),
        "order_escalated": escalate_overdue_orders(today),
        "major_urgent_reported": report_pending_major_urgent(cases),
    }
    SweepState.objects.filter(key="supervision").update(
        last_run_at=started, **({"full_on": today} if cases is None else {})
    )
    return counts


@transaction.atomic
def candidate_dismiss(*, candidate: SupervisionCandidate, actor: User, reason: str) -> SupervisionCandidate:
    """不予督办: the supervisor decides a candidate needs no order, with a reason that stays on the
    case's record (an event), so a dropped candidate is never silent. It is not proposed again for
    the same reason (one candidate per case and reason)."""
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(MSG_NOT_SUPERVISOR_DISMISS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请说明不予督办的理由", extra={"fields": {"reason": "请说明不予督办的理由"}})
    if (
        SupervisionCandidate.objects.filter(pk=candidate.pk, state=CandidateState.OPEN).update(
            state=CandidateState.DISMISSED
        )
        != 1
    ):
        raise TransitionNotAllowed("该督办线索已处理")
    candidate.refresh_from_db()
    event_record(
        case=candidate.case,
        event_type=EVENT_DISMISSED,
        actor=actor,
        data={"candidate": candidate.pk, "candidate_reason": candidate.reason, "detail": candidate.detail},
        reason=reason,
    )
    return candidate


# --- orders -------------------------------------------------------------------------------------


def _issuer(order: SupervisionOrder) -> list[int]:
    """The supervisor who issued the first order of an escalation chain (escalated orders have none)."""
    while order.issued_by_id is None and order.escalated_from_id is not None:
        order = SupervisionOrder.objects.only("issued_by_id", "escalated_from_id").get(
            pk=order.escalated_from_id
        )
    return [order.issued_by_id] if order.issued_by_id else []


def _order_data(order: SupervisionOrder, also: list[int] | None = None) -> dict[str, Any]:
    return {
        "order": order.pk,
        "unit": order.unit_id,
        "unit_name": order.unit.name,
        "level": order.level,
        "order_due_on": order.due_on.isoformat(),
        # staff to tell (notify app): everyone in the addressed unit who may answer, and `also`
        "notify_users": list(
            User.objects.filter(
                unit_id=order.unit_id, role__in=answer_roles(order.unit), is_active=True
            ).values_list("pk", flat=True)
        )
        + (also or []),
    }


@transaction.atomic
def order_issue(
    *,
    case: Case,
    actor: User,
    instructions: str,
    due_on: date,
    candidate: SupervisionCandidate | None = None,
) -> SupervisionOrder:
    """督办: a supervisor orders the responsible unit to act by a deadline (条例 §40¶1)."""
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(MSG_NOT_SUPERVISOR)
    instructions = (instructions or "").strip()
    errors = {}
    if not instructions:
        errors["instructions"] = "请填写督办要求"
    if due_on <= timeutil.today():
        errors["due_on"] = "答复期限须晚于今天"
    if errors:
        raise ValidationFailed(next(iter(errors.values())), extra={"fields": errors})
    unit = (candidate.unit if candidate else None) or case.handling_unit or case.office
    if unit.pk in blocked_units(case):
        raise ValidationFailed(MSG_ACCUSED_UNIT, extra={"fields": {"unit": MSG_ACCUSED_UNIT}})
    order = SupervisionOrder.objects.create(
        case=case,
        unit=unit,
        candidate=candidate,
        instructions=instructions,
        due_on=due_on,
        issued_by=actor,
        issued_at=timeutil.now(),
    )
    if candidate is not None:
        SupervisionCandidate.objects.filter(pk=candidate.pk).update(state=CandidateState.ORDERED)
    event_record(case=case, event_type=EVENT_ORDER, actor=actor, data=_order_data(order), reason=instructions)
    return order


@transaction.atomic
def order_answer(*, order: SupervisionOrder, actor: User, answer: str) -> SupervisionOrder:
    """The addressed unit answers the 督办 order (what it did, what it will do)."""
    order = SupervisionOrder.objects.select_for_update().select_related("case", "unit").get(pk=order.pk)
    if not may_answer(actor, order):
        raise PermissionDenied(MSG_NOT_ADDRESSEE)
    if order.state != OrderState.OPEN:
        raise TransitionNotAllowed(MSG_ORDER_CLOSED.format(state=order.get_state_display()))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed("请填写答复内容", extra={"fields": {"answer": "请填写答复内容"}})
    now = timeutil.now()
    order.state = OrderState.ANSWERED
    order.answer = answer
    order.answered_by = actor
    order.answered_at = now
    order.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    event_record(
        case=order.case,
        event_type=EVENT_ANSWER,
        actor=actor,
        data={
            "order": order.pk,
            "level": order.level,
            "late": now.date() > order.due_on,
            "notify_users": _issuer(order),
        },
        reason=answer,
    )
    return order


# --- major / urgent -----------------------------------------------------------------------------


def urgent_recipients(case: Case) -> list[User]:
    """The leaders configured for the case's jurisdiction (and above); if none is configured, the
    active leaders of the registering office's territory, so that the report always reaches someone."""
    place = case.territory or case.office.territory
    paths = [t.path for t in place.ancestors()]
    configured = list(
        User.objects.filter(
            pk__in=UrgentReportRecipient.objects.filter(territory__path__in=paths).values("leader_id"),
            is_active=True,
        )
    )
    if configured:
        return configured
    return list(User.objects.filter(role=Role.LEADER, is_active=True, unit__territory=case.office.territory))


@transaction.atomic
def report_major_urgent(*, case: Case, actor: User | None = None) -> CaseEvent:
    """条例 §25: a major/urgent matter is reported at once to the jurisdiction's leaders; the event's
    timestamp proves the report was timely (不得隐瞒、谎报、缓报, §46(四)). Reported once: the outbox's
    delivery and the 督办 sweep may both find the case unreported at the same moment (they run in two
    processes), so they serialise on the case's row and the second finds the first's report."""
    Case.objects.select_for_update().filter(pk=case.pk).first()  # a no-op on SQLite (ADR 0002)
    existing = CaseEvent.objects.filter(case_id=case.pk, event_type=EVENT_MAJOR_URGENT).order_by("id").first()
    if existing is not None:
        return existing
    leaders = urgent_recipients(case)
    return event_record(
        case=case,
        event_type=EVENT_MAJOR_URGENT,
        actor=actor,
        actor_unit=case.office,
        data={
            "recipients": [u.pk for u in leaders],
            "recipient_names": [str(u) for u in leaders],
            "notify_users": [u.pk for u in leaders],
        },
    )
