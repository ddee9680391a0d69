"""Work notices to staff: who must hear of a case event, and what they are told (SPEC §3.3, §3.9).

Each event type says in the registry (huiyin.core.registry, declared by its app) what its notice says
and who is told: the people who must act next get a notice in their 通知 inbox, a copy by e-mail when
their account has an address, and an SMS when the type is urgent (a major/urgent report, 条例 §25
立即报告; an escalated 督办).

Confidentiality (条例 §30¶3): nobody in the accused unit or the unit directly above it is ever told,
whatever the event names; the text carries the case code, the step, the units and the deadline, never
the petitioner's identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from huiyin.cases.confidentiality import accused_side_units
from huiyin.cases.models import CaseEvent
from huiyin.core import registry, timeutil
from huiyin.notify.choices import Medium, MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.notify.services import make_notification, render
from huiyin.org.models import User

DUE_KEYS = ("accept_due_on", "order_due_on", "deadline", "due_on")


def _declared(event: CaseEvent) -> registry.EventType:
    """The event's declared type; an undeclared one (an old row of a removed type) tells nobody."""
    try:
        return registry.event_type(event.event_type)
    except registry.UnknownEventType:
        return registry.EventType(event.event_type, event.event_type, registry.Phase.MODULE)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _due(event: CaseEvent) -> date | None:
    for key in DUE_KEYS:
        value = (event.data or {}).get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def describe(event: CaseEvent) -> tuple[str, str]:
    """(title, text) of the notice for `event`."""
    data = event.data or {}
    values = _Blank(data)
    values["reason"] = (event.reason or "").strip()[:120]
    values["actor"] = str(event.actor) if event.actor else ""
    values["units"] = "、".join(data.get("unit_names") or [])
    values["late"] = "（逾期）" if data.get("late") else ""
    waiting = data.get("co_waiting")
    values["waiting"] = (
        "协办单位已全部报送，请汇总后统一答复（一揽子解决）。"
        if waiting == 0
        else f"尚待{waiting}个协办单位报送。"
    )
    et = _declared(event)
    if et.notice_values is not None:
        values.update(et.notice_values(event))
    case = event.case
    title = f"{et.label}｜{case.code}"
    text = (et.notice or "{reason}").format_map(values)
    return title[:120], f"{case.code}「{case.title[:40]}」：{text}"[:300]


def recipients(event: CaseEvent) -> list[User]:
    """Who is told of `event`: never the actor, never an inactive account, never the accused side."""
    find = _declared(event).tells
    ids = find(event) if find else set()
    ids.discard(event.actor_id)
    if not ids:
        return []
    blocked = accused_side_units(event.case)  # 条例 §30¶3: never the accused side (ADR 0005)
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(unit_id__in=blocked)
        .select_related("unit")
        .order_by("pk")
    )


def notices_for_event(event: CaseEvent) -> tuple[list[StaffNotice], list[Notification]]:
    """Make the inbox notices (and e-mail/SMS copies) `event` owes staff; idempotent per event."""
    if _declared(event).tells is None:
        return [], []
    people = recipients(event)
    if not people:
        return [], []
    title, text = describe(event)
    due = _due(event)
    # the e-mail/SMS copy says the same to everyone: rendered once (None: the template is switched off)
    copy = render(
        MessageKind.STAFF_NOTICE,
        {
            "title": title,
            "text": text,
            "due_on": f"{due:%Y-%m-%d}" if due else "",
            "link": reverse("case_detail", args=[event.case.code]),
        },
    )
    notices: list[StaffNotice] = []
    messages: list[Notification] = []
    for user in people:
        try:
            with transaction.atomic():
                notice = StaffNotice.objects.create(
                    user=user,
                    case=event.case,
                    event=event,
                    kind=event.event_type,
                    title=title,
                    text=text,
                    due_on=due,
                    created_at=event.created_at,  # when it happened (the inbox is in event order)
                )
        except IntegrityError:
            continue  # already made for this person (the signal ran twice)
        notices.append(notice)
        addresses = [(Medium.EMAIL, user.email.strip())]
        if _declared(event).urgent:
            addresses.append((Medium.SMS, user.phone.strip()))
        for medium, address in addresses:
            if not (address and copy):
                continue
            made = make_notification(
                case=event.case,
                event=event,
                kind=MessageKind.STAFF_NOTICE,
                medium=medium,
                recipient=address,
                dedupe=f"staff:{event.pk}:{user.pk}:{medium}",
                rendered=copy,
            )
            if made is not None:
                messages.append(made)
    return notices, messages


def notice_direct(
    *, user: User, kind: str, title: str, text: str, link: str, due_on: date | None = None
) -> StaffNotice | None:
    """A work notice not tied to a case event (a module's own record: a reception session a head is
    invited to). The caller says what the text may reveal — it names no petitioner, never a matter the
    reader may not see (条例 §30¶3); an inactive account is not told. `link` is a path on this site."""
    if not user.is_active or not link.startswith("/") or link.startswith("//"):
        return None
    return StaffNotice.objects.create(
        user=user,
        case=None,
        event=None,
        link=link[:200],
        kind=kind[:40],
        title=title[:120],
        text=text[:300],
        due_on=due_on,
        created_at=timeutil.now(),
    )


def inbox(user: User, *, unread_only: bool = False) -> Any:
    found = StaffNotice.objects.filter(user=user).select_related("case")
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(user: User) -> int:
    return inbox(user, unread_only=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when `ids` is None); another person's are untouched."""
    found = StaffNotice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        found = found.filter(pk__in=list(ids))
    return found.update(read_at=timeutil.now())
