"""Start, stop, extend, pause and sweep statutory clocks. Dates come from `core/workdays.py`."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from django.db import connection, transaction

from huiyin.cases.choices import PetitionType
from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.calendar import current_calendar
from huiyin.core.workdays import DayUnit, add_days, warning_date, working_days_between
from huiyin.org.choices import RuleKey, ValueUnit
from huiyin.org.models import Unit
from huiyin.org.selectors import Rule, case_rules
from huiyin.workflow.choices import LIVE_STATES, WINDOW_KINDS, ClockKind, ClockState
from huiyin.workflow.models import Clock

KIND_RULES: dict[ClockKind, RuleKey] = {
    ClockKind.ROUTING: RuleKey.ROUTING_DAYS,
    ClockKind.NOTICE: RuleKey.NOTICE_DAYS,
    ClockKind.OBJECTION: RuleKey.OBJECTION_DAYS,
    ClockKind.HANDLING: RuleKey.HANDLING_DAYS,
    ClockKind.REVIEW_WINDOW: RuleKey.REVIEW_REQUEST_DAYS,
    ClockKind.REVIEW: RuleKey.REVIEW_DAYS,
    ClockKind.REREVIEW_WINDOW: RuleKey.REREVIEW_REQUEST_DAYS,
    ClockKind.REREVIEW: RuleKey.REREVIEW_DAYS,
    ClockKind.DISPUTE: RuleKey.DISPUTE_DAYS,
    ClockKind.REVIEW_ACCEPTANCE: RuleKey.REVIEW_ACCEPT_DAYS,
    ClockKind.UNIT_ACCEPTANCE: RuleKey.UNIT_ACCEPT_DAYS,
}


# 条例 §29, §30, §34 (issue 10, HD-1): the handling clock of a suggestion or an accusation runs on its own
# rule value; only a §31(六) 申诉求决 matter runs the 60 days of §34 (KIND_RULES).
TYPE_RULES: dict[tuple[str, ClockKind], RuleKey] = {
    (PetitionType.SUGGESTION, ClockKind.HANDLING): RuleKey.SUGGESTION_DAYS,
    (PetitionType.ACCUSATION, ClockKind.HANDLING): RuleKey.ACCUSATION_DAYS,
}


def rule_key_for(case: Case, kind: ClockKind) -> RuleKey:
    """The rule value a clock of `kind` runs on for this case: its petition type's, else the kind's."""
    return TYPE_RULES.get((case.petition_type, kind), KIND_RULES[kind])


def _day_unit(unit: str) -> DayUnit:
    return DayUnit.WORKING if unit == ValueUnit.WORKING_DAY else DayUnit.CALENDAR


def _warning_fraction(rules: dict[RuleKey, Rule]) -> Fraction:
    return Fraction(rules[RuleKey.WARNING_PERCENT].value, 100)


def start_clock(
    *, case: Case, kind: ClockKind, unit: Unit | None, rules: dict[RuleKey, Rule], trigger: str, on: date
) -> Clock:
    """Start the statutory clock `kind` on day `on` (day 0) with the jurisdiction's rule value for the
    case's petition type (条例 §29, §30, §34)."""
    clock = new_clock(case=case, kind=kind, unit=unit, rules=rules, trigger=trigger, on=on)
    clock.save()
    return clock


def new_clock(
    *, case: Case, kind: ClockKind, unit: Unit | None, rules: dict[RuleKey, Rule], trigger: str, on: date
) -> Clock:
    """The clock `start_clock` would start, not yet saved (intake saves its clocks in one INSERT)."""
    rule = rules[rule_key_for(case, kind)]
    unit_kind = _day_unit(rule.unit)
    deadline = add_days(
        on,
        rule.value,
        unit_kind,
        current_calendar(),
        roll_over_holiday=bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value),
    )
    return Clock(
        case=case,
        kind=kind,
        unit=unit,
        rule_days=rule.value,
        rule_unit=rule.unit,
        rule_article=rule.article,
        trigger=trigger,
        started_on=on,
        due_on=deadline.due,
        warn_on=warning_date(on, deadline.due, _warning_fraction(rules)),
        beyond_calendar=deadline.beyond_calendar,
    )


