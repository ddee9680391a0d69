"""The mediation metrics on a hand-worked December 2025 in 东城镇 (every figure counted by hand below).

Mediations (人民调解 at 柳林村 unless said):
  A  opened 12-02, agreed 12-05 (village)                    followed up 12-15: performed
  B  opened 12-03, terminated 12-06 → C 行政调解 at 住建局 opened 12-06, agreed 12-09 (county)
  D  at 杨家村, opened 12-04, still being mediated
  E  opened 12-04, agreed 12-08 (village), followed up 12-18: partly performed; the dispute came back
     as a petition at the county office, registered 12-20
  F  opened 11-28 (November), agreed 12-01 (village)
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from huiyin.cases.models import Case
from huiyin.mediation import metrics, services
from huiyin.mediation.choices import AgreementForm, MediationKind, Performance
from huiyin.mediation.models import Agreement, Mediation, RoundReport, ScreeningItem, ScreeningRound
from huiyin.mediation.transitions import State

DEC = (date(2025, 12, 1), date(2025, 12, 31))


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _mediation(world, organ, opened: date, kind=MediationKind.PEOPLE, previous=None, **fields) -> Mediation:
    m = Mediation.objects.create(kind=kind, organ=organ, territory=organ.territory, dispute_kind="land", summary="x",
                                 opened_by=world.mediator, opened_at=_at(opened), previous=previous, **fields)  # fmt: skip
    m.dispute_id = previous.dispute_id if previous else m.pk
    m.save(update_fields=["dispute"])
    return m


def _agreed(m: Mediation, on: date, level: str, followed: date | None = None, performance: str = "") -> None:
    m.state, m.resolution_level, m.resolved_on = State.AGREED, level, on
    m.save()
    Agreement.objects.create(mediation=m, form=AgreementForm.ORAL, obligations="o", facts="", performance_terms="",
                             signed_on=on, follow_up_on=on, recorded_by=m.opened_by, followed_up_on=followed,
                             performance=performance)  # fmt: skip


@pytest.fixture
def december(world, register_case, org, dispatcher_zhou):
    committee, dept = world.committee, world.department_handler.unit
    a = _mediation(world, committee, date(2025, 12, 2))
    _agreed(a, date(2025, 12, 5), "village", date(2025, 12, 15), Performance.PERFORMED)
    b = _mediation(
        world, committee, date(2025, 12, 3), state=State.HANDED_OFF, terminated_on=date(2025, 12, 6)
    )
    c = _mediation(world, dept, date(2025, 12, 6), kind=MediationKind.ADMINISTRATIVE, previous=b)
    _agreed(c, date(2025, 12, 9), "county")
    d = _mediation(world, world.other_committee, date(2025, 12, 4), state=State.IN_PROGRESS)
    e = _mediation(world, committee, date(2025, 12, 4))
    _agreed(e, date(2025, 12, 8), "village", date(2025, 12, 18), Performance.PARTLY)
    f = _mediation(world, committee, date(2025, 11, 28))
    _agreed(f, date(2025, 12, 1), "village")
    petition = register_case(title="宅基地纠纷又来县里")  # at the county office
    Case.objects.filter(pk=petition.pk).update(registered_at=_at(date(2025, 12, 20)))
    petition.refresh_from_db()
    # the county office, which sees both the petition and the village mediation, links them
    services.dispute_link_petition(mediation=e, case=petition, actor=dispatcher_zhou)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_success_rate_by_kind_and_level_counts_mediations_opened_in_the_period(december):
    # opened in December: people/village A, B, D, E (F was opened in November) — agreed: A, E → 2 of 4;
    # administrative/county: C, agreed → 1 of 1
    got = metrics.success_by_kind_and_level(Mediation.objects.all(), *DEC)
    assert got == {("people", "village"): (2, 4), ("administrative", "county"): (1, 1)}


def test_resolution_levels_count_each_dispute_once_where_it_ended(december):
    # resolved in December with nothing after: A, E, F at the village, C at the county (B failed)
    assert metrics.resolution_levels(Mediation.objects.all(), *DEC) == {"village": 3, "county": 1}


def test_a_dispute_that_came_back_as_a_county_petition_counts_against_not_passed_up(december):
    # first mediations at village level concluded in December: A (agreed), B (terminated), E (agreed),
    # F (agreed 12-01) = 4; D is still open. E came back as a county petition → 3 of 4 stayed below
    assert metrics.not_passed_up(Mediation.objects.all(), *DEC) == (3, 4)


def test_agreements_performed_among_those_followed_up(december):
    # followed up in December: A performed, E partly → 1 of 2 (C and F not followed up: excluded)
    assert metrics.agreements_performed(Agreement.objects.all(), *DEC) == (1, 2)


def test_items_settled_on_time_among_items_due_in_the_period(world):
    def item(due, settled):
        return ScreeningItem.objects.create(territory=world.grid, source="grid", kind="land", summary="s",
                                            parties="甲、乙", risk="ordinary", reported_by=world.grid_worker,
                                            reported_at=_at(date(2025, 11, 20)), due_on=due, settled_on=settled,
                                            status="settled" if settled else "assigned")  # fmt: skip

    item(date(2025, 12, 10), date(2025, 12, 5))  # on time
    item(date(2025, 12, 15), date(2025, 12, 20))  # late
    item(date(2025, 12, 31), None)  # not settled
    item(date(2026, 1, 5), date(2025, 12, 28))  # due in January: not counted
    item(None, None)  # never assigned: not counted
    assert metrics.items_settled_on_time(ScreeningItem.objects.all(), *DEC) == (1, 3)


def _round(world, org, period: date, due: date) -> ScreeningRound:
    return services.round_open(township=org.township, period=period, actor=world.township_handler, due_on=due)


def _file(rnd: ScreeningRound, point, actor, day: date, zero: bool = False) -> None:
    RoundReport.objects.filter(round=rnd, point=point).update(zero=zero, filed_by=actor, filed_at=_at(day))


@pytest.fixture
def reports(world, org, clock):
    clock.set(date(2025, 12, 1))
    rnd = _round(world, org, date(2025, 12, 1), date(2025, 12, 15))
    _file(rnd, world.village, world.grid_worker, date(2025, 12, 5))
    _file(rnd, world.other_village, world.other_mediator, date(2025, 12, 16), zero=True)  # a day late
    # a November round is outside December (both its points that reported count in November only)
    clock.set(date(2025, 11, 1))
    nov = _round(world, org, date(2025, 11, 1), date(2025, 11, 30))
    _file(nov, world.village, world.grid_worker, date(2025, 11, 3), zero=True)
    return rnd


def test_zero_report_compliance_counts_points_reported_by_the_deadline(reports):
    # expected: 东城镇 itself + 柳林村 + 杨家村 = 3 points (a row each from the opening); on time:
    # 柳林村 only (杨家村 a day late, 东城镇 never) → 1 of 3
    assert metrics.zero_report_compliance(RoundReport.objects.all(), *DEC) == (1, 3)
    assert metrics.zero_report_compliance(
        RoundReport.objects.all(), date(2025, 11, 1), date(2025, 11, 30)
    ) == (1, 3)


# --- the same figures from the analytics registry (Module.metrics), on the same hand-worked month ---


def _fig(key: str, **filters):
    from huiyin.analytics.registry import Filters, compute, get_metric

    got = compute(get_metric(key), Filters(start=DEC[0], end=DEC[1], **filters))
    return got.num, got.den


def test_the_registry_has_the_mediation_figures_without_cases(december):
    from huiyin.analytics.registry import all_metrics

    ours = {m.key: m for m in all_metrics() if m.module == "mediation"}
    assert {"mediation_success_people", "mediation_success_at_village", "mediation_resolved_village",
            "screening_settled_on_time", "screening_zero_report", "mediation_not_passed_up",
            "mediation_agreements_performed"} <= set(ours)  # fmt: skip
    assert all(m.case_path is None and m.territory for m in ours.values())


def test_registry_success_by_kind_and_by_level_match_the_hand_count(december):
    # by kind: people A, B, D, E opened in December, A and E agreed → 2/4; administrative C → 1/1
    assert _fig("mediation_success_people") == (2, 4)
    assert _fig("mediation_success_administrative") == (1, 1)
    assert _fig("mediation_success_judicial") == (0, 0)
    # by the organ's level: village A, B, D, E → 2/4; county C (住建局) → 1/1
    assert _fig("mediation_success_at_village") == (2, 4)
    assert _fig("mediation_success_at_county") == (1, 1)
    assert _fig("mediation_success_at_township") == (0, 0)


def test_registry_resolution_levels_count_each_dispute_where_it_ended(december):
    # A, E, F at the village; C at the county (B handed on, so the dispute ended at C)
    assert _fig("mediation_resolved_village")[0] == 3
    assert _fig("mediation_resolved_county")[0] == 1
    assert _fig("mediation_resolved_township")[0] == 0


def test_registry_not_passed_up_counts_the_county_petition_against_the_village(december, world):
    # A, B, E, F concluded in December, first mediated in the village; E came back at the county → 3/4
    assert _fig("mediation_not_passed_up") == (3, 4)
    # only 柳林村's: the same four (杨家村's D is still open)
    assert _fig("mediation_not_passed_up", territory_path=world.village.path) == (3, 4)
    assert _fig("mediation_not_passed_up", territory_path=world.other_village.path) == (0, 0)


def test_a_petition_back_at_the_township_itself_does_not_count_against_it(december, org, world):
    from huiyin.org.models import Unit

    e = december["e"]
    e.refresh_from_db()
    town_office = Unit.objects.create(code="T-XF", name="东城镇信访办", kind="petition_office",
                                      territory=org.township, parent=org.township_gov)  # fmt: skip
    Case.objects.filter(pk=e.later_petition_id).update(office=town_office)
    assert _fig("mediation_not_passed_up") == (4, 4)
    assert metrics.not_passed_up(Mediation.objects.all(), *DEC) == (4, 4)


def test_registry_agreements_performed_and_screening_figures(december, reports, world):
    assert _fig("mediation_agreements_performed") == (1, 2)
    assert _fig("screening_zero_report") == (1, 3)
    assert _fig("screening_zero_report", territory_path=world.village.path) == (1, 1)


def test_registry_items_settled_on_time(world):
    ScreeningItem.objects.create(territory=world.grid, source="grid", kind="land", summary="s", parties="甲、乙",
                                 risk="ordinary", reported_by=world.grid_worker, reported_at=_at(date(2025, 11, 20)),
                                 due_on=date(2025, 12, 10), settled_on=date(2025, 12, 12), status="settled")  # fmt: skip
    ScreeningItem.objects.create(territory=world.grid, source="grid", kind="land", summary="s", parties="甲、乙",
                                 risk="ordinary", reported_by=world.grid_worker, reported_at=_at(date(2025, 11, 20)),
                                 due_on=date(2025, 12, 20), settled_on=date(2025, 12, 19), status="settled")  # fmt: skip
    assert _fig("screening_settled_on_time") == (1, 2)
    assert metrics.items_settled_on_time(ScreeningItem.objects.all(), *DEC) == (1, 2)


def test_the_registry_rolls_up_to_the_same_figure(december):
    from huiyin.analytics.registry import Filters, get_metric
    from huiyin.analytics.selectors import figures
    from huiyin.analytics.services import rollup_days

    rollup_days(*DEC)
    metric = get_metric("mediation_not_passed_up")
    got = figures(Filters(start=DEC[0], end=DEC[1]), [metric])[metric.key]
    assert (got.num, got.den) == (3, 4)
