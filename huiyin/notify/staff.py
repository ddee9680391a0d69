"""Work notices to staff: who must hear of a case event, and what they are told (SPEC §3.3, §3.9).

Every routing step, objection, competence dispute, co-handling report, 包案, 回避 and every step of the
督办 chain, and every clock turning yellow or red, reaches the people who must act next: a notice in
their 通知 inbox, a copy by e-mail when their account has an address, and an SMS for a major/urgent
report (条例 §25: 立即报告) or an escalated 督办. Recipients are derived from the event's data (and,
for a few kinds, the case's office or handling unit as it stands).

Confidentiality (条例 §30¶3): nobody in the accused unit or the unit directly above it is ever told,
whatever the event names; the text carries the case code, the step, the units and the deadline, never
the petitioner's identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from huiyin.cases.models import CaseEvent
from huiyin.core import timeutil
from huiyin.notify.choices import Medium, MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.notify.services import make_notification, render
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.supervision.choices import (
    EVENT_ANSWER,
    EVENT_ESCALATED,
    EVENT_MAJOR_URGENT,
    EVENT_ORDER,
    EVENT_SUGGESTION,
)
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.events import EVENT_LABELS
from huiyin.workflow.routing import blocked_units
from huiyin.workflow.transitions import Action

HANDLING_ROLES = (Role.HANDLER, Role.UNIT_HEAD)  # who works a case in a responsible unit or organ
OFFICE_ROLES = (Role.DISPATCHER, Role.UNIT_HEAD)  # who routes a case in a petition office
DECIDER_ROLES = (Role.HANDLER, Role.UNIT_HEAD, Role.LEADER)  # who may decide a competence dispute
CLOCK_ROLES = (Role.HANDLER, Role.UNIT_HEAD, Role.DISPATCHER)  # whoever works in the clock's unit
URGENT_SMS = frozenset({EVENT_MAJOR_URGENT, EVENT_ESCALATED})  # also sent to the person's phone

Recipients = Callable[[CaseEvent], set[int]]


def unit_staff(unit_ids: Iterable[int | None], roles: Iterable[str]) -> set[int]:
    """Active accounts with one of `roles` in any of the units."""
    ids = [u for u in unit_ids if u]
    if not ids:
        return set()
    return set(
        User.objects.filter(unit_id__in=ids, role__in=list(roles), is_active=True).values_list(
            "pk", flat=True
        )
    )


def _data(event: CaseEvent, key: str) -> Any:
    return (event.data or {}).get(key)


def _routed(event: CaseEvent) -> set[int]:
    """交办/转送: the lead unit and every co-handling unit (一揽子解决)."""
    co = [c.get("unit") for c in _data(event, "co_units") or []]
    return unit_staff([_data(event, "unit"), *co], HANDLING_ROLES)


def _handling_unit(event: CaseEvent) -> set[int]:
    return unit_staff([event.case.handling_unit_id], HANDLING_ROLES)


def _key(key: str, roles: tuple[str, ...]) -> Recipients:
    return lambda event: unit_staff([_data(event, key)], roles)


def _decided(event: CaseEvent) -> set[int]:
    """The unit now competent, and the unit that had the case before the decision."""
    return unit_staff([_data(event, "unit"), _data(event, "from_unit")], HANDLING_ROLES)


def _listed(event: CaseEvent) -> set[int]:
    """The services name the people themselves (督办 addressees, the issuer, leaders, unit heads)."""
    return {int(pk) for pk in _data(event, "notify_users") or []}


def _clock_unit(event: CaseEvent) -> set[int]:
    """A clock turning yellow or red: the people of the unit whose clock it is (the sweeper's event
    names it as the acting unit)."""
    return unit_staff([event.actor_unit_id], CLOCK_ROLES)


RECIPIENTS: dict[str, Recipients] = {
    "clock_yellow": _clock_unit,
    "clock_red": _clock_unit,
    Action.ASSIGN: _routed,
    Action.FORWARD: _routed,
    Action.TRANSFER: _key("to_office", OFFICE_ROLES),
    # 条例 §23¶3: the office that routed the case decides on the objection.
    Action.OBJECT: lambda event: unit_staff([event.case.office_id], OFFICE_ROLES),
    Action.RETURN: _key("from_unit", HANDLING_ROLES),
    Action.DISMISS_OBJECTION: _handling_unit,
    Action.CO_REPORT: _handling_unit,  # the lead unit consolidates and replies once
    Action.REFER_DISPUTE: _key("decider", DECIDER_ROLES),  # 条例 §24
    Action.DECIDE_DISPUTE: _decided,
    Action.REQUEST_REVIEW: _key("review_unit", HANDLING_ROLES),  # 条例 §35
    Action.REQUEST_REREVIEW: _key("rereview_unit", HANDLING_ROLES),  # 条例 §36
    Action.ATTACH_LEADER: lambda event: {int(_data(event, "leader"))} if _data(event, "leader") else set(),
    Action.RECUSE: _listed,
    EVENT_ORDER: _listed,
    EVENT_ANSWER: _listed,
    EVENT_ESCALATED: _listed,
    EVENT_MAJOR_URGENT: _listed,
}

TEXTS: dict[str, str] = {
    "clock_yellow": "时限「{clock_label}」将于{due_on}届满（黄灯），请抓紧办理。",
    "clock_red": "时限「{clock_label}」已于{due_on}届满，已超期（红灯），将列入督办线索。",
    Action.ASSIGN: "事项已交{unit_name}办理，须在期限内办结并报告结果（条例第二十二条）。",
    Action.FORWARD: "事项已转送{unit_name}办理。如认为不属本单位职责，可在5个工作日内提出异议。",
    Action.TRANSFER: "事项已移交{to_office_name}，请在期限内区分处理。",
    Action.OBJECT: "承办单位对转送/交办提出异议：{reason}",
    Action.RETURN: "信访部门同意异议，事项已从本单位退回。",
    Action.DISMISS_OBJECTION: "信访部门不同意异议，事项仍由本单位办理：{reason}",
    Action.CO_REPORT: "{unit_name}已报送协办情况；{waiting}",
    Action.REFER_DISPUTE: "{units}对管辖有争议，报请{decider_name}决定（条例第二十四条）。",
    Action.DECIDE_DISPUTE: "管辖争议已决定由{unit_name}办理：{reason}",
    Action.REQUEST_REVIEW: "信访人请求复查，由{review_unit_name}复查（条例第三十五条）。",
    Action.REQUEST_REREVIEW: "信访人请求复核，由{rereview_unit_name}复核（条例第三十六条）。",
    Action.ATTACH_LEADER: "{leader_name}为本事项包案领导。",
    Action.RECUSE: "{actor}已回避（条例第二十八条），请安排其他工作人员办理：{reason}",
    EVENT_ORDER: "{unit_name}被督办：{reason}",
    EVENT_ANSWER: "被督办单位已答复{late}：{reason}",
    EVENT_ESCALATED: "{unit_name}逾期未答复督办，升级为第{level}级督办。",
    EVENT_MAJOR_URGENT: "重大、紧急信访事项，请立即研究处置（条例第二十五条）。",
}

# t10-rules: RG-3 (条例 §23¶1) — the unit below is told like any forwarded or assigned unit; SV-3 (§40¶4)
# — the organ a suggestion about a case went to is told when its written feedback is due.
RECIPIENTS[Action.DIRECT_ROUTE] = _routed
TEXTS[Action.DIRECT_ROUTE] = (
    "上级单位直接收到的事项已转交{unit_name}办理；如认为不属本单位职责，可在规定期限内提出异议。"
)
RECIPIENTS[EVENT_SUGGESTION] = _key("to_unit", HANDLING_ROLES + (Role.LEADER,))
TEXTS[EVENT_SUGGESTION] = "信访部门提出{kind_label}，请于{due_on}前书面反馈采纳情况（条例第四十条第四款）。"

DUE_KEYS = ("accept_due_on", "order_due_on", "deadline", "due_on")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _due(event: CaseEvent) -> date | None:
    for key in DUE_KEYS:
        value = _data(event, key)
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
    if data.get("clock") in ClockKind.values:
        values["clock_label"] = ClockKind(data["clock"]).label.split("（")[0]
    case = event.case
    title = f"{EVENT_LABELS.get(event.event_type, event.event_type)}｜{case.code}"
    text = TEXTS.get(event.event_type, "{reason}").format_map(values)
    return title[:120], f"{case.code}「{case.title[:40]}」：{text}"[:300]


def recipients(event: CaseEvent) -> list[User]:
    """Who is told of `event`: never the actor, never an inactive account, never the accused side."""
    find = RECIPIENTS.get(event.event_type)
    ids = find(event) if find else set()
    ids.discard(event.actor_id)
    if not ids:
        return []
    blocked = blocked_units(event.case)
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .exclude(unit_id__in=blocked)
        .select_related("unit")
        .order_by("pk")
    )


def notices_for_event(event: CaseEvent) -> tuple[list[StaffNotice], list[Notification]]:
    """Make the inbox notices (and e-mail/SMS copies) `event` owes staff; idempotent per event."""
    if event.event_type not in RECIPIENTS:
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
        if event.event_type in URGENT_SMS:
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