def statutory_due(kind: ClockKind, rules: dict[RuleKey, Rule], *, on: date, case: Case | None = None) -> date:
    """The due date clock `kind` would have if it started on `on` (to bound a date a person sets); for
    `case`, on its petition type's rule value (条例 §29, §30, §34; t10-law), as `start_clock` would."""
    rule = rules[rule_key_for(case, kind) if case is not None else KIND_RULES[kind]]
    return add_days(
        on,
        rule.value,
        _day_unit(rule.unit),
        current_calendar(),
        roll_over_holiday=bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value),
    ).due


def start_deadline_clock(
    *,
    case: Case,
    kind: ClockKind,
    unit: Unit | None,
    due_on: date,
    rules: dict[RuleKey, Rule],
    trigger: str,
    on: date,
    article: str,
) -> Clock:
    """Start a clock whose due date a person set (the 交办 deadline, 条例 §22¶1(三))."""
    return Clock.objects.create(
        case=case,
        kind=kind,
        unit=unit,
        rule_days=(due_on - on).days,
        rule_unit=ValueUnit.CALENDAR_DAY,
        rule_article=article,
        trigger=trigger,
        started_on=on,
        due_on=due_on,
        warn_on=warning_date(on, due_on, _warning_fraction(rules)),
        beyond_calendar=not current_calendar().covers(due_on),
    )


def live_clocks(
    case: Case, kinds: tuple[ClockKind, ...] | None = None, *, unit: Unit | None = None
) -> list[Clock]:
    qs = Clock.objects.filter(case=case, state__in=LIVE_STATES)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return list(qs)


def stop_clocks(
    case: Case, kinds: tuple[ClockKind, ...] | None, *, on: date, unit: Unit | None = None
) -> list[dict[str, str]]:
    """Stop the live clocks of `kinds` (all if None, only `unit`'s if given): met if on time, late if
    not, windows cancelled."""
    stopped = []
    for clock in live_clocks(case, kinds, unit=unit):
        if clock.kind in WINDOW_KINDS:
            clock.state = ClockState.CANCELLED
        else:
            clock.state = ClockState.MET if on <= clock.due_on else ClockState.LATE
        clock.stopped_on = on
        clock.save(update_fields=["state", "stopped_on"])
        stopped.append({"clock": clock.kind, "state": clock.state, "due_on": clock.due_on.isoformat()})
    return stopped


def hand_over_clocks(case: Case, *, on: date, reason: str) -> list[dict[str, str]]:
    """Stop every live clock because the matter left the ordinary petition procedure (诉访分离, 条例 §28¶2,
    §31(一)–(五); §23¶4: the 纪检监察/政法 organ follows its own rules): neither met nor late, with the
    reason shown on the case page and the petitioner's timeline."""
    stopped = []
    for clock in live_clocks(case):
        clock.state = ClockState.HANDED_OVER
        clock.stopped_on = on
        clock.stop_reason = reason
        clock.save(update_fields=["state", "stopped_on", "stop_reason"])
        stopped.append({"clock": clock.kind, "state": clock.state, "due_on": clock.due_on.isoformat()})
    return stopped


def cancel_clocks(
    case: Case, kinds: tuple[ClockKind, ...] | None, *, on: date, unit: Unit | None = None
) -> list[dict[str, str]]:
    cancelled = []
    for clock in live_clocks(case, kinds, unit=unit):
        clock.state = ClockState.CANCELLED
        clock.stopped_on = on
        clock.save(update_fields=["state", "stopped_on"])
        cancelled.append({"clock": clock.kind, "state": clock.state})
    return cancelled


