"""民主评议 (万人评议机关): an administrator opens a round, a sample of the period's petitioners and some
residents get one-time links, each answers once without signing in, anonymously; the response rate and
the units' results are shown and, once the round is closed, counted as 民主评议满意率 (SPEC §3.7)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from huiyin.analytics.models import SurveyAnswer, SurveyInvitation, SurveyRound
from huiyin.analytics.registry import Filters, compute, get_metric
from huiyin.analytics.tests import story as st


@pytest.fixture
def november(clock, org, register_case):
    """Three people petitioned in November 2025, one in September (outside the round's period)."""
    clock.set(date(2025, 9, 3))
    register_case(petitioners=[st.person(1)])
    clock.set(date(2025, 11, 5))
    for n in (2, 3, 4):
        register_case(petitioners=[st.person(n)], territory_id=org.village.pk)
    register_case(petitioners=[st.person(2)], territory_id=org.village.pk)  # person 2 twice
    clock.set(date(2025, 12, 1))


def open_round(client, org) -> SurveyRound:
    response = client.post(
        "/analytics/surveys/",
        {
            "title": "2025年11月民主评议",
            "territory": org.county.pk,
            "period_start": "2025-11-01",
            "period_end": "2025-11-30",
            "units": [org.unit_a.pk, org.unit_b.pk],
        },
    )
    assert response.status_code == 302
    return SurveyRound.objects.get()


def invite(client, r: SurveyRound, petitioners: int, residents: int) -> list[str]:
    response = client.post(
        f"/analytics/surveys/{r.pk}/invite/", {"petitioners": petitioners, "residents": residents}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    return [re.search(r"/survey/([A-Za-z0-9_-]+)/$", row[3]).group(1) for row in rows]


def test_only_an_administrator_opens_a_round_or_makes_invitations(
    client, org, november, admin_ma, supervisor_chen, handler_wang_unit_a
):
    for user in (handler_wang_unit_a, supervisor_chen):
        client.force_login(user)
        response = client.post("/analytics/surveys/", {"title": "x", "territory": org.county.pk})
        assert response.status_code == 403
    assert not SurveyRound.objects.exists()
    client.force_login(admin_ma)
    r = open_round(client, org)
    client.force_login(supervisor_chen)
    assert client.post(f"/analytics/surveys/{r.pk}/invite/", {"residents": 3}).status_code == 403
    assert client.post(f"/analytics/surveys/{r.pk}/close/").status_code == 403
    assert not SurveyInvitation.objects.exists() and SurveyRound.objects.get().closed_on is None
    assert client.get(f"/analytics/surveys/{r.pk}/").status_code == 200  # the county's supervisor reads it


def test_the_periods_petitioners_are_invited_once_each_and_residents_get_cards(
    client, org, november, admin_ma
):
    client.force_login(admin_ma)
    r = open_round(client, org)
    tokens = invite(client, r, petitioners=10, residents=2)
    # persons 2, 3 and 4 petitioned in November (person 2 twice, invited once); person 1 in September
    assert len(tokens) == 5
    invited = SurveyInvitation.objects.filter(round=r, source="petitioner")
    assert sorted(i.petitioner.name for i in invited) == ["群众2", "群众3", "群众4"]
    assert invite(client, r, petitioners=10, residents=0) == []  # nobody is invited twice
    # only the hash is stored: no token is in the database
    stored = set(SurveyInvitation.objects.values_list("token_hash", flat=True))
    assert not stored & set(tokens) and len(stored) == 5


def test_a_token_answers_once_anonymously_and_a_forged_one_is_refused(client, org, november, admin_ma):
    client.force_login(admin_ma)
    r = open_round(client, org)
    tokens = invite(client, r, petitioners=3, residents=0)
    client.logout()
    a, b = org.unit_a.pk, org.unit_b.pk
    page = client.get(f"/survey/{tokens[0]}/")
    assert page.status_code == 200 and "示范县住房和城乡建设局" in page.content.decode()
    # an incomplete answer is refused and spends nothing
    response = client.post(f"/survey/{tokens[0]}/", {f"unit_{a}": "satisfied"})
    assert response.status_code == 400 and not SurveyAnswer.objects.exists()
    assert (
        client.post(f"/survey/{tokens[0]}/", {f"unit_{a}": "great", f"unit_{b}": "satisfied"}).status_code
        == 400
    )
    response = client.post(f"/survey/{tokens[0]}/", {f"unit_{a}": "satisfied", f"unit_{b}": "dissatisfied"})
    assert response.status_code == 200 and "评价已经收到" in response.content.decode()
    # the same token again: refused, nothing more written
    again = client.post(f"/survey/{tokens[0]}/", {f"unit_{a}": "dissatisfied", f"unit_{b}": "dissatisfied"})
    assert again.status_code == 404 and client.get(f"/survey/{tokens[0]}/").status_code == 404
    assert SurveyAnswer.objects.count() == 2
    # a forged token, with a valid shape or not
    forged = tokens[1][:-2] + ("AA" if not tokens[1].endswith("AA") else "BB")
    for bad in (forged, "x", "no-such-token"):
        assert client.get(f"/survey/{bad}/").status_code == 404
        assert (
            client.post(f"/survey/{bad}/", {f"unit_{a}": "satisfied", f"unit_{b}": "satisfied"}).status_code
            == 404
        )
    assert client.get("/survey/" + "a" * 65 + "/").status_code == 404
    assert SurveyAnswer.objects.count() == 2
    # the answer holds no person and no invitation; the invitation keeps only the day
    fields = {f.name for f in SurveyAnswer._meta.get_fields()}
    assert fields == {"id", "round", "unit", "score"}
    used = SurveyInvitation.objects.get(used_on__isnull=False)
    assert used.used_on == date(2025, 12, 1)


def test_the_response_rate_and_results_then_the_closed_round_counts_for_the_scorecards(
    client, org, november, admin_ma, clock
):
    client.force_login(admin_ma)
    r = open_round(client, org)
    tokens = invite(client, r, petitioners=3, residents=1)  # 4 invited
    a, b = org.unit_a.pk, org.unit_b.pk
    client.logout()
    client.post(f"/survey/{tokens[0]}/", {f"unit_{a}": "satisfied", f"unit_{b}": "dissatisfied"})
    client.post(f"/survey/{tokens[3]}/", {f"unit_{a}": "basically", f"unit_{b}": "satisfied"})
    client.force_login(admin_ma)
    page = client.get(f"/analytics/surveys/{r.pk}/")
    results = page.context["results"]
    # 2 of 4 answered: 50%; unit A: satisfied + basically = 2 of 2 (100%); unit B: 1 of 2 (50%)
    assert (results["invited"], results["answered"], results["response_rate"]) == (4, 2, 50.0)
    assert [(u["unit"].pk, u["n"], u["rate"]) for u in results["units"]] == [(a, 2, 100.0), (b, 2, 50.0)]
    assert "回复率 50.0%" in page.content.decode()
    # not counted before the round is closed
    day = Filters(start=date(2025, 12, 1), end=date(2025, 12, 1), unit_id=a)
    assert compute(get_metric("appraisal_rate"), day).den == 0
    assert client.post(f"/analytics/surveys/{r.pk}/close/").status_code == 302
    fig = compute(get_metric("appraisal_rate"), day)
    assert (fig.num, fig.den) == (2, 2)
    from huiyin.analytics import selectors

    rolled = selectors.figures(Filters(start=date(2025, 12, 1), end=date(2025, 12, 31), unit_id=b))
    assert (rolled["appraisal_rate"].num, rolled["appraisal_rate"].den) == (1, 2)
    # a closed round takes no more answers
    client.logout()
    assert client.get(f"/survey/{tokens[1]}/").status_code == 404


def test_the_answer_page_fits_a_phone_and_labels_every_choice(client, org, november, admin_ma):
    client.force_login(admin_ma)
    r = open_round(client, org)
    token = invite(client, r, petitioners=1, residents=0)[0]
    client.logout()
    html = client.get(f"/survey/{token}/").content.decode()
    assert 'name="viewport" content="width=device-width' in html
    for unit in (org.unit_a, org.unit_b):
        for value in ("satisfied", "basically", "dissatisfied"):
            assert f'for="u{unit.pk}-{value}"' in html and f'id="u{unit.pk}-{value}"' in html
    assert html.count("<fieldset") == 2 and html.count("<legend") == 2


def test_the_rounds_export_to_xlsx_with_their_response_rate_for_those_who_may_see_them(
    client, org, november, admin_ma, supervisor_chen, handler_zhao_unit_b
):
    """Every staff list exports to .xlsx (issue 11): the 民主评议 rounds with invited, answered and the
    response rate, no one's identity; a unit not rated in the round gets an empty file; csv is a 400."""
    from huiyin.org.models import Unit, User

    client.force_login(admin_ma)
    r = open_round(client, org)
    tokens = invite(client, r, petitioners=3, residents=1)  # 4 invited
    client.logout()
    client.post(
        f"/survey/{tokens[0]}/", {f"unit_{org.unit_a.pk}": "satisfied", f"unit_{org.unit_b.pk}": "basically"}
    )

    def sheet(user):
        client.force_login(user)
        response = client.get("/analytics/surveys/", {"format": "xlsx"})
        assert response.status_code == 200
        return [
            list(row) for row in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values
        ]

    rows = sheet(supervisor_chen)
    assert rows[0] == ["评议名称", "区域", "评议期间", "邀请", "回复", "回复率", "结束日期"]
    assert rows[1:] == [["2025年11月民主评议", org.county.name, "2025-11-01—2025-11-30", 4, 1, "25.0%", None]]
    assert sheet(handler_zhao_unit_b)[1:] == rows[1:]  # unit B is rated in the round
    other = Unit.objects.create(code="X-WJ", name="示范县卫健局", kind=org.unit_b.kind, territory=org.county)
    outsider = User.objects.create_user(username="wj_handler", unit=other, role="handler")
    assert sheet(outsider)[1:] == []
    assert client.get("/analytics/surveys/", {"format": "csv"}).status_code == 400
