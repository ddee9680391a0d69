"""Outreach's case event types (ADR 0007): the link from a case to the diary entry it was found in."""

from __future__ import annotations

from huiyin.core.registry import EventType, Phase
from huiyin.outreach.choices import EVENT_DIARY_LINK

EVENTS = (
    EventType(
        EVENT_DIARY_LINK,
        "走访发现（民情日记）",
        Phase.MODULE,
        # what it means for the person: a cadre wrote it down with their consent; nothing to do
        citizen=lambda e: "干部走访时记录了您反映的问题，经您同意登记为信访事项",
    ),
)