def _state_on(clock: Clock, day: date) -> ClockState:
    return (
        ClockState.RED
        if day > clock.due_on
        else ClockState.YELLOW
        if day >= clock.warn_on
        else ClockState.RUNNING
    )


def _move_due(clock: Clock, n: int, unit: DayUnit, rules: dict[RuleKey, Rule]) -> None:
    """Push the due date `n` days of `unit` later and recompute the warning day."""
    deadline = add_days(
        clock.due_on,
        n,
        unit,
        current_calendar(),
        roll_over_holiday=unit == DayUnit.CALENDAR and bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value),
    )
    clock.due_on = deadline.due
    clock.warn_on = warning_date(clock.started_on, clock.due_on, _warning_fraction(rules))
    clock.beyond_calendar = (
        clock.beyond_calendar or deadline.beyond_calendar or not current_calendar().covers(clock.due_on)
    )


# t10-law: each petition type's extension ceiling (条例 §34 for 申诉求决; §29, §30 have their own values)
EXTENSION_RULES: dict[str, RuleKey] = {
    PetitionType.SUGGESTION: RuleKey.SUGGESTION_EXTENSION_DAYS,
    PetitionType.ACCUSATION: RuleKey.ACCUSATION_EXTENSION_DAYS,
}


def extension_rule(case: Case, rules: dict[RuleKey, Rule]) -> Rule:
    """The extension ceiling a case's handling clock runs on: its petition type's, else §34's."""
    return rules[EXTENSION_RULES.get(case.petition_type, RuleKey.EXTENSION_MAX_DAYS)]


def extension_ceiling(clock: Clock, case: Case, rules: dict[RuleKey, Rule]) -> date:
    """The latest due date a handling clock may reach (条例 §34: "自受理之日起60日内办结 … 延长不得超过
    30日"): its start, plus its own rule value, plus the type's extension ceiling, plus the days a hearing
    paused it — each counted in its own unit, on the holiday calendar."""
    calendar = current_calendar()
    roll = bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value)
    due = add_days(
        clock.started_on, clock.rule_days, _day_unit(clock.rule_unit), calendar, roll_over_holiday=roll
    )
    if clock.paused_days:
        due = add_days(
            due.due, clock.paused_days, _day_unit(clock.rule_unit), calendar, roll_over_holiday=roll
        )
    ceiling = extension_rule(case, rules)
    unit = _day_unit(ceiling.unit)
    return add_days(
        due.due, ceiling.value, unit, calendar, roll_over_holiday=unit == DayUnit.CALENDAR and roll
    ).due


def extended_due(clock: Clock, days: int, case: Case, rules: dict[RuleKey, Rule]) -> date:
    """The due date `extend_clock` would give, without changing the clock."""
    unit = _day_unit(extension_rule(case, rules).unit)
    return add_days(
        clock.due_on,
        days,
        unit,
        current_calendar(),
        roll_over_holiday=unit == DayUnit.CALENDAR and bool(rules[RuleKey.ROLL_OVER_HOLIDAY].value),
    ).due


def extend_clock(clock: Clock, days: int, rules: dict[RuleKey, Rule]) -> None:
    """Move the due date `days` later, counted in the unit of the case type's extension rule (条例 §34:
    ≤30日; a province that states its extension in 工作日 gets working days), and recompute the warning."""
    _move_due(clock, days, _day_unit(extension_rule(clock.case, rules).unit), rules)
    clock.extended_days += days
    if clock.state in (ClockState.YELLOW, ClockState.RED):
        clock.state = _state_on(clock, timeutil.today())
    clock.save(update_fields=["due_on", "extended_days", "warn_on", "beyond_calendar", "state"])


def pause_clock(clock: Clock, *, on: date) -> None:
    """条例 §36¶2: time spent on a hearing does not count toward the 复核 limit."""
    clock.state = ClockState.PAUSED
    clock.paused_on = on
    clock.save(update_fields=["state", "paused_on"])


