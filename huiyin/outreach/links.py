"""The case page's 关联事项 from outreach (core.registry Module.case_links): the 民情日记 entry a case was
found on, or the 恳谈会 it was raised at — only for a user who may open that record (the same scoping as
its own page: the point's or meeting's territory, or one's own entry). The link names the place and the
date, never whom the cadre met (条例 §30¶3: the entry's page itself redacts for the accused side)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from huiyin.core.registry import CaseLink
from huiyin.outreach import selectors
from huiyin.outreach.models import MeetingIssue, Problem

MODULE = "走访与恳谈"


def case_links(case: Any, user: Any) -> list[CaseLink]:
    links: list[CaseLink] = []
    problem = (
        Problem.objects.filter(case_id=case.pk, entry__in=selectors.entries_visible_to(user))
        .select_related("entry__point__territory")
        .first()
    )
    if problem is not None:
        entry = problem.entry
        links.append(
            CaseLink(
                module=MODULE,
                label=f"民情日记：{entry.point.territory.name}·{entry.point.name}",
                url=reverse("outreach_entry", kwargs={"entry": entry.pk}),
                note=f"{entry.visited_on:%Y-%m-%d} 走访发现，本人同意登记",
            )
        )
    issue = (
        MeetingIssue.objects.filter(case_id=case.pk, meeting__in=selectors.meetings_visible_to(user))
        .select_related("meeting")
        .first()
    )
    if issue is not None:
        meeting = issue.meeting
        links.append(
            CaseLink(
                module=MODULE,
                label=f"{meeting.get_kind_display()}：{meeting.title}",
                url=reverse("outreach_meeting", kwargs={"meeting": meeting.pk}),
                note=f"{meeting.held_on:%Y-%m-%d} 会上提出，本人同意登记",
            )
        )
    return links
