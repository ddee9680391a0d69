"""The import's own case event: the mark on an imported case's timeline (issue 11 item 6). Internal:
the petitioner is not told (a historical record, not a new step), nobody is notified."""

from __future__ import annotations

from huiyin.core.registry import EventType, Phase

EVENTS = (EventType("import", "历史数据导入", Phase.REGISTRATION),)
