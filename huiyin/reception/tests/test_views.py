"""The screens: the public schedule and booking on the portal, the office's walk-in, plan and agenda."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.reception import services
from huiyin.reception.choices import BookingStatus
from huiyin.reception.models import Booking, Session

pytestmark = pytest.mark.django_db


def form(session, **kw):
    data = {
        "session": session.pk, "petition_type": "complaint", "title": "屋顶漏水", "content": "三年未修",
        "name": "刘群众", "phone": "13800001234", "truthful": "on", "idempotency_key": "k-" + str(session.pk),
        "headcount": "1", "representatives": "1",
    }  # fmt: skip
    data.update(kw)
    return data


def test_the_public_schedule_shows_who_when_where_which_matters_and_slots_left(client, sessions):
    county, _township = sessions
    page = client.get("/public/reception/").content.decode()
    assert "马县长" in page and "城乡建设、住房保障" in page and "何镇长" in page
    assert county.place in page and "data-print" in page
    assert "领导接待日" in page  # the portal's navigation entry


def test_a_citizen_books_the_township_leader_and_sees_the_booking_number(client, sessions):
    _, township = sessions
    response = client.post(f"/public/reception/book/?session={township.pk}", form(township))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.code in client.get(response["Location"]).content.decode()


def test_the_county_leader_refuses_with_the_reason_and_the_township_sessions(client, sessions):
    county, township = sessions
    page = client.post(f"/public/reception/book/?session={county.pk}", form(county)).content.decode()
    assert "分级负责、属地管理" in page and f"?session={township.pk}" in page
    assert not Booking.objects.exists()


def test_booking_without_name_or_phone_is_refused_with_a_clear_400(client, sessions):
    _, township = sessions
    response = client.post(
        f"/public/reception/book/?session={township.pk}", form(township, name="", phone="12ab")
    )
    assert response.status_code == 400 and not Booking.objects.exists()


def test_a_wrong_case_code_or_factor_links_nothing(client, sessions, register_case):
    _, township = sessions
    case = register_case()
    response = client.post(
        f"/public/reception/book/?session={township.pk}",
        form(township, case_code=case.code, case_factor="0000"),
    )
    assert response.status_code == 400 and "编号或查询码不正确" in response.content.decode()
    ok = client.post(
        f"/public/reception/book/?session={township.pk}",
        form(township, case_code=case.code, case_factor="1234"),
    )
    assert ok.status_code == 302 and Booking.objects.get().case_id == case.pk


def test_the_clerk_books_a_walk_in_marked_urgent_for_the_county_leader(client, sessions, clerk_li):
    county, _ = sessions
    client.force_login(clerk_li)
    response = client.post("/reception/walk-in/", form(county, urgent="on"))
    assert response.status_code == 302
    assert Booking.objects.get().urgent


def test_a_handler_may_not_book_walk_ins_nor_plan(client, sessions, handler_wang_unit_a, org):
    county, _ = sessions
    client.force_login(handler_wang_unit_a)
    assert client.post("/reception/walk-in/", form(county, urgent="on")).status_code == 403
    assert (
        client.post(
            "/reception/plan/", {"what": "generate", "start": "2025-10-01", "end": "2025-10-31"}
        ).status_code
        == 403
    )
    assert not Booking.objects.exists()


def test_the_dispatcher_generates_sessions_from_the_plan_page(
    client, sessions, dispatcher_zhou, county_leader
):
    client.force_login(dispatcher_zhou)
    response = client.post(
        "/reception/plan/", {"what": "generate", "start": "2025-10-01", "end": "2025-10-31"}
    )
    assert response.status_code == 302
    # Oct 2025 Wednesdays: 1 and 8 are 国庆 (→ Tue 30 Sep lies outside; 8 Oct → Thu 9 Oct), 15, 22, 29
    dates = list(Session.objects.filter(leader=county_leader, date__month=10).values_list("date", flat=True))
    assert dates == [date(2025, 10, 9), date(2025, 10, 15), date(2025, 10, 22), date(2025, 10, 29)]


def test_the_leader_records_baoan_on_the_agenda_for_a_registered_matter(
    client, sessions, township_leader, register_case, clock, township_dispatcher
):
    _, township = sessions
    booking = services.booking_create(
        session=township,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="t", content="c"),
        actor=None,
    )
    clock.set(township.date)
    services.booking_register(booking=booking, actor=township_dispatcher)
    client.force_login(township_leader)
    page = client.get(f"/reception/agenda/?session={township.pk}").content.decode()
    assert booking.code in page and "outcome-form" in page
    client.post("/reception/outcome/", {"booking": booking.code, "outcome": "leader_case"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RECEIVED and booking.case.leader_id == township_leader.pk


def test_a_leader_cannot_record_at_another_leaders_session(client, sessions, county_leader, clock):
    _, township = sessions
    booking = services.booking_create(
        session=township,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="t", content="c"),
        actor=None,
    )
    clock.set(township.date)
    client.force_login(county_leader)
    client.post("/reception/outcome/", {"booking": booking.code, "outcome": "explained", "note": "x"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_session_outside_ones_territory_is_missing(
    client, sessions, township_dispatcher, org, county_leader
):
    from huiyin.org.models import Territory

    other = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    county, _ = sessions
    Session.objects.filter(pk=county.pk).update(territory=other)
    client.force_login(township_dispatcher)
    assert client.get(f"/reception/agenda/?session={county.pk}").status_code == 404
    assert client.get("/reception/agenda/?session=abc").status_code == 404


def test_the_reception_page_shows_held_vs_scheduled_and_the_one_time_resolution_rate(
    client, sessions, township_dispatcher, clock
):
    _, township = sessions
    booking = services.booking_create(
        session=township,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="t", content="c"),
        actor=None,
    )
    clock.set(date(2025, 9, 3))
    services.visit_record(booking=booking, actor=township_dispatcher, outcome="resolved", note="当场维修")
    client.force_login(township_dispatcher)
    page = client.get("/reception/").content.decode()
    # by 3 Sep only 何镇长's 2 Sep session was due (the county's Wednesday is today, not yet held): 1 of 1
    assert "乡镇（街道）领导：应接待1场，实际接待1场" in page
    assert "何镇长" in page and "100.0%" in page


def test_a_case_codes_factor_cannot_be_guessed_through_booking_from_many_addresses(
    client, sessions, register_case
):
    """The booking form verifies a case like tracking does: the same per-code limit (8 an hour), whatever
    the address, so the phone's last four digits cannot be tried 10,000 times from many machines."""
    _, township = sessions
    case = register_case()
    for n in range(8):
        wrong = client.post(
            f"/public/reception/book/?session={township.pk}",
            form(township, case_code=case.code, case_factor=f"{n:04d}", phone=f"1390000{n:04d}"),
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        assert wrong.status_code == 400
    right = client.post(
        f"/public/reception/book/?session={township.pk}",
        form(township, case_code=case.code, case_factor="1234"),
        REMOTE_ADDR="203.0.113.9",
    )
    assert right.status_code == 429 and right["Retry-After"]
    assert not Booking.objects.exists()


def test_one_phone_books_at_most_five_times_a_day(client, sessions):
    _, township = sessions
    codes = []
    for n in range(6):
        r = client.post(
            f"/public/reception/book/?session={township.pk}",
            form(township, idempotency_key=f"k-{n}", title=f"事项{n}"),
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        codes.append(r.status_code)
    assert codes[-1] == 429 and Booking.objects.count() <= 1
