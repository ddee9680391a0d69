"""The pages: the diary form saves and redirects, bad input is a 400 with the field marked and nothing
written, the public commitment pages never name a citizen, a rating needs the portal's phone sign-in."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.outreach import services
from huiyin.outreach.choices import CommitmentAction
from huiyin.outreach.models import CommitmentRating, DiaryEntry

pytestmark = pytest.mark.django_db


def test_the_diary_form_saves_a_visit_with_its_problems(client, grid_ma, pairing, clock):
    clock.set(date(2025, 3, 3))
    client.force_login(grid_ma)
    assert client.get("/outreach/diary/new/").status_code == 200
    response = client.post(
        "/outreach/diary/new/",
        {
            "pairing": pairing.pk,
            "visited_on": "2025-03-03",
            "place": "柳林村3组",
            "people_met": "张大爷",
            "heard": "道路塌陷",
            "problems": "村口道路塌陷\n\n路灯不亮",
            "client_key": "k1",
        },
    )
    entry = DiaryEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outreach/diary/{entry.pk}/?saved=1"
    assert [p.text for p in entry.problems.all()] == ["村口道路塌陷", "路灯不亮"]


def test_a_diary_post_without_what_was_heard_is_a_400_and_writes_nothing(client, grid_ma, pairing, clock):
    clock.set(date(2025, 3, 3))
    client.force_login(grid_ma)
    response = client.post(
        "/outreach/diary/new/",
        {"pairing": pairing.pk, "visited_on": "2025-03-03", "place": "x", "people_met": "y"},
    )
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_a_pairing_of_someone_else_cannot_be_chosen(client, handler_wang_unit_a, pairing, clock):
    clock.set(date(2025, 3, 3))
    client.force_login(handler_wang_unit_a)
    response = client.post(
        "/outreach/diary/new/",
        {"pairing": pairing.pk, "visited_on": "2025-03-03", "place": "x", "people_met": "y", "heard": "z"},
    )
    assert response.status_code == 400
    assert not DiaryEntry.objects.exists()


def test_the_entry_page_turns_a_problem_into_a_case(client, grid_ma, make_entry, township_office, clock):
    clock.set(date(2025, 3, 3))
    problem = make_entry().problems.get()
    client.force_login(grid_ma)
    response = client.post(
        f"/outreach/problems/{problem.pk}/case/",
        {
            "title": "村口道路塌陷",
            "petition_type": "complaint",
            "person_name": "张大爷",
            "consent_given": "on",
            "consent_note": "当面口头同意",
        },
        follow=True,
    )
    problem.refresh_from_db()
    assert problem.case is not None
    assert f"已登记为信访事项 {problem.case.code}" in response.content.decode()


@pytest.fixture
def due_promise(org, head_sun_unit_a, handler_wang_unit_a, clock, make_entry):
    clock.set(date(2025, 3, 3))
    make_entry(people_met="张大爷一家")  # a diary of the same village: never on the public pages
    c = services.commitment_publish(
        data=services.CommitmentIn(
            "修复村口道路", "柳林村村民", "道路修复通车", date(2025, 4, 30), org.township
        ),
        actor=head_sun_unit_a,
    )
    services.commitment_act(
        commitment=c,
        action=CommitmentAction.PROGRESS,
        text="已完成路基",
        progress=60,
        actor=handler_wang_unit_a,
    )
    clock.set(date(2025, 5, 6))
    return c


def test_public_pages_show_the_promise_and_progress_and_name_no_citizen(client, due_promise):
    listing = client.get("/public/commitments/").content.decode()
    page = client.get(f"/public/commitments/{due_promise.pk}/").content.decode()
    assert "修复村口道路" in listing and "逾期" in listing
    assert "已完成路基" in page and "王承办" not in page
    assert "张大爷" not in listing + page


def test_a_rating_needs_the_phone_sign_in_and_counts_once(client, due_promise):
    url = f"/public/commitments/{due_promise.pk}/rate/"
    response = client.post(url, {"fulfilment": "partly", "satisfaction": "basic"})
    assert response.status_code == 302 and response["Location"] == "/public/account/"
    session = client.session
    session["portal_contact"] = "13800001234"
    session.save()
    assert client.post(url, {"fulfilment": "partly", "satisfaction": "basic"}).status_code == 302
    again = client.post(url, {"fulfilment": "yes", "satisfaction": "satisfied"})
    assert again.status_code == 400 and "只能评价一次" in again.content.decode()
    assert CommitmentRating.objects.count() == 1
    assert client.post(url, {"fulfilment": "bogus"}).status_code == 400


def test_an_email_sign_in_does_not_rate(client, due_promise):
    session = client.session
    session["portal_contact"] = "someone@example.com"
    session.save()
    response = client.post(
        f"/public/commitments/{due_promise.pk}/rate/", {"fulfilment": "yes", "satisfaction": "satisfied"}
    )
    assert response.status_code == 302 and not CommitmentRating.objects.exists()
