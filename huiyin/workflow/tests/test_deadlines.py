"""Statutory clocks against the holiday calendar: 调休 weekends, Golden Weeks, year ends, extensions,
paused re-reviews and dates beyond the calendar's coverage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huiyin.core.errors import ValidationFailed
from huiyin.core.models import HolidayOverride
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.models import Clock


def _clock(case, kind):
    return Clock.objects.filter(case=case, kind=kind).latest("id")


def _assigned_on(day, clock, register_case, dispatcher_zhou, org):
    clock.set(day)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    return wf.case_assign(
        case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=day + timedelta(days=30)
    )


@pytest.mark.parametrize(
    ("assigned_on", "objection_due", "why"),
    [
        (
            date(2025, 9, 30),
            date(2025, 10, 14),
            "National Day 1–8 Oct skipped, Saturday 11 Oct is a 调休 working day",
        ),
        (date(2025, 9, 26), date(2025, 10, 10), "Sunday 28 Sep is a 调休 working day"),
        (date(2026, 2, 13), date(2026, 2, 27), "Saturday 14 Feb works, Spring Festival 15–23 Feb is skipped"),
        (date(2025, 12, 31), date(2026, 1, 8), "New Year's Day across the year boundary"),
    ],
)
def test_the_objection_window_counts_five_working_days_on_the_holiday_calendar(
    assigned_on, objection_due, why, clock, register_case, dispatcher_zhou, org
):
    # 条例 §23¶3: the only working-day limit in the regulations
    case = _assigned_on(assigned_on, clock, register_case, dispatcher_zhou, org)
    objection = _clock(case, ClockKind.OBJECTION)
    assert objection.due_on == objection_due, why
    assert not objection.beyond_calendar


def test_an_objection_on_the_sixth_working_day_is_refused(
    clock, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = _assigned_on(date(2025, 9, 30), clock, register_case, dispatcher_zhou, org)
    clock.set(date(2025, 10, 15))
    with pytest.raises(wf.TransitionNotAllowed, match="5个工作日"):
        wf.case_object(case=case, actor=handler_wang_unit_a, reason="不属本单位")


def test_an_objection_on_the_last_working_day_is_accepted(
    clock, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = _assigned_on(date(2025, 9, 30), clock, register_case, dispatcher_zhou, org)
    clock.set(date(2025, 10, 14))
    case = wf.case_object(case=case, actor=handler_wang_unit_a, reason="不属本单位")
    assert case.objection_pending


def test_a_deadline_beyond_the_known_calendar_is_computed_on_weekends_and_flagged(
    clock, register_case, dispatcher_zhou, org
):
    # the tests' calendar knows 2026 but not 2027 (conftest._calendar_as_published): Monday 4 Jan 2027 is the 5th weekday after 28 Dec 2026
    case = _assigned_on(date(2026, 12, 28), clock, register_case, dispatcher_zhou, org)
    objection = _clock(case, ClockKind.OBJECTION)
    assert objection.due_on == date(2027, 1, 4)
    assert objection.beyond_calendar


def test_an_administrator_override_moves_a_working_day_deadline(clock, register_case, dispatcher_zhou, org):
    # given the administrator declares Wednesday 8 Oct 2025 a working day (it is a holiday in the package)
    HolidayOverride.objects.create(day=date(2025, 10, 8), is_workday=True, name="示例调整")
    case = _assigned_on(date(2025, 9, 30), clock, register_case, dispatcher_zhou, org)
    assert _clock(case, ClockKind.OBJECTION).due_on == date(2025, 10, 13)


def test_routing_is_fifteen_calendar_days_across_the_year_end(clock, register_case):
    clock.set(date(2025, 12, 20))
    case = register_case()
    assert _clock(case, ClockKind.ROUTING).due_on == date(2026, 1, 4)
    assert _clock(case, ClockKind.NOTICE).due_on == date(2026, 1, 4)


def test_a_calendar_day_limit_ending_on_a_holiday_rolls_over_only_when_the_profile_says_so(
    clock, register_case, org
):
    # 15 days after 16 Sep 2025 is 1 Oct (National Day)
    clock.set(date(2025, 9, 16))
    assert _clock(register_case(), ClockKind.ROUTING).due_on == date(2025, 10, 1)
    profile = RuleProfile.objects.create(code="rollover", name="顺延", based_on=RuleProfile.national())
    RuleValue.objects.create(profile=profile, key="roll_over_holiday", value=1, unit="flag", article="测试")
    org.county.rule_profile = profile
    org.county.save()
    assert _clock(register_case(territory_id=org.county.pk), ClockKind.ROUTING).due_on == date(2025, 10, 9)


def test_no_notice_clock_runs_when_the_identity_is_unclear(clock, register_case):
    # 条例 §23¶2: no written notice is owed when name or address is unclear
    case = register_case(petitioners=[], identity_unclear=True)
    assert not Clock.objects.filter(case=case, kind=ClockKind.NOTICE).exists()
    assert Clock.objects.filter(case=case, kind=ClockKind.ROUTING).exists()


def test_an_extension_moves_the_handling_deadline_and_is_capped_at_thirty_days(
    clock, register_case, dispatcher_zhou, head_sun_unit_a, org
):
    case = _assigned_on(date(2025, 3, 3), clock, register_case, dispatcher_zhou, org)
    assert _clock(case, ClockKind.HANDLING).due_on == date(2025, 5, 2)
    case = wf.case_extend(case=case, actor=head_sun_unit_a, days=20, reason="需现场勘验")
    assert _clock(case, ClockKind.HANDLING).due_on == date(2025, 5, 22)
    with pytest.raises(ValidationFailed, match="不得超过30日"):
        wf.case_extend(case=case, actor=head_sun_unit_a, days=11, reason="再延")
    case = wf.case_extend(case=case, actor=head_sun_unit_a, days=10, reason="再延")
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.due_on, handling.extended_days) == (date(2025, 6, 1), 30)
    assert case.events.filter(event_type="extend").count() == 2


def test_an_extension_in_working_days_skips_the_labour_day_holiday_34(
    clock, register_case, dispatcher_zhou, head_sun_unit_a, org
):
    # a profile stating the extension in 工作日: handling due Fri 2 May 2025 (inside the 1–5 May
    # holiday); five working days later: Tue 6, Wed 7, Thu 8, Fri 9, Mon 12 May
    profile = RuleProfile.objects.create(code="wdext", name="工作日延期", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile, key="extension_max_days", value=30, unit="working_day", article="测试"
    )
    org.county.rule_profile = profile
    org.county.save()
    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(territory_id=org.county.pk), actor=dispatcher_zhou)
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 4, 2))
    assert _clock(case, ClockKind.HANDLING).due_on == date(2025, 5, 2)
    case = wf.case_extend(case=case, actor=head_sun_unit_a, days=5, reason="需现场勘验")
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.due_on, handling.extended_days) == (date(2025, 5, 12), 5)


def test_only_the_unit_head_may_extend(clock, register_case, dispatcher_zhou, handler_wang_unit_a, org):
    case = _assigned_on(date(2025, 3, 3), clock, register_case, dispatcher_zhou, org)
    with pytest.raises(wf.PermissionDenied):
        wf.case_extend(case=case, actor=handler_wang_unit_a, days=5, reason="情况复杂")


def test_the_sweeper_turns_a_clock_yellow_at_two_thirds_and_red_after_the_due_day_once(
    clock, register_case, dispatcher_zhou, org
):
    case = _assigned_on(date(2025, 3, 3), clock, register_case, dispatcher_zhou, org)
    handling = _clock(case, ClockKind.HANDLING)
    assert handling.warn_on == date(2025, 4, 12)  # day 40 of 60
    sweep_clocks(today=date(2025, 4, 11))
    handling.refresh_from_db()
    assert handling.state == ClockState.RUNNING
    sweep_clocks(today=date(2025, 4, 12))
    handling.refresh_from_db()
    assert handling.state == ClockState.YELLOW
    sweep_clocks(today=date(2025, 5, 2))  # the due day itself is still on time
    handling.refresh_from_db()
    assert handling.state == ClockState.YELLOW
    first = sweep_clocks(today=date(2025, 5, 3))
    second = sweep_clocks(today=date(2025, 5, 3))
    handling.refresh_from_db()
    assert handling.state == ClockState.RED
    assert first["clock_red"] >= 1 and second.get("clock_red", 0) == 0
    assert case.events.filter(event_type="clock_red", data__clock="handling").count() == 1


def test_a_late_reply_stops_the_handling_clock_as_late(
    clock, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = _assigned_on(date(2025, 3, 3), clock, register_case, dispatcher_zhou, org)
    clock.set(date(2025, 5, 5))
    wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查",
        decision="explain",
        legal_basis="依据",
        completion_report="报告",
    )
    assert _clock(case, ClockKind.HANDLING).state == ClockState.LATE
    assert _clock(case, ClockKind.ASSIGNMENT).state == ClockState.LATE


def test_the_review_window_closes_after_thirty_days_from_delivery(
    clock, register_case, dispatcher_zhou, handler_wang_unit_a, clerk_li, org
):
    case = _assigned_on(date(2025, 3, 3), clock, register_case, dispatcher_zhou, org)
    wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查",
        decision="not_support",
        legal_basis="依据",
        completion_report="报告",
    )
    case = wf.case_deliver(case=case, actor=clerk_li, method="mail", delivered_on=date(2025, 3, 3))
    case = wf.case_close(case=case, actor=clerk_li)
    clock.set(date(2025, 4, 3))  # 31 days after delivery (条例 §35)
    with pytest.raises(wf.TransitionNotAllowed, match="请求复查"):
        wf.case_request_review(case=case, actor=clerk_li, reason="不服")
    sweep_clocks(today=date(2025, 4, 3))
    assert _clock(case, ClockKind.REVIEW_WINDOW).state == ClockState.EXPIRED


def test_a_hearing_pauses_the_rereview_clock_and_it_can_go_red_only_on_the_counted_days_36_2(
    clock, register_case, cast_all
):
    from huiyin.cases.choices import Status
    from huiyin.workflow.tests.drive import drive_to

    clock.set(date(2025, 6, 2))
    case = drive_to(register_case(), Status.UNDER_REREVIEW, cast_all)
    rereview = _clock(case, ClockKind.REREVIEW)
    assert rereview.due_on == date(2025, 7, 2)
    clock.set(date(2025, 6, 20))
    wf.case_hearing_start(case=case, actor=cast_all.person("rereviewer"))
    sweep_clocks(today=date(2025, 7, 10))  # paused clocks never turn red
    assert _clock(case, ClockKind.REREVIEW).state == ClockState.PAUSED
    clock.set(date(2025, 7, 10))
    wf.case_hearing_end(case=case, actor=cast_all.person("rereviewer"))
    rereview = _clock(case, ClockKind.REREVIEW)
    # 17 days counted (3–19 June); the hearing days 20 June – 10 July, both included, are 21 days that
    # do not count; the remaining 13 days run 11–23 July
    assert (rereview.due_on, rereview.paused_days, rereview.state) == (
        date(2025, 7, 23),
        21,
        ClockState.YELLOW,
    )


def _under_rereview_on(day, clock, register_case, cast_all, **profile_rules):
    """A case whose 复核 clock starts on `day`, under a profile with `profile_rules` (key → (n, unit))."""
    from huiyin.cases.choices import Status
    from huiyin.workflow.tests.drive import drive_to

    territory = {}
    if profile_rules:
        profile = RuleProfile.objects.create(code="wd", name="工作日测试", based_on=RuleProfile.national())
        for key, (value, unit) in profile_rules.items():
            RuleValue.objects.create(profile=profile, key=key, value=value, unit=unit, article="测试")
        county = cast_all.org.county
        county.rule_profile = profile
        county.save()
        territory = {"territory_id": county.pk}
    clock.set(day)
    return drive_to(register_case(**territory), Status.UNDER_REREVIEW, cast_all)


def test_a_hearing_held_and_ended_on_the_same_day_still_pauses_one_day_36_2(clock, register_case, cast_all):
    case = _under_rereview_on(date(2025, 6, 2), clock, register_case, cast_all)
    clock.set(date(2025, 6, 20))
    wf.case_hearing_start(case=case, actor=cast_all.person("rereviewer"))
    wf.case_hearing_end(case=case, actor=cast_all.person("rereviewer"))
    rereview = _clock(case, ClockKind.REREVIEW)
    assert (rereview.due_on, rereview.paused_days) == (date(2025, 7, 3), 1)


def test_a_hearing_across_the_year_end_pauses_every_day_it_took_36_2(clock, register_case, cast_all):
    # 复核 from 15 Dec 2025: 30 days → 14 Jan 2026; hearing 30 Dec – 2 Jan (4 days, New Year included)
    case = _under_rereview_on(date(2025, 12, 15), clock, register_case, cast_all)
    assert _clock(case, ClockKind.REREVIEW).due_on == date(2026, 1, 14)
    clock.set(date(2025, 12, 30))
    wf.case_hearing_start(case=case, actor=cast_all.person("rereviewer"))
    clock.set(date(2026, 1, 2))
    wf.case_hearing_end(case=case, actor=cast_all.person("rereviewer"))
    rereview = _clock(case, ClockKind.REREVIEW)
    assert (rereview.due_on, rereview.paused_days) == (date(2026, 1, 18), 4)


def test_a_working_day_rereview_rule_pauses_working_days_over_national_day_36_2(
    clock, register_case, cast_all
):
    # a profile counting 复核 in 20 working days from Fri 26 Sep 2025: Sun 28 Sep works (调休), 1–8 Oct
    # rest, Sat 11 Oct works → due Thu 30 Oct. Hearing Mon 29 Sep – Fri 10 Oct: working days among them
    # are 29, 30 Sep, 9, 10 Oct = 4 → four working days after 30 Oct: 31 Oct, 3, 4, 5 Nov.
    case = _under_rereview_on(
        date(2025, 9, 26), clock, register_case, cast_all, rereview_days=(20, "working_day")
    )
    assert _clock(case, ClockKind.REREVIEW).due_on == date(2025, 10, 30)
    clock.set(date(2025, 9, 29))
    wf.case_hearing_start(case=case, actor=cast_all.person("rereviewer"))
    clock.set(date(2025, 10, 10))
    wf.case_hearing_end(case=case, actor=cast_all.person("rereviewer"))
    rereview = _clock(case, ClockKind.REREVIEW)
    assert (rereview.due_on, rereview.paused_days) == (date(2025, 11, 5), 4)


def test_a_hearing_on_rest_days_pauses_nothing_under_a_working_day_rule_36_2(clock, register_case, cast_all):
    # National Day 1–8 Oct 2025 are rest days: a hearing held 3–5 Oct takes no working day
    case = _under_rereview_on(
        date(2025, 9, 26), clock, register_case, cast_all, rereview_days=(20, "working_day")
    )
    clock.set(date(2025, 10, 3))
    wf.case_hearing_start(case=case, actor=cast_all.person("rereviewer"))
    clock.set(date(2025, 10, 5))
    wf.case_hearing_end(case=case, actor=cast_all.person("rereviewer"))
    rereview = _clock(case, ClockKind.REREVIEW)
    assert (rereview.due_on, rereview.paused_days) == (date(2025, 10, 30), 0)


def test_the_objection_window_lapses_instead_of_turning_red(clock, register_case, dispatcher_zhou, org):
    # not objecting within 5 working days is no failure of the unit (条例 §23¶3): the window just closes
    case = _assigned_on(date(2025, 9, 30), clock, register_case, dispatcher_zhou, org)
    sweep_clocks(today=date(2025, 10, 20))
    assert _clock(case, ClockKind.OBJECTION).state == ClockState.EXPIRED
    assert not case.events.filter(event_type="clock_red", data__clock="objection").exists()
