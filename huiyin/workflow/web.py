"""What the staff screens show of a case's workflow: its clocks as colours, its timeline in words, and
the case page's context with the actions `allowed_actions` offers (used by the staff desk, the
workflow's action panels and supervision's lists; issue 10, ADR 0008)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from huiyin.cases import selectors
from huiyin.cases.choices import (
    Adoption,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    Outcome,
    Rating,
    RootCause,
)
from huiyin.cases.models import Case, CaseEvent
from huiyin.core import registry, timeutil
from huiyin.org.choices import UnitKind
from huiyin.org.rules import days_text
from huiyin.org.views import nav_context
from huiyin.workflow.choices import LIVE_STATES, WINDOW_KINDS, ClockKind, ClockState
from huiyin.workflow.clocks import extension_rule, rules_for_case
from huiyin.workflow.models import Clock
from huiyin.workflow.routing import accused_unknown, suggest_unit
from huiyin.workflow.selectors import case_extras
from huiyin.workflow.services import allowed_actions
from huiyin.workflow.transitions import ACTION_LABELS, Action

PAGE_SIZE = 25


@dataclass(frozen=True)
class ClockView:
    """A clock as the screen shows it: what runs, until when, and its colour."""

    clock: Clock
    label: str
    days_left: int
    colour: str  # green / yellow / red / paused / window / done
    # "10日" / "5个工作日": the days the clock was extended, in the unit of the case's extension rule
    # (a province may state it in 工作日, core.workdays.DayUnit); empty when never extended
    extended_text: str = ""

    @property
    def text(self) -> str:
        if self.colour == "done":
            return self.clock.get_state_display()
        if self.colour == "paused":
            return "暂停（听证中）"
        if self.days_left < 0:
            return f"超期{-self.days_left}日"
        if self.days_left == 0:
            return "今日到期"
        return f"剩{self.days_left}日"


def clock_view(clock: Clock, today: date, extension_unit: str = "") -> ClockView:
    left = (clock.due_on - today).days
    if clock.state not in LIVE_STATES:
        colour = "done"
    elif clock.state == ClockState.PAUSED:
        colour = "paused"
    elif clock.kind in WINDOW_KINDS:
        colour = "window"
    elif clock.state == ClockState.RED or left < 0:
        colour = "red"
    elif clock.state == ClockState.YELLOW or today >= clock.warn_on:
        colour = "yellow"
    else:
        colour = "green"
    extended = (
        days_text(clock.extended_days, extension_unit or clock.rule_unit) if clock.extended_days else ""
    )
    return ClockView(clock, clock.label, left, colour, extended)


def most_urgent(clocks: list[Clock], today: date) -> ClockView | None:
    """The office's nearest deadline; a petitioner's window only when nothing else runs."""
    if not clocks:
        return None
    duties = [c for c in clocks if c.kind not in WINDOW_KINDS and c.state != ClockState.PAUSED]
    pick = min(duties or clocks, key=lambda c: (c.due_on, c.pk))
    return clock_view(pick, today)


def with_live_clocks(qs: QuerySet[Case]) -> QuerySet[Case]:
    live = Clock.objects.filter(state__in=LIVE_STATES).order_by("due_on", "id")
    return qs.prefetch_related(Prefetch("clocks", queryset=live, to_attr="live_clocks"))


def case_rows(page: Page[Case]) -> list[dict[str, Any]]:
    today = timeutil.today()
    return [{"case": c, "clock": most_urgent(c.live_clocks, today)} for c in page.object_list]  # type: ignore[attr-defined]


def paginate(request: HttpRequest, qs: QuerySet[Case]) -> Page[Case]:
    return Paginator(with_live_clocks(qs), PAGE_SIZE).get_page(request.GET.get("page"))


def event_summary(ev: CaseEvent) -> str:
    """One line of what an event changed, from its typed data."""
    d = ev.data or {}
    parts: list[str] = []
    if ev.event_type.startswith("clock_") and d.get("clock") in ClockKind.values:
        parts.append(f"{ClockKind(d['clock']).label}，期满日{d.get('due_on', '')}")
    if d.get("reason_code") in NotAcceptedReason.values:
        parts.append(NotAcceptedReason(d["reason_code"]).label)
    if d.get("target_label"):
        parts.append(f"引导至：{d['target_label']}")
    if d.get("into_code"):
        parts.append(f"并入 {d['into_code']}")
    if ev.event_type == "set_accused":
        parts.append(
            f"被反映单位：{d.get('accused_unit_name') or ('不属于本系统单位' if d.get('no_unit') else '')}"
        )
    if ev.event_type == "clear_conflict_bar" and d.get("staff_name"):
        parts.append(f"已核实{d['staff_name']}非被反映人")
    if d.get("to_office_name"):
        parts.append(f"移交至：{d['to_office_name']}")
    if d.get("unit_name"):
        parts.append(
            f"{'被督办单位' if ev.event_type.startswith('supervision_') else '承办单位'}：{d['unit_name']}"
        )
    if d.get("co_units"):
        parts.append("协办单位：" + "、".join(c.get("unit_name", "") for c in d["co_units"]))
    if d.get("decider_name"):
        parts.append(f"报请{d['decider_name']}决定")
    if d.get("leader_name"):
        parts.append(f"包案领导：{d['leader_name']}")
    if d.get("recipient_names") is not None and ev.event_type == "major_urgent_report":
        parts.append("报告：" + ("、".join(d["recipient_names"]) or "未配置报告对象"))
    if d.get("deadline"):
        parts.append(f"交办期限：{d['deadline']}")
    if d.get("days"):
        # the period as the event wrote it, in the extension rule's own unit ("5个工作日"); older events: 日
        parts.append(f"延期{d.get('period') or str(d['days']) + '日'}，办理期限至{d.get('new_due_on', '')}")
    if d.get("decision") in Decision.values:
        parts.append(f"处理意见：{Decision(d['decision']).label}")
    if d.get("method") in DeliveryMethod.values:
        parts.append(f"{DeliveryMethod(d['method']).label}，送达日期{d.get('delivered_on', '')}")
    if d.get("rating") in Rating.values:
        solved = {True: "问题已解决", False: "问题未解决"}.get(bool(d["solved"]), "") if "solved" in d else ""
        parts.append("评价：" + Rating(d["rating"]).label + (f"，{solved}" if solved else ""))
    if d.get("review_unit_name"):
        parts.append(f"复查机关：{d['review_unit_name']}")
    if d.get("rereview_unit_name"):
        parts.append(f"复核机关：{d['rereview_unit_name']}")
    if d.get("paused_days") is not None and ev.event_type == "hearing_end":
        parts.append(f"听证{d['paused_days']}日不计入，复核期限至{d.get('new_due_on', '')}")
    if d.get("target") in DivertTarget.values and not d.get("target_label"):
        parts.append(DivertTarget(d["target"]).label)
    # issue 10 (t10-types): 诉访分离 hand-over, suggestion adoption (§29), closing outcome (§27, §42)
    if d.get("to_unit_name"):
        parts.append(f"移交：{d['to_unit_name']}")
    if d.get("clocks_stop_reason"):
        parts.append(d["clocks_stop_reason"])
    if d.get("adoption") in Adoption.values:
        parts.append(f"采纳情况：{Adoption(d['adoption']).label}")
    if d.get("outcome") in Outcome.values and ev.event_type == "close":
        where = f"（{d['resolved_unit_name']}）" if d.get("resolved_unit_name") else ""
        parts.append(f"化解情况：{Outcome(d['outcome']).label}{where}")
    if d.get("root_cause") in RootCause.values:
        parts.append(f"问题成因：{RootCause(d['root_cause']).label}")
    parts += _t10_summary(ev, d)
    return "；".join(parts)


def _t10_summary(ev: CaseEvent, d: dict[str, Any]) -> list[str]:
    """RG-3, JU-3, HD-10, SV-3 (t10-rules): what their events record."""
    parts: list[str] = []
    if d.get("direct"):
        parts.append("本单位直接收到（《信访工作条例》第二十三条第一款）")
    if d.get("skipped_levels"):
        parts.append(
            "越级走访"
            + (f"，有权处理的机关：{d['competent_unit_name']}" if d.get("competent_unit_name") else "")
        )
    if d.get("organ") and ev.event_type == "direct_redirect":
        parts.append(f"告知向{d['organ']}提出")
    if d.get("notice_method") in DeliveryMethod.values and ev.event_type.startswith("direct_"):
        parts.append(f"告知方式：{DeliveryMethod(d['notice_method']).label}")
    if d.get("kind_label") and d.get("organ_name"):
        parts.append(f"{d['kind_label']}：{d['organ_name']}")
    if d.get("outcome_label"):
        parts.append(f"结果：{d['outcome_label']}")
    if ev.event_type == "followup_planned" and d.get("due_on"):
        parts.append(f"计划跟进日期：{d['due_on']}")
    if ev.event_type.startswith("suggestion_"):
        if d.get("to_unit_name"):
            parts.append(f"{d.get('kind_label', '')}：{d['to_unit_name']}，书面反馈期限{d.get('due_on', '')}")
        if d.get("adoption_label"):
            parts.append(f"采纳情况：{d['adoption_label']}")
    return parts


def timeline(case: Case) -> list[dict[str, Any]]:
    events = case.events.select_related("actor", "actor_unit").order_by("created_at", "id")
    return [
        {
            "event": ev,
            "label": registry.event_label(ev.event_type),
            "summary": event_summary(ev),
            "css": "ev-clock-red"
            if ev.event_type == "clock_red"
            else ("ev-clock" if ev.event_type.startswith("clock_") else ""),
        }
        for ev in events
    ]


def case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the case page shows (also used under an action form that failed)."""
    today = timeutil.today()
    # an extension counts in the unit of the case type's extension rule, not the clock's own (条例 §34)
    extension_unit = extension_rule(case, rules_for_case(case)).unit
    clocks = [
        clock_view(c, today, extension_unit) for c in Clock.objects.filter(case=case).select_related("unit")
    ]
    actions = allowed_actions(case, request.user)  # type: ignore[arg-type]
    return {
        **nav_context(request),
        "case": case,
        "live_clocks": [c for c in clocks if c.colour != "done"],
        "past_clocks": [c for c in clocks if c.colour == "done"],
        # 诉访分离 (条例 §28¶2): why the petition clocks stopped, when they were handed over
        "clocks_stop_reason": next((c.clock.stop_reason for c in clocks if c.clock.stop_reason), ""),
        "events": timeline(case),
        "opinions": list(case.opinions.select_related("issued_unit", "issued_by")),
        "attachments": list(case.attachments.all()),
        "merged_cases": list(
            selectors.visible_to(request.user).filter(merged_into=case).only("code", "title")  # type: ignore[arg-type]
        ),
        "actions": [{"name": str(a), "label": ACTION_LABELS[a]} for a in actions],
        "suggestion": suggest_unit(case) if Action.FORWARD in actions or Action.ACCEPT in actions else None,
        "can_forward": Action.FORWARD in actions,
        **_accused_context(case, actions),
        **case_extras(case),
        **_t10_context(request, case),
    }


def _t10_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """RG-3, CF-3, HD-10 on the case page. A retaliation report (CF-3) is linked both ways only for
    those who may see the other case: the original's handling unit, if accused, never learns of it."""
    visible = selectors.visible_to(request.user)  # type: ignore[arg-type]
    original = case.retaliation_of
    return {
        "received_directly": case.office.kind != UnitKind.PETITION_OFFICE,
        "retaliation_original": original if original and visible.filter(pk=original.pk).exists() else None,
        "retaliation_reports": list(visible.filter(retaliation_of=case).only("code", "title")),
        "aftercare_count": case.assistance_referrals.count() + case.follow_ups.count(),
    }


def _accused_context(case: Case, actions: list[Action]) -> dict[str, Any]:
    """An accusation the office has not yet tied to a unit: say so, with the assist's reading of the
    text (ADR 0005: it cannot leave the office until the accused unit is set)."""
    unknown = accused_unknown(case)
    can_set = Action.SET_ACCUSED in actions
    hints = registry.aid("accused_unit_hints")  # the assist's, when it is installed
    return {
        "accused_unknown": unknown,
        "can_set_accused": can_set,
        "accused_hints": hints(case) if hints is not None and unknown and can_set else [],
    }
