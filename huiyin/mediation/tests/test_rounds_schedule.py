"""The monthly screening rounds the worker opens (矛盾纠纷月排查, seeds 000): from the month's first
working day, once per township and month, opened by the schedule — never by a made-up user."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.core import registry
from huiyin.core.calendar import forget_calendar
from huiyin.core.models import HolidayOverride
from huiyin.mediation import services, tasks
from huiyin.mediation.models import SCHEDULED_OPENER, RoundReport, ScreeningRound
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory

# 2025-11-01 is a Saturday: the first working day of November 2025 is Monday the 3rd
OCT_LAST, NOV_SAT, NOV_MON = date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 3)


def _rounds(period: date) -> list[tuple[str, object]]:
    return sorted(ScreeningRound.objects.filter(period=period).values_list("township__name", "opened_by_id"))


def test_the_worker_queues_the_monthly_rounds():
    assert "huiyin.mediation.tasks.open_monthly_rounds" in registry.periodic_tasks()


def test_rounds_open_on_the_first_working_day_once_and_not_before(world, clock, org):
    # given a second township and October's rounds already open (one by hand, one by the schedule)
    west = Territory.objects.create(code="430121101", name="西城镇", level=TerritoryLevel.TOWNSHIP,
                                    parent=org.township.parent)  # fmt: skip
    clock.set(OCT_LAST)
    services.round_open(township=org.township, period=OCT_LAST, actor=world.township_handler)
    assert [r.township for r in services.rounds_open_monthly()] == [west]  # the one without a round

    # when the worker runs on the month's last day again: nothing new (idempotent)
    assert services.rounds_open_monthly() == []
    # and across the month boundary, on a Saturday before the first working day: still nothing
    clock.set(NOV_SAT)
    assert services.rounds_open_monthly() == [] and _rounds(date(2025, 11, 1)) == []

    # then on Monday the 3rd every township gets November's round, opened by nobody in person
    clock.set(NOV_MON)
    assert tasks.open_monthly_rounds.call() == {"rounds_opened": 2}
    assert _rounds(date(2025, 11, 1)) == [("东城镇", None), ("西城镇", None)]
    nov = ScreeningRound.objects.get(township=org.township, period=date(2025, 11, 1))
    assert nov.due_on == date(2025, 11, 30) and nov.opener_label == SCHEDULED_OPENER
    # with one unfiled report per point (the township and its villages: 零报告制度)
    assert RoundReport.objects.filter(round=nov, filed_at__isnull=True).count() == len(
        services.reporting_points(org.township)
    )
    # running twice opens nothing new; a later tick in the month neither
    assert tasks.open_monthly_rounds.call() == {"rounds_opened": 0}
    clock.set(date(2025, 11, 20))
    assert services.rounds_open_monthly() == []
    assert ScreeningRound.objects.filter(period=date(2025, 11, 1)).count() == 2
    # October's rounds are untouched
    assert _rounds(date(2025, 10, 1)) == [("东城镇", world.township_handler.pk), ("西城镇", None)]


def test_a_holiday_first_working_day_waits_for_the_first_day_back(world, clock, org):
    HolidayOverride.objects.create(day=NOV_MON, is_workday=False, name="测试假日")
    forget_calendar()
    try:
        clock.set(NOV_MON)
        assert services.rounds_open_monthly() == []
        clock.set(date(2025, 11, 4))
        assert [r.township for r in services.rounds_open_monthly()] == [org.township]
    finally:
        HolidayOverride.objects.all().delete()
        forget_calendar()


def test_a_round_opened_by_hand_this_month_is_left_alone(world, clock, org):
    clock.set(NOV_MON)
    by_hand = services.round_open(township=org.township, period=NOV_MON, actor=world.township_head)
    assert services.rounds_open_monthly() == []
    by_hand.refresh_from_db()
    assert by_hand.opened_by == world.township_head


@pytest.mark.django_db
def test_the_round_page_says_the_schedule_opened_it(world, clock, org, client):
    clock.set(NOV_MON)
    (rnd,) = services.rounds_open_monthly()
    client.force_login(world.township_handler)
    page = client.get(reverse("mediation_round", args=[rnd.pk])).content.decode()
    assert SCHEDULED_OPENER in page
    assert SCHEDULED_OPENER in client.get(reverse("mediation_rounds")).content.decode()
