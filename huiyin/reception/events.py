"""Leader reception's case event types (ADR 0007), written only through huiyin.cases.events.event_record.

- reception_booked: a booking that names the person's case (the citizen sees the appointment);
- reception_visit: the outcome of a visit (the citizen sees who received them and what came of it,
  never the office's internal note);
- reception_cancelled: the session the person booked was cancelled (the citizen is told why and to book
  another);
- reception_agenda: the evening before, the leader (and the heads invited) are told the matter is on
  tomorrow's agenda — a work notice, never shown to the petitioner;
- reception_invite: a department head is asked to attend the session (现场办公, seeds/002 rule 4): a work
  notice to the people named, never shown to the petitioner.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from huiyin.core.registry import EventType, Phase
from huiyin.reception.choices import EVENT_INVITE, EVENT_VISIT, Outcome
from huiyin.workflow.events import named_in_data

EVENT_BOOKED = "reception_booked"
EVENT_CANCELLED = "reception_cancelled"
EVENT_AGENDA = "reception_agenda"


def _d(event: Any, key: str) -> str:
    return str((event.data or {}).get(key) or "")


def _booked(event: Any) -> str:
    return _("您已预约%(date)s %(leader)s的领导接待日接待，请按时到%(place)s。") % {
        "date": _d(event, "date"),
        "leader": _d(event, "leader_title"),
        "place": _d(event, "place"),
    }


def _visit(event: Any) -> str:
    outcome = _d(event, "outcome")
    label = Outcome(outcome).label if outcome in Outcome.values else outcome
    text = _("%(date)s %(leader)s在领导接待日接待了您，接待结果：%(outcome)s") % {
        "date": _d(event, "date"),
        "leader": _d(event, "leader_title"),
        "outcome": label,
    }
    if outcome == Outcome.LEADER_CASE:
        text += _("，由%(leader)s包案负责，直至事项办结") % {"leader": _d(event, "leader_title")}
    if outcome == Outcome.ASSIGNED and _d(event, "deadline"):
        text += _("，已交%(unit)s于%(deadline)s前办结") % {
            "unit": _d(event, "unit_name"),
            "deadline": _d(event, "deadline"),
        }
    return text + _("。")


def _cancelled(event: Any) -> str:
    return _("您预约的%(date)s %(leader)s的领导接待因%(reason)s取消，请另行预约。") % {
        "date": _d(event, "date"),
        "leader": _d(event, "leader_title"),
        "reason": _d(event, "reason"),
    }


EVENTS = (
    EventType(EVENT_BOOKED, "预约领导接待", Phase.MODULE, citizen=_booked),
    EventType(EVENT_CANCELLED, "领导接待场次取消", Phase.MODULE, citizen=_cancelled),
    EventType(
        EVENT_AGENDA,
        "明日领导接待议程",
        Phase.MODULE,
        notice="明天（{date}）{time}在{place}接待：{title}",
        tells=named_in_data,
    ),
    EventType(
        EVENT_VISIT,
        "领导接待",
        Phase.MODULE,
        citizen=_visit,
        notice="{leader_title}接待来访，结果：{outcome_label}",
        tells=named_in_data,
    ),
    EventType(
        EVENT_INVITE,
        "邀请参加领导接待（现场办公）",
        Phase.MODULE,
        notice="请于{date} {time}到{place}参加{leader_title}的领导接待日现场办公：{title}",
        tells=named_in_data,
    ),
)


def _all() -> tuple[EventType, ...]:
    from huiyin.reception.instructions import EVENTS as INSTRUCTION_EVENTS

    return (*EVENTS, *INSTRUCTION_EVENTS)
