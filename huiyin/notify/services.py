"""Queue, render and deliver messages to petitioners. A failing backend never blocks or loses a case:
the case is committed before any message is made, each message is a row with its delivery record, and
failed rows are retried with back-off by `notifications_retry` (queued by the worker)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context, Engine
from django.utils import timezone

from huiyin.cases.choices import AssignmentKind, Decision, NotAcceptedReason, OpinionStage
from huiyin.cases.models import Case, CaseEvent, Opinion
from huiyin.core import registry, timeutil
from huiyin.notify.backends import Message, backend_for
from huiyin.notify.choices import DeliveryState, Medium, MessageKind
from huiyin.notify.defaults import DEFAULT_TEMPLATES, SIGNATURE
from huiyin.notify.models import CaseContact, MessageTemplate, Notification
from huiyin.org.rules import days_text
from huiyin.workflow.choices import LIVE_STATES, ClockKind
from huiyin.workflow.models import Clock

log = logging.getLogger(__name__)
_ENGINE = Engine(autoescape=False)  # plain text: SMS and text e-mail are not HTML

WINDOW_LABELS = {ClockKind.REVIEW_WINDOW: "请求复查", ClockKind.REREVIEW_WINDOW: "请求复核"}
DUE_CLOCK = {
    MessageKind.ACCEPT_ASSIGNMENT: ClockKind.HANDLING,
    MessageKind.DIRECT_HANDLE: ClockKind.HANDLING,  # t10-law, 条例 §23¶1, §34
    MessageKind.REQUEST_REVIEW: ClockKind.REVIEW,
    MessageKind.REQUEST_REREVIEW: ClockKind.REREVIEW,
}


def message_kind(event_type: str) -> MessageKind | None:
    """The message the petitioner gets for an event type, as its app declared it (regulations.md
    RG-3..5, HD-7, RV-1..3); None for an internal step or an undeclared type."""
    try:
        declared = registry.event_type(event_type).message
    except registry.UnknownEventType:
        return None
    return MessageKind(declared) if declared else None


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("HUIYIN_NOTIFY_MAX_ATTEMPTS", 8))


def track_url() -> str:
    return str(_setting("HUIYIN_PORTAL_URL", "/public/track/"))


def render(kind: MessageKind | str, context: dict[str, Any]) -> tuple[str, str] | None:
    """(subject, body) for a message kind, from the administrators' template; None if switched off."""
    template = MessageTemplate.objects.filter(kind=kind).first()
    if template is not None and not template.is_active:
        return None
    subject, body = (
        (template.subject, template.body) if template is not None else DEFAULT_TEMPLATES[MessageKind(kind)]
    )
    ctx = Context({"track_url": track_url(), **context})
    return (
        _ENGINE.from_string(subject).render(ctx).strip(),
        SIGNATURE + _ENGINE.from_string(body).render(ctx).strip(),
    )


def recipients_for(case: Case) -> list[tuple[str, str]]:
    """(medium, address) pairs for a case: the phones this case's own submission carried for its
    petitioners (representatives only for a collective visit) and any address they gave for notices.
    Nobody if the identity is unclear.

    The phone is the party row's, never the petitioner's stored one: someone who typed another
    person's ID number hears about their own submission only, and the person's other cases keep
    reaching the person (issue 9, hole 1)."""
    parties = case.parties.all()
    if case.is_collective:
        parties = parties.filter(is_representative=True)
    found: list[tuple[str, str]] = []
    for party in parties:
        phone = party.phone.strip()
        if phone and (Medium.SMS, phone) not in found:
            found.append((Medium.SMS, phone))
    for contact in CaseContact.objects.filter(case=case).order_by("id"):
        if (contact.medium, contact.address) not in found:
            found.append((contact.medium, contact.address))
    return found


def _due(case: Case, kind: ClockKind, event: CaseEvent | None = None) -> date | None:
    """The due date of the case's live clock of `kind`; for a message about `event`, else the clock the
    event started, even if it has stopped since (a message rendered late, after the case moved on,
    still names the date promised then: the demo's 258 "将在前办结", issue 10 item 11)."""
    clocks = Clock.objects.filter(case=case, kind=kind)
    clock = clocks.filter(state__in=LIVE_STATES).order_by("-id").first()
    if clock is None and event is not None:
        clock = clocks.filter(started_on__lte=timezone.localdate(event.created_at)).order_by("-id").first()
    return clock.due_on if clock else None


