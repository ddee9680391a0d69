"""The reception records about a case, for the staff case page's 关联事项 panel (Module.case_links).

The case page opens only for a reader who may see the case (the accused side never does, 条例 §30¶3);
each link is further limited to what the reader may open: a session's agenda for those who work with
it (selectors.sessions_for), the hall's referrals for the hall and the window's unit, and the case's
领导批示 for anyone who sees the case.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from huiyin.core import registry
from huiyin.reception.choices import BookingStatus, SessionKind

MODULE = "领导接待"


def case_links(case: Any, user: Any) -> list[registry.CaseLink]:
    from huiyin.reception import permissions, selectors
    from huiyin.reception.models import Booking, HallReferral, Instruction

    if not getattr(user, "is_authenticated", False):
        return []
    links: list[registry.CaseLink] = []
    bookings = list(
        Booking.objects.filter(case=case)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("session__leader")
    )
    open_ids = set(
        selectors.sessions_for(user)
        .filter(pk__in=[b.session_id for b in bookings])
        .values_list("pk", flat=True)
    )
    agenda = reverse("reception_agenda")
    for b in bookings:
        if b.session_id not in open_ids:
            continue
        s = b.session
        kind = "领导接待日" if s.kind == SessionKind.DAY else s.get_kind_display()
        note = b.get_outcome_display() if b.outcome else b.get_status_display()
        links.append(
            registry.CaseLink(
                module=MODULE,
                label=f"{s.date:%Y年%m月%d日} {s.leader}{kind}（预约号{b.code}）",
                url=f"{agenda}?session={s.pk}",
                note=note,
            )
        )
    for i in Instruction.objects.filter(case=case).select_related("leader", "unit"):
        links.append(
            registry.CaseLink(
                module="领导批示",
                label=f"{i.leader}批示：交{i.unit}于{i.deadline:%Y年%m月%d日}前办理",
                url=reverse("case_instructions", args=[case.code]),
                note="已落实" if i.answered_at else "落实中",
            )
        )
    role = getattr(user, "role", None)
    hall_q = HallReferral.objects.filter(case=case).select_related("window__unit")
    if role in permissions.WINDOW:
        hall_q = hall_q.filter(window__unit_id=user.unit_id)
    elif role in permissions.SEND | permissions.MANAGE:
        hall_q = hall_q.filter(window__office_id=user.unit_id)
    else:
        hall_q = hall_q.none()
    for r in hall_q:
        links.append(
            registry.CaseLink(
                module="一站式接待",
                label=f"{r.sent_at:%Y年%m月%d日} 分流至{r.window.number}号窗口（{r.window.unit}）",
                url=reverse("reception_hall"),
                note=r.get_status_display(),
            )
        )
    return links
