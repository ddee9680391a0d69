"""Coverage: which paired points were not visited as often as their kind's norm asks, in the month or
quarter containing the chosen day — on a hand-built fixture across the Q1/Q2 2025 boundary."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from huiyin.outreach import metrics, selectors
from huiyin.outreach.models import LiaisonPoint, Pairing, VisitNorm

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_view(supervisor_chen):
    return supervisor_chen


@pytest.fixture
def points(org, village_committee, grid_ma, pairing, make_entry, clock, head_sun_unit_a):
    """柳林村 household pairing (grid_ma, monthly) and 柳林村 village pairing of 住建局 (quarterly),
    plus an enterprise pairing of 住建局 that starts only on 2025-04-01.

    Visits: household on 2025-03-03 and 2025-04-02; village on 2025-03-31 (last day of Q1)."""
    clock.set(date(2025, 4, 2))
    village = pairing.point
    dept = Pairing.objects.create(
        kind="dept_village",
        point=village,
        unit=org.unit_a,
        cadre=None,
        starts_on=date(2025, 1, 1),
        created_at=timezone.now(),
    )
    firm = LiaisonPoint.objects.create(kind="enterprise", name="柳林砖厂", territory=org.village)
    late = Pairing.objects.create(
        kind="dept_enterprise",
        point=firm,
        unit=org.unit_a,
        cadre=head_sun_unit_a,
        starts_on=date(2025, 4, 1),
        created_at=timezone.now(),
    )
    make_entry(visited_on=date(2025, 3, 3))
    make_entry(visited_on=date(2025, 4, 2))
    make_entry(visited_on=date(2025, 3, 31), pairing_=dept, actor=head_sun_unit_a)
    return {"household": pairing, "village": dept, "firm": late}


def _met(rows):
    return {r.pairing.pk: (r.visits, r.met) for r in rows}


def test_period_windows_are_calendar_months_and_quarters():
    assert selectors.period_window("month", date(2025, 2, 14)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert selectors.period_window("quarter", date(2025, 3, 31)) == (date(2025, 1, 1), date(2025, 3, 31))
    assert selectors.period_window("quarter", date(2025, 12, 5)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_on_the_last_day_of_q1_every_pairing_active_then_is_covered(points, county_view):
    # 2025-03-31: household month March has the 03-03 visit; village Q1 has the 03-31 visit;
    # the enterprise pairing starts 04-01 and is not yet active
    rows = selectors.coverage(county_view, date(2025, 3, 31))
    assert _met(rows) == {points["household"].pk: (1, True), points["village"].pk: (1, True)}


def test_on_the_first_days_of_q2_the_village_and_the_enterprise_are_not_yet_visited(points, county_view):
    # 2025-04-02: household month April has the 04-02 visit; the village's Q2 has none (the 03-31
    # visit belongs to Q1); the new enterprise pairing has none
    rows = selectors.coverage(county_view, date(2025, 4, 2))
    assert _met(rows) == {
        points["household"].pk: (1, True),
        points["village"].pk: (0, False),
        points["firm"].pk: (0, False),
    }
    by_town, by_cadre = selectors.coverage_totals(rows)
    assert [(t.label, t.active, t.met) for t in by_town] == [("东城镇", 3, 1)]
    assert {(t.label, t.missed) for t in by_cadre} == {
        ("马网格", 0),
        ("示范县住房和城乡建设局", 1),
        ("孙局长", 1),
    }
    assert metrics.coverage(date(2025, 4, 2)) == (1, 3)


def test_a_configured_norm_changes_the_verdict(points, county_view):
    # two household visits a month: March has only one
    VisitNorm.objects.create(kind="cadre_household", period="month", visits=2)
    rows = selectors.coverage(county_view, date(2025, 3, 31))
    assert _met(rows)[points["household"].pk] == (1, False)


def test_visits_per_pairing_and_issues_per_visit_over_q1(points):
    # the norm periods ending in Q1: household January (0 visits), February (0), March (1, the 03-03
    # visit); village Q1 (1, the 03-31 visit) -> 2 visits over 4 pairing-periods
    assert metrics.visits_per_pairing(date(2025, 1, 1), date(2025, 3, 31)) == (2, 4)
    # each entry carries one problem by default: 2 problems on the 2 entries visited in Q1
    assert metrics.issues_per_visit(date(2025, 1, 1), date(2025, 3, 31)) == (2, 2)


def test_the_registry_coverage_counts_each_pairings_norm_periods_across_the_quarter_boundary(points):
    """Today is 2025-04-02. Rows are dated by their period's last day:
    household (monthly): Jan 0 ✗, Feb 0 ✗, Mar 1 ✓ (03-03), Apr 1 ✓ (04-02; running, dated 04-30);
    village (quarterly): Q1 1 ✓ (03-31), Q2 0 ✗ (running, dated 06-30);
    enterprise (quarterly, from 04-01): Q2 0 ✗ (running, dated 06-30)."""
    assert metrics.coverage_closed(date(2025, 1, 1), date(2025, 3, 31)) == (2, 4)
    assert metrics.coverage_closed(date(2025, 4, 1), date(2025, 4, 30)) == (1, 1)
    # a window across the boundary, to the end of Q2: March, April, Q1 met; the two Q2s not
    assert metrics.coverage_closed(date(2025, 3, 1), date(2025, 6, 30)) == (3, 5)
    # the figures through the analytics registry are the same, by territory and by the pairing's unit
    from huiyin.analytics.registry import Filters, compute, get_metric

    cov = get_metric("outreach_coverage")
    q1 = compute(
        cov,
        Filters(date(2025, 1, 1), date(2025, 3, 31), territory_path=points["village"].point.territory.path),
    )
    assert (q1.num, q1.den, q1.text) == (2, 4, "50%")
    dept = compute(cov, Filters(date(2025, 3, 1), date(2025, 6, 30), unit_id=points["village"].unit_id))
    assert (dept.num, dept.den) == (1, 3)  # 住建局: village Q1 ✓, village Q2 ✗, enterprise Q2 ✗


def test_a_visit_recorded_late_for_a_checked_period_is_counted_again(points, make_entry, clock):
    assert metrics.coverage_closed(date(2025, 2, 1), date(2025, 2, 28)) == (0, 1)  # February checked
    make_entry(visited_on=date(2025, 2, 10))  # the cadre writes up a February visit in April
    assert metrics.coverage_closed(date(2025, 2, 1), date(2025, 2, 28)) == (1, 1)
    assert metrics.visits_per_pairing(date(2025, 2, 1), date(2025, 2, 28)) == (1, 1)


def test_a_running_period_is_rebuilt_as_visits_arrive(points, make_entry, clock):
    assert metrics.coverage_closed(date(2025, 6, 30), date(2025, 6, 30)) == (0, 2)  # village, firm Q2
    make_entry(visited_on=date(2025, 4, 2), pairing_=points["firm"], actor=points["firm"].cadre)
    assert metrics.coverage_closed(date(2025, 6, 30), date(2025, 6, 30)) == (1, 2)


def test_the_liaison_map_shows_the_last_visit_of_each_point(points, county_view):
    blocks = selectors.territory_view(county_view, date(2025, 4, 2))
    [town] = blocks
    [village] = town.villages
    last = {p.name: p.last_visit for p in village.points}
    assert last == {"柳林村": date(2025, 4, 2), "柳林砖厂": None}


def test_the_coverage_exports_to_xlsx_as_the_page_computes_it_and_is_audited(points, county_view, client):
    """Every staff list exports to .xlsx (issue 11): each pairing of the period with its visits against
    its norm, the unmet first, as on the page (2025-04-02: Q2 and April); another format is a 400."""
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from huiyin.core.models import AuditEntry

    client.force_login(county_view)
    url = reverse("outreach_coverage")
    assert "format=xlsx&amp;on=2025-04-02" in client.get(url, {"on": "2025-04-02"}).content.decode()
    response = client.get(url, {"on": "2025-04-02", "format": "xlsx"})
    assert response.status_code == 200
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    header = next(i for i, r in enumerate(sheet) if r[0] == "乡镇")
    body = [(r[0], r[3], r[4], r[5], r[6], r[7]) for r in sheet[header + 1 :]]
    assert sorted(body) == sorted(
        [
            ("东城镇", "示范县住房和城乡建设局", "2025-04-01—2025-06-30", 0, 1, "否"),
            ("东城镇", "孙局长", "2025-04-01—2025-06-30", 0, 1, "否"),
            ("东城镇", "马网格", "2025-04-01—2025-04-30", 1, 1, "是"),
        ]
    )
    assert body[-1][5] == "是"  # the unmet first, as the page lists them
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=county_view).count() == 1
    assert client.get(url, {"format": "csv"}).status_code == 400
