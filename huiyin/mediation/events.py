"""Mediation's case event types (ADR 0007): a petition case sent to mediation, and the mediation's end."""

from __future__ import annotations

from huiyin.core.registry import EventType, Phase

EVENT_SENT = "mediation_opened"
EVENT_ENDED = "mediation_ended"


def _citizen_sent(event: object) -> str:
    return (
        "您反映的事项已转入调解。调解自愿，您可以拒绝或随时要求终止调解，调解不影响您通过诉讼等途径维护权利。"
    )


EVENTS = (
    EventType(EVENT_SENT, "转入调解", Phase.MODULE, citizen=_citizen_sent),
    EventType(EVENT_ENDED, "调解结束", Phase.MODULE),
)