def _day(value: Any) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str) and len(value) == 10:
        try:
            return _day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value or "")


def event_context(event: CaseEvent, kind: MessageKind) -> dict[str, Any]:
    """What a message about `event` may say: codes, unit names, dates and reasons — never staff names."""
    case = event.case
    data = event.data or {}
    ctx: dict[str, Any] = {
        "code": case.code,
        "office": case.office.name,
        "unit": data.get("unit_name") or data.get("to_office_name") or data.get("target_label") or "",
        "reason": event.reason,
        "days": data.get("days", ""),
        "new_due_on": _day(data.get("new_due_on")),
        "review_unit": data.get("review_unit_name", ""),
        "rereview_unit": data.get("rereview_unit_name", ""),
        "window": "",
        "due_on": _day(data.get("answer_due_on")),
        "decision": "",
    }
    # t10-law: a day count in its rule's own unit ("5个工作日"), never "日" assumed
    ctx["period"] = data.get("period") or (f"{data['days']}日" if data.get("days") else "")
    if data.get("reason_code") in NotAcceptedReason.values:
        ctx["reason_label"] = NotAcceptedReason(data["reason_code"]).label
    if kind in DUE_CLOCK:
        ctx["due_on"] = _day(_due(case, DUE_CLOCK[kind], event))
    if kind == MessageKind.DIRECT_ROUTE:
        # t10-law, 条例 §23¶1, ¶3: where it went, and the day that organ tells the petitioner it accepted it
        ctx["route"] = AssignmentKind(data["kind"]).label if data.get("kind") in AssignmentKind.values else ""
        ctx["due_on"] = _day(data.get("acceptance_due_on"))
    if kind == MessageKind.DIRECT_REDIRECT:
        ctx["organ"] = data.get("organ", "")  # t10-law, 条例 §23¶1: the competent organ to approach
    if kind == MessageKind.ACCEPT_ASSIGNMENT:
        ctx["days"] = data.get("handling_days", "")
        if data.get("handling_days"):
            ctx["period"] = days_text(int(data["handling_days"]), data.get("handling_unit") or "calendar_day")
        ctx["due_on"] = ctx["due_on"] or _day(data.get("due_on"))
    opinion_id = data.get("opinion")
    if opinion_id:
        opinion = Opinion.objects.filter(pk=opinion_id).select_related("issued_unit").first()
        if opinion is not None:
            ctx["unit"] = opinion.issued_unit.name
            ctx["decision"] = (
                OpinionStage(opinion.stage).label
                if kind == MessageKind.DELIVER
                else Decision(opinion.decision).label
            )
    if kind == MessageKind.DELIVER:
        for clock_kind, label in WINDOW_LABELS.items():
            due = _due(case, clock_kind)
            if due is not None:
                ctx["window"], ctx["due_on"] = label, _day(due)
    return ctx


def make_notification(
    *,
    case: Case | None,
    event: CaseEvent | None,
    kind: MessageKind,
    medium: str,
    recipient: str,
    dedupe: str,
    rendered: tuple[str, str],
) -> Notification | None:
    now = timeutil.now()
    try:
        with transaction.atomic():
            return Notification.objects.create(
                case=case,
                event=event,
                dedupe_key=dedupe[:200],
                kind=kind,
                medium=medium,
                recipient=recipient,
                subject=rendered[0][:200],
                body=rendered[1],
                created_at=now,
                # the retry sweep picks a row up if its first delivery task never ran
                next_attempt_at=now + timedelta(minutes=1),
            )
    except IntegrityError:
        return None  # already made (the signal or a sweep ran twice)


def notifications_for_event(event: CaseEvent) -> list[Notification]:
    """Make the messages an event owes the petitioner (one per address); idempotent per event."""
    kind = message_kind(event.event_type)
    if kind is None:
        return []
    case = event.case
    rendered = render(kind, event_context(event, kind))
    if rendered is None:
        return []
    made = []
    for medium, address in recipients_for(case):
        n = make_notification(
            case=case,
            event=event,
            kind=kind,
            medium=medium,
            recipient=address,
            dedupe=f"event:{event.pk}:{medium}:{address}",
            rendered=rendered,
        )
        if n is not None:
            made.append(n)
    return made