def paused_span(clock: Clock, *, on: date) -> int:
    """Days of the hearing that do not count (条例 §36¶2), in the clock's own unit: every day from the
    first hearing day to the last, both included, so a hearing held and ended on one day still pauses
    that day; under a working-day rule only the working days among them."""
    assert clock.paused_on is not None
    if _day_unit(clock.rule_unit) == DayUnit.WORKING:
        return working_days_between(clock.paused_on - timedelta(days=1), on, current_calendar())
    return (on - clock.paused_on).days + 1


def resume_clock(clock: Clock, *, on: date, rules: dict[RuleKey, Rule]) -> int:
    """Resume a paused clock, pushing its due date back by the paused days counted in the clock's own
    unit (条例 §36¶2); return them."""
    paused = paused_span(clock, on=on)
    clock.paused_days += paused
    clock.paused_on = None
    _move_due(clock, paused, _day_unit(clock.rule_unit), rules)
    clock.state = _state_on(clock, on)
    clock.save(update_fields=["state", "paused_on", "paused_days", "due_on", "warn_on", "beyond_calendar"])
    return paused


# After a sweep that flipped this many clocks the planner's statistics are refreshed (a first sweep
# over an imported archive, a holiday's backlog): its row counts per state are otherwise stale.
ANALYZE_AFTER = 5000


def _flip_to(kind: str, due_on: date, warn_on: date, today: date) -> tuple[str, ClockState] | None:
    """The event and colour a live clock takes on `today`; red wins over yellow, windows expire."""
    if kind in WINDOW_KINDS:
        return ("clock_expired", ClockState.EXPIRED) if due_on < today else None
    if due_on < today:
        return "clock_red", ClockState.RED
    if warn_on <= today:
        return "clock_yellow", ClockState.YELLOW
    return None


def sweep_clocks(*, today: date | None = None, batch: int = 1000) -> dict[str, int]:
    """Flip clocks that crossed their warning or due date; each flip is a compare-and-swap and an event,
    so running two sweepers at once never escalates a clock twice.

    Incremental (issue 15): only clocks whose `next_flip_at` (the first day of their next colour, kept
    by the database) has come are read, through a partial index that holds live, unflipped clocks only,
    so a minute in which nothing crosses a threshold costs one empty index probe."""
    today = today or timeutil.today()
    now = timeutil.now()
    counts: dict[str, int] = {}
    while True:
        candidates = list(
            Clock.objects.filter(next_flip_at__lte=today)
            .order_by()
            .values_list("id", "case_id", "state", "kind", "due_on", "warn_on", "unit_id")[:batch]
        )
        flipped = 0
        for clock_id, case_id, old_state, kind, due_on, warn_on, unit_id in candidates:
            target = _flip_to(kind, due_on, warn_on, today)
            if target is None:
                continue
            event_type, new_state = target
            # the flip, its event and the event's outbox row commit together or not at all
            with transaction.atomic():
                if Clock.objects.filter(id=clock_id, state=old_state).update(state=new_state) != 1:
                    continue  # another sweeper got there first
                flipped += 1
                # announced like any event: the unit's staff get a yellow/red work notice (ADR 0006)
                event_record(
                    case=case_id,
                    event_type=event_type,
                    from_status="",
                    to_status="",
                    actor_unit=unit_id,
                    data={"clock": kind, "due_on": due_on.isoformat(), "from": old_state, "to": new_state},
                    created_at=now,
                )
            counts[event_type] = counts.get(event_type, 0) + 1
        if flipped == 0:
            break
    if sum(counts.values()) >= ANALYZE_AFTER:
        analyze_clocks()
    return counts


def analyze_clocks() -> None:
    """Refresh the planner's statistics of the clock table after a bulk change of states."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Clock._meta.db_table}")


def rules_for_case(case: Case) -> dict[RuleKey, Rule]:
    """The rules the case was registered under (a profile switch applies to new cases only)."""
    return case_rules(case)