def notification_direct(
    *, kind: MessageKind, medium: str, recipient: str, context: dict[str, Any], dedupe: str
) -> Notification | None:
    """A message not tied to a case event (e.g. a one-time sign-in code)."""
    rendered = render(kind, context)
    if rendered is None:
        return None
    return make_notification(
        case=None, event=None, kind=kind, medium=medium, recipient=recipient, dedupe=dedupe, rendered=rendered
    )


def notification_deliver(notification_id: int) -> str:
    """Try to deliver one message now; record the outcome. Returns the resulting state.

    The attempt is claimed with a compare-and-swap on `attempts`, so a task and the retry sweep
    never send the same message twice at once.
    """
    n = Notification.objects.filter(pk=notification_id).first()
    if n is None or n.state not in (DeliveryState.PENDING, DeliveryState.FAILED):
        return n.state if n else "missing"
    now = timeutil.now()
    lease = now + timedelta(minutes=10)  # if this process dies mid-send, the sweep tries again later
    claimed = Notification.objects.filter(
        pk=n.pk, attempts=n.attempts, state__in=(DeliveryState.PENDING, DeliveryState.FAILED)
    ).update(attempts=F("attempts") + 1, next_attempt_at=lease)
    if claimed != 1:
        return n.state
    attempts = n.attempts + 1
    path = ""
    try:
        path, backend = backend_for(n.medium)
        backend.send(Message(n.medium, n.recipient, n.subject, n.body))
    except Exception as exc:  # any backend failure is recorded, never raised into the workflow
        log.warning("notification %s failed (attempt %s): %s", n.pk, attempts, exc)
        gave_up = attempts >= max_attempts()
        Notification.objects.filter(pk=n.pk).update(
            state=DeliveryState.GAVE_UP if gave_up else DeliveryState.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            backend=path[:200],
            next_attempt_at=None if gave_up else now + backoff(attempts),
        )
        return DeliveryState.GAVE_UP if gave_up else DeliveryState.FAILED
    Notification.objects.filter(pk=n.pk).update(
        state=DeliveryState.SENT, sent_at=now, backend=path[:200], next_attempt_at=None, last_error=""
    )
    return DeliveryState.SENT


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2**attempts, 360))


def notifications_due(now: Any = None, limit: int = 200) -> list[int]:
    now = now or timeutil.now()
    return list(
        Notification.objects.filter(
            state__in=(DeliveryState.PENDING, DeliveryState.FAILED), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def window_reminders(today: date | None = None) -> list[Notification]:
    """Remind petitioners a few days before their 复查/复核 window closes (once per window)."""
    today = today or timeutil.today()
    days = int(_setting("HUIYIN_NOTIFY_WINDOW_REMINDER_DAYS", 5))
    clocks = Clock.objects.filter(
        Q(kind__in=list(WINDOW_LABELS)),
        state__in=LIVE_STATES,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=days),
    ).select_related("case")
    made = []
    for clock in clocks:
        ctx = {
            "code": clock.case.code,
            "window": WINDOW_LABELS[ClockKind(clock.kind)],
            "due_on": _day(clock.due_on),
        }
        rendered = render(MessageKind.WINDOW_REMINDER, ctx)
        if rendered is None:
            break
        for medium, address in recipients_for(clock.case):
            n = make_notification(
                case=clock.case,
                event=None,
                kind=MessageKind.WINDOW_REMINDER,
                medium=medium,
                recipient=address,
                dedupe=f"clock:{clock.pk}:reminder:{medium}:{address}",
                rendered=rendered,
            )
            if n is not None:
                made.append(n)
    return made


def notifications_retry() -> dict[str, int]:
    """The periodic sweep: make due window reminders, then deliver every due or failed message."""
    counts = {"reminders": len(window_reminders())}
    for pk in notifications_due():
        state = notification_deliver(pk)
        counts[state] = counts.get(state, 0) + 1
    return counts


def enqueue_delivery(notifications: list[Notification]) -> None:
    """Queue one delivery task per message; if the queue is down, the retry sweep delivers later."""
    from huiyin.notify.tasks import send_notification

    for n in notifications:
        try:
            send_notification.enqueue(n.pk)
        except Exception as exc:
            log.warning("could not queue notification %s (the sweep will retry): %s", n.pk, exc)
